# Starting and stopping tests/lib/receiver.py from a test script (sourced
# after test-lib.sh).

RECEIVER="$TEST_DIR/lib/receiver.py"

# start_receiver NAME ARGS...: runs a receiver in the background with its
# port in NAME.port, requests in NAME.log and pid in NAME.pid; sets $url.
start_receiver() {
	name=$1
	shift
	rm -f "$name.port" "$name.log"
	python3 "$RECEIVER" --port-file "$name.port" --log "$name.log" \
		--max-seconds 60 "$@" >"$name.err" 2>&1 &
	echo $! >"$name.pid"
	i=0
	while [ ! -s "$name.port" ]; do
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$name.pid")" 2>/dev/null; then
			echo "receiver $name did not start" >&2
			cat "$name.err" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	url="http://127.0.0.1:$(cat "$name.port")"
}

# stop_receiver NAME: for trap EXIT in every test that starts one.
stop_receiver() {
	if [ -f "$1.pid" ]; then
		kill "$(cat "$1.pid")" 2>/dev/null
		wait "$(cat "$1.pid")" 2>/dev/null
		rm -f "$1.pid"
	fi
	return 0
}

# wait_lines LOG N: waits up to 5 s for the receiver to log N requests.
wait_lines() {
	i=0
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
		if [ $i -ge 50 ]; then
			echo "$1 has fewer than $2 requests" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

