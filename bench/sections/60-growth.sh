# Growth (issue 13 goal 8): one-commit scan, scan --all, lint and the
# post-receive hook at 1,000 / 10,000 / 100,000 posts, history 2x posts
# (gen.py big --posts N --layout years: ~800 posts a year folder at every
# size), each next to its git reference. Goals: one-commit costs (scan of
# the last commit, the hook for its one new post) stay flat, at most 1.2x
# from the smallest size to the biggest; whole-history costs (scan --all,
# lint) grow no faster than git's: herald's factor over git's <= 1.1.
#
# BENCH_GROWTH="1000 10000" (the default) or "1000 10000 100000": the
# 100,000-post repository takes long to generate (see bench/README.md), so
# it is measured only when asked for. The 10,000 row uses the big-years
# variant when it is already made (the same history on main).
growth_repo() { # growth_repo N -> the repository of the N-post row
	if [ "$1" = 10000 ] && [ "$BIGKIND" = big ] && [ -f "$GENDIR/big-years.stamp" ] &&
		[ "$(cat "$GENDIR/big-years.stamp")" = "$GENSUM" ]; then
		echo "$GENDIR/big-years"
	else
		echo "$GENDIR/growth-$1"
	fi
}

section_growth() {
	sizes=${BENCH_GROWTH:-1000 10000}
	section "growth: $(echo "$sizes" | sed 's/ / \/ /g') posts, history 2x posts, years layout"
	gport=$OUT/growth-rx.port
	rm -f "$gport" "$OUT/growth-rx.log"
	python3 "$BENCH/../tests/lib/receiver.py" --port-file "$gport" --log "$OUT/growth-rx.log" \
		--respond 200 --max-seconds 7200 >/dev/null 2>&1 &
	grx=$!
	i=0
	while [ ! -s "$gport" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	first="" last="" made=""
	for n in $sizes; do
		R=$(growth_repo "$n")
		if [ "$R" = "$GENDIR/growth-$n" ]; then
			gen "growth-$n" big --posts "$n" --layout years || continue
		fi
		note "$n posts: $(describe "$R")"
		# The hook for the last commit's one new post, delivered to a local
		# receiver, from a bare server; each run first puts back the
		# baseline ref and empties the ledger and outbox (so does its
		# reference, which then reads the same commit with git).
		S=$OUT/growth-$n.git
		rm -rf "$S"
		git clone -q --bare --shared "$R" "$S" &&
			git -C "$S" config herald.bench.kind webhook &&
			git -C "$S" config herald.bench.url "http://127.0.0.1:$(cat "$gport")/hook" &&
			git -C "$S" config herald.bench.secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw &&
			mkdir -p "$S/refs/herald/heads"
		[ -z "$first" ] && first=$n
		last=$n
		made="$made $n"
	done
	# Every figure of every size is divided by another (its git reference,
	# the same at another size), so each family's runs are taken in turn:
	# a ratio of a few milliseconds means something only if both saw the
	# same moments of the machine. In each `alternate`, the first -- ends
	# the options and the later ones part the commands.
	if [ -n "$made" ]; then
		set --
		for n in $made; do set -- "$@" "gall_$n" "gallgit_$n"; done
		for n in $made; do
			R=$(growth_repo "$n")
			set -- "$@" -- "$HERALD" -C "$R" scan --all HEAD --json -- git -C "$R" log --raw --no-abbrev -M HEAD
		done
		alternate "$@"
		set --
		for n in $made; do set -- "$@" "glint_$n=0,1" "glintgit_$n"; done
		for n in $made; do
			R=$(growth_repo "$n")
			set -- "$@" -- "$HERALD" -C "$R" lint HEAD -- sh -c "git -C '$R' ls-tree -r HEAD | awk '{print \$3}' | git -C '$R' cat-file --batch >/dev/null"
		done
		alternate "$@"
		set --
		for n in $made; do set -- "$@" "g1_$n" "g1git_$n"; done
		set -- "$@" --capture
		for n in $made; do
			R=$(growth_repo "$n")
			set -- "$@" -- "$HERALD" -C "$R" scan HEAD~1 HEAD --json -- git -C "$R" log -1 --raw --no-abbrev -M HEAD
		done
		alternate "$@"
		set --
		for n in $made; do set -- "$@" "ghook_$n" "ghookgit_$n"; done
		for n in $made; do
			R=$(growth_repo "$n")
			S=$OUT/growth-$n.git
			old=$(git -C "$R" rev-parse HEAD~1) new=$(git -C "$R" rev-parse HEAD)
			reset="printf '%s\\n' $old >'$S/refs/herald/heads/main' && rm -f '$S/herald/ledger' '$S/herald/status.json' '$S'/herald/outbox/*.json"
			set -- "$@" -- sh -c "$reset && echo '$old $new refs/heads/main' | GIT_DIR='$S' '$HERALD' hook post-receive >/dev/null" \
				-- sh -c "$reset && git -C '$S' log -1 --raw --no-abbrev -M $new >/dev/null"
		done
		alternate "$@"
	fi
	for n in $made; do
		python3 "$BENCH/growth.py" size 13.8s "$n: scan HEAD~1 HEAD / git log -1" "g1_$n" "g1git_$n" git
		python3 "$BENCH/growth.py" size 13.8s "$n: scan --all / git log --raw -M" "gall_$n" "gallgit_$n" git
		python3 "$BENCH/growth.py" size 13.8s "$n: lint / ls-tree|cat-file" "glint_$n" "glintgit_$n" git
		python3 "$BENCH/growth.py" size 13.8s "$n: hook post-receive / git log -1" "ghook_$n" "ghookgit_$n" git
	done
	kill "$grx" 2>/dev/null
	wait "$grx" 2>/dev/null
	if [ -n "$first" ] && [ "$first" != "$last" ]; then
		note "growth from $first to $last posts (herald's factor; git's next to it):"
		python3 "$BENCH/growth.py" flat 13.8 "scan HEAD~1 HEAD: flat" "g1_$first" "g1git_$first" "g1_$last" "g1git_$last" 1.2
		python3 "$BENCH/growth.py" flat 13.8 "hook post-receive: flat" "ghook_$first" "ghookgit_$first" "ghook_$last" "ghookgit_$last" 1.2
		python3 "$BENCH/growth.py" git 13.8 "scan --all: growth / git's" "gall_$first" "gallgit_$first" "gall_$last" "gallgit_$last" 1.1 "$first" "$last"
		python3 "$BENCH/growth.py" git 13.8 "lint: growth / git's" "glint_$first" "glintgit_$first" "glint_$last" "glintgit_$last" 1.1 "$first" "$last"
	fi
}
SECTIONS="$SECTIONS growth"
