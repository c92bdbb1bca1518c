#!/bin/sh
# herald status: what each target's deliveries did, the outbox's depth and
# age, dead letters, baseline refs, --json, --prometheus and the exit codes
# monitoring relies on; against a real receiver on 127.0.0.1.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
umask 022
trap 'for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N: a new post in the blog, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: Post number %s\ndate: 2020-03-%02d\n---\nThe body of post %s.\n" \
		"$1" "$1" "$1" >"_posts/2020-03-$(printf %02d "$1")-post-$1.md" &&
	commit_all "post $1"
}

# restart ARGS...: a fresh receiver answering as ARGS say, the target
# pointed at it; ends in blog/
restart() {
	cd "$TRASH" && stop_receiver r && start_receiver r "$@" &&
	cd "$TRASH/blog" && git config herald.hook.url "$url/hooks/SECRETPATH"
}

# status_json QUERY: one value of `herald status --json` (exit code ignored)
status_json() {
	{ herald status --json || true; } | json_get "$1"
}

# check_prom FILE: a valid node_exporter textfile: every sample is
# `name{labels} value` with a HELP and a TYPE before it, label values escaped
check_prom() {
	python3 - "$1" <<-\PY
	import re, sys
	name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
	label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
	sample = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$" % (name, label, label))
	helped, typed = set(), {}
	text = open(sys.argv[1], encoding="utf-8").read()
	assert text.endswith("\n"), "no final newline"
	for n, line in enumerate(text.splitlines(), 1):
	    if line.startswith("# HELP "):
	        m = line.split(" ", 3)
	        assert len(m) == 4 and re.fullmatch(name, m[2]), (n, line)
	        helped.add(m[2])
	    elif line.startswith("# TYPE "):
	        m = line.split(" ")
	        assert len(m) == 4 and m[3] in ("gauge", "counter"), (n, line)
	        assert m[2] not in typed, ("TYPE twice", n, line)
	        typed[m[2]] = m[3]
	    else:
	        m = sample.match(line)
	        assert m, ("bad sample line", n, line)
	        assert m.group(1) in helped and m.group(1) in typed, ("no HELP/TYPE", n, line)
	        if typed[m.group(1)] == "counter":
	            assert m.group(1).endswith("_total"), (n, line)
	assert typed, "no metrics"
	PY
}

# prom FILE SAMPLE: the value of one sample line (name and labels as written)
prom() {
	# through the environment: awk -v would undo the label escapes
	PROM_SAMPLE="$2" awk '
		BEGIN { s = ENVIRON["PROM_SAMPLE"] }
		index($0, s " ") == 1 { print substr($0, length(s) + 2) }' "$1"
}

test_expect_success 'a fresh repository: exit 0, zero counts, JSON parses' '
	git init -q fresh && cd fresh &&
	herald status >../fresh.out 2>../fresh.err &&
	grep "^  pending  *0$" ../fresh.out &&
	grep "^  dead  *0$" ../fresh.out &&
	grep "no targets" ../fresh.out &&
	herald status --json >../fresh.json &&
	json_pp <../fresh.json >../fresh.pp &&
	test_cmp ../fresh.pp ../fresh.json &&
	test "$(json_get .outbox.pending <../fresh.json)" = 0 &&
	test "$(json_get .outbox.dead <../fresh.json)" = 0 &&
	test "$(json_get .outbox.oldest_pending <../fresh.json)" = null &&
	test "$(json_get .ok <../fresh.json)" = true &&
	test "$(json_get .alert_after_seconds <../fresh.json)" = 3600 &&
	test "$(json_get .targets <../fresh.json)" = "{}" &&
	test "$(json_get .baselines <../fresh.json)" = "{}" &&
	test ! -e .git/herald &&
	test ! -s ../fresh.err
'

test_expect_success 'usage: -h, arguments, unknown options' '
	cd fresh &&
	herald status -h >../help.out &&
	grep "^usage: herald status" ../help.out &&
	grep "herald.alertAfter" ../help.out &&
	test_expect_code 129 herald status extra 2>../err &&
	grep "takes no arguments" ../err &&
	test_expect_code 129 herald status --bogus 2>/dev/null &&
	herald status -h | grep "^usage: herald status"
'

test_expect_success 'setup: a blog with a signed webhook target, delivered once' '
	start_receiver r --respond 200 &&
	git init -q blog && cd blog &&
	post 1 &&
	git config herald.hook.kind webhook &&
	git config herald.hook.url "$url/hooks/SECRETPATH" &&
	git config herald.hook.secret "$SECRET" &&
	herald status --json >../before.json &&
	test "$(json_get .targets.hook.last_success <../before.json)" = null &&
	test "$(json_get .targets.hook.successes <../before.json)" = 0 &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	test -f .git/herald/status.json
'

test_expect_success 'after a delivery: last success set, one success' '
	cd blog &&
	herald status --json >../ok.json &&
	test "$(json_get .targets.hook.successes <../ok.json)" = 1 &&
	test "$(json_get .targets.hook.failures <../ok.json)" = 0 &&
	test "$(json_get .targets.hook.last_failure <../ok.json)" = null &&
	test "$(json_get .targets.hook.kind <../ok.json)" = webhook &&
	test "$(json_get .targets.hook.url <../ok.json)" = http://127.0.0.1 &&
	last=$(json_get .targets.hook.last_success <../ok.json) &&
	python3 -c "
import datetime, sys, time
t = datetime.datetime.strptime(sys.argv[1], \"%Y-%m-%dT%H:%M:%SZ\").replace(tzinfo=datetime.timezone.utc)
assert abs(t.timestamp() - time.time()) < 60, t
" "$last" &&
	herald status >../ok.out &&
	grep "^target hook: webhook, http://127.0.0.1$" ../ok.out &&
	grep "^  last success   $last ([0-9]* s ago)$" ../ok.out &&
	grep "^  last failure   never$" ../ok.out &&
	grep "^  deliveries     1 succeeded, 0 failed$" ../ok.out
'

test_expect_success 'a 500: one pending, last failure with status 500, still exit 0' '
	cd blog &&
	restart --respond 500 &&
	post 2 &&
	herald announce --now $NOW >../out 2>../err &&
	grep " 500 *retry in" ../out &&
	herald status --json >../500.json &&
	test "$(json_get .outbox.pending <../500.json)" = 1 &&
	test "$(json_get .outbox.dead <../500.json)" = 0 &&
	test "$(json_get .ok <../500.json)" = true &&
	test "$(json_get .targets.hook.last_status <../500.json)" = 500 &&
	test "$(json_get .targets.hook.failures <../500.json)" = 1 &&
	test "$(json_get .targets.hook.successes <../500.json)" = 1 &&
	test "$(json_get .targets.hook.last_failure <../500.json)" != null &&
	test "$(json_get .targets.hook.last_error <../500.json)" = "HTTP 500 from http://127.0.0.1" &&
	test "$(json_get .outbox.oldest_pending <../500.json)" != null &&
	herald status >../500.out 2>../500.err &&
	grep "^  last failure   .* ago), status 500$" ../500.out &&
	grep "^  last error     HTTP 500 from http://127.0.0.1$" ../500.out &&
	grep "^  pending        1, the oldest waiting [0-9]* s (since 20" ../500.out &&
	test ! -s ../500.err
'

test_expect_success 'a pending delivery older than herald.alertAfter: exit 1' '
	cd blog &&
	id=$(ls .git/herald/outbox | sed -n "s/\.json$//p") &&
	test -n "$id" &&
	python3 - ".git/herald/outbox/$id.json" <<-\PY &&
	import json, sys
	p = sys.argv[1]
	e = json.load(open(p))
	e["created"] -= 2 * 3600
	open(p, "w").write(json.dumps(e, indent=2, sort_keys=True) + "\n")
	PY
	test_expect_code 1 herald status >../late.out 2>../late.err &&
	grep "^herald: alert: the oldest pending delivery has waited 2 h, longer than herald.alertAfter (1h)$" ../late.err &&
	test_expect_code 1 herald status --json >../late.json 2>/dev/null &&
	test "$(json_get .ok <../late.json)" = false &&
	test "$(json_get .outbox.oldest_pending_age_seconds <../late.json)" -ge 7200 &&
	json_get .alerts[0] <../late.json | grep "oldest pending" &&
	git config herald.alertAfter 3h &&
	herald status >/dev/null &&
	git config herald.alertAfter 7000 &&
	test_expect_code 1 herald status >/dev/null 2>&1 &&
	git config herald.alertAfter 2d &&
	test "$(status_json .alert_after_seconds)" = 172800 &&
	git config herald.alertAfter 1w &&
	test_expect_code 128 herald status >/dev/null 2>../bad.err &&
	grep "herald.alertAfter: .1w. is not a duration" ../bad.err &&
	git config herald.alertAfter "" &&
	test_expect_code 128 herald status >/dev/null 2>/dev/null &&
	git config --unset herald.alertAfter
'

test_expect_success 'alertAfter=1s and a real wait: exit 1' '
	cd blog &&
	restart --respond 500 &&
	herald deliver --all >/dev/null 2>&1 &&
	python3 - .git/herald/outbox/*.json <<-\PY &&
	import json, sys, time
	for p in sys.argv[1:]:
	    e = json.load(open(p))
	    e["created"] = int(time.time())
	    open(p, "w").write(json.dumps(e, indent=2, sort_keys=True) + "\n")
	PY
	git config herald.alertAfter 1s &&
	herald status >/dev/null &&
	sleep 2 &&
	test_expect_code 1 herald status >/dev/null 2>../late.err &&
	grep "longer than herald.alertAfter (1s)" ../late.err &&
	git config --unset herald.alertAfter
'

test_expect_success 'the pending delivery goes through: two successes, outbox empty' '
	cd blog &&
	restart --respond 200 &&
	herald deliver --all >../out 2>../err &&
	herald status --json >../sent.json &&
	test "$(json_get .outbox.pending <../sent.json)" = 0 &&
	test "$(json_get .outbox.oldest_pending <../sent.json)" = null &&
	test "$(json_get .targets.hook.successes <../sent.json)" = 2 &&
	test "$(json_get .targets.hook.failures <../sent.json)" = 2 &&
	test "$(json_get .targets.hook.last_status <../sent.json)" = 500
'

test_expect_success 'a 404 is a dead letter: exit 1, status 404' '
	cd blog &&
	restart --respond 404 &&
	post 3 &&
	herald announce --now $NOW >../out 2>../err &&
	grep " 404 *dead" ../out &&
	test_expect_code 1 herald status >../dead.out 2>../dead.err &&
	grep "^  dead           1$" ../dead.out &&
	grep "^herald: alert: 1 dead delivery (see .herald outbox list.)$" ../dead.err &&
	test_expect_code 1 herald status --json >../dead.json 2>/dev/null &&
	test "$(json_get .outbox.dead <../dead.json)" = 1 &&
	test "$(json_get .outbox.pending <../dead.json)" = 0 &&
	test "$(json_get .targets.hook.last_status <../dead.json)" = 404 &&
	test "$(json_get .ok <../dead.json)" = false
'

test_expect_success 'baseline refs: branch, short id and commit date' '
	cd blog &&
	git update-ref refs/herald/heads/main HEAD &&
	git update-ref refs/herald/heads/feature/x HEAD~1 &&
	test_expect_code 1 herald status >../base.out 2>/dev/null &&
	short=$(git rev-parse --short HEAD) &&
	date=$(date -u -d "@$(git show -s --format=%ct HEAD)" +%Y-%m-%dT%H:%M:%SZ) &&
	grep "^  main           $short $date (.* days ago)$" ../base.out &&
	grep "^  feature/x      $(git rev-parse --short HEAD~1) " ../base.out &&
	test_expect_code 1 herald status --json >../base.json 2>/dev/null &&
	test "$(json_get .baselines.main.commit <../base.json)" = "$(git rev-parse HEAD)" &&
	test "$(json_get .baselines.main.short <../base.json)" = "$short" &&
	test "$(json_get .baselines.main.date <../base.json)" = "$date" &&
	test "$(json_get .baselines.main.ref <../base.json)" = refs/herald/heads/main &&
	test "$(json_get .baselines.feature/x.commit <../base.json)" = "$(git rev-parse HEAD~1)"
'

test_expect_success '--prometheus writes a valid textfile atomically' '
	cd blog &&
	git config "herald.we\"ird\\name.kind" slack &&
	git config "herald.we\"ird\\name.url" "http://127.0.0.1:1/x" &&
	mkdir -p ../metrics &&
	test_expect_code 1 herald status --prometheus ../metrics/herald.prom >../prom.out 2>/dev/null &&
	check_prom ../metrics/herald.prom &&
	test "$(ls -A ../metrics)" = herald.prom &&
	test "$(stat -c %a ../metrics/herald.prom)" = 644 &&
	f=../metrics/herald.prom &&
	test "$(prom $f herald_outbox_pending)" = 0 &&
	test "$(prom $f herald_outbox_dead)" = 1 &&
	test "$(prom $f herald_outbox_oldest_pending_age_seconds)" = 0 &&
	test "$(prom $f herald_alert)" = 1 &&
	test "$(prom $f "herald_target_deliveries_total{target=\"hook\",result=\"success\"}")" = 2 &&
	test "$(prom $f "herald_target_deliveries_total{target=\"hook\",result=\"failure\"}")" = 3 &&
	test "$(prom $f "herald_target_last_failure_status{target=\"hook\"}")" = 404 &&
	test "$(prom $f "herald_target_last_success_timestamp_seconds{target=\"hook\"}")" -gt 1700000000 &&
	test "$(prom $f "herald_target_last_failure_timestamp_seconds{target=\"hook\"}")" -gt 1700000000 &&
	test "$(prom $f "herald_target_deliveries_total{target=\"we\\\"ird\\\\name\",result=\"success\"}")" = 0 &&
	test "$(prom $f "herald_baseline_commit_timestamp_seconds{branch=\"main\"}")" = "$(git show -s --format=%ct HEAD)" &&
	grep "^# TYPE herald_target_deliveries_total counter$" $f &&
	grep "^# HELP herald_outbox_pending " $f &&
	grep "^target hook: webhook" ../prom.out &&
	git config --remove-section "herald.we\"ird\\name"
'

test_expect_success '--prometheus replaces the file; a bad folder is an error' '
	cd blog &&
	echo "stale 1" >../metrics/herald.prom &&
	test_expect_code 1 herald status --prometheus ../metrics/herald.prom >/dev/null 2>&1 &&
	! grep stale ../metrics/herald.prom &&
	check_prom ../metrics/herald.prom &&
	test "$(ls -A ../metrics)" = herald.prom &&
	test_expect_code 128 herald status --prometheus ../nowhere/herald.prom >/dev/null 2>../err &&
	grep "herald: error: cannot create a temporary file in" ../err &&
	test ! -e ../nowhere &&
	test_expect_code 129 herald status --prometheus "" 2>/dev/null
'

test_expect_success 'dead letter retried and delivered: exit 0 again' '
	cd blog &&
	restart --respond 200 &&
	herald outbox retry "$(ls .git/herald/dead | sed -n "s/\.json$//p")" &&
	herald deliver >/dev/null 2>&1 &&
	herald status --prometheus ../metrics/herald.prom >/dev/null &&
	test "$(prom ../metrics/herald.prom herald_alert)" = 0 &&
	test "$(status_json .targets.hook.successes)" = 3
'

test_expect_success 'a corrupt status.json: status fails, deliveries go on' '
	cd blog &&
	cp .git/herald/status.json ../status.json.good &&
	echo "{not json" >.git/herald/status.json &&
	test_expect_code 128 herald status >/dev/null 2>../err &&
	grep "herald: error: .*status.json" ../err &&
	post 4 &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	grep "outcomes are not recorded" ../err &&
	cp ../status.json.good .git/herald/status.json &&
	herald status >/dev/null
'

test_expect_success 'no output, metric or state file holds the secret or the url path' '
	cd blog &&
	test_expect_code 1 grep -r "SECRETPATH" ../*.out ../*.err ../*.json ../metrics .git/herald/status.json &&
	test_expect_code 1 grep -r "$SECRET" ../*.out ../*.err ../*.json ../metrics .git/herald/status.json &&
	test_expect_code 1 grep -r "hooks/" ../*.out ../*.json ../metrics .git/herald/status.json
'

test_done
