#ifndef HERALD_CI_H
#define HERALD_CI_H

#include <stdio.h>

struct setup;

/*
 * `herald ci`: what the post-receive hook does for one push, run from a
 * CI job on a fresh clone. The push comes from the CI's variables
 * (cienv.h); state lives in refs/herald/state on the remote (gitstate.h)
 * unless herald.state = local.
 *
 * A run with state in git:
 *   1. fetches the state and copies it into the clone;
 *   2. announces baseline..after for a watched branch into the outbox
 *      (a first run only sets the baseline), completing a shallow clone's
 *      history where the range needs it;
 *   3. leases every due delivery (its next attempt moved past the run's
 *      budget) and pushes the state: this push is the claim. When another
 *      run pushed first, everything is thrown away and the run starts
 *      again at 1, so nothing is announced twice;
 *   4. delivers what it leased, within the budget;
 *   5. pushes the outcome; when another run pushed in between, fetches
 *      again and re-applies only its own entries' outcomes.
 */
struct ci_options {
	int deliver_only;  /* --deliver: steps 1, 3-5 (a scheduled drain) */
	int dry_run;       /* print what would be sent; change nothing */
	const char *state; /* "git" or "local" from the command line, or NULL */
	long budget;       /* seconds for delivering; 0: herald.ciBudget (60) */
	FILE *out;         /* what a person reads */
};

/* 0, or -1 after error(). */
int ci_run(struct setup *st, const struct ci_options *o);

#endif
