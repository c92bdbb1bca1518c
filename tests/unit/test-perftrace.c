/*
 * perftrace (src/lib/perftrace.c): HERALD_TRACE_PERF turns it on, to
 * standard error or appended to a regular file (never a link, a fifo or a
 * device); the line names the command and its phases in the order first
 * marked, sums a phase marked twice, gives the first phase no wall time,
 * and adds up to its total. Off, it writes nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "herald/perftrace.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "herald/banned.h"

static char dir[] = "/tmp/herald-test-perftrace-XXXXXX";

/* Burns about `ms` of CPU time. */
static void spin(double ms)
{
	struct timespec a, b;
	volatile unsigned long n = 0;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do {
		n++;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6 < ms);
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)n);
	close(fd);
	return strbuf_detach(&sb, NULL);
}

/* A traced `version` run with HERALD_TRACE_PERF=value; its warnings in `err`. */
static void traced_run(const char *value, struct strbuf *err)
{
	setenv("HERALD_TRACE_PERF", value, 1);
	strbuf_reset(err);
	usage_capture(err);
	perftrace_init();
	perftrace_mark("start");
	perftrace_report("version", NULL);
	usage_capture(NULL);
}

static int lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* The CPU figure after "NAME " in `line`, or -1. */
static double cpu_of(const char *line, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "%s ", name);
	for (p = line; (p = strstr(p, key)); p++)
		if (p == line || p[-1] == ' ')
			return strtod(p + strlen(key), NULL);
	return -1;
}

int main(void)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;
	char *text, *two;
	double a, b, c, rest, total;

	ok(mkdtemp(dir) != NULL, "a scratch folder");
	strbuf_addf(&path, "%s/perf.log", dir);

	unsetenv("HERALD_TRACE_PERF");
	perftrace_init();
	perftrace_mark("start");
	perftrace_report("scan", NULL);
	setenv("HERALD_TRACE_PERF", "0", 1);
	perftrace_init();
	perftrace_mark("start");
	perftrace_report("scan", NULL);
	ok(access(path.buf, F_OK) != 0, "unset or 0: nothing is traced");

	setenv("HERALD_TRACE_PERF", path.buf, 1);
	perftrace_init();
	spin(3);
	perftrace_mark("start");
	spin(2);
	perftrace_mark("scan");
	spin(4);
	perftrace_mark("enqueue");
	spin(1);
	perftrace_mark("scan"); /* a second branch */
	perftrace_report("hook", "post-receive");
	text = slurp(path.buf);
	ok(text && lines(text) == 1, "an absolute path: one line appended (%s)", text ? text : "none");
	ok(text && !strncmp(text, "herald perf: hook post-receive: start ", 38),
	   "it names the command and starts with the start");
	ok(text && strstr(text, "; scan ") && strstr(text, "; enqueue ") &&
		   strstr(text, "; scan ") < strstr(text, "; enqueue ") &&
		   strstr(text, "; enqueue ") < strstr(text, "; rest ") &&
		   strstr(text, "; total ") && strstr(text, " cpu (ms)\n"),
	   "the phases come in the order first marked, then rest and total");
	a = text ? cpu_of(text, "start") : -1;
	b = text ? cpu_of(text, "scan") : -1;
	c = text ? cpu_of(text, "enqueue") : -1;
	rest = text ? cpu_of(text, "rest") : -1;
	total = text ? cpu_of(text, "total") : -1;
	ok(a >= 3 && b >= 3 && c >= 4, "each phase has at least the CPU it burned; scan twice "
	   "is summed (start %.2f, scan %.2f, enqueue %.2f)", a, b, c);
	/* five figures rounded to 0.01 each: up to 0.025 apart */
	ok(total > 0 && total - (a + b + c + rest) < 0.03 && total - (a + b + c + rest) > -0.03,
	   "the total is the sum of the phases (%.2f)", total);
	ok(text && !strstr(text, "start 0") && strstr(text, "cpu; scan") &&
		   strstr(text, " wall; enqueue") && strstr(text, " wall; rest"),
	   "the start has no wall time (it began before herald), the others have");
	if (stat(path.buf, &st) < 0)
		st.st_mode = 0;
	ok((st.st_mode & 0777) == 0600, "the new file is 0600 (%o)", (unsigned)(st.st_mode & 0777));

	perftrace_init();
	perftrace_mark("start");
	perftrace_report("version", NULL);
	perftrace_report("version", NULL); /* once only */
	two = slurp(path.buf);
	ok(two && lines(two) == 2 && strstr(two, "\nherald perf: version: start "),
	   "a second run appends its own line, once");

	traced_run("perf.log", &err);
	free(text);
	text = slurp(path.buf);
	ok(strstr(err.buf, "not 1, true or an absolute path") && text && !strcmp(text, two),
	   "a relative path is refused with a warning, and nothing is written (%s)", err.buf);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/no/such/folder/perf.log", dir);
	traced_run(path.buf, &err);
	ok(strstr(err.buf, "cannot write HERALD_TRACE_PERF's file: No such file") != NULL &&
		   !strstr(err.buf, dir),
	   "a file that cannot be made is a warning that does not show the path (%s)", err.buf);

	{
		/* a link, a fifo (no reader: it must not hang) and a device are refused */
		static const char *const what[] = { "a symbolic link", "a fifo", "a device" };
		struct strbuf link = STRBUF_INIT, fifo = STRBUF_INIT;
		const char *targets[3];
		int i;

		strbuf_addf(&link, "%s/link", dir);
		strbuf_addf(&fifo, "%s/fifo", dir);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/perf.log", dir);
		targets[0] = link.buf;
		targets[1] = fifo.buf;
		targets[2] = "/dev/null";
		ok(symlink(path.buf, link.buf) == 0 && mkfifo(fifo.buf, 0600) == 0,
		   "a link to the trace file, and a fifo");
		alarm(20); /* a hang is a failure, not a stuck test */
		for (i = 0; i < 3; i++) {
			traced_run(targets[i], &err);
			free(text);
			text = slurp(path.buf);
			ok(strstr(err.buf, "HERALD_TRACE_PERF") && text && !strcmp(text, two),
			   "%s is refused with a warning, nothing written (%s)", what[i], err.buf);
		}
		alarm(0);
		strbuf_release(&link);
		strbuf_release(&fifo);
	}

	setenv("HERALD_TRACE_PERF", "1", 1);
	perftrace_init();
	for (int i = 0; i < 12; i++) {
		static const char *names[] = { "p0", "p1", "p2", "p3", "p4", "p5",
					       "p6", "p7", "p8", "p9", "p10", "p11" };
		perftrace_mark(names[i]);
	}
	{
		char tmpl[64];
		int saved = dup(STDERR_FILENO), fd;
		char *out;

		snprintf(tmpl, sizeof(tmpl), "%s/stderr", dir);
		fd = open(tmpl, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDERR_FILENO);
		perftrace_report("lint", NULL);
		dup2(saved, STDERR_FILENO);
		close(fd);
		close(saved);
		out = slurp(tmpl);
		ok(out && lines(out) == 1 && !strncmp(out, "herald perf: lint: p0 ", 22) &&
			   strstr(out, "; p7 ") && !strstr(out, "; p8 ") && strstr(out, "; other ") &&
			   strstr(out, "; rest ") && strstr(out, "; other ") < strstr(out, "; rest "),
		   "1: the line goes to standard error; past eight names, other takes the time, "
		   "and rest keeps its own (%s)", out ? out : "none");
		free(out);
	}
	free(text);
	free(two);
	strbuf_release(&err);
	strbuf_release(&path);
	{
		char cmd[sizeof(dir) + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ok(system(cmd) == 0, "the scratch folder is removed");
	}
	return done_testing();
}
