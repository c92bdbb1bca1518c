#!/bin/sh
# herald's post-receive hook behind `git daemon` (git:// on 127.0.0.1), and
# the push options herald.skip and herald.dry-run, over git:// and file://.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

SERVER="$TRASH/server.git"

stop_daemon() {
	if [ -f "$TRASH/daemon.pid" ]; then
		kill "$(cat "$TRASH/daemon.pid")" 2>/dev/null
		rm -f "$TRASH/daemon.pid"
	fi
	if [ -f "$TRASH/daemon-git.pid" ]; then
		kill "$(cat "$TRASH/daemon-git.pid")" 2>/dev/null
		rm -f "$TRASH/daemon-git.pid"
	fi
	return 0
}
trap 'stop_daemon; cd "$TRASH" && for p in r.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N TITLE: a new published post (dated 2020) in the clone, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nThe body of post %s.\n" \
		"$2" "$1" >"_posts/2020-03-01-post-$1.md" &&
	commit_all "post $1"
}

# titles: the title of each post.* webhook request, in order
titles() {
	python3 - "$TRASH/r.log" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1]):
	        b = json.loads(json.loads(line)["body"])
	        print(b["type"], b["data"]["title"])
	PY
}

requests() {
	if [ -f "$TRASH/r.log" ]; then wc -l <"$TRASH/r.log" | tr -d " "; else echo 0; fi
}

baseline() {
	git -C "$SERVER" rev-parse -q --verify refs/herald/heads/main
}

test_expect_success 'setup: a server behind git daemon, a receiver, a clone' '
	start_receiver r --respond 200 &&
	git init -q --bare server.git &&
	install_hooks server.git &&
	git -C server.git config receive.advertisePushOptions true &&
	git -C server.git config herald.hook.kind webhook &&
	git -C server.git config herald.hook.url "$url/hooks/SECRETPATH" &&
	# deliveries asserted after a push must not depend on how fast the machine is
	git -C server.git config herald.hookBudget 30 &&
	port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	echo "$port" >daemon.port &&
	{ git daemon --reuseaddr --base-path="$TRASH" --export-all --enable=receive-pack \
		--listen=127.0.0.1 --port="$port" --pid-file="$TRASH/daemon.pid" \
		>daemon.err 2>&1 & } &&
	echo $! >daemon-git.pid &&
	i=0 &&
	until python3 -c "import socket,sys; socket.create_connection((\"127.0.0.1\", int(sys.argv[1])), 1)" "$port" 2>/dev/null; do
		i=$((i + 1)) &&
		if [ $i -ge 100 ]; then cat daemon.err; exit 1; fi &&
		sleep 0.1
	done &&
	git clone -q "git://127.0.0.1:$port/server.git" work 2>/dev/null &&
	cd work &&
	post 1 "Before the baseline" &&
	push first origin main &&
	grep "watching refs/heads/main" ../first.push &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	test "$(requests)" = 0
'

test_expect_success 'a push over git:// announces a new post' '
	cd work &&
	post 2 "Over git daemon" &&
	push new origin main &&
	grep "herald: announced \"Over git daemon\" to hook" ../new.push &&
	test "$(titles)" = "post.new Over git daemon" &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'git push -o herald.skip announces nothing and moves the baseline' '
	cd work &&
	post 3 "Skipped" &&
	push skip -o herald.skip origin main &&
	grep "skipped by push option" ../skip.push &&
	test "$(requests)" = 1 &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	post 4 "After the skip" &&
	push afterskip origin main &&
	test "$(requests)" = 2 &&
	test "$(titles | tail -1)" = "post.new After the skip" &&
	! titles | grep Skipped
'

test_expect_success 'git push -o herald.dry-run sends nothing, shows the request, leaves the baseline' '
	cd work &&
	before=$(baseline) &&
	post 5 "Dry run first" &&
	push dry -o herald.dry-run origin main &&
	grep "POST http://127.0.0.1 " ../dry.push &&
	grep "Dry run first" ../dry.push &&
	! grep SECRETPATH ../dry.push &&
	test "$(requests)" = 2 &&
	test "$(baseline)" = "$before" &&
	herald -C ../server.git outbox list >../list.out &&
	grep "pending (0)" ../list.out &&
	post 6 "Then for real" &&
	push real origin main &&
	test "$(requests)" = 4 &&
	titles | tail -2 | sort >../actual &&
	printf "post.new Dry run first\npost.new Then for real\n" >../expect &&
	test_cmp ../expect ../actual &&
	test "$(baseline)" = "$(git rev-parse HEAD)"
'

test_expect_success 'push options work over file:// as well' '
	git clone -q server.git work-file &&
	cd work-file &&
	post 7 "Skipped locally" &&
	push fskip -o herald.skip origin main &&
	grep "skipped by push option" ../fskip.push &&
	test "$(baseline)" = "$(git rev-parse HEAD)" &&
	post 8 "Dry locally" &&
	push fdry -o herald.dry-run origin main &&
	grep "POST http://127.0.0.1 " ../fdry.push &&
	test "$(requests)" = 4 &&
	test "$(baseline)" = "$(git rev-parse HEAD~1)" &&
	post 9 "For real locally" &&
	push freal origin main &&
	test "$(requests)" = 6 &&
	titles | tail -2 | sort >../actual &&
	printf "post.new Dry locally\npost.new For real locally\n" >../expect &&
	test_cmp ../expect ../actual &&
	! titles | grep "Skipped locally"
'

test_expect_success 'no url path reaches the pusher' '
	! grep SECRETPATH *.push
'

test_done
