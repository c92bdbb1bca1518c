#ifndef HERALD_DELIVER_H
#define HERALD_DELIVER_H

#include <stdio.h>

#include "herald/strbuf.h"
#include "herald/strvec.h"

struct outbox;
struct outbox_entry;
struct target;

/* The outcome of one attempt. */
struct attempt {
	int status;            /* HTTP status; 0 when no answer came */
	int ok;                /* 2xx */
	int transient;         /* worth retrying: network, timeout, 408, 425, 429, 5xx */
	long long retry_after; /* seconds the receiver asked us to wait (at most a day), or 0 */
	char error[200];       /* short text for people: never a url or a secret */
	struct strbuf response;/* the first KiB of the answer; never printed to stdout */
	size_t response_max;   /* how much of the answer `response` keeps; 0: 1 KiB */
};

void attempt_init(struct attempt *a);
void attempt_release(struct attempt *a);

/*
 * A libcurl handle kept across attempts, so deliveries to one receiver
 * reuse its connection. Zero-initialise; release when done.
 */
struct deliver_conn {
	void *curl;
	double cap; /* seconds left in the caller's budget; 0: none */
	/* called once, as soon as a 2xx status line arrives; may be NULL */
	void (*on_accepted)(void *ud);
	void *ud;
	struct conn_memo *memo; /* see deliver_conn_memo */
};
void deliver_conn_release(struct deliver_conn *c);

/*
 * The connection's libcurl handle (a CURL *), its options reset and its
 * open connections kept; a new one kept in `conn` when it has none. With
 * conn NULL, a new handle the caller cleans up. Its connect and total
 * timeouts are `t`'s, capped by the connection's budget. NULL after
 * error().
 */
void *deliver_conn_handle(struct deliver_conn *conn, const struct target *t);

/*
 * What a kind keeps across the entries of one run (a session, a limit it
 * read), under a key of its choosing such as "bluesky:NAME". _memo gives
 * the value or NULL; _memo_set replaces it (freeing the old one with its
 * free_fn). Values go with deliver_conn_release(); nothing here is ever
 * written to disk.
 */
void *deliver_conn_memo(struct deliver_conn *c, const char *key);
void deliver_conn_memo_set(struct deliver_conn *c, const char *key, void *value,
			   void (*free_fn)(void *));

/*
 * Sends one outbox entry to its target with libcurl (through `conn`, which
 * may be NULL): http and https only,
 * no redirects, TLS verified, connect and total timeouts always set.
 * Webhook targets get Standard Webhooks headers signed at send time (and
 * X-Hub-Signature-256), matrix a bearer token, Google Chat a requestId.
 * Returns 0 when an attempt was made (see a), -1 when it could not be made.
 */
int deliver_send(struct deliver_conn *conn, const struct target *t,
		 const struct outbox_entry *e, long long now, struct attempt *a);

/*
 * One HTTP request, for kinds that make more than the queued one (a
 * session, an upload, a limit read once) in their `send` hook.
 */
struct http_request {
	const char *method;       /* "POST", "PUT", "PATCH", "DELETE" or "GET" */
	const char *url;          /* a secret: never printed (target_redact) */
	const char *content_type; /* or NULL for none */
	const char *body;         /* ignored for GET */
	size_t len;
	const struct strvec *headers; /* name, value pairs; or NULL */
	const char *auth;         /* the Authorization header's value, or NULL */
	size_t response_max;      /* how much of the answer to keep; 0: 1 KiB */
	/*
	 * When set, the answer's header lines are appended here as they
	 * come (at most 8 KiB; for rate-limit headers libcurl does not
	 * read, such as X-RateLimit-Reset). Never printed.
	 */
	struct strbuf *response_headers;
	/*
	 * This request is the delivery itself: a 2xx status line calls the
	 * connection's on_accepted (the entry leaves the outbox). A session
	 * or an upload before it must leave this 0.
	 */
	int final;
};

/*
 * Makes one request to `t`'s receiver with libcurl under the same rules
 * as every delivery: http and https only, no redirects, TLS verified, the
 * target's timeouts capped by the connection's budget, header values
 * without CR or LF. Fills `a` like deliver_send; returns 0 when the
 * request was made, -1 when it could not be.
 */
int deliver_http(struct deliver_conn *conn, const struct target *t,
		 const struct http_request *r, struct attempt *a);

/*
 * Seconds to wait before attempt number `attempts + 1`, on the Standard
 * Webhooks schedule (0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h,
 * 24 h) with up to 10 % jitter from `rnd`; -1 when the schedule is spent.
 */
long long deliver_delay(int attempts, unsigned rnd);

/*
 * A receiver's Retry-After (or Discord's retry_after) in seconds, made
 * safe to add to a time: negative gives 0, more than a day gives a day.
 */
long long deliver_clamp_retry_after(long long seconds);

struct deliver_options {
	long long now;
	double max_time;  /* seconds for the whole run; 0 = no limit */
	int all;          /* attempt every pending entry, due or not */
	FILE *log;        /* one line per attempt, or NULL */
};

struct deliver_stats {
	size_t attempted, delivered, retrying, dead, skipped, left;
};

/*
 * Attempts every due delivery of the outbox (which the caller has locked),
 * newest schedule first, within max_time: a 2xx removes the entry, a
 * transient failure reschedules it, a permanent one or an exhausted
 * schedule moves it to dead/. Returns 0, or -1 when the outbox itself
 * failed.
 */
int deliver_due(struct outbox *ob, struct target *targets, size_t nr,
		const struct deliver_options *o, struct deliver_stats *st);

#endif
