#!/bin/sh
# Runs one unit test binary under valgrind for `make leakcheck` (prove
# --exec): any leak or memory error fails it.
exec valgrind -q --error-exitcode=126 --leak-check=full \
	--suppressions="$(dirname "$0")/valgrind.supp" \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect "$@"
