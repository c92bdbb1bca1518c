#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herald/date.h"
#include "herald/range.h"
#include "herald/repo.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

void setup_init(struct setup *s)
{
	memset(s, 0, sizeof(*s));
	site_init(&s->site);
	s->now = (long long)time(NULL);
}

void setup_release(struct setup *s)
{
	repo_free(s->repo);
	site_release(&s->site);
	strvec_clear(&s->globs);
	memset(s, 0, sizeof(*s));
}

int setup_opt_posts(void *ctx, const char *arg)
{
	struct setup *s = ctx;

	if (!*arg)
		return error("--posts needs a glob");
	strvec_push(&s->globs, arg);
	return 0;
}

int setup_opt_now(void *ctx, const char *arg)
{
	struct setup *s = ctx;

	if (date_parse(arg, &s->now) < 0)
		return error("--now: '%s' is not a date (use RFC 3339, e.g. 2026-11-26T00:00:00Z)", arg);
	return 0;
}

int setup_open(struct setup *s)
{
	s->repo = repo_open();
	return s->repo ? 0 : -1;
}

int setup_site(struct setup *s, git_tree *tree)
{
	/* a hook or a tick reads one branch after another: start afresh */
	site_release(&s->site);
	site_init(&s->site);
	return site_load(&s->site, s->repo, tree, &s->globs);
}

int setup_push_range(struct setup *s, const git_oid *from, const git_oid *to, const char *ref,
		     struct range *rg, git_tree **tree)
{
	if (git_commit_lookup(&rg->from, s->repo->git, from) < 0 ||
	    git_commit_lookup(&rg->to, s->repo->git, to) < 0 ||
	    git_commit_tree(tree, rg->to) < 0)
		return repo_error(ref);
	return setup_site(s, *tree);
}
