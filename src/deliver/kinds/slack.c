/*
 * Slack incoming webhooks: Block Kit in mrkdwn. A section's text is at most
 * 3000 characters. Slack notifies "<!channel>", "<!here>", "<!everyone>",
 * "<!subteam^…>" and "<@U…>" (kept from forming by escaping '<') and, with
 * link_names, "@channel", "@here" and "@everyone" (defused).
 */
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define SECTION 3000
#define SUMMARY 2900
#define BATCH_TOTAL 6000

static size_t smaller(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Slack's plain_text: no escapes, so '<' is broken as for Google Chat. */
static void add_plain(struct strbuf *out, const struct strbuf *s)
{
	struct strbuf e = STRBUF_INIT;

	dialect_defuse(&e, s->buf, s->len, MENTIONS_SLACK, MARKUP_PLAIN);
	dialect_gchat(out, e.buf, e.len);
	strbuf_release(&e);
}

static void item(struct kind_item *it, int batch)
{
	struct strbuf sb = STRBUF_INIT;

	(void)batch;
	kind_set_titles(it, "title_slack", "subtitle_slack", dialect_slack, &sb);
	/* "*<link|title>*\n" */
	it->line = 8 + dialect_units16(sb.buf, sb.len);
	strbuf_reset(&sb);

	if (it->link) {
		markdown_escape(it->link, strlen(it->link), MARKDOWN_SLACK, &sb);
		/* a huge link would leave no room for the title in a section */
		if (dialect_units16(sb.buf, sb.len) <= SECTION / 3) {
			kind_set(it->ev, "url_slack", &sb);
			it->line += dialect_units16(sb.buf, sb.len) + 3;
		} else {
			json_object_set_new(it->ev, "url_slack", json_null());
		}
		strbuf_reset(&sb);
	} else {
		json_object_set_new(it->ev, "url_slack", json_null());
	}

	add_plain(&sb, it->meta);
	kind_set(it->ev, "meta_slack", &sb);
	strbuf_reset(&sb);
	add_plain(&sb, it->title);
	kind_set(it->ev, "alt_slack", &sb);
	strbuf_release(&sb);
	it->line += 2 * dialect_units16(it->subtitle->buf, it->subtitle->len) + 1;
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	size_t share = batch ? smaller(SUMMARY, BATCH_TOTAL / shown) : SUMMARY, budget, i;
	int ret = 0;

	for (i = 0; i < shown; i++) {
		struct kind_item *it = &items[i];
		budget = it->line < SECTION ? SECTION - it->line : 0;
		budget = smaller(budget, share);
		if (budget < KIND_MIN_SUMMARY)
			budget = 0;
		if (dialect_render(it->md, MARKDOWN_SLACK, budget, MENTIONS_NONE,
				   MARKUP_MRKDWN, &sb) < 0) {
			ret = -1;
			break;
		}
		strbuf_reset(&tmp);
		dialect_defuse(&tmp, sb.buf, sb.len, MENTIONS_SLACK, MARKUP_MRKDWN);
		/* a zero-width space is one unit more per mention: too long, leave it out */
		if (dialect_units16(tmp.buf, tmp.len) > dialect_units16(sb.buf, sb.len) &&
		    dialect_units16(tmp.buf, tmp.len) > budget)
			strbuf_reset(&tmp);
		kind_set(it->ev, "summary_slack", &tmp);
	}
	strbuf_release(&sb);
	strbuf_release(&tmp);
	return ret;
}

static void headline(json_t *ctx, const char *text)
{
	struct strbuf d = STRBUF_INIT, sb = STRBUF_INIT;

	dialect_defuse(&d, text, strlen(text), MENTIONS_SLACK, MARKUP_PLAIN);
	markdown_escape(d.buf, d.len, MARKDOWN_SLACK, &sb);
	kind_set(ctx, "headline_slack", &sb);
	strbuf_release(&d);
	strbuf_release(&sb);
}

/* Where it posts and as whom is the webhook's, set in Slack; no body may change it. */
static int enforce(const struct kind_body *b, json_t *doc)
{
	static const char *const keys[] = {
		"channel", "username", "icon_url", "icon_emoji", "link_names",
	};
	size_t i;

	(void)b;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_del(doc, keys[i]);
	return 0;
}

const struct kind kind_slack = {
	.name = "slack",
	.method = "POST",
	.item = item,
	.summaries = summaries,
	.headline = headline,
	.enforce = enforce,
};
