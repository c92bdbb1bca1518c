#ifndef HERALD_ANNOUNCE_H
#define HERALD_ANNOUNCE_H

#include <stdio.h>

struct setup;
struct range;

/*
 * Announcing a range: scan it, pick each target's events, drop what the
 * ledger says was announced already, write every delivery to the outbox
 * (durably, before any attempt), record new and undrafted posts in the
 * ledger, then deliver what is due within a time budget. Shared by
 * `herald announce`, the post-receive hook and `herald tick`.
 */
struct announce_options {
	int dry_run;      /* print each request (url redacted) instead */
	int force;        /* announce even what the ledger has */
	double max_time;  /* seconds for delivering after enqueueing; 0: none */
	int no_deliver;   /* only enqueue */
	FILE *out;        /* what a person reads: one line per delivery */
};

struct announce_stats {
	size_t events, queued, skipped, delivered, retrying, dead, left;
};

/* Returns 0, or -1 after error(). */
int announce_range(struct setup *st, struct range *rg,
		   const struct announce_options *o, struct announce_stats *stats);

/* A stable id for this repository: git config herald.id, else its git dir. */
char *announce_repo_id(struct setup *st);

#endif
