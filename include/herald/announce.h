#ifndef HERALD_ANNOUNCE_H
#define HERALD_ANNOUNCE_H

#include <stdbool.h>
#include <stdio.h>

#include <git2.h>
#include <jansson.h>

struct outbox;
struct repo;
struct setup;
struct baseline;
struct range;
struct strvec;

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
	size_t max_per_target; /* more events than this for a target: one summary message; 0: no limit */
	struct outbox *ob;     /* an outbox the caller opened and locked, or NULL */
	FILE *out;        /* what a person reads: one line per delivery */
	/*
	 * The baseline of baseline_branch (refs/heads/NAME) to move from
	 * baseline_from (NULL: create it) to baseline_to in the same
	 * transaction as the entries and ledger lines; NULL: none to move.
	 */
	const struct baseline *baseline;
	const char *baseline_branch;
	const git_oid *baseline_from, *baseline_to;
	struct strvec *queued_ids; /* when set, gets the id of each entry written */
};

/*
 * The options a push is announced with, from a hook, a CI run or herald
 * tick: everything zero but `dry_run`, queued into `ob` (locked by the
 * caller) and not delivered, lines to `out`, and at most
 * herald.maxAnnounce single messages per target. 0, or -1 after error()
 * (a bad herald.maxAnnounce).
 */
int announce_options_push(struct announce_options *o, struct repo *r, struct outbox *ob,
			  int dry_run, FILE *out);

/*
 * Tells `out`, in words the pusher reads, what became of a delivery that
 * was queued as `queued`: "announced" once it is gone from the outbox, or
 * why it is dead. Returns true when it is still waiting in the outbox
 * (the caller counts those); false also when the entry cannot be read.
 * With `escape` the title and the error go through printable(), for a
 * terminal that must not take them as control sequences.
 */
struct outbox_entry;
bool announce_tell_outcome(struct outbox *ob, const struct outbox_entry *queued, bool escape,
			   FILE *out);

struct announce_stats {
	size_t events, queued, skipped, delivered, retrying, dead, left;
	size_t failed; /* deliveries whose payload could not be built (each reported) */
};

/*
 * Gets ready to announce what happened on the branch `ref` up to `tip` as
 * a hook, a tick or a CI run does: reads tip's tree into *tree (the caller
 * frees it) and the site configuration at it into `st`, and sets *o to a
 * queued announcement: entries in `ob` (a delivery run sends them), lines
 * for people to `out`, and as many single messages a target as git config
 * herald.maxAnnounce (default 10) before one summary (announce_options_push,
 * not a dry run). 0, or -1 after
 * error().
 */
int announce_prepare(struct setup *st, const char *ref, git_commit *tip, git_tree **tree,
		     struct outbox *ob, FILE *out, struct announce_options *o);

/* Returns 0, or -1 after error(). */
int announce_range(struct setup *st, struct range *rg,
		   const struct announce_options *o, struct announce_stats *stats);

/*
 * The same for events found elsewhere (the hook's bounded scan, herald
 * tick's due posts): `tree` is the revision the events belong to (payload
 * templates never come from it: only from the built-ins or
 * herald.templateDir), `to` the hex id of its commit.
 */
struct event_list;
int announce_events(struct setup *st, git_tree *tree, const struct event_list *events,
		    const char *to, const struct announce_options *o,
		    struct announce_stats *stats);

/*
 * Finishes what an interrupted announcement left (herald/txn, under the
 * outbox lock, which the caller holds): completes it when its baseline
 * moved, else removes its entries and ledger lines so the range is
 * announced again. Every command that writes or delivers calls it first.
 * 0 (also when there was nothing to do) or -1 after error(); then nothing
 * may be delivered.
 */
int announce_recover(struct repo *r, struct outbox *ob);

/*
 * Writes deliveries built elsewhere (herald tick's digests) as one
 * transaction (herald/txn) with the ledger lines staged in `l`
 * (ledger_stage()): all of them or none, whatever fails or crashes; the
 * caller holds the outbox lock and has run announce_recover(). 0, or -1
 * after error() with nothing of it left.
 */
struct ledger;
struct outbox_entry;
int announce_commit(struct outbox *ob, struct ledger *l, const struct outbox_entry *v,
		    size_t nr);

/* A stable id for this repository: git config herald.id, else its git dir. */
char *announce_repo_id(struct setup *st);

#endif
