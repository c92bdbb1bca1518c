#ifndef HERALD_SETUP_H
#define HERALD_SETUP_H

#include <git2.h>

#include "herald/options.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strvec.h"

struct range;

/*
 * What every command that reads posts shares: the repository, the site
 * configuration, `--posts` globs and the `--now` instant.
 */
struct setup {
	struct repo *repo;
	struct site site;
	struct strvec globs; /* --posts, in order */
	long long now;
};

/*
 * --posts GLOB and --now DATE, which every such command takes, for its
 * option table (options.h), with the help text the command gives them.
 */
#define SETUP_OPTIONS(s, posts_help, now_help)                                 \
	OPT_CALLBACK("posts", 0, (s), "GLOB", (posts_help), setup_opt_posts), \
	OPT_CALLBACK("now", 0, (s), "DATE", (now_help), setup_opt_now)

/* --posts GLOB and --now DATE: 0, or -1 after error(); ctx is a struct setup. */
int setup_opt_posts(void *ctx, const char *arg);
int setup_opt_now(void *ctx, const char *arg);

void setup_init(struct setup *s);
void setup_release(struct setup *s);

/* Opens the repository; -1 after reporting why. */
int setup_open(struct setup *s);

/*
 * Reads the site configuration from `tree` (may be NULL), replacing any
 * read before.
 */
int setup_site(struct setup *s, git_tree *tree);

/*
 * What announcing a push to `ref` from `from` to `to` starts with: both
 * commits in *rg (release with range_release()), `to`'s tree in *tree
 * (caller frees) and the site configuration read from it. 0, or -1 after
 * error() (naming `ref` when a commit cannot be read).
 */
int setup_push_range(struct setup *s, const git_oid *from, const git_oid *to, const char *ref,
		     struct range *rg, git_tree **tree);

#endif
