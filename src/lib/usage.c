#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

static char *log_path;
static struct strbuf *capture;

void usage_capture(struct strbuf *sb)
{
	capture = sb;
}

void usage_set_log(const char *path)
{
	free(log_path);
	log_path = path ? xstrdup(path) : NULL;
}

__attribute__((format(printf, 2, 0)))
static void report(const char *level, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT, msg = STRBUF_INIT;

	/* messages quote paths, titles and answers: nothing raw reaches a terminal */
	strbuf_vaddf(&msg, fmt, ap);
	if (capture) {
		if (capture->len)
			strbuf_addstr(capture, "; ");
		strbuf_add_printable(capture, msg.buf, msg.len);
		strbuf_release(&msg);
		return;
	}
	strbuf_addf(&sb, "herald: %s: ", level);
	strbuf_add_printable(&sb, msg.buf, msg.len);
	strbuf_release(&msg);
	strbuf_addch(&sb, '\n');
	fflush(stdout);
	fwrite(sb.buf, 1, sb.len, stderr);
	if (log_path) {
		/* herald's own file: never through a link someone planted */
		int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!f && fd >= 0)
			close(fd);
		if (f) {
			char stamp[32];
			time_t now = time(NULL);
			struct tm tm;
			gmtime_r(&now, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
			fprintf(f, "%s %s", stamp, sb.buf);
			fclose(f);
		}
	}
	strbuf_release(&sb);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning", fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("fatal", fmt, ap);
	va_end(ap);
	exit(EXIT_FATAL);
}

void bug_fl(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "herald: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
