/*
 * The baseline module on a real repository made with libgit2: reads,
 * compare-and-swap moves, forgetting, listing in branch order, replacing
 * all, and that a dry run reads but never writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "herald/baseline.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "herald/banned.h"

static char scratch[] = "/tmp/herald-test-baseline-XXXXXX";

/* A commit with an empty tree and `msg`, on no branch; its id in *id. */
static void make_commit(git_repository *git, const char *msg, git_oid *id)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tid;

	if (git_treebuilder_new(&tb, git, NULL) < 0 || git_treebuilder_write(&tid, tb) < 0 ||
	    git_tree_lookup(&tree, git, &tid) < 0 ||
	    git_signature_new(&sig, "T", "t@example.com", 1583020800, 0) < 0 ||
	    git_commit_create(id, git, NULL, sig, sig, NULL, msg, tree, 0, NULL) < 0)
		die("cannot make a commit");
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
}

static int ref_at(git_repository *git, const char *name, const git_oid *id)
{
	git_oid cur;

	return !git_reference_name_to_id(&cur, git, name) && git_oid_equal(&cur, id);
}

static int ref_exists(git_repository *git, const char *name)
{
	git_oid cur;

	return !git_reference_name_to_id(&cur, git, name);
}

int main(void)
{
	struct repo r;
	struct baseline b, dry;
	struct strvec branches = STRVEC_INIT, want = STRVEC_INIT;
	git_oid a, c, d, got, *ids = NULL, set[2];
	char *s;
	int saved;

	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	git_libgit2_init();
	memset(&r, 0, sizeof(r));
	if (git_repository_init(&r.git, scratch, 1) < 0)
		die("cannot make a repository in '%s'", scratch);
	make_commit(r.git, "a", &a);
	make_commit(r.git, "c", &c);
	make_commit(r.git, "d", &d);
	baseline_init(&b, &r, 0);
	baseline_init(&dry, &r, 1);

	s = baseline_ref("refs/heads/main");
	ok(s && !strcmp(s, "refs/herald/heads/main"), "baseline_ref names refs/herald/heads/main");
	free(s);
	s = baseline_ref("refs/tags/v1");
	ok(!s, "a tag has no baseline ref");
	s = baseline_branch("refs/herald/heads/feature/x");
	ok(s && !strcmp(s, "refs/heads/feature/x"), "baseline_branch is the inverse");
	free(s);
	ok(!baseline_branch("refs/heads/main"), "baseline_branch of a branch ref is NULL");

	ok(baseline_read(&b, "refs/heads/main", &got) == LOOKUP_MISSING,
	   "no baseline before the first push");
	ok(baseline_read(&b, "refs/tags/v1", &got) == LOOKUP_MISSING, "a tag reads as having none");

	ok(!baseline_move(&dry, "refs/heads/main", NULL, &a, "t") &&
	   !ref_exists(r.git, "refs/herald/heads/main"), "a dry run creates nothing, and says 0");
	ok(!baseline_move(&b, "refs/heads/main", NULL, &a, "t") &&
	   ref_at(r.git, "refs/herald/heads/main", &a), "the first move creates it");
	ok(baseline_read(&b, "refs/heads/main", &got) == LOOKUP_FOUND && git_oid_equal(&got, &a),
	   "baseline_read finds it");
	ok(baseline_read(&dry, "refs/heads/main", &got) == LOOKUP_FOUND && git_oid_equal(&got, &a),
	   "a dry run reads as usual");

	saved = dup(2);
	freopen("/dev/null", "w", stderr);
	ok(baseline_move(&b, "refs/heads/main", NULL, &c, "t") < 0 &&
	   ref_at(r.git, "refs/herald/heads/main", &a), "creating over an existing one fails");
	ok(baseline_move(&b, "refs/heads/main", &c, &d, "t") < 0 &&
	   ref_at(r.git, "refs/herald/heads/main", &a),
	   "a move from where it is not (another run moved it) fails and changes nothing");
	ok(baseline_move(&b, "refs/tags/v1", NULL, &a, "t") < 0, "a tag cannot get one");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	ok(!baseline_move(&dry, "refs/heads/main", &a, &c, "t") &&
	   ref_at(r.git, "refs/herald/heads/main", &a), "a dry run moves nothing");
	ok(!baseline_move(&b, "refs/heads/main", &a, &c, "t") &&
	   ref_at(r.git, "refs/herald/heads/main", &c), "a move from where it is succeeds");
	{
		FILE *out = tmpfile();
		char text[512] = "";
		size_t n;
		git_oid from;

		ok(baseline_begin(&b, "refs/heads/main", &d, &from, out) == LOOKUP_FOUND &&
		   git_oid_equal(&from, &c), "baseline_begin: 1 and where to announce from");
		ok(baseline_begin(&dry, "refs/heads/new", &d, &from, out) == LOOKUP_MISSING &&
		   !ref_exists(r.git, "refs/herald/heads/new"), "a dry run begins nothing");
		ok(baseline_begin(&b, "refs/heads/new", &d, &from, out) == LOOKUP_MISSING &&
		   ref_at(r.git, "refs/herald/heads/new", &d), "a new branch: its baseline starts at the tip");
		ok(baseline_deleted(&dry, "refs/heads/new", out) == 0 &&
		   ref_exists(r.git, "refs/herald/heads/new"), "a dry-run deletion keeps the baseline");
		ok(baseline_deleted(&b, "refs/heads/new", out) == 0 &&
		   !ref_exists(r.git, "refs/herald/heads/new"), "a deletion forgets it");
		rewind(out);
		n = fread(text, 1, sizeof(text) - 1, out);
		text[n] = '\0';
		fclose(out);
		ok(strstr(text, "herald: watching refs/heads/new from ") &&
		   strstr(text, "herald: refs/heads/new deleted; its baseline is kept (dry run)\n"
				"herald: refs/heads/new deleted; its baseline is forgotten\n"),
		   "each says what it did");
	}

	ok(!baseline_forget(&dry, "refs/heads/main") && ref_exists(r.git, "refs/herald/heads/main"),
	   "a dry run forgets nothing");
	ok(!baseline_forget(&b, "refs/heads/main") && !ref_exists(r.git, "refs/herald/heads/main"),
	   "forgetting deletes it");
	ok(!baseline_forget(&b, "refs/heads/main"), "forgetting one that is gone is not an error");

	baseline_move(&b, "refs/heads/zeta", NULL, &a, "t");
	baseline_move(&b, "refs/heads/alpha", NULL, &c, "t");
	baseline_move(&b, "refs/heads/feature/x", NULL, &d, "t");
	ok(!baseline_list(&b, &branches, &ids) && branches.nr == 3 &&
	   !strcmp(branches.v[0], "refs/heads/alpha") && git_oid_equal(&ids[0], &c) &&
	   !strcmp(branches.v[1], "refs/heads/feature/x") && git_oid_equal(&ids[1], &d) &&
	   !strcmp(branches.v[2], "refs/heads/zeta") && git_oid_equal(&ids[2], &a),
	   "baseline_list gives every baseline in branch order, with its commit");
	strvec_clear(&branches);
	free(ids);

	strvec_push(&want, "refs/heads/main");
	strvec_push(&want, "refs/heads/other");
	git_oid_cpy(&set[0], &a);
	/* a commit the repository does not have: a shallow clone's case */
	git_oid_fromstr(&set[1], "1234567890123456789012345678901234567890");
	ok(!baseline_replace_all(&dry, &want, set) && ref_exists(r.git, "refs/herald/heads/zeta"),
	   "a dry run replaces nothing");
	ok(!baseline_replace_all(&b, &want, set) && !ref_exists(r.git, "refs/herald/heads/zeta") &&
	   !ref_exists(r.git, "refs/herald/heads/alpha") &&
	   ref_at(r.git, "refs/herald/heads/main", &a) &&
	   ref_at(r.git, "refs/herald/heads/other", &set[1]),
	   "baseline_replace_all leaves exactly the given baselines, missing commits too");
	ok(!baseline_list(&b, &branches, &ids) && branches.nr == 2, "and lists just those");
	strvec_clear(&branches);
	strvec_clear(&want);
	free(ids);

	{
		/* a baseline ref that cannot be read is an error, not a missing one */
		char *path = xstrfmt("%s/refs/herald/heads/broken", scratch);
		FILE *f = fopen(path, "w");
		FILE *out = tmpfile();
		git_oid from;

		if (f) {
			fputs("not an object id\n", f);
			fclose(f);
		}
		saved = dup(2);
		freopen("/dev/null", "w", stderr);
		ok(f && baseline_read(&b, "refs/heads/broken", &got) == LOOKUP_ERROR,
		   "baseline_read: an unreadable baseline is LOOKUP_ERROR");
		ok(f && baseline_begin(&b, "refs/heads/broken", &d, &from, out) == LOOKUP_ERROR,
		   "baseline_begin: so is beginning from it");
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		fclose(out);
		free(path);
	}

	git_repository_free(r.git);
	git_libgit2_shutdown();
	{
		char *cmd = xstrfmt("rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			printf("# cannot remove %s\n", scratch);
		free(cmd);
	}
	return done_testing();
}
