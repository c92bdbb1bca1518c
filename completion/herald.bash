# bash completion for herald and `git herald`.                -*- sh -*-
#
# Installed as share/bash-completion/completions/herald, and linked there as
# git-herald: for `git herald`, git's own completion loads that file and
# calls _git_herald.
#
# Commands and options are read from herald itself (`herald -h`, `herald
# COMMAND -h`), so they always match the binary being completed. Target
# names come from git config, revisions from git, outbox ids from
# `herald outbox list`; a `-C DIR` on the line is honoured for all three.

# __herald_run ARGS...: runs the herald being completed, quietly.
__herald_run()
{
	"${__herald_argv[@]}" "$@" 2>/dev/null
}

# __herald_git ARGS...: git in the folder the line names with -C.
__herald_git()
{
	git "${__herald_C[@]}" "$@" 2>/dev/null
}

__herald_commands()
{
	__herald_run -h | sed -n 's/^   \([a-z][a-z-]*\) .*/\1/p'
}

# The options of one command, from the option lines of its usage.
__herald_options()
{
	__herald_run "$1" -h |
		sed -n 's/^ \{2,\}\(-[A-Za-z0-9-]*\)\(, \(--[A-Za-z0-9-]*\)\)\{0,1\}.*/\1 \3/p'
	echo --help
}

__herald_targets()
{
	__herald_git config --get-regexp '^herald\..*\.kind$' |
		sed -n 's/^herald\.\(.*\)\.kind .*/\1/p'
}

__herald_refs()
{
	__herald_git for-each-ref --format='%(refname:short)' \
		refs/heads refs/tags refs/remotes
	echo HEAD
}

__herald_outbox_ids()
{
	__herald_run "${__herald_dir[@]}" outbox list | sed -n 's/^  \([^ ]\{1,\}\)  .*/\1/p'
}

# __herald_reply WORDS CUR: the words that start with CUR (none has a blank).
__herald_reply()
{
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

# A revision, or a range FROM..TO (or FROM...TO) whose end is completed.
__herald_complete_revs()
{
	local cur=$1 prefix=
	case "$cur" in
	*...*) prefix=${cur%%...*}...; cur=${cur#*...} ;;
	*..*) prefix=${cur%%..*}..; cur=${cur#*..} ;;
	esac
	COMPREPLY=($(compgen -P "$prefix" -W "$(__herald_refs)" -- "$cur"))
}

__herald_complete_files()
{
	compopt -o filenames 2>/dev/null
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -- "$1"))
}

__herald_complete_dirs()
{
	compopt -o filenames 2>/dev/null
	local IFS=$'\n'
	COMPREPLY=($(compgen -d -- "$1"))
}

# __herald_complete_value CMD OPTION CUR: the value of an option; 1 when
# OPTION takes none.
__herald_complete_value()
{
	case "$2" in
	--format)
		case "$1" in
		digest) __herald_reply "md html atom json" "$3" ;;
		*) __herald_reply "md html json" "$3" ;;
		esac ;;
	-o | --output | --prepend | --template | --context | --prometheus)
		__herald_complete_files "$3" ;;
	--hooks | -C)
		__herald_complete_dirs "$3" ;;
	--at | --since | --until)
		__herald_complete_revs "$3" ;;
	--now | --max-time | --limit | --posts)
		COMPREPLY=() ;;
	*)
		return 1 ;;
	esac
	return 0
}

# __herald_complete FIRST: completes the words from index FIRST on, the
# ones after `herald` (or `git herald`). Uses bash-completion's cur, prev,
# words and cword, which _herald and git's completion both set.
__herald_complete()
{
	local i=$1 cmd= nargs=0 w

	# the command, a -C before it, and how many arguments follow it
	while [ "$i" -lt "$cword" ]; do
		w=${words[i]}
		if [ -z "$cmd" ]; then
			case "$w" in
			-C) i=$((i + 1))
				__herald_dir=(-C "${words[i]}")
				__herald_C=(-C "${words[i]}") ;;
			-*) ;;
			*) cmd=$w ;;
			esac
		elif [[ "$w" == -* ]]; then
			__herald_takes_value "$w" && i=$((i + 1))
		else
			nargs=$((nargs + 1))
		fi
		i=$((i + 1))
	done

	if [ -z "$cmd" ]; then
		if [ "$prev" = -C ]; then
			__herald_complete_dirs "$cur"
		elif [[ "$cur" == -* ]]; then
			__herald_reply "-C -h --help --version" "$cur"
		else
			__herald_reply "$(__herald_commands) help" "$cur"
		fi
		return
	fi

	case "$cur" in
	--*=*)
		local opt=${cur%%=*} val=${cur#*=}
		if __herald_complete_value "$cmd" "$opt" "$val"; then
			local j
			for j in "${!COMPREPLY[@]}"; do
				COMPREPLY[j]=$opt=${COMPREPLY[j]}
			done
		fi
		return ;;
	-*)
		__herald_reply "$(__herald_options "$cmd")" "$cur"
		return ;;
	esac
	if [[ "$prev" == -* ]] && __herald_complete_value "$cmd" "$prev" "$cur"; then
		return
	fi

	case "$cmd" in
	scan | notes | announce | lint)
		__herald_complete_revs "$cur" ;;
	show)
		__herald_complete_files "$cur" ;;
	install)
		__herald_complete_dirs "$cur" ;;
	targets)
		__herald_reply "$(__herald_targets)" "$cur" ;;
	hook)
		[ "$nargs" = 0 ] && __herald_reply "post-receive pre-receive" "$cur" ;;
	outbox)
		if [ "$nargs" = 0 ]; then
			__herald_reply "list show retry drop" "$cur"
		else
			__herald_reply "$(__herald_outbox_ids)" "$cur"
		fi ;;
	help)
		[ "$nargs" = 0 ] && __herald_reply "$(__herald_commands) config templates" "$cur" ;;
	*)
		COMPREPLY=() ;;
	esac
}

# Does OPTION take a value (the word after it)?
__herald_takes_value()
{
	case "$1" in
	--format | -o | --output | --prepend | --template | --context | \
	--prometheus | --hooks | --at | --since | --until | --now | \
	--max-time | --limit | --posts | -C)
		return 0 ;;
	esac
	return 1
}

_herald()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion -n = || return
	else
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${words[cword]} prev=${words[cword-1]}
	fi
	local __herald_argv=("${words[0]}") __herald_C=() __herald_dir=()
	# a herald named by path runs as itself; else the one on PATH
	[[ "${words[0]}" == */* ]] || __herald_argv=(command herald)
	__herald_complete 1
}

# Called by git's completion for `git herald`, with cur, prev, words and
# cword set; __git_cmd_idx is where `herald` is (git 2.31 and later).
_git_herald()
{
	local __herald_argv=(command git herald) __herald_C=() __herald_dir=()
	local first=${__git_cmd_idx:-}
	if [ -z "$first" ]; then
		first=1
		while [ "$first" -lt "$cword" ] && [ "${words[first]}" != herald ]; do
			first=$((first + 1))
		done
	fi
	# `git -C DIR herald ...`: git's completion keeps DIR in __git_C_args
	if [ "${#__git_C_args[@]}" -gt 0 ] 2>/dev/null; then
		__herald_C=("${__git_C_args[@]}")
		__herald_argv=(command git "${__git_C_args[@]}" herald)
	fi
	__herald_complete $((first + 1))
}

complete -F _herald herald
