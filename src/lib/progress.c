#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "herald/progress.h"
#include "herald/strbuf.h"
#include "herald/banned.h"

struct progress {
	const char *title;
	uint64_t total, last;
	struct timespec start, shown;
	int visible;
};

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

struct progress *progress_start(const char *title, uint64_t total)
{
	struct progress *p;

	if (!isatty(2) || getenv("CI") || getenv("GIT_DIR") ||
	    getenv("HERALD_NO_PROGRESS"))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->title = title;
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	return p;
}

static void show(struct progress *p, const char *end)
{
	if (p->total)
		fprintf(stderr, "\r%s: %3u%% (%llu/%llu)%s", p->title,
			(unsigned)(p->last * 100 / p->total),
			(unsigned long long)p->last, (unsigned long long)p->total, end);
	else
		fprintf(stderr, "\r%s: %llu%s", p->title,
			(unsigned long long)p->last, end);
	clock_gettime(CLOCK_MONOTONIC, &p->shown);
	p->visible = 1;
}

void progress_update(struct progress *p, uint64_t n)
{
	if (!p)
		return;
	p->last = n;
	if (since(&p->start) < 1.0)
		return;
	if (p->visible && since(&p->shown) < 0.1)
		return;
	show(p, "");
}

void progress_stop(struct progress **pp)
{
	struct progress *p = *pp;

	if (!p)
		return;
	if (p->visible) {
		if (p->total)
			p->last = p->total;
		show(p, ", done.\n");
	}
	free(p);
	*pp = NULL;
}
