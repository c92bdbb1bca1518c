#ifndef HERALD_TEST_CAPTURE_H
#define HERALD_TEST_CAPTURE_H

/*
 * For unit tests that check what herald prints: begin_capture(DIR) sends
 * stderr to DIR/stderr until end_capture(DIR, out), which puts what came
 * into `out`. Include after herald/strbuf.h and herald/usage.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int capture_fd = -1, saved_stderr = -1;

__attribute__((unused))
static void begin_capture(const char *dir)
{
	char *path = xstrfmt("%s/stderr", dir);

	fflush(stderr);
	capture_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	saved_stderr = dup(2);
	if (capture_fd < 0 || saved_stderr < 0 || dup2(capture_fd, 2) < 0)
		die("cannot capture stderr: %s", strerror(errno));
	free(path);
}

__attribute__((unused))
static void end_capture(const char *dir, struct strbuf *out)
{
	char *path = xstrfmt("%s/stderr", dir);

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	close(capture_fd);
	strbuf_reset(out);
	if (strbuf_read_file(out, path, 0) < 0)
		strbuf_addstr(out, "(unreadable)");
	unlink(path);
	free(path);
}

#endif
