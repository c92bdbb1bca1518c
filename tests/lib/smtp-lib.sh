# Starting and stopping tests/lib/smtp.py (a real SMTP server, aiosmtpd)
# from a test script, sourced after test-lib.sh.

SMTPD="$TEST_DIR/lib/smtp.py"

# have_aiosmtpd: Debian's python3-aiosmtpd, in the system's python3
have_aiosmtpd() {
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null
}

# make_cert: a throwaway self-signed certificate for 127.0.0.1 and
# localhost in cert.pem (key.pem), which herald trusts through caFile
make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
		-days 2 -subj /CN=127.0.0.1 \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
}

# start_smtp NAME ARGS...: a server in the background, its port in
# NAME.port and $smtp_port, its messages in NAME.d/, pid in NAME.pid
start_smtp() {
	name=$1
	shift
	rm -rf "$name.port" "$name.d"
	/usr/bin/python3 "$SMTPD" --port-file "$name.port" --dir "$name.d" \
		--max-seconds 120 "$@" >"$name.err" 2>&1 &
	echo $! >"$name.pid"
	i=0
	while [ ! -s "$name.port" ]; do
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$name.pid")" 2>/dev/null; then
			echo "smtp server $name did not start" >&2
			cat "$name.err" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	smtp_port=$(cat "$name.port")
}

stop_smtp() {
	if [ -f "$1.pid" ]; then
		kill "$(cat "$1.pid")" 2>/dev/null
		wait "$(cat "$1.pid")" 2>/dev/null
		rm -f "$1.pid"
	fi
	return 0
}

# mails DIR: how many messages the server accepted
mails() {
	ls "$1" 2>/dev/null | grep -c '\.eml$'
}
