#include <errno.h>
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
#include "herald/banned.h"

/* herald marks fewer; past them, "other" takes the rest, and "rest" keeps its own */
#define MAX_PHASES 10

static struct phase {
	const char *name;
	double cpu, wall; /* ms; wall < 0: not known */
} phases[MAX_PHASES];
static size_t nr_phases;

static enum { OFF, TO_STDERR, TO_FILE } sink;
static const char *trace_file;
/* at the previous mark; wall is unknown (negative) before the first */
static double last_cpu, last_wall = -1;

static double ms(clockid_t clock)
{
	struct timespec t;

	if (clock_gettime(clock, &t) < 0)
		return 0;
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void perftrace_init(void)
{
	const char *v = getenv("HERALD_TRACE_PERF");

	sink = OFF;
	if (!v || !*v || !strcmp(v, "0") || !strcmp(v, "false"))
		return;
	if (!strcmp(v, "1") || !strcmp(v, "true")) {
		sink = TO_STDERR;
	} else if (v[0] == '/') {
		sink = TO_FILE;
		trace_file = v;
	} else {
		warning("HERALD_TRACE_PERF is '%s', not 1, true or an absolute path: no trace", v);
		return;
	}
	nr_phases = 0;
	last_cpu = 0; /* the process's CPU clock starts with it */
	last_wall = -1;
}

static struct phase *phase_named(const char *name)
{
	size_t i;

	for (i = 0; i < nr_phases; i++)
		if (!strcmp(phases[i].name, name))
			return &phases[i];
	if (nr_phases >= MAX_PHASES - 2 && strcmp(name, "rest") && strcmp(name, "other"))
		return phase_named("other");
	if (nr_phases == MAX_PHASES)
		return &phases[MAX_PHASES - 1]; /* not reached: at most eight names, "other", "rest" */
	phases[nr_phases] = (struct phase){ name, 0, 0 };
	return &phases[nr_phases++];
}

void perftrace_mark(const char *phase)
{
	double cpu, wall;
	struct phase *p;

	if (sink == OFF)
		return;
	cpu = ms(CLOCK_PROCESS_CPUTIME_ID);
	wall = ms(CLOCK_MONOTONIC);
	p = phase_named(phase);
	p->cpu += cpu - last_cpu;
	if (last_wall >= 0 && p->wall >= 0)
		p->wall += wall - last_wall;
	else
		p->wall = -1; /* from the process's start: its wall time is not known */
	last_cpu = cpu;
	last_wall = wall;
}

/* The trace file, opened to append: a regular file only (not a fifo that would hang a push). */
static int open_trace_file(void)
{
	struct stat st;
	int fd = open(trace_file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		      0600);

	if (fd < 0) {
		warning("cannot write HERALD_TRACE_PERF's file: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		warning("HERALD_TRACE_PERF names something other than a regular file: no trace");
		close(fd);
		return -1;
	}
	return fd;
}

void perftrace_report(const char *command, const char *detail)
{
	struct strbuf sb = STRBUF_INIT;
	double total = 0;
	ssize_t n;
	size_t i;
	int fd = STDERR_FILENO;

	if (sink == OFF)
		return;
	perftrace_mark("rest");
	strbuf_addstr(&sb, "herald perf: ");
	strbuf_add_printable(&sb, command, strlen(command));
	if (detail) {
		strbuf_addch(&sb, ' ');
		strbuf_add_printable(&sb, detail, strlen(detail));
	}
	strbuf_addstr(&sb, ": ");
	for (i = 0; i < nr_phases; i++) {
		strbuf_addf(&sb, "%s%s %.2f cpu", i ? "; " : "", phases[i].name, phases[i].cpu);
		if (phases[i].wall >= 0)
			strbuf_addf(&sb, " %.2f wall", phases[i].wall);
		total += phases[i].cpu;
	}
	strbuf_addf(&sb, "; total %.2f cpu (ms)\n", total);
	if (sink == TO_FILE)
		fd = open_trace_file();
	else
		fflush(NULL); /* after what the command printed */
	if (fd >= 0) {
		/* one write: lines of herald runs sharing the file do not interleave */
		n = write(fd, sb.buf, sb.len);
		if (sink == TO_FILE && n != (ssize_t)sb.len)
			warning("cannot write HERALD_TRACE_PERF's file: %s",
				n < 0 ? strerror(errno) : "short write");
		if (sink == TO_FILE)
			close(fd);
	}
	strbuf_release(&sb);
	sink = OFF;
}
