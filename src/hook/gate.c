#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>
#include <jansson.h>

#include "herald/baseline.h"
#include "herald/frontmatter.h"
#include "herald/gate.h"
#include "herald/hookio.h"
#include "herald/lint.h"
#include "herald/repo.h"
#include "herald/setup.h"
#include "herald/site.h"
#include "herald/usage.h"
#include "herald/banned.h"

/*
 * A pushed .herald.yml is linted itself: one that does not parse, or is
 * not a mapping, is an error like a broken post (it would be ignored and
 * the defaults used, silently changing which files are posts).
 */
static unsigned long lint_site_config(struct repo *r, const git_oid *id, const char *path,
				      FILE *out)
{
	git_blob *blob = NULL;
	struct frontmatter fm;
	json_t *c = NULL;
	unsigned long errors = 0;

	frontmatter_init(&fm);
	if (git_blob_lookup(&blob, r->git, id) < 0) {
		repo_error(path);
		return 1;
	}
	if (frontmatter_parse_yaml(&fm, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				   1, &c) < 0) {
		const struct frontmatter_problem *p = frontmatter_first_error(&fm);
		fprintf(out, "%s:%d:%d: error: %s\n", path, p ? p->line : 1, p ? p->column : 1,
			p ? p->message : "cannot be read");
		errors++;
	} else if (c && !json_is_object(c)) {
		fprintf(out, "%s:1:1: error: not a mapping of settings\n", path);
		errors++;
	} else if (json_object_get(c, "posts") && !json_is_array(json_object_get(c, "posts")) &&
		   !json_is_string(json_object_get(c, "posts"))) {
		fprintf(out, "%s:1:1: error: 'posts' is not a list of globs\n", path);
		errors++;
	}
	json_decref(c);
	frontmatter_release(&fm);
	git_blob_free(blob);
	return errors;
}

/*
 * Lints the posts one update changes; returns the number of errors. Which
 * paths are posts comes from the branch as it was before the push (or git
 * config) as well as from the pushed tree: a push that also rewrites
 * .herald.yml (to `posts: ["nothing/..."]`) cannot take its broken post out
 * of the gate.
 */
unsigned long gate_update(struct setup *st, const struct ref_update *u, FILE *out)
{
	git_commit *from = NULL, *to = NULL, *before = NULL;
	git_tree *a = NULL, *b = NULL, *before_tree = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	struct site prior;
	struct lint l;
	size_t i, n;
	struct baseline bl;
	git_oid base, head;
	unsigned long extra = 0;

	memset(&l, 0, sizeof(l));
	site_init(&prior);
	baseline_init(&bl, st->repo, 1);
	if (git_commit_lookup(&to, st->repo->git, &u->new_id) < 0 ||
	    git_commit_tree(&b, to) < 0) {
		repo_error(u->ref);
		extra++;
		goto out;
	}
	/* a gate that cannot read its rules refuses rather than waves through */
	if (setup_site(st, b) < 0) {
		extra++;
		goto out;
	}
	if (!git_oid_is_zero(&u->old_id))
		git_commit_lookup(&from, st->repo->git, &u->old_id);
	else if (baseline_read(&bl, u->ref, &base) == LOOKUP_FOUND)
		git_commit_lookup(&from, st->repo->git, &base);
	if (from && git_commit_tree(&a, from) < 0) {
		repo_error(u->ref);
		extra++;
		goto out;
	}
	/* the rules before the push: the branch's own, else the default branch's */
	if (from)
		before_tree = a;
	else if (!git_reference_name_to_id(&head, st->repo->git, "HEAD") &&
		 !git_commit_lookup(&before, st->repo->git, &head))
		git_commit_tree(&before_tree, before);
	if (site_load(&prior, st->repo, before_tree, &st->globs) < 0) {
		extra++;
		goto out;
	}
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, st->repo->git, a, b, &dopts) < 0) {
		repo_error("cannot compare the pushed commits");
		extra++;
		goto out;
	}
	l.site = &st->site;
	l.now = st->now;
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path;
		if (d->status == GIT_DELTA_DELETED)
			continue;
		if (!strcmp(path, ".herald.yml") && S_ISREG(d->new_file.mode)) {
			extra += lint_site_config(st->repo, &d->new_file.id, path, out);
			continue;
		}
		if (!site_is_post_path(&st->site, path) && !site_is_post_path(&prior, path))
			continue;
		lint_file(&l, st->repo, path, &d->new_file.id, (git_filemode_t)d->new_file.mode, out);
	}
out:
	site_release(&prior);
	git_diff_free(diff);
	if (before_tree != a)
		git_tree_free(before_tree);
	git_tree_free(a);
	git_tree_free(b);
	git_commit_free(before);
	git_commit_free(from);
	git_commit_free(to);
	return l.errors + extra;
}
