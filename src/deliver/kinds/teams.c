/*
 * Microsoft Teams through a Workflows webhook: an Adaptive Card. Its
 * TextBlocks render a Markdown subset, so every field is escaped to show
 * as written ("**x**" and "[l](https://…)" stay text). Text mentions
 * nobody: a mention needs an <at> entity the body would have to declare.
 */
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/strbuf.h"
#include "herald/value.h"
#include "herald/banned.h"

static void item(struct kind_item *it, int batch)
{
	struct strbuf sb = STRBUF_INIT;

	(void)batch;
	kind_set_titles(it, "title_teams", "subtitle_teams", dialect_teams, &sb);
	strbuf_reset(&sb);
	dialect_teams(&sb, it->meta->buf, it->meta->len);
	kind_set(it->ev, "meta_teams", &sb);
	strbuf_release(&sb);
}

/* summary_text (a card holds it whole), escaped as the title is. */
static int summaries(struct kind_item *items, size_t shown, int batch)
{
	(void)batch;
	kind_summaries_escaped(items, shown, "summary_teams", dialect_teams);
	return 0;
}

static void headline(json_t *ctx, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	dialect_teams(&sb, text, strlen(text));
	kind_set(ctx, "headline_teams", &sb);
	strbuf_release(&sb);
}

const struct kind kind_teams = {
	.name = "teams",
	.method = "POST",
	.item = item,
	.summaries = summaries,
	.headline = headline,
};
