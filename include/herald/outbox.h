#ifndef HERALD_OUTBOX_H
#define HERALD_OUTBOX_H

#include <stddef.h>

#include <stdbool.h>

#include "herald/usage.h"

/*
 * The durable outbox under $GIT_DIR/herald/: every announcement is written
 * here before any attempt to send it and removed only after a 2xx (see
 * ARCHITECTURE.md §4).
 *
 *   herald/outbox/ID.json   pending entries
 *   herald/dead/ID.json     entries that failed for good
 *   herald/lock             flock()ed by whoever delivers
 *
 * Entry files are JSON objects (sorted keys, two-space indent) holding every
 * field below, mode 0600 (bodies may carry tokens); the folders are 0700.
 * A string field that is not valid UTF-8 is stored as "<name>_base64"
 * instead, so any bytes round-trip. Every write goes to a temporary file in
 * the same folder (a dot file, which listings ignore), is fsync()ed and
 * renamed into place, and the folder is fsync()ed.
 *
 * IDs are file names, so they are checked first: only [A-Za-z0-9_.-], no
 * leading dot, at most OUTBOX_ID_MAX characters.
 */

#define OUTBOX_ID_MAX 100

struct outbox_entry {
	char *id;           /* "msg_…", stable per repository, target, post and event; also the file name */
	char *target;       /* target name (git config herald.<name>) */
	char *event;        /* "post.new", "post.undrafted", … or "posts.batch" */
	char *post;         /* post path, or NULL for a batch */
	char *title;        /* post title (for listings), or NULL */
	char *body;         /* the request body (NUL-terminated too; may hold NULs) */
	size_t body_len;
	char *content_type; /* e.g. "application/json" */
	char *method;       /* "POST" or "PUT" */
	char *url_suffix;   /* appended to the target url at send time (Matrix txn path), or NULL */
	long long created, next_attempt, last_attempt; /* unix seconds; last_attempt 0 = never */
	int attempts;
	int last_status;    /* HTTP status of the last attempt; 0 = none or network error */
	char *last_error;   /* short text for people (never a URL or secret), or NULL */
	char *response;     /* excerpt of the last response body (<= 1 KiB), or NULL */
};

/*
 * All pointers NULL, all numbers 0. Every string the entry points at is
 * owned by it (malloc()ed) and freed by outbox_entry_release(), which
 * leaves the entry initialised again.
 */
void outbox_entry_init(struct outbox_entry *e);
void outbox_entry_release(struct outbox_entry *e);

/* Is `id` usable as an entry id (and so as a file name)? Says nothing. */
bool outbox_id_valid(const char *id);

struct outbox; /* opaque */

/*
 * Opens (creating with mode 0700 where missing) GITDIR/herald/{outbox,dead}/.
 * NULL after error(). Close with outbox_close().
 */
struct outbox *outbox_open(const char *gitdir);

/* Also unlocks; NULL is fine. */
void outbox_close(struct outbox *ob);

/* GITDIR/herald, owned by `ob`. */
const char *outbox_dir(const struct outbox *ob);

/*
 * flock(LOCK_EX) on GITDIR/herald/lock (created 0600). outbox_lock()
 * waits for it: 0 locked, or -1 after error(). outbox_trylock() does not
 * wait: 0 with *locked true when taken, false when another process holds
 * it; -1 after error(). Locking an outbox that `ob` already holds is 0
 * (and *locked true).
 */
int outbox_lock(struct outbox *ob);
int outbox_trylock(struct outbox *ob, bool *locked);
void outbox_unlock(struct outbox *ob);

/*
 * Writes (or replaces) outbox/ID.json durably: temp file in the same
 * folder, write, fsync, rename, fsync the folder. 0 or -1 after error() —
 * and on -1 nothing partial is left behind (an existing entry is kept as it
 * was, unless only the final folder fsync failed, in which case the new
 * entry is complete but perhaps not yet durable). The id, target, event,
 * content_type and method must be set; a NULL body is stored as "".
 */
int outbox_put(struct outbox *ob, const struct outbox_entry *e);

/*
 * Writes `nr` new entries as outbox_put() does, but makes their names
 * durable with one fsync of the folder for the whole batch. *written says
 * how many files were put (the first ones); on -1 (after error()) the
 * caller removes those with outbox_unlink_batch().
 */
int outbox_put_batch(struct outbox *ob, const struct outbox_entry *v, size_t nr,
		     size_t *written);

/*
 * Removes the pending entries named by `ids` (those that are there), then
 * fsyncs the folder once. 0 or -1 after error().
 */
struct strvec;
int outbox_unlink_batch(struct outbox *ob, const struct strvec *ids);

/*
 * Refuses (error(), -1) herald's folder `dir` when it is not a folder of
 * its own: a symbolic link, owned by another user, or writable by group or
 * others. 0 when fine.
 */
int outbox_check_folder(const char *dir);

/*
 * LOOKUP_FOUND when ID is pending or dead, else LOOKUP_MISSING (also for an
 * invalid id, which no entry can have); LOOKUP_ERROR after error() when the
 * folders cannot be examined.
 */
enum lookup outbox_has(struct outbox *ob, const char *id);

/*
 * All pending (dead=0) or dead (dead=1) entries, sorted by next_attempt
 * then id; caller releases each and frees the array (*out is NULL when *nr
 * is 0). Unreadable files are reported with warning() naming the file and
 * skipped (never deleted). 0, or -1 after error() when the folder cannot be
 * read (then *out is NULL and *nr 0).
 */
int outbox_list(struct outbox *ob, int dead, struct outbox_entry **out,
		size_t *nr);

/*
 * Reads one entry by id (pending first, then dead) into `e`, which must be
 * initialised (it is released first); *dead (which may be NULL) says
 * where. LOOKUP_FOUND, LOOKUP_MISSING, or LOOKUP_ERROR after error().
 * Accepts a unique prefix of the id too (like git's short ids): a prefix
 * matching several entries is an error naming the first few candidates. An
 * entry whose file is unreadable is an error, not "not found".
 */
enum lookup outbox_get(struct outbox *ob, const char *id, struct outbox_entry *e,
		       int *dead);

/*
 * After a 2xx: the pending file goes (and the folder is fsync()ed). An entry
 * that is already gone is not an error. 0 or -1 after error().
 */
int outbox_remove(struct outbox *ob, const char *id);

/*
 * Writes dead/ID.json (durably) with e's fields, then removes outbox/ID.json.
 * The move is atomic: the new content is first written over outbox/ID.json
 * and that file is then renamed into dead/, so a crash leaves the entry in
 * exactly one of the folders. 0 or -1 after error().
 */
int outbox_bury(struct outbox *ob, const struct outbox_entry *e);

/*
 * Dead → pending, same id, attempts 0, next_attempt `now` (the last_*
 * fields are kept as history). Accepts a unique prefix. Atomic like
 * outbox_bury(). 0, or -1 after error() (also when there is no such dead
 * entry).
 */
int outbox_revive(struct outbox *ob, const char *id, long long now);

/*
 * Deletes pending or dead ID (both, should both exist). Accepts a unique
 * prefix. 0, or -1 after error() (also when there is no such entry).
 */
int outbox_drop(struct outbox *ob, const char *id);

/*
 * Counts for monitoring: pending, dead, and the creation time of the oldest
 * pending (0 when none). Unreadable pending files are counted (they are
 * stuck deliveries) but have no creation time; they are reported with
 * warning(). Any pointer may be NULL. 0 or -1 after error().
 */
int outbox_stats(struct outbox *ob, size_t *pending, size_t *dead,
		 long long *oldest);

#endif
