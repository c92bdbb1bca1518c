#ifndef HERALD_BASELINE_H
#define HERALD_BASELINE_H

#include <stdio.h>

#include <git2.h>

#include "herald/strvec.h"
#include "herald/usage.h"

struct repo;

/*
 * The push baseline: refs/herald/heads/BRANCH names the commit of
 * refs/heads/BRANCH up to which herald has announced. The post-receive
 * hook, `herald tick`, `herald ci`, the CI state (gitstate.c), the
 * announcement's transaction (announce.c) and `herald status` reach these
 * refs only through this module.
 *
 * Dry runs are decided here: a baseline opened with dry_run reads as
 * usual, and baseline_move() and baseline_forget() change nothing and
 * return 0, so a rehearsed push leaves every baseline where it was.
 *
 * Branches are full ref names, refs/heads/NAME; any other ref has no
 * baseline (baseline_ref() is NULL, reads find nothing, moves fail).
 */
struct baseline {
	struct repo *repo;
	int dry_run;
};

#define BASELINE_PREFIX "refs/herald/heads/"

void baseline_init(struct baseline *b, struct repo *r, int dry_run);

/* refs/herald/heads/NAME for refs/heads/NAME (caller frees), or NULL. */
char *baseline_ref(const char *branch);

/* refs/heads/NAME for refs/herald/heads/NAME (caller frees), or NULL. */
char *baseline_branch(const char *ref);

/*
 * Where the branch's baseline is: LOOKUP_FOUND with *id, LOOKUP_MISSING
 * when it has none (or `branch` is not a branch), LOOKUP_ERROR after
 * error() when it cannot be read.
 */
enum lookup baseline_read(const struct baseline *b, const char *branch, git_oid *id);

/*
 * Moves the baseline of `branch` to `to` by compare-and-swap: only from
 * `from`, or, with from NULL, only when it has none yet (the first push of
 * a branch). `why` goes to the ref's reflog. Returns 0, or -1 after error()
 * (another run moved it first, or the ref cannot be written). A dry run
 * returns 0 and moves nothing.
 */
int baseline_move(const struct baseline *b, const char *branch, const git_oid *from,
		  const git_oid *to, const char *why);

/*
 * Forgets the baseline of a deleted branch; 0 also when it had none, -1
 * after error(). A dry run forgets nothing.
 */
int baseline_forget(const struct baseline *b, const char *branch);

/*
 * The two ends of a branch's life, as a push (or a CI run for one) meets
 * them, each saying on `out` what it did:
 *
 * baseline_deleted(): the branch was deleted; its baseline is forgotten
 * (kept in a dry run). 0, or -1 after error().
 *
 * baseline_begin(): the branch is at `tip`. When it has no baseline yet
 * (the first push, a new branch) the baseline starts at `tip` and nothing
 * is to be announced for what came before: LOOKUP_MISSING. Otherwise
 * LOOKUP_FOUND with *from, the baseline, for the caller to announce
 * from..tip. LOOKUP_ERROR after error().
 */
int baseline_deleted(const struct baseline *b, const char *branch, FILE *out);
enum lookup baseline_begin(const struct baseline *b, const char *branch, const git_oid *tip,
		   git_oid *from, FILE *out);

/*
 * Every baseline, sorted by branch: refs/heads/NAME in `branches`, its
 * commit at the same index of *ids (caller frees; a zero id for a ref
 * that does not resolve to an object id). 0, or -1 after error().
 */
int baseline_list(const struct baseline *b, struct strvec *branches, git_oid **ids);

/*
 * Makes the baselines exactly `branches` at `ids` (a CI run checking out
 * its state). The commits need not be in the repository: a shallow clone
 * often lacks them and fetches them when it needs them. 0, or -1 after
 * error(). A dry run changes nothing.
 */
int baseline_replace_all(const struct baseline *b, const struct strvec *branches,
			 const git_oid *ids);

#endif
