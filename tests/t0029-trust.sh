#!/bin/sh
# The trust boundary (ARCHITECTURE.md §5) through real pushes: a bare server
# with `herald install`'s hooks, targets of several kinds on a real receiver,
# and pushes that try to steer what only the server's config decides. Each
# test checks what the receiver got, what the pusher saw and which files
# changed. Other parts of issue 10 (mentions, links, files, lint gate, hook
# budget) have their own scripts.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"
ESC=$(printf '\033')
BEL=$(printf '\007')
# base64 of "Bearer tk_ntfysecret", as ntfy's ?auth= takes it (unpadded)
NTFY_AUTH=QmVhcmVyIHRrX250ZnlzZWNyZXQ
trap 'cd "$TRASH" && stop_receiver r' EXIT

# post N TITLE: a new published post in the clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: \"%s\"\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"$2" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# body KIND [KEY]: the last JSON body the receiver got under /KIND (or a key of it)
body() {
	python3 - "$TRASH/r.log" "$1" "${2:-}" <<-\PY
	import json, sys
	last = None
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    if r["path"].startswith("/" + sys.argv[2] + "/") or r["path"] == "/" + sys.argv[2]:
	        last = r
	if last is None:
	    sys.exit("no request to /" + sys.argv[2])
	b = json.loads(last["body"])
	print(json.dumps(b[sys.argv[3]] if sys.argv[3] else b, sort_keys=True))
	PY
}

# request KIND FIELD: a field of the last request under /KIND (path, query, a header)
request() {
	python3 - "$TRASH/r.log" "$1" "$2" <<-\PY
	import json, sys
	last = None
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    if r["path"].startswith("/" + sys.argv[2]):
	        last = r
	if last is None:
	    sys.exit("no request to /" + sys.argv[2])
	f = sys.argv[3]
	print(last["headers"].get(f, "") if f not in ("path", "query") else last[f])
	PY
}

requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log"; else echo 0; fi
}

# restart ARGS...: a fresh receiver (empty log), every target pointed at it
restart() {
	(cd "$TRASH" && stop_receiver r && start_receiver r "$@" &&
	 for k in slack discord telegram matrix mattermost; do
		git -C "$SERVER" config herald.$k.url "$url/$k/SECRETPATH" || return 1
	 done &&
	 git -C "$SERVER" config herald.ntfy.url "$url/ntfy/blogtopic?auth=$NTFY_AUTH" &&
	 git -C "$SERVER" config herald.hook.url "$url/hook/SECRETPATH")
}

# no_raw_controls FILE...: no escape, bell or other C0 control but tab and newline
no_raw_controls() {
	! LC_ALL=C grep -l "$(printf '[\001-\010\013-\037\177]')" "$@"
}

test_expect_success 'setup: a bare server with herald install, seven targets, a clone' '
	git init -q --bare server.git &&
	herald -C server.git install >install.out &&
	test -x server.git/hooks/post-receive &&
	for k in slack discord telegram matrix mattermost ntfy; do
		git -C server.git config herald.$k.kind $k || return 1
	done &&
	git -C server.git config herald.telegram.chatId 12345 &&
	git -C server.git config herald.matrix.token MATRIXTOKEN &&
	git -C server.git config herald.hook.kind webhook &&
	git -C server.git config herald.hook.secret whsec_c2VjcmV0c2VjcmV0c2VjcmV0 &&
	git -C server.git config herald.hook.template site.json &&
	git -C server.git config receive.advertisePushOptions true &&
	# deliveries are asserted right after each push: give a sanitized build
	# on a busy machine time to render and send before the hook hands over
	git -C server.git config herald.hookBudget 30 &&
	mkdir admin-templates &&
	cat >admin-templates/site.json <<-\EOT &&
	{"type": "mine", "data": {"title": "{{event.title_text}}", "by": "admin-template"}}
	EOT
	git -C server.git config herald.templateDir "$TRASH/admin-templates" &&
	restart --respond 200 &&
	git clone -q server.git work 2>/dev/null &&
	cd work &&
	printf "title: Trust\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 "First" &&
	push first origin main &&
	grep "nothing announced" ../first.push
'

test_expect_success 'herald targets names the template folder each target uses' '
	herald -C server.git targets >targets.out &&
	grep "template $TRASH/admin-templates/site.json" targets.out &&
	grep "template $TRASH/admin-templates/payload-slack.json if there, else built-in" targets.out &&
	! grep -e blogtopic -e "$NTFY_AUTH" -e tk_ntfysecret -e SECRETPATH targets.out
'

test_expect_success 'pushed payload templates are never used: each kind keeps its invariants' '
	cd work &&
	mkdir -p .herald/templates &&
	cat >.herald/templates/payload-slack.json <<-\EOT &&
	{"text": "<!channel> {{headline}}", "channel": "#general", "username": "Admin",
	 "icon_url": "https://evil.example/a.png", "link_names": 1}
	EOT
	cat >.herald/templates/payload-discord.json <<-\EOT &&
	{"content": "@everyone", "allowed_mentions": {"parse": ["everyone"]}}
	EOT
	echo "{\"chat_id\": \"999\", \"text\": \"pushed\"}" >.herald/templates/payload-telegram.json &&
	echo "{\"topic\": \"evil\", \"message\": \"pushed\"}" >.herald/templates/payload-ntfy.json &&
	echo "{\"msgtype\": \"m.text\", \"body\": \"@room\", \"m.mentions\": {\"room\": true}}" >.herald/templates/payload-matrix.json &&
	echo "{\"type\": \"evil\", \"data\": {\"by\": \"pusher\"}}" >.herald/templates/site.json &&
	post 2 "Second post" &&
	push templates origin main &&
	test "$(requests)" = 7 &&
	body slack >../slack.json &&
	! grep -e "#general" -e Admin -e evil.example -e "<!channel>" -e link_names ../slack.json &&
	grep "New post: Second post" ../slack.json &&
	test "$(body discord allowed_mentions)" = "{\"parse\": []}" &&
	! grep everyone ../r.log &&
	test "$(body telegram chat_id)" = "\"12345\"" &&
	test "$(body ntfy topic)" = "\"blogtopic\"" &&
	test "$(body matrix m.mentions)" = "{}" &&
	test "$(body matrix msgtype)" = "\"m.notice\"" &&
	test "$(body hook data)" = "{\"by\": \"admin-template\", \"title\": \"Second post\"}" &&
	test "$(body hook type)" = "\"post.new\"" &&
	! grep -e pushed -e pusher ../r.log
'

test_expect_success 'ntfy: topic and ?auth= stay out of urls, bodies on disk, listings and the pusher' '
	test "$(request ntfy path)" = /ntfy/ &&
	test -z "$(request ntfy query)" &&
	test "$(request ntfy authorization)" = "Bearer tk_ntfysecret" &&
	cd work &&
	post 3 "Third post" &&
	push dry origin main -o herald.dry-run &&
	grep "POST http://127.0.0.1" ../dry.push &&
	! grep -e blogtopic -e "$NTFY_AUTH" -e tk_ntfysecret -e auth= -e SECRETPATH ../dry.push &&
	cd .. &&
	restart --respond 500 &&
	cd work && post 31 "Third post too" && push third origin main && cd .. &&
	herald -C server.git outbox list >list.out &&
	grep "Third post" list.out &&
	for f in $(ls server.git/herald/outbox); do
		test -d "server.git/herald/outbox/$f" && continue
		! grep -l -e blogtopic -e "$NTFY_AUTH" -e tk_ntfysecret "server.git/herald/outbox/$f" || return 1
	done &&
	for id in $(sed -n "s/^  \([^ ]*\)  ntfy .*/\1/p" list.out); do
		herald -C server.git outbox show "$id" >show.out 2>&1 &&
		grep "\"title\":\"Third post" show.out &&
		! grep -e blogtopic -e "$NTFY_AUTH" -e tk_ntfysecret show.out || return 1
	done &&
	! grep -e blogtopic -e "$NTFY_AUTH" list.out &&
	restart --respond 200 &&
	herald -C server.git deliver --all >/dev/null 2>&1 &&
	test "$(body ntfy topic)" = "\"blogtopic\""
'

test_expect_success 'ntfy: tokenFile is sent as a bearer token' '
	echo tk_fromfile >ntfy-token && chmod 600 ntfy-token &&
	git -C server.git config herald.ntfy.tokenFile "$TRASH/ntfy-token" &&
	git -C server.git config herald.ntfy.url "http://127.0.0.1:$(cat r.port)/ntfy/blogtopic" &&
	cd work && post 4 "Fourth post" && push fourth origin main && cd .. &&
	test "$(request ntfy authorization)" = "Bearer tk_fromfile" &&
	git -C server.git config --unset herald.ntfy.tokenFile
'

test_expect_success 'an admin template that breaks a rule is forced or refused, never sent as is' '
	cat >admin-templates/payload-discord.json <<-\EOT &&
	{"content": "{{headline}}", "allowed_mentions": {"parse": ["everyone", "roles"]}, "tts": true}
	EOT
	echo "{\"no\": \"envelope\"}" >admin-templates/site.json &&
	restart --respond 200 &&
	test_expect_code 1 herald -C server.git targets >targets.out &&
	grep -A3 "^hook " targets.out | grep "unusable: payload: template .site.json. gives a webhook body without .data." &&
	cd work && post 5 "Fifth post" && push fifth origin main && cd .. &&
	test "$(body discord allowed_mentions)" = "{\"parse\": []}" &&
	test "$(body discord tts)" = null &&
	test "$(request hook path)" = "" 2>/dev/null || ! grep "\"/hook/" r.log &&
	grep "template .site.json. gives a webhook body without .data." fifth.push &&
	grep "target .hook.: not announced" server.git/herald/log &&
	rm admin-templates/payload-discord.json &&
	echo "{\"data\": {\"t\": \"{{event.title_text}}\"}}" >admin-templates/site.json
'

test_expect_success 'a template name must be a file in herald.templateDir' '
	git -C server.git config herald.hook.template ../../etc/passwd &&
	test_expect_code 1 herald -C server.git targets >targets.out &&
	grep "must be a file name in herald.templateDir" targets.out &&
	git -C server.git config --unset herald.templateDir &&
	git -C server.git config herald.hook.template site.json &&
	test_expect_code 1 herald -C server.git targets >targets.out &&
	grep "needs herald.templateDir" targets.out &&
	git -C server.git config herald.templateDir "$TRASH/admin-templates"
'

test_expect_success 'a pushed symlink in .herald/templates reads nothing outside (updateInstead server)' '
	echo TOPSECRET-0600 >secret && chmod 600 secret &&
	git init -q live &&
	herald -C live install >/dev/null &&
	git -C live config receive.denyCurrentBranch updateInstead &&
	git -C live config herald.slack.kind slack &&
	git -C live config herald.slack.url "http://127.0.0.1:$(cat r.port)/slack/LIVE" &&
	git clone -q live lwork 2>/dev/null &&
	cd lwork &&
	printf "title: Live\nbase_url: https://blog.example.com\n" >.herald.yml &&
	post 1 "First" && git push -q origin main 2>/dev/null &&
	mkdir -p .herald/templates &&
	ln -s "$TRASH/secret" .herald/templates/payload-slack.json &&
	ln -s "$TRASH/secret" .herald/templates/notes.md &&
	ln -s "$TRASH" .herald/templates/dir &&
	post 2 "Linked" &&
	push link origin main &&
	test -L ../live/.herald/templates/payload-slack.json &&
	! grep TOPSECRET ../link.push ../r.log ../live/.git/herald/log 2>/dev/null &&
	test "$(body slack text)" = "\"New post: Linked\"" &&
	cd ../live &&
	test_expect_code 128 herald notes >../notes.out 2>../notes.err &&
	grep "template .\.herald/templates/notes\.md. is (or is under) a symbolic link" ../notes.err &&
	! grep TOPSECRET ../notes.out ../notes.err &&
	cd .. &&
	git clone -q --bare live live-bare.git 2>/dev/null &&
	test_expect_code 128 herald -C live-bare.git notes >notes.out 2>notes.err &&
	grep "template .\.herald/templates/notes\.md. is a symbolic link" notes.err &&
	! grep TOPSECRET notes.out notes.err
'

test_expect_success 'a pushed template nesting sections eight deep over 40 posts fails fast, naming it' '
	cd work &&
	for i in $(seq 10 49); do
		printf -- "---\ntitle: P%s\ndate: 2020-03-01\n---\nBody.\n" $i >_posts/2020-03-01-n$i.md || return 1
	done &&
	printf "{{#posts}}{{#posts}}{{#posts}}{{#posts}}{{#posts}}{{#posts}}{{#posts}}{{#posts}}{{title}}{{/posts}}{{/posts}}{{/posts}}{{/posts}}{{/posts}}{{/posts}}{{/posts}}{{/posts}}\n" >.herald/templates/digest.md &&
	commit_all "forty posts and a heavy template" &&
	push heavy origin main &&
	grep "announced \"40 posts\" to hook" ../heavy.push &&
	test_expect_code 128 timeout 60 "$HERALD" digest --since 2019-01-01 >../digest.out 2>../digest.err &&
	grep "^herald: error: \.herald/templates/digest\.md:1:[0-9]*: rendering stopped after [0-9]* steps" ../digest.err &&
	test ! -s ../digest.out &&
	git rm -q .herald/templates/digest.md && commit_all "drop it" && push light origin main
'

test_expect_success 'an admin payload template that runs away stops, the others are delivered' '
	printf "{\"data\": \"{{#event.tags}}{{#event.tags}}{{#event.tags}}{{/event.tags}}{{/event.tags}}{{/event.tags}}{{#target}}{{#target}}{{/target}}{{/target}}\"}\n" >admin-templates/site.json &&
	python3 -c "print(\"{\\\"data\\\": \\\"\" + \"{{headline}}\" * 200000 + \"\\\"}\")" >admin-templates/site.json &&
	restart --respond 200 &&
	cd work && post 60 "Sixty" && push sixty origin main && cd .. &&
	grep "rendering stopped: the output is over" sixty.push &&
	test "$(body slack text)" = "\"New post: Sixty\"" &&
	! grep "\"/hook/" r.log &&
	echo "{\"data\": {\"t\": \"{{event.title_text}}\"}}" >admin-templates/site.json
'

test_expect_success 'terminal escapes in a title or an answer never reach the pusher or a terminal raw' '
	restart --respond "hostile:400" &&
	cd work &&
	post 70 "Evil \\e[2J\\e]0;owned\\a title" &&
	grep -F "Evil \\e[2J" _posts/2020-03-01-post-70.md &&
	push evil origin main &&
	grep "\"Evil \\\\x1b\[2J\\\\x1b\]0;owned\\\\x07 title\" could not be delivered to hook" ../evil.push &&
	no_raw_controls ../evil.push &&
	herald scan >../scan.out 2>&1 &&
	grep "Evil \\\\x1b\[2J\\\\x1b\]0;owned\\\\x07 title" ../scan.out &&
	no_raw_controls ../scan.out &&
	herald scan --json >../scan.json &&
	grep -i "u001b\[2J" ../scan.json &&
	herald show _posts/2020-03-01-post-70.md >../show-post.out &&
	grep "^title   Evil \\\\x1b\[2J" ../show-post.out &&
	no_raw_controls ../show-post.out &&
	printf -- "---\ntitle: [unclosed\n---\n" >"_posts/2020-03-01-$(printf "\033")[2Jbad.md" &&
	commit_all "a broken post with an escape in its name" &&
	test_expect_code 1 herald lint >../lint.out 2>&1 &&
	grep "^_posts/2020-03-01-\\\\x1b\[2Jbad.md:[0-9]*:[0-9]*: error" ../lint.out &&
	no_raw_controls ../lint.out &&
	git reset -q --hard HEAD~1 &&
	cd .. &&
	herald -C server.git outbox list >list.out 2>&1 &&
	no_raw_controls list.out && grep "Evil \\\\x1b" list.out &&
	id=$(sed -n "s/^  \([^ ]*\)  hook .*/\1/p" list.out | head -1) &&
	test -n "$id" &&
	herald -C server.git outbox show "$id" >show.out 2>&1 &&
	grep "response    \\\\x1b\[2J\\\\x1b\]0;owned\\\\x07\\\\x1b\[31mred\\\\u009b1m" show.out &&
	grep "title       Evil \\\\x1b\[2J" show.out &&
	no_raw_controls show.out &&
	! LC_ALL=C grep "$(printf "\302\233")" show.out &&
	herald -C server.git outbox retry "$id" &&
	test_expect_code 1 herald -C server.git deliver >deliver.out 2>&1 &&
	no_raw_controls deliver.out && grep "Evil \\\\x1b\[2J" deliver.out &&
	test_expect_code 1 herald -C server.git status >status.out 2>&1 &&
	no_raw_controls status.out &&
	for d in $(sed -n "s/^  \([^ ]*\)  .*/\1/p" list.out); do
		herald -C server.git outbox drop "$d" >/dev/null || return 1
	done &&
	restart --respond 200
'

test_expect_success 'Retry-After: 9223372036854775807 and retry_after: 1e18 wait one day at most' '
	restart --respond "429:9223372036854775807" &&
	cd work && post 80 "Rate limited" && push limited origin main && cd .. &&
	herald -C server.git deliver --all >deliver.out 2>&1 &&
	grep "retry in 24h" deliver.out &&
	! grep -e "retry in -" deliver.out &&
	herald -C server.git outbox list >list.out &&
	now=$(date +%s) &&
	python3 - "$now" list.out <<-\PY &&
	import re, sys, datetime
	now = int(sys.argv[1])
	seen = 0
	for line in open(sys.argv[2]):
	    m = re.search(r"next (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", line)
	    if m:
	        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ")
	        t = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
	        assert now - 5 <= t <= now + 24 * 3600 + 5, line
	        seen += 1
	assert seen, "nothing pending"
	PY
	restart --respond "discord429:1e18" &&
	herald -C server.git deliver --all >deliver.out 2>&1 &&
	grep "discord .* 429  retry in 24h" deliver.out &&
	restart --respond 200 &&
	herald -C server.git deliver --all >/dev/null 2>&1 &&
	herald -C server.git outbox list >list.out &&
	grep "^pending (0)" list.out
'

test_expect_success 'allowHttp decides loopback on the address, not on how a name starts' '
	git init -q loop && cd loop &&
	for n in a b c d e f; do git config herald.$n.kind webhook || return 1; done &&
	git config herald.a.url http://127.attacker.example/x &&
	git config herald.b.url http://127.0.0.1.nip.io/x &&
	git config herald.c.url http://127.0.0.5:9/x &&
	git config herald.d.url "http://[::1]:9/x" &&
	git config herald.e.url http://localhost:9/x &&
	git config herald.f.url http://2130706433:9/x &&
	test_expect_code 1 herald targets >../loop.out &&
	grep -A3 "^a " ../loop.out | grep "plain http to 127.attacker.example is refused" &&
	grep -A3 "^b " ../loop.out | grep "plain http to 127.0.0.1.nip.io is refused" &&
	test $(grep -c unusable ../loop.out) = 2
'

test_expect_success 'herald render --context takes any JSON value, as Mustache does' '
	printf "[{{.}}]\n" >dot.txt &&
	printf "\"a string\"" >s.json && echo 42 >n.json && echo true >b.json &&
	test "$(herald render --context s.json --template dot.txt)" = "[a string]" &&
	test "$(herald render --context n.json --template dot.txt)" = "[42]" &&
	test "$(herald render --context b.json --template dot.txt)" = "[true]" &&
	test "$(echo null | herald render --context - --template dot.txt)" = "[]"
'

test_done
