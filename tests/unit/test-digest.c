#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/date.h"
#include "herald/digest.h"
#include "herald/model.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "tap.h"

#define NOW 1796637600LL /* 2026-12-07T10:00:00Z */

/* Two new posts, one of them with a title that is hostile in HTML and chat. */
static const char doc_text[] =
	"{\"from\": \"1111111\", \"to\": \"2222222\", \"now\": \"2026-12-07T10:00:00Z\","
	" \"errors\": [], \"events\": ["
	"  {\"type\": \"new\", \"state\": \"published\", \"path\": \"_posts/2026-12-01-a.md\","
	"   \"from_path\": null, \"slug\": \"a\", \"title\": \"Alpha <b>bold</b> & @everyone\","
	"   \"url\": \"https://blog.example.com/2026/12/01/a/\", \"date\": \"2026-12-01T00:00:00Z\","
	"   \"tags\": [\"x\"], \"summary\": \"First.\", \"summary_markdown\": \"*First.*\","
	"   \"front_matter\": {\"title\": \"Alpha\"}, \"commit\": null},"
	"  {\"type\": \"undrafted\", \"state\": \"published\", \"path\": \"_posts/2026-12-03-b.md\","
	"   \"from_path\": null, \"slug\": \"b\", \"title\": \"Beta\","
	"   \"url\": \"https://blog.example.com/2026/12/03/b/\", \"date\": \"2026-12-03T00:00:00Z\","
	"   \"tags\": [], \"summary\": \"Second.\", \"summary_markdown\": \"Second.\","
	"   \"front_matter\": {\"title\": \"Beta\"}, \"commit\": null}"
	"]}";

static json_t *model_with_site(const char *title)
{
	json_t *doc = json_loads(doc_text, 0, NULL), *m;

	json_object_set_new(doc, "site", json_pack("{s:s, s:s}", "title", title, "base_url", "https://blog.example.com"));
	m = model_build(doc, NULL);
	json_decref(doc);
	return m;
}

static void headlines(void)
{
	static const struct {
		const char *period, *title;
		size_t n;
		const char *want;
	} cases[] = {
		{ "weekly", "My Blog", 7, "This week on My Blog: 7 new posts" },
		{ "weekly", "My Blog", 1, "This week on My Blog: 1 new post" },
		{ "weekly", "My Blog", 0, "This week on My Blog: no new posts" },
		{ "daily", "My Blog", 3, "Today on My Blog: 3 new posts" },
		{ "daily", NULL, 2, "Today: 2 new posts" },
		{ "weekly", "", 2, "This week: 2 new posts" },
		{ "weekly", "Two\nlines\r\tblog", 2, "This week on Two lines blog: 2 new posts" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *h = digest_headline(cases[i].period, cases[i].title, cases[i].n);
		is_str(h, cases[i].want, "headline %s", cases[i].want);
		free(h);
	}
}

static void subjects(void)
{
	static const struct {
		const char *period, *title, *due, *zone, *want, *why;
	} cases[] = {
		{ "weekly", "My Blog", "2026-12-07T00:00:00Z", NULL,
		  "My Blog: posts of the week of 30 November 2026",
		  "weekly, UTC: the week before it was due" },
		{ "weekly", "My Blog", "2026-12-07T09:00:00Z", NULL,
		  "My Blog: posts of the week of 30 November 2026", "due Monday 09:00" },
		{ "weekly", "My Blog", "2026-12-06T23:00:00Z", NULL,
		  "My Blog: posts of the week of 30 November 2026",
		  "due Sunday 23:00: the week from the Monday after" },
		/* there 7 December 14:00: the window's first day has only 10 hours in it */
		{ "weekly", "My Blog", "2026-12-07T00:00:00Z", "Pacific/Kiritimati",
		  "My Blog: posts of the week of 1 December 2026", "the week in the target's zone" },
		{ "daily", "Evil\r\nBcc: x@example.com", "2026-12-07T09:00:00Z", NULL,
		  "Evil Bcc: x@example.com: posts of 6 December 2026",
		  "daily, due 09:00: yesterday's posts; a title cannot add a header line" },
		{ "daily", NULL, "2026-12-06T23:00:00Z", NULL, "posts of 6 December 2026",
		  "daily, due 23:00: today's posts; no title" },
		{ "daily", NULL, "2026-12-07T00:00:00Z", NULL, "posts of 6 December 2026",
		  "daily, due at midnight: the day that ended" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		long long due;
		char *s;

		date_parse(cases[i].due, &due);
		s = digest_subject(cases[i].period, cases[i].title, due, cases[i].zone);
		is_str(s, cases[i].want, "subject: %s", cases[i].why);
		free(s);
	}
}

static void email(void)
{
	struct render_source src;
	struct strbuf sb = STRBUF_INIT;
	json_t *m = model_with_site("My <Blog>"), *doc;
	const char *text, *html, *subject;

	memset(&src, 0, sizeof(src)); /* the built-in templates */
	ok(digest_email_body(&src, m, "My Blog: posts of the week of 7 December 2026", &sb) == 0,
	   "the e-mail body is built");
	doc = json_loadb(sb.buf, sb.len, 0, NULL);
	ok(json_is_object(doc) && json_object_size(doc) == 3, "it is {subject, text, html}");
	subject = json_string_value(json_object_get(doc, "subject"));
	text = json_string_value(json_object_get(doc, "text"));
	html = json_string_value(json_object_get(doc, "html"));
	is_str(subject, "My Blog: posts of the week of 7 December 2026", "subject as given");
	ok(text && !strncmp(text, "What's new on My <Blog>\n", 24) &&
		   strstr(text, "Alpha <b>bold</b>") && !strchr(text, '\\') &&
		   strstr(text, "Read it: https://blog.example.com/2026/12/03/b/") &&
		   strstr(text, "Beta") && strstr(text, "Alpha") &&
		   strstr(text, "Beta") < strstr(text, "Alpha"),
	   "text is email-digest.txt, plain: the site, the posts newest first, nothing escaped");
	if (getenv("DEBUG_DIGEST") && html)
		diag("%s", html);
	ok(html && strstr(html, "<!doctype html>") && strstr(html, "Alpha &lt;b&gt;bold&lt;/b&gt;") &&
		   !strstr(html, "<b>bold</b>") && strstr(html, "https://blog.example.com/2026/12/03/b/"),
	   "html is digest.html, titles escaped");
	json_decref(doc);
	strbuf_release(&sb);
	json_decref(m);
}

static void webhook(void)
{
	json_t *m = model_with_site("My Blog"), *b, *posts;
	struct digest_info d = { "weekly", 1796032800LL, NOW, 1796634000LL, NULL };
	char *s;

	b = digest_webhook_body(m, &d, "This week on My Blog: 2 new posts", NOW);
	posts = json_object_get(json_object_get(b, "data"), "posts");
	is_str(json_string_value(json_object_get(b, "type")), "digest", "webhook type digest");
	is_str(json_string_value(json_object_get(b, "timestamp")), "2026-12-07T10:00:00Z", "timestamp");
	s = json_dumps(json_object_get(b, "data"), JSON_SORT_KEYS | JSON_COMPACT);
	ok(s && strstr(s, "\"count\":2") && strstr(s, "\"due\":\"2026-12-07T09:00:00Z\"") &&
		   strstr(s, "\"since\":\"2026-11-30T10:00:00Z\"") &&
		   strstr(s, "\"until\":\"2026-12-07T10:00:00Z\"") && strstr(s, "\"period\":\"weekly\"") &&
		   strstr(s, "\"site\":{\"base_url\":\"https://blog.example.com\",\"title\":\"My Blog\"}"),
	   "data: period, window, count, site");
	free(s);
	ok(json_array_size(posts) == 2 &&
		   !strcmp(json_string_value(json_object_get(json_array_get(posts, 0), "title")), "Beta") &&
		   !json_object_get(json_array_get(posts, 0), "first") &&
		   !json_object_get(json_array_get(posts, 0), "tags_json"),
	   "posts newest first, as webhook events are");
	json_decref(b);
	json_decref(m);
}

/* Every chat kind builds a digest with no post, one post, and more than fit. */
static void chat(void)
{
	/* each kind, and what must never reach it as written */
	static const char *const kinds[][2] = { { "slack", "<!channel>" },
						{ "discord", "@everyone" },
						{ "mattermost", "@everyone" },
						{ "teams", NULL },
						{ "googlechat", "<users/all>" },
						{ "matrix", "@room" },
						{ "telegram", "@everyone" },
						{ "ntfy", NULL } };
	const char *hl = "This week on My Blog @everyone <!channel> @room <users/all>: 2 new posts";
	json_t *m = model_with_site("My Blog");
	json_t *posts = json_object_get(m, "posts"), *many = json_array(), *none = json_array(),
	       *one = json_array(), *target;
	size_t i, j;

	json_array_append(one, json_array_get(posts, 0));
	for (j = 0; j < 30; j++)
		json_array_append(many, json_array_get(posts, j % 2));
	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		const json_t *sets[3] = { none, one, many };
		target = json_pack("{s:s, s:s, s:s, s:s}", "name", "t", "kind", kinds[i][0], "chat_id", "42",
				   "topic", "news");
		for (j = 0; j < 3; j++) {
			struct payload p;
			json_t *body;
			char *flat;
			int rc = payload_build_digest(NULL, kinds[i][0], NULL, target,
						      json_object_get(m, "site"), sets[j], hl,
						      "msg_1", NOW, &p);
			body = rc == 0 ? json_loadb(p.body, p.len, 0, NULL) : NULL;
			flat = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
			if (getenv("DEBUG_DIGEST") && flat)
				diag("%s", flat);
			ok(rc == 0 && body && flat && strstr(flat, "This week on My Blog") &&
				   (!kinds[i][1] || !strstr(flat, kinds[i][1])) && p.len < 20000,
			   "%s: a digest of %s posts is a batch under the headline, mentions defused",
			   kinds[i][0], j == 0 ? "no" : j == 1 ? "one of the"
							       : "30");
			if (j == 2)
				ok(flat && strstr(flat, "20 more"), "%s: the posts that do not fit are counted",
				   kinds[i][0]);
			free(flat);
			json_decref(body);
			payload_release(&p);
		}
		json_decref(target);
	}
	{
		struct payload p;
		ok(payload_build_digest(NULL, "webhook", NULL, NULL, NULL, none, "x", "msg_1", NOW, &p) < 0,
		   "webhook digests are not built from a chat template");
	}
	json_decref(many);
	json_decref(none);
	json_decref(one);
	json_decref(m);
}

int main(void)
{
	headlines();
	subjects();
	email();
	webhook();
	chat();
	return done_testing();
}
