#ifndef HERALD_RECEIVE_H
#define HERALD_RECEIVE_H

#include <stdio.h>

/*
 * The work of the hooks `herald install` puts in place; each reads git's
 * hook input (old new ref) on standard input and writes what the pusher
 * reads to `out`.
 *
 * receive_post(), post-receive: for each update of a watched branch
 * (hookio_branches()), announces what the push did since the baseline
 * (baseline.h) into the outbox and moves the baseline in the same
 * transaction, then delivers within herald.hookBudget seconds (handoff.h)
 * or hands delivering to a background `herald deliver` (herald.background).
 * Push options: herald.skip moves the baselines and announces nothing,
 * herald.dry-run prints what would be sent and changes nothing. What the
 * budget does not cover is left to `herald tick` and `herald deliver`.
 * Always returns 0: the push has happened.
 *
 * receive_pre(), pre-receive: lints what each update changes (gate.h) and
 * returns 1 to refuse the push when herald.lint = reject and there are
 * errors, else 0.
 */
int receive_post(FILE *out);
int receive_pre(FILE *out);

#endif
