#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "herald/baseline.h"
#include "herald/fileio.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define BRANCH_PREFIX "refs/heads/"

void baseline_init(struct baseline *b, struct repo *r, int dry_run)
{
	b->repo = r;
	b->dry_run = dry_run;
}

char *baseline_ref(const char *branch)
{
	if (!branch || strncmp(branch, BRANCH_PREFIX, strlen(BRANCH_PREFIX)))
		return NULL;
	return xstrfmt(BASELINE_PREFIX "%s", branch + strlen(BRANCH_PREFIX));
}

char *baseline_branch(const char *ref)
{
	if (!ref || strncmp(ref, BASELINE_PREFIX, strlen(BASELINE_PREFIX)))
		return NULL;
	return xstrfmt(BRANCH_PREFIX "%s", ref + strlen(BASELINE_PREFIX));
}

enum lookup baseline_read(const struct baseline *b, const char *branch, git_oid *id)
{
	char *name = baseline_ref(branch);
	enum lookup ret = LOOKUP_FOUND;
	int rc;

	if (!name)
		return LOOKUP_MISSING;
	rc = git_reference_name_to_id(id, b->repo->git, name);
	if (rc == GIT_ENOTFOUND) {
		ret = LOOKUP_MISSING;
	} else if (rc < 0) {
		repo_error(name);
		ret = LOOKUP_ERROR;
	}
	free(name);
	return ret;
}

/*
 * Moves the baseline of `branch` to `to` (see baseline_move()), or, with
 * `to` NULL, forgets it. One place decides what a dry run and a ref that
 * is not a branch do.
 */
static int change(const struct baseline *b, const char *branch, const git_oid *from,
		  const git_oid *to, const char *why)
{
	char *name = baseline_ref(branch);
	git_reference *ref = NULL;
	int rc, ret = 0;

	if (!name)
		return error("'%s' is not a branch; it has no baseline", branch);
	if (b->dry_run)
		goto out;
	if (!to) {
		rc = git_reference_lookup(&ref, b->repo->git, name);
		if (rc != GIT_ENOTFOUND && (rc < 0 || git_reference_delete(ref) < 0))
			ret = repo_error(name);
		goto out;
	}
	if (fileio_fault("baseline") < 0) {
		ret = error("cannot move '%s': %s", name, strerror(errno));
		goto out;
	}
	if (from)
		rc = git_reference_create_matching(&ref, b->repo->git, name, to, 1, from, why);
	else
		rc = git_reference_create(&ref, b->repo->git, name, to, 0, why);
	if (rc < 0)
		ret = repo_error(name);
out:
	git_reference_free(ref);
	free(name);
	return ret;
}

int baseline_move(const struct baseline *b, const char *branch, const git_oid *from,
		  const git_oid *to, const char *why)
{
	return change(b, branch, from, to, why);
}

int baseline_forget(const struct baseline *b, const char *branch)
{
	return change(b, branch, NULL, NULL, NULL);
}

int baseline_deleted(const struct baseline *b, const char *branch, FILE *out)
{
	int ret = baseline_forget(b, branch);

	fprintf(out, "herald: %s deleted; %s\n", branch,
		b->dry_run ? "its baseline is kept (dry run)" : "its baseline is forgotten");
	return ret;
}

enum lookup baseline_begin(const struct baseline *b, const char *branch, const git_oid *tip,
			   git_oid *from, FILE *out)
{
	enum lookup rc = baseline_read(b, branch, from);

	if (rc != LOOKUP_MISSING)
		return rc;
	fprintf(out, "herald: watching %s from %.7s on; nothing announced for what came before\n",
		branch, git_oid_tostr_s(tip));
	return baseline_move(b, branch, NULL, tip, "herald: baseline") < 0 ? LOOKUP_ERROR :
									      LOOKUP_MISSING;
}

struct listed {
	char *branch;
	git_oid id;
};

static int cmp_listed(const void *a_, const void *b_)
{
	const struct listed *a = a_, *b = b_;

	return strcmp(a->branch, b->branch);
}

int baseline_list(const struct baseline *b, struct strvec *branches, git_oid **ids)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL, *resolved = NULL;
	struct listed *v = NULL;
	size_t nr = 0, alloc = 0, i;
	int rc, ret = 0;

	*ids = NULL;
	if (git_reference_iterator_glob_new(&it, b->repo->git, BASELINE_PREFIX "*") < 0)
		return repo_error("cannot list " BASELINE_PREFIX "*");
	while (!(rc = git_reference_next(&ref, it))) {
		char *branch = baseline_branch(git_reference_name(ref));
		if (branch) {
			ALLOC_GROW(v, nr + 1, alloc);
			v[nr].branch = branch;
			memset(&v[nr].id, 0, sizeof(v[nr].id));
			if (!git_reference_resolve(&resolved, ref) && git_reference_target(resolved))
				git_oid_cpy(&v[nr].id, git_reference_target(resolved));
			nr++;
		}
		git_reference_free(resolved);
		resolved = NULL;
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER)
		ret = repo_error("cannot list " BASELINE_PREFIX "*");
	if (nr)
		qsort(v, nr, sizeof(*v), cmp_listed);
	if (!ret && nr)
		*ids = xcalloc(nr, sizeof(**ids));
	for (i = 0; i < nr; i++) {
		if (!ret) {
			strvec_push_nodup(branches, v[i].branch);
			git_oid_cpy(&(*ids)[i], &v[i].id);
		} else {
			free(v[i].branch);
		}
	}
	free(v);
	return ret;
}

int baseline_replace_all(const struct baseline *b, const struct strvec *branches,
			 const git_oid *ids)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	size_t i;
	int rc;

	if (b->dry_run)
		return 0;
	if (git_reference_iterator_glob_new(&it, b->repo->git, BASELINE_PREFIX "*") < 0)
		return repo_error("cannot list " BASELINE_PREFIX "*");
	while (!(rc = git_reference_next(&ref, it))) {
		if (git_reference_delete(ref) < 0) {
			repo_error(git_reference_name(ref));
			git_reference_free(ref);
			git_reference_iterator_free(it);
			return -1;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER)
		return repo_error("cannot list " BASELINE_PREFIX "*");
	for (i = 0; i < branches->nr; i++) {
		char *name = baseline_ref(branches->v[i]);
		if (!name)
			return error("'%s' is not a branch; it has no baseline", branches->v[i]);
		/* the commit may be missing from a shallow clone: name it anyway */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
		rc = git_reference_create(&ref, b->repo->git, name, &ids[i], 1, "herald: state");
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
		git_reference_free(ref);
		ref = NULL;
		if (rc < 0) {
			repo_error(name);
			free(name);
			return -1;
		}
		free(name);
	}
	return 0;
}
