/*
 * Matrix: an m.room.message notice, PUT to .../send/m.room.message/TXN with
 * plain and HTML bodies (events are at most 64 KiB). An empty m.mentions
 * turns off the legacy push rules, and "@room" is defused in every text
 * as well, for clients and bridges that still read the body.
 */
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define SUMMARY 4000

static void configure(struct target *t)
{
	if (!t->token)
		target_problem(t, "matrix needs an access token (herald.%s.token, tokenFile or tokenEnv)",
			       t->name);
}

static int check(const json_t *target, const char *id)
{
	(void)target;
	if (!(id && *id))
		return error("a matrix delivery needs an id");
	return 0;
}

static void item(struct kind_item *it, int batch)
{
	(void)batch;
	kind_set_titles(it, "title_matrix", "subtitle_html", dialect_html, NULL);
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	(void)batch;
	return kind_summaries_render(items, shown, MARKDOWN_MATRIX, SUMMARY / shown,
				     MENTIONS_ROOM, MARKUP_HTML, "summary_matrix");
}

static int enforce(const struct kind_body *b, json_t *doc)
{
	(void)b;
	json_object_set_new(doc, "m.mentions", json_object());
	return 0;
}

/* The delivery id percent-encoded, so a retry with the same id is not posted twice. */
static char *url_suffix(const char *id)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "/send/m.room.message/");
	kind_url_segment(&sb, id);
	return strbuf_detach(&sb, NULL);
}

static int remote_id(const char *response, size_t len, struct strbuf *out)
{
	static const char *const path[] = { "event_id", NULL };

	return kind_answer_string(response, len, path, out);
}

/*
 * An edit is a new event replacing the first (m.replace): the new content
 * in m.new_content, and a body starting "* " for clients that do not read
 * edits. A retraction is a redaction; both carry this delivery's id as
 * their transaction id, so a retry is not applied twice.
 */
static int follow(struct kind_follow *f)
{
	struct strbuf sb = STRBUF_INIT;

	if (f->action == FOLLOW_RETRACT) {
		strbuf_addstr(&sb, "/redact/");
		kind_url_segment(&sb, f->remote);
		strbuf_addch(&sb, '/');
		kind_url_segment(&sb, f->id);
		f->method = "PUT";
		f->url_suffix = strbuf_detach(&sb, NULL);
		f->out = json_pack("{s:s}", "reason", "The post was taken down.");
		return 0;
	}
	{
		json_t *content = json_deep_copy(f->body), *doc = json_deep_copy(f->body);
		const char *body = json_string_value(json_object_get(f->body, "body"));
		const char *html = json_string_value(json_object_get(f->body, "formatted_body"));
		json_object_del(content, "m.relates_to");
		json_object_del(content, "m.new_content");
		json_object_set_new(doc, "m.new_content", content);
		strbuf_addf(&sb, "* %s", body ? body : "");
		json_object_set_new(doc, "body", json_stringn(sb.buf, sb.len));
		if (html) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "* %s", html);
			json_object_set_new(doc, "formatted_body", json_stringn(sb.buf, sb.len));
		}
		json_object_set_new(doc, "m.relates_to", json_pack("{s:s, s:s}", "rel_type",
								   "m.replace", "event_id", f->remote));
		json_object_set_new(doc, "m.mentions", json_object());
		f->out = doc;
	}
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "/send/m.room.message/");
	kind_url_segment(&sb, f->id);
	f->method = "PUT";
	f->url_suffix = strbuf_detach(&sb, NULL);
	return 0;
}

const struct kind kind_matrix = {
	.name = "matrix",
	.method = "PUT",
	.mentions = MENTIONS_ROOM,
	.configure = configure,
	.check = check,
	.item = item,
	.summaries = summaries,
	.enforce = enforce,
	.url_suffix = url_suffix,
	.follows = FOLLOW_EDIT | FOLLOW_RETRACT,
	.remote_id = remote_id,
	.follow = follow,
};
