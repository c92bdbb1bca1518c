/*
 * Mentions, per platform, through payload_build() with the built-in
 * templates: a table of hostile titles (also as subtitle, summary, tag)
 * and each platform's own rule for what would notify.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "herald/model.h"
#include "herald/payload.h"
#include "herald/strbuf.h"
#include "tap.h"

#define ZWSP "\xe2\x80\x8b"

static const char *const hostile[] = {
	"@channel", "@all", "@here", "@everyone", "@room", "@alice",
	".@channel", "_@all", "x-@here", ":@here", "(@channel)", "*@all*",
	"a.@here.b", "end @ALL", "\xc3\xa9@channel", "@@channel",
	"<!channel>", "<!here>", "<!everyone>", "<!subteam^S012|team>",
	"<@U012ABCDEF>", "<@&123456789>", "<@!123456789>", "<#123456789>",
	"<users/all>", "<users/123>", "<!date^1|x>",
};

/* Every string value in `v`, joined by newlines. */
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

static int alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Mattermost, Discord: an '@' before a word, not after a letter or digit. */
static const char *live_at(const char *s)
{
	const char *p;

	for (p = strchr(s, '@'); p; p = strchr(p + 1, '@'))
		if (p[1] && p[1] != ' ' && p[1] != '\n' && strncmp(p + 1, ZWSP, 3) &&
		    (p == s || !alnum((unsigned char)p[-1])))
			return p;
	return NULL;
}

/* Slack: <!…>, <@…>, and @channel/@here/@everyone. */
static const char *live_slack(const char *s)
{
	static const char *const words[] = { "@channel", "@here", "@everyone" };
	const char *p;
	size_t i;

	if ((p = strstr(s, "<!")) || (p = strstr(s, "<@")))
		return p;
	for (p = s; *p; p++)
		for (i = 0; i < 3; i++)
			if (!strncasecmp(p, words[i], strlen(words[i])))
				return p;
	return NULL;
}

/* Google Chat: <users/…> (and any '<' not broken). */
static const char *live_gchat(const char *s)
{
	const char *p;

	for (p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
		if (strncmp(p + 1, ZWSP, 3))
			return p;
	return NULL;
}

static json_t *events_for(const char *text)
{
	json_t *doc = json_pack("{s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:{s:s}}]}",
				"site", "title", "Blog", "base_url", "https://blog.example.com",
				"events", "type", "new", "path", "_posts/2020-01-01-x.md",
				"url", "https://blog.example.com/x/", "title", text,
				"date", "2020-01-01T00:00:00Z", "tags", text,
				"summary_markdown", text, "front_matter", "subtitle", text);
	json_t *m = model_build(doc, NULL);
	json_t *ev = json_incref(json_object_get(m, "events"));

	json_decref(m);
	json_decref(doc);
	return ev;
}

static void platform(const char *kind, const char *(*live)(const char *), int batch)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		json_t *events = events_for(hostile[i]), *target, *body;
		struct payload p;
		struct strbuf all = STRBUF_INIT;
		const char *hit;

		if (batch)
			json_array_append(events, json_array_get(events, 0));
		target = json_pack("{s:s, s:s}", "name", "t", "kind", kind);
		if (payload_build(NULL, kind, NULL, target, NULL, events, "id-1", 0, &p) < 0) {
			ok(0, "%s: payload for '%s' builds", kind, hostile[i]);
			goto next;
		}
		body = json_loadb(p.body, p.len, 0, NULL);
		strings(body, &all);
		hit = live(all.buf);
		if (!ok(!hit, "%s%s: '%s' notifies no one", kind, batch ? " batch" : "", hostile[i]))
			diag("live at: %.40s", hit);
		json_decref(body);
		payload_release(&p);
next:
		strbuf_release(&all);
		json_decref(target);
		json_decref(events);
	}
}

/* An e-mail address stays usable: a letter before the '@'. */
static void email_kept(void)
{
	json_t *events = events_for("write to mail@example.com"), *target;
	struct payload p;

	target = json_pack("{s:s, s:s}", "name", "t", "kind", "mattermost");
	ok(!payload_build(NULL, "mattermost", NULL, target, NULL, events, "id", 0, &p) &&
	   strstr(p.body, "mail@example.com"), "mattermost: an e-mail address is kept");
	payload_release(&p);
	json_decref(target);
	json_decref(events);
}

/* Teams: a title's Markdown shows as written. */
static void teams(void)
{
	json_t *events = events_for("**x** [l](https://evil.example) _i_ `c`"), *target, *body;
	struct payload p;
	const char *t;

	target = json_pack("{s:s, s:s}", "name", "t", "kind", "teams");
	if (payload_build(NULL, "teams", NULL, target, NULL, events, "id", 0, &p) < 0) {
		ok(0, "teams: payload builds");
	} else {
		body = json_loadb(p.body, p.len, 0, NULL);
		t = json_string_value(json_object_get(json_array_get(json_object_get(
			json_object_get(json_array_get(json_object_get(body, "attachments"), 0),
					"content"), "body"), 0), "text"));
		is_str(t, "\\*\\*x\\*\\* \\[l\\](https://evil.example) \\_i\\_ \\`c\\`",
		       "teams: the title TextBlock is escaped");
		json_decref(body);
		payload_release(&p);
	}
	json_decref(target);
	json_decref(events);
}

int main(void)
{
	platform("mattermost", live_at, 0);
	platform("mattermost", live_at, 1);
	platform("discord", live_at, 0);
	platform("discord", live_at, 1);
	platform("slack", live_slack, 0);
	platform("slack", live_slack, 1);
	platform("googlechat", live_gchat, 0);
	platform("googlechat", live_gchat, 1);
	email_kept();
	teams();
	return done_testing();
}
