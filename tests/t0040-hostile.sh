#!/bin/sh
# Hostile files pushed into a blog: a 1 GiB post, 100,000 tags or keys, a
# 1 MiB title, TOML nested 1,000 deep, invalid UTF-8 in a TOML string and a
# YAML alias bomb. Each gives one clear error for that file (path, and line
# and column where there is one) in `scan --all --json`, `lint` and `show
# --json`; the two ordinary posts beside it are still classified; and herald
# peaks under 64 MiB of memory in every run. Last, 280 posts of 3.5 MiB
# each (lint's parallel path) must not all be held in memory at once.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

HOSTILE=_posts/2020-03-05-hostile.md
MEM_LIMIT_KIB=65536

# Peak memory means nothing under a sanitizer (ASan reserves shadow memory
# and keeps freed blocks in quarantine) or valgrind: the runs and their
# error checks still happen, only the limit is not enforced.
if [ -n "${HERALD_VALGRIND:-}" ] || grep -q __asan_init "$HERALD" 2>/dev/null; then
	CHECK_MEM=
	say "sanitized or valgrind build: peak memory is reported, not checked"
else
	CHECK_MEM=1
fi

# Runs a command with stdout in a file and writes its peak resident set
# (KiB, as getrusage reports it on Linux) to another; exits as it did. A
# fresh python per run, so the only waited-for child is herald.
cat >"$TRASH/peak.py" <<\EOF
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    rc = subprocess.call(sys.argv[3:], stdout=out)
with open(sys.argv[2], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
EOF

# The hostile files. "big" is handled by the shell (sparse file).
cat >"$TRASH/gen.py" <<\EOF
import sys
case, path = sys.argv[1], sys.argv[2]
with open(path, "wb") as out:
    w = out.write
    if case == "tags":
        w(b"---\ntitle: Tags\ndate: 2020-03-05\ntags:\n")
        w(b"".join(b"- t%d\n" % i for i in range(100000)))
    elif case == "keys":
        w(b"---\ntitle: Keys\ndate: 2020-03-05\n")
        w(b"".join(b"k%d: 1\n" % i for i in range(100000)))
    elif case == "title":
        w(b"---\ndate: 2020-03-05\ntitle: " + b"x" * int(sys.argv[3]) + b"\n")
    elif case == "toml-arrays":
        w(b"+++\ntitle = \"Deep\"\na = " + b"[" * 1000 + b"1" + b"]" * 1000 + b"\n")
    elif case == "toml-inline":
        w(b"+++\ntitle = \"Deep\"\na = " + b"{a = " * 1000 + b"1" + b"}" * 1000 + b"\n")
    elif case == "toml-tables":
        w(b"+++\ntitle = \"Deep\"\n[" + b".".join([b"a"] * 1000) + b"]\nb = 1\n")
    elif case == "toml-utf8":
        w(b"+++\ndate = 2020-03-05\ntitle = \"caf\xc3\xa9 \xff\xfe\"\n")
    elif case == "bomb":
        w(b"---\ntitle: Bomb\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
        prev = b"a"
        for n in b"bcdefghi":
            n = bytes([n])
            w(n + b": &" + n + b" [" + b", ".join([b"*" + prev] * 9) + b"]\n")
            prev = n
    w(b"+++\n" if case.startswith("toml") else b"---\n")
    w(b"\nBody.\n")
EOF

# hostile_repo NAME CASE [ARG]: a repository with two ordinary posts and the
# hostile file CASE, all in one commit.
hostile_repo() {
	new_repo "$1" &&
	fm _posts/2020-03-01-one.md <<-\EOT &&
	title: One
	date: 2020-03-01
	EOT
	fm _posts/2020-03-02-two.md <<-\EOT &&
	title: Two
	date: 2020-03-02
	EOT
	python3 "$TRASH/gen.py" "$2" $HOSTILE ${3:-} &&
	commit_all "$1"
}

# peak NAME ARGS...: herald ARGS with stdout in $TRASH/NAME.out; checks the
# peak memory and records it in $TRASH/peaks. Returns herald's exit code.
peak() {
	name=$1 &&
	shift &&
	python3 "$TRASH/peak.py" "$TRASH/$name.out" "$TRASH/peak.kib" "$HERALD" "$@"
	rc=$?
	kib=$(cat "$TRASH/peak.kib") &&
	echo "$CASE $name: $((kib / 1024)) MiB ($kib KiB)" >>"$TRASH/peaks" &&
	if [ -n "$CHECK_MEM" ] && [ "$kib" -ge $MEM_LIMIT_KIB ]; then
		echo "herald $* peaked at $kib KiB" >&2
		# out of range on purpose: no command exits 250
		rc=250
	fi
	return $rc
}

# expect_rc WANT GOT WHAT
expect_rc() {
	if [ "$2" != "$1" ]; then
		echo "$3 exited $2, expected $1" >&2
		return 1
	fi
}

# invalid LINE COLUMN MESSAGE-REGEX: scan, lint and show each report the
# hostile file (and only it) at LINE:COLUMN (0 0: none) and classify the rest.
invalid() {
	peak scan scan --all --json --now "$NOW"
	expect_rc 0 $? scan &&
	fmt_events "$TRASH/scan.out" | sort >"$TRASH/actual" &&
	printf "error %s\nnew %s\nnew %s\n" $HOSTILE _posts/2020-03-01-one.md \
		_posts/2020-03-02-two.md >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	if [ "$1" = 0 ]; then sl=null sc=null; else sl=$1 sc=$2; fi &&
	test "$(jget .errors[0].line "$TRASH/scan.out")" = "$sl" &&
	test "$(jget .errors[0].column "$TRASH/scan.out")" = "$sc" &&
	jget .errors[0].message "$TRASH/scan.out" | grep -E "$3" || return 1

	peak lint lint --now "$NOW" 2>"$TRASH/lint.err"
	expect_rc 1 $? lint &&
	if [ "$1" = 0 ]; then where="$HOSTILE"; else where="$HOSTILE:$1:$2"; fi &&
	cat "$TRASH/lint.out" &&
	test "$(wc -l <"$TRASH/lint.out")" = 1 &&
	grep -E "^$where: error: .*$3" "$TRASH/lint.out" &&
	grep "3 posts checked: 1 error, 0 warnings" "$TRASH/lint.err" || return 1

	peak show show $HOSTILE --json --now "$NOW"
	expect_rc 1 $? show &&
	test "$(jget .state "$TRASH/show.out")" = invalid &&
	test "$(jget .error.line "$TRASH/show.out")" = "$1" &&
	test "$(jget .error.column "$TRASH/show.out")" = "$2" &&
	jget .error.message "$TRASH/show.out" | grep -E "$3"
}

# valid: the hostile file is read as a post like the others.
valid() {
	peak scan scan --all --json --now "$NOW"
	expect_rc 0 $? scan &&
	fmt_events "$TRASH/scan.out" | sort >"$TRASH/actual" &&
	printf "new %s\nnew %s\nnew %s\n" _posts/2020-03-01-one.md \
		_posts/2020-03-02-two.md $HOSTILE >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" || return 1

	peak lint lint --now "$NOW" 2>"$TRASH/lint.err"
	expect_rc 0 $? lint &&
	test_cmp /dev/null "$TRASH/lint.out" || return 1

	peak show show $HOSTILE --json --now "$NOW"
	expect_rc 0 $? show &&
	test "$(jget .state "$TRASH/show.out")" = published
}

CASE=big
test_expect_success 'a 1 GiB post: refused from its size, never inflated' '
	new_repo big &&
	fm _posts/2020-03-01-one.md <<-\EOT &&
	title: One
	date: 2020-03-01
	EOT
	fm _posts/2020-03-02-two.md <<-\EOT &&
	title: Two
	date: 2020-03-02
	EOT
	printf -- "---\ntitle: Big\ndate: 2020-03-05\n---\n" >$HOSTILE &&
	# Sparse and zero-filled: git deflates it to about 1 MiB; level 1
	# keeps `git add` near 12 s instead of 16 s on a 2-core machine.
	truncate -s 1G $HOSTILE &&
	test_tick &&
	git -c core.compression=1 add -A &&
	git commit -q -m big &&
	rm $HOSTILE &&
	invalid 0 0 "post is larger than 16 MiB \(1073741824 bytes\); herald reads at most 16 MiB"
'

CASE=tags
test_expect_success '100,000 tags: an error at the value over the limit' '
	hostile_repo tags tags &&
	invalid 9998 3 "more than 10000 values"
'

CASE=keys
test_expect_success '100,000 keys: an error at the value over the limit' '
	hostile_repo keys keys &&
	invalid 5001 8 "more than 10000 values"
'

CASE=title-1m
test_expect_success 'a 1 MiB title: front matter over 1 MiB' '
	hostile_repo title-1m title 1048576 &&
	invalid 1 1 "front matter is larger than 1 MiB"
'

CASE=title-900k
test_expect_success 'a 900 KiB title: read, and memory stays low' '
	hostile_repo title-900k title 921600 &&
	valid
'

CASE=toml-arrays
test_expect_success 'TOML arrays 1,000 deep: an error naming the depth' '
	hostile_repo toml-arrays toml-arrays &&
	invalid 3 133 "nesting deeper than 128 levels"
'

CASE=toml-inline
test_expect_success 'TOML inline tables 1,000 deep: an error naming the depth' '
	hostile_repo toml-inline toml-inline &&
	invalid 3 645 "nesting deeper than 128 levels"
'

CASE=toml-tables
test_expect_success 'a TOML table header 1,000 keys deep: an error naming the depth' '
	hostile_repo toml-tables toml-tables &&
	invalid 3 258 "key has more than 128 parts"
'

CASE=toml-utf8
test_expect_success 'invalid UTF-8 in a TOML string: an error at its byte' '
	hostile_repo toml-utf8 toml-utf8 &&
	invalid 3 16 "invalid utf-8"
'

CASE=bomb
# Refused by the count of values its aliases expand to (a limit, not a
# clock): the error names the alias. How long it takes is bench territory.
test_expect_success 'a YAML alias bomb: refused by the expanded-value limit' '
	hostile_repo bomb bomb &&
	invalid 7 8 "alias"
'

CASE=heavy-many
# One 3.5 MiB blob (a front matter of 4,900 keys, slow to parse, and a long
# body) at 280 post paths: lint reads each path's blob on its own, so a
# reader running ahead of the parsing would hold ~1 GiB.
test_expect_success '280 posts of 3.5 MiB: lint holds a few of them at a time' '
	new_repo heavy-many &&
	python3 -c "
import sys
keys = \"\".join(\"k%05d: some value of a key number %05d\\n\" % (i, i) for i in range(4900))
sys.stdout.write(\"---\\ntitle: heavy\\n\" + keys + \"---\\n\" + \"x\" * (3 << 20) + \"\\n\")
" >"$TRASH/heavy.md" &&
	blob=$(git hash-object -w "$TRASH/heavy.md") &&
	i=0 &&
	while [ $i -lt 280 ]; do
		printf "100644 %s\t_posts/2020-01-01-p%03d.md\n" $blob $i &&
		i=$((i + 1))
	done | git update-index --index-info &&
	test_tick &&
	git commit -q -m "280 heavy posts" &&
	peak lint lint --now "$NOW" 2>"$TRASH/lint.err"
	expect_rc 0 $? lint &&
	grep "280 posts checked: 0 errors, 0 warnings" "$TRASH/lint.err"
'

if [ -f "$TRASH/peaks" ]; then
	sed -e 's/^/# peak: /' "$TRASH/peaks"
fi
test_done
