#!/bin/sh
# The manual pages: the same commands, options and config keys as the code
# (tests/lib/man-check.py), every model field in herald-templates(7), clean
# rendering by groff, mandoc and man, and the help that opens them:
# `herald help TOPIC`, `herald COMMAND --help`, `git herald COMMAND --help`,
# `git herald --help`, and the short usage when there is no page.
. "$(dirname "$0")/lib/test-lib.sh"

MAN_SRC="$SRC_DIR/man"
export MANPAGER=cat PAGER=cat MANWIDTH=80 MAN_KEEP_FORMATTING=
pages=$(cd "$MAN_SRC" && ls man1/*.1 man5/*.5 man7/*.7)

test_expect_success 'pages and code name the same commands, options and config keys' '
	python3 "$SRC_DIR/tests/lib/man-check.py" "$SRC_DIR" >out; rc=$?
	cat out &&
	test $rc = 0 &&
	grep "^# checked: " out
'

test_expect_success 'the checker names what is missing from which page' '
	mkdir copy &&
	cp -R "$SRC_DIR/src" "$SRC_DIR/include" "$SRC_DIR/man" copy/ &&
	mkdir -p copy/tests/lib &&
	sed "/^\.It Fl -drafts\$/d" "$MAN_SRC/man1/herald-scan.1" >copy/man/man1/herald-scan.1 &&
	sed "/^\.It Cm fields\.title\$/d" "$MAN_SRC/man5/herald-config.5" >copy/man/man5/herald-config.5 &&
	printf "%s\n" ".It Fl -bogus" "Not an option." >>copy/man/man1/herald-lint.1 &&
	sed "/^\.It Fl -uninstall\$/d" "$MAN_SRC/man1/herald-install.1" >copy/man/man1/herald-install.1 &&
	rm copy/man/man1/herald-tick.1 &&
	sed "s/^\.It Fl o Ar file , Fl -output Ar file\$/.It Fl -output Ar file/" "$MAN_SRC/man1/herald-notes.1" >copy/man/man1/herald-notes.1 &&
	sed "/^\.It Fl -format Ar fmt\$/d" "$MAN_SRC/man1/herald-digest.1" >copy/man/man1/herald-digest.1 &&
	sed "/^\.It Fl -now Ar date\$/d" "$MAN_SRC/man1/herald-show.1" >copy/man/man1/herald-show.1 &&
	printf "static const char *k = \"herald.lateArrival\";\n" >>copy/src/deliver/announce.c &&
	test_expect_code 1 python3 "$SRC_DIR/tests/lib/man-check.py" copy >out &&
	cat out &&
	grep -Fx "man/man1/herald-scan.1: option '\''--drafts'\'' is in src/cmd/cmd-scan.c but not in the page" out &&
	grep -Fx "man/man1/herald-lint.1: option '\''--bogus'\'' is in the page but not in src/cmd/cmd-lint.c" out &&
	grep -Fx "man/man1/herald-install.1: option '\''--uninstall'\'' is in src/cmd/cmd-install.c but not in the page" out &&
	grep -Fx "man/man1/herald-notes.1: option '\''-o'\'' is in src/cmd/cmd-notes.c but not in the page" out &&
	grep -Fx "man/man1/herald-digest.1: option '\''--format'\'' is in src/cmd/cmd-digest.c but not in the page" out &&
	grep -Fx "man/man1/herald-show.1: option '\''--now'\'' is in src/cmd/cmd-show.c but not in the page" out &&
	grep -Fx "man/man1/herald-COMMAND.1: command '\''tick'\'' is in src/cmd/main.c'\''s command table but not in the page" out &&
	grep -Fx "herald-config(5): config key '\''herald.lateArrival'\'' is in the code (src/**/*.c) but not in the page" out &&
	grep -Fx "herald-config(5) SITE CONFIGURATION: .herald.yml key '\''fields.title'\'' is in src/read/site.c'\''s apply_herald_config() but not in the page" out
'

test_expect_success 'setup: a blog with every kind of event and an invalid post' '
	git init -q blog && cd blog &&
	mkdir _posts _drafts &&
	printf -- "---\ntitle: One\ndate: 2020-01-01\ntags: [a, b]\n---\nFirst.\n" >_posts/2020-01-01-one.md &&
	printf -- "---\ntitle: Two\ndate: 2020-01-02\n---\nSecond.\n" >_posts/2020-01-02-two.md &&
	printf -- "---\ntitle: Three\n---\nThird, a draft.\n" >_drafts/three.md &&
	commit_all one &&
	printf -- "---\ntitle: One, again\ndate: 2020-01-01\ntags: [a, b]\n---\nFirst.\n" >_posts/2020-01-01-one.md &&
	git mv _drafts/three.md _posts/2020-01-03-three.md &&
	printf -- "---\ntitle: [broken\n---\nx\n" >_posts/2020-01-04-bad.md &&
	printf -- "---\ntitle: New\ndate: 2020-01-05\n---\nNew.\n" >_posts/2020-01-05-new.md &&
	commit_all two &&
	herald notes --format json --now 2021-01-01T00:00:00Z >../model.json
'

test_expect_success 'herald-templates(7) describes every field of the model' '
	python3 - "$MAN_SRC/man7/herald-templates.7" model.json >missing <<-\PY
	import json, re, sys
	page = open(sys.argv[1]).read()
	documented = set(re.findall(r"(?:^|\s)\.?Va\s+([A-Za-z_][A-Za-z0-9_]*)", page, re.M))
	seen = set()
	def walk(o):
	    if isinstance(o, dict):
	        for k, v in o.items():
	            seen.add(k)
	            if k != "front_matter":
	                walk(v)
	    elif isinstance(o, list):
	        for v in o:
	            walk(v)
	walk(json.load(open(sys.argv[2])))
	assert {"events", "errors", "changes", "commit"} <= seen, seen
	for k in sorted(seen - documented):
	    print("herald-templates(7): model field %s is not described (.Va %s)" % (k, k))
	PY
	cat missing &&
	test ! -s missing
'

test_expect_success 'every page renders without warnings (groff -ww, mandoc -T lint, man -l)' '
	for p in $pages
	do
		groff -ww -mandoc -z "$MAN_SRC/$p" 2>err &&
		if test -s err; then echo "groff: $p:" && cat err && return 1; fi &&
		# Style messages are kept when they point at something to fix;
		# "referenced manual not found" and "mandoc.db" only say that
		# this machine has not installed and indexed the pages.
		mandoc -T lint -W style "$MAN_SRC/$p" 2>&1 |
			grep -v -e "referenced manual not found" -e "mandoc\.db" >lint;
		if test -s lint; then cat lint && return 1; fi &&
		man -l "$MAN_SRC/$p" >out 2>err &&
		if test -s err; then echo "man -l: $p:" && cat err && return 1; fi &&
		grep "^NAME" out >/dev/null || return 1
	done
'

test_expect_success 'each page names itself as its file does' '
	for p in $pages
	do
		f=$(basename "$p") && name=${f%.*} && sect=${f##*.} &&
		up=$(echo "$name" | tr a-z A-Z) &&
		grep -x "\.Dt $up $sect" "$MAN_SRC/$p" >/dev/null &&
		grep -x "\.Nm $name\( ,\)\{0,1\}" "$MAN_SRC/$p" >/dev/null || {
			echo "$p: .Dt or .Nm do not match the file name" && return 1
		}
	done
'

if command -v man >/dev/null 2>&1; then
test_expect_success 'herald help COMMAND and COMMAND --help open its page' '
	herald help scan >out 2>err &&
	grep "herald-scan.*list what happened to posts" out &&
	grep -- "--drafts" out &&
	herald scan --help >out2 2>err &&
	test_cmp out out2 &&
	herald scan HEAD --json --help >out2 2>err &&
	test_cmp out out2 &&
	herald help outbox | grep "herald-outbox.*list, show, retry or drop" &&
	herald --help | grep "^NAME" &&
	herald help herald | grep "git-herald" &&
	herald help config | grep "herald-config.*configuration" &&
	herald help templates | grep "herald-templates.*model"
'

test_expect_success '-h keeps the short usage; unknown topics are refused' '
	herald scan -h >out &&
	grep "^usage: herald scan" out &&
	herald -h | grep "^   scan " &&
	herald help | grep "^   scan " &&
	test_expect_code 129 herald help bogus 2>err &&
	grep "'\''bogus'\'' is neither a herald command nor a help topic" err
'

test_expect_success 'git herald COMMAND --help and git herald --help' '
	mkdir -p bin mp/man1 &&
	ln -s "$HERALD" bin/git-herald &&
	ln -s "$MAN_SRC/man1/herald.1" mp/man1/git-herald.1 &&
	(cd blog && PATH="$TRASH/bin:$PATH" git herald scan --help) >out &&
	grep "herald-scan.*list what happened to posts" out &&
	(cd blog && PATH="$TRASH/bin:$PATH" MANPATH="$TRASH/mp" git herald --help) >out &&
	grep "git-herald.*tell the world about new blog posts" out
'
else
test_skip 'herald help opens manual pages' 'man is not installed'
fi

test_expect_success 'without its page, --help prints the short usage' '
	mkdir -p alone/bin empty/man1 &&
	cp "$HERALD" alone/bin/herald &&
	MANPATH="$TRASH/empty" alone/bin/herald scan --help >out 2>err &&
	grep "^usage: herald scan" out &&
	test ! -s err &&
	MANPATH="$TRASH/empty" alone/bin/herald help tick >out &&
	grep "^usage: herald tick" out &&
	test_expect_code 1 env MANPATH="$TRASH/empty" alone/bin/herald help config 2>err &&
	grep "herald-config(5) is not installed" err &&
	MANPATH="$TRASH/empty" alone/bin/herald --help | grep "^   scan "
'

test_expect_success 'without man, --help prints the short usage' '
	mkdir -p noman &&
	for t in git sh env cat; do ln -s "$(command -v $t)" noman/$t; done &&
	PATH="$TRASH/noman" "$HERALD" status --help >out 2>err &&
	grep "^usage: herald status" out &&
	test ! -s err
'

test_done
