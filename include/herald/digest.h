#ifndef HERALD_DIGEST_H
#define HERALD_DIGEST_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "herald/strbuf.h"

struct outbox;
struct render_source;
struct setup;

/*
 * Scheduled digests (`herald tick`, targets with `digest =`). Each target's
 * digest covers the posts that became visible on the site since the last
 * one: new and undrafted between the commit the last digest saw and the
 * branch's tip (both read at the tick's `now`, as `herald digest` counts
 * them), and the posts whose date came in that time (scheduled posts that
 * went live). Where each window starts is a ledger record, "/digest"
 * (ID: the commit, WHEN: the instant; see ledger.h), written by the first
 * tick that sees the target's `digest =` (which sends nothing: the first
 * digest covers what is published after that) and by every digest, in the
 * same transaction as its outbox entry together with "/digest/DUE" (DUE
 * the due instant, RFC 3339), so a crash never loses or doubles one. A
 * digest is due when the cadence's next instant after the window's start
 * has come; ticks that missed several send one, covering all of it.
 */
struct digest_info {
	const char *period;     /* "weekly" or "daily" */
	long long since, until; /* the window (since, until] */
	long long due;          /* the due instant it is sent for */
	const char *zone;       /* the target's timezone, or NULL (UTC) */
};

/*
 * Queues the digests due at `st->now` for every target with `digest =`,
 * reading the branch `ref` (refs/heads/…; nothing when it does not exist
 * yet). The caller holds the outbox lock and has run announce_recover().
 * Prints one line per digest to `out`; adds the entries written to
 * *queued. 0, or -1 after error() (a target whose digest cannot be built
 * is reported and the others go on).
 */
int digest_tick(struct setup *st, struct outbox *ob, const char *ref, FILE *out,
		size_t *queued);

/* "This week on BLOG: 7 new posts" ("Today on", "no new posts", no title: "This week: …"); caller frees. */
char *digest_headline(const char *period, const char *title, size_t n);

/*
 * "BLOG: posts of the week of 30 November 2026" for a weekly digest due
 * 7 December (daily, due 7 December 09:00: "BLOG: posts of 6 December
 * 2026"): the first day at least half inside the period before `due`, in
 * `zone`; one line; caller frees.
 */
char *digest_subject(const char *period, const char *title, long long due, const char *zone);

/*
 * The webhook body: {"type":"digest","timestamp":RFC 3339 of now,
 * "data":{"period","since","until","due","headline","count","site",
 * "posts":[model events, newest first]}}. A new reference.
 */
json_t *digest_webhook_body(const json_t *model, const struct digest_info *d,
			    const char *headline, long long now);

/*
 * The queued body for kind email: {"subject","text","html"}, text and html
 * rendered from "email-digest.txt" and "digest.html" through `src` (the built-ins
 * or the admin's herald.templateDir, never the repository) over `model`
 * (model_build()'s, with `digest` added). Appends compact JSON to `out`; 0
 * or -1 after error().
 */
int digest_email_body(const struct render_source *src, const json_t *model,
		      const char *subject, struct strbuf *out);

#endif
