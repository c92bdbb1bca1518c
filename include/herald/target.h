#ifndef HERALD_TARGET_H
#define HERALD_TARGET_H

#include <stddef.h>

#include <jansson.h>

#include "herald/cadence.h"
#include "herald/strvec.h"

struct repo;

/*
 * `follow`: an announcement follows its post where the platform allows it.
 * FOLLOW_EDIT: the message is edited when the post's title, summary or url
 * changes; FOLLOW_RETRACT: it is deleted when the post is unpublished or
 * deleted. Off by default.
 */
#define FOLLOW_EDIT 1u
#define FOLLOW_RETRACT 2u

/*
 * A place announcements go, read only from the serving repository's git
 * config, never from pushed content:
 *
 *	[herald "team-chat"]
 *		kind = slack        # slack discord mattermost teams googlechat
 *		                    # matrix telegram ntfy mastodon bluesky webhook email
 *		url = https://…     # or urlFile = /path, or urlEnv = NAME
 *		events = new undrafted   # the default; any types, or "all"
 *		                    # (every public one: "draft" only when named)
 *		secret = whsec_…    # webhook (several for rotation), or secretFile
 *		token = …           # matrix, ntfy or mastodon access token, or tokenFile / tokenEnv
 *		chatId = …          # telegram; topic comes from an ntfy url
 *		handle = …          # bluesky account, with passwordFile / passwordEnv
 *		langs = en de       # bluesky: the posts' languages (at most 3)
 *		template = x.json   # a payload template in herald.templateDir
 *		batch = true        # one message per push instead of one per post
 *		allowHttp = true    # http:// to a host that is not this machine;
 *		                    # email: plain smtp:// (no STARTTLS) to this machine
 *		user = …            # email: SMTP AUTH, or userFile / userEnv;
 *		                    # passwordFile / passwordEnv (see email.h)
 *		timeout = 15        # seconds for a whole request; connectTimeout = 5
 *		digest = weekly     # a scheduled digest (cadence.h), sent by `herald tick`
 *		digestEmpty = true  # send it even when no post was published
 *		timezone = Europe/Paris  # the zone `digest` is read in; default UTC
 *		follow = edit retract    # keep what was announced in step with its post
 *
 * `events = none` announces no event: with `digest`, a digest-only target.
 *
 * The url, token and secrets are credentials: nothing prints them; use
 * target_redact() for messages.
 */
struct target {
	char *name;
	char *kind;
	unsigned events;       /* bit (1 << enum event_type) per type wanted */
	char *url;             /* the full url; a secret */
	struct strvec secrets; /* webhook signing secrets; secrets */
	char *token;           /* matrix, ntfy or mastodon bearer token; a secret */
	char *password;        /* bluesky app password, email SMTP password (passwordFile/passwordEnv); a secret */
	char *topic;           /* ntfy: the url's last segment, kept out of the url; a secret */
	char *auth;            /* ntfy: an Authorization header from the url's ?auth=; a secret */
	char *user;            /* email: SMTP AUTH user, from user/userFile/userEnv; a secret */
	char *template;        /* payload template: a file name in template_dir, or NULL */
	char *template_dir;    /* git config herald.templateDir, or NULL: built-ins only */
	int batch;
	int allow_http;
	long connect_timeout, timeout; /* seconds */
	struct cadence digest; /* digest.on 0: no scheduled digest */
	int digest_empty;      /* send a digest with no posts too */
	char *timezone;        /* IANA zone of `digest`, or NULL for UTC */
	unsigned follow;       /* FOLLOW_EDIT | FOLLOW_RETRACT: what follows an announcement */
	json_t *options;       /* {"name","kind","chat_id","username"} for payloads */
	char *problem;         /* why it cannot be used, or NULL */
};

/*
 * Reads every [herald "NAME"] section. A target with a problem (unknown
 * kind, no url, unreadable or world-readable secret file, a scheme other
 * than http/https, plain http to another machine) is still listed, with
 * `problem` set, so commands can say why it is skipped. Returns 0, or -1
 * after error() when git config cannot be read.
 */
int targets_load(struct repo *r, struct target **out, size_t *nr);
void targets_free(struct target *t, size_t nr);
struct target *targets_find(struct target *t, size_t nr, const char *name);

/* "scheme://host" of a url (caller frees); "(no url)" or "(bad url)". */
char *target_redact(const char *url);

/*
 * Is `host` (a url's host as libcurl gives it: IPv6 in brackets) this
 * machine: "localhost", an address in 127.0.0.0/8, ::1 or ::ffff:127.x?
 * Decided on the parsed address, never on how a name starts.
 */
int target_host_is_loopback(const char *host);

/*
 * Records why `t` cannot be used (its kind's checks say it through this);
 * the first problem found is kept, later ones are dropped.
 */
__attribute__((format(printf, 2, 3)))
void target_problem(struct target *t, const char *fmt, ...);

/* Does the target want events of this type (an event_type)? */
int target_wants(const struct target *t, int type);

#endif
