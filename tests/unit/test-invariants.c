/*
 * Each platform's invariants hold whatever a payload template produced:
 * templates in an admin folder that try to steer the message are forced
 * back, ones that cannot comply fail, and the repository's templates are
 * never read for a payload at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"

#define NOW 1795651200LL /* 2026-11-26T00:00:00Z */

static char dir[] = "/tmp/herald-invariants-XXXXXX";

static void write_template(const char *name, const char *text)
{
	char *path = xstrfmt("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(path);
}

static json_t *events(void)
{
	return json_pack("[{s:s, s:s, s:s, s:s}]", "type", "new", "path", "_posts/x.md",
			 "title", "Hello @everyone", "url", "https://blog.example.com/x/");
}

static json_t *target(const char *kind)
{
	return json_pack("{s:s, s:s, s:s}", "name", "t", "kind", kind, "chat_id", "12345");
}

/* Builds `kind` with template `name` from the admin folder; the body, or NULL. */
static json_t *build(const char *kind, const char *name, struct strbuf *why)
{
	struct render_source src;
	struct payload p;
	json_t *ev = events(), *t = target(kind), *body = NULL;
	int rc;

	memset(&src, 0, sizeof(src));
	src.dir = dir;
	if (why)
		usage_capture(why);
	rc = payload_build(&src, kind, name, t, NULL, ev, "id-1", NOW, &p);
	usage_capture(NULL);
	if (!rc) {
		body = json_loads(p.body, 0, NULL);
		payload_release(&p);
	}
	json_decref(ev);
	json_decref(t);
	return body;
}

/* A string member, or "" (never NULL, so the comparisons stay simple). */
static const char *get(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : "";
}

int main(void)
{
	struct strbuf why = STRBUF_INIT;
	json_t *b;
	char *path;

	if (!mkdtemp(dir))
		die("mkdtemp failed");

	write_template("slack.json", "{\"text\": \"{{headline}}\", \"channel\": \"#general\","
		       " \"username\": \"Admin\", \"icon_url\": \"https://evil.example/\","
		       " \"icon_emoji\": \":skull:\", \"link_names\": 1}");
	b = build("slack", "slack.json", NULL);
	ok(b && *get(b, "text") && !json_object_get(b, "channel") &&
	   !json_object_get(b, "username") && !json_object_get(b, "icon_url") &&
	   !json_object_get(b, "icon_emoji") && !json_object_get(b, "link_names"),
	   "slack: channel, username, icons and link_names are dropped");
	json_decref(b);

	write_template("discord.json", "{\"content\": \"@everyone\", \"tts\": true,"
		       " \"allowed_mentions\": {\"parse\": [\"everyone\", \"users\"]}}");
	b = build("discord", "discord.json", NULL);
	{
		json_t *none = json_pack("{s:[]}", "parse");
		ok(b && json_equal(json_object_get(b, "allowed_mentions"), none) &&
		   !json_object_get(b, "tts"), "discord: allowed_mentions is {\"parse\":[]}, no tts");
		json_decref(none);
	}
	json_decref(b);
	write_template("discord2.json", "{\"content\": \"x\"}");
	b = build("discord", "discord2.json", NULL);
	ok(b && json_object_get(b, "allowed_mentions"), "discord: allowed_mentions added when missing");
	json_decref(b);

	write_template("telegram.json", "{\"chat_id\": 999, \"text\": \"x\"}");
	b = build("telegram", "telegram.json", NULL);
	is_str(get(b, "chat_id"), "12345", "telegram: chat_id from the config");
	json_decref(b);

	write_template("ntfy.json", "{\"topic\": \"evil\", \"message\": \"x\"}");
	b = build("ntfy", "ntfy.json", NULL);
	ok(b && !json_object_get(b, "topic"), "ntfy: no topic in the stored body");
	json_decref(b);

	write_template("matrix.json", "{\"msgtype\": \"m.text\", \"body\": \"@room\","
		       " \"m.mentions\": {\"room\": true, \"user_ids\": [\"@a:b\"]}}");
	b = build("matrix", "matrix.json", NULL);
	ok(b && json_is_object(json_object_get(b, "m.mentions")) &&
	   !json_object_size(json_object_get(b, "m.mentions")), "matrix: m.mentions is {}");
	json_decref(b);

	write_template("mm.json", "{\"text\": \"x\", \"channel\": \"town-square\","
		       " \"username\": \"Admin\", \"icon_emoji\": \":skull:\"}");
	b = build("mattermost", "mm.json", NULL);
	ok(b && !json_object_get(b, "channel") && !json_object_get(b, "username") &&
	   !json_object_get(b, "icon_emoji"), "mattermost: no channel, username or icon unless configured");
	json_decref(b);

	write_template("hook.json", "{\"type\": \"evil\", \"timestamp\": \"1999\","
		       " \"data\": {\"t\": \"{{event.title_text}}\"}}");
	b = build("webhook", "hook.json", NULL);
	is_str(get(b, "type"), "post.new", "webhook: herald's type");
	is_str(get(b, "timestamp"), "2026-11-26T00:00:00Z", "webhook: herald's timestamp");
	json_decref(b);

	write_template("nodata.json", "{\"text\": \"x\"}");
	b = build("webhook", "nodata.json", &why);
	ok(!b && strstr(why.buf, "'nodata.json' gives a webhook body without 'data'"),
	   "webhook: a body without data is an error: %s", why.buf);
	strbuf_reset(&why);

	write_template("array.json", "[1, 2]");
	b = build("slack", "array.json", &why);
	ok(!b && strstr(why.buf, "does not give a JSON object"),
	   "a body that is no object is an error: %s", why.buf);
	strbuf_reset(&why);

	b = build("slack", "missing.json", &why);
	ok(!b && strstr(why.buf, "no template called 'missing.json'"),
	   "a template not in the folder is an error: %s", why.buf);
	strbuf_reset(&why);

	/* the admin folder may replace a built-in by its name */
	write_template("payload-slack.json", "{\"text\": \"admin's own\"}");
	b = build("slack", NULL, NULL);
	is_str(get(b, "text"), "admin's own", "payload-KIND.json in the folder replaces the built-in");
	json_decref(b);

	path = xstrfmt("%s/payload-slack.json", dir);
	unlink(path);
	free(path);
	{
		const char *names[] = { "slack.json", "discord.json", "discord2.json",
					"telegram.json", "ntfy.json", "matrix.json", "mm.json",
					"hook.json", "nodata.json", "array.json" };
		size_t i;
		for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
			path = xstrfmt("%s/%s", dir, names[i]);
			unlink(path);
			free(path);
		}
	}
	rmdir(dir);
	strbuf_release(&why);
	return done_testing();
}
