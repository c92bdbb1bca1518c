#ifndef HERALD_OUTBOXVIEW_H
#define HERALD_OUTBOXVIEW_H

#include <stdio.h>

#include "herald/outbox.h"

/*
 * What `herald outbox` prints. Text from targets and receivers is escaped
 * for the terminal; titles are cut between characters, never inside one.
 */

/* "pending (N)" or "dead (N)", then one line a delivery. */
void outboxview_list(struct outbox *ob, int dead, FILE *out);

/*
 * One delivery, one labelled line a field, and its request body. The
 * receiver's last answer is its text, not ours: it goes to `err`.
 */
void outboxview_show(const struct outbox_entry *e, int dead, FILE *out, FILE *err);

#endif
