#ifndef HERALD_CHANGES_H
#define HERALD_CHANGES_H

#include <stdio.h>

#include <git2.h>
#include <jansson.h>

#include "herald/post.h"

struct repo;
struct site;

/* In the contract's order, which is also the order events are listed in. */
enum event_type {
	EVENT_NEW,
	EVENT_UNDRAFTED,
	EVENT_MOVED,
	EVENT_UPDATED,
	EVENT_UNPUBLISHED,
	EVENT_DELETED,
	EVENT_SCHEDULED,
	EVENT_DRAFT,
	EVENT_NONE, /* no event: nothing a reader would notice changed */
};
#define EVENT_TYPES EVENT_NONE

const char *event_type_name(enum event_type t);
/* The type named `name`, or -1. */
int event_type_parse(const char *name);

/*
 * The event table of the contract: what happened to a post whose state went
 * from `before` to `after` (an invalid before counts as absent; an invalid
 * after gives EVENT_NONE). `same_path` and `changed` (front matter values or
 * body bytes differ) matter only between two published states.
 */
enum event_type event_classify(enum post_state before, enum post_state after,
			       int same_path, int changed);

struct changes_options {
	const struct site *site;
	long long now;
	int drafts;     /* include `draft` events */
	int no_commits; /* skip attributing events to commits */
};

/*
 * Events between two snapshots: `from` may be NULL (the empty tree).
 * Returns 0 and a new document {"from","to","now","events","errors"} in
 * *out, or -1 after reporting a git error.
 */
int changes_scan(struct repo *r, git_commit *from, git_commit *to,
		 const struct changes_options *opts, json_t **out);

/*
 * The same in steps, for callers that need not hold every event as JSON at
 * once: compute, then read events one by one or stream the document.
 */
struct changes;
int changes_compute(struct repo *r, git_commit *from, git_commit *to,
		    const struct changes_options *opts, struct changes **out);
/* Event i with its commit; a new reference. */
json_t *changes_event(struct changes *c, size_t i);
/* The whole document; a new reference. */
json_t *changes_document(struct changes *c);
/* Prints the document exactly as json_dumpf(..., JSON_SORT_KEYS | JSON_INDENT(2)) would. */
int changes_write_document(struct changes *c, FILE *f);
void changes_free(struct changes *c);

/* The {"id","short","author","email","date","subject"} of a commit. */
json_t *changes_commit_json(const git_commit *c);

#endif
