#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/model.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "tap.h"

#define NOW 1795651200LL /* 2026-11-26T00:00:00Z */
#define ID "msg_2hRtq1 x/y"

static const char sample_doc[] =
	"{\"from\": \"1111111\", \"to\": \"2222222\", \"now\": \"2026-11-26T00:00:00Z\","
	" \"site\": {\"title\": \"Example Blog\", \"base_url\": \"https://blog.example.com\"},"
	" \"errors\": [], \"events\": ["
	"  {\"type\": \"new\", \"state\": \"published\","
	"   \"path\": \"_posts/2020-03-30-hello-world.md\", \"from_path\": null,"
	"   \"slug\": \"hello-world\", \"title\": \"Hello, World\","
	"   \"url\": \"https://blog.example.com/2020/03/30/hello-world/\","
	"   \"date\": \"2020-03-30T00:00:00Z\", \"tags\": [\"intro\", \"meta\"],"
	"   \"summary\": \"The first paragraph runs over two lines, with a link.\","
	"   \"summary_markdown\": \"The *first* paragraph\\nruns over two lines, with a [link](https://example.com/about?a=1&b=2).\","
	"   \"front_matter\": {\"title\": \"Hello, World\", \"date\": \"2020-03-30\"},"
	"   \"commit\": {\"id\": \"2222222222222222222222222222222222222222\", \"short\": \"2222222\","
	"     \"author\": \"A U Thor\", \"email\": \"author@example.com\","
	"     \"date\": \"2020-03-30T00:03:00Z\", \"subject\": \"Add hello world\"}},"
	"  {\"type\": \"updated\", \"state\": \"published\","
	"   \"path\": \"_posts/2020-04-01-notes.md\", \"from_path\": null,"
	"   \"slug\": \"notes\", \"title\": \"Notes & Queries\", \"url\": null,"
	"   \"date\": null, \"tags\": [], \"summary\": \"\", \"summary_markdown\": \"\","
	"   \"front_matter\": {\"title\": \"Notes & Queries\"},"
	"   \"commit\": {\"id\": \"2222222222222222222222222222222222222222\", \"short\": \"2222222\","
	"     \"author\": \"A U Thor\", \"email\": \"author@example.com\","
	"     \"date\": \"2020-04-01T00:03:00Z\", \"subject\": \"Edit notes\"}},"
	"  {\"type\": \"moved\", \"state\": \"published\","
	"   \"path\": \"blog/2020/moving.md\", \"from_path\": \"_posts/2020-03-30-moving.md\","
	"   \"slug\": \"moving\", \"title\": \"Moved\","
	"   \"url\": \"https://blog.example.com/blog/2020/moving/\","
	"   \"date\": \"2020-03-30T00:00:00Z\", \"tags\": [\"meta\"],"
	"   \"summary\": \"one two quoted code\","
	"   \"summary_markdown\": \"- one\\n- two\\n\\n> quoted `code`\","
	"   \"front_matter\": {\"title\": \"Moved\"},"
	"   \"commit\": {\"id\": \"2222222222222222222222222222222222222222\", \"short\": \"2222222\","
	"     \"author\": \"A U Thor\", \"email\": \"author@example.com\","
	"     \"date\": \"2020-04-02T00:03:00Z\", \"subject\": \"Move to blog/\"}}"
	"]}";

#define HOSTILE_TITLE "<script>alert(1)</script> & \"quotes\" @everyone \xf0\x9f\x8e\x89"
#define HOSTILE_MD                                                             \
	"Raw <script>alert(2)</script> and <img src=x onerror=alert(3)>, a "  \
	"[bad link](javascript:alert(4)), <https://evil.example|pwned> and "   \
	"[ok](https://ok.example/a|b>c) <!channel> <users/all> @here @room "   \
	"@channel mail@example.com `<!everyone>` | > <\n\n<div>block</div>\n"

static const char *const kinds[] = {
	"slack", "discord", "mattermost", "teams", "googlechat", "matrix",
	"telegram", "ntfy", "webhook",
};

static size_t cps(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static size_t u16(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n += (unsigned char)*s >= 0xf0 ? 2 : 1;
	return n;
}

/* Telegram's text after entity parsing, in UTF-16 units: tags gone, entities one. */
static size_t telegram_len(const char *s)
{
	size_t n = 0;

	while (*s) {
		if (*s == '<') {
			const char *e = strchr(s, '>');
			s = e ? e + 1 : s + strlen(s);
			continue;
		}
		if (*s == '&') {
			const char *e = strchr(s, ';');
			if (e && e - s < 10) {
				n++;
				s = e + 1;
				continue;
			}
		}
		if (((unsigned char)*s & 0xc0) != 0x80)
			n += (unsigned char)*s >= 0xf0 ? 2 : 1;
		s++;
	}
	return n;
}

/* Does the Telegram HTML use only the tags Telegram knows? */
static int telegram_tags_ok(const char *s)
{
	static const char *const allowed[] = {
		"b", "i", "a", "code", "pre", "blockquote",
	};
	size_t i, n;

	for (; (s = strchr(s, '<')); s++) {
		const char *p = s + 1;
		int found = 0;
		if (*p == '/')
			p++;
		n = strcspn(p, " >");
		for (i = 0; i < sizeof(allowed) / sizeof(*allowed); i++)
			if (strlen(allowed[i]) == n && !strncmp(p, allowed[i], n))
				found = 1;
		if (!found)
			return 0;
	}
	return 1;
}

static const char *get_str(const json_t *o, const char *path)
{
	char *copy = xstrdup(path), *part = copy, *dot;
	const json_t *v = o;

	while (v && part) {
		dot = strchr(part, '.');
		if (dot)
			*dot = '\0';
		if (json_is_array(v))
			v = json_array_get(v, (size_t)atoi(part));
		else
			v = json_object_get(v, part);
		part = dot ? dot + 1 : NULL;
	}
	free(copy);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *events_of(const char *doc_text)
{
	json_error_t err;
	json_t *doc = json_loads(doc_text, 0, &err), *model, *events;

	if (!doc) {
		diag("sample: %d:%d: %s", err.line, err.column, err.text);
		return json_array();
	}
	model = model_build(doc, NULL);
	events = json_incref(json_object_get(model, "events"));
	json_decref(model);
	json_decref(doc);
	return events;
}

static json_t *hostile_doc(void)
{
	struct strbuf md = STRBUF_INIT, title = STRBUF_INIT;
	json_t *doc = json_object(), *events = json_array(), *ev;
	int i;

	json_array_append_new(events, json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:s}",
		"type", "new", "state", "published",
		"path", "_posts/2020-05-01-hostile.md", "slug", "hostile",
		"title", HOSTILE_TITLE,
		"url", "https://blog.example.com/2020/05/01/hostile/?a=1&b=<x>|y (z)",
		"date", "2020-05-01T00:00:00Z", "tags", "<b>tag</b>",
		"summary", "raw", "summary_markdown", HOSTILE_MD));
	while (cps(md.buf) < 10000)
		strbuf_addstr(&md, "Lorem ipsum \xf0\x9f\x8e\x89 dolor *sit* amet, "
				   "<script>x</script> & co. ");
	json_array_append_new(events, json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:s, s:s}",
		"type", "undrafted", "path", "_posts/2020-05-02-long.md",
		"slug", "long", "title", "A very long one",
		"url", "https://blog.example.com/2020/05/02/long/",
		"date", "2020-05-02T00:00:00Z", "tags",
		"summary", "long", "summary_markdown", md.buf));
	for (i = 0; i < 10; i++) {
		strbuf_reset(&title);
		strbuf_addf(&title, "Filler %d ", i);
		while (cps(title.buf) < 300)
			strbuf_addstr(&title, "\xf0\x9f\x8e\x89 @everyone ");
		ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:[s,s,s], s:s}",
			       "type", "new", "path", "_posts/filler.md",
			       "slug", "filler", "title", title.buf,
			       "url", "https://blog.example.com/filler/", "date",
			       "tags", "alpha", "beta", "gamma",
			       "summary_markdown", md.buf);
		json_array_append_new(events, ev);
	}
	json_object_set_new(doc, "events", events);
	json_object_set_new(doc, "site", json_pack("{s:s, s:s}", "title", "Blog",
						   "base_url", "https://blog.example.com"));
	strbuf_release(&md);
	strbuf_release(&title);
	return doc;
}

static json_t *target_for(const char *kind)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "chat", "kind", kind,
			 "chat_id", "-1001234567890", "topic", "blog-posts",
			 "username", "herald");
}

/* Builds a payload of `kind` for events [from, to) and parses its body. */
static json_t *build(const char *kind, const json_t *events, size_t from,
		     size_t to, struct payload *p)
{
	struct render_source src = { .repo = NULL };
	json_t *target = target_for(kind), *part = json_array(), *site, *body;
	json_error_t err;
	size_t i;
	int rc;

	for (i = from; i < to; i++)
		json_array_append(part, json_array_get(events, i));
	site = json_pack("{s:s, s:s}", "title", "Example Blog", "base_url",
			 "https://blog.example.com");
	rc = payload_build(&src, kind, NULL, target, site, part, ID, NOW, p);
	json_decref(target);
	json_decref(site);
	json_decref(part);
	if (rc < 0) {
		ok(0, "%s: payload_build failed", kind);
		return NULL;
	}
	body = json_loadb(p->body, p->len, 0, &err);
	if (!ok(body != NULL, "%s [%zu,%zu): body is JSON", kind, from, to))
		diag("%d:%d: %s in %s", err.line, err.column, err.text, p->body);
	return body;
}

static void check_slack(const json_t *b, const char *what, int hostile)
{
	const json_t *blocks = json_object_get(b, "blocks"), *bl;
	size_t i, longest = 0, sections = 0;
	int escaped = 0, clean = 1;

	ok(json_is_string(json_object_get(b, "text")) && *get_str(b, "text"),
	   "slack %s: text fallback", what);
	ok(json_is_false(json_object_get(b, "unfurl_links")), "slack %s: unfurl_links false", what);
	ok(json_is_array(blocks) && json_array_size(blocks) <= 50,
	   "slack %s: at most 50 blocks", what);
	json_array_foreach(blocks, i, bl) {
		const char *type = get_str(bl, "type"), *text = get_str(bl, "text.text");
		if (!text)
			text = get_str(bl, "elements.0.text");
		if (!text || !*text)
			clean = 0;
		else if (!strcmp(type, "section")) {
			sections++;
			if (u16(text) > longest)
				longest = u16(text);
			if (strstr(text, "&lt;script&gt;"))
				escaped = 1;
			if (strstr(text, "<script") || strstr(text, "<!") ||
			    strstr(text, "javascript:") || strstr(text, "<https://evil.example|"))
				clean = 0;
		} else if (!strcmp(type, "header") && cps(text) > 150) {
			clean = 0;
		}
	}
	ok(sections >= 1 && sections <= 10, "slack %s: 1 to 10 sections (%zu)", what, sections);
	ok(longest <= 3000, "slack %s: sections within 3000 (%zu)", what, longest);
	ok(clean, "slack %s: no empty text, no markup from the post", what);
	if (hostile)
		ok(escaped, "slack %s: title escaped as &lt;script&gt;", what);
	if (hostile)
		ok(!strstr(get_str(b, "text"), "<"), "slack %s: fallback text escaped", what);
}

static void check_discord(const json_t *b, const char *what)
{
	const json_t *embeds = json_object_get(b, "embeds"), *e;
	const json_t *parse = json_object_get(json_object_get(b, "allowed_mentions"), "parse");
	size_t i, total = 0;
	int titles = 1, descriptions = 1, urls = 1;

	ok(json_is_array(parse) && !json_array_size(parse),
	   "discord %s: allowed_mentions.parse is empty", what);
	ok(json_is_array(embeds) && json_array_size(embeds) >= 1 &&
	   json_array_size(embeds) <= 10, "discord %s: 1 to 10 embeds", what);
	ok(get_str(b, "content") && u16(get_str(b, "content")) <= 2000,
	   "discord %s: content within 2000", what);
	json_array_foreach(embeds, i, e) {
		const char *t = get_str(e, "title"), *d = get_str(e, "description");
		const char *f = get_str(e, "footer.text"), *a = get_str(e, "author.name");
		const char *u = get_str(e, "url");
		if (!t || !*t || u16(t) > 256)
			titles = 0;
		if (d && (!*d || u16(d) > 4096))
			descriptions = 0;
		if (u && strncmp(u, "https://", 8))
			urls = 0;
		total += (t ? u16(t) : 0) + (d ? u16(d) : 0) + (f ? u16(f) : 0) +
			 (a ? u16(a) : 0);
	}
	ok(titles, "discord %s: titles within 256", what);
	ok(descriptions, "discord %s: descriptions within 4096", what);
	ok(urls, "discord %s: urls are https", what);
	ok(total <= 6000, "discord %s: embeds within 6000 in all (%zu)", what, total);
}

static void check_mattermost(const json_t *b, const char *what, int hostile)
{
	const char *t = get_str(b, "text");

	ok(t && *t && cps(t) <= 16383, "mattermost %s: text within 16383", what);
	if (hostile)
		ok(t && !strstr(t, "@everyone") && !strstr(t, "@here") &&
		   !strstr(t, "@channel") && strstr(t, "mail@example.com"),
		   "mattermost %s: mentions defused, email kept", what);
}

static void check_teams(const json_t *b, const char *what, const json_t *ev)
{
	const json_t *card = json_object_get(json_array_get(json_object_get(b, "attachments"), 0),
					     "content");
	const json_t *body = json_object_get(card, "body");
	const char *link = get_str(ev, "url");

	ok(!strcmp(get_str(b, "type"), "message") &&
	   !strcmp(get_str(b, "attachments.0.contentType"),
		   "application/vnd.microsoft.card.adaptive"),
	   "teams %s: a message with an adaptive card", what);
	ok(!strcmp(get_str(card, "type"), "AdaptiveCard") &&
	   !strcmp(get_str(card, "version"), "1.4") &&
	   !strcmp(get_str(card, "$schema"), "http://adaptivecards.io/schemas/adaptive-card.json"),
	   "teams %s: card type, version and schema", what);
	ok(json_is_array(body) && json_array_size(body) >= 2 &&
	   get_str(body, "0.text") && *get_str(body, "0.text"),
	   "teams %s: body starts with a title", what);
	if (ev)
		ok(link ? (get_str(card, "actions.0.url") &&
			   !strncmp(get_str(card, "actions.0.url"), "https://", 8))
			: !json_object_get(card, "actions"),
		   "teams %s: a Read action only with a url", what);
}

static void check_googlechat(const json_t *b, const char *what, int hostile)
{
	const char *t = get_str(b, "text");

	ok(t && *t == '*' && cps(t) <= 4096, "googlechat %s: bold title, text within 4096", what);
	if (hostile)
		ok(!strstr(t, "<users/all>") && !strstr(t, "<https://evil") &&
		   !strstr(t, "<script"), "googlechat %s: no mention or link from the post", what);
}

static void check_matrix(const json_t *b, const struct payload *p, const char *what)
{
	const char *f = get_str(b, "formatted_body");
	const json_t *m = json_object_get(b, "m.mentions");

	ok(!strcmp(get_str(b, "msgtype"), "m.notice") &&
	   !strcmp(get_str(b, "format"), "org.matrix.custom.html") &&
	   get_str(b, "body") && *get_str(b, "body"),
	   "matrix %s: a notice with body and format", what);
	ok(f && !strstr(f, "<script") && !strstr(f, "<img") && !strstr(f, "javascript:"),
	   "matrix %s: formatted_body without script, img, javascript:", what);
	ok(json_is_object(m) && !json_object_size(m), "matrix %s: empty m.mentions", what);
	ok(p->len < 65536, "matrix %s: event within 64 KiB", what);
	is_str(p->method, "PUT", "matrix %s: PUT", what);
	is_str(p->url_suffix, "/send/m.room.message/msg_2hRtq1%20x%2Fy",
	       "matrix %s: url_suffix with the id escaped", what);
}

static void check_telegram(const json_t *b, const char *what, int hostile)
{
	const char *t = get_str(b, "text");

	is_str(get_str(b, "chat_id"), "-1001234567890", "telegram %s: chat_id", what);
	is_str(get_str(b, "parse_mode"), "HTML", "telegram %s: parse_mode", what);
	ok(t && telegram_len(t) <= 4096,
	   "telegram %s: text within 4096 UTF-16 units (%zu)", what, t ? telegram_len(t) : 0);
	ok(t && telegram_tags_ok(t), "telegram %s: only Telegram's tags", what);
	ok(json_is_boolean(json_object_get(json_object_get(b, "link_preview_options"), "is_disabled")),
	   "telegram %s: link_preview_options", what);
	if (hostile)
		ok(strstr(t, "&lt;script&gt;") && !strstr(t, "javascript:"),
		   "telegram %s: title escaped as &lt;script&gt;", what);
}

static void check_ntfy(const json_t *b, const char *what)
{
	const char *m = get_str(b, "message");

	ok(!json_object_get(b, "topic"), "ntfy %s: no topic (added from config when sending)", what);
	ok(get_str(b, "title") && *get_str(b, "title"), "ntfy %s: title", what);
	ok(m && *m && strlen(m) <= 4096, "ntfy %s: message within 4096 bytes", what);
	is_str(get_str(b, "tags.0"), "newspaper", "ntfy %s: tags", what);
}

static void check_webhook(const json_t *b, const char *what, const json_t *events,
			  size_t from, size_t n)
{
	is_str(get_str(b, "timestamp"), "2026-11-26T00:00:00Z", "webhook %s: timestamp", what);
	if (n == 1) {
		const json_t *ev = json_array_get(events, from);
		char *type = xstrfmt("post.%s", get_str(ev, "type"));
		is_str(get_str(b, "type"), type, "webhook %s: type", what);
		is_str(get_str(b, "data.title"), get_str(ev, "title"), "webhook %s: data is the event", what);
		ok(!json_object_get(json_object_get(b, "data"), "first"),
		   "webhook %s: no list flags in data", what);
		free(type);
	} else {
		is_str(get_str(b, "type"), "posts.batch", "webhook %s: type", what);
		is_int(json_integer_value(json_object_get(json_object_get(b, "data"), "count")),
		       n, "webhook %s: data.count", what);
		is_int(json_array_size(json_object_get(json_object_get(b, "data"), "events")),
		       n, "webhook %s: data.events", what);
	}
}

static void check(const char *kind, const json_t *b, const struct payload *p,
		  const char *what, const json_t *events, size_t from, size_t to,
		  int hostile)
{
	const json_t *ev = to - from == 1 ? json_array_get(events, from) : NULL;

	if (!b)
		return;
	ok(json_is_object(b) && !strcmp(p->content_type, "application/json") &&
	   !strcmp(p->method, strcmp(kind, "matrix") ? "POST" : "PUT"),
	   "%s %s: object, content type and method", kind, what);
	if (!strcmp(kind, "slack"))
		check_slack(b, what, hostile);
	else if (!strcmp(kind, "discord"))
		check_discord(b, what);
	else if (!strcmp(kind, "mattermost"))
		check_mattermost(b, what, hostile);
	else if (!strcmp(kind, "teams"))
		check_teams(b, what, ev);
	else if (!strcmp(kind, "googlechat"))
		check_googlechat(b, what, hostile);
	else if (!strcmp(kind, "matrix"))
		check_matrix(b, p, what);
	else if (!strcmp(kind, "telegram"))
		check_telegram(b, what, hostile);
	else if (!strcmp(kind, "ntfy"))
		check_ntfy(b, what);
	else if (!strcmp(kind, "webhook"))
		check_webhook(b, what, events, from, to - from);
}

static char *golden_path(const char *name)
{
	const char *root = getenv("HERALD_SRC");

	if (root && *root)
		return xstrfmt("%s/tests/expect/payload/%s", root, name);
	return xstrfmt("tests/expect/payload/%s", name);
}

/* Compares the body with the golden file; HERALD_WRITE_GOLDEN=1 writes it instead. */
static void golden(const char *name, const struct payload *p)
{
	struct strbuf want = STRBUF_INIT;
	char *path = golden_path(name);
	const char *write = getenv("HERALD_WRITE_GOLDEN");

	if (write && !strcmp(write, "1")) {
		FILE *f = fopen(path, "w");
		ok(f && fwrite(p->body, 1, p->len, f) == p->len && fputc('\n', f) != EOF &&
		   !fclose(f), "wrote %s", path);
	} else if (strbuf_read_file(&want, path, 1 << 20) < 0) {
		ok(0, "golden %s: %s", path, strerror(errno));
	} else {
		strbuf_rtrim(&want);
		if (!ok(want.len == p->len && !memcmp(want.buf, p->body, p->len),
			"golden %s", name)) {
			diag("want: %s", want.buf);
			diag("got:  %s", p->body);
		}
	}
	strbuf_release(&want);
	free(path);
}

static void run_kind(const char *kind, const json_t *sample, const json_t *hostile)
{
	struct payload p = { 0 };
	json_t *b;
	char *name;
	size_t i, n = json_array_size(hostile);

	/* the normal sample: goldens for the first event and for all three */
	b = build(kind, sample, 0, 1, &p);
	check(kind, b, &p, "single", sample, 0, 1, 0);
	name = xstrfmt("%s.json", kind);
	golden(name, &p);
	free(name);
	json_decref(b);
	payload_release(&p);

	b = build(kind, sample, 0, json_array_size(sample), &p);
	check(kind, b, &p, "batch", sample, 0, json_array_size(sample), 0);
	name = xstrfmt("%s-batch.json", kind);
	golden(name, &p);
	free(name);
	json_decref(b);
	payload_release(&p);

	/* no url, no date, no tags, empty summary */
	b = build(kind, sample, 1, 2, &p);
	check(kind, b, &p, "bare", sample, 1, 2, 0);
	json_decref(b);
	payload_release(&p);

	b = build(kind, hostile, 0, 1, &p);
	check(kind, b, &p, "hostile", hostile, 0, 1, 1);
	json_decref(b);
	payload_release(&p);

	b = build(kind, hostile, 1, 2, &p);
	check(kind, b, &p, "long", hostile, 1, 2, 0);
	json_decref(b);
	payload_release(&p);

	b = build(kind, hostile, 0, n, &p);
	check(kind, b, &p, "hostile batch", hostile, 0, n, 1);
	json_decref(b);
	payload_release(&p);

	for (i = 2; i < n; i++) {
		b = build(kind, hostile, i, i + 1, &p);
		if (b && i == 2)
			check(kind, b, &p, "long title", hostile, i, i + 1, 0);
		json_decref(b);
		payload_release(&p);
	}
}

static void test_batch_counts(const json_t *hostile)
{
	struct payload p = { 0 };
	json_t *b;

	b = build("slack", hostile, 0, 2, &p);
	is_str(get_str(b, "text"), "2 new posts", "slack: a batch of new posts");
	json_decref(b);
	payload_release(&p);

	b = build("discord", hostile, 0, json_array_size(hostile), &p);
	is_int(json_array_size(json_object_get(b, "embeds")), 10, "discord: ten embeds of twelve");
	is_str(get_str(b, "content"), "12 new posts (…and 2 more)",
	       "discord: content says how many are left out");
	json_decref(b);
	payload_release(&p);

	b = build("telegram", hostile, 0, json_array_size(hostile), &p);
	ok(b && strstr(get_str(b, "text"), "…and 2 more"), "telegram: says how many are left out");
	json_decref(b);
	payload_release(&p);
}

static void test_errors(const json_t *sample)
{
	struct render_source src = { .repo = NULL };
	struct payload p = { 0 };
	json_t *one = json_pack("[O]", json_array_get(sample, 0));
	json_t *empty = json_array();
	json_t *bare = json_pack("{s:s}", "name", "bare");
	char path[] = "/tmp/herald-payload-XXXXXX";
	char *file;
	FILE *f;
	int fd;

	ok(payload_kind_known("slack") && payload_kind_known("webhook") &&
	   !payload_kind_known("irc") && !payload_kind_known(NULL),
	   "payload_kind_known");
	fprintf(stderr, "# errors expected below\n");
	ok(payload_build(&src, "irc", NULL, bare, NULL, one, ID, NOW, &p) < 0 && !p.body,
	   "unknown kind fails");
	ok(payload_build(&src, "slack", NULL, bare, NULL, empty, ID, NOW, &p) < 0,
	   "no events fails");
	ok(payload_build(&src, "telegram", NULL, bare, NULL, one, ID, NOW, &p) < 0,
	   "telegram without chat_id fails");
	ok(payload_build(&src, "matrix", NULL, bare, NULL, one, NULL, NOW, &p) < 0,
	   "matrix without id fails");
	json_array_append_new(empty, json_string("not an event"));
	ok(!payload_build(&src, "slack", NULL, bare, NULL, empty, ID, NOW, &p) &&
	   strstr(p.body, "Untitled post"), "an event that is no object is still announced");
	payload_release(&p);
	ok(payload_build(&src, "slack", "no-such-template.json", bare, NULL, one, ID,
			 NOW, &p) < 0, "a missing template fails");

	fd = mkstemp(path);
	file = xstrfmt("%s.json", path);
	f = fopen(file, "w");
	if (f) {
		fputs("{\"text\": \"{{event.title_text}}\", broken}\n", f);
		fclose(f);
	}
	/* payload templates come only from the admin's folder (herald.templateDir) */
	src.dir = "/tmp";
	ok(payload_build(&src, "slack", strrchr(file, '/') + 1, bare, NULL, one, ID, NOW, &p) < 0 &&
	   !p.body, "a template giving invalid JSON fails");
	f = fopen(file, "w");
	if (f) {
		fputs("{\"type\": \"mine\", \"data\": {\"who\": \"{{target.name}}\","
		      " \"title\": \"{{event.title_text}}\", \"n\": {{count}}}}\n", f);
		fclose(f);
	}
	ok(!payload_build(&src, "webhook", strrchr(file, '/') + 1, bare, NULL, one, ID, NOW, &p) &&
	   !strcmp(p.body, "{\"type\":\"post.new\",\"data\":{\"who\":\"bare\","
		   "\"title\":\"Hello, World\",\"n\":1},\"timestamp\":\"2026-11-26T00:00:00Z\"}"),
	   "a webhook target may shape data in its own template; type and timestamp are herald's");
	payload_release(&p);
	remove(file);
	if (fd >= 0) {
		remove(path);
		close(fd);
	}
	free(file);
	json_decref(one);
	json_decref(empty);
	json_decref(bare);
}

int main(void)
{
	json_t *sample = events_of(sample_doc);
	json_t *doc = hostile_doc(), *model = model_build(doc, NULL);
	json_t *hostile = json_object_get(model, "events");
	size_t i;

	ok(json_array_size(sample) == 3 && json_array_size(hostile) == 12,
	   "samples have 3 and 12 events");
	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		run_kind(kinds[i], sample, hostile);
	test_batch_counts(hostile);
	test_errors(sample);
	json_decref(model);
	json_decref(doc);
	json_decref(sample);
	return done_testing();
}
