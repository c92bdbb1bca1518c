#ifndef HERALD_EVENT_H
#define HERALD_EVENT_H

#include <stdbool.h>
#include <stdio.h>

#include <git2.h>
#include <jansson.h>

#include "herald/post.h"

/*
 * What happened to one post between two snapshots (ARCHITECTURE.md §3), as
 * a C value: made by changes.c (and schedule.c), read by announce, the
 * model and the commands. JSON is made of it only where it leaves the
 * program — `scan --json`, the template model, webhook bodies — by
 * event_to_json() and event_list_document(), the one place that knows the
 * contract's keys.
 */

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

/* The contract's name of a type ("new", ...); the one table of names. */
const char *event_type_name(enum event_type t);
/* The type named `name` (not "none"), or -1. */
int event_type_parse(const char *name);

/*
 * The event table of the contract: what happened to a post whose state went
 * from `before` to `after` (an invalid before counts as absent; an invalid
 * after gives EVENT_NONE). `same_path` and `changed` (front matter values or
 * body bytes differ) matter only between two published states.
 */
enum event_type event_classify(enum post_state before, enum post_state after,
			       int same_path, int changed);

/* The newest commit of the range that touched the post. Strings are valid UTF-8. */
struct event_commit {
	char id[GIT_OID_HEXSZ + 1];
	char *author, *email, *subject;
	long long date; /* the author's, seconds since the epoch */
};

/*
 * One event. Every string is valid UTF-8 (invalid bytes of a path or a
 * post became U+FFFD) and owned by the event list.
 */
struct event {
	enum event_type type;
	char *path;      /* where the post is now (or was, when deleted) */
	char *from_path; /* its earlier path when that differs, else NULL */
	enum post_state state; /* after the change; POST_ABSENT when deleted */

	/* the post after the change, or before it when it has no front matter now */
	char *title, *slug, *summary, *summary_md; /* "" when none; summary_md may be summary */
	char *url;             /* absolute, or NULL */
	long long date;        /* seconds since the epoch, or -1 */
	char *tags;            /* a JSON array of strings, as compact text */
	/*
	 * The front matter as compact JSON text with sorted keys, or NULL. It
	 * is the user's data, opaque here, and leaves only as JSON; as text it
	 * takes a fifth of the memory of a jansson tree, which `scan --all`
	 * on a 10,000-post blog holds for every post at once. The strings
	 * above, from `path` on, share one allocation (event_list_add()).
	 */
	char *front_matter;

	/* updated and moved only: */
	json_t *changes;       /* [{"field","before","after"}] sorted by field, else NULL */
	bool body_changed;
	bool shown_changed;    /* what an announcement shows differs: title, summary or url */

	const struct event_commit *commit; /* NULL: it could not be read */
};

/* A post that could not be read: listed, never announced. */
struct event_error {
	char *path, *message;
	int line, column; /* 0 when unknown */
};

/*
 * The events between `from` and `to`, with the errors met on the way. The
 * list owns its events, errors and commits (events point at the commits).
 */
struct event_list {
	struct event *v;
	size_t nr, alloc;
	struct event_error *errors;
	size_t nr_errors, alloc_errors;
	struct event_commit **commits;
	size_t nr_commits, alloc_commits;
	char from[GIT_OID_HEXSZ + 1]; /* "" for the empty tree */
	char to[GIT_OID_HEXSZ + 1];
	long long now;
	bool with_commits; /* false: events carry no `commit` at all (--no-commits) */
};

void event_list_init(struct event_list *l);
void event_list_release(struct event_list *l);

/*
 * Appends an event of type `t` for post `p` at `path` (and `from_path`,
 * NULL when the same) whose state is now `state`; copies what it needs of
 * `p`. The caller sets changes, body_changed and commit when they apply.
 */
struct event *event_list_add(struct event_list *l, enum event_type t, const struct post *p,
			     const char *path, const char *from_path, enum post_state state);
/* Records why `p` could not be read (p->error, its line and column). */
void event_list_add_error(struct event_list *l, const struct post *p);
/* The commit `c` as the list keeps it: one copy per commit, owned by the list. */
const struct event_commit *event_list_commit(struct event_list *l, const git_commit *c);

/*
 * Where events leave the program. Each returns a new reference.
 * event_to_json: the contract's event object — type, path, from_path,
 * state, title, slug, url, date, tags, summary, summary_markdown,
 * front_matter, changes and body_changed (updated and moved), and commit
 * {id, short, author, email, date, subject} (or null) when `with_commit`.
 */
json_t *event_to_json(const struct event *e, bool with_commit);
json_t *event_commit_json(const struct event_commit *c);
/* The event's front matter as event_to_json() gives it (null without one). */
json_t *event_front_matter_json(const struct event *e);
/* The `scan --json` document: {"from","to","now","events","errors"}. */
json_t *event_list_document(const struct event_list *l);
/*
 * Prints that document exactly as json_dumpf(..., JSON_SORT_KEYS |
 * JSON_INDENT(2)) would, one event at a time (a 10,000-event document is
 * never whole in memory). 0, or -1 when the stream failed.
 */
int event_list_write_document(const struct event_list *l, FILE *f);

#endif
