#ifndef HERALD_SCHEDULE_H
#define HERALD_SCHEDULE_H

#include <git2.h>

#include "herald/event.h"

struct repo;
struct site;

/*
 * Posts whose time has come: every post at `tip` that is published at
 * `now` and whose date lies in (after, now] — the scheduled posts that went
 * live since the last look (events `new`), and the posts whose Hugo
 * expiryDate passed in that time (events `unpublished`), all attributed to
 * `tip`. Returns 0 with the events in tree order in *out (release it with
 * event_list_release()), or -1 after error() (then *out is empty).
 */
int schedule_due(struct repo *r, const struct site *s, git_commit *tip,
		 long long after, long long now, struct event_list *out);

#endif
