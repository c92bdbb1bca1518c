/*
 * The table of kinds (one file per platform under src/deliver/kinds/):
 * every entry is complete and has its template, each kind's context holds
 * its own dialect and no other's, Matrix defuses "@room" and Telegram
 * "@name" in every text it sends, and ntfy shows a post's subtitle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/builtin.h"
#include "herald/kind.h"
#include "herald/model.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"

#define ZWSP "\xe2\x80\x8b"

static char dir[] = "/tmp/herald-kinds-XXXXXX";

/* Model events of one post whose title, subtitle, tags and summary are `text`. */
static json_t *events_for(const char *title, const char *subtitle, const char *md)
{
	json_t *doc = json_pack("{s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:{}}]}",
				"site", "title", "Blog", "base_url", "https://blog.example.com",
				"events", "type", "new", "path", "_posts/2020-01-01-x.md",
				"url", "https://blog.example.com/x/", "title", title,
				"date", "2020-01-01T00:00:00Z", "tags", title,
				"summary_markdown", md, "front_matter");
	json_t *m, *ev;

	if (subtitle)
		json_object_set_new(json_object_get(json_array_get(json_object_get(doc, "events"), 0),
						    "front_matter"),
				    "subtitle", json_string(subtitle));
	m = model_build(doc, NULL);
	ev = json_incref(json_object_get(m, "events"));
	json_decref(m);
	json_decref(doc);
	return ev;
}

/* The parsed body of `kind` for `events` with `template` from dir (or built-in); NULL on failure. */
static json_t *body_of(const char *kind, const char *template, const json_t *events)
{
	struct render_source src;
	json_t *target = json_pack("{s:s, s:s, s:s}", "name", "t", "kind", kind,
				   "chat_id", "42"), *body = NULL;
	struct payload p;

	memset(&src, 0, sizeof(src));
	src.dir = dir;
	if (!payload_build(&src, kind, template, target, NULL, events, "id-1", 0, &p)) {
		body = json_loadb(p.body, p.len, 0, NULL);
		payload_release(&p);
	}
	json_decref(target);
	return body;
}

static void table(void)
{
	static const char *const today[] = {
		"slack", "discord", "mattermost", "teams", "googlechat", "matrix",
		"telegram", "ntfy", "webhook",
	};
	size_t i, j, n = 0;
	int complete = 1, unique = 1, templates = 1;

	for (i = 0; kinds[i]; i++) {
		const struct kind *k = kinds[i];
		char *name = xstrfmt("payload-%s.json", k->name);
		n++;
		/* a kind that sends by itself (email: SMTP) names its protocol instead */
		if (!k->name || !k->method ||
		    (strcmp(k->method, "POST") && strcmp(k->method, "PUT") && !k->send))
			complete = 0;
		if (kind_find(k->name) != k)
			unique = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(kinds[j]->name, k->name))
				unique = 0;
		/* a kind without a built-in template builds its own body, or renders its own set */
		if (!builtin_find(name) && !k->body && !k->render)
			templates = 0;
		free(name);
	}
	for (i = 0; i < ARRAY_SIZE(today); i++)
		if (!kind_find(today[i]))
			complete = 0;
	ok(n >= ARRAY_SIZE(today), "the table has today's nine kinds, at least (%zu)", n);
	ok(complete, "every kind has a name and an HTTP method (or sends itself), and each of today's is found");
	ok(unique, "kind_find() finds each, and each name once");
	ok(templates, "every kind has a built-in template or builds its own body");
	ok(!kind_find("irc") && !kind_find(NULL), "kind_find: unknown kinds are NULL");
	ok(kind_option_for_key("chatid") && !strcmp(kind_option_for_key("chatid")->field, "chat_id") &&
	   kind_option_for_key("username") && !kind_option_for_key("url"),
	   "kind options: chatId (telegram) and username are found, url is no kind's");
	ok(!strcmp(kind_find("matrix")->method, "PUT") && !strcmp(kind_find("slack")->method, "POST"),
	   "matrix PUTs, slack POSTs");
}

/* The dialect fields each kind adds to an event; every other kind's are absent. */
static const struct {
	const char *kind;
	const char *fields[8];
} own[] = {
	{ "slack", { "title_slack", "subtitle_slack", "url_slack", "meta_slack", "alt_slack",
		     "summary_slack" } },
	{ "discord", { "title_discord", "subtitle_markdown", "tags_discord", "summary_discord" } },
	{ "mattermost", { "title_markdown", "subtitle_markdown", "summary_mattermost" } },
	{ "teams", { "title_teams", "subtitle_teams", "meta_teams", "summary_teams" } },
	{ "googlechat", { "title_gchat", "subtitle_gchat", "summary_gchat" } },
	{ "matrix", { "title_matrix", "subtitle_html", "summary_matrix" } },
	{ "telegram", { "title_telegram", "subtitle_html", "summary_telegram" } },
	{ "ntfy", { NULL } },
	{ "webhook", { NULL } },
};

static int owns(size_t k, const char *field)
{
	size_t i;

	for (i = 0; own[k].fields[i]; i++)
		if (!strcmp(own[k].fields[i], field))
			return 1;
	return 0;
}

/*
 * An admin template that says which fields it was given: "F," for each
 * present one. Kinds that need a shape (webhook's data) get it.
 */
static void probe(void)
{
	static const char *const common[] = {
		"title_text", "subtitle_text", "summary_text", "link", "url_html", "meta_text",
		"tags_text", "type_label", "url_or_path",
	};
	json_t *events = events_for("Title", "Sub", "Some *text*.");
	struct strbuf tpl = STRBUF_INIT, want = STRBUF_INIT;
	const char *all[32], *got;
	size_t k, i, j, nr = 0;
	char *path;
	FILE *f;

	/* every kind's fields, each once (subtitle_html and subtitle_markdown are shared) */
	for (k = 0; k < ARRAY_SIZE(own); k++)
		for (i = 0; own[k].fields[i]; i++) {
			for (j = 0; j < nr && strcmp(all[j], own[k].fields[i]); j++)
				;
			if (j == nr && nr < ARRAY_SIZE(all))
				all[nr++] = own[k].fields[i];
		}

	for (k = 0; k < ARRAY_SIZE(own); k++) {
		json_t *b;
		strbuf_reset(&tpl);
		strbuf_reset(&want);
		strbuf_addstr(&tpl, "{\"data\": \"{{#event}}");
		for (i = 0; i < ARRAY_SIZE(common); i++)
			strbuf_addf(&tpl, "{{#%s}}%s,{{/%s}}", common[i], common[i], common[i]);
		for (i = 0; i < ARRAY_SIZE(common); i++)
			strbuf_addf(&want, "%s,", common[i]);
		strbuf_addstr(&tpl, "|");
		strbuf_addstr(&want, "|");
		for (j = 0; j < nr; j++) {
			strbuf_addf(&tpl, "{{#%s}}%s,{{/%s}}", all[j], all[j], all[j]);
			if (owns(k, all[j]))
				strbuf_addf(&want, "%s,", all[j]);
		}
		strbuf_addstr(&tpl, "{{/event}}\"}\n");
		path = xstrfmt("%s/probe-%s.json", dir, own[k].kind);
		f = fopen(path, "w");
		if (f) {
			fputs(tpl.buf, f);
			fclose(f);
		}
		b = body_of(own[k].kind, strrchr(path, '/') + 1, events);
		got = b ? json_string_value(json_object_get(b, "data")) : NULL;
		if (!ok(got && !strcmp(got, want.buf),
			"%s: the context has the common fields and its own dialect only",
			own[k].kind))
			diag("got  %s\nwant %s", got ? got : "(no body)", want.buf);
		json_decref(b);
		unlink(path);
		free(path);
	}
	strbuf_release(&tpl);
	strbuf_release(&want);
	json_decref(events);
}

/* Every string value in `v`, each followed by a newline. */
static void strings(const json_t *v, struct strbuf *out)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_string(v)) {
		strbuf_addstr(out, json_string_value(v));
		strbuf_addch(out, '\n');
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e)
			strings(e, out);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			strings(e, out);
	}
}

/* Text outside HTML tags: what a reader (and a push rule) sees of formatted_body. */
static void outside_tags(const char *s, struct strbuf *out)
{
	int in_tag = 0;

	for (; *s; s++) {
		if (*s == '<')
			in_tag = 1;
		else if (*s == '>')
			in_tag = 0;
		else if (!in_tag)
			strbuf_addch(out, *s);
	}
}

static const char *live_room(const char *s)
{
	const char *p;

	for (p = strchr(s, '@'); p; p = strchr(p + 1, '@'))
		if (!strncasecmp(p + 1, "room", 4))
			return p;
	return NULL;
}

static int alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Telegram: "@name" not after a letter or digit. */
static const char *live_at(const char *s)
{
	const char *p;

	for (p = strchr(s, '@'); p; p = strchr(p + 1, '@'))
		if (p[1] && p[1] != ' ' && p[1] != '\n' && strncmp(p + 1, ZWSP, 3) &&
		    (p == s || !alnum((unsigned char)p[-1])))
			return p;
	return NULL;
}

static const char *const hostile[] = {
	"@room", "@ROOM", "@Room!", ".@room", "x@room", "(@room)", "*@room*", "@@room",
	"@alice", "_@bob", "hi @everyone", "\xc3\xa9@room",
};

static void mentions(const char *kind, const char *(*live)(const char *), int batch)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		struct strbuf md = STRBUF_INIT, all = STRBUF_INIT, text = STRBUF_INIT;
		json_t *events, *b;
		const char *hit;

		strbuf_addf(&md, "%s and [%s](https://ex.example/%s) and <https://ex.example/a@room>",
			    hostile[i], hostile[i], "p@room");
		events = events_for(hostile[i], hostile[i], md.buf);
		if (batch)
			json_array_append(events, json_array_get(events, 0));
		b = body_of(kind, NULL, events);
		if (!b) {
			ok(0, "%s: a body for '%s'", kind, hostile[i]);
			goto next;
		}
		if (!strcmp(kind, "matrix")) {
			strbuf_addstr(&all, json_string_value(json_object_get(b, "body")));
			strbuf_addch(&all, '\n');
			outside_tags(json_string_value(json_object_get(b, "formatted_body")), &all);
			ok(strstr(json_string_value(json_object_get(b, "formatted_body")),
				  "href=\"https://ex.example/p@room\"") != NULL,
			   "matrix%s: a link's href is left as it is", batch ? " batch" : "");
		} else {
			strings(b, &text);
			outside_tags(text.buf, &all);
			ok(!json_object_get(b, "text") ||
			   strstr(json_string_value(json_object_get(b, "text")),
				  "href=\"https://ex.example/p@room\"") || batch,
			   "%s: a link's href is left as it is", kind);
		}
		hit = live(all.buf);
		if (!ok(!hit, "%s%s: '%s' notifies no one", kind, batch ? " batch" : "", hostile[i]))
			diag("live at: %.40s", hit);
		json_decref(b);
next:
		json_decref(events);
		strbuf_release(&md);
		strbuf_release(&all);
		strbuf_release(&text);
	}
}

/* An e-mail address is no mention: kept as written. */
static void email_kept(void)
{
	json_t *events = events_for("write to mail@example.com", NULL, "or mail@example.com"), *b;
	const char *t;

	b = body_of("telegram", NULL, events);
	t = b ? json_string_value(json_object_get(b, "text")) : NULL;
	ok(t && strstr(t, "write to mail@example.com") && strstr(t, "or mail@example.com"),
	   "telegram: an e-mail address is kept");
	json_decref(b);
	b = body_of("matrix", NULL, events);
	t = b ? json_string_value(json_object_get(b, "body")) : NULL;
	ok(t && strstr(t, "write to mail@example.com"), "matrix: an e-mail address is kept");
	json_decref(b);
	json_decref(events);
}

static const char *ntfy_message(const char *subtitle, const char *md)
{
	static char buf[4096];
	json_t *events = events_for("Post", subtitle, md), *b = body_of("ntfy", NULL, events);
	const char *m = b ? json_string_value(json_object_get(b, "message")) : NULL;

	snprintf(buf, sizeof(buf), "%s", m ? m : "(none)");
	json_decref(b);
	json_decref(events);
	return buf;
}

static void ntfy(void)
{
	struct strbuf big = STRBUF_INIT, sub = STRBUF_INIT;
	json_t *events, *b;
	const char *m;

	is_str(ntfy_message("A subtitle", "The *summary*."), "A subtitle\n\nThe summary.",
	       "ntfy: the subtitle, then the summary");
	is_str(ntfy_message("A subtitle", ""), "A subtitle", "ntfy: the subtitle alone");
	is_str(ntfy_message(NULL, "The *summary*."), "The summary.",
	       "ntfy: no subtitle, the summary as before");
	is_str(ntfy_message(NULL, ""), "New post", "ntfy: neither, the event's label");
	is_str(ntfy_message("two\n\nlines", "x y z"), "two lines\n\nx y z",
	       "ntfy: the subtitle on one line");

	/* the longest subtitle and summary, in three-byte characters, stay under 4096 bytes */
	while (big.len < 20000)
		strbuf_addstr(&big, "\xe6\x97\xa5\xe6\x9c\xac ");
	while (sub.len < 3000)
		strbuf_addstr(&sub, "\xe6\x97\xa5");
	events = events_for("Post", sub.buf, big.buf);
	b = body_of("ntfy", NULL, events);
	m = b ? json_string_value(json_object_get(b, "message")) : NULL;
	ok(m && !strncmp(m, "\xe6\x97\xa5", 3) && strlen(m) <= 4096,
	   "ntfy: subtitle and summary within 4096 bytes (%zu)", m ? strlen(m) : 0);
	json_decref(b);
	json_decref(events);
	strbuf_release(&big);
	strbuf_release(&sub);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot make %s\n", dir);
		return 1;
	}
	table();
	probe();
	mentions("matrix", live_room, 0);
	mentions("matrix", live_room, 1);
	mentions("telegram", live_at, 0);
	mentions("telegram", live_at, 1);
	email_kept();
	ntfy();
	rmdir(dir);
	return done_testing();
}
