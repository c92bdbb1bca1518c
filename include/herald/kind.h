#ifndef HERALD_KIND_H
#define HERALD_KIND_H

#include <stddef.h>

#include <jansson.h>

#include "herald/dialect.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"

struct target;
struct render_source;
struct deliver_conn;
struct outbox_entry;
struct attempt;

/*
 * A kind of target: one platform herald posts to. Each lives in a file of
 * its own under src/deliver/kinds/ and exports one `const struct kind`;
 * kinds.c lists them. Everything herald knows about a platform is in its
 * entry: the HTTP method, what it does to the url, the config it needs,
 * the fields it adds to a payload template's context (its own dialect
 * only), how many events fit in one message, and the invariants it forces
 * on every body. Adding a platform is a new file here, a line in kinds.c
 * and a template "payload-NAME.json" in templates/.
 *
 * Every hook may be NULL: the kind has nothing to do at that step.
 */

/* A config key of a kind, kept in the target's options (the payload's `target`). */
struct kind_option {
	const char *key;   /* in git config, lowercase as git gives it: "chatid" */
	const char *env;   /* the KEY of HERALD_TARGET_<NAME>_<KEY>: "CHAT_ID" */
	const char *field; /* its name in the options and the payload model: "chat_id" */
};

/*
 * One event of a payload while it is built (payload.c owns it). The
 * common fields are set before a kind's `item` hook runs.
 */
struct kind_item {
	json_t *ev;                  /* the event the template sees */
	const char *md;              /* its Markdown summary, owned by ev */
	const char *label;           /* "New post", ... */
	const struct strbuf *title;  /* title_text: one line, cut, mentions defused */
	const struct strbuf *subtitle; /* subtitle_text, or empty */
	const struct strbuf *tags;   /* tags_text */
	const struct strbuf *meta;   /* meta_text */
	const char *link;            /* the http(s) url made safe for links, or NULL */
	size_t size;                 /* units it takes besides its summary (see `total`) */
	size_t line;                 /* the kind's own measure */
};

/* What `enforce` is given besides the body. */
struct kind_body {
	const char *template; /* the template's name, for messages */
	const json_t *target; /* the target's options */
	const json_t *events;
	const char *stamp;    /* RFC 3339 of now */
};

/*
 * A message that follows its post (target `follow`): what kind_follow
 * hooks are given and set. The edit's body is the announcement as it would
 * be made now, built by the kind's own payload; the hook turns it into the
 * platform's edit. A retraction has no body to start from.
 */
struct kind_follow {
	unsigned action;      /* FOLLOW_EDIT or FOLLOW_RETRACT (target.h) */
	const char *remote;   /* the platform's id of the message, as the ledger keeps it */
	const char *id;       /* this delivery's id */
	const json_t *target; /* the target's options */
	json_t *body;         /* FOLLOW_EDIT: the new announcement (the hook may change it); else NULL */
	/* set by the hook: */
	const char *method;   /* "PATCH", "PUT", "POST", "DELETE" (a static string) */
	char *url_suffix;     /* what the queued entry appends to the url (allocated), or NULL */
	json_t *out;          /* the body to queue (a new reference), or NULL: no body */
};

/* A summary cut below this many characters says nothing: it is left out. */
#define KIND_MIN_SUMMARY 20

struct kind {
	const char *name;
	const char *method; /* "POST", or "PUT"; "SMTP" for email, whose `send` makes no HTTP request */
	const struct kind_option *options; /* ends with { NULL }; or NULL */
	/*
	 * Fields of `options` whose key may be given more than once (email's
	 * `to`): the options keep an array of every value, in the order read,
	 * instead of the last one. Ends with NULL; or NULL.
	 */
	const char *const *lists;
	/*
	 * Mentions defused in every plain text field (title_text, subtitle_text,
	 * tags_text, meta_text, summary_text, headline) for platforms whose
	 * plain text notifies.
	 */
	enum mentions mentions;
	/*
	 * Batch fitting: a message shows as many events (at most 10) as keep
	 * frame + the sum of each one's `size` + KIND_MIN_SUMMARY within
	 * `total` units; total 0 has no such limit.
	 */
	size_t total, frame;

	/* Loading: checks the target's config and handles its url; says why through target_problem(). */
	void (*configure)(struct target *t);
	/*
	 * The url is not http(s) (email's smtp:// and smtps://): `configure`
	 * checks its scheme and host itself, instead of the http rules.
	 */
	int own_url;

	/*
	 * Building a payload. `check`: what the kind cannot do without, before
	 * anything is rendered (0, or -1 after error()). `body`: the body when
	 * the target names no template (else the built-in template is used).
	 * `item`: the kind's fields of one event that do not depend on how many
	 * share the message; `summaries`: the summaries of the `shown` events
	 * within the platform's budget; `headline`: the headline's dialect on
	 * the context. `enforce`: the invariants of every body, whatever made it
	 * (0, or -1 after error() when the body cannot comply). `url_suffix`:
	 * what the queued entry appends to the url (allocated), or NULL.
	 */
	int (*check)(const json_t *target, const char *id);
	int (*body)(const json_t *events, long long now, json_t **out);
	/*
	 * `render`: the body from the payload context, for a kind whose body
	 * is made of several templates rather than one JSON one (email: a
	 * subject, a text and an HTML template), each found through `src`
	 * (the admin's folder, then the built-ins; never the repository).
	 * 0 with *out set, or -1 after error().
	 */
	int (*render)(const struct render_source *src, const json_t *ctx, json_t **out);
	void (*item)(struct kind_item *it, int batch);
	int (*summaries)(struct kind_item *items, size_t shown, int batch);
	void (*headline)(json_t *ctx, const char *headline);
	int (*enforce)(const struct kind_body *b, json_t *doc);
	char *(*url_suffix)(const char *id);

	/*
	 * Sending one queued entry. `request_url`: what the kind adds to the
	 * url. `headers`: extra headers, pushed as name then value (0, or -1
	 * when they cannot be made). `send_body`: the body as sent when it differs from
	 * the queued one (0, or -1 when the queued body is not what it expects).
	 */
	void (*request_url)(struct strbuf *url, const struct target *t,
			    const struct outbox_entry *e);
	int (*headers)(const struct target *t, const char *id, const char *body,
		       size_t len, long long now, struct strvec *out);
	int (*send_body)(const struct target *t, const char *body, size_t len,
			 struct strbuf *out);
	/*
	 * `send`: the whole delivery of one queued entry, for a kind that is
	 * not one HTTP request (a session first, an upload, another
	 * protocol). It replaces request_url, headers and send_body, makes
	 * its requests with deliver_http() (the delivering one with `final`
	 * set) and fills `a` as deliver_send() does: 0 when an attempt was
	 * made, -1 when none could be.
	 */
	int (*send)(struct deliver_conn *conn, const struct target *t,
		    const struct outbox_entry *e, long long now, struct attempt *a);

	/*
	 * Following a post (target `follow`; target.h). `follows`: what the
	 * platform allows (FOLLOW_EDIT, FOLLOW_RETRACT). `remote_id`: the id of
	 * the message from the answer to the delivery that posted it (0 with
	 * it in `out`, or -1 when the answer has none). `follow`: makes the
	 * edit or the retraction of message `f->remote` (0, or -1 after
	 * error()). The queued entry's event is "post.edit" or "post.retract",
	 * which `send`, `request_url` and `headers` see.
	 */
	unsigned follows;
	int (*remote_id)(const char *response, size_t len, struct strbuf *out);
	int (*follow)(struct kind_follow *f);
	/*
	 * `settled`: does this failed answer to follow-up `event` say there
	 * is nothing left to do (the message is deleted already, or already
	 * reads as the edit would make it)? Beside the 404 and 410 every
	 * kind's retraction takes as "gone already", for a platform that
	 * says so with another status. 1 or 0.
	 */
	int (*settled)(const char *event, int status, const char *response, size_t len);

	/*
	 * `describe`: one line `herald targets` prints about a usable target
	 * besides its url and events (what the config chose; never a secret).
	 */
	void (*describe)(const struct target *t, struct strbuf *out);
};

/* Every kind, in the order they are listed, NULL-terminated. */
extern const struct kind *const kinds[];

/* The kind called `name`, or NULL (also for NULL). */
const struct kind *kind_find(const char *name);

/*
 * The option any kind reads from git config key `key` (lowercase), or
 * NULL. kind_option_is_list: is it one of its kind's `lists`? 1 or 0.
 */
const struct kind_option *kind_option_for_key(const char *key);
int kind_option_is_list(const struct kind_option *o);

/* Sets ev[key] to the text in `sb` (invalid UTF-8 replaced). */
void kind_set(json_t *ev, const char *key, const struct strbuf *sb);

/*
 * Sets ev[title_key] to the item's title and ev[subtitle_key] to its
 * subtitle (null when it has none), each escaped by `escape`. The escaped
 * title is left in `title` (reset first), for a kind that measures it;
 * NULL when none does.
 */
void kind_set_titles(struct kind_item *it, const char *title_key, const char *subtitle_key,
		     void (*escape)(struct strbuf *, const char *, size_t), struct strbuf *title);

/*
 * Sets ev[key] to the item's subtitle escaped by `escape`, or null when
 * the event has no subtitle.
 */
void kind_set_subtitle(struct kind_item *it, const char *key,
		       void (*escape)(struct strbuf *, const char *, size_t));

/*
 * The `summaries` step most kinds share, one per way of making a summary:
 * each sets items[0..shown)'s ev[key].
 *  - escaped: the plain summary_text escaped by `escape` ("" without one);
 *  - chat_markdown: the Markdown source cut as text within `budget`, mentions
 *    defused (dialect_chat_markdown: what Discord and Mattermost render);
 *  - render: the Markdown rendered in `fmt` within `budget` (dialect_render).
 * The last two return 0, or -1 after error().
 */
void kind_summaries_escaped(struct kind_item *items, size_t shown, const char *key,
			    void (*escape)(struct strbuf *, const char *, size_t));
int kind_summaries_chat_markdown(struct kind_item *items, size_t shown, size_t budget,
				 const char *key);
int kind_summaries_render(struct kind_item *items, size_t shown, enum markdown_format fmt,
			  size_t budget, enum mentions rule, enum markup m, const char *key);

/* What is left of `total` after `used`, shared among `n`; 0 when under KIND_MIN_SUMMARY. */
size_t kind_share(size_t total, size_t used, size_t n);

/* Sets doc[key] to the target's option `option` when it is set, else deletes it. */
void kind_only_configured(json_t *doc, const json_t *target, const char *key,
			  const char *option);

/* `s` percent-encoded as one url path segment (RFC 3986 unreserved kept). */
void kind_url_segment(struct strbuf *sb, const char *s);

/*
 * The longest remote id herald keeps: platforms' ids are far shorter, and
 * a receiver's answer must not grow the ledger without bound.
 */
#define KIND_REMOTE_MAX 512

/*
 * The string (or integer, in decimal) at `path` (keys, NULL-terminated)
 * of the JSON answer `response`, appended to `out`: 0, or -1 when there is
 * none, it is empty, longer than KIND_REMOTE_MAX or holds a NUL.
 */
int kind_answer_string(const char *response, size_t len, const char *const *path,
		       struct strbuf *out);

/* Is `s` 1 to 32 ASCII digits (a Discord snowflake, a Telegram message id)? */
int kind_remote_digits(const char *s);

/* The kinds' files. */
extern const struct kind kind_slack, kind_discord, kind_mattermost, kind_teams,
	kind_googlechat, kind_matrix, kind_telegram, kind_ntfy, kind_mastodon, kind_bluesky,
	kind_webhook, kind_email;

#endif
