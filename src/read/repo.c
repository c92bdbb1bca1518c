#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

int repo_error(const char *what)
{
	const git_error *e = git_error_last();

	return error("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

static void tune_libgit2(void)
{
	/*
	 * Defaults suit a long-lived process; herald is short-lived and must
	 * stay small on big histories, so cap caches and mapped pack windows.
	 * Bigger is not faster here: caching trees up to 1 MiB in a 16 MiB
	 * cache made `scan --all` of the 10,000-post bench repository slower
	 * (4.5 s to 5.7 s user+sys, 59 to 152 MiB), since the attribution
	 * walk reads each tree once and keeps the few it needs again itself.
	 *
	 * Pack windows are 1 MiB, and 8 MiB of them may stay mapped. A walk of
	 * a history reads commits, trees and blobs from all over a pack; with
	 * 4 MiB, `scan --all` of 10,000 posts in year folders (a 26 MiB pack)
	 * mapped and unmapped 955 windows in turn: 7,500 page faults and 0.97
	 * s, against 4,000 and 0.78 s with 8 MiB (16 MiB gained nothing more).
	 * Mapped pack pages belong to the page cache, shared with git, but
	 * they count in the RSS that the bench holds under 64 MiB for `scan
	 * --all` and `digest` of the flat BIG: 58 -> 61 MiB with 8 MiB.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)(2 * 1024 * 1024));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, REPO_PACK_MAP_LIMIT);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)(1024 * 1024));
	/*
	 * git itself does not re-hash every object it reads; libgit2 does by
	 * default, which doubles the cost of walking a long history.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* big tree buffers stay in the heap: src/lib/heap.c sets that policy */
}

/*
 * Opens `path` (NULL: what the environment and the current folder name)
 * with libgit2's `flags`; `shown` is the folder named in errors. libgit2
 * says why it refused a repository only in its message text.
 */
static struct repo *open_with(const char *path, unsigned int flags, const char *shown)
{
	struct repo *r = xcalloc(1, sizeof(*r));
	const char *p;
	int major, minor, rev, rc;

	tune_libgit2();
	rc = git_repository_open_ext(&r->git, path, flags, NULL);
	if (rc < 0) {
		const git_error *e = git_error_last();
		const char *msg = e && e->message ? e->message : "";

		git_libgit2_version(&major, &minor, &rev);
		if (strstr(msg, "objectformat"))
			error("'%s' is a SHA-256 repository, which libgit2 %d.%d cannot read",
			      shown, major, minor);
		else if (strstr(msg, "refstorage"))
			error("'%s' stores its refs in reftable, which libgit2 %d.%d cannot read",
			      shown, major, minor);
		else if (rc == GIT_ENOTFOUND || strstr(msg, "could not find repository"))
			error("not a git repository: '%s'", shown);
		else
			error("cannot open the repository at '%s': %s", shown,
			      *msg ? msg : "unknown libgit2 error");
		free(r);
		return NULL;
	}
	r->gitdir = xstrdup(git_repository_path(r->git));
	p = git_repository_workdir(r->git);
	r->workdir = p ? xstrdup(p) : NULL;
	return r;
}

struct repo *repo_open(void)
{
	char cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	return open_with(NULL, GIT_REPOSITORY_OPEN_FROM_ENV, cwd);
}

struct repo *repo_open_at(const char *path)
{
	return open_with(path, GIT_REPOSITORY_OPEN_NO_SEARCH, path);
}

void repo_free(struct repo *r)
{
	if (!r)
		return;
	git_repository_free(r->git);
	free(r->gitdir);
	free(r->workdir);
	free(r);
}

int repo_commit(struct repo *r, const char *rev, git_commit **out)
{
	git_object *obj = NULL, *peeled = NULL;
	int ret = 0;

	*out = NULL;
	if (git_revparse_single(&obj, r->git, rev) < 0) {
		const git_error *e = git_error_last();
		if (e && e->klass != GIT_ERROR_REFERENCE && e->klass != GIT_ERROR_INVALID &&
		    e->klass != GIT_ERROR_ODB && e->klass != GIT_ERROR_OBJECT)
			return repo_error(rev);
		return error("unknown revision '%s'", rev);
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		ret = error("'%s' does not name a commit", rev);
		goto out;
	}
	*out = (git_commit *)peeled;
out:
	git_object_free(obj);
	return ret;
}

int repo_config_multivar(struct repo *r, const char *name, struct strvec *out)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *entry;
	int ret = 0, rc;

	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_error("cannot read git config");
	if (git_config_multivar_iterator_new(&it, cfg, name, NULL) < 0) {
		ret = repo_error("cannot read git config");
		goto out;
	}
	while (!(rc = git_config_next(&entry, it)))
		strvec_push(out, entry->value);
	if (rc != GIT_ITEROVER)
		ret = repo_error("cannot read git config");
out:
	git_config_iterator_free(it);
	git_config_free(cfg);
	return ret;
}

char *repo_config_string(struct repo *r, const char *name)
{
	git_config *cfg = NULL;
	const char *v = NULL;
	char *res = NULL;

	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return NULL;
	if (!git_config_get_string(&v, cfg, name) && v)
		res = xstrdup(v);
	git_config_free(cfg);
	return res;
}

int repo_config_count(struct repo *r, const char *name, long def, long *out)
{
	char *v = repo_config_string(r, name), *end;
	long n;
	int ret = 0;

	*out = def;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno)
		ret = error("%s: '%s' is not a count (a whole number, 0 or more)", name, v);
	else
		*out = n;
	free(v);
	return ret;
}

enum lookup repo_tree_blob(struct repo *r, git_tree *tree, const char *path, git_blob **out)
{
	git_tree_entry *entry = NULL;
	enum lookup ret = LOOKUP_FOUND;

	*out = NULL;
	if (!tree)
		return LOOKUP_MISSING;
	if (git_tree_entry_bypath(&entry, tree, path) < 0)
		return LOOKUP_MISSING;
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		ret = LOOKUP_MISSING;
		goto out;
	}
	if (git_blob_lookup(out, r->git, git_tree_entry_id(entry)) < 0) {
		repo_error(path);
		ret = LOOKUP_ERROR;
	}
out:
	git_tree_entry_free(entry);
	return ret;
}

int repo_blob_capped(git_repository *git, const git_oid *id, const char *path,
		     size_t max, git_blob **out, size_t *size)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t len;
	int ret = 0;

	*out = NULL;
	*size = 0;
	if (git_repository_odb(&odb, git) < 0)
		return repo_error(path);
	if (git_odb_read_header(&len, &type, odb, id) < 0) {
		ret = repo_error(path);
		goto out;
	}
	*size = len;
	if (len > max)
		goto out; /* too large: *out stays NULL */
	if (git_blob_lookup(out, git, id) < 0)
		ret = repo_error(path);
out:
	git_odb_free(odb);
	return ret;
}

const char *repo_hex(const git_oid *oid)
{
	static char bufs[2][GIT_OID_HEXSZ + 1];
	static int which;
	char *b = bufs[which ^= 1];

	git_oid_tostr(b, sizeof(bufs[0]), oid);
	return b;
}
