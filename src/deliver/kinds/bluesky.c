/*
 * Bluesky (AT Protocol): an app.bsky.feed.post record made with
 * com.atproto.repo.createRecord on the account's PDS (the url, by default
 * https://bsky.social), after com.atproto.server.createSession with the
 * handle and an app password. The session is kept for the run in the
 * connection's memo, refreshed with refreshSession when a call answers
 * ExpiredToken or 401, and never logged, queued or written anywhere.
 *
 * The queued body is the record itself: text within 300 graphemes and
 * 3000 bytes, link facets with UTF-8 byte offsets, an external card, the
 * languages the config names and createdAt. Plain "@name" text notifies
 * nobody on Bluesky (only a mention facet does, and herald makes none), so
 * no mention needs defusing. The record key is a TID derived from the
 * delivery id: a retry names the same record, and an answer that it is
 * already there (the record is found with getRecord) counts as delivered.
 * Its at:// uri is at://DID/app.bsky.feed.post/RKEY, and RKEY can be made
 * again from the ledger line (ID and WHEN) for a later deleteRecord.
 *
 * The card's thumbnail is the post's picture when the push itself holds
 * it (bluesky.h): herald fetches nothing a push names from the network.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "herald/bluesky.h"
#include "herald/date.h"
#include "herald/deliver.h"
#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/link.h"
#include "herald/markdown.h"
#include "herald/outbox.h"
#include "herald/base64.h"
#include "herald/picture.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

#define DEFAULT_PDS "https://bsky.social"
#define COLLECTION "app.bsky.feed.post"

/* Room kept in the built-in text for separators and what is cut with "…". */
#define MARGIN 8
/* A link longer than this stays out of the text (the card still carries it). */
#define LINK_IN_TEXT 120
#define BATCH_FRAME 40 /* headline and "…and N more" */
#define CARD_TITLE 300
#define CARD_DESCRIPTION 300
#define LANGS_MAX 3

/* A session's answers carry a DID document; keep enough of them. */
#define SESSION_MAX (256 * 1024)

static const struct kind_option options[] = {
	{ "handle", "HANDLE", "handle" },
	{ "langs", "LANGS", "langs" },
	{ NULL, NULL, NULL },
};

/* ---- text, facets, record key ---------------------------------------- */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Does an http(s) url start at s[i]: "http://" or "https://" where a word may begin? */
static int url_starts(const char *s, size_t len, size_t i)
{
	if (i > 0 && !is_space((unsigned char)s[i - 1]) && !strchr("([<\"'", s[i - 1]))
		return 0;
	return (len - i > 7 && !strncasecmp(s + i, "http://", 7)) ||
	       (len - i > 8 && !strncasecmp(s + i, "https://", 8));
}

/* Where the url starting at s[i] ends: the next space, less trailing punctuation. */
static size_t url_end(const char *s, size_t len, size_t i)
{
	size_t end = i, open = 0, close = 0, k;

	while (end < len && !is_space((unsigned char)s[end]))
		end++;
	for (k = i; k < end; k++) {
		open += s[k] == '(';
		close += s[k] == ')';
	}
	while (end > i) {
		char c = s[end - 1];
		if (strchr(".,;:!?\"'>]", c)) {
			end--;
		} else if (c == ')' && close > open) {
			close--;
			end--;
		} else {
			break;
		}
	}
	return end;
}

json_t *bluesky_facets(const char *s, size_t len)
{
	json_t *facets = json_array();
	size_t i = 0, end;

	while (i < len) {
		char *raw, *clean;

		if (!url_starts(s, len, i)) {
			i++;
			continue;
		}
		end = url_end(s, len, i);
		raw = xstrndup(s + i, end - i);
		clean = link_clean(raw);
		if (clean)
			json_array_append_new(facets, json_pack(
				"{s:{s:I,s:I},s:[{s:s,s:s}]}",
				"index", "byteStart", (json_int_t)i, "byteEnd", (json_int_t)end,
				"features", "$type", "app.bsky.richtext.facet#link", "uri", clean));
		free(raw);
		free(clean);
		i = end > i ? end : i + 1;
	}
	return facets;
}

/* The longest grapheme-boundary prefix of s[0..len) of at most `graphemes` and `bytes`. */
static size_t prefix(const char *s, size_t len, size_t graphemes, size_t bytes)
{
	size_t pos = 0, n = 0, g;

	while (pos < len && n < graphemes) {
		g = utf8_grapheme_len(s + pos, len - pos);
		if (pos + g > bytes)
			break;
		pos += g;
		n++;
	}
	return pos;
}

void bluesky_fit(struct strbuf *text)
{
	size_t cut, i;

	if (text->len <= BLUESKY_TEXT_BYTES &&
	    utf8_graphemes(text->buf, text->len) <= BLUESKY_TEXT_GRAPHEMES)
		return;
	/* one grapheme and three bytes are for the "…" */
	cut = prefix(text->buf, text->len, BLUESKY_TEXT_GRAPHEMES - 1, BLUESKY_TEXT_BYTES - 3);
	for (i = 0; i < cut; i++) {
		size_t end;
		if (!url_starts(text->buf, text->len, i))
			continue;
		end = url_end(text->buf, text->len, i);
		if (end > cut) {
			cut = i; /* a link goes whole or not at all */
			break;
		}
		i = end > i ? end - 1 : i;
	}
	while (cut && is_space((unsigned char)text->buf[cut - 1]))
		cut--;
	strbuf_setlen(text, cut);
	strbuf_addstr(text, "\xe2\x80\xa6");
}

void bluesky_rkey(const char *id, long long created, char out[14])
{
	static const char alphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned long long h = 0, micros, v;
	int i;

	if (!EVP_Digest(id, strlen(id), md, &mdlen, EVP_sha256(), NULL) || mdlen < 8)
		die("cannot hash with SHA-256");
	for (i = 0; i < 8; i++)
		h = (h << 8) | md[i];
	if (created < 0)
		created = 0;
	/* 53 bits of microseconds since the epoch, then a 10-bit clock id */
	micros = ((unsigned long long)created * 1000000ULL + h % 1000000ULL) & ((1ULL << 53) - 1);
	v = (micros << 10) | ((h >> 20) & 0x3ff);
	for (i = 0; i < 13; i++)
		out[i] = alphabet[(v >> (60 - 5 * i)) & 31];
	out[13] = '\0';
}

/* ---- building the record --------------------------------------------- */

/* Is `tag` a language tag as langs takes it: "en", "pt-BR", "zh-Hant"? */
static int lang_valid(const char *tag, size_t len)
{
	size_t i = 0, part = 0;

	while (i < len && isalpha((unsigned char)tag[i]))
		i++;
	if (i < 2 || i > 3)
		return 0;
	while (i < len) {
		if (tag[i++] != '-')
			return 0;
		for (part = 0; i < len && isalnum((unsigned char)tag[i]); i++)
			part++;
		if (part < 1 || part > 8)
			return 0;
	}
	return 1;
}

/* The languages of `v` ("en de", "en,de") as an array, or NULL when one is not a tag. */
static json_t *langs_of(const char *v)
{
	json_t *list = json_array();
	const char *p = v;

	while (*p) {
		size_t n;
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (!n)
			break;
		if (!lang_valid(p, n) || json_array_size(list) >= LANGS_MAX) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, json_stringn(p, n));
		p += n;
	}
	return list;
}

static void configure(struct target *t)
{
	const char *handle = value_str(t->options, "handle");
	const char *langs = value_str(t->options, "langs");
	json_t *l;

	if (!t->url)
		t->url = xstrdup(DEFAULT_PDS);
	if (!handle || !*handle)
		target_problem(t, "bluesky needs herald.%s.handle, the account (alice.bsky.social)",
			       t->name);
	else if (!t->password)
		target_problem(t, "bluesky needs an app password (herald.%s.passwordFile or passwordEnv)",
			       t->name);
	if (langs) {
		if (!(l = langs_of(langs)))
			target_problem(t, "langs must be at most %d language tags (en, pt-BR)",
				       LANGS_MAX);
		json_decref(l);
	}
}

static void item(struct kind_item *it, int batch)
{
	struct strbuf title = STRBUF_INIT;
	size_t link = it->link ? dialect_units16(it->link, strlen(it->link)) : 0;
	size_t label = dialect_units16(it->label, strlen(it->label)) + 2;
	int show_link = it->link && link <= LINK_IN_TEXT && !batch;

	strbuf_add(&title, it->title->buf, it->title->len);
	if (!batch) /* "LABEL: TITLE", a blank line, the link: the summary gets the rest */
		dialect_clip(&title, BLUESKY_TEXT_GRAPHEMES - MARGIN - label -
					     (show_link ? link + 2 : 0));
	kind_set(it->ev, "title_bluesky", &title);
	if (show_link)
		json_object_set_new(it->ev, "link_bluesky", json_string(it->link));
	else
		json_object_set_new(it->ev, "link_bluesky", json_null());
	it->line = label + dialect_units16(title.buf, title.len) + (show_link ? link + 2 : 0);
	it->size = dialect_units16(title.buf, title.len) + 3; /* "\n• " */
	strbuf_release(&title);
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	size_t budget;

	if (batch)
		return 0; /* a batch lists titles */
	/* units count at least one per grapheme, so this fits the graphemes too */
	budget = kind_share(BLUESKY_TEXT_GRAPHEMES - MARGIN, items[0].line + 2, 1);
	return kind_summaries_render(items, shown, MARKDOWN_TEXT, budget, MENTIONS_NONE,
				     MARKUP_PLAIN, "summary_bluesky");
}

/* s cut to `max` graphemes, ending in "…" when cut; a new JSON string. */
static json_t *graphemes_cut(const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = s ? strlen(s) : 0, keep;
	json_t *v;

	if (utf8_graphemes(s ? s : "", len) <= max) {
		strbuf_add(&sb, s ? s : "", len);
	} else {
		keep = prefix(s, len, max - 1, len);
		strbuf_add(&sb, s, keep);
		strbuf_addstr(&sb, "\xe2\x80\xa6");
	}
	v = value_textn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

/*
 * Whatever the template gave (its "text", and an "embed" with uri, title
 * and description), the record is made here: the text fitted to the
 * limits, the facets computed from it (a template cannot count bytes),
 * only an http(s) card, the config's languages, and nothing else.
 */
static int enforce(const struct kind_body *b, json_t *doc)
{
	const json_t *text = json_object_get(doc, "text"), *embed = json_object_get(doc, "embed");
	const char *langs = value_str(b->target, "langs");
	struct strbuf sb = STRBUF_INIT;
	json_t *rec, *facets, *l;
	char *uri = NULL;

	if (!json_is_string(text))
		return error("template '%s' gives no \"text\" string, which a bluesky post needs",
			     b->template);
	strbuf_add(&sb, json_string_value(text), json_string_length(text));
	bluesky_fit(&sb);
	rec = json_object();
	json_object_set_new(rec, "$type", json_string(COLLECTION));
	json_object_set_new(rec, "text", value_textn(sb.buf, sb.len));
	json_object_set_new(rec, "createdAt", json_string(b->stamp));
	facets = bluesky_facets(sb.buf, sb.len);
	if (json_array_size(facets))
		json_object_set_new(rec, "facets", facets);
	else
		json_decref(facets);
	if (json_is_object(embed) && (uri = link_clean(value_str(embed, "uri"))))
		json_object_set_new(rec, "embed", json_pack(
			"{s:s,s:{s:s,s:o,s:o}}", "$type", "app.bsky.embed.external",
			"external", "uri", uri,
			"title", graphemes_cut(value_str(embed, "title"), CARD_TITLE),
			"description", graphemes_cut(value_str(embed, "description"),
						     CARD_DESCRIPTION)));
	if (langs && (l = langs_of(langs))) {
		if (json_array_size(l))
			json_object_set_new(rec, "langs", l);
		else
			json_decref(l);
	}
	json_object_clear(doc);
	json_object_update(doc, rec);
	json_decref(rec);
	free(uri);
	strbuf_release(&sb);
	return 0;
}

/* ---- the thumbnail, kept in the queued record --------------------------- */

void bluesky_thumb_attach(git_tree *tree, const struct site *site, const json_t *ev,
			  char **body, size_t *len)
{
	json_t *rec = json_loadb(*body ? *body : "", *len, 0, NULL), *ext;
	struct strbuf b64 = STRBUF_INIT;
	struct picture pic;
	char *text;

	ext = json_object_get(json_object_get(rec, "embed"), "external");
	if (!json_is_object(ext) || picture_read(tree, site, ev, PICTURE_MAX, &pic) <= 0)
		goto out;
	base64_encode(&b64, pic.data, pic.len);
	json_object_set_new(ext, "thumb", json_pack("{s:s,s:s,s:I,s:s}", "$type", BLUESKY_UPLOAD,
						    "mimeType", pic.mime, "size",
						    (json_int_t)pic.len, "data", b64.buf));
	if (!(text = json_dumps(rec, JSON_COMPACT)))
		die("out of memory");
	free(*body);
	*body = text;
	*len = strlen(text);
	picture_release(&pic);
out:
	strbuf_release(&b64);
	json_decref(rec);
}

char *bluesky_thumb_shown(const char *body, size_t len)
{
	json_t *doc, *thumb;
	const char *type, *mime;
	char *text = NULL, *what;

	if (!memmem(body, len, BLUESKY_UPLOAD, strlen(BLUESKY_UPLOAD)))
		return NULL;
	doc = json_loadb(body, len, 0, NULL);
	thumb = json_object_get(json_object_get(json_object_get(doc, "embed"), "external"), "thumb");
	type = value_str(thumb, "$type");
	if (type && !strcmp(type, BLUESKY_UPLOAD) && json_is_string(json_object_get(thumb, "data"))) {
		mime = value_str(thumb, "mimeType");
		what = xstrfmt("(%lld bytes of %s, uploaded when sent)",
			       (long long)json_integer_value(json_object_get(thumb, "size")),
			       mime ? mime : "picture");
		json_object_set_new(thumb, "data", json_string(what));
		free(what);
		text = json_dumps(doc, JSON_COMPACT);
	}
	json_decref(doc);
	return text;
}

/* ---- sending ---------------------------------------------------------- */

/*
 * A session: secrets that live only in memory, for one run. A login that
 * was refused is kept too (`refused`, with its outcome), so the other
 * entries of the run do not ask again: createSession has a tight rate
 * limit, and the answer would not change.
 */
struct session {
	char *access, *refresh, *did;
	int refused, status, transient;
	long long retry_after;
	char error[200];
};

static void wipe(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static void session_free(void *p)
{
	struct session *s = p;

	wipe(s->access);
	wipe(s->refresh);
	free(s->did);
	free(s);
}

static char *xrpc_url(const struct target *t, const char *nsid)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, t->url);
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	strbuf_addf(&sb, "/xrpc/%s", nsid);
	return strbuf_detach(&sb, NULL);
}

/* The XRPC error name of an answer ("ExpiredToken"), letters and digits only, or "". */
static void xrpc_error(const struct attempt *a, char *buf, size_t size)
{
	json_t *v = json_loadb(a->response.buf, a->response.len, 0, NULL);
	const char *name = value_str(v, "error");
	size_t i = 0;

	for (; name && *name && i + 1 < size && isalnum((unsigned char)*name); name++)
		buf[i++] = *name;
	buf[i] = '\0';
	json_decref(v);
}

/* Did the call fail because the access token is no longer good? */
static int expired(const struct attempt *a)
{
	char name[64];

	if (a->status == 401)
		return 1;
	xrpc_error(a, name, sizeof(name));
	return a->status == 400 && !strcmp(name, "ExpiredToken");
}

/* a->error = "NSID: MSG (NAME)", cut to fit. */
static void say(struct attempt *a, const char *nsid, const char *msg, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	strbuf_addf(&sb, "%s: %s", nsid, msg);
	if (name && *name)
		strbuf_addf(&sb, " (%s)", name);
	n = sb.len < sizeof(a->error) - 1 ? sb.len : sizeof(a->error) - 1;
	memcpy(a->error, sb.buf, n);
	a->error[n] = '\0';
	strbuf_release(&sb);
}

/* Copies the outcome of a call that was not the delivery into `a`, named. */
static void failed(struct attempt *a, const struct attempt *call, const char *nsid)
{
	char name[64];

	xrpc_error(call, name, sizeof(name));
	a->status = call->status;
	a->ok = 0;
	a->transient = call->transient;
	a->retry_after = call->retry_after;
	say(a, nsid, call->error, name);
}

/* Waits Bluesky asks for: RateLimit-Reset is the time the window resets (Unix seconds). */
static long long rate_limit_wait(const struct strbuf *headers)
{
	const char *p = headers->buf;
	long long v = 0;

	while (p && *p) {
		if (!strncasecmp(p, "ratelimit-reset:", 16)) {
			v = strtoll(p + 16, NULL, 10);
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (v > 1000000000LL) /* a time, on the receiver's clock, which is real time */
		v -= (long long)time(NULL);
	return deliver_clamp_retry_after(v);
}

/* POSTs `body` (or nothing) to the XRPC procedure `nsid`. */
static int call(struct deliver_conn *conn, const struct target *t, const char *nsid,
		const json_t *body, const char *token, int final, struct attempt *a)
{
	struct strbuf auth = STRBUF_INIT, headers = STRBUF_INIT;
	struct http_request r = { 0 };
	char *url = xrpc_url(t, nsid), *text = NULL;
	int ret;

	if (body && !(text = json_dumps(body, JSON_COMPACT)))
		die("out of memory");
	if (token)
		strbuf_addf(&auth, "Bearer %s", token);
	r.method = "POST";
	r.url = url;
	r.content_type = text ? "application/json" : NULL;
	r.body = text ? text : "";
	r.len = text ? strlen(text) : 0;
	r.auth = token ? auth.buf : NULL;
	r.response_max = final ? 0 : SESSION_MAX;
	r.response_headers = &headers;
	r.final = final;
	ret = deliver_http(conn, t, &r, a);
	if (!ret && a->status == 429)
		a->retry_after = a->retry_after > rate_limit_wait(&headers) ?
			a->retry_after : rate_limit_wait(&headers);
	if (text)
		OPENSSL_cleanse(text, strlen(text)); /* createSession's carries the password */
	free(text);
	free(url);
	if (auth.len)
		OPENSSL_cleanse(auth.buf, auth.len);
	strbuf_release(&auth);
	strbuf_release(&headers);
	return ret;
}

/* The session in a createSession or refreshSession answer, or NULL. */
static struct session *session_of(const struct attempt *a)
{
	json_t *v = json_loadb(a->response.buf, a->response.len, 0, NULL);
	const char *access = value_str(v, "accessJwt"), *refresh = value_str(v, "refreshJwt");
	const char *did = value_str(v, "did");
	struct session *s = NULL;

	if (access && *access && refresh && *refresh && did && !strncmp(did, "did:", 4)) {
		s = xcalloc(1, sizeof(*s));
		s->access = xstrdup(access);
		s->refresh = xstrdup(refresh);
		s->did = xstrdup(did);
	}
	json_decref(v);
	return s;
}

/*
 * A new session in the memo: refreshed when `old` is given and its
 * refresh token still works, else created with the password. NULL when
 * none could be had, with `a` saying why; -1 in *ret when no request
 * could be made at all.
 */
static struct session *login(struct deliver_conn *conn, const struct target *t,
			     const char *key, const struct session *old,
			     struct attempt *a, int *ret)
{
	struct attempt c;
	struct session *s = NULL;
	json_t *body;
	const char *nsid;

	*ret = 0;
	if (old) {
		attempt_init(&c);
		nsid = "com.atproto.server.refreshSession";
		*ret = call(conn, t, nsid, NULL, old->refresh, 0, &c);
		if (!*ret && c.ok && !(s = session_of(&c)))
			snprintf(c.error, sizeof(c.error), "the answer holds no session");
		if (!*ret && !s && !expired(&c) && !(c.status == 400 && !c.transient))
			failed(a, &c, nsid); /* not a dead refresh token: say so */
		OPENSSL_cleanse(c.response.buf, c.response.len);
		attempt_release(&c);
		if (*ret || s || a->error[0])
			goto out;
	}
	attempt_init(&c);
	nsid = "com.atproto.server.createSession";
	body = json_pack("{s:s,s:s}", "identifier", value_str(t->options, "handle"),
			 "password", t->password);
	if (!body) {
		attempt_release(&c);
		snprintf(a->error, sizeof(a->error), "%s: the handle or app password is not UTF-8", nsid);
		return NULL;
	}
	*ret = call(conn, t, nsid, body, NULL, 0, &c);
	json_decref(body);
	if (!*ret && c.ok && !(s = session_of(&c))) {
		snprintf(c.error, sizeof(c.error), "the answer holds no session");
		c.transient = 1;
	}
	if (!*ret && !s) {
		failed(a, &c, nsid);
		s = xcalloc(1, sizeof(*s));
		s->refused = 1;
		s->status = a->status;
		s->transient = a->transient;
		s->retry_after = a->retry_after;
		memcpy(s->error, a->error, sizeof(s->error));
	}
	OPENSSL_cleanse(c.response.buf, c.response.len);
	attempt_release(&c);
out:
	if (s)
		deliver_conn_memo_set(conn, key, s, session_free);
	return s && !s->refused ? s : NULL;
}

/* Is the record at `rkey` there (an earlier attempt made it)? 1, 0, or -1: no request. */
static int already_there(struct deliver_conn *conn, const struct target *t,
			 const struct session *s, const char *rkey, struct attempt *a)
{
	struct strbuf sb = STRBUF_INIT, auth = STRBUF_INIT;
	struct http_request r = { 0 };
	struct attempt g;
	char *url = xrpc_url(t, "com.atproto.repo.getRecord"), *did;
	int ret;

	did = curl_easy_escape(NULL, s->did, 0);
	if (!did)
		die("out of memory");
	strbuf_addf(&sb, "%s?repo=%s&collection=%s&rkey=%s", url, did, COLLECTION, rkey);
	curl_free(did);
	strbuf_addf(&auth, "Bearer %s", s->access);
	r.method = "GET";
	r.url = sb.buf;
	r.auth = auth.buf;
	r.final = 1; /* found: that is the delivery */
	r.response_max = SESSION_MAX; /* the record is echoed before its uri may come */
	attempt_init(&g);
	ret = deliver_http(conn, t, &r, &g);
	if (!ret && g.ok) {
		a->ok = 1;
		a->status = g.status;
		a->transient = 0;
		snprintf(a->error, sizeof(a->error), "already posted");
		/* its uri is the record's, for a later retraction */
		strbuf_reset(&a->response);
		strbuf_add(&a->response, g.response.buf, g.response.len);
	}
	ret = ret < 0 ? -1 : g.ok;
	attempt_release(&g);
	OPENSSL_cleanse(auth.buf, auth.len);
	strbuf_release(&auth);
	strbuf_release(&sb);
	free(url);
	return ret;
}

/*
 * Uploads the queued thumbnail of `record` (BLUESKY_UPLOAD) and puts the
 * blob the PDS answers in its place. 0 when the record is ready (also
 * when it has no thumbnail, or the PDS refused the picture for good: it
 * goes without one, with a warning); 1 when the attempt failed as `a`
 * says (a transient failure, no session); -1 when no request could be made.
 */
static int thumb_upload(struct deliver_conn *conn, const struct target *t,
			const struct outbox_entry *e, const char *key, struct session **sp,
			json_t *record, struct attempt *a)
{
	const char *nsid = "com.atproto.repo.uploadBlob";
	json_t *ext = json_object_get(json_object_get(record, "embed"), "external");
	json_t *thumb = json_object_get(ext, "thumb"), *answer = NULL, *blob;
	const char *mime = value_str(thumb, "mimeType"), *data = value_str(thumb, "data");
	unsigned char *bytes = NULL;
	struct strbuf auth = STRBUF_INIT;
	struct http_request r = { 0 };
	struct attempt c;
	char *url = NULL, *post = printable(e->post ? e->post : e->id);
	long n = -1;
	int ret = 0, tries;

	if (!thumb || !value_str(thumb, "$type") || strcmp(value_str(thumb, "$type"), BLUESKY_UPLOAD))
		goto out;
	if (data) {
		bytes = xmalloc(BASE64_DECODED_MAX(strlen(data)) + 1);
		n = base64_decode(data, strlen(data), BASE64_PADDED, bytes);
	}
	if (n < 0 || !mime || picture_mime(bytes, (size_t)n) == NULL ||
	    strcmp(picture_mime(bytes, (size_t)n), mime)) {
		warning("target '%s': the queued thumbnail of '%s' is not one herald made: posted without it",
			t->name, post);
		json_object_del(ext, "thumb");
		goto out;
	}
	url = xrpc_url(t, nsid);
	for (tries = 0; tries < 2; tries++) {
		attempt_init(&c);
		strbuf_reset(&auth);
		strbuf_addf(&auth, "Bearer %s", (*sp)->access);
		r.method = "POST";
		r.url = url;
		r.content_type = mime;
		r.body = (const char *)bytes;
		r.len = (size_t)n;
		r.auth = auth.buf;
		r.response_max = 8192;
		if ((ret = deliver_http(conn, t, &r, &c)) < 0) {
			attempt_release(&c);
			goto out;
		}
		OPENSSL_cleanse(auth.buf, auth.len);
		if (c.ok) {
			answer = json_loadb(c.response.buf, c.response.len, 0, NULL);
			blob = json_object_get(answer, "blob");
			if (json_is_object(blob) && json_is_object(json_object_get(blob, "ref")) &&
			    value_str(blob, "mimeType")) {
				json_object_set(ext, "thumb", blob);
				attempt_release(&c);
				goto out;
			}
			snprintf(c.error, sizeof(c.error), "the answer holds no blob");
			c.ok = 0;
			c.transient = 1;
		}
		if (expired(&c) && !tries) {
			/* the access token ran out: refresh (or log in again), upload once more */
			attempt_release(&c);
			if (!(*sp = login(conn, t, key, *sp, a, &ret))) {
				ret = ret < 0 ? -1 : 1;
				goto out;
			}
			continue;
		}
		if (c.transient || expired(&c)) {
			failed(a, &c, nsid);
			attempt_release(&c);
			ret = 1;
			goto out;
		}
		{
			char name[64];
			xrpc_error(&c, name, sizeof(name));
			warning("target '%s': %s refused the thumbnail of '%s' (HTTP %d%s%s): posted without it",
				t->name, nsid, post, c.status, *name ? ", " : "", name);
		}
		json_object_del(ext, "thumb");
		attempt_release(&c);
		goto out;
	}
out:
	json_decref(answer);
	OPENSSL_cleanse(auth.buf, auth.len);
	strbuf_release(&auth);
	free(bytes);
	free(url);
	free(post);
	return ret;
}

static void reset(struct attempt *a)
{
	attempt_release(a);
	attempt_init(a);
}

/*
 * The run's session of `t` (key: its memo's name, set here), logging in
 * when there is none; NULL with `a` saying why when there is none to be
 * had (-1 in *ret: no request could be made).
 */
static struct session *session_get(struct deliver_conn *conn, const struct target *t,
				   struct strbuf *key, struct attempt *a, int *ret)
{
	struct session *s;

	*ret = 0;
	strbuf_addf(key, "bluesky:%s", t->name);
	s = deliver_conn_memo(conn, key->buf);
	if (s && s->refused) {
		a->status = s->status;
		a->transient = s->transient;
		a->retry_after = s->retry_after;
		memcpy(a->error, s->error, sizeof(a->error));
		return NULL;
	}
	if (!s)
		s = login(conn, t, key->buf, NULL, a, ret);
	return s;
}

/*
 * A retraction: com.atproto.repo.deleteRecord of the post's record, whose
 * repo, collection and rkey the queued body holds (from its at:// uri).
 * Deleting a record that is gone already succeeds.
 */
static int delete_record(struct deliver_conn *conn, const struct target *t,
			 const struct outbox_entry *e, struct attempt *a)
{
	struct strbuf key = STRBUF_INIT;
	const char *nsid = "com.atproto.repo.deleteRecord";
	json_t *body = json_loadb(e->body ? e->body : "", e->body_len, 0, NULL);
	struct session *s;
	int ret = 0, tries;

	if (!value_str(body, "repo") || !value_str(body, "rkey") ||
	    strcmp(value_str(body, "collection") ? value_str(body, "collection") : "", COLLECTION)) {
		snprintf(a->error, sizeof(a->error), "the queued bluesky retraction is not one herald made");
		goto out;
	}
	if (!(s = session_get(conn, t, &key, a, &ret)))
		goto out;
	for (tries = 0; tries < 2; tries++) {
		reset(a);
		if ((ret = call(conn, t, nsid, body, s->access, 1, a)) < 0 || a->ok || !expired(a) ||
		    tries)
			break;
		reset(a);
		if (!(s = login(conn, t, key.buf, s, a, &ret)))
			goto out;
	}
	if (!ret && !a->ok && a->error[0]) {
		char msg[sizeof(a->error)];
		snprintf(msg, sizeof(msg), "%s", a->error);
		say(a, nsid, msg, NULL);
	}
out:
	json_decref(body);
	strbuf_release(&key);
	return ret;
}

static int post(struct deliver_conn *conn, const struct target *t,
		const struct outbox_entry *e, long long now, struct attempt *a)
{
	struct strbuf key = STRBUF_INIT;
	struct session *s;
	json_t *record = json_loadb(e->body ? e->body : "", e->body_len, 0, NULL), *body = NULL;
	const char *nsid = "com.atproto.repo.createRecord";
	long long created = 0;
	char rkey[14];
	int ret = 0, tries;

	(void)now;
	if (!json_is_object(record) || !value_str(record, "text") ||
	    date_parse(value_str(record, "createdAt") ? value_str(record, "createdAt") : "",
		       &created) < 0) {
		snprintf(a->error, sizeof(a->error), "the queued bluesky record is not one herald made");
		goto out;
	}
	bluesky_rkey(e->id, created, rkey);
	if (!(s = session_get(conn, t, &key, a, &ret)))
		goto out;
	if ((ret = thumb_upload(conn, t, e, key.buf, &s, record, a)) != 0) {
		ret = ret < 0 ? -1 : 0;
		goto out;
	}
	for (tries = 0; tries < 2; tries++) {
		json_decref(body);
		body = json_pack("{s:s,s:s,s:s,s:O}", "repo", s->did, "collection", COLLECTION,
				 "rkey", rkey, "record", record);
		reset(a);
		if ((ret = call(conn, t, nsid, body, s->access, 1, a)) < 0 || a->ok)
			goto out;
		if (!expired(a) || tries)
			break;
		/* the access token ran out: refresh (or log in again) and retry once */
		reset(a);
		if (!(s = login(conn, t, key.buf, s, a, &ret)))
			goto out;
	}
	if (a->status >= 400 && a->status < 500 && !a->transient && !expired(a)) {
		/*
		 * A record already at this key is this entry's, posted by an
		 * attempt whose answer was lost; the PDS refuses to make it
		 * twice (InvalidSwap, or a plain 400), so look.
		 */
		char name[64], msg[sizeof(a->error)];
		xrpc_error(a, name, sizeof(name));
		snprintf(msg, sizeof(msg), "%s", a->error);
		if ((ret = already_there(conn, t, s, rkey, a)) < 0)
			goto out;
		ret = 0;
		if (!a->ok)
			say(a, nsid, msg, name);
	} else if (!a->ok && a->error[0]) {
		char msg[sizeof(a->error)];
		snprintf(msg, sizeof(msg), "%s", a->error);
		say(a, nsid, msg, NULL);
	}
out:
	json_decref(body);
	json_decref(record);
	strbuf_release(&key);
	return ret;
}

static int send_entry(struct deliver_conn *conn, const struct target *t,
		const struct outbox_entry *e, long long now, struct attempt *a)
{
	if (e->event && !strcmp(e->event, "post.retract"))
		return delete_record(conn, t, e, a);
	return post(conn, t, e, now, a);
}

/* The record's at:// uri, from createRecord's answer (or getRecord's). */
static int remote_id(const char *response, size_t len, struct strbuf *out)
{
	static const char *const path[] = { "uri", NULL };

	if (kind_answer_string(response, len, path, out) < 0 || strncmp(out->buf, "at://", 5))
		return -1;
	return 0;
}

static int atproto_chars(const char *s, size_t len, const char *extra)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return 0;
	return len > 0;
}

/* at://DID/app.bsky.feed.post/RKEY → deleteRecord's repo, collection and rkey. */
static int follow(struct kind_follow *f)
{
	const char *p = f->remote + 5, *slash, *rkey;
	size_t clen = strlen(COLLECTION);

	if (strncmp(f->remote, "at://", 5) || !(slash = strchr(p, '/')) ||
	    strncmp(slash + 1, COLLECTION, clen) || slash[1 + clen] != '/')
		return error("'%s' is not the uri of a Bluesky post", f->remote);
	rkey = slash + 2 + clen;
	if (strncmp(p, "did:", 4) || !atproto_chars(p, (size_t)(slash - p), ":._%-") ||
	    !atproto_chars(rkey, strlen(rkey), "._:~-") || strlen(rkey) > 512)
		return error("'%s' is not the uri of a Bluesky post", f->remote);
	f->method = "POST";
	f->out = json_pack("{s:s%, s:s, s:s}", "repo", p, (size_t)(slash - p),
			   "collection", COLLECTION, "rkey", rkey);
	return f->out ? 0 : error("out of memory");
}

const struct kind kind_bluesky = {
	.name = "bluesky",
	.method = "POST",
	.options = options,
	.total = BLUESKY_TEXT_GRAPHEMES,
	.frame = BATCH_FRAME,
	.configure = configure,
	.item = item,
	.summaries = summaries,
	.enforce = enforce,
	.send = send_entry,
	.follows = FOLLOW_RETRACT,
	.remote_id = remote_id,
	.follow = follow,
};
