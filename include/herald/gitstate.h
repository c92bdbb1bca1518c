#ifndef HERALD_GITSTATE_H
#define HERALD_GITSTATE_H

#include <stdbool.h>
#include <git2.h>

#include "herald/strbuf.h"
#include "herald/strvec.h"

struct repo;

/*
 * herald's state kept in git, for CI runners that start from a fresh clone
 * every time (ARCHITECTURE.md §6). The ref refs/herald/state on the remote
 * is a commit whose tree holds what a server keeps in $GIT_DIR/herald and
 * refs/herald/heads/...:
 *
 *   version          "1"
 *   baselines        "<commit> refs/heads/<branch>" lines, sorted
 *   ledger           the ledger file
 *   status.json      per-target delivery records
 *   outbox/ID.json   pending deliveries
 *   dead/ID.json     dead letters
 *
 * A run fetches it (gitstate_fetch), copies it into the clone's
 * $GIT_DIR/herald and refs/herald/heads/... (gitstate_checkout), where every
 * other module reads and writes as on a server, and pushes the result back
 * as one new commit whose parent is the fetched tip (gitstate_push). The
 * push is never forced, so it is a compare-and-swap: when another run
 * pushed first, ours is refused and the caller fetches and redoes its work.
 *
 * This is the only module that knows where state lives: git config
 * herald.state = git | local says which (gitstate_wanted).
 *
 * The remote (git config herald.remote, default origin) is reached by
 * running `git` itself: it has the credentials the CI's checkout left
 * (actions/checkout's http extraHeader, GitLab's token in the url),
 * compares-and-swaps on every transport (libgit2 1.5's local transport
 * moves a ref without checking its old value) and can fetch single
 * commits into a shallow clone. cienv_auth_header() adds a token when
 * the clone has none.
 */

#define GITSTATE_REF "refs/herald/state"

struct gitstate {
	struct repo *repo;
	char *remote;      /* herald.remote, default "origin" */
	char *auth_header; /* an extra http header for git, or NULL; a secret */
	git_oid tip;       /* the state commit our work builds on */
	int has_tip;       /* 0: the remote has no state yet */
};

/*
 * Where state lives: `choice` ("git" or "local", from a command line; may
 * be NULL), else git config herald.state, else git when `ci_default`.
 * 0 with *in_git set (true: git, false: local), or -1 after error() for
 * another word.
 */
int gitstate_wanted(struct repo *r, const char *choice, bool ci_default, bool *in_git);

/*
 * Reads herald.remote and what authenticates git. 0, or -1 after error()
 * when there is no such remote. gitstate_init_quiet() says nothing: true
 * when the remote exists, false when not (a lookup that cannot fail).
 * Release with gitstate_release() either way.
 */
int gitstate_init(struct gitstate *gs, struct repo *r);
bool gitstate_init_quiet(struct gitstate *gs, struct repo *r);
void gitstate_release(struct gitstate *gs);

/*
 * Fetches the remote's refs/herald/state into the local ref of that name
 * (a remote without one empties the local one) and makes it the tip.
 * 0 or -1 after error().
 */
int gitstate_fetch(struct gitstate *gs);

/* Makes the local refs/herald/state the tip, without the network. */
int gitstate_use_local(struct gitstate *gs);

/*
 * Replaces the ledger, status.json, outbox and dead under `herald_dir`
 * (created 0700 when missing; the lock and log stay) with the tip's, or
 * empties them when there is no tip. With `set_refs`, the repository's
 * refs/herald/heads/... become the tip's baselines too. 0 or -1 after
 * error(), which names the bad entry of a state that is not herald's.
 */
int gitstate_checkout(struct gitstate *gs, const char *herald_dir, int set_refs);

/*
 * The tip's baselines: refs/heads/NAME names in `branches`, their commits in
 * *ids (caller frees), in the same order. 0 or -1 after error().
 */
int gitstate_baselines(struct gitstate *gs, struct strvec *branches, git_oid **ids);

/*
 * A copy of the tip's state for reading (herald status): a new folder
 * under $TMPDIR holding herald/ as gitstate_checkout() writes it; *dir is
 * that folder, to pass where a git dir is expected (caller frees, after
 * gitstate_snapshot_remove()). 0 or -1 after error().
 */
int gitstate_snapshot(struct gitstate *gs, char **dir);
void gitstate_snapshot_remove(const char *dir);

/*
 * Commits `herald_dir` and refs/herald/heads/... as a child of the tip and
 * pushes it to the remote's refs/herald/state without force. Returns 0
 * when pushed (the commit is the new tip) or when nothing changed (nothing
 * is pushed), and also when the remote's state moved since the fetch: then
 * *stale is set (fetch and try again) and nothing was pushed. -1 after
 * error().
 */
int gitstate_push(struct gitstate *gs, const char *herald_dir, const char *message,
		  bool *stale);

/*
 * Runs `git ARGS...` on the repository (with the authentication above,
 * no terminal prompts), its standard output into `out` and its standard
 * error into `err` (either may be NULL: then it goes to /dev/null and to
 * our standard error). The exit code, or -1 after error() when git cannot
 * be run.
 */
int gitstate_git(struct gitstate *gs, const char *const *args, struct strbuf *out,
		 struct strbuf *err);

#endif
