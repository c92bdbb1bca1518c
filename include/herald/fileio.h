#ifndef HERALD_FILEIO_H
#define HERALD_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "herald/strvec.h"

/*
 * Writing files durably. A file that readers must never see half written
 * (outbox entries, status.json, rendered pages, Prometheus text) is
 * replaced with fileio_write_atomic(); an append-only file (the ledger)
 * is opened with fileio_open_append() and grown with fileio_append().
 *
 * Temporary files are dot files in the target's folder, named
 * ".tmp-NAME-XXXXXX" for target NAME: listings that skip dot files (the
 * outbox's) never see them, and they never end like the target, so a glob
 * such as node_exporter's *.prom does not pick them up either.
 */

/*
 * Writes all `len` bytes of `buf` to `fd`, going on after short writes and
 * EINTR. 0, or -1 with errno set (nothing printed: the caller knows the
 * file's name).
 */
int fileio_write_all(int fd, const void *buf, size_t len);

/* fsync(fd), retried on EINTR. 0, or -1 with errno set (nothing printed). */
int fileio_fsync(int fd);

/*
 * Makes the creation, rename or removal of a name in folder `dir` durable.
 * File systems that cannot sync a folder (EINVAL, ENOTSUP) count as done.
 * 0 or -1 after error().
 */
int fileio_fsync_dir(const char *dir);

/*
 * Replaces `path` with `len` bytes of `data` or leaves it as it was: a
 * temporary file in the same folder is created with `mode` (less the
 * umask, as open(2) does), written, fsync()ed and renamed over `path`, and
 * the folder is fsync()ed. On failure no temporary file is left. 0 or -1
 * after error(), which names the file.
 */
int fileio_write_atomic(const char *path, const void *data, size_t len,
			mode_t mode);

/*
 * Replaces a file a person named (`-o`, `--prepend`) like
 * fileio_write_atomic(): a new file gets 0666 less the umask, an existing
 * regular file keeps its mode exactly, and anything else (a symbolic link,
 * a fifo, a folder) is refused with an error naming it. 0 or -1 after
 * error().
 */
int fileio_write_user(const char *path, const void *data, size_t len);

/*
 * The same without the fsync of the folder, for batches: the caller makes
 * the names durable with one fileio_fsync_dir() after the last file.
 */
int fileio_write_atomic_nodirsync(const char *path, const void *data,
				  size_t len, mode_t mode);

/*
 * Opens (creating with `mode`, less the umask) `path` for appending with
 * O_APPEND and O_NOFOLLOW (a symbolic link is refused, ELOOP). The descriptor, or -1 after error(). The caller closes it and,
 * when the file is new, makes its name durable with fileio_fsync_dir().
 */
int fileio_open_append(const char *path, mode_t mode);

/*
 * Writes `len` bytes of `data` to `fd` (opened by fileio_open_append() for
 * `path`, which only names it in messages) and fsync()s it. On failure part
 * of the data may be in the file. 0 or -1 after error().
 */
int fileio_append(int fd, const char *path, const void *data, size_t len);

/*
 * Many new files in one folder, durable together: fileio_batch_add() writes
 * each to a temporary file there (not yet synced), fileio_batch_commit()
 * makes all their data durable (one syncfs() for a batch of more than 16,
 * else, or where that fails, an fsync() per file), renames each into place and fsyncs the folder once;
 * *done says how many were renamed. fileio_batch_release() removes the
 * temporary files left. The caller undoes a partial batch (it knows the
 * names). Add and commit: 0 or -1 after error().
 */
struct fileio_batch {
	char *folder;
	struct strvec tmp, dst; /* temporary and final paths, in order */
};
void fileio_batch_init(struct fileio_batch *b, const char *folder);
int fileio_batch_add(struct fileio_batch *b, const char *path, const void *data,
		     size_t len, mode_t mode);
int fileio_batch_commit(struct fileio_batch *b, size_t *done);
void fileio_batch_release(struct fileio_batch *b);

/*
 * Reads herald's own file `path` (ledger, status, outbox entry) into `sb`:
 * opened with O_NOFOLLOW and checked to be a regular file on the opened
 * descriptor, so a symbolic link planted in herald's folder is never
 * followed (ELOOP) and a fifo neither blocks nor is read (EINVAL). More than `cap` bytes
 * (0: no cap) is EFBIG. 0, or -1 with errno set (nothing printed).
 */
struct strbuf;
int fileio_read_own(struct strbuf *sb, const char *path, size_t cap);

/*
 * The fault hook, for tests only: every durable write herald makes to its
 * own state (transaction record, outbox entry, ledger, baseline move,
 * removal of a delivered entry, status.json) first calls fileio_fault()
 * with its kind ("txn", "entry", "ledger", "baseline", "removal",
 * "status"). Unless the environment variable HERALD_FAULT is set it
 * returns 0 and does nothing else. HERALD_FAULT=write:N makes the Nth such
 * call of the process fail; HERALD_FAULT=write:KIND makes every call of
 * that kind fail; a failing call returns -1 with errno ENOSPC, as a full
 * disk would. Never set it on a real server.
 */
int fileio_fault(const char *kind);

#endif
