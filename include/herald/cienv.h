#ifndef HERALD_CIENV_H
#define HERALD_CIENV_H

/*
 * What a CI job tells herald about the push it runs for, read from the
 * CI's own variables (never from the pushed tree):
 *
 *   GitHub, Forgejo and Gitea Actions: GITHUB_EVENT_PATH (a JSON file with
 *     "before", "after", "ref" and repository.default_branch), GITHUB_REF,
 *     GITHUB_SHA when the event carries no "after" (workflow_dispatch,
 *     schedule)
 *   GitLab CI: CI_COMMIT_BEFORE_SHA (all zeros on a branch's first
 *     pipeline), CI_COMMIT_SHA, CI_COMMIT_BRANCH, CI_DEFAULT_BRANCH
 *   anywhere else: HERALD_FROM, HERALD_TO (any revision), HERALD_REF
 *
 * HERALD_TO, when set, wins over what a CI says, so a job can point herald
 * at another range. Every function takes the environment as a lookup
 * function (getenv, or a table in the unit tests).
 */

/* Looks a variable up: its value, or NULL when unset. */
typedef const char *(*cienv_get_fn)(const char *name);

struct ci_push {
	const char *provider; /* "github", "gitlab" or "env"; static */
	char *before;         /* a revision, or NULL: unknown or a new branch */
	char *after;          /* a revision; NULL when the branch was deleted */
	char *ref;            /* full ref name, or NULL when the CI names none */
	char *default_branch; /* full ref name, or NULL when the CI names none */
};

/*
 * Reads the push. Returns 0, or -1 after error() when no CI's variables
 * are there or they do not hold a push (a malformed event file names
 * file:line:column). Release with cienv_release() either way.
 */
int cienv_read(struct ci_push *p, cienv_get_fn get);
void cienv_release(struct ci_push *p);

/*
 * The HTTP header that authenticates herald's fetch and push of its state
 * ref, for `git -c http.extraHeader=…`, or NULL (caller frees):
 *
 *   HERALD_TOKEN, always (user HERALD_TOKEN_USER, default "oauth2" on
 *     GitLab and "x-access-token" elsewhere), for a token that may push;
 *   else, only when the clone carries no credentials of its own
 *     (`has_credentials` 0: no http extraHeader in its config and no user
 *     in the remote's url), GITHUB_TOKEN as "x-access-token" or
 *     CI_JOB_TOKEN as "gitlab-ci-token".
 *
 * Only for http(s) remotes; `url` is the remote's url.
 */
char *cienv_auth_header(cienv_get_fn get, const char *url, int has_credentials);

/* Is `s` 40 hex digits, all zeros (git's "no commit")? */
int cienv_is_zero_id(const char *s);

#endif
