# Shell test library in git's style. A test script does:
#
#	. "$(dirname "$0")/lib/test-lib.sh"
#	test_expect_success 'what it checks' '
#		commands...
#	'
#	test_done
#
# Each script runs in its own scratch folder tests/out/trash.<script>, with
# HOME inside it, TZ=UTC, and fixed author and committer dates (test_tick
# moves them on by a minute). Output is TAP, run by prove from `make test`.

set -u
TEST_NAME=$(basename "$0" .sh)
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_DIR=$(cd "$TEST_DIR/.." && pwd)
SHARED_DIR=$(cd "$SRC_DIR/.." && pwd)/shared
: "${HERALD:=$SRC_DIR/build/herald}"
if [ ! -x "$HERALD" ]; then
	echo "Bail out! no herald binary at $HERALD (run make)"
	exit 1
fi
# Sanitized builds: leaks inside libraries we cannot fix are listed here.
export LSAN_OPTIONS="suppressions=$SRC_DIR/tests/lib/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
TRASH="$SRC_DIR/tests/out/trash.$TEST_NAME"
rm -rf "$TRASH"
mkdir -p "$TRASH"
cd "$TRASH" || exit 1

export HOME="$TRASH"
export TZ=UTC LANG=C LC_ALL=C
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$TRASH/.gitconfig"
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL='author@example.com'
export GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL='committer@example.com'
export GIT_MERGE_AUTOEDIT=no
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_QUARANTINE_PATH 2>/dev/null || true
# a developer's own trace would add lines to what tests compare
unset HERALD_TRACE_PERF 2>/dev/null || true
git config --global init.defaultBranch main
git config --global advice.detachedHead false
test_tick_s=1585526400 # 2020-03-30T00:00:00Z
test_tick() {
	test_tick_s=$((test_tick_s + 60))
	GIT_AUTHOR_DATE="@$test_tick_s +0000"
	GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}
test_tick

herald() {
	if [ -n "${HERALD_VALGRIND:-}" ]; then
		valgrind -q --error-exitcode=126 --leak-check=full \
			--errors-for-leak-kinds=definite \
			--suppressions="$SRC_DIR/tests/lib/valgrind.supp" "$HERALD" "$@"
	else
		"$HERALD" "$@"
	fi
}

test_count=0
test_failed=0

say() { printf '# %s\n' "$*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	if [ $# -ne 2 ]; then
		echo "Bail out! test_expect_success takes 2 arguments"
		exit 1
	fi
	if (eval "$2") >"$TRASH/.log" 2>&1 </dev/null; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed -e 's/^/#    /' "$TRASH/.log" | tail -n 60
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count # skip $1 ($2)"
}

test_done() {
	echo "1..$test_count"
	if [ "$test_failed" -gt 0 ]; then
		exit 1
	fi
	exit 0
}

# test_cmp EXPECTED ACTUAL: shows the difference when they differ.
test_cmp() {
	diff -u "$1" "$2"
}

# test_expect_code N cmd...: the command must exit with N.
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
	return 0
}

# Normalises JSON for comparison: sorted keys, 2-space indent.
json_pp() {
	python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2, sort_keys=True, ensure_ascii=False))'
}

# jq-like query with python: json_get '.events[0].type' < file
json_get() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for part in sys.argv[1].strip(".").replace("[", ".[").split("."):
    if not part:
        continue
    if part.startswith("["):
        d = d[int(part[1:-1])]
    else:
        d = d[part]
print(json.dumps(d) if not isinstance(d, str) else d)
' "$1"
}

# Writes a post: write_post PATH <<EOF ... EOF (makes folders)
write_post() {
	mkdir -p "$(dirname "$1")"
	cat >"$1"
}

# commit_all MESSAGE: stage everything and commit with the next tick.
commit_all() {
	test_tick
	git add -A && git commit -q -m "$1"
}

