#!/bin/sh
# herald.background = true: the hook hands delivery to a detached
# `herald deliver` and returns at once; the announcement still arrives.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

trap 'stop_receiver r' EXIT

test_expect_success 'setup: a server with hooks calling herald' '
	start_receiver r --respond 200 &&
	git init -q --bare server.git &&
	printf "#!/bin/sh\nexec \"%s\" hook post-receive\n" "$HERALD" >server.git/hooks/post-receive &&
	chmod +x server.git/hooks/post-receive &&
	git -C server.git config herald.site.kind webhook &&
	git -C server.git config herald.site.url "$url/hook" &&
	git -C server.git config herald.background true &&
	git clone -q server.git blog 2>/dev/null && cd blog &&
	mkdir _posts &&
	printf -- "---\ntitle: One\n---\nOne.\n" >_posts/2020-01-01-one.md &&
	commit_all one && git push -q origin main
'

test_expect_success 'a push returns and the detached deliver sends the post' '
	cd blog &&
	printf -- "---\ntitle: Two\n---\nTwo.\n" >_posts/2020-01-02-two.md &&
	commit_all two &&
	git push origin main 2>../push.err &&
	grep "delivering in the background" ../push.err &&
	wait_lines ../r.log 1 &&
	grep "\\\\\"Two\\\\\"" ../r.log &&
	i=0 && while [ -n "$(ls ../server.git/herald/outbox)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done &&
	test -z "$(ls ../server.git/herald/outbox)"
'

test_done
