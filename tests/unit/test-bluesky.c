/*
 * The bluesky kind's pure parts: the record key (a valid TID, stable per
 * delivery id), link facets whose UTF-8 byte offsets slice out exactly the
 * url, the text fitted to 300 graphemes and 3000 bytes at the limits
 * (emoji, combining marks, a link never cut), and the record the payload
 * builder makes whatever a template says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/bluesky.h"
#include "herald/model.h"
#include "herald/payload.h"
#include "herald/picture.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "tap.h"

#define CREATED 1795651200LL /* 2026-11-26T00:00:00Z */
#define FAMILY "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7" /* 18 bytes, 1 grapheme */
#define E_ACUTE "e\xcc\x81" /* e + U+0301: 3 bytes, 1 grapheme */

static char dir[] = "/tmp/herald-bluesky-XXXXXX";

static const char b32[] = "234567abcdefghijklmnopqrstuvwxyz";

static unsigned long long tid_value(const char *s)
{
	unsigned long long v = 0;

	for (; *s; s++)
		v = (v << 5) | (unsigned long long)(strchr(b32, *s) - b32);
	return v;
}

static void rkey(void)
{
	char a[14], b[14], c[14], d[14];
	unsigned long long v;

	bluesky_rkey("msg_abc", CREATED, a);
	bluesky_rkey("msg_abc", CREATED, b);
	bluesky_rkey("msg_abd", CREATED, c);
	bluesky_rkey("msg_abc", CREATED + 3600, d);
	ok(strlen(a) == 13 && strspn(a, b32) == 13, "rkey: 13 characters of base32-sortable (%s)", a);
	ok(strchr("234567abcdefghij", a[0]) != NULL, "rkey: the first character keeps the top bit 0");
	ok(!strcmp(a, b), "rkey: the same id gives the same key (a retry names the same record)");
	ok(strcmp(a, c) != 0, "rkey: another id, another key");
	v = tid_value(a);
	ok((v >> 63) == 0 && (v >> 10) / 1000000ULL == (unsigned long long)CREATED,
	   "rkey: its timestamp is the record's second");
	ok(strcmp(a, d) < 0, "rkey: a later record sorts after (TIDs sort by time)");
}

/* Does every facet of `text` slice out its uri, and are there `n`? */
static int facets_slice(const char *text, size_t n, const char *const *want)
{
	json_t *f = bluesky_facets(text, strlen(text)), *x;
	size_t i;
	int good = json_array_size(f) == n;

	json_array_foreach(f, i, x) {
		json_int_t s = json_integer_value(json_object_get(json_object_get(x, "index"), "byteStart"));
		json_int_t e = json_integer_value(json_object_get(json_object_get(x, "index"), "byteEnd"));
		const json_t *feat = json_array_get(json_object_get(x, "features"), 0);
		const char *uri = json_string_value(json_object_get(feat, "uri"));
		const char *type = json_string_value(json_object_get(feat, "$type"));
		if (!good || e <= s || (size_t)e > strlen(text) || !uri || !type ||
		    strcmp(type, "app.bsky.richtext.facet#link") ||
		    strncmp(text + s, want[i], (size_t)(e - s)) || strlen(want[i]) != (size_t)(e - s) ||
		    strcmp(uri, want[i])) {
			diag("facet %zu: [%lld, %lld) uri %s", i, (long long)s, (long long)e,
			     uri ? uri : "(none)");
			good = 0;
		}
	}
	json_decref(f);
	return good;
}

static void facets(void)
{
	static const char *const one[] = { "https://example.com/a?b=1" };
	static const char *const two[] = { "https://a.example/x_(y)", "http://b.example/" };
	static const char *const none[] = { NULL };

	ok(facets_slice("\xf0\x9f\x8e\x89 H" E_ACUTE "llo w\xc3\xb6rld, see https://example.com/a?b=1.",
			1, one),
	   "facets: byte offsets after emoji and combining marks, trailing '.' left out");
	ok(facets_slice("(https://a.example/x_(y)) and \"http://b.example/\"", 2, two),
	   "facets: balanced parentheses kept, the enclosing ones and quotes left out");
	ok(facets_slice("xhttps://glued.example @alice.bsky.social #tag https://", 0, none),
	   "facets: no link glued to a word, no bare scheme, no mention facet for @handle");
}

static size_t graphemes(const struct strbuf *sb)
{
	return utf8_graphemes(sb->buf, sb->len);
}

static int ends_with_ellipsis(const struct strbuf *sb)
{
	return sb->len >= 3 && !memcmp(sb->buf + sb->len - 3, "\xe2\x80\xa6", 3);
}

static void fit(void)
{
	struct strbuf sb = STRBUF_INIT, copy = STRBUF_INIT;
	int i;

	for (i = 0; i < 300; i++)
		strbuf_addstr(&sb, i % 2 ? E_ACUTE : "\xf0\x9f\x8e\x89");
	strbuf_add(&copy, sb.buf, sb.len);
	bluesky_fit(&sb);
	ok(sb.len == copy.len && !memcmp(sb.buf, copy.buf, sb.len) && graphemes(&sb) == 300,
	   "fit: exactly 300 graphemes of emoji and combining marks stay whole");
	strbuf_addstr(&sb, E_ACUTE);
	bluesky_fit(&sb);
	ok(graphemes(&sb) == 300 && ends_with_ellipsis(&sb) &&
	   !memcmp(sb.buf, copy.buf, sb.len - 3) && sb.len - 3 < copy.len,
	   "fit: 301 graphemes become 299 and an ellipsis (%zu)", graphemes(&sb));

	strbuf_reset(&sb);
	for (i = 0; i < 300; i++)
		strbuf_addstr(&sb, FAMILY);
	bluesky_fit(&sb);
	ok(sb.len <= 3000 && ends_with_ellipsis(&sb) && (sb.len - 3) % 18 == 0,
	   "fit: 300 family emoji (5400 bytes) cut within 3000 bytes at a grapheme (%zu bytes)",
	   sb.len);

	strbuf_reset(&sb);
	for (i = 0; i < 290; i++)
		strbuf_addch(&sb, 'a');
	strbuf_addstr(&sb, " https://example.com/a-long-path-that-goes-past-the-limit");
	bluesky_fit(&sb);
	ok(!strcmp(sb.buf + 290, "\xe2\x80\xa6") && graphemes(&sb) == 291,
	   "fit: a link that would be cut goes whole, with the space before it");
	strbuf_release(&sb);
	strbuf_release(&copy);
}

static json_t *events_for(const char *title, const char *md)
{
	json_t *doc = json_pack("{s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s, s:s, s:[], s:s, s:{}}]}",
				"site", "title", "Blog", "base_url", "https://blog.example.com",
				"events", "type", "new", "path", "_posts/2020-01-01-x.md",
				"url", "https://blog.example.com/x/", "title", title,
				"date", "2020-01-01T00:00:00Z", "tags", "summary_markdown", md,
				"front_matter");
	json_t *m = model_build(doc, NULL), *ev = json_incref(json_object_get(m, "events"));

	json_decref(m);
	json_decref(doc);
	return ev;
}

/* The record for `events` with `template` (from dir) or the built-in; NULL on failure. */
static json_t *record(const json_t *events, const char *template, const char *langs)
{
	struct render_source src;
	json_t *target = json_pack("{s:s, s:s, s:s}", "name", "b", "kind", "bluesky",
				   "handle", "alice.test"), *body = NULL;
	struct payload p;

	if (langs)
		json_object_set_new(target, "langs", json_string(langs));
	memset(&src, 0, sizeof(src));
	src.dir = dir;
	if (!payload_build(&src, "bluesky", template, target, NULL, events, "msg_1", CREATED, &p)) {
		body = json_loadb(p.body, p.len, 0, NULL);
		payload_release(&p);
	}
	json_decref(target);
	return body;
}

static int facets_match_text(const json_t *rec)
{
	const char *text = json_string_value(json_object_get(rec, "text"));
	json_t *mine = bluesky_facets(text, strlen(text));
	int same = json_equal(mine, json_object_get(rec, "facets")) ||
		   (!json_array_size(mine) && !json_object_get(rec, "facets"));

	json_decref(mine);
	return same;
}

static void write_file(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(path);
}

static void payload(void)
{
	struct strbuf title = STRBUF_INIT, md = STRBUF_INIT;
	json_t *ev, *rec;
	const char *text;
	int i;

	ev = events_for("H" E_ACUTE "llo \xf0\x9f\x8e\x89 @alice.bsky.social",
			"A summary with [a link](https://example.com/x).");
	rec = record(ev, NULL, "en pt-BR");
	text = json_string_value(json_object_get(rec, "text"));
	ok(rec && !strcmp(json_string_value(json_object_get(rec, "$type")), "app.bsky.feed.post") &&
	   !strcmp(json_string_value(json_object_get(rec, "createdAt")), "2026-11-26T00:00:00Z"),
	   "payload: an app.bsky.feed.post with createdAt in RFC 3339");
	ok(text && strstr(text, "New post: H" E_ACUTE "llo \xf0\x9f\x8e\x89 @alice.bsky.social") &&
	   strstr(text, "https://blog.example.com/x/"),
	   "payload: the text has the title, '@name' as plain text, and the link");
	ok(facets_match_text(rec) && json_array_size(json_object_get(rec, "facets")) >= 1,
	   "payload: the facets are the links of the text");
	{
		json_t *want = json_pack("[s,s]", "en", "pt-BR");
		ok(json_equal(json_object_get(rec, "langs"), want), "payload: langs from the config");
		json_decref(want);
	}
	{
		const json_t *x = json_object_get(json_object_get(rec, "embed"), "external");
		ok(!strcmp(json_string_value(json_object_get(json_object_get(rec, "embed"), "$type")),
			   "app.bsky.embed.external") &&
		   !strcmp(json_string_value(json_object_get(x, "uri")), "https://blog.example.com/x/") &&
		   json_is_string(json_object_get(x, "title")) &&
		   json_is_string(json_object_get(x, "description")) &&
		   !json_object_get(x, "thumb"),
		   "payload: an external card with uri, title, description and no thumbnail");
	}
	json_decref(rec);
	json_decref(ev);

	for (i = 0; i < 256; i++)
		strbuf_addstr(&title, i % 2 ? FAMILY : E_ACUTE);
	for (i = 0; i < 2000; i++)
		strbuf_addstr(&md, "w\xc3\xb6rd ");
	ev = events_for(title.buf, md.buf);
	rec = record(ev, NULL, NULL);
	text = json_string_value(json_object_get(rec, "text"));
	ok(text && utf8_graphemes(text, strlen(text)) <= 300 && strlen(text) <= 3000 &&
	   strstr(text, "https://blog.example.com/x/") && facets_match_text(rec) &&
	   !json_object_get(rec, "langs"),
	   "payload: a 256-grapheme title and a long summary fit 300 graphemes, link kept (%zu)",
	   text ? utf8_graphemes(text, strlen(text)) : 0);
	json_decref(rec);

	write_file("hostile.json",
		   "{\"text\": \"{{event.title_text}} {{event.summary_text}} https://x.example/\","
		   " \"facets\": [{\"index\": {\"byteStart\": 0, \"byteEnd\": 5}, \"features\":"
		   " [{\"$type\": \"app.bsky.richtext.facet#mention\", \"did\": \"did:plc:x\"}]}],"
		   " \"reply\": {\"root\": \"at://x\"}, \"embed\": {\"uri\": \"javascript:alert(1)\"},"
		   " \"langs\": [\"xx\"]}");
	rec = record(ev, "hostile.json", NULL);
	text = json_string_value(json_object_get(rec, "text"));
	ok(rec && text && utf8_graphemes(text, strlen(text)) == 300 && strlen(text) <= 3000 &&
	   facets_match_text(rec) && !json_object_get(rec, "reply") &&
	   !json_object_get(rec, "embed") && !json_object_get(rec, "langs"),
	   "payload: whatever a template gives, the text is fitted, facets recomputed, "
	   "no reply, no javascript: card, no langs but the config's");
	json_decref(rec);

	strbuf_reset(&title);
	for (i = 0; i < 300; i++)
		strbuf_addstr(&title, "\xf0\x9f\x8e\x89");
	json_decref(ev);
	ev = events_for(title.buf, "Short.");
	rec = record(ev, NULL, NULL);
	text = json_string_value(json_object_get(rec, "text"));
	ok(text && !strncmp(text, "New post: \xf0\x9f\x8e\x89\xf0\x9f\x8e\x89", 18) &&
	   strstr(text, "\xe2\x80\xa6") && utf8_graphemes(text, strlen(text)) <= 300,
	   "payload: a title of 300 emoji is cut, not emptied (two UTF-16 units each)");
	json_decref(rec);

	{
		json_t *many = json_array(), *one;
		char t[32];
		for (i = 0; i < 12; i++) {
			snprintf(t, sizeof(t), "Post %d \xf0\x9f\x8e\x89", i);
			one = events_for(t, "Body.");
			json_array_extend(many, one);
			json_decref(one);
		}
		rec = record(many, NULL, NULL);
		text = json_string_value(json_object_get(rec, "text"));
		ok(text && !strncmp(text, "12 new posts\n\xe2\x80\xa2 Post 0 ", 20) &&
		   strstr(text, "more") && utf8_graphemes(text, strlen(text)) <= 300 &&
		   !json_object_get(rec, "embed"),
		   "payload: a batch lists titles under the headline within 300 graphemes "
		   "(no card without a site)");
		json_decref(rec);
		json_decref(many);
	}

	write_file("notext.json", "{\"message\": \"hi\"}");
	rec = record(ev, "notext.json", NULL);
	ok(!rec, "payload: a template without text is an error, never a send");
	json_decref(ev);
	strbuf_release(&title);
	strbuf_release(&md);
}

/* The thumbnail's type comes from its first bytes, whatever its name says. */
static void mime(void)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *want;
	} cases[] = {
		{ "\x89PNG\r\n\x1a\n\0\0", 10, "image/png" },
		{ "\x89PNG\r\n\x1a", 7, NULL }, /* cut short */
		{ "\xff\xd8\xff\xe0", 4, "image/jpeg" },
		{ "\xff\xd8", 2, NULL },
		{ "GIF87a", 6, "image/gif" },
		{ "GIF89a;", 7, "image/gif" },
		{ "GIF90a", 6, NULL },
		{ "RIFF\x1a\0\0\0WEBPVP8L", 16, "image/webp" },
		{ "RIFF\x1a\0\0\0WAVEfmt ", 16, NULL }, /* a RIFF that is sound */
		{ "<svg xmlns=", 11, NULL }, /* SVG is not a thumbnail Bluesky takes */
		{ "", 0, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = picture_mime((const unsigned char *)cases[i].bytes, cases[i].len);
		ok(cases[i].want ? got && !strcmp(got, cases[i].want) : !got,
		   "picture_mime: case %zu is %s", i, cases[i].want ? cases[i].want : "none");
	}
}

int main(void)
{
	char *path;

	if (!mkdtemp(dir)) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}
	rkey();
	facets();
	fit();
	payload();
	mime();
	path = xstrfmt("%s/hostile.json", dir);
	unlink(path);
	free(path);
	path = xstrfmt("%s/notext.json", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	return done_testing();
}
