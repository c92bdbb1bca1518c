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
	const char *p;

	strbuf_addstr(&sb, "/send/m.room.message/");
	for (p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("_-.~", c))
			strbuf_addch(&sb, c);
		else
			strbuf_addf(&sb, "%%%02X", c);
	}
	return strbuf_detach(&sb, NULL);
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
};
