/*
 * Mastodon: POST {url}/api/v1/statuses on the instance in `url`, with the
 * token as a bearer and the delivery id as Idempotency-Key, so a retry of
 * a request whose answer was lost is not posted twice (Mastodon keeps the
 * key for an hour, which covers the retries at 5 s, 5 min and 30 min).
 *
 * Fitting: the limit of a status is the instance's, known only when
 * sending. The payload is built as for every kind (the template, the
 * outbox) with its text fitted to 500 characters, Mastodon's default, so
 * `herald outbox show` shows what is sent to most instances; the `send`
 * hook reads the instance's limit (GET /api/v2/instance, once per run for
 * each target, kept with deliver_conn_memo) and, only when the text is
 * over it, fits it again with mastodon_fit(): the post's link and tags
 * stay, the text before them is cut. A text is never made longer when an
 * instance allows more: an announcement reads best short. An instance
 * whose limit cannot be read gets 500, with a warning in the log. A limit
 * read is kept a day in HERALD_DIR/mastodon-limits.json (per instance),
 * so a hook run does not ask the instance at each push; a failed read is
 * not kept, so the next run asks again.
 *
 * A batch is one status listing the posts (headline, then each title and
 * link), as many as fit in 500 characters, "…and N more" for the rest: a
 * timeline shows one status per post by default (batch off), and `batch`
 * or the flood cap make one where thirty would swamp the followers.
 *
 * Only the server's config says where, as whom and to whom (url, token,
 * visibility, language): enforce() sets visibility and language over
 * whatever a template wrote, and keeps only the fields a status takes as
 * text. Every "@user" and "@user@host" Mastodon would read as a mention is
 * defused in the status as sent, whatever made it (a zero-width space
 * after the '@'): Mastodon notifies whoever a status mentions. Links stay
 * whole, so https://host/@user still leads to the profile.
 *
 * The answer to the status's POST is kept whole (up to 64 KiB) in the
 * attempt's response, so its "id" (mastodon_status_id()) can be kept for
 * editing or deleting the status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <utf8proc.h>

#include "herald/date.h"
#include "herald/deliver.h"
#include "herald/dialect.h"
#include "herald/fileio.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/mastodon.h"
#include "herald/outbox.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

#define SEP_CHARS 2         /* "\n\n" between paragraphs */
#define HASHTAGS_CHARS 100  /* of the 500: a post's tags get no more */
#define BATCH_FRAME 40      /* the headline and "…and N more" */
#define INSTANCE_MAX (256 * 1024)
#define STATUS_ANSWER_MAX (64 * 1024)
#define ERROR_ANSWER_MAX 1024
#define LIMIT_MAX 1000000

/* --- Mastodon's text rules (herald/mastodon.h) --- */

static int ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int ascii_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Does a character that ends a link start at s[i]? Its length in bytes, else 0. */
static size_t link_stop(const char *s, size_t len, size_t i)
{
	static const char *const spaces[] = {
		"\xc2\xa0", "\xe2\x80\x8b", "\xe2\x80\x8c", "\xe2\x80\x8d",
		"\xe2\x81\xa0", "\xe3\x80\x80",
	};
	unsigned char c = (unsigned char)s[i];
	size_t k, n;

	if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"')
		return 1;
	for (k = 0; c >= 0x80 && k < ARRAY_SIZE(spaces); k++) {
		n = strlen(spaces[k]);
		if (len - i >= n && !memcmp(s + i, spaces[k], n))
			return n;
	}
	return 0;
}

/* A top-level domain: two letters or more (in any script), or "xn--…". */
static int tld_ok(const char *s, size_t len)
{
	size_t i = 0, n, letters = 0;
	int cp, cat;

	if (len > 4 && !strncasecmp(s, "xn--", 4))
		return 1;
	while (i < len) {
		if (ascii_alpha((unsigned char)s[i])) {
			i++;
			letters++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (!n)
			return 0;
		cat = utf8proc_category(cp);
		if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO)
			return 0;
		i += n;
		letters++;
	}
	return letters >= 2;
}

size_t mastodon_link_at(const char *s, size_t len, size_t at)
{
	size_t host, i, host_end, dot = 0, end;
	unsigned char prev;
	int open, close;

	if (at >= len)
		return 0;
	if (at > 0) {
		prev = (unsigned char)s[at - 1];
		if (ascii_alnum(prev) || prev == '@' || prev == '$' || prev == '#')
			return 0;
	}
	if (len - at >= 8 && !strncasecmp(s + at, "https://", 8))
		host = at + 8;
	else if (len - at >= 7 && !strncasecmp(s + at, "http://", 7))
		host = at + 7;
	else
		return 0;
	for (i = host; i < len && !link_stop(s, len, i); i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(ascii_alnum(c) || c == '-' || c == '.' || c >= 0x80))
			break;
	}
	host_end = i;
	while (host_end > host && s[host_end - 1] == '.')
		host_end--; /* "https://example.com." ends a sentence */
	for (i = host; i < host_end; i++)
		if (s[i] == '.')
			dot = i;
	if (!dot || dot == host || !tld_ok(s + dot + 1, host_end - dot - 1))
		return 0;
	for (end = host_end; end < len && !link_stop(s, len, end); end++)
		;
	for (;;) {
		if (end > host_end && strchr(".,;:!?'", s[end - 1])) {
			end--;
			continue;
		}
		if (end > host_end && s[end - 1] == ')') {
			for (open = close = 0, i = at; i < end; i++) {
				open += s[i] == '(';
				close += s[i] == ')';
			}
			if (close > open) {
				end--;
				continue;
			}
		}
		break;
	}
	return end - at;
}

size_t mastodon_count(const char *s, size_t len)
{
	size_t i = 0, n = 0, l;

	while (i < len) {
		if ((l = mastodon_link_at(s, len, i))) {
			n += MASTODON_LINK_CHARS;
			i += l;
		} else {
			i += utf8_char_len(s + i, len - i);
			n++;
		}
	}
	return n;
}

/* Ruby's [[:word:]], which Mastodon's hashtags are made of: letters, marks, digits, '_'. */
static int word_char(int cp, int *letter)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		*letter = 1;
		return 1;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_PC:
		return 1;
	default:
		return 0;
	}
}

int mastodon_hashtag(struct strbuf *out, const char *tag)
{
	struct strbuf name = STRBUF_INIT;
	size_t len = strlen(tag), i = 0, n, words = 0, word_at = 0;
	int cp, letter = 0, in_word = 0, ret = 0;
	size_t *starts = xcalloc(len + 1, sizeof(*starts)); /* where each word starts in name */

	while (i < len) {
		n = utf8_decode(tag + i, len - i, &cp);
		if (!n) {
			i++;
			in_word = 0;
			continue;
		}
		i += n;
		if (!word_char(cp, &letter)) {
			in_word = 0;
			continue;
		}
		if (!in_word)
			starts[words++] = name.len;
		in_word = 1;
		utf8_encode(&name, cp);
	}
	if (!letter)
		goto out;
	strbuf_addch(out, '#');
	for (i = 0; i < words; i++) {
		size_t end = i + 1 < words ? starts[i + 1] : name.len;
		word_at = starts[i];
		n = utf8_decode(name.buf + word_at, end - word_at, &cp);
		if (words > 1 && n) {
			utf8_encode(out, utf8proc_toupper(cp));
			word_at += n;
		}
		strbuf_add(out, name.buf + word_at, end - word_at);
	}
	ret = 1;
out:
	free(starts);
	strbuf_release(&name);
	return ret;
}

/* Would Mastodon read the '@' at s[i] as a mention (MENTION_RE)? */
static int mention_at(const char *s, size_t len, size_t i)
{
	unsigned char next;
	size_t k;
	int cp, letter = 0;

	if (s[i] != '@' || i + 1 >= len)
		return 0;
	next = (unsigned char)s[i + 1];
	if (!ascii_alnum(next) && next != '_')
		return 0;
	if (!i)
		return 1;
	if (s[i - 1] == '/')
		return 0;
	/* after a word character, in any script, it is part of the word ("mail@host") */
	for (k = i - 1; k > 0 && i - k < 4 && ((unsigned char)s[k] & 0xc0) == 0x80; k--)
		;
	return !(utf8_decode(s + k, i - k, &cp) == i - k && word_char(cp, &letter));
}

void mastodon_defuse(struct strbuf *out, const char *s, size_t len)
{
	size_t i = 0, l;

	while (i < len) {
		if ((l = mastodon_link_at(s, len, i))) {
			strbuf_add(out, s + i, l); /* a profile's link stays whole */
			i += l;
			continue;
		}
		strbuf_addch(out, s[i]);
		if (mention_at(s, len, i))
			strbuf_addstr(out, DIALECT_ZWSP);
		i++;
	}
}

/* Is every word of s[0..len) a link or a hashtag (and is there one)? */
static int links_and_tags(const char *s, size_t len)
{
	size_t i = 0, l, words = 0;

	while (i < len) {
		if (s[i] == ' ' || s[i] == '\n') {
			i++;
			continue;
		}
		words++;
		if ((l = mastodon_link_at(s, len, i))) {
			i += l;
		} else if (s[i] == '#' && i + 1 < len && s[i + 1] != ' ' && s[i + 1] != '\n') {
			while (i < len && s[i] != ' ' && s[i] != '\n')
				i++;
			continue;
		} else {
			return 0;
		}
		if (i < len && s[i] != ' ' && s[i] != '\n')
			return 0; /* a link with more after it is text */
	}
	return words > 0;
}

/* Where the closing paragraphs of links and hashtags start (len when none; never 0). */
static size_t tail_start(const char *s, size_t len)
{
	size_t end = len, start, tail = len;

	while (end > 0) {
		const char *sep = NULL, *p;
		/* the last "\n\n" wholly before `end` ("\n\n\n" holds two) */
		for (p = s; (p = strstr(p, "\n\n")) && (size_t)(p - s) + 2 <= end; p++)
			sep = p;
		if (!sep)
			break; /* the first paragraph is never the tail */
		start = (size_t)(sep - s) + 2;
		if (!links_and_tags(s + start, end - start))
			break;
		tail = start;
		end = (size_t)(sep - s);
	}
	return tail;
}

/* Drops the last hashtag of `tail`; 0, or -1 when it has none. */
static int drop_hashtag(struct strbuf *tail)
{
	size_t i = tail->len;

	while (i > 0 && tail->buf[i - 1] != ' ' && tail->buf[i - 1] != '\n')
		i--;
	if (i >= tail->len || tail->buf[i] != '#')
		return -1;
	strbuf_setlen(tail, i);
	strbuf_rtrim(tail);
	return 0;
}

/* Does s[0..len) end with a link? */
static int ends_in_link(const char *s, size_t len)
{
	size_t i = 0, l;

	while (i < len) {
		if ((l = mastodon_link_at(s, len, i))) {
			i += l;
			if (i == len)
				return 1;
		} else {
			i++;
		}
	}
	return 0;
}

/*
 * out = s[0..head_len) cut to `room` characters (" …" not counted), then
 * "\n\n" and `tail` when there is one.
 */
static void compose(const char *s, size_t head_len, const struct strbuf *tail, size_t room,
		    struct strbuf *out)
{
	size_t i = 0, n = 0, cut = 0, back, step, units, l;

	strbuf_reset(out);
	while (i < head_len) {
		if ((l = mastodon_link_at(s, head_len, i))) {
			step = l;
			units = MASTODON_LINK_CHARS;
		} else {
			step = utf8_grapheme_len(s + i, head_len - i);
			units = utf8_count(s + i, step);
		}
		if (n + units > room)
			break;
		n += units;
		i += step;
		cut = i;
	}
	if (cut < head_len && s[cut] != ' ' && s[cut] != '\n') {
		/* a word cut in two reads badly: end at a space within the last 20 characters */
		for (back = cut, n = 0; back > 0 && n < 20; n++) {
			back -= 1;
			while (back > 0 && ((unsigned char)s[back] & 0xc0) == 0x80)
				back--;
			if (s[back] == ' ' || s[back] == '\n') {
				cut = back;
				break;
			}
		}
	}
	strbuf_add(out, s, cut);
	strbuf_rtrim(out);
	if (out->len && cut < head_len)
		strbuf_addstr(out, ends_in_link(out->buf, out->len) ? " \xe2\x80\xa6" : "\xe2\x80\xa6");
	if (tail->len) {
		if (out->len)
			strbuf_addstr(out, "\n\n");
		strbuf_add(out, tail->buf, tail->len);
	}
}

int mastodon_fit(struct strbuf *text, size_t limit)
{
	struct strbuf tail = STRBUF_INIT, out = STRBUF_INIT;
	size_t at, head_len, used, room, got;
	int ret = 1;

	if (mastodon_count(text->buf, text->len) <= limit)
		return 0;
	if (!limit)
		return -1;
	at = tail_start(text->buf, text->len);
	head_len = at < text->len ? at - SEP_CHARS : text->len;
	strbuf_add(&tail, text->buf + at, text->len - at);
	/* room for the tail, "\n\n", one character and " …" */
	while (tail.len && mastodon_count(tail.buf, tail.len) + SEP_CHARS + 3 > limit)
		if (drop_hashtag(&tail) < 0)
			strbuf_reset(&tail);
	/* " …" at most: after a link the ellipsis needs a space, or it joins the link */
	used = 2 + (tail.len ? mastodon_count(tail.buf, tail.len) + SEP_CHARS : 0);
	room = limit > used ? limit - used : 0;
	/*
	 * Counting depends on what is around a link: a cut can make a link of
	 * what was none ("https://ab.cd1" cut to "https://ab.cd"), which then
	 * counts 23. Whatever the cut made is counted again, with less room.
	 */
	for (;;) {
		compose(text->buf, head_len, &tail, room, &out);
		got = mastodon_count(out.buf, out.len);
		if (got <= limit || !room)
			break;
		room -= got - limit < room ? got - limit : room;
	}
	if (!out.len || got > limit) {
		ret = -1;
		goto out;
	}
	strbuf_reset(text);
	strbuf_add(text, out.buf, out.len);
out:
	strbuf_release(&tail);
	strbuf_release(&out);
	return ret;
}

int mastodon_parse_limit(const char *json, size_t len, size_t *out)
{
	json_t *doc = json_loadb(json, len, 0, NULL);
	json_t *v = json_object_get(json_object_get(json_object_get(doc, "configuration"),
						    "statuses"), "max_characters");
	int ret = -1;

	if (json_is_integer(v) && json_integer_value(v) >= 1 &&
	    json_integer_value(v) <= LIMIT_MAX) {
		*out = (size_t)json_integer_value(v);
		ret = 0;
	}
	json_decref(doc);
	return ret;
}

int mastodon_status_id(const char *json, size_t len, struct strbuf *out)
{
	json_t *doc = json_loadb(json, len, 0, NULL);
	const char *id = value_str(doc, "id");
	int ret = -1;

	/* Mastodon's ids are strings of digits; other servers' are letters and digits */
	if (id && *id && strlen(id) <= 64 &&
	    strspn(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(id)) {
		strbuf_addstr(out, id);
		ret = 0;
	}
	json_decref(doc);
	return ret;
}

/* --- the kind --- */

static const struct kind_option options[] = {
	{ "visibility", "VISIBILITY", "visibility" },
	{ "language", "LANGUAGE", "language" },
	{ NULL, NULL, NULL },
};

static const char *const visibilities[] = { "public", "unlisted", "private", "direct" };

/* ISO 639-1 or -3 ("en", "ast"), or one with a region as Mastodon lists some ("pt-BR"). */
static int language_ok(const char *s)
{
	size_t n = 0;

	while (s[n] >= 'a' && s[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (!s[n])
		return 1;
	return s[n] == '-' && s[n + 1] >= 'A' && s[n + 1] <= 'Z' && s[n + 2] >= 'A' &&
	       s[n + 2] <= 'Z' && !s[n + 3];
}

/* The instance's root: what every request is made under, without a trailing '/'. */
static char *instance_root(const char *url)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, url);
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	return strbuf_detach(&sb, NULL);
}

static void configure(struct target *t)
{
	const char *vis = value_str(t->options, "visibility");
	const char *lang = value_str(t->options, "language");
	CURLU *u = NULL;
	char *path = NULL, *query = NULL;
	size_t i;

	if (!t->token)
		target_problem(t, "mastodon needs an access token (herald.%s.tokenFile or tokenEnv)",
			       t->name);
	if (vis) {
		for (i = 0; i < ARRAY_SIZE(visibilities) && strcmp(vis, visibilities[i]); i++)
			;
		if (i == ARRAY_SIZE(visibilities))
			target_problem(t, "herald.%s.visibility is '%s'; it is public, unlisted, "
				       "private or direct", t->name, vis);
	}
	if (lang && !language_ok(lang))
		target_problem(t, "herald.%s.language is '%s', not an ISO 639 code "
			       "(two or three small letters: en, de, ast; or pt-BR)", t->name, lang);
	if (!t->url)
		return;
	/* requests go to fixed paths under it: a path or query would be dropped or misread */
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK)
		goto out; /* check_url() says so */
	if ((curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path && strcmp(path, "/")) ||
	    curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK)
		target_problem(t, "a mastodon url is the instance's address alone: https://mastodon.example");
out:
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
}

/* `it->line`: the characters of a lone post's text besides its summary; `it->size`: of a batch's line. */
static void item(struct kind_item *it, int batch)
{
	struct strbuf tags = STRBUF_INIT;
	const json_t *list = json_object_get(it->ev, "tags"), *v;
	size_t i, len;

	json_array_foreach(list, i, v) {
		if (!json_is_string(v))
			continue;
		len = tags.len;
		if (len)
			strbuf_addch(&tags, ' ');
		if (!mastodon_hashtag(&tags, json_string_value(v)) ||
		    mastodon_count(tags.buf, tags.len) > HASHTAGS_CHARS) {
			strbuf_setlen(&tags, len); /* no letter, or no room: left out */
			continue;
		}
	}
	if (tags.len)
		kind_set(it->ev, "hashtags_mastodon", &tags);
	else
		json_object_set_new(it->ev, "hashtags_mastodon", json_null());
	/* "LABEL: TITLE", "\nSUBTITLE", "\n\nLINK", "\n\n#TAGS" */
	it->line = utf8_count(it->label, strlen(it->label)) + 2 +
		   mastodon_count(it->title->buf, it->title->len);
	if (it->subtitle->len)
		it->line += 1 + mastodon_count(it->subtitle->buf, it->subtitle->len);
	if (it->link)
		it->line += SEP_CHARS + MASTODON_LINK_CHARS;
	if (tags.len)
		it->line += SEP_CHARS + mastodon_count(tags.buf, tags.len);
	/* "\n\nTITLE\nLINK" */
	it->size = SEP_CHARS + mastodon_count(it->title->buf, it->title->len) +
		   (it->link ? 1 + MASTODON_LINK_CHARS : 0);
	(void)batch;
	strbuf_release(&tags);
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	struct strbuf sb = STRBUF_INIT;
	size_t budget, i;
	int ret;

	if (batch) {
		/* a batch lists titles and links: no summaries */
		for (i = 0; i < shown; i++)
			json_object_set_new(items[i].ev, "summary_mastodon", json_null());
		return 0;
	}
	/* counted in UTF-16 units, never fewer than Mastodon's characters */
	budget = kind_share(MASTODON_DEFAULT_LIMIT, items[0].line + SEP_CHARS, 1);
	/* mentions are defused in the whole status by enforce() */
	ret = dialect_render(items[0].md, MARKDOWN_TEXT, budget, MENTIONS_NONE,
			     MARKUP_PLAIN, &sb);
	if (!ret && sb.len)
		kind_set(items[0].ev, "summary_mastodon", &sb);
	else
		json_object_set_new(items[0].ev, "summary_mastodon", json_null());
	strbuf_release(&sb);
	return ret;
}

/*
 * What Mastodon takes as a status's words: the text, and a content
 * warning a template may add. Everything else a template wrote goes; the
 * config's visibility and language are set.
 */
static int enforce(const struct kind_body *b, json_t *doc)
{
	static const char *const kept[] = { "status", "spoiler_text", "sensitive" };
	const char *vis = value_str(b->target, "visibility");
	const char *key;
	json_t *v, *status = json_object_get(doc, "status");
	void *tmp;
	size_t i;

	if (!json_is_string(status) || !json_string_length(status))
		return error("template '%s' gives a mastodon body without a 'status' text",
			     b->template);
	json_object_foreach_safe(doc, tmp, key, v) {
		for (i = 0; i < ARRAY_SIZE(kept) && strcmp(key, kept[i]); i++)
			;
		if (i == ARRAY_SIZE(kept))
			json_object_del(doc, key);
	}
	v = json_object_get(doc, "spoiler_text");
	if (v && !json_is_string(v))
		json_object_del(doc, "spoiler_text");
	/* whatever a template put in them (a raw title too), no mention notifies */
	for (i = 0; i < 2; i++) {
		const char *field = i ? "spoiler_text" : "status";
		struct strbuf sb = STRBUF_INIT;
		v = json_object_get(doc, field);
		if (!v)
			continue;
		mastodon_defuse(&sb, json_string_value(v), json_string_length(v));
		json_object_set_new(doc, field, value_textn(sb.buf, sb.len));
		strbuf_release(&sb);
	}
	v = json_object_get(doc, "sensitive");
	if (v && !json_is_boolean(v))
		json_object_del(doc, "sensitive");
	json_object_set_new(doc, "visibility", json_string(vis ? vis : "public"));
	kind_only_configured(doc, b->target, "language", "language");
	return 0;
}

static void free_limit(void *p)
{
	free(p);
}

/*
 * The limits read from instances, kept across runs in herald's folder:
 * {"instances": {"https://host": {"limit": 500, "read": UNIX}},
 * "version": 1}, mode 0600, written under the outbox lock (deliveries
 * hold it). A file that cannot be read or is not ours counts as empty and
 * is replaced at the next write: it is only a cache.
 */
#define LIMITS_FILE "mastodon-limits.json"
#define LIMITS_CAP (1u << 20)
#define LIMITS_TTL (24 * 60 * 60)

static json_t *limits_load(const char *dir, int quiet)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/" LIMITS_FILE, dir);
	json_t *doc = NULL;

	if (fileio_read_own(&sb, path, LIMITS_CAP) < 0) {
		if (errno != ENOENT && !quiet)
			warning("'%s' cannot be read (%s): the instances' limits are read again",
				path, strerror(errno));
	} else if (!(doc = json_loadb(sb.buf, sb.len, 0, NULL)) ||
		   !json_is_object(json_object_get(doc, "instances")) ||
		   json_integer_value(json_object_get(doc, "version")) != 1) {
		if (!quiet)
			warning("'%s' is not herald's: the instances' limits are read again", path);
		json_decref(doc);
		doc = NULL;
	}
	free(path);
	strbuf_release(&sb);
	return doc;
}

/* The limit of instance `root` kept in `dir` and read less than a day before `now`: 1, or 0. */
static int limits_get(const char *dir, const char *root, long long now, size_t *limit)
{
	json_t *doc = dir ? limits_load(dir, 0) : NULL;
	json_t *e = json_object_get(json_object_get(doc, "instances"), root);
	json_t *l = json_object_get(e, "limit"), *r = json_object_get(e, "read");
	int ret = 0;

	if (json_is_integer(l) && json_integer_value(l) >= 1 &&
	    json_integer_value(l) <= LIMIT_MAX && json_is_integer(r) &&
	    json_integer_value(r) <= now && now - json_integer_value(r) < LIMITS_TTL) {
		*limit = (size_t)json_integer_value(l);
		ret = 1;
	}
	json_decref(doc);
	return ret;
}

/* Keeps `limit` for `root`, read at `now`; a failure is only a warning. */
static void limits_put(const char *dir, const char *root, size_t limit, long long now)
{
	json_t *doc = limits_load(dir, 1), *inst, *e; /* limits_get() said what was wrong */
	char *path = xstrfmt("%s/" LIMITS_FILE, dir), *text;
	const char *key;
	void *tmp;

	if (!doc)
		doc = json_pack("{s:i,s:{}}", "version", 1, "instances");
	inst = json_object_get(doc, "instances");
	/* entries a day old go, so instances no longer used do not pile up */
	json_object_foreach_safe(inst, tmp, key, e)
		if (!json_is_integer(json_object_get(e, "read")) ||
		    now - json_integer_value(json_object_get(e, "read")) >= LIMITS_TTL)
			json_object_del(inst, key);
	json_object_set_new(inst, root, json_pack("{s:I,s:I}", "limit", (json_int_t)limit,
						  "read", (json_int_t)now));
	if (!(text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2))))
		die("out of memory");
	if (fileio_write_atomic(path, text, strlen(text), 0600) < 0)
		warning("the instance's limit is not kept for the next run");
	free(text);
	free(path);
	json_decref(doc);
}

/*
 * The instance's limit, read once per run and target: GET
 * /api/v2/instance, which needs no token (none is sent). A failure is
 * said once and the run goes on with 500.
 */
static size_t instance_limit(struct deliver_conn *conn, const struct target *t,
			     const char *root, long long now)
{
	char *key = xstrfmt("mastodon:%s", t->name), *url = NULL;
	size_t *memo = deliver_conn_memo(conn, key), limit = MASTODON_DEFAULT_LIMIT;
	struct http_request r = { 0 };
	struct attempt a;

	if (memo) {
		limit = *memo;
		goto out;
	}
	if (conn && limits_get(conn->dir, root, now, &limit))
		goto keep;
	url = xstrfmt("%s/api/v2/instance", root);
	attempt_init(&a);
	r.method = "GET";
	r.url = url;
	r.response_max = INSTANCE_MAX;
	if (deliver_http(conn, t, &r, &a) < 0 || !a.ok ||
	    mastodon_parse_limit(a.response.buf, a.response.len, &limit) < 0) {
		warning("target '%s': the instance's status limit cannot be read (%s); "
			"fitting statuses to %d characters", t->name,
			a.error[0] ? a.error : "no configuration.statuses.max_characters in "
					       "/api/v2/instance",
			MASTODON_DEFAULT_LIMIT);
		limit = MASTODON_DEFAULT_LIMIT;
	} else if (conn && conn->dir) {
		limits_put(conn->dir, root, limit, now);
	}
	attempt_release(&a);
keep:
	if (conn) {
		memo = xmalloc(sizeof(*memo));
		*memo = limit;
		deliver_conn_memo_set(conn, key, memo, free_limit);
	}
out:
	free(key);
	free(url);
	return limit;
}

/* Mastodon's X-RateLimit-Reset (an ISO 8601 time) as seconds from `now`, or 0. */
static long long rate_limit_reset(const struct strbuf *headers, long long now)
{
	static const char name[] = "x-ratelimit-reset:";
	const char *p = headers->buf, *end;
	long long t, ret = 0;
	size_t n;
	char *v;

	while (p && *p) {
		end = strchr(p, '\n');
		if (!strncasecmp(p, name, sizeof(name) - 1)) {
			p += sizeof(name) - 1;
			while (*p == ' ' || *p == '\t')
				p++;
			v = xstrndup(p, (size_t)((end ? end : p + strlen(p)) - p));
			for (n = strlen(v); n && (v[n - 1] == '\r' || v[n - 1] == ' '); n--)
				v[n - 1] = '\0';
			if (!date_parse(v, &t) && t > now)
				ret = deliver_clamp_retry_after(t - now);
			free(v);
		}
		p = end ? end + 1 : NULL;
	}
	return ret;
}

/* Mastodon's {"error": "..."}, on one line and short, after the status. */
static void add_reason(struct attempt *a)
{
	json_t *doc = json_loadb(a->response.buf, a->response.len, 0, NULL);
	const char *why = value_str(doc, "error");
	struct strbuf sb = STRBUF_INIT;
	size_t used = strlen(a->error);

	if (why && *why && used + 3 < sizeof(a->error)) {
		dialect_one_line(why, &sb);
		snprintf(a->error + used, sizeof(a->error) - used, ": %s", sb.buf);
	}
	strbuf_release(&sb);
	json_decref(doc);
}

static int send_status(struct deliver_conn *conn, const struct target *t,
			const struct outbox_entry *e, long long now, struct attempt *a)
{
	struct strbuf text = STRBUF_INIT, auth = STRBUF_INIT, headers = STRBUF_INIT;
	struct strvec extra = STRVEC_INIT;
	struct http_request r = { 0 };
	json_t *doc = json_loadb(e->body, e->body_len, 0, NULL);
	const char *status = value_str(doc, "status"), *spoiler = value_str(doc, "spoiler_text");
	char *root = instance_root(t->url), *url = NULL, *body = NULL;
	bool retract = e->event && !strcmp(e->event, "post.retract");
	size_t limit, warn;
	int ret = 0;

	if (retract) {
		body = xstrdup("");
		goto send;
	}
	if (!json_is_object(doc) || !status) {
		snprintf(a->error, sizeof(a->error), "the queued mastodon body has no status text");
		goto out;
	}
	limit = instance_limit(conn, t, root, now);
	warn = spoiler ? mastodon_count(spoiler, strlen(spoiler)) : 0;
	strbuf_addstr(&text, status);
	if (warn >= limit || mastodon_fit(&text, limit - warn) < 0) {
		snprintf(a->error, sizeof(a->error),
			 "no status fits the instance's limit of %zu characters", limit);
		goto out;
	}
	json_object_set_new(doc, "status", value_textn(text.buf, text.len));
	body = json_dumps(doc, JSON_COMPACT);
	if (!body) {
		ret = error("cannot write the mastodon status as JSON");
		goto out;
	}
send:
	strvec_push(&extra, "Idempotency-Key");
	strvec_push(&extra, e->id);
	strbuf_addf(&auth, "Bearer %s", t->token ? t->token : "");
	/* a follow-up names the status: PUT or DELETE /api/v1/statuses/ID */
	url = xstrfmt("%s/api/v1/statuses%s", root, e->url_suffix ? e->url_suffix : "");
	r.method = e->method ? e->method : "POST";
	r.url = url;
	r.content_type = retract ? NULL : "application/json";
	r.body = body;
	r.len = strlen(body);
	r.headers = &extra;
	r.auth = auth.buf;
	r.response_max = STATUS_ANSWER_MAX;
	r.response_headers = &headers;
	r.final = 1;
	ret = deliver_http(conn, t, &r, a);
	if (ret < 0 || a->ok)
		goto out;
	if (a->status == 429) {
		long long reset = rate_limit_reset(&headers, now);
		if (reset > a->retry_after)
			a->retry_after = reset;
	}
	if (a->status >= 400 && a->status < 500)
		add_reason(a);
	/* an error's answer is kept as an excerpt, as for every kind */
	if (a->response.len > ERROR_ANSWER_MAX)
		strbuf_setlen(&a->response, utf8_trim_partial(a->response.buf, ERROR_ANSWER_MAX));
out:
	json_decref(doc);
	strbuf_release(&text);
	strbuf_release(&auth);
	strbuf_release(&headers);
	strvec_clear(&extra);
	free(root);
	free(url);
	free(body);
	return ret;
}

static int remote_id(const char *response, size_t len, struct strbuf *out)
{
	return mastodon_status_id(response, len, out);
}

/* PUT /api/v1/statuses/ID takes the new text (not its visibility); DELETE the same path. */
static int follow(struct kind_follow *f)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, '/');
	kind_url_segment(&sb, f->remote);
	f->url_suffix = strbuf_detach(&sb, NULL);
	if (f->action == FOLLOW_RETRACT) {
		f->method = "DELETE";
		return 0;
	}
	f->method = "PUT";
	f->out = json_incref(f->body);
	json_object_del(f->out, "visibility");
	return 0;
}

static void describe(const struct target *t, struct strbuf *out)
{
	const char *vis = value_str(t->options, "visibility");
	const char *lang = value_str(t->options, "language");

	strbuf_addf(out, "statuses %s, language %s, fitted to the instance's limit (else %d)",
		    vis ? vis : "public", lang ? lang : "unset", MASTODON_DEFAULT_LIMIT);
}

const struct kind kind_mastodon = {
	.name = "mastodon",
	.method = "POST",
	.options = options,
	.mentions = MENTIONS_NONE, /* enforce() defuses the status as Mastodon reads it */
	.total = MASTODON_DEFAULT_LIMIT,
	.frame = BATCH_FRAME,
	.configure = configure,
	.item = item,
	.summaries = summaries,
	.enforce = enforce,
	.send = send_status,
	.follows = FOLLOW_EDIT | FOLLOW_RETRACT,
	.remote_id = remote_id,
	.follow = follow,
	.describe = describe,
};
