#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "herald/deliver.h"
#include "herald/kind.h"
#include "herald/ledger.h"
#include "herald/outbox.h"
#include "herald/state.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/banned.h"

#define RESPONSE_MAX 1024
#define FOLLOW_RESPONSE_MAX (64 * 1024)

void attempt_init(struct attempt *a)
{
	memset(a, 0, sizeof(*a));
	strbuf_init(&a->response, 0);
}

void attempt_release(struct attempt *a)
{
	strbuf_release(&a->response);
}

long long deliver_delay(int attempts, unsigned rnd)
{
	static const long long schedule[] = {
		0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600,
		14 * 3600, 20 * 3600, 24 * 3600,
	};
	long long d;

	if (attempts < 0 || (size_t)attempts >= ARRAY_SIZE(schedule))
		return -1;
	d = schedule[attempts];
	/* up to 10% later, so a receiver coming back is not hit all at once */
	return d + (d / 10 ? (long long)(rnd % (unsigned)(d / 10 + 1)) : 0);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct attempt *a = ud;
	size_t len = size * n;

	size_t max = a->response_max ? a->response_max : RESPONSE_MAX;

	if (a->response.len < max) {
		size_t room = max - a->response.len;
		strbuf_add(&a->response, data, len < room ? len : room);
	}
	return len;
}

/* Header values never carry CR or LF, whatever a config or payload holds. */
static struct curl_slist *add_header(struct curl_slist *h, const char *name,
				     const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	struct curl_slist *r;
	const char *p;

	strbuf_addf(&sb, "%s: ", name);
	for (p = value; *p; p++)
		if (*p != '\r' && *p != '\n')
			strbuf_addch(&sb, *p);
	r = curl_slist_append(h, sb.buf);
	strbuf_release(&sb);
	if (!r)
		die("out of memory");
	return r;
}

static int transient_status(int status)
{
	return status == 408 || status == 425 || status == 429 || status >= 500;
}

/*
 * A receiver may ask for any wait: one that overflows a time, or that
 * would park a delivery for years, becomes this. A day is the longest
 * step of the retry schedule too.
 */
#define RETRY_AFTER_MAX (24 * 3600LL)

/* Discord says how long to wait in its JSON body, in (fractional) seconds. */
static long long json_retry_after(const struct strbuf *body)
{
	json_t *v = json_loadb(body->buf, body->len, 0, NULL);
	json_t *r = json_object_get(v, "retry_after");
	double d = json_is_number(r) ? json_number_value(r) : 0;

	json_decref(v);
	/* a cast of NaN, an infinity or a huge double is undefined */
	if (!isfinite(d) || d <= 0)
		return 0;
	if (d >= (double)RETRY_AFTER_MAX)
		return RETRY_AFTER_MAX;
	return (long long)ceil(d);
}

long long deliver_clamp_retry_after(long long seconds)
{
	if (seconds <= 0)
		return 0;
	return seconds > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : seconds;
}

/*
 * Called by libcurl for each header line: the moment the status line says
 * 2xx, the receiver has accepted, so the caller's on_accepted removes the
 * entry then rather than after the rest of the answer has arrived.
 */
struct header_watch {
	CURL *curl;
	struct deliver_conn *conn; /* NULL: no on_accepted to call */
	int fired;
	struct strbuf *keep;       /* the header lines, or NULL */
};

#define HEADERS_MAX 8192

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct header_watch *w = ud;
	long status = 0;

	if (w->keep && w->keep->len + size * n <= HEADERS_MAX)
		strbuf_add(w->keep, data, size * n);
	if (!w->fired && w->conn && w->conn->on_accepted &&
	    curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
	    status >= 200 && status < 300) {
		w->fired = 1;
		w->conn->on_accepted(w->conn->ud);
	}
	return size * n;
}

/*
 * The target's url with the entry's suffix added to its path (before any
 * query: a Discord url may carry ?thread_id=), then the kind's part.
 */
static char *request_url(const struct kind *k, const struct target *t,
			 const struct outbox_entry *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *q = strchr(t->url, '?');
	size_t path = q ? (size_t)(q - t->url) : strlen(t->url);

	strbuf_add(&sb, t->url, path);
	if (e->url_suffix) {
		while (sb.len && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
		strbuf_addstr(&sb, e->url_suffix);
	}
	strbuf_addstr(&sb, t->url + path);
	if (k && k->request_url)
		k->request_url(&sb, t, e);
	return strbuf_detach(&sb, NULL);
}

struct conn_memo {
	char *key;
	void *value;
	void (*free_fn)(void *);
	struct conn_memo *next;
};

void *deliver_conn_memo(struct deliver_conn *c, const char *key)
{
	struct conn_memo *m;

	for (m = c ? c->memo : NULL; m; m = m->next)
		if (!strcmp(m->key, key))
			return m->value;
	return NULL;
}

void deliver_conn_memo_set(struct deliver_conn *c, const char *key, void *value,
			   void (*free_fn)(void *))
{
	struct conn_memo *m;

	for (m = c->memo; m; m = m->next)
		if (!strcmp(m->key, key))
			break;
	if (!m) {
		m = xcalloc(1, sizeof(*m));
		m->key = xstrdup(key);
		m->next = c->memo;
		c->memo = m;
	} else if (m->value && m->free_fn) {
		m->free_fn(m->value);
	}
	m->value = value;
	m->free_fn = free_fn;
}

/*
 * libcurl starts here, before the first request, not with every command:
 * its start (OpenSSL's configuration and algorithms, libssh2) costs a
 * millisecond that a scan, a lint or a push with nothing to announce does
 * not need. Requests are made from one thread only. main() cleans up
 * (curl_global_cleanup() does nothing when curl was never started).
 *
 * libcurl's manual asks for curl_global_init() before any other call.
 * herald makes some earlier, while reading targets and building payloads:
 * the URL API (curl_url_*), curl_easy_escape/unescape with no handle,
 * curl_slist_*, curl_free and (in `version`) curl_version_info. None of
 * them touches what the start sets up (TLS, the resolver, libssh2) in the
 * libcurl herald is built against (7.88); the tests run each of them in
 * commands that make no request (`targets`, `version`, `scan`).
 */
static int start_curl(void)
{
	static int started;

	if (!started) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return error("cannot initialise libcurl");
		started = 1;
	}
	return 0;
}

void *deliver_conn_handle(struct deliver_conn *conn, const struct target *t)
{
	CURL *curl;
	long total = t->timeout * 1000, connect = t->connect_timeout * 1000;

	if (conn && conn->curl) {
		curl = conn->curl;
		curl_easy_reset(curl); /* options go, open connections stay */
	} else if (start_curl() < 0) {
		return NULL;
	} else if (!(curl = curl_easy_init())) {
		error("cannot start libcurl");
		return NULL;
	} else if (conn) {
		conn->curl = curl;
	}
	/* a hook's budget bounds even the request in flight */
	if (conn && conn->cap > 0 && conn->cap * 1000 < (double)total)
		total = (long)(conn->cap * 1000) + 1;
	if (connect > total)
		connect = total;
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total);
	return curl;
}

void deliver_conn_release(struct deliver_conn *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	while (c->memo) {
		struct conn_memo *m = c->memo;
		c->memo = m->next;
		if (m->value && m->free_fn)
			m->free_fn(m->value);
		free(m->key);
		free(m);
	}
}

int deliver_http(struct deliver_conn *conn, const struct target *t,
		 const struct http_request *r, struct attempt *a)
{
	struct curl_slist *h = NULL;
	struct strbuf ua = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "", *where = NULL;
	size_t i;
	CURL *curl = NULL;
	CURLcode rc;
	struct header_watch watch = { NULL, NULL, 0, NULL };
	long status = 0;
	curl_off_t retry = 0;
	int ret = 0;

	where = target_redact(r->url);
	a->response_max = r->response_max ? r->response_max : RESPONSE_MAX;
	if (!(curl = deliver_conn_handle(conn, t))) {
		ret = -1;
		goto out;
	}
	if (r->content_type)
		h = add_header(h, "Content-Type", r->content_type);
	strbuf_addf(&ua, "herald/%s", HERALD_VERSION);
	h = add_header(h, "User-Agent", ua.buf);
	h = add_header(h, "Expect", "");
	for (i = 0; r->headers && i + 1 < r->headers->nr; i += 2)
		h = add_header(h, r->headers->v[i], r->headers->v[i + 1]);
	if (r->auth)
		h = add_header(h, "Authorization", r->auth);
	curl_easy_setopt(curl, CURLOPT_URL, r->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	if (r->method && !strcmp(r->method, "GET")) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r->method ? r->method : "POST");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r->body ? r->body : "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	}
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (r->final || r->response_headers) {
		watch.curl = curl;
		watch.conn = r->final ? conn : NULL;
		watch.keep = r->response_headers;
		curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(curl, CURLOPT_HEADERDATA, &watch);
	}
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		/* curl_easy_strerror() names no url; errbuf could */
		snprintf(a->error, sizeof(a->error), "%s (%s)", curl_easy_strerror(rc), where);
		a->transient = 1;
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry);
	a->status = (int)status;
	/* libcurl turns an HTTP-date into seconds from now; either may be anything */
	a->retry_after = deliver_clamp_retry_after((long long)retry);
	if (status == 429 && !a->retry_after)
		a->retry_after = json_retry_after(&a->response);
	if (status >= 200 && status < 300) {
		a->ok = 1;
	} else {
		a->transient = transient_status((int)status);
		snprintf(a->error, sizeof(a->error), "HTTP %ld from %s%s", status, where,
			 status >= 300 && status < 400 ? " (redirects are not followed)" : "");
	}
out:
	strbuf_release(&ua);
	curl_slist_free_all(h);
	if (curl && !conn)
		curl_easy_cleanup(curl);
	free(where);
	return ret;
}

int deliver_send(struct deliver_conn *conn, const struct target *t,
		 const struct outbox_entry *e, long long now, struct attempt *a)
{
	struct strbuf auth = STRBUF_INIT, body = STRBUF_INIT;
	struct strvec extra = STRVEC_INIT;
	const struct kind *k = kind_find(t->kind);
	struct http_request r = { 0 };
	char *url = NULL;
	int ret = 0;

	if (t->problem) {
		snprintf(a->error, sizeof(a->error), "target '%s' is unusable: %s", t->name, t->problem);
		a->transient = 1;
		return 0;
	}
	if (k && k->send)
		return k->send(conn, t, e, now, a);
	if (k && k->headers &&
	    k->headers(t, e->id, e->body, e->body_len, now, &extra) < 0) {
		snprintf(a->error, sizeof(a->error), "cannot sign for target '%s'", t->name);
		goto out;
	}
	if (t->auth) {
		strbuf_addstr(&auth, t->auth);
	} else if (t->token) {
		strbuf_addf(&auth, "Bearer %s", t->token);
	}
	if (k && k->send_body && k->send_body(t, e->body, e->body_len, &body) < 0) {
		snprintf(a->error, sizeof(a->error), "the queued %s body is not a JSON object",
			 k->name);
		goto out;
	}
	url = request_url(k, t, e);
	r.method = e->method ? e->method : "POST";
	r.url = url;
	r.content_type = e->content_type ? e->content_type : "application/json";
	r.body = body.len ? body.buf : e->body;
	r.len = body.len ? body.len : e->body_len;
	r.headers = &extra;
	r.auth = auth.len ? auth.buf : NULL;
	r.final = 1;
	/* the message's id may come after an echo of the whole message */
	if (t->follow)
		r.response_max = FOLLOW_RESPONSE_MAX;
	ret = deliver_http(conn, t, &r, a);
out:
	strbuf_release(&auth);
	strvec_clear(&extra);
	strbuf_release(&body);
	free(url);
	return ret;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void when_text(long long delay, char *buf, size_t size)
{
	if (delay < 120)
		snprintf(buf, size, "in %llds", delay);
	else if (delay < 2 * 3600)
		snprintf(buf, size, "in %lldm", delay / 60);
	else
		snprintf(buf, size, "in %lldh", delay / 3600);
}

/* The entry being sent, for removing it the moment a 2xx status arrives. */
struct in_flight {
	struct outbox *ob;
	const char *id;
	int removed; /* 1 removed, -1 the removal failed */
};

static void remove_accepted(void *ud)
{
	struct in_flight *f = ud;

	f->removed = outbox_remove(f->ob, f->id) < 0 ? -1 : 1;
}

/*
 * After a 2xx to a target that follows its posts: the platform's id of the
 * message that announced one post goes to the ledger, where an edit or a
 * retraction finds it. The delivery stands whatever happens here.
 */
static void keep_remote_id(struct outbox *ob, struct ledger **l, const struct target *t,
			   const struct outbox_entry *e, const struct attempt *a, long long now)
{
	const struct kind *k = kind_find(t->kind);
	struct strbuf rid = STRBUF_INIT;

	if (!t->follow || !k || !k->remote_id || !e->post || !e->event ||
	    (strcmp(e->event, "post.new") && strcmp(e->event, "post.undrafted")))
		return;
	if (k->remote_id(a->response.buf, a->response.len, &rid) < 0 || !rid.len) {
		warning("target '%s': the answer to '%s' holds no message id: its announcement "
			"cannot be edited or retracted", t->name, e->id);
		goto out;
	}
	if (!*l && !(*l = ledger_open(outbox_dir(ob))))
		goto fail;
	if (ledger_add(*l, t->name, "remote", e->post, rid.buf, now) < 0)
		goto fail;
	goto out;
fail:
	warning("target '%s': the message id of '%s' is not kept: its announcement cannot be "
		"edited or retracted", t->name, e->id);
out:
	strbuf_release(&rid);
}

enum settled { UNSETTLED, SETTLED_GONE, SETTLED_SO };

/*
 * Does failed answer `a` to follow-up `e` leave nothing to do? A
 * retraction answered 404 or 410, on any platform, or whatever the kind
 * of `t` says (its `settled`): SETTLED_GONE for a retraction (the message
 * is gone already), SETTLED_SO for an edit (the message shows it already).
 */
static enum settled settled(const struct target *t, const struct outbox_entry *e,
			    const struct attempt *a)
{
	const struct kind *k = kind_find(t->kind);
	int retract;

	if (a->ok || !e->event)
		return UNSETTLED;
	retract = !strcmp(e->event, "post.retract");
	if ((retract && (a->status == 404 || a->status == 410)) ||
	    (k && k->settled && k->settled(e->event, a->status, a->response.buf, a->response.len)))
		return retract ? SETTLED_GONE : SETTLED_SO;
	return UNSETTLED;
}

int deliver_due(struct outbox *ob, struct target *targets, size_t nr,
		const struct deliver_options *o, struct deliver_stats *st)
{
	struct outbox_entry *v = NULL;
	struct deliver_conn conn = { 0 };
	struct in_flight flight = { ob, NULL, 0 };
	struct state *state = NULL;
	struct ledger *ledger = NULL;
	struct timespec t0;
	size_t n = 0, i;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (outbox_list(ob, 0, &v, &n) < 0)
		return -1;
	conn.dir = outbox_dir(ob);
	/* outcomes for `herald status`; never a reason not to deliver */
	if (n && !(state = state_open(outbox_dir(ob))))
		warning("delivery outcomes are not recorded for 'herald status'");
	for (i = 0; i < n; i++) {
		struct outbox_entry *e = &v[i];
		struct target *t = targets_find(targets, nr, e->target);
		long long now = o->now ? o->now : (long long)time(NULL);
		struct attempt a;
		char next[32] = "";
		enum settled done;

		if (!o->all && e->next_attempt > now) {
			st->left++;
			continue;
		}
		if (o->max_time > 0 && elapsed(&t0) >= o->max_time) {
			st->left++;
			continue;
		}
		if (!t) {
			st->skipped++;
			if (o->log)
				fprintf(o->log, "%-16s %-16s %s  skipped: no target '%s' in git config\n",
					e->target, e->event, e->id, e->target);
			continue;
		}
		attempt_init(&a);
		conn.cap = o->max_time > 0 ? o->max_time - elapsed(&t0) : 0;
		flight.id = e->id;
		flight.removed = 0;
		conn.on_accepted = remove_accepted;
		conn.ud = &flight;
		if (deliver_send(&conn, t, e, now, &a) < 0) {
			attempt_release(&a);
			ret = -1;
			break;
		}
		st->attempted++;
		/* a 2xx status came, then the answer broke off: accepted all the same */
		if (flight.removed && !a.ok) {
			a.ok = 1;
			a.status = a.status ? a.status : 200;
		}
		conn.on_accepted = NULL;
		if ((done = settled(t, e, &a)) != UNSETTLED)
			a.ok = 1;
		state_record(state, e->target, a.ok, a.status, a.error, now);
		e->attempts++;
		e->last_attempt = now;
		e->last_status = a.status;
		free(e->last_error);
		e->last_error = a.ok ? NULL : xstrdup(a.error);
		free(e->response);
		e->response = a.response.len ?
			xstrndup(a.response.buf, a.response.len < RESPONSE_MAX ? a.response.len : RESPONSE_MAX) :
			NULL;
		if (a.ok) {
			st->delivered++;
			keep_remote_id(ob, &ledger, t, e, &a, now);
			/*
			 * Removed when the status line came; a failed removal is
			 * tried once more, and if that fails too the entry is sent
			 * again later under the same webhook-id. Stop here: the
			 * disk is in trouble.
			 */
			if (flight.removed != 1 && outbox_remove(ob, e->id) < 0) {
				error("'%s' was delivered but stays in the outbox; it will be "
				      "sent again with the same id", e->id);
				ret = -1;
			}
			snprintf(next, sizeof(next), "%s",
				 done == SETTLED_GONE ? "gone already" :
				 done == SETTLED_SO ? "so already" : "delivered");
		} else {
			long long delay = a.transient ? deliver_delay(e->attempts, (unsigned)rand()) : -1;
			if (delay >= 0 && a.retry_after > delay)
				delay = a.retry_after;
			if (delay < 0) {
				st->dead++;
				if (outbox_bury(ob, e) < 0)
					ret = -1;
				snprintf(next, sizeof(next), "dead");
			} else {
				st->retrying++;
				e->next_attempt = now + delay;
				if (outbox_put(ob, e) < 0)
					ret = -1;
				when_text(delay, next, sizeof(next));
				memmove(next + 6, next, strlen(next) + 1);
				memcpy(next, "retry ", 6);
			}
		}
		if (o->log) {
			/* 40 columns, cut at a character, not at a byte; controls escaped */
			struct strbuf title = STRBUF_INIT;
			char *shown = printable(e->title ? e->title : e->id);
			char *err = printable(a.error);
			utf8_add_columns(&title, shown, 40, 1);
			if (a.status)
				fprintf(o->log, "%-16s %-16s %s %3d  %s%s%s\n", e->target, e->event,
					title.buf, a.status, next,
					a.ok ? "" : ": ", a.ok ? "" : err);
			else
				fprintf(o->log, "%-16s %-16s %s  -   %s: %s\n", e->target, e->event,
					title.buf, next, err);
			strbuf_release(&title);
			free(shown);
			free(err);
		}
		attempt_release(&a);
		if (ret < 0)
			break;
	}
	deliver_conn_release(&conn);
	ledger_close(ledger);
	state_save(state); /* a failure is reported; the deliveries stand */
	state_close(state);
	for (i = 0; i < n; i++)
		outbox_entry_release(&v[i]);
	free(v);
	return ret;
}
