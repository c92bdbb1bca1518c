# Starting and stopping tests/lib/pds.py (a local AT Protocol PDS) from a
# test script, sourced after test-lib.sh and receiver-lib.sh (stop_receiver
# stops it too).

PDS="$TEST_DIR/lib/pds.py"
PDS_HANDLE=alice.test
PDS_PASSWORD=app-pass-w0rd-SECRET7
PDS_DID=did:plc:herald7test7account7x

# start_pds NAME ARGS...: a PDS in the background (port in NAME.port,
# requests in NAME.log, records in NAME.records, uploaded blobs in
# NAME.records.blobs/CID, pid in NAME.pid) with any
# --plan ARGS; sets $url
start_pds() {
	name=$1
	shift
	rm -rf "$name.port" "$name.log" "$name.records" "$name.records.blobs"
	python3 "$PDS" --port-file "$name.port" --log "$name.log" --records "$name.records" \
		--handle "$PDS_HANDLE" --password "$PDS_PASSWORD" --max-seconds 120 "$@" \
		>"$name.err" 2>&1 &
	echo $! >"$name.pid"
	i=0
	while [ ! -s "$name.port" ]; do
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$name.pid")" 2>/dev/null; then
			echo "pds $name did not start" >&2
			cat "$name.err" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	url="http://127.0.0.1:$(cat "$name.port")"
}

# calls LOG: "METHOD NSID STATUS" of each request the PDS got, in order
calls() {
	python3 - "$1" <<-\PY
	import json, os, sys
	if os.path.exists(sys.argv[1]):
	    for line in open(sys.argv[1], encoding="utf-8"):
	        r = json.loads(line)
	        print(r["method"], r["path"].rsplit("/", 1)[-1], r["response"])
	PY
}
