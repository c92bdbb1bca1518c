#include <stdlib.h>
#include <string.h>

#include "herald/range.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

void range_release(struct range *rg)
{
	git_commit_free(rg->from);
	git_commit_free(rg->to);
	rg->from = rg->to = NULL;
}

static int first_parent(git_commit *c, git_commit **out)
{
	*out = NULL;
	if (!git_commit_parentcount(c))
		return 0;
	if (git_commit_parent(out, c, 0) < 0)
		return repo_error("cannot read the parent commit");
	return 0;
}

static int dotted(struct range *rg, struct repo *r, const char *arg)
{
	const char *dots = strstr(arg, "..");
	int three = dots[2] == '.';
	char *left = xstrndup(arg, (size_t)(dots - arg));
	const char *right = dots + (three ? 3 : 2);
	int ret = 0;

	if (repo_commit(r, *left ? left : "HEAD", &rg->from) < 0 ||
	    repo_commit(r, *right ? right : "HEAD", &rg->to) < 0) {
		ret = -1;
		goto out;
	}
	if (three) {
		git_oid base;
		git_commit *b = NULL;
		if (git_merge_base(&base, r->git, git_commit_id(rg->from),
				   git_commit_id(rg->to)) < 0) {
			ret = error("'%s' and '%s' have no common ancestor", left, right);
			goto out;
		}
		if (git_commit_lookup(&b, r->git, &base) < 0) {
			ret = repo_error("cannot read the merge base");
			goto out;
		}
		git_commit_free(rg->from);
		rg->from = b;
	}
out:
	free(left);
	return ret;
}

int range_resolve(struct range *rg, struct repo *r, int argc, char **argv, int all)
{
	memset(rg, 0, sizeof(*rg));
	if (all) {
		if (argc > 1)
			return error("--all takes at most one revision");
		return repo_commit(r, argc ? argv[0] : "HEAD", &rg->to);
	}
	if (argc > 2)
		return error("too many revisions; give FROM and TO, or FROM..TO");
	if (argc == 1 && strstr(argv[0], ".."))
		return dotted(rg, r, argv[0]);
	if (argc == 0) {
		if (repo_commit(r, "HEAD", &rg->to) < 0)
			return -1;
		return first_parent(rg->to, &rg->from);
	}
	if (repo_commit(r, argv[0], &rg->from) < 0 ||
	    repo_commit(r, argc == 2 ? argv[1] : "HEAD", &rg->to) < 0) {
		range_release(rg);
		return -1;
	}
	return 0;
}
