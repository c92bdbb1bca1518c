#!/bin/sh
# herald benchmark.   make bench   ==   sh bench/run.sh /abs/path/to/build/herald
#
# Generates (once; cached in bench/out/gen-vN/, N = GEN_VERSION of gen.py) a
# BIG blog repository (10,000 posts over 20,000 commits, plus a branch
# `migrate` whose one commit moves 1,500 posts and publishes 300 drafts) and a
# SMALL one (10 posts), then times herald against plain git. Each figure is
# the median of $BENCH_RUNS timed runs ($BENCH_RUNS_FAST for a command of
# under $BENCH_FAST s; figures divided by one another run in turn, as many
# times), after one untimed warm-up run whose output is kept for the checks. The bench reports, it never gates: a command
# that fails or is missing shows its error and the run goes on; exit status 0.
#
# Environment:
#   BENCH_RUNS=3        timed runs per command
#   BENCH_RUNS_FAST=21  timed runs of a command whose warm-up took under
#   BENCH_FAST=0.1      seconds (its figure is a few ms: noise weighs more)
#   BENCH_TIMEOUT=180   seconds one run may take before it is killed
#   BENCH_ONLY="..."    sections to run (default: all in $SECTIONS)
#   BENCH_REGEN=1       regenerate the repositories even when cached
#   BENCH_BIG_KIND=mid  use gen.py's 1,000-post repository as BIG (a quick
#                       check of the harness; the goals then mean nothing)
#   BENCH_VARIANTS="big big-aggr big-years big-years-aggr"  which BIG
#                       variants to make and measure (the default: all)
#   BENCH_CLOCK=cpu     ratios of user+sys time (default), or wall
#   BENCH_GROWTH="1000 10000"  sizes of the growth table (add 100000: slow to make)
#
# More figures (template rendering, delivery, hook latency, ...): add a file
# bench/sections/NN-name.sh defining section_name() with the helpers below
# (section, measure, alternate, ratio, limit, figure, events, note, noted)
# and doing SECTIONS="$SECTIONS name". See bench/README.md.
# shellcheck disable=SC2317,SC1090  # sections are called by name; sourced hooks
set -u

HERALD=${1:-}
BENCH=$(cd "$(dirname "$0")" && pwd)
OUT=$BENCH/out
LIB=$BENCH/lib.py
RES=$OUT/results
START=$(date +%s)

export BENCH_RUNS="${BENCH_RUNS:-3}" BENCH_TIMEOUT="${BENCH_TIMEOUT:-180}"
export BENCH_RESULTS="$RES" BENCH_HERALD="$HERALD"
# Reference git runs must not depend on the user's configuration.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C

# ---- helpers (available to sections) -----------------------------------
section() { python3 "$LIB" section "$1"; }
note() { python3 "$LIB" note "$@"; }
# noted NAME ARGV...: runs a measuring script, then notes each line it
# printed. Only then: a `note` (a Python start) run beside the measurements
# as each line came (PYTHONUNBUFFERED=1, or a script that flushes) took
# the other CPU and doubled the hook's figures.
noted() {
	_f=$RES/$1.txt
	shift
	"$@" >"$_f" 2>&1
	while IFS= read -r line; do note "$line"; done <"$_f"
}
# measure NAME [--ok 0,1] [--capture] -- ARGV...
measure() { python3 "$LIB" measure "$@"; }
# alternate NAME... [--ok 0,1] [--capture] -- ARGV... -- ARGV... ...
#   (their timed runs in turn: for ratios of fast figures to one another)
alternate() { python3 "$LIB" alternate "$@"; }
# ratio ID LABEL NAME REF REFLABEL OP LIMIT      (wall-time ratio NAME/REF)
ratio() { python3 "$LIB" ratio "$@"; }
# limit ID LABEL NAME rss|wall OP LIMIT          (MiB or seconds)
limit() { python3 "$LIB" limit "$@"; }
# figure ID LABEL NAME                           (no goal)
figure() { python3 "$LIB" figure "$@"; }
# events ID LABEL NAME type=n,...                (scan --json histogram)
events() { python3 "$LIB" events "$@"; }
# pairs ID LABEL NAME REF                        (renames in NAME's scan --json vs REF's git diff -M --raw)
pairs() { python3 "$LIB" pairs "$@"; }
meta() { # meta REPO EXPR  -> a value from REPO/bench-meta.json
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/bench-meta.json")); print(eval(sys.argv[2], {}, {"m": m}))' "$1" "$2" 2>/dev/null || echo "?"
}

# ---- repositories --------------------------------------------------------
GENVER=$(python3 "$BENCH/gen.py" --version)
GENSUM=$(sha256sum "$BENCH/gen.py" | cut -c1-16)
GENDIR=$OUT/gen-v$GENVER
mkdir -p "$GENDIR" "$OUT"
rm -rf "$RES"
mkdir -p "$RES"
for d in "$OUT"/gen-v*; do   # repositories of older generator versions
	[ -d "$d" ] && [ "$d" != "$GENDIR" ] && rm -rf "$d"
done

GENNOTE=""
gen() { # gen NAME KIND [gen.py options] -> GENDIR/NAME; regenerates when stale
	name=$1
	dir=$GENDIR/$1
	shift
	if [ "${BENCH_REGEN:-0}" = 1 ] || [ ! -f "$dir.stamp" ] ||
		[ "$(cat "$dir.stamp")" != "$GENSUM" ]; then
		rm -f "$dir.stamp"
		echo "generating $name repository in $dir ..." >&2
		t0=$(date +%s)
		kind=$1
		shift
		if python3 "$BENCH/gen.py" "$kind" "$dir" "$@" >"$GENDIR/$name.log" 2>&1; then
			echo "$GENSUM" >"$dir.stamp"
			GENNOTE="$GENNOTE $name: generated in $(($(date +%s) - t0)) s;"
		else
			echo "bench: generating $name failed:" >&2
			tail -5 "$GENDIR/$name.log" >&2
			return 1
		fi
	else
		GENNOTE="$GENNOTE $name: cached;"
	fi
	return 0
}
gen small small || { echo "bench: no SMALL repository; nothing to measure"; exit 0; }
BIGKIND=${BENCH_BIG_KIND:-big}
gen "$BIGKIND" "$BIGKIND" || { echo "bench: no BIG repository; nothing to measure"; exit 0; }
BIG=$GENDIR/$BIGKIND
SMALL=$GENDIR/small
# The same history packed as `git gc --aggressive` does, and laid out in
# year folders (plain and aggressive): issue 13's four variants.
# BENCH_VARIANTS="big big-aggr" limits them (each takes minutes to make).
VARIANTS=
for v in ${BENCH_VARIANTS:-$BIGKIND $BIGKIND-aggr $BIGKIND-years $BIGKIND-years-aggr}; do
	case $v in
	"$BIGKIND") ok=1 ;;
	"$BIGKIND-aggr") gen "$v" "$BIGKIND" --pack aggressive --like "$BIG" && ok=1 || ok=0 ;;
	"$BIGKIND-years") gen "$v" "$BIGKIND" --layout years && ok=1 || ok=0 ;;
	"$BIGKIND-years-aggr")
		{ [ -f "$GENDIR/$BIGKIND-years.stamp" ] || gen "$BIGKIND-years" "$BIGKIND" --layout years; } &&
			gen "$v" "$BIGKIND" --layout years --pack aggressive --like "$GENDIR/$BIGKIND-years" &&
			ok=1 || ok=0 ;;
	*) ok=0; echo "bench: no variant '$v'" >&2 ;;
	esac
	[ $ok = 1 ] && VARIANTS="$VARIANTS $v"
done
export BENCH_BIG="$BIG" BENCH_SMALL="$SMALL"

describe() { # describe REPO
	meta "$1" '"%d commits (%d merges, %d first-parent), %d posts + %d drafts at HEAD, pack %.1f MiB" % (m["commits"], m["merges"], m["first_parent_commits"], m["published_at_head"], m["drafts_at_head"], m["pack_bytes"]/1048576) if m["pack_bytes"] > 1048576 else "%d commits, %d posts + %d drafts at HEAD, pack %d KiB" % (m["commits"], m["published_at_head"], m["drafts_at_head"], m["pack_bytes"]/1024)'
}

if [ -z "$HERALD" ]; then
	HERALD_VERSION="(no herald binary given: usage: sh bench/run.sh /abs/path/to/herald)"
	HERALD=/nonexistent/herald
	BENCH_HERALD=$HERALD
elif [ -x "$HERALD" ]; then
	HERALD_VERSION=$("$HERALD" --version 2>&1 | head -1)
else
	HERALD_VERSION="(not built: $HERALD)"
fi

echo "herald bench  $(date -u '+%Y-%m-%d %H:%M UTC')  $(nproc 2>/dev/null || echo ?) CPUs  load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "HERALD $HERALD  $HERALD_VERSION"
echo "BIG    $BIG: $(describe "$BIG")"
echo "SMALL  $SMALL: $(describe "$SMALL")"
echo "gen v$GENVER ($GENSUM, repack -adf --depth=50 --window=10 (plain) or --window=250 (aggressive), commit-graph):$GENNOTE"
echo "variants: $VARIANTS"
echo "runs=$BENCH_RUNS (${BENCH_RUNS_FAST:-21} for a command under ${BENCH_FAST:-0.1} s) after 1 warm-up, timeout ${BENCH_TIMEOUT}s/run"
echo
python3 "$LIB" header

# ---- sections --------------------------------------------------------------
# Goal ids: 13.N is issue 13's goal N, 10.6 issue 10's item 6 (renames).
SECTIONS="scan lint memory migration renames"

vlabel() { # vlabel VARIANT -> "flat plain", "years aggr", ...
	case $1 in
	*-years-aggr) echo "years, aggressive" ;;
	*-years) echo "years, plain" ;;
	*-aggr) echo "flat, aggressive" ;;
	*) echo "flat, plain" ;;
	esac
}

section_scan() {
	section "scan: whole history vs git log; one commit BIG vs SMALL; each packing and layout"
	for v in $VARIANTS; do
		R=$GENDIR/$v
		l=$(vlabel "$v")
		note "$v: $(describe "$R")"
		measure "scanall_$v" --capture -- "$HERALD" -C "$R" scan --all HEAD --json
		measure "gitlog_$v" -- git -C "$R" log --raw --no-abbrev -M HEAD
		ratio "13.1" "scan --all / git log --raw -M ($l)" "scanall_$v" "gitlog_$v" "git" "<=" 1
		events "13.1e" "  events" "scanall_$v" "new=$(meta "$R" 'm["expect"]["scan_all_new"]')"
		# SMALL's runs taken in turn with this BIG's: a ratio of two figures
		# of 20 ms each is only as steady as the moments they share
		alternate "scan1_$v" "scan1_small_$v" --capture -- \
			"$HERALD" -C "$R" scan HEAD~1 HEAD --json -- \
			"$HERALD" -C "$SMALL" scan HEAD~1 HEAD --json
		ratio "13.2" "scan HEAD~1 HEAD: BIG/SMALL ($l)" "scan1_$v" "scan1_small_$v" "SMALL" "<=" 1.2
		events "13.2e" "  events" "scan1_$v" "new=$(meta "$R" 'm["expect"]["last_commit_new"]')"
	done
	[ "$BIGKIND" != big ] && [ -f "$RES/scanall_$BIGKIND.json" ] && cp "$RES/scanall_$BIGKIND.json" "$RES/scanall_big.json"
}

section_lint() {
	section "lint: every post at HEAD vs reading every blob with git"
	measure lint_big --ok 0,1 -- "$HERALD" -C "$BIG" lint HEAD
	measure catfile_big -- sh -c "git -C '$BIG' ls-tree -r HEAD | awk '{print \$3}' | git -C '$BIG' cat-file --batch >/dev/null"
	ratio 13.5 "lint HEAD / ls-tree|cat-file --batch" lint_big catfile_big "git" "<=" 1.2
}

section_memory() {
	section "memory"
	[ -f "$RES/scanall_big.json" ] ||
		measure scanall_big --capture -- "$HERALD" -C "$BIG" scan --all HEAD --json
	limit d "scan --all HEAD: peak RSS" scanall_big rss "<" 64
}

section_migration() {
	section "migration: one commit moves 1,500 posts, publishes 300 drafts"
	alternate migrate_big migrate_git --capture -- "$HERALD" -C "$BIG" scan migrate~1 migrate --json \
		-- git -C "$BIG" diff -M --raw migrate~1 migrate
	ratio 13.3 "scan migrate~1 migrate / git diff -M" migrate_big migrate_git "git" "<=" 1.5
	pairs 13.3p "  renames: herald's pairs vs git's" migrate_big migrate_git
	events m1 "  events by type" migrate_big "moved=$(meta "$BIG" 'm["expect"]["migrate"]["moved"]'),undrafted=$(meta "$BIG" 'm["expect"]["migrate"]["undrafted"]')"
}

section_renames() {
	section "renames: one commit renames 8,000 data files (no post)"
	n=$(meta "$BIG" 'm["renames"]["files"]')
	alternate renames_big renames_git --capture -- "$HERALD" -C "$BIG" scan renames~1 renames --json \
		-- git -C "$BIG" diff -M --raw renames~1 renames
	ratio 10.6 "scan of the $n-rename commit / git diff -M" renames_big renames_git "git" "<=" 3
	events "10.6e" "  events (none: no post involved)" renames_big ""
	# The post-receive hook on that commit, from a bare server with herald's
	# hooks: each run puts the branch and its baseline back before the hook.
	S=$OUT/renames-server.git
	old=$(git -C "$BIG" rev-parse renames~1) new=$(git -C "$BIG" rev-parse renames)
	if [ ! -d "$S" ]; then
		git clone -q --bare "$BIG" "$S" && "$HERALD" install "$S" >/dev/null &&
			git -C "$S" config herald.branch renames &&
			git -C "$S" config herald.hookBudget 3
	fi
	measure hook_renames -- sh -c "git -C '$S' update-ref refs/heads/renames $new &&
		git -C '$S' update-ref refs/herald/heads/renames $old &&
		echo '$old $new refs/heads/renames' | GIT_DIR='$S' '$HERALD' hook post-receive >/dev/null"
	limit 10.6h "hook post-receive on the $n-rename commit (hookBudget 3 s; goal <= 4 s)" hook_renames wall "<=" 4
}

# Hooks for later figures: bench/sections/*.sh (render, deliver, hook, ...).
for f in "$BENCH"/sections/*.sh; do
	[ -f "$f" ] && . "$f"
done

for s in ${BENCH_ONLY:-$SECTIONS}; do
	if command -v "section_$s" >/dev/null 2>&1; then
		"section_$s"
	else
		note "no section '$s'"
	fi
done

python3 "$LIB" summary
echo
echo "commands (HERALD=$HERALD BIG=$BIG SMALL=$SMALL;"
echo "each run once untimed, then $BENCH_RUNS times timed (${BENCH_RUNS_FAST:-21} under ${BENCH_FAST:-0.1} s); outputs in $RES):"
sed 's/^/  /' "$RES/commands.txt" 2>/dev/null
echo "bench finished in $(($(date +%s) - START)) s"
exit 0
