#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "herald/fileio.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* Temporary files are dot files, which no outbox id can be. */
#define TEMP_PREFIX ".tmp-"
/* Keeps ".tmp-NAME-XXXXXX" within NAME_MAX however long NAME is. */
#define TEMP_NAME_MAX 200
#define TEMP_TRIES 100
/* Batches larger than this are made durable with one syncfs(). */
#define FILEIO_BATCH_SYNCFS 16

/*
 * The fault hook: HERALD_FAULT=write:N fails the Nth durable write of the
 * process, HERALD_FAULT=write:KIND every write of that kind. Counted in
 * one place so a test can walk through every write in turn.
 */
static unsigned long fault_count;

int fileio_fault(const char *kind)
{
	const char *spec = getenv("HERALD_FAULT");
	char *end;
	unsigned long n;

	fault_count++;
	if (!spec || strncmp(spec, "write:", 6))
		return 0;
	spec += 6;
	n = strtoul(spec, &end, 10);
	if (end != spec && !*end ? n == fault_count : !strcmp(spec, kind)) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int fileio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* Only a full device makes write() stop without an error. */
		if (!n) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fileio_fsync(int fd)
{
	while (fsync(fd) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int fileio_fsync_dir(const char *dir)
{
	int fd, ret = 0;

	do {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return error("cannot open folder '%s': %s", dir,
			     strerror(errno));
	/* Some file systems cannot sync a folder; nothing more to do there. */
	if (fileio_fsync(fd) < 0 && errno != EINVAL && errno != ENOTSUP)
		ret = error("cannot sync folder '%s': %s", dir,
			    strerror(errno));
	close(fd);
	return ret;
}

/*
 * Fills the six X's that end `tmp` with letters and digits. getrandom()
 * does not fail for so few bytes once the system is up; should it, the
 * time, the pid and the attempt still make a name, which O_EXCL checks.
 */
static void fill_random(struct strbuf *tmp, unsigned attempt)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	char *x = tmp->buf + tmp->len - sizeof(r);
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		unsigned long v;

		clock_gettime(CLOCK_REALTIME, &ts);
		v = (unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec << 30 ^
		    (unsigned long)getpid() << 12 ^ attempt * 2654435761u;
		for (i = 0; i < sizeof(r); i++, v >>= 6)
			r[i] = (unsigned char)v;
	}
	for (i = 0; i < sizeof(r); i++)
		x[i] = chars[r[i] % (sizeof(chars) - 1)];
}

/*
 * Creates folder/.tmp-BASE-XXXXXX with O_EXCL and `mode`, leaving its name
 * in `tmp`. The kernel applies the umask, so unlike mkstemp() plus
 * fchmod() no umask() call races with other threads. The descriptor, or
 * -1 with errno set and `tmp` empty.
 */
static int create_temp(struct strbuf *tmp, const char *folder,
		       const char *base, mode_t mode)
{
	size_t blen = strlen(base);
	unsigned tries;
	int fd = -1;

	for (tries = 0; fd < 0 && tries < TEMP_TRIES; tries++) {
		strbuf_reset(tmp);
		strbuf_addf(tmp, "%s/" TEMP_PREFIX, folder);
		strbuf_add(tmp, base, blen < TEMP_NAME_MAX ? blen : TEMP_NAME_MAX);
		strbuf_addstr(tmp, "-XXXXXX");
		fill_random(tmp, tries);
		do {
			fd = open(tmp->buf,
				  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		} while (fd < 0 && errno == EINTR);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		strbuf_reset(tmp);
	return fd;
}

static int write_atomic(const char *path, const void *data, size_t len,
			mode_t mode, int sync_folder, int exact_mode)
{
	struct strbuf folder = STRBUF_INIT, tmp = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int fd = -1, ret = 0;

	if (!*base) {
		ret = error("'%s' names a folder, not a file", path);
		goto out;
	}
	if (slash)
		strbuf_add(&folder, path,
			   slash == path ? 1 : (size_t)(slash - path));
	else
		strbuf_addstr(&folder, ".");
	fd = create_temp(&tmp, folder.buf, base, mode);
	if (fd < 0) {
		ret = error("cannot create a temporary file in '%s': %s",
			    folder.buf, strerror(errno));
		goto out;
	}
	if ((exact_mode && fchmod(fd, mode) < 0) ||
	    fileio_write_all(fd, data, len) < 0 || fileio_fsync(fd) < 0) {
		ret = error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0) {
		ret = error("cannot rename '%s' to '%s': %s", tmp.buf, path,
			    strerror(errno));
		goto out;
	}
	strbuf_reset(&tmp); /* renamed: nothing left to clean up */
	if (sync_folder)
		ret = fileio_fsync_dir(folder.buf);
out:
	if (fd >= 0)
		close(fd);
	if (tmp.len)
		unlink(tmp.buf);
	strbuf_release(&folder);
	strbuf_release(&tmp);
	return ret;
}

int fileio_write_atomic(const char *path, const void *data, size_t len,
			mode_t mode)
{
	return write_atomic(path, data, len, mode, 1, 0);
}

int fileio_write_user(const char *path, const void *data, size_t len)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return error("cannot examine '%s': %s", path, strerror(errno));
		return write_atomic(path, data, len, 0666, 1, 0);
	}
	if (!S_ISREG(st.st_mode))
		return error("'%s' is not a regular file%s; herald only replaces regular files",
			     path, S_ISLNK(st.st_mode) ? " but a symbolic link" : "");
	/* the file keeps its permissions, whatever the umask says */
	return write_atomic(path, data, len, st.st_mode & 07777, 1, 1);
}

int fileio_write_atomic_nodirsync(const char *path, const void *data,
				  size_t len, mode_t mode)
{
	return write_atomic(path, data, len, mode, 0, 0);
}

int fileio_open_append(const char *path, mode_t mode)
{
	int fd;

	do {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
				O_NOFOLLOW, mode);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return error("cannot open '%s': %s", path, strerror(errno));
	return fd;
}

int fileio_append(int fd, const char *path, const void *data, size_t len)
{
	if (fileio_write_all(fd, data, len) < 0 || fileio_fsync(fd) < 0)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}

int fileio_read_own(struct strbuf *sb, const char *path, size_t cap)
{
	struct stat st;
	int fd, e;

	do {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (strbuf_read_fd(sb, fd, cap) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

void fileio_batch_init(struct fileio_batch *b, const char *folder)
{
	b->folder = xstrdup(folder);
	strvec_init(&b->tmp);
	strvec_init(&b->dst);
}

int fileio_batch_add(struct fileio_batch *b, const char *path, const void *data,
		     size_t len, mode_t mode)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd, ret = 0;

	fd = create_temp(&tmp, b->folder, slash ? slash + 1 : path, mode);
	if (fd < 0)
		return error("cannot create a temporary file in '%s': %s", b->folder,
			     strerror(errno));
	if (fileio_write_all(fd, data, len) < 0) {
		ret = error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
	}
	if (close(fd) < 0 && !ret) {
		ret = error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
	}
	if (!ret) {
		strvec_push(&b->tmp, tmp.buf);
		strvec_push(&b->dst, path);
	}
	strbuf_release(&tmp);
	return ret;
}

int fileio_batch_commit(struct fileio_batch *b, size_t *done)
{
	size_t i;
	int fd, synced = 0;

	*done = 0;
	if (!b->tmp.nr)
		return 0;
	/*
	 * For a big batch one syncfs() makes every file's data durable at
	 * once, where an fsync() per file would wait for the disk as many
	 * times. It also flushes whatever else is dirty on that file system,
	 * so a small batch (a push's few posts) fsync()s its own files.
	 */
	if (b->tmp.nr > FILEIO_BATCH_SYNCFS) {
		fd = open(b->folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			synced = !syncfs(fd);
			close(fd);
		}
	}
	for (i = 0; !synced && i < b->tmp.nr; i++) {
		int f = open(b->tmp.v[i], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (f < 0 || fileio_fsync(f) < 0) {
			int e = errno;
			if (f >= 0)
				close(f);
			return error("cannot write '%s': %s", b->dst.v[i], strerror(e));
		}
		close(f);
	}
	for (i = 0; i < b->tmp.nr; i++) {
		if (rename(b->tmp.v[i], b->dst.v[i]) < 0)
			return error("cannot rename '%s' to '%s': %s", b->tmp.v[i],
				     b->dst.v[i], strerror(errno));
		free(b->tmp.v[i]);
		b->tmp.v[i] = NULL;
		(*done)++;
	}
	return fileio_fsync_dir(b->folder);
}

void fileio_batch_release(struct fileio_batch *b)
{
	size_t i;

	for (i = 0; i < b->tmp.nr; i++)
		if (b->tmp.v[i])
			unlink(b->tmp.v[i]);
	strvec_clear(&b->tmp);
	strvec_clear(&b->dst);
	free(b->folder);
	b->folder = NULL;
}
