#!/bin/sh
# herald render: a saved scan document (which gets the derived model) or
# any JSON through a template file, printing exactly the rendered text;
# template errors with FILE:LINE:COLUMN; partial lookup; escaping by the
# template's file ending.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

T="$TRASH/tpl"
TEMPLATES="$SRC_DIR/templates"

test_expect_success 'setup: a saved scan document' '
	make_blog blog &&
	scan &&
	cp "$TRASH/scan.json" "$TRASH/saved.json" &&
	mkdir -p "$T"
'

test_expect_success 'a scan document gets the derived model (counts, posts)' '
	printf "new={{counts.new}} total={{counts.total}}\n{{#posts}}- {{title}} ({{date_display}})\n{{/posts}}" >"$T/derived.md" &&
	herald render --context saved.json --template "$T/derived.md" >actual &&
	printf "new=3 total=9\n- Markup in summaries (30 March 2020)\n- Hello, World (29 March 2020)\n- Our release checklist (28 March 2020)\n- Out of the drafts (27 March 2020)\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'prints exactly the output: nothing added, no final newline added' '
	printf "{{counts.undrafted}}" >"$T/bare.txt" &&
	herald render --context saved.json --template "$T/bare.txt" >actual &&
	printf 1 >expect &&
	cmp expect actual &&
	printf "a\n\n\nb\n\n" >"$T/blank.txt" &&
	herald render --context saved.json --template "$T/blank.txt" >actual &&
	cmp "$T/blank.txt" actual &&
	: >"$T/empty.txt" &&
	herald render --context saved.json --template "$T/empty.txt" >actual &&
	test_must_be_empty=$(wc -c <actual) && test "$test_must_be_empty" = 0
'

test_expect_success 'the built-in notes template rendered from the saved scan' '
	cp "$TEMPLATES/notes.md" "$T/notes.md" &&
	herald render --context saved.json --template "$T/notes.md" >rendered &&
	(cd blog && herald notes --now "$NOW") >direct &&
	grep -v "^## " rendered >rendered.body &&
	grep -v "^## " direct >direct.body &&
	test_cmp direct.body rendered.body
'

test_expect_success 'per-type lists, first/last and tags_json in a saved scan' '
	printf "{{#new}}{{title}}{{^last}}, {{/last}}{{/new}}|{{#updated}}{{changed_fields}}{{/updated}}|{{#posts}}{{#first}}{{{tags_json}}}{{/first}}{{/posts}}" >"$T/lists.txt" &&
	herald render --context saved.json --template "$T/lists.txt" >actual &&
	printf "Our release checklist, Hello, World, Markup in summaries|description, tags|[\"writing\"]" >expect &&
	test_cmp expect actual
'

test_expect_success '-o FILE writes the file and nothing to stdout' '
	herald render --context saved.json --template "$T/bare.txt" -o out.txt >stdout &&
	printf 1 >expect &&
	cmp expect out.txt &&
	test ! -s stdout
'

test_expect_success 'arbitrary JSON (no events key) renders as is' '
	cat >any.json <<-\EOT &&
	{"name": "Ada", "langs": ["C", "Go"], "counts": {"new": 42}, "nested": {"deep": {"x": true}}}
	EOT
	printf "{{name}}:{{#langs}}[{{.}}]{{/langs}}:{{counts.new}}:{{#nested.deep.x}}yes{{/nested.deep.x}}:{{posts}}{{site.title}}" >"$T/any.txt" &&
	herald render --context any.json --template "$T/any.txt" >actual &&
	printf "Ada:[C][Go]:42:yes:" >expect &&
	test_cmp expect actual
'

test_expect_success 'a JSON array or scalar context also renders' '
	echo "[1, 2, 3]" >arr.json &&
	printf "{{#.}}<{{.}}>{{/.}}" >"$T/arr.txt" &&
	herald render --context arr.json --template "$T/arr.txt" >actual &&
	printf "<1><2><3>" >expect &&
	test_cmp expect actual
'

test_expect_success 'template error: FILE:LINE:COLUMN: and exit 128' '
	printf "line one\n  {{#open}}\n  x {{/other}}\n" >"$T/bad.md" &&
	test_expect_code 128 herald render --context any.json --template "$T/bad.md" >out 2>err &&
	test ! -s out &&
	grep -F "$T/bad.md:3:5:" err
'

test_expect_success 'template error: unclosed section and unclosed tag' '
	printf "ok\n{{#open}}\nnever closed\n" >"$T/unclosed.md" &&
	test_expect_code 128 herald render --context any.json --template "$T/unclosed.md" 2>err &&
	grep -F "$T/unclosed.md:2:1:" err &&
	printf "abc {{name" >"$T/tag.md" &&
	test_expect_code 128 herald render --context any.json --template "$T/tag.md" 2>err &&
	grep -F "$T/tag.md:1:5:" err
'

test_expect_success 'an error inside a partial names the partial file' '
	mkdir -p "$T/perr" &&
	printf "top\n{{> broken}}\n" >"$T/perr/main.md" &&
	printf "x\ny {{/nope}}\n" >"$T/perr/broken.md" &&
	test_expect_code 128 herald render --context any.json --template "$T/perr/main.md" 2>err &&
	grep -F "$T/perr/broken.md:2:3:" err
'

test_expect_success 'missing template or context: exit 128 with a message' '
	test_expect_code 128 herald render --context any.json --template "$T/nosuch.md" 2>err &&
	test -s err &&
	test_expect_code 128 herald render --context nosuch.json --template "$T/any.txt" 2>err &&
	test -s err &&
	echo "{not json" >broken.json &&
	test_expect_code 128 herald render --context broken.json --template "$T/any.txt" 2>err &&
	test -s err
'

test_expect_success 'missing options are usage errors (129)' '
	test_expect_code 129 herald render --template "$T/any.txt" 2>err &&
	test_expect_code 129 herald render --context any.json 2>err
'

test_expect_success 'a missing partial renders as nothing' '
	printf "a{{> nosuch}}b" >"$T/nopartial.md" &&
	herald render --context any.json --template "$T/nopartial.md" >actual &&
	printf ab >expect &&
	test_cmp expect actual
'

test_expect_success 'partial lookup: NAME.EXT first, then NAME, then built-in' '
	mkdir -p "$T/p" &&
	echo "{\"title\": \"T\", \"url\": \"https://x.example/\"}" >link.json &&
	printf "[{{> link}}]" >"$T/p/main.html" &&
	printf "ext:{{title}}" >"$T/p/link.html" &&
	printf "bare:{{title}}" >"$T/p/link" &&
	printf "md:{{title}}" >"$T/p/link.md" &&
	herald render --context link.json --template "$T/p/main.html" >actual &&
	printf "[ext:T]" >expect && test_cmp expect actual &&
	rm "$T/p/link.html" &&
	herald render --context link.json --template "$T/p/main.html" >actual &&
	printf "[bare:T]" >expect && test_cmp expect actual &&
	rm "$T/p/link" &&
	herald render --context link.json --template "$T/p/main.html" >actual &&
	printf "[<a href=\"https://x.example/\">T</a>]" >expect && test_cmp expect actual
'

test_expect_success 'partials are looked up in the including template folder, not the working folder' '
	mkdir -p "$T/q" elsewhere &&
	printf "[{{> part}}]" >"$T/q/main.md" &&
	printf "right" >"$T/q/part.md" &&
	printf "wrong" >elsewhere/part.md &&
	(cd elsewhere && herald render --context ../any.json --template "$T/q/main.md") >actual &&
	printf "[right]" >expect && test_cmp expect actual
'

test_expect_success 'a partial named with .. or / is not read from outside' '
	printf "secret" >"$TRASH/secret.md" &&
	printf "[{{> ../secret}}][{{> /etc/hostname}}]" >"$T/p/escape.md" &&
	herald render --context any.json --template "$T/p/escape.md" >actual &&
	printf "[][]" >expect && test_cmp expect actual
'

test_expect_success 'escaping by extension: .html escapes markup' '
	cat >evil.json <<-\EOT &&
	{"v": "<script>alert(\"x\")</script> & it'"'"'s\nnew line"}
	EOT
	printf "{{v}}|{{{v}}}" >"$T/e.html" &&
	herald render --context evil.json --template "$T/e.html" >actual &&
	printf "%s" "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; it&#39;s
new line|<script>alert(\"x\")</script> & it'"'"'s
new line" >expect &&
	test_cmp expect actual
'

test_expect_success 'escaping by extension: .xml and .atom escape like html' '
	printf "{{v}}" >"$T/e.xml" &&
	printf "{{v}}" >"$T/e.atom" &&
	herald render --context evil.json --template "$T/e.xml" >x &&
	herald render --context evil.json --template "$T/e.atom" >a &&
	grep -F "&lt;script&gt;" x && ! grep -F "<script>" x &&
	grep -F "&lt;script&gt;" a && ! grep -F "<script>" a
'

test_expect_success 'escaping by extension: .json escapes quotes and newlines, result parses' '
	printf "{\"v\": \"{{v}}\", \"t\": \"{{name}}\"}" >"$T/e.json" &&
	herald render --context evil.json --template "$T/e.json" >actual &&
	python3 -c "
import json, sys
out = json.load(open(\"actual\"))
want = json.load(open(\"evil.json\"))[\"v\"]
assert out[\"v\"] == want, (out[\"v\"], want)
"
'

test_expect_success 'escaping by extension: .json escapes control characters and backslashes' '
	printf "{\"v\": \"a\\\\\\\\b\\\\tc\\\\u0001d\\\\u2028e\"}" >ctl.json &&
	python3 -c "import json; print(repr(json.load(open(\"ctl.json\"))[\"v\"]))" &&
	printf "{\"v\": \"{{v}}\"}" >"$T/ctl.json" &&
	herald render --context ctl.json --template "$T/ctl.json" >actual &&
	python3 -c "
import json
assert json.load(open(\"actual\"))[\"v\"] == json.load(open(\"ctl.json\"))[\"v\"]
"
'

test_expect_success 'escaping by extension: .txt leaves text alone, .md escapes for Markdown' '
	printf "{{v}}" >"$T/e.md" &&
	printf "{{v}}" >"$T/e.txt" &&
	herald render --context evil.json --template "$T/e.md" >md &&
	herald render --context evil.json --template "$T/e.txt" >txt &&
	python3 -c "
import json, re
want = json.load(open(\"evil.json\"))[\"v\"]
got = open(\"txt\", encoding=\"utf-8\").read()
assert got == want, (got, want)
md = open(\"md\", encoding=\"utf-8\").read()
# every Markdown or HTML character behind a backslash, lines joined
esc = re.sub(r\"([\\\\\`*_\\[\\]()<>|~&])\", r\"\\\\\\1\", want).replace(\"\\n\", \" \")
assert md == esc, (md, esc)
"
'

test_done
