/*
 * Mattermost incoming webhooks: Markdown text. Mattermost notifies "@all",
 * "@channel", "@here" and "@name" wherever its parser finds them, so every
 * mention in a title, subtitle or summary is defused.
 */
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/banned.h"

#define SUMMARY 4000
#define BATCH_TOTAL 8000

static const struct kind_option options[] = {
	{ "username", "USERNAME", "username" },
	{ NULL, NULL, NULL },
};

static void item(struct kind_item *it, int batch)
{
	(void)batch;
	kind_set_titles(it, "title_markdown", "subtitle_markdown", dialect_markdown_literal, NULL);
}

/* The source without raw HTML and unsafe links, cut as text, mentions defused. */
static int summaries(struct kind_item *items, size_t shown, int batch)
{
	size_t budget = BATCH_TOTAL / shown;

	(void)batch;
	if (budget > SUMMARY)
		budget = SUMMARY;
	return kind_summaries_chat_markdown(items, shown, budget, "summary_mattermost");
}

/* The channel and the icon are the webhook's; the name and picture only what the config says. */
static int enforce(const struct kind_body *b, json_t *doc)
{
	json_object_del(doc, "channel");
	json_object_del(doc, "icon_emoji");
	kind_only_configured(doc, b->target, "username", "username");
	kind_only_configured(doc, b->target, "icon_url", "icon_url");
	return 0;
}

const struct kind kind_mattermost = {
	.name = "mattermost",
	.method = "POST",
	.options = options,
	.item = item,
	.summaries = summaries,
	.enforce = enforce,
};
