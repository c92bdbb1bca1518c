#!/bin/sh
# herald benchmark.   make bench   ==   sh bench/run.sh /abs/path/to/build/herald
#
# Generates (once; cached in bench/out/gen-vN/, N = GEN_VERSION of gen.py) a
# BIG blog repository (10,000 posts over 20,000 commits, plus a branch
# `migrate` whose one commit moves 1,500 posts and publishes 300 drafts) and a
# SMALL one (10 posts), then times herald against plain git. Each figure is
# the median of $BENCH_RUNS timed runs, after one untimed warm-up run whose
# output is kept for the checks. The bench reports, it never gates: a command
# that fails or is missing shows its error and the run goes on; exit status 0.
#
# Environment:
#   BENCH_RUNS=3        timed runs per command
#   BENCH_TIMEOUT=180   seconds one run may take before it is killed
#   BENCH_ONLY="..."    sections to run (default: all in $SECTIONS)
#   BENCH_REGEN=1       regenerate the repositories even when cached
#   BENCH_BIG_KIND=mid  use gen.py's 1,000-post repository as BIG (a quick
#                       check of the harness; the goals then mean nothing)
#
# More figures (template rendering, delivery, hook latency, ...): add a file
# bench/sections/NN-name.sh defining section_name() with the helpers below
# (section, measure, ratio, limit, figure, events, note) and doing
# SECTIONS="$SECTIONS name". See bench/README.md.
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
# measure NAME [--ok 0,1] [--capture] -- ARGV...
measure() { python3 "$LIB" measure "$@"; }
# ratio ID LABEL NAME REF REFLABEL OP LIMIT      (wall-time ratio NAME/REF)
ratio() { python3 "$LIB" ratio "$@"; }
# limit ID LABEL NAME rss|wall OP LIMIT          (MiB or seconds)
limit() { python3 "$LIB" limit "$@"; }
# figure ID LABEL NAME                           (no goal)
figure() { python3 "$LIB" figure "$@"; }
# events ID LABEL NAME type=n,...                (scan --json histogram)
events() { python3 "$LIB" events "$@"; }
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
VARIANTS="$BIGKIND $BIGKIND-aggr $BIGKIND-years $BIGKIND-years-aggr"
if [ "${BENCH_VARIANTS:-1}" = 1 ]; then
	gen "$BIGKIND-aggr" "$BIGKIND" --pack aggressive --like "$BIG" || VARIANTS=${VARIANTS%% *}
	gen "$BIGKIND-years" "$BIGKIND" --layout years &&
		gen "$BIGKIND-years-aggr" "$BIGKIND" --layout years --pack aggressive \
			--like "$GENDIR/$BIGKIND-years" ||
		VARIANTS="$BIGKIND $BIGKIND-aggr"
else
	VARIANTS=$BIGKIND
fi
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
echo "gen v$GENVER ($GENSUM, repack -adf --depth=50 --window=10, commit-graph):$GENNOTE"
echo "runs=$BENCH_RUNS after 1 warm-up, timeout ${BENCH_TIMEOUT}s/run"
echo
python3 "$LIB" header

# ---- sections --------------------------------------------------------------
SECTIONS="scan lint memory migration"

section_scan() {
	section "scan: one commit, BIG vs SMALL; whole history vs git log"
	measure scan1_big --capture -- "$HERALD" -C "$BIG" scan HEAD~1 HEAD --json
	measure scan1_small --capture -- "$HERALD" -C "$SMALL" scan HEAD~1 HEAD --json
	ratio a "scan HEAD~1 HEAD: BIG / SMALL" scan1_big scan1_small "SMALL" "<=" 1.5
	events a1 "  events, BIG" scan1_big "new=$(meta "$BIG" 'm["expect"]["last_commit_new"]')"
	events a2 "  events, SMALL" scan1_small "new=$(meta "$SMALL" 'm["expect"]["last_commit_new"]')"
	measure scanall_big --capture -- "$HERALD" -C "$BIG" scan --all HEAD --json
	measure gitlog_big -- git -C "$BIG" log --raw --no-abbrev -M HEAD
	ratio b "scan --all HEAD / git log --raw -M" scanall_big gitlog_big "git" "<=" 1
	events b1 "  events, BIG" scanall_big "new=$(meta "$BIG" 'm["expect"]["scan_all_new"]')"
}

section_lint() {
	section "lint: every post at HEAD vs reading every blob with git"
	measure lint_big --ok 0,1 -- "$HERALD" -C "$BIG" lint HEAD
	measure catfile_big -- sh -c "git -C '$BIG' ls-tree -r HEAD | awk '{print \$3}' | git -C '$BIG' cat-file --batch >/dev/null"
	ratio c "lint HEAD / ls-tree|cat-file --batch" lint_big catfile_big "git" "<=" 2
}

section_memory() {
	section "memory"
	[ -f "$RES/scanall_big.json" ] ||
		measure scanall_big --capture -- "$HERALD" -C "$BIG" scan --all HEAD --json
	limit d "scan --all HEAD: peak RSS" scanall_big rss "<" 64
}

section_migration() {
	section "migration: one commit moves published posts, publishes drafts"
	measure migrate_big --capture -- "$HERALD" -C "$BIG" scan migrate~1 migrate --json
	figure m "scan migrate~1 migrate" migrate_big
	events m1 "  events by type" migrate_big "moved=$(meta "$BIG" 'm["expect"]["migrate"]["moved"]'),undrafted=$(meta "$BIG" 'm["expect"]["migrate"]["undrafted"]')"
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
echo "each run once untimed, then $BENCH_RUNS times timed; outputs in $RES):"
sed 's/^/  /' "$RES/commands.txt" 2>/dev/null
echo "bench finished in $(($(date +%s) - START)) s"
exit 0
