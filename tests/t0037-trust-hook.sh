#!/bin/sh
# The trust boundary at the hook and on disk (issue 10, items 6, 7 and 11),
# through real pushes into a bare server with the hooks installed, a real
# receiver and the real commands: the lint gate cannot be steered by a
# pushed .herald.yml; the hook leaves a scan that outruns
# herald.hookBudget to `herald tick`, which announces it once; files a user
# names keep their mode and links are refused; herald's own files and
# folder are never followed through links nor shared; credential files are
# checked on the opened descriptor.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT
umask 022

install_hooks() {
	for h in post-receive pre-receive; do
		printf '#!/bin/sh\n"$HERALD" hook %s\nrc=$?\necho $rc >"%s/%s.rc"\nexit $rc\n' \
			$h "$TRASH" $h >"$1/hooks/$h" &&
		chmod +x "$1/hooks/$h" || return 1
	done
}

post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"$2" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

push() {
	pn=$1 && shift
	git push "$@" >"$TRASH/$pn.push" 2>&1
	rc=$?
	sed -e 's/^/| /' "$TRASH/$pn.push"
	return $rc
}

requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log"; else echo 0; fi
}

baseline() {
	git -C "$SERVER" rev-parse -q --verify refs/herald/heads/main
}

test_expect_success 'setup: a bare server with the hooks, a webhook target, a clone' '
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config herald.hook.kind webhook &&
	git -C server.git config herald.hook.batch true &&
	start_receiver r --max-seconds 900 --respond 200 &&
	git -C server.git config herald.hook.url "$url/hooks/x" &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 0 "First" &&
	push first origin main
'

test_expect_success 'lint gate: a push that also narrows posts in .herald.yml cannot slip a broken post through' '
	cd work &&
	git -C "$SERVER" config herald.lint reject &&
	before=$(git -C "$SERVER" rev-parse main) &&
	printf "title: Test Blog\nbase_url: https://blog.example.com\nposts: [\"nothing/**\"]\n" >.herald.yml &&
	printf -- "---\ntitle: [unclosed\ndate: 2020-03-01\n---\nBroken.\n" >_posts/2020-03-02-broken.md &&
	commit_all "narrow the posts, add a broken one" &&
	test_expect_code 1 push narrow origin main &&
	grep "_posts/2020-03-02-broken.md:[0-9]*:[0-9]*: error:" "$TRASH/narrow.push" &&
	grep "push refused" "$TRASH/narrow.push" &&
	test "$(git -C "$SERVER" rev-parse main)" = "$before" &&
	git reset -q --hard origin/main
'

test_expect_success 'lint gate: a pushed .herald.yml that does not parse is itself an error' '
	cd work &&
	printf "title: [unclosed\nposts: [\"nothing/**\"\n" >.herald.yml &&
	commit_all "a broken site config" &&
	test_expect_code 1 push badcfg origin main &&
	grep "^remote: \.herald\.yml:[0-9]*:[0-9]*: error:" "$TRASH/badcfg.push" &&
	grep "push refused" "$TRASH/badcfg.push" &&
	git reset -q --hard origin/main &&
	git -C "$SERVER" config --unset herald.lint
'

test_expect_success 'a scan past herald.hookBudget: the push goes through, tick announces it once' '
	cd work &&
	git -C "$SERVER" config herald.hookBudget 0.001 &&
	before=$(baseline) &&
	mkdir -p _posts &&
	i=0 && while [ $i -lt 2000 ]; do
		printf -- "---\ntitle: Bulk %s\ndate: 2020-03-01\n---\nBody %s.\n" $i $i >"_posts/2020-03-01-bulk-$i.md"
		i=$((i + 1))
	done &&
	commit_all "2000 posts" &&
	push bulk origin main &&
	grep "took longer than herald.hookBudget; .herald tick. announces this push" "$TRASH/bulk.push" &&
	test "$(cat "$TRASH/post-receive.rc")" = 0 &&
	test "$(baseline)" = "$before" &&
	test "$(requests)" = 0 &&
	git -C "$SERVER" config --unset herald.hookBudget &&
	herald -C "$SERVER" tick >"$TRASH/tick.out" 2>&1 &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	test "$(requests)" = 1 &&
	grep "\"2000 posts\"\\|posts.batch" "$TRASH/r.log" &&
	herald -C "$SERVER" tick >"$TRASH/tick2.out" 2>&1 &&
	test "$(requests)" = 1
'

test_expect_success 'notes --prepend refuses a symbolic link and keeps a regular file mode' '
	cd work &&
	printf "top secret\n" >"$TRASH/secret" && chmod 600 "$TRASH/secret" &&
	ln -s "$TRASH/secret" CHANGELOG.md &&
	test_expect_code 128 herald notes --prepend CHANGELOG.md HEAD~1..HEAD 2>"$TRASH/link.err" &&
	grep "CHANGELOG.md. is not a regular file but a symbolic link" "$TRASH/link.err" &&
	test -L CHANGELOG.md &&
	! grep -r "top secret" --exclude-dir=.git . &&
	rm CHANGELOG.md &&
	printf "# Changes\n" >CHANGELOG.md && chmod 600 CHANGELOG.md &&
	herald notes --prepend CHANGELOG.md HEAD~1..HEAD &&
	test "$(stat -c %a CHANGELOG.md)" = 600 &&
	grep "herald notes" CHANGELOG.md &&
	mkfifo fifo.md &&
	test_expect_code 128 herald notes --prepend fifo.md HEAD~1..HEAD 2>"$TRASH/fifo.err" &&
	grep "not a regular file" "$TRASH/fifo.err" &&
	rm fifo.md
'

test_expect_success 'notes -o keeps an existing file mode; a new file follows the umask' '
	cd work &&
	printf "old\n" >"$TRASH/out.md" && chmod 640 "$TRASH/out.md" &&
	herald notes -o "$TRASH/out.md" HEAD~1..HEAD &&
	test "$(stat -c %a "$TRASH/out.md")" = 640 &&
	! grep "^old$" "$TRASH/out.md" &&
	herald notes -o "$TRASH/new.md" HEAD~1..HEAD &&
	test "$(stat -c %a "$TRASH/new.md")" = 644 &&
	ln -s "$TRASH/secret" "$TRASH/linked.md" &&
	test_expect_code 128 herald notes -o "$TRASH/linked.md" HEAD~1..HEAD 2>/dev/null &&
	test "$(cat "$TRASH/secret")" = "top secret"
'

test_expect_success 'herald never follows a link planted for its ledger, lock, status or log' '
	cd work &&
	printf "precious\n" >"$TRASH/target" &&
	for f in ledger status.json log; do
		mv "$SERVER/herald/$f" "$TRASH/saved-$f" 2>/dev/null
		ln -s "$TRASH/target" "$SERVER/herald/$f" || return 1
		post "l$f" "Linked $f" &&
		push "link-$f" origin main &&
		herald -C "$SERVER" deliver --all >"$TRASH/deliver-$f.out" 2>&1
		herald -C "$SERVER" status >/dev/null 2>&1
		test "$(cat "$TRASH/target")" = precious || return 1
		test -L "$SERVER/herald/$f" || return 1
		rm "$SERVER/herald/$f" &&
		{ mv "$TRASH/saved-$f" "$SERVER/herald/$f" 2>/dev/null; true; }
	done &&
	grep "ledger.*Too many levels of symbolic links" "$TRASH/link-ledger.push" &&
	mv "$SERVER/herald/lock" "$TRASH/saved-lock" &&
	ln -s "$TRASH/target" "$SERVER/herald/lock" &&
	test_expect_code 128 herald -C "$SERVER" deliver 2>"$TRASH/lock.err" &&
	grep "lock.*Too many levels of symbolic links" "$TRASH/lock.err" &&
	test "$(cat "$TRASH/target")" = precious &&
	rm "$SERVER/herald/lock" &&
	herald -C "$SERVER" tick >/dev/null 2>&1 &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'herald refuses its folder when another user owns it or others may write to it' '
	chmod 770 "$SERVER/herald" &&
	test_expect_code 128 herald -C "$SERVER" deliver 2>"$TRASH/mode.err" &&
	grep "herald. is writable by group or others (mode 0770); chmod 700 it" "$TRASH/mode.err" &&
	chmod 700 "$SERVER/herald" &&
	chown 65534 "$SERVER/herald" &&
	test_expect_code 128 herald -C "$SERVER" deliver 2>"$TRASH/owner.err" &&
	grep "herald. belongs to another user (uid 65534)" "$TRASH/owner.err" &&
	chown "$(id -u)" "$SERVER/herald" &&
	herald -C "$SERVER" deliver >/dev/null 2>&1
'

test_expect_success 'secret and url files: owner and mode checked on the opened file' '
	printf "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n" >"$TRASH/hook.secret" &&
	chmod 600 "$TRASH/hook.secret" &&
	git -C "$SERVER" config herald.hook.secretFile "$TRASH/hook.secret" &&
	herald -C "$SERVER" targets >"$TRASH/t1.out" 2>&1 &&
	chown 65534 "$TRASH/hook.secret" &&
	test_expect_code 1 herald -C "$SERVER" targets >"$TRASH/t2.out" 2>&1 &&
	grep "secretFile .* belongs to another user (uid 65534)" "$TRASH/t2.out" &&
	chown "$(id -u)" "$TRASH/hook.secret" && chmod 644 "$TRASH/hook.secret" &&
	test_expect_code 1 herald -C "$SERVER" targets >"$TRASH/t3.out" 2>&1 &&
	grep "secretFile .* is readable by others" "$TRASH/t3.out" &&
	chmod 600 "$TRASH/hook.secret" &&
	mkfifo "$TRASH/url.fifo" && chmod 600 "$TRASH/url.fifo" &&
	git -C "$SERVER" config herald.hook.urlFile "$TRASH/url.fifo" &&
	test_expect_code 1 herald -C "$SERVER" targets >"$TRASH/t4.out" 2>&1 &&
	grep "urlFile .* is not a regular file" "$TRASH/t4.out" &&
	git -C "$SERVER" config --unset herald.hook.urlFile &&
	git -C "$SERVER" config --unset herald.hook.secretFile
'

test_done
