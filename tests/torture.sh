#!/bin/sh
# make torture: herald's delivery under abuse, for a few minutes (not part
# of `make test`). On a bare server with the hooks installed and a local
# receiver that answers 200 after a random pause of up to 80 ms:
#
#   1. a kill -9 storm: pushes leave deliveries queued (a tiny hook
#      budget), and `herald deliver` is killed with SIGKILL at random
#      moments until the outbox is empty;
#   2. concurrent pushes: four clones push to four watched branches at
#      once, while `deliver` and `tick` run beside them and are killed
#      now and then;
#   3. a fault-injection loop: every durable write of a push failing in
#      turn (HERALD_FAULT=write:N), each followed by `tick` and `deliver`.
#
# Then everything is delivered and each post's requests are counted:
# lost (never arrived), duplicated-post (arrived under two ids or more)
# and repeated-id (the same webhook-id arrived again: at-least-once at the
# very end, see the README). Exits 1 when a post was lost or duplicated.
#
#   sh tests/torture.sh /path/to/herald [SECONDS]   (default 180)
set -u
HERALD=${1:?usage: torture.sh HERALD [SECONDS]}
SECONDS_TOTAL=${2:-${TORTURE_SECONDS:-180}}
case $HERALD in /*) ;; *) HERALD="$(pwd)/$HERALD" ;; esac
export HERALD
T=$(mktemp -d "${TMPDIR:-/tmp}/herald-torture.XXXXXX")
cd "$T" || exit 1
export HOME="$T" TZ=UTC LANG=C LC_ALL=C
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$T/.gitconfig"
export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com
export GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.com
git config --global init.defaultBranch main
PHASE=$((SECONDS_TOTAL / 3))

cat >receiver.py <<-\PY
import http.server, json, random, sys, threading, time
log = open(sys.argv[1], "a")
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            b = json.loads(body)
            title = (b.get("data") or {}).get("title")
        except Exception:
            title = None
        with lock:
            log.write("%s\t%s\n" % (self.headers.get("webhook-id"), title))
            log.flush()
        time.sleep(random.random() * 0.08)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 receiver.py "$T/requests" "$T/port" &
RECEIVER=$!
trap 'kill $RECEIVER 2>/dev/null; rm -rf "$T"' EXIT
while [ ! -s port ]; do sleep 0.1; done

git init -q --bare server.git
cat >server.git/hooks/post-receive <<-EOF
#!/bin/sh
if [ -s "$T/fault" ]; then HERALD_FAULT=\$(cat "$T/fault"); export HERALD_FAULT; fi
exec "\$HERALD" hook post-receive
EOF
chmod +x server.git/hooks/post-receive
git -C server.git config herald.hook.kind webhook
git -C server.git config herald.hook.url "http://127.0.0.1:$(cat port)/hook"
git -C server.git config herald.hook.timeout 2
git -C server.git config herald.maxAnnounce 0
for b in main b1 b2 b3 b4; do git -C server.git config --add herald.branch "$b"; done
: >expected
n=0

# new_post CLONE TITLE: commits one new post in CLONE and records its title
new_post() {
	n=$((n + 1))
	mkdir -p "$1/_posts" &&
	printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nBody.\n" "$2" >"$1/_posts/2020-03-01-$2.md" &&
	git -C "$1" add -A && git -C "$1" commit -q -m "$2" &&
	echo "$2" >>expected
}

git clone -q server.git main 2>/dev/null
new_post main seed && git -C main push -q origin main 2>/dev/null
for b in b1 b2 b3 b4; do
	git clone -q server.git "$b" 2>/dev/null
	git -C "$b" checkout -q -b "$b"
	git -C "$b" push -q origin "$b" 2>/dev/null
done
end_of() { echo $(($(date +%s) + $1)); }

echo "torture: kill -9 storm for ${PHASE}s"
kills=0
git -C server.git config herald.hookBudget 0.05
until=$(end_of "$PHASE")
i=0
while [ "$(date +%s)" -lt "$until" ]; do
	i=$((i + 1))
	for k in 1 2 3; do new_post main "storm-$i-$k"; done
	git -C main push -q origin main >/dev/null 2>&1
	while ls server.git/herald/outbox/*.json >/dev/null 2>&1 && [ "$(date +%s)" -lt "$until" ]; do
		"$HERALD" -C server.git deliver --all --max-time 30 >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))"
		kill -9 $pid 2>/dev/null && kills=$((kills + 1))
		wait $pid 2>/dev/null
	done
done
echo "torture: $kills deliver runs killed"

echo "torture: concurrent pushes for ${PHASE}s"
git -C server.git config herald.hookBudget 1
until=$(end_of "$PHASE")
for b in b1 b2 b3 b4; do
	(
		j=0
		while [ "$(date +%s)" -lt "$until" ]; do
			j=$((j + 1))
			mkdir -p "$b/_posts"
			printf -- "---\ntitle: %s\ndate: 2020-03-01\n---\nBody.\n" "con-$b-$j" >"$b/_posts/2020-03-01-con-$b-$j.md"
			git -C "$b" add -A && git -C "$b" commit -q -m "$j" &&
			echo "con-$b-$j" >>"expected.$b"
			git -C "$b" push -q origin "$b" >/dev/null 2>&1
		done
	) &
done
while [ "$(date +%s)" -lt "$until" ]; do
	"$HERALD" -C server.git deliver --max-time 10 >/dev/null 2>&1 &
	pid=$!
	"$HERALD" -C server.git tick >/dev/null 2>&1
	sleep 0.2
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
done
wait_for_pushers() {
	for job in $(jobs -p); do [ "$job" = "$RECEIVER" ] || wait "$job"; done
}
wait_for_pushers
cat expected.b* >>expected 2>/dev/null

echo "torture: fault injection for ${PHASE}s"
until=$(end_of "$PHASE")
k=0
while [ "$(date +%s)" -lt "$until" ]; do
	k=$((k + 1))
	new_post main "fault-$k"
	echo "write:$(( (k - 1) % 9 + 1 ))" >fault
	git -C main push -q origin main >/dev/null 2>&1
	: >fault
	"$HERALD" -C server.git tick >/dev/null 2>&1
	"$HERALD" -C server.git deliver --all >/dev/null 2>&1
done

echo "torture: draining"
git -C server.git config --unset herald.hookBudget
for r in 1 2 3 4 5 6 7 8 9 10; do
	"$HERALD" -C server.git tick >/dev/null 2>&1
	"$HERALD" -C server.git deliver --all >/dev/null 2>&1
	ls server.git/herald/outbox/*.json >/dev/null 2>&1 || break
	sleep 1
done
sleep 0.5

python3 - "$T/expected" "$T/requests" <<-\PY
import collections, sys
expected = [l.strip() for l in open(sys.argv[1]) if l.strip() and l.strip() != "seed"]
ids = collections.defaultdict(set)
count = collections.Counter()
for line in open(sys.argv[2]):
    i, title = line.rstrip("\n").split("\t", 1)
    ids[title].add(i)
    count[i] += 1
lost = [t for t in expected if not ids.get(t)]
dup = [t for t in expected if len(ids.get(t, ())) > 1]
rep = sum(c - 1 for c in count.values())
print("torture: posts %d, requests %d" % (len(expected), sum(count.values())))
print("torture: lost %d, duplicated-post %d, repeated-id %d" % (len(lost), len(dup), rep))
for t in lost[:10]:
    print("  lost:", t)
for t in dup[:10]:
    print("  duplicated:", t, sorted(ids[t]))
sys.exit(1 if lost or dup else 0)
PY
