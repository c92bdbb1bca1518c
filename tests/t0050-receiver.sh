#!/bin/sh
# The local webhook receiver that the delivery tests rely on: each response
# mode, its log, and that it never outlives a test.

. "$(dirname "$0")/lib/test-lib.sh"

. "$TEST_DIR/lib/receiver-lib.sh"

# wait_exit PID SECONDS: waits for a background process to end by itself.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		if [ $i -ge $(($2 * 10)) ]; then
			echo "process $1 still running after $2 s" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# status URL [curl args...]: prints the HTTP status of a POST to URL.
status() {
	u=$1
	shift
	curl -s -o /dev/null -w "%{http_code}" --max-time 10 "$@" "$u"
}

# line N LOG: the Nth request of a log.
line() {
	sed -n "$1p" "$2"
}

test_expect_success '200 records the body, headers, query and method' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond 200 &&
	curl -s -o out -D head -w "%{http_code}\n" --max-time 10 \
		-H "Content-Type: application/json" -H "X-Herald-Test: yes" \
		--data-binary "{\"type\": \"post.new\"}" "$url/hook?x=1&y=2" >code &&
	echo 200 >expect &&
	test_cmp expect code &&
	test "$(line 1 r.log | json_get .method)" = POST &&
	test "$(line 1 r.log | json_get .path)" = /hook &&
	test "$(line 1 r.log | json_get .query)" = "x=1&y=2" &&
	test "$(line 1 r.log | json_get .body)" = "{\"type\": \"post.new\"}" &&
	test "$(line 1 r.log | json_get .headers.x-herald-test)" = yes &&
	test "$(line 1 r.log | json_get .headers.content-type)" = application/json &&
	test "$(line 1 r.log | json_get .response)" = 200 &&
	test "$(line 1 r.log | json_get .seq)" = 1 &&
	line 1 r.log | json_get .time | grep -E "^[0-9]+\.[0-9]+$" &&
	curl -s -o /dev/null --max-time 10 -X PUT --data-binary "matrix" "$url/_matrix/send/1" &&
	test "$(line 2 r.log | json_get .method)" = PUT &&
	test "$(line 2 r.log | json_get .body)" = matrix
'

test_expect_success 'a body behind Expect: 100-continue is recorded whole' '
	trap "stop_receiver r" EXIT &&
	start_receiver r &&
	python3 -c "print(\"x\" * 3000, end=\"\")" >big &&
	test "$(status "$url/" -H "Expect: 100-continue" --data-binary @big)" = 200 &&
	line 1 r.log | json_get .body >got &&
	echo >>big &&
	test_cmp big got
'

test_expect_success '204, 404, 410 and 500 answer with that status' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond 204,404,410,500 &&
	for want in 204 404 410 500 500; do
		test "$(status "$url/" -d x)" = $want || exit 1
	done
'

test_expect_success '429 carries Retry-After' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond 429:7 &&
	curl -s -o /dev/null -D head --max-time 10 -d x "$url/" &&
	grep "^HTTP/1.1 429" head &&
	grep -i "^Retry-After: 7" head
'

test_expect_success 'discord429 answers with a JSON retry_after' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond discord429:1.5 &&
	curl -s -o body -D head --max-time 10 -d x "$url/" &&
	grep "^HTTP/1.1 429" head &&
	grep -i "^Content-Type: application/json" head &&
	test "$(json_get .retry_after <body)" = 1.5 &&
	test "$(json_get .global <body)" = false
'

test_expect_success '301 sends a Location and is not followed by itself' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond 301,200 &&
	curl -s -o /dev/null -D head --max-time 10 -d x "$url/" &&
	grep "^HTTP/1.1 301" head &&
	grep -i "^Location: $url/redirected" head &&
	test $(wc -l <r.log) = 1
'

test_expect_success 'close drops the connection without an answer' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond close,200 &&
	test_expect_code 52 curl -s -o /dev/null --max-time 10 -d x "$url/" &&
	test "$(status "$url/" -d x)" = 200 &&
	test "$(line 1 r.log | json_get .response)" = close
'

test_expect_success 'hang times the client out while a parallel request is answered' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond hang,200 || exit 1
	curl -s -o /dev/null --max-time 2 -d slow "$url/slow" &
	slow=$!
	wait_lines r.log 1 &&
	test "$(status "$url/fast" -d fast --max-time 1)" = 200 &&
	kill -0 $slow &&
	test_expect_code 28 wait $slow &&
	test "$(line 1 r.log | json_get .path)" = /slow &&
	test "$(line 2 r.log | json_get .path)" = /fast
'

test_expect_success 'the script 500,200 answers 500 then 200 and repeats the last' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond 500,200 &&
	test "$(status "$url/" -d 1)" = 500 &&
	test "$(status "$url/" -d 2)" = 200 &&
	test "$(status "$url/" -d 3)" = 200
'

test_expect_success 'the control file switches codes at run time' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond 200 --control ctl &&
	test "$(status "$url/" -d 1)" = 200 &&
	echo 404 >ctl &&
	test "$(status "$url/" -d 2)" = 404 &&
	test "$(status "$url/" -d 3)" = 404 &&
	echo 500,204 >ctl &&
	test "$(status "$url/" -d 4)" = 500 &&
	test "$(status "$url/" -d 5)" = 204 &&
	test "$(status "$url/" -d 6)" = 204
'

test_expect_success 'a bad script is refused' '
	test_expect_code 2 python3 "$RECEIVER" --respond 200,teapot 2>err &&
	grep "bad --respond" err
'

test_expect_success 'it exits by itself after --max-seconds' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --max-seconds 1 &&
	wait_exit "$(cat r.pid)" 5 &&
	wait "$(cat r.pid)" &&
	grep "max-seconds" r.err
'

test_expect_success 'SIGTERM stops it cleanly even with a request hanging' '
	trap "stop_receiver r" EXIT &&
	start_receiver r --respond hang || exit 1
	curl -s -o /dev/null --max-time 10 -d x "$url/" &
	client=$!
	wait_lines r.log 1 &&
	kill -TERM "$(cat r.pid)" &&
	wait_exit "$(cat r.pid)" 3 &&
	wait "$(cat r.pid)" &&
	wait_exit $client 3
'

test_expect_success 'dump pretty-prints the log' '
	trap "stop_receiver r" EXIT &&
	start_receiver r &&
	test "$(status "$url/hook?a=b" -H "Content-Type: application/json" --data-binary "{\"b\":1,\"a\":2}")" = 200 &&
	python3 "$RECEIVER" dump r.log >dump &&
	grep "^#1 [0-9:]* POST /hook?a=b -> 200$" dump &&
	grep "^  content-type: application/json$" dump &&
	grep "^    \"a\": 2,$" dump
'

test_done
