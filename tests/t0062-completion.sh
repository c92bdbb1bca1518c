#!/bin/sh
# Bash completion (completion/herald.bash), driven through bash's own
# machinery: bash-completion is loaded, COMP_WORDS/COMP_CWORD/COMP_LINE are
# set as bash sets them, the function `complete -p` names is called, and
# COMPREPLY is checked. For `git herald`, git's completion finds our file
# by itself (as git-herald, in the bash-completion user folder) and calls
# _git_herald.
. "$(dirname "$0")/lib/test-lib.sh"

BASH_COMPLETION=/usr/share/bash-completion/bash_completion
GIT_COMPLETION=/usr/share/bash-completion/completions/git
if ! command -v bash >/dev/null 2>&1 || ! test -f "$BASH_COMPLETION"; then
	test_skip 'bash completion' 'bash or bash-completion is not installed'
	test_done
fi

mkdir -p bin comp/completions &&
ln -s "$HERALD" bin/herald &&
ln -s "$HERALD" bin/git-herald &&
ln -s "$SRC_DIR/completion/herald.bash" comp/completions/git-herald
export PATH="$TRASH/bin:$PATH" BASH_COMPLETION_USER_DIR="$TRASH/comp"
export COMPLETION="$SRC_DIR/completion/herald.bash"

# complete 'LINE': the candidates bash offers at the end of LINE, one a
# line, sorted. For a line starting with git, only git's completion is
# loaded; ours must be found through it.
complete() {
	bash --norc --noprofile -c '
		. "$0" || exit 1
		line=$1
		read -ra COMP_WORDS <<<"$line"
		case "$line" in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line} COMP_TYPE=9 COMP_KEY=9
		if [ "${COMP_WORDS[0]}" = git ]; then
			. "$2" || exit 1
		else
			. "$COMPLETION" || exit 1
		fi
		# as bash does: the full path first, then the name after its last /
		spec=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null) ||
			spec=$(complete -p "${COMP_WORDS[0]##*/}") || exit 1
		func=${spec##*-F }; func=${func%% *}
		"$func" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' "$BASH_COMPLETION" "$1" "$GIT_COMPLETION" | sed "s/ *\$//" | LC_ALL=C sort
}

# expect WORDS...: the expected candidates, one a line, sorted.
expect() {
	printf "%s\n" "$@" | LC_ALL=C sort
}

test_expect_success 'setup: a blog with branches, a tag and targets' '
	git init -q blog && cd blog &&
	mkdir _posts && echo "---" >_posts/a.md && echo "title: A" >>_posts/a.md &&
	echo "---" >>_posts/a.md && commit_all one &&
	git tag v1.0 && git branch feature &&
	git config herald.chat.kind slack &&
	git config herald.chat.url https://example.com/x &&
	git config herald.site-hooks.kind webhook &&
	git config herald.a.b.kind ntfy &&
	git config herald.nokind.url https://example.com/y
'

test_expect_success 'herald: commands, from herald -h, and help' '
	herald -h | sed -n "s/^   \([a-z-]*\) .*/\1/p" >cmds &&
	test $(wc -l <cmds) -ge 10 &&
	{ cat cmds && echo help; } | LC_ALL=C sort >expect &&
	complete "herald " >actual &&
	test_cmp expect actual &&
	expect scan show status >expect &&
	complete "herald s" >actual &&
	test_cmp expect actual &&
	expect -C --help --version -h >expect &&
	complete "herald -" >actual &&
	test_cmp expect actual
'

test_expect_success 'herald: each command offers the options of its usage' '
	expect --all --drafts --help --json --now --posts >expect &&
	complete "herald scan --" >actual &&
	test_cmp expect actual &&
	expect --help --json --prometheus --state >expect &&
	complete "herald status -" >actual &&
	test_cmp expect actual &&
	expect --output >expect &&
	complete "herald digest --ou" >actual &&
	test_cmp expect actual
'

test_expect_success 'herald: option values' '
	expect md html json >expect &&
	complete "herald notes --format " >actual &&
	test_cmp expect actual &&
	expect atom >expect &&
	complete "herald digest --format a" >actual &&
	test_cmp expect actual &&
	expect --format=atom >expect &&
	complete "herald digest --format=a" >actual &&
	test_cmp expect actual &&
	complete "herald digest --limit " >actual &&
	test ! -s actual
'

test_expect_success 'herald: revisions and ranges, in the repository' '
	cd blog &&
	expect HEAD feature main v1.0 >../expect &&
	complete "$HERALD scan " >../actual &&
	test_cmp ../expect ../actual &&
	expect v1.0..feature >../expect &&
	complete "herald scan v1.0..fe" >../actual &&
	test_cmp ../expect ../actual &&
	expect main >../expect &&
	complete "herald show --at ma" >../actual &&
	test_cmp ../expect ../actual &&
	expect HEAD~1..main >../expect &&
	complete "herald notes --format md HEAD~1..m" >../actual &&
	test_cmp ../expect ../actual
'

test_expect_success 'herald: target names from git config, also with -C' '
	expect a.b chat site-hooks >expect &&
	(cd blog && complete "herald targets ") >actual &&
	test_cmp expect actual &&
	complete "herald -C blog targets " >actual &&
	test_cmp expect actual &&
	expect chat >expect &&
	complete "herald -C blog targets c" >actual &&
	test_cmp expect actual &&
	expect HEAD feature main v1.0 >expect &&
	complete "herald -C blog lint " >actual &&
	test_cmp expect actual
'

test_expect_success 'herald targets NAME lists only the named targets' '
	cd blog &&
	herald targets chat >../out &&
	grep "^chat " ../out &&
	! grep site-hooks ../out &&
	test_expect_code 128 herald targets chat bogus 2>../err &&
	grep "no target '\''bogus'\'' in git config" ../err
'

test_expect_success 'herald: sub-commands of hook, outbox and help' '
	expect post-receive pre-receive >expect &&
	complete "herald hook " >actual &&
	test_cmp expect actual &&
	expect drop list retry show >expect &&
	complete "herald outbox " >actual &&
	test_cmp expect actual &&
	expect targets templates tick >expect &&
	complete "herald help t" >actual &&
	test_cmp expect actual &&
	complete "herald hook post-receive " >actual &&
	test ! -s actual
'

test_expect_success 'herald: files and folders where a path goes' '
	mkdir -p dir.d && : >file.json &&
	expect file.json >expect &&
	complete "herald render --context fil" >actual &&
	test_cmp expect actual &&
	expect dir.d >expect &&
	complete "herald install di" >actual &&
	test_cmp expect actual
'

if test -f "$GIT_COMPLETION"; then
test_expect_success 'git herald: git loads our completion and calls _git_herald' '
	{ cat cmds && echo help; } | LC_ALL=C sort >expect &&
	complete "git herald " >actual &&
	test_cmp expect actual &&
	expect --drafts >expect &&
	complete "git herald scan --dr" >actual &&
	test_cmp expect actual
'

test_expect_success 'git herald: targets, refs, and git -C' '
	expect a.b chat site-hooks >expect &&
	(cd blog && complete "git herald targets ") >actual &&
	test_cmp expect actual &&
	complete "git -C blog herald targets " >actual &&
	test_cmp expect actual &&
	expect v1.0..feature >expect &&
	complete "git -C blog herald scan v1.0..f" >actual &&
	test_cmp expect actual
'
else
test_skip 'git herald completion' "git's completion is not installed"
fi

test_done
