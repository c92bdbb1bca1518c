#!/bin/sh
# Runs one unit test binary under valgrind for `make leakcheck` (prove
# --exec): any leak or memory error fails it.
exec valgrind -q --error-exitcode=126 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect "$@"
