#ifndef HERALD_REPO_H
#define HERALD_REPO_H

#include <git2.h>

#include "herald/strvec.h"
#include "herald/usage.h"

/*
 * The libgit2 adapter: opening the repository the way git would (respecting
 * GIT_DIR and the quarantine of a pre-receive hook), resolving revisions,
 * and turning libgit2's errors into ours.
 */
struct repo {
	git_repository *git;
	char *gitdir;  /* with a trailing '/' */
	char *workdir; /* NULL for a bare repository */
};

/*
 * Starts and stops libgit2 for the process (git_libgit2_init and _shutdown),
 * without its TLS and SSH set-up: herald never lets libgit2 open a
 * connection, so the system's CA bundle is not parsed and libssh2 (with
 * OpenSSL's engines) is not started for it (src/read/start.c says how).
 */
void repo_library_start(void);
void repo_library_stop(void);
/* How many times libgit2 asked to read a CA file and was refused (tests). */
unsigned repo_ca_file_reads_refused(void);
/*
 * How many of libgit2's libssh2_init() / libssh2_exit() calls were skipped,
 * and how many libssh2_init() calls of others went to libssh2 (tests).
 */
void repo_ssh_calls(unsigned *starts_skipped, unsigned *stops_skipped,
		    unsigned *starts_forwarded);

/* How much of the pack files libgit2 may keep mapped at once (repo.c says why). */
#define REPO_PACK_MAP_LIMIT ((size_t)8 << 20)

/*
 * Opens the repository at or above the current folder, or the one the
 * environment names. Returns NULL after reporting why (not a repository,
 * SHA-256 or reftable formats that libgit2 cannot read).
 */
struct repo *repo_open(void);

/* Opens the repository at `path` itself (no search upwards), as repo_open() reports. */
struct repo *repo_open_at(const char *path);
void repo_free(struct repo *r);

/* Reports libgit2's last error after "what: "; returns -1. */
int repo_error(const char *what);

/* Resolves any revision to a commit; reports an unknown one. Caller frees. */
int repo_commit(struct repo *r, const char *rev, git_commit **out);

/* All values of a multi-valued git config key, in order. */
int repo_config_multivar(struct repo *r, const char *name, struct strvec *out);
/* A config string (caller frees) or NULL when unset. */
char *repo_config_string(struct repo *r, const char *name);
/*
 * A config value that counts something (herald.maxAnnounce): a whole
 * number, 0 or more, into *out; `def` when unset. A unit such as "10m" is
 * an error, not a multiplier. 0 or -1.
 */
int repo_config_count(struct repo *r, const char *name, long def, long *out);

/*
 * Reads the blob at `path` in `tree` (caller frees): LOOKUP_FOUND,
 * LOOKUP_MISSING (*out NULL) when `tree` is NULL or has no blob there, or
 * LOOKUP_ERROR after reporting a libgit2 error.
 */
enum lookup repo_tree_blob(struct repo *r, git_tree *tree, const char *path, git_blob **out);

/*
 * Reads the blob `id` unless it is larger than `max` bytes, which it learns
 * from the object's header without inflating it. Returns 0 with *out the
 * blob (caller frees with git_blob_free) or NULL when it is too large, or
 * -1 after reporting a libgit2 error about `path`. *size is the blob's size
 * whenever 0 is returned. `git` may be any handle on the
 * repository (lint opens one per thread).
 */
int repo_blob_capped(git_repository *git, const git_oid *id, const char *path,
		     size_t max, git_blob **out, size_t *size);

/* The 40-hex id of an oid, in a static buffer (two alternate buffers). */
const char *repo_hex(const git_oid *oid);

#endif
