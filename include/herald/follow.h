#ifndef HERALD_FOLLOW_H
#define HERALD_FOLLOW_H

#include <stdio.h>

#include <jansson.h>

#include "herald/outbox.h"

struct event;
struct ledger;
struct render_source;
struct target;

/*
 * Announcements that follow their post (target `follow = edit retract`).
 * An announcement's message is found through the ledger: the line of its
 * announcement (its delivery id) and, once it was delivered, the
 * platform's id of the message ("remote"). Then, for one event of a push:
 *
 *  - the post moved: its announcement is written again under the new path;
 *  - updated or moved with its title, summary or url changed (edit): the
 *    message is edited — a "post.edit" entry built by the kind's `follow`
 *    hook from the announcement as it would be made now;
 *  - unpublished or deleted (retract): the message is deleted — a
 *    "post.retract" entry — and a "retracted" ledger line lets the post be
 *    announced again should it come back.
 *
 * When the announcement is still in the outbox it is changed there (its
 * body rebuilt) or dropped instead, and nothing else is queued. One made
 * before ids were kept, in a batch, or whose delivery failed for good, is
 * left as it is, and `out` says so. A newer follow-up replaces an older one
 * still waiting for the same post.
 */
struct follow_run {
	struct outbox *ob;          /* locked by the caller */
	struct ledger *ledger;
	struct render_source *src;  /* the payload templates' source; dir is set per target */
	const json_t *site;
	const char *repo_id, *to;   /* for delivery ids: one follow-up per push */
	long long now;
	int dry_run;                /* say what would be done; change nothing */
	FILE *out;                  /* lines for people, or NULL */
	/* the pending entries, read once when first needed */
	struct outbox_entry *pending;
	size_t nr_pending;
	int listed;
};

void follow_run_release(struct follow_run *fr);

/*
 * What follows event `ev` (its template model `model_ev`) for target `t`.
 * Changes pending entries and stages ledger lines at once (the caller's
 * transaction writes the lines); a new entry to queue is left in `*out`
 * (out->id NULL when there is none; `out` must be initialised). 0, or -1
 * after error(): then nothing was queued for `t` and the caller counts a
 * failed delivery.
 */
int follow_event(struct follow_run *fr, const struct target *t, const struct event *ev,
		 const json_t *model_ev, struct outbox_entry *out);

#endif
