#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herald/fileio.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "herald/banned.h"

static char scratch[] = "/tmp/herald-test-fileio-XXXXXX";

/* --- helpers --- */

/*
 * error() writes to stderr; while `run` runs, stderr is a pipe whose
 * contents land in `out`. The messages are short, so the pipe never fills.
 */
static int stderr_of(int (*run)(const char *), const char *arg,
		     struct strbuf *out)
{
	int p[2], saved, ret;
	char buf[4096];
	ssize_t n;

	fflush(stderr);
	if (pipe(p) < 0 || (saved = dup(2)) < 0 || dup2(p[1], 2) < 0)
		die("cannot redirect stderr: %s", strerror(errno));
	close(p[1]);
	ret = run(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	strbuf_reset(out);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)n);
	close(p[0]);
	return ret;
}

static int file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

static int has_text(const char *path, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	int same = strbuf_read_file(&sb, path, 0) == 0 && !strcmp(sb.buf, want);

	strbuf_release(&sb);
	return same;
}

/* Every name in `folder` other than . and .., one per line, sorted. */
static char *names_in(const char *folder)
{
	struct strbuf sb = STRBUF_INIT;
	struct dirent **list;
	int i, n = scandir(folder, &list, NULL, alphasort);

	if (n < 0)
		return xstrdup("(unreadable)");
	for (i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))
			strbuf_addf(&sb, "%s\n", list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return strbuf_detach(&sb, NULL);
}

static int write_x(const char *path)
{
	return fileio_write_atomic(path, "x", 1, 0644);
}

static int fsync_folder(const char *path)
{
	return fileio_fsync_dir(path);
}

static int open_append(const char *path)
{
	int fd = fileio_open_append(path, 0600);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

/* --- fileio_write_atomic --- */

static void test_write_atomic(void)
{
	char *dir = xstrfmt("%s/atomic", scratch);
	char *path = xstrfmt("%s/out.prom", dir);
	char *names;
	mode_t old = umask(022);

	if (mkdir(dir, 0700))
		die("mkdir '%s': %s", dir, strerror(errno));
	is_int(fileio_write_atomic(path, "one\n", 4, 0640), 0, "creates a file");
	ok(has_text(path, "one\n"), "with the bytes");
	is_int(file_mode(path), 0640, "and the mode asked for");
	is_int(fileio_write_atomic(path, "two, longer\n", 12, 0666), 0,
	       "replaces a file");
	ok(has_text(path, "two, longer\n"), "with the new bytes");
	is_int(file_mode(path), 0644, "and the new mode less the umask");
	umask(077);
	is_int(fileio_write_atomic(path, "", 0, 0600), 0, "writes nothing");
	ok(has_text(path, ""), "as an empty file");
	is_int(file_mode(path), 0600, "0600 stays 0600");
	names = names_in(dir);
	is_str(names, "out.prom\n", "no temporary file is left behind");
	free(names);

	umask(old);
	free(path);
	free(dir);
}

static void test_relative(void)
{
	char *cwd = getcwd(NULL, 0);
	char *names;

	if (!cwd || chdir(scratch))
		die("cannot enter '%s': %s", scratch, strerror(errno));
	is_int(fileio_write_atomic("plain", "p", 1, 0600), 0,
	       "a name without a folder is written in the current one");
	names = names_in(".");
	ok(has_text("plain", "p") && strstr(names, "plain\n") &&
		   !strstr(names, ".tmp-"),
	   "and leaves only the file");
	free(names);
	unlink("plain");
	if (chdir(cwd))
		die("cannot go back to '%s': %s", cwd, strerror(errno));
	free(cwd);
}

static void test_long_name(void)
{
	struct strbuf path = STRBUF_INIT;
	char *names;

	strbuf_addf(&path, "%s/", scratch);
	strbuf_addchars(&path, 'n', 250);
	is_int(fileio_write_atomic(path.buf, "n", 1, 0600), 0,
	       "a 250-byte name still gets a temporary file");
	ok(has_text(path.buf, "n"), "and is written");
	unlink(path.buf);
	names = names_in(scratch);
	ok(!strstr(names, ".tmp-"), "leaving no temporary file");
	free(names);
	strbuf_release(&path);
}

static void test_failures(void)
{
	char *missing = xstrfmt("%s/no/such/file.json", scratch);
	char *folder = xstrfmt("%s/", scratch);
	char *blocked = xstrfmt("%s/blocked", scratch);
	char *inside = xstrfmt("%s/blocked/keep", scratch);
	char *before, *after;
	struct strbuf err = STRBUF_INIT;
	struct stat st;

	is_int(stderr_of(write_x, missing, &err), -1,
	       "a missing folder is an error");
	ok(strstr(err.buf, "herald: error: cannot create a temporary file in '") &&
		   strstr(err.buf, "/no/such': "),
	   "which names the folder and the reason");
	ok(stat(missing, &st) && errno == ENOENT, "and creates nothing");

	is_int(stderr_of(write_x, folder, &err), -1,
	       "a path that ends in '/' is an error");
	ok(strstr(err.buf, "names a folder, not a file") != NULL,
	   "which says so");

	/* A folder in the way makes rename() fail after the write. */
	if (mkdir(blocked, 0700) || fileio_write_atomic(inside, "k", 1, 0600))
		die("cannot set up '%s': %s", blocked, strerror(errno));
	before = names_in(scratch);
	is_int(stderr_of(write_x, blocked, &err), -1,
	       "a folder in the way is an error");
	ok(strstr(err.buf, "herald: error: cannot rename '") &&
		   strstr(err.buf, "/.tmp-blocked-") &&
		   strstr(err.buf, "/blocked': "),
	   "which names both files");
	after = names_in(scratch);
	is_str(after, before, "and the temporary file is gone");
	ok(has_text(inside, "k"), "and the folder is untouched");

	unlink(inside);
	rmdir(blocked);
	free(after);
	free(before);
	free(missing);
	free(folder);
	free(blocked);
	free(inside);
	strbuf_release(&err);
}

/* --- fileio_open_append, fileio_append, fileio_fsync_dir --- */

static void test_append(void)
{
	char *path = xstrfmt("%s/ledger", scratch);
	char *missing = xstrfmt("%s/no/ledger", scratch);
	char *gone = xstrfmt("%s/no", scratch);
	struct strbuf err = STRBUF_INIT;
	mode_t old = umask(022);
	int fd;

	fd = fileio_open_append(path, 0600);
	ok(fd >= 0, "opens a new file for appending");
	is_int(file_mode(path), 0600, "with the mode asked for");
	is_int(fileio_append(fd, path, "a\n", 2), 0, "appends");
	close(fd);
	fd = fileio_open_append(path, 0600);
	is_int(fileio_append(fd, path, "b\n", 2), 0, "appends after reopening");
	ok(lseek(fd, 0, SEEK_SET) == 0 && fileio_append(fd, path, "c\n", 2) == 0,
	   "and at the end even after a seek");
	close(fd);
	ok(has_text(path, "a\nb\nc\n"), "keeping what was there");
	is_int(fileio_fsync_dir(scratch), 0, "syncs a folder");

	is_int(stderr_of(open_append, missing, &err), -1,
	       "a missing folder is an error");
	ok(strstr(err.buf, "herald: error: cannot open '") &&
		   strstr(err.buf, "/no/ledger': "),
	   "which names the file");
	is_int(stderr_of(fsync_folder, gone, &err), -1,
	       "syncing a missing folder is an error");
	ok(strstr(err.buf, "herald: error: cannot open folder '") != NULL,
	   "which names the folder");

	umask(old);
	unlink(path);
	free(path);
	free(missing);
	free(gone);
	strbuf_release(&err);
}

/* --- fileio_write_all --- */

#define PIPED (1u << 20)

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

struct reader {
	int fd;
	pthread_t writer;
	char *buf;
	size_t len;
};

/*
 * Drains the pipe a page at a time, so the writer keeps blocking, and after
 * each page signals the writer, which cuts its write() short. The signals
 * follow the reads, so the writer always gets somewhere, however slow the
 * machine (valgrind) is.
 */
static void *slow_reader(void *data)
{
	struct reader *r = data;
	ssize_t n;

	while ((n = read(r->fd, r->buf + r->len, 4096)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || r->len + (size_t)n > PIPED)
			break;
		r->len += (size_t)n;
		pthread_kill(r->writer, SIGUSR1);
	}
	return NULL;
}

static void test_write_all_interrupted(void)
{
	struct sigaction sa, old_sa;
	struct reader r = { -1, pthread_self(), NULL, 0 };
	pthread_t th;
	char *data = xmalloc(PIPED);
	int p[2], rc, saved_errno;
	size_t i;

	for (i = 0; i < PIPED; i++)
		data[i] = (char)(i * 7 + i / 4093);
	r.buf = xmalloc(PIPED + 4096);
	if (pipe(p) < 0)
		die("pipe: %s", strerror(errno));
	r.fd = p[0];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: write() returns early */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old_sa);
	if (pthread_create(&th, NULL, slow_reader, &r))
		die("cannot start a thread");
	rc = fileio_write_all(p[1], data, PIPED);
	saved_errno = errno;
	close(p[1]);
	/* The reader signals until it sees the end: only then is it safe. */
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old_sa, NULL);
	close(p[0]);

	is_int(rc, 0, "write_all goes on after short writes and EINTR");
	if (rc)
		diag("errno: %s", strerror(saved_errno));
	ok(r.len == PIPED && !memcmp(r.buf, data, PIPED),
	   "every byte arrives, in order");
	ok(interrupts > 0, "while signals cut the writes short");
	free(data);
	free(r.buf);
}

static void test_write_all_short_then_error(void)
{
	char *path = xstrfmt("%s/capped", scratch);
	struct rlimit old, cap;
	struct stat st;
	void (*old_handler)(int);
	char data[100];
	int fd, rc, saved_errno;

	memset(data, 'z', sizeof(data));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || getrlimit(RLIMIT_FSIZE, &old))
		die("cannot set up '%s': %s", path, strerror(errno));
	cap = old;
	cap.rlim_cur = 10;
	/* Past the cap, write() is short once, then fails with EFBIG. */
	old_handler = signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &cap);
	rc = fileio_write_all(fd, data, sizeof(data));
	saved_errno = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, old_handler);
	close(fd);

	is_int(rc, -1, "write_all fails when the rest cannot be written");
	is_int(saved_errno, EFBIG, "with the errno of the failing write");
	ok(!stat(path, &st) && st.st_size == 10,
	   "after writing the part that fitted");
	is_int(fileio_write_all(-1, "x", 1), -1, "a bad descriptor fails");
	is_int(fileio_write_all(-1, "", 0), 0, "writing nothing never fails");
	unlink(path);
	free(path);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_write_atomic();
	test_relative();
	test_long_name();
	test_failures();
	test_append();
	test_write_all_interrupted();
	test_write_all_short_then_error();
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
