#ifndef HERALD_HANDOFF_H
#define HERALD_HANDOFF_H

#include <stdbool.h>
#include <time.h>

struct outbox;

/*
 * What the post-receive hook does within its budget and what it hands on.
 * A push waits for the hook, so everything the hook does — taking the
 * outbox lock, reading the push, enqueueing, delivering — comes out of
 * one budget (herald.hookBudget) measured on the monotonic clock from the
 * start; what does not fit is left to `herald tick` and `herald deliver`,
 * or handed to a `herald deliver` detached from the push.
 */
struct handoff {
	struct timespec deadline; /* CLOCK_MONOTONIC */
};

/* The budget starts now and lasts `seconds` (fractions allowed). */
void handoff_start(struct handoff *h, double seconds);

/* Seconds left; 0 or less when the budget is spent. */
double handoff_left(const struct handoff *h);

/*
 * Takes the outbox lock before the deadline, so a push never stalls on
 * another run: 0 with *locked true when taken, false when the deadline
 * came first; -1 after error().
 */
int handoff_lock(const struct handoff *h, struct outbox *ob, bool *locked);

/*
 * Runs fn(arg) in a thread and waits for it until the deadline: true when
 * it returned (or ran here, when no thread could be made), false when the
 * deadline came first (it cannot fail). Then fn is still running:
 * everything `arg` reaches must stay as it is, and the caller leaves the
 * process with _exit(). So
 * fn only reads (the repository, say), and nothing is left half written
 * when the process ends under it.
 */
bool handoff_run(const struct handoff *h, void (*fn)(void *), void *arg);

/*
 * Starts `herald deliver --max-time 600` (this very binary) in a session
 * of its own, with no terminal and its output to /dev/null, and returns
 * at once: the push does not wait for it. Failing to start is reported.
 */
void handoff_deliver_in_background(void);

#endif
