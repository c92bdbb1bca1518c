#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herald/perftrace.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define MAX_PHASES 8

static struct phase {
	const char *name;
	double cpu, wall; /* ms */
	int marks;
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
		warning("HERALD_TRACE_PERF is '%s', neither 1 nor an absolute path: no trace", v);
		return;
	}
	nr_phases = 0;
	last_cpu = 0; /* the process's CPU clock starts with it */
	last_wall = -1;
}

void perftrace_mark(const char *phase)
{
	double cpu, wall;
	size_t i;

	if (sink == OFF)
		return;
	cpu = ms(CLOCK_PROCESS_CPUTIME_ID);
	wall = ms(CLOCK_MONOTONIC);
	for (i = 0; i < nr_phases && strcmp(phases[i].name, phase); i++)
		;
	if (i == nr_phases) {
		if (nr_phases == MAX_PHASES)
			i = MAX_PHASES - 1; /* more phases than herald marks: the last takes them */
		else
			phases[nr_phases++] = (struct phase){ phase, 0, 0, 0 };
	}
	phases[i].cpu += cpu - last_cpu;
	if (last_wall >= 0 && phases[i].wall >= 0)
		phases[i].wall += wall - last_wall;
	else
		phases[i].wall = -1; /* from the process's start: its wall time is not known */
	phases[i].marks++;
	last_cpu = cpu;
	last_wall = wall;
}

void perftrace_report(const char *command, const char *detail)
{
	struct strbuf sb = STRBUF_INIT;
	double total = 0;
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
	if (sink == TO_FILE) {
		fd = open(trace_file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			warning("cannot write the trace to '%s': %s", trace_file, strerror(errno));
			strbuf_release(&sb);
			return;
		}
	}
	/* one write: lines of herald runs sharing the file do not interleave */
	if (write(fd, sb.buf, sb.len) != (ssize_t)sb.len && sink == TO_FILE)
		warning("cannot write the trace to '%s': %s", trace_file, strerror(errno));
	if (sink == TO_FILE)
		close(fd);
	strbuf_release(&sb);
	sink = OFF;
}
