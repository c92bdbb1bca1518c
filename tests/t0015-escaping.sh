#!/bin/sh
# A post with a hostile title (markup, &, quotes, apostrophes, emoji) and a
# summary with raw HTML and a javascript: link, through every format: HTML
# and Atom escape it, JSON round-trips it, Markdown leaves the title alone
# (no escaping for .md), no raw HTML or javascript: URL gets through, and
# the emoji survives everywhere.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

TITLE="<script>alert(1)</script> & \"quotes\" 'apostrophes' 🎉"

# write_evil: the hostile post, committed.
write_evil() {
	write_post _posts/2020-03-30-evil.md <<-\EOT &&
	---
	title: '<script>alert(1)</script> & "quotes" ''apostrophes'' 🎉'
	date: 2020-03-30
	tags: ["<b>tag</b>", "a&b", "🎉"]
	---

	Some <b>bold</b> raw HTML and a [bad link](javascript:alert(1)) here 🎉.

	The second paragraph.
	EOT
	commit_all "A hostile post"
}

# out NAME CMD...: herald CMD in the blog at $NOW into $TRASH/NAME.
out() {
	name=$1 && shift &&
	(cd "$TRASH/blog" && herald "$@" --now "$NOW") >"$TRASH/$name"
}

# check_html FILE: the title is text (parsed back exactly), no raw markup
# from the post, no javascript: URL, the emoji as UTF-8.
check_html() {
	python3 - "$1" "$TITLE" <<-\EOT
	import sys
	from html.parser import HTMLParser
	path, title = sys.argv[1], sys.argv[2]
	raw = open(path, encoding="utf-8").read()
	assert "<script" not in raw.lower(), "raw <script> in " + path
	assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw, "title not escaped"
	assert "<b>" not in raw.lower(), "raw <b> passed through"
	assert "javascript:" not in raw.lower(), "javascript: URL passed through"
	assert "\U0001f389" in raw, "emoji lost"
	class P(HTMLParser):
	    def __init__(self):
	        super().__init__(convert_charrefs=True)
	        self.tags, self.links, self.cur = [], [], None
	    def handle_starttag(self, tag, attrs):
	        self.tags.append(tag)
	        if tag == "a":
	            self.cur = ""
	    def handle_endtag(self, tag):
	        if tag == "a" and self.cur is not None:
	            self.links.append(self.cur)
	            self.cur = None
	    def handle_data(self, data):
	        if self.cur is not None:
	            self.cur += data
	p = P()
	p.feed(raw)
	assert "script" not in p.tags and "b" not in p.tags and "img" not in p.tags, p.tags
	assert title in p.links, (title, p.links)
	EOT
}

# check_md FILE: Markdown leaves the title as written, keeps the emoji,
# and the summary shows neither the raw <b> nor the javascript: URL.
check_md() {
	python3 - "$1" "$TITLE" <<-\EOT
	import re, sys
	path, title = sys.argv[1], sys.argv[2]
	raw = open(path, encoding="utf-8").read()
	# the title shows as written: Markdown and HTML characters behind a backslash
	esc = re.sub(r"([\\`*_\[\]()<>|~&])", r"\\\1", title)
	assert "[" + esc + "](https://blog.example.com/2020/03/30/evil/)" in raw, raw
	assert not re.search(r"(?<!\\)<script", raw), "live HTML from the title"
	assert "<b>bold</b>" not in raw, "raw <b> in the summary"
	assert "javascript:" not in raw, "javascript: URL in the summary"
	assert "Some bold raw HTML and a bad link here \U0001f389." in raw, raw
	EOT
}

test_expect_success 'setup: the hostile post' '
	make_blog blog &&
	write_evil &&
	scan &&
	test "$(jget .events[0].title)" = "$TITLE" &&
	test "$(jget .events[0].tags)" = "[\"<b>tag</b>\",\"a&b\",\"🎉\"]"
'

test_expect_success 'notes md: title as written, summary without raw HTML' '
	out notes.md notes &&
	check_md "$TRASH/notes.md"
'

test_expect_success 'notes html: title escaped, no raw HTML, no javascript:' '
	out notes.html notes --format html &&
	check_html "$TRASH/notes.html"
'

test_expect_success 'notes json (the model): title and summary round-trip' '
	out notes.json notes --format json &&
	python3 - "$TRASH/notes.json" "$TITLE" <<-\EOT
	import json, sys
	m = json.load(open(sys.argv[1], encoding="utf-8"))
	e = m["new"][0]
	assert e["title"] == sys.argv[2], e["title"]
	assert e["tags"] == ["<b>tag</b>", "a&b", "\U0001f389"], e["tags"]
	assert json.loads(e["tags_json"]) == e["tags"]
	assert "<b>" not in e["summary_html"] and "javascript:" not in e["summary_html"], e["summary_html"]
	assert "javascript:" not in e["summary_text"], e["summary_text"]
	EOT
'

test_expect_success 'digest md: title as written, summary without raw HTML' '
	out digest.md digest --since HEAD~1 &&
	check_md "$TRASH/digest.md"
'

test_expect_success 'digest html: title escaped, no raw HTML, no javascript:' '
	out digest.html digest --since HEAD~1 --format html &&
	check_html "$TRASH/digest.html" &&
	grep -F "<span class=\"tag\">#&lt;b&gt;tag&lt;/b&gt;</span><span class=\"tag\">#a&amp;b</span><span class=\"tag\">#🎉</span>" "$TRASH/digest.html"
'

test_expect_success 'digest atom: well-formed, title and tags round-trip, summary safe' '
	out digest.atom digest --since HEAD~1 --format atom &&
	xmllint --noout "$TRASH/digest.atom" &&
	! grep -i "<script" "$TRASH/digest.atom" &&
	grep -F "&lt;script&gt;alert(1)&lt;/script&gt;" "$TRASH/digest.atom" &&
	grep -F "🎉" "$TRASH/digest.atom" &&
	python3 - "$TRASH/digest.atom" "$TITLE" <<-\EOT
	import sys
	import xml.etree.ElementTree as ET
	A = "{http://www.w3.org/2005/Atom}"
	e = ET.parse(sys.argv[1]).getroot().find(A + "entry")
	assert e.find(A + "title").text == sys.argv[2], e.find(A + "title").text
	terms = [c.get("term") for c in e.findall(A + "category")]
	assert terms == ["<b>tag</b>", "a&b", "\U0001f389"], terms
	s = e.find(A + "content").text
	assert "<b>" not in s and "<script" not in s and "javascript:" not in s, s
	assert "\U0001f389" in s, s
	EOT
'

test_expect_success 'digest json: parses, title and tags round-trip exactly' '
	out digest.json digest --since HEAD~1 --format json &&
	grep -F "🎉" "$TRASH/digest.json" &&
	python3 - "$TRASH/digest.json" "$TITLE" <<-\EOT
	import json, sys
	f = json.load(open(sys.argv[1], encoding="utf-8"))
	it = f["items"][0]
	assert it["title"] == sys.argv[2], it["title"]
	assert it["tags"] == ["<b>tag</b>", "a&b", "\U0001f389"], it["tags"]
	assert "<b>" not in it["content_html"] and "javascript:" not in it["content_html"], it["content_html"]
	assert "javascript:" not in it["summary"], it["summary"]
	assert it["summary"] == "Some bold raw HTML and a bad link here \U0001f389.", it["summary"]
	EOT
'

test_expect_success 'a hostile site title and base_url are escaped too' '
	cd blog &&
	cat >.herald.yml <<-\EOT &&
	title: "Tom & Jerry <b>Blog</b> \"quoted\" 🎉"
	base_url: "https://blog.example.com/a&b"
	EOT
	commit_all "A hostile site title" &&
	herald digest --since HEAD~2 --format html --now "$NOW" >"$TRASH/site.html" &&
	grep -F "<h1>Tom &amp; Jerry &lt;b&gt;Blog&lt;/b&gt; &quot;quoted&quot; 🎉</h1>" "$TRASH/site.html" &&
	! grep -F "<b>Blog" "$TRASH/site.html" &&
	herald digest --since HEAD~2 --format atom --now "$NOW" >"$TRASH/site.atom" &&
	xmllint --noout "$TRASH/site.atom" &&
	herald digest --since HEAD~2 --format json --now "$NOW" >"$TRASH/site.json" &&
	python3 -c "
import json, sys
f = json.load(open(sys.argv[1], encoding=\"utf-8\"))
assert f[\"title\"] == \"Tom & Jerry <b>Blog</b> \\\"quoted\\\" \U0001f389\", f[\"title\"]
assert f[\"home_page_url\"] == \"https://blog.example.com/a&b/\", f[\"home_page_url\"]
" "$TRASH/site.json" &&
	git reset -q --hard HEAD~1
'

test_expect_success 'herald render with hostile JSON in each escaping mode' '
	mkdir -p tpl &&
	python3 -c "
import json, sys
json.dump({\"t\": sys.argv[1]}, open(\"ctx.json\", \"w\", encoding=\"utf-8\"), ensure_ascii=False)
" "$TITLE" &&
	printf "<p>{{t}}</p>" >tpl/t.html &&
	printf "{\"t\": \"{{t}}\"}" >tpl/t.json &&
	printf "{{t}}" >tpl/t.md &&
	herald render --context ctx.json --template tpl/t.html >r.html &&
	printf "%s" "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;apostrophes&#39; 🎉</p>" >expect &&
	test_cmp expect r.html &&
	herald render --context ctx.json --template tpl/t.json >r.json &&
	python3 -c "
import json, sys
assert json.load(open(\"r.json\", encoding=\"utf-8\"))[\"t\"] == sys.argv[1]
" "$TITLE" &&
	herald render --context ctx.json --template tpl/t.md >r.md &&
	printf "%s" "\\<script\\>alert\\(1\\)\\</script\\> \\& \"quotes\" '"'"'apostrophes'"'"' 🎉" >expect &&
	test_cmp expect r.md
'

test_done
