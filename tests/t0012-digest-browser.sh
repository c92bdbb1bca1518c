#!/bin/sh
# The HTML digest in a real browser: headless Chromium loads it from a
# local web server, every post title is in the rendered DOM, nothing is
# logged to the console, no resource is missing, and screenshots (wide and
# narrow) are kept in tests/out/ for review. A post with a hostile title
# stays text.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
	test_skip 'digest in headless Chromium' 'chromium is not installed (make deps)'
	test_done
fi

SHOTS="$SRC_DIR/tests/out"
WWW="$TRASH/www"

# chrome ARGS... URL: headless Chromium, its log on $TRASH/chrome.err
# (appended to $TRASH/chrome.log); at most 20 s.
chrome() {
	timeout 20 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$TRASH/chrome" --enable-logging=stderr --v=0 \
		"$@" 2>"$TRASH/chrome.err"
	rc=$?
	cat "$TRASH/chrome.err" >>"$TRASH/chrome.log"
	return $rc
}

# console_errors: the console lines and page errors Chromium logged in the
# last run (none expected: the digest has no script).
console_errors() {
	grep -E 'CONSOLE|Uncaught|Failed to load resource' "$TRASH/chrome.err"
}

# is_png FILE: the file starts with the PNG signature.
is_png() {
	test -s "$1" &&
	test "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
}

# A web server on 127.0.0.1, port 0, logging requests to $TRASH/http.log.
# It is stopped by its process id at the end.
mkdir -p "$WWW"
python3 -u - "$WWW" >"$TRASH/http.port" 2>"$TRASH/http.log" <<-\EOT &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print(srv.server_address[1])
srv.serve_forever()
EOT
HTTP_PID=$!
i=0
while [ ! -s "$TRASH/http.port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(cat "$TRASH/http.port")
URL="http://127.0.0.1:$PORT"

test_expect_success 'setup: the digest page and the web server' '
	test -n "$PORT" &&
	make_blog blog &&
	herald digest --since v1 --format html --now "$NOW" -o "$WWW/digest.html" &&
	python3 -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())" \
		"$URL/digest.html" >"$TRASH/fetched.html" &&
	test_cmp "$WWW/digest.html" "$TRASH/fetched.html"
'

test_expect_success 'the console check sees errors (control page)' '
	printf "<!doctype html><title>c</title><script>nosuch();</script>\n" >"$WWW/control.html" &&
	chrome --dump-dom "$URL/control.html" >"$TRASH/control.dom" &&
	console_errors
'

test_expect_success 'every post title is in the rendered DOM' '
	chrome --dump-dom "$URL/digest.html" >"$TRASH/digest.dom" &&
	for t in "Markup in summaries" "Hello, World" "Our release checklist" \
		"Out of the drafts" "An old post"
	do
		grep -F ">$t</a>" "$TRASH/digest.dom" || return 1
	done &&
	grep -F "<em>emphasis</em>" "$TRASH/digest.dom" &&
	test $(grep -c "<article>" "$TRASH/digest.dom") = 4
'

test_expect_success 'no console error or page error (while rendering the digest)' '
	! console_errors
'

test_expect_success 'no request for a missing resource' '
	! grep -E "\" [45][0-9][0-9] " "$TRASH/http.log" | grep -v "favicon.ico"
'

test_expect_success 'wide screenshot (1200x2000) is a PNG' '
	rm -f "$SHOTS/digest.png" &&
	chrome --screenshot="$SHOTS/digest.png" --window-size=1200,2000 "$URL/digest.html" &&
	is_png "$SHOTS/digest.png" &&
	! console_errors
'

test_expect_success 'narrow screenshot (400x2000) is a PNG' '
	rm -f "$SHOTS/digest-narrow.png" &&
	chrome --screenshot="$SHOTS/digest-narrow.png" --window-size=400,2000 "$URL/digest.html" &&
	is_png "$SHOTS/digest-narrow.png" &&
	! console_errors
'

test_expect_success 'a hostile title stays text in the browser' '
	cd blog &&
	fm _posts/2020-03-31-evil.md <<-\EOT &&
	title: "<script>document.title=\"pwned\"</script><img src=x onerror=alert(1)> & more"
	date: 2020-03-31
	EOT
	commit_all "A hostile title" &&
	herald digest --since v1 --format html --now "$NOW" -o "$WWW/evil.html" &&
	chrome --dump-dom "$URL/evil.html" >"$TRASH/evil.dom" &&
	! console_errors &&
	grep -F "&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more" "$TRASH/evil.dom" &&
	! grep -F "pwned</title>" "$TRASH/evil.dom" &&
	! grep -E "<img src=\"?x" "$TRASH/evil.dom"
'

kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null
test_done
