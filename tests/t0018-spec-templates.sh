#!/bin/sh
# The built-in templates use the Mustache spec alone: each renders the same
# in another engine (pystache, a spec implementation) as in herald, over
# the very context herald renders it with — notes, digests and feeds over
# a real model, payload templates over a context with every field set.
. "$(dirname "$0")/lib/test-lib.sh"

PY=/usr/bin/python3
TPL="$SRC_DIR/templates"

if ! "$PY" -c "import pystache" 2>/dev/null; then
	test_skip 'built-in templates render the same in pystache' \
		"no pystache for $PY (make deps installs python3-pystache)"
	test_done
fi

# same NAME CONTEXT: herald's and pystache's output of template NAME over
# the JSON CONTEXT (a file), equal (as JSON for .json templates)
same() {
	printf "{{{.}}}" >dump.txt &&
	herald render --context "$2" --template dump.txt >ctx.$1.json &&
	herald render --context "$2" --template "$TPL/$1" >herald.$1 &&
	"$PY" - "$TPL" "$1" ctx.$1.json herald.$1 <<-\PY
	import json, os, re, sys
	import pystache
	tpl, name, ctx_path, got_path = sys.argv[1:]
	ext = name.rsplit(".", 1)[1]
	def nulls(v):
	    # herald renders null as nothing and takes it as false, as "" is
	    if v is None: return ""
	    if isinstance(v, dict): return {k: nulls(x) for k, x in v.items()}
	    if isinstance(v, list): return [nulls(x) for x in v]
	    return v
	def esc_html(s):
	    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
	             .replace('"', "&quot;").replace("'", "&#39;"))
	def esc_json(s):
	    return json.dumps(s, ensure_ascii=False)[1:-1]
	def esc_md(s):
	    return re.sub(r"([\\`*_\[\]()<>|~&])", r"\\\1", s).replace("\r", " ").replace("\n", " ")
	esc = {"html": esc_html, "atom": esc_html, "json": esc_json, "md": esc_md}[ext]
	partials = {}
	for f in os.listdir(tpl):
	    stem, e = f.rsplit(".", 1)
	    if e == ext:
	        partials[stem] = open(os.path.join(tpl, f), encoding="utf-8").read()
	r = pystache.Renderer(escape=esc, partials=partials, missing_tags="ignore")
	ctx = nulls(json.load(open(ctx_path, encoding="utf-8")))
	want = r.render(open(os.path.join(tpl, name), encoding="utf-8").read(), ctx)
	got = open(got_path, encoding="utf-8").read()
	if ext == "json":
	    assert json.loads(got) == json.loads(want), (got, want)
	else:
	    if got != want:
	        import difflib
	        sys.stderr.write("".join(difflib.unified_diff(
	            want.splitlines(True), got.splitlines(True), "pystache", "herald")))
	        sys.exit(1)
	PY
}

test_expect_success 'setup: a blog with tags, pictures, subtitles, every event type' '
	git init -q blog && cd blog &&
	printf "title: Spec & <Co>\nbase_url: https://blog.example.com\n" >.herald.yml &&
	write_post _posts/2020-03-01-one.md <<-\EOF &&
	---
	title: "One & <only> \"one\""
	tags: [a, "b c"]
	image: /img/one.png
	subtitle: "Sub_title *here*"
	date: 2020-03-01
	---
	First *paragraph* with a [link](https://example.com/?a=1&b=2).
	EOF
	write_post _posts/2020-03-02-two.md <<-\EOF &&
	---
	title: Two
	date: 2020-03-02
	---
	Plain.
	EOF
	write_post _posts/2020-03-03-gone.md <<-\EOF &&
	---
	title: Gone soon
	date: 2020-03-03
	---
	Bye.
	EOF
	commit_all base &&
	write_post _posts/2020-03-04-three.md <<-\EOF &&
	---
	title: Three
	tags: [x]
	date: 2020-03-04
	---
	Third.
	EOF
	printf -- "---\ntitle: Two, edited\ndate: 2020-03-02\n---\nPlain.\n" >_posts/2020-03-02-two.md &&
	git rm -q _posts/2020-03-03-gone.md &&
	commit_all changes &&
	herald notes --format json --now 2026-01-01T00:00:00Z >../notes.json &&
	herald notes --format json --now 2026-01-01T00:00:00Z HEAD~1 HEAD >../range.json
'

for t in notes.md notes.html digest.md digest.html feed.atom feed.json; do
	test_expect_success "$t renders the same in pystache" "
		same $t notes.json &&
		same $t range.json
	"
done

test_expect_success 'payload contexts: single and batch, every field set' '
	"$PY" - <<-\PY
	import json
	text = "quote \" back \\ slash\nline <b>&amp;</b> \u00e9 \U0001f389"
	fields = ["type_label", "title_text", "title_256", "title_slack", "title_telegram",
	          "title_matrix", "title_markdown", "title_discord", "title_teams", "title_gchat",
	          "subtitle_text", "subtitle_slack", "subtitle_markdown", "subtitle_html",
	          "subtitle_gchat", "subtitle_teams", "image_html", "url_html", "url_slack",
	          "url_or_path", "tags_text", "tags_discord", "meta_text", "meta_slack", "meta_teams",
	          "alt_slack", "summary_text", "summary_slack", "summary_discord", "summary_telegram",
	          "summary_matrix", "summary_mattermost", "summary_gchat", "summary_teams",
	          "summary_mastodon", "hashtags_mastodon"]
	def ev(i):
	    e = {f: "%s %d %s" % (f, i, text) for f in fields}
	    e.update(type="new", path="_posts/p%d.md" % i, title="T%d" % i, date="2020-03-0%dT00:00:00Z" % i,
	             link="https://blog.example.com/p%d/" % i, image="https://img.example/%d.png" % i,
	             url="https://blog.example.com/p%d/" % i, tags=["a"], summary="s",
	             front_matter={"image": "https://img.example/%d.png" % i, "subtitle": "S%d" % i})
	    return e
	target = {"name": "t", "kind": "k", "chat_id": "42", "topic": "news", "username": "herald",
	          "icon_url": "https://i.example/i.png", "avatar_url": "https://i.example/a.png"}
	site = {"title": "Blog", "base_url": "https://blog.example.com"}
	for name, evs, batch in (("single", [ev(1)], False), ("batch", [ev(1), ev(2), ev(3)], True)):
	    ctx = {"target": target, "site": site, "id": "id-1", "timestamp": "2026-01-01T00:00:00Z",
	           "batch": batch, "count": len(evs) + (2 if batch else 0), "shown": len(evs),
	           "more": 2 if batch else 0, "events": evs, "event": evs[0],
	           "headline": "H " + text, "headline_slack": "HS " + text, "headline_html": "HH " + text,
	           "headline_teams": "HT " + text}
	    json.dump(ctx, open("payload-%s.json" % name, "w"), ensure_ascii=False)
	# the same without picture, subtitle and summaries: the other branches
	ctx = json.load(open("payload-single.json"))
	for e in ctx["events"] + [ctx["event"]]:
	    for k in list(e):
	        if k.startswith(("subtitle", "summary", "image")) or k in ("link", "url_slack", "url_html"):
	            e[k] = None
	json.dump(ctx, open("payload-bare.json", "w"), ensure_ascii=False)
	PY
'

for k in slack discord mattermost teams googlechat matrix telegram ntfy mastodon bluesky; do
	test_expect_success "payload-$k.json renders the same in pystache" "
		same payload-$k.json payload-single.json &&
		same payload-$k.json payload-batch.json &&
		same payload-$k.json payload-bare.json
	"
done

test_expect_success 'no built-in template indexes a list ({{#list.0}} is not in the spec)' '
	! grep -n "{{[#^/&{]*[a-z_]*\.[0-9]" "$TPL"/*
'

test_done
