/*
 * REPO_PACK_MAP_LIMIT: how much of a pack libgit2 keeps mapped.
 *
 * A repository with a 20 MiB pack (twenty 1 MiB blobs of random bytes, so
 * nothing compresses) is read whole through repo_open_at(); what is mapped
 * of the pack file is then read from /proc/self/maps: more than the 4 MiB
 * herald allowed before (when a walk of a big pack kept remapping it), and
 * no more than the limit (which the bench's RSS goals need).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "herald/banned.h"

#define BLOBS 20

/* Bytes of the process's mappings of files whose path ends in ".pack". */
static unsigned long long pack_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	unsigned long long total = 0, lo, hi;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *nl = strchr(line, '\n');
		size_t len;

		if (nl)
			*nl = '\0';
		len = strlen(line);
		if (len > 5 && !strcmp(line + len - 5, ".pack") &&
		    sscanf(line, "%llx-%llx", &lo, &hi) == 2)
			total += hi - lo;
	}
	fclose(f);
	return total;
}

/*
 * Opens `dir` and reads every blob of HEAD's tree; *mapped is what is
 * mapped of the pack before the repository is closed (which unmaps it).
 * 0 or -1.
 */
static int read_all(const char *dir, size_t *blobs, unsigned long long *mapped)
{
	struct repo *r = repo_open_at(dir);
	git_commit *c = NULL;
	git_tree *t = NULL;
	size_t i;
	int ret = -1;

	*blobs = 0;
	*mapped = 0;
	if (!r)
		return -1;
	if (repo_commit(r, "HEAD", &c) < 0 || git_commit_tree(&t, c) < 0)
		goto out;
	for (i = 0; i < git_tree_entrycount(t); i++) {
		git_blob *b;

		if (git_blob_lookup(&b, r->git, git_tree_entry_id(git_tree_entry_byindex(t, i))) < 0)
			goto out;
		if (git_blob_rawsize(b) == 1 << 20)
			(*blobs)++;
		git_blob_free(b);
	}
	*mapped = pack_mapped();
	ret = 0;
out:
	git_tree_free(t);
	git_commit_free(c);
	repo_free(r);
	return ret;
}

int main(void)
{
	char dir[] = "/tmp/herald-test-packmap-XXXXXX";
	unsigned long long mapped = 0;
	size_t got = 0, opt = 0;
	char *cmd;
	int rc;

	ok(mkdtemp(dir) != NULL, "a scratch folder");
	cmd = xstrfmt("cd '%s' && export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null && "
		      "git init -q . && i=0 && while [ $i -lt %d ]; do "
		      "head -c 1048576 /dev/urandom >b$i || exit 1; i=$((i + 1)); done && "
		      "git add . && git -c user.name=t -c user.email=t@example.com commit -q -m blobs && "
		      "git repack -q -a -d && test $(ls .git/objects/pack/*.pack | wc -l) = 1",
		      dir, BLOBS);
	ok(system(cmd) == 0, "git makes a repository of %d random 1 MiB blobs in one pack", BLOBS);
	free(cmd);

	repo_library_start();
	rc = read_all(dir, &got, &mapped);
	ok(rc == 0 && got == BLOBS, "all %zu blobs read", got);
	git_libgit2_opts(GIT_OPT_GET_MWINDOW_MAPPED_LIMIT, &opt);
	ok(opt == REPO_PACK_MAP_LIMIT, "libgit2 was told %zu MiB (%zu)", REPO_PACK_MAP_LIMIT >> 20, opt);
	ok(mapped > 4 << 20 && mapped <= REPO_PACK_MAP_LIMIT,
	   "more than 4 MiB and at most %zu MiB of the pack stayed mapped (%llu KiB)",
	   REPO_PACK_MAP_LIMIT >> 20, mapped >> 10);
	repo_library_stop();

	cmd = xstrfmt("rm -rf '%s'", dir);
	ok(system(cmd) == 0, "the scratch folder is removed");
	free(cmd);
	return done_testing();
}
