#ifndef HERALD_HEALTH_H
#define HERALD_HEALTH_H

#include <stdio.h>

#include <git2.h>
#include <jansson.h>

#include "herald/strbuf.h"
#include "herald/strvec.h"

struct repo;
struct target;
struct state;

/*
 * How deliveries are going, as `herald status` shows it: each target's
 * record (state.h), the outbox's pending and dead deliveries, the
 * baselines (baseline.h) and the watched branches ahead of theirs, whether
 * herald can still write its files, and the alerts all that raises.
 */
/* The commit a branch was last announced up to. */
struct base_row {
	char *branch;
	char id[GIT_OID_HEXSZ + 1];
	char short_id[GIT_OID_HEXSZ + 1];
	long long date; /* committer date; 0 when the commit cannot be read */
};

/* A watched branch whose tip is not where its baseline is. */
struct lag {
	char *branch;
	char tip[GIT_OID_HEXSZ + 1], base[GIT_OID_HEXSZ + 1];
	long long since; /* when the first update not announced came; 0 unknown */
};

struct health {
	long long now;
	long long alert_after; /* seconds */
	struct target *targets;
	size_t nr;
	struct state *state;
	size_t pending, dead;
	long long oldest; /* creation of the oldest pending delivery; 0 = none */
	struct base_row *bases;
	size_t bases_nr, bases_alloc;
	struct lag *lags;
	size_t lags_nr, lags_alloc;
	char *write_error;   /* why herald's folder cannot be written, or NULL */
	int interrupted;     /* an announcement was left half done (herald/txn) */
	struct strvec alerts;
};

/*
 * Gathers everything, from $GIT_DIR/herald and the baseline refs, or with
 * in_git from the remote's refs/herald/state (gitstate.h), and finds the
 * alerts: a branch or the oldest pending delivery waiting longer than
 * alert_after seconds, dead deliveries, files that cannot be written, an
 * interrupted announcement. 0, or -1 after error(); release either way.
 */
int health_load(struct health *h, struct repo *r, long long now, long long alert_after,
		int in_git);
void health_release(struct health *h);

/* The three ways to show it: text for a person, JSON (caller decrefs), Prometheus. */
void health_print_text(const struct health *h, FILE *out);
json_t *health_json(const struct health *h);
void health_prometheus(const struct health *h, struct strbuf *sb);

#endif
