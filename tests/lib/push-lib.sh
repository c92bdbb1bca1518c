# What the tests that push into a bare repository with herald's hooks
# share. Source it after test-lib.sh.

# the hooks run in git's own processes: they find herald through $HERALD
case $HERALD in /*) ;; *) HERALD="$(pwd)/$HERALD" ;; esac
export HERALD

# install_hooks GITDIR: the two hook scripts, as `herald install` would
install_hooks() {
	for h in post-receive pre-receive; do
		printf '#!/bin/sh\nexec "$HERALD" hook %s\n' $h >"$1/hooks/$h" &&
		chmod +x "$1/hooks/$h" || return 1
	done
}

# push NAME ARGS...: git push ARGS; everything the pusher sees goes to
# $TRASH/NAME.push and into the test's log
push() {
	n=$1 && shift
	git push "$@" >"$TRASH/$n.push" 2>&1
	rc=$?
	sed -e 's/^/| /' "$TRASH/$n.push"
	return $rc
}
