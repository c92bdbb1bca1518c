/*
 * Discord webhooks: one embed per event, at most 10, 4096 characters per
 * description and 6000 over all embeds. Embeds never notify; the content
 * would ("@everyone", "@here", <@id>), so allowed_mentions is forced empty
 * and every mention in the text is defused too.
 */
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/outbox.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/strbuf.h"
#include "herald/banned.h"

#define TITLE_CHARS 256
#define TITLE_CHARS_BATCH 100
/* 4096 per description, 6000 over all embeds; a margin for the "…". */
#define DESCRIPTION 4000
#define TOTAL 5900

static const struct kind_option options[] = {
	{ "username", "USERNAME", "username" },
	{ NULL, NULL, NULL },
};

static void item(struct kind_item *it, int batch)
{
	struct strbuf sb = STRBUF_INIT;
	size_t sub = dialect_units16(it->subtitle->buf, it->subtitle->len);

	dialect_defuse(&sb, it->title->buf, it->title->len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
	dialect_clip(&sb, batch ? TITLE_CHARS_BATCH : TITLE_CHARS);
	kind_set(it->ev, "title_discord", &sb);
	strbuf_reset(&sb);
	kind_set_subtitle(it, "subtitle_markdown", dialect_markdown_literal);
	dialect_defuse(&sb, it->tags->buf, it->tags->len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
	kind_set(it->ev, "tags_discord", &sb);
	strbuf_release(&sb);
	/* title, author and footer; the subtitle's line counts too */
	it->size = dialect_units16(it->title->buf, it->title->len) + strlen(it->label) +
		   dialect_units16(it->tags->buf, it->tags->len) + 2 * sub + 4;
}

/*
 * Discord renders Markdown itself: it gets the source without raw HTML and
 * unsafe links, cut as text, each description within its share.
 */
static int summaries(struct kind_item *items, size_t shown, int batch)
{
	size_t i, used = 0, budget;

	(void)batch;
	for (i = 0; i < shown; i++)
		used += items[i].size;
	budget = kind_share(TOTAL, used, shown);
	if (budget > DESCRIPTION)
		budget = DESCRIPTION;
	return kind_summaries_chat_markdown(items, shown, budget, "summary_discord");
}

static int enforce(const struct kind_body *b, json_t *doc)
{
	json_object_set_new(doc, "allowed_mentions", json_pack("{s:[]}", "parse"));
	json_object_del(doc, "tts");
	kind_only_configured(doc, b->target, "username", "username");
	kind_only_configured(doc, b->target, "avatar_url", "avatar_url");
	return 0;
}

/* The message object comes back only with ?wait=true: its id is what an edit needs. */
static void request_url(struct strbuf *url, const struct target *t,
			const struct outbox_entry *e)
{
	if (t->follow && e->event &&
	    (!strcmp(e->event, "post.new") || !strcmp(e->event, "post.undrafted")))
		strbuf_addf(url, "%cwait=true", strchr(url->buf, '?') ? '&' : '?');
}

static int remote_id(const char *response, size_t len, struct strbuf *out)
{
	static const char *const path[] = { "id", NULL };

	if (kind_answer_string(response, len, path, out) < 0 || !kind_remote_digits(out->buf))
		return -1;
	return 0;
}

/* PATCH or DELETE .../messages/ID on the webhook: no username or avatar then. */
static int follow(struct kind_follow *f)
{
	if (!kind_remote_digits(f->remote))
		return error("'%s' is not a Discord message id", f->remote);
	f->url_suffix = xstrfmt("/messages/%s", f->remote);
	if (f->action == FOLLOW_RETRACT) {
		f->method = "DELETE";
		return 0;
	}
	f->method = "PATCH";
	f->out = json_incref(f->body);
	json_object_del(f->out, "username");
	json_object_del(f->out, "avatar_url");
	json_object_del(f->out, "tts");
	json_object_del(f->out, "thread_name");
	return 0;
}

const struct kind kind_discord = {
	.name = "discord",
	.method = "POST",
	.options = options,
	.total = TOTAL,
	.item = item,
	.summaries = summaries,
	.enforce = enforce,
	.request_url = request_url,
	.follows = FOLLOW_EDIT | FOLLOW_RETRACT,
	.remote_id = remote_id,
	.follow = follow,
};
