#ifndef HERALD_TICK_H
#define HERALD_TICK_H

#include "herald/announce.h"
#include "herald/deliver.h"

struct setup;

/*
 * `herald tick`, run from cron or a systemd timer next to `herald deliver`.
 * tick_run() takes the outbox's lock, finishes or undoes an interrupted
 * announcement, then runs its steps in this order:
 *
 *  1. for each watched branch: announce a push the post-receive hook
 *     missed or left (baseline..tip, moving the baseline in the same
 *     transaction), then the scheduled posts whose date has come since the
 *     last tick (the first tick counts from the tip's commit time);
 *  2. when every branch went well, remember this tick's time
 *     ($GIT_DIR/herald/outbox/last-tick);
 *  3. deliver what is due, within `max_time` seconds.
 *
 * A new step is one more function called from tick_run() in its place.
 */
struct tick_options {
	double max_time; /* seconds for delivering; 0: no limit */
};

struct tick_stats {
	size_t queued, skipped;   /* deliveries announced by steps 1 */
	int delivered;            /* step 3 ran (the targets could be read) */
	struct deliver_stats ds;  /* what step 3 did */
};

/*
 * Runs a tick for the repository `st` opened, at st->now. Returns 0, or -1
 * after error(): a branch that fails does not stop the others, nor the
 * delivery; a tick that cannot lock or recover the outbox does nothing.
 */
int tick_run(struct setup *st, const struct tick_options *o, struct tick_stats *s);

#endif
