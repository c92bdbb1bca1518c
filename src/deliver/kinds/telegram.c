/*
 * Telegram Bot API sendMessage with parse_mode HTML: at most 4096
 * characters of text after entity parsing, counted in UTF-16 units. The
 * chat is the config's chatId whatever a template says, and "@username"
 * from a post is defused: Telegram links it to the user, who is notified.
 */
#include <stdlib.h>
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/outbox.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

#define TEXT 4096
#define SUMMARY 3500
#define BATCH_TEXT 4000
#define BATCH_FRAME 100 /* headline and "…and N more" */

/*
 * A follow-up goes to the Bot API method next to sendMessage: the url
 * ends in ".../bot<token>/sendMessage" (configure checks it when the
 * target follows its posts).
 */
#define SEND "/sendMessage"

static const struct kind_option options[] = {
	{ "chatid", "CHAT_ID", "chat_id" },
	{ NULL, NULL, NULL },
};

/* The chat id of the target's options: a non-empty string or a number, or NULL. */
static const json_t *chat_id(const json_t *target)
{
	const json_t *v = json_object_get(target, "chat_id");

	if ((json_is_string(v) && *json_string_value(v)) || json_is_integer(v))
		return v;
	return NULL;
}

static void configure(struct target *t)
{
	size_t n = t->url ? strlen(t->url) : 0;

	if (!json_object_get(t->options, "chat_id"))
		target_problem(t, "telegram needs herald.%s.chatId", t->name);
	else if (t->follow && (n < strlen(SEND) || strcmp(t->url + n - strlen(SEND), SEND)))
		target_problem(t, "follow needs the url to end in /sendMessage "
			       "(https://api.telegram.org/bot<token>/sendMessage)");
}

static int check(const json_t *target, const char *id)
{
	const char *name = value_str(target, "name");

	(void)id;
	if (!chat_id(target))
		return error("target '%s' of kind telegram has no chat_id", name ? name : "?");
	return 0;
}

static void item(struct kind_item *it, int batch)
{
	struct strbuf sb = STRBUF_INIT;

	(void)batch;
	kind_set_titles(it, "title_telegram", "subtitle_html", dialect_html, &sb);
	/* the title's line: its text, the subtitle's and a newline */
	it->line = dialect_visible16(sb.buf, sb.len) +
		   dialect_units16(it->subtitle->buf, it->subtitle->len) + 1;
	/* "\n\n" before the title, "\n" after it, and a margin */
	it->size = it->line + 5;
	strbuf_release(&sb);
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	size_t i, used = BATCH_FRAME, budget;

	for (i = 0; i < shown; i++)
		used += items[i].size;
	if (batch)
		budget = kind_share(BATCH_TEXT, used, shown);
	else
		/* "\n\n" after the title, and a margin */
		budget = kind_share(TEXT - 16, items[0].line + 2, 1);
	if (budget > SUMMARY)
		budget = SUMMARY;
	return kind_summaries_render(items, shown, MARKDOWN_TELEGRAM, budget,
				     MENTIONS_EVERY_AT, MARKUP_HTML, "summary_telegram");
}

static int enforce(const struct kind_body *b, json_t *doc)
{
	if (check(b->target, NULL) < 0)
		return -1;
	json_object_set_new(doc, "chat_id", json_deep_copy(chat_id(b->target)));
	return 0;
}

static void request_url(struct strbuf *url, const struct target *t,
			const struct outbox_entry *e)
{
	const char *method = NULL;

	(void)t;
	if (e->event && !strcmp(e->event, "post.edit"))
		method = "/editMessageText";
	else if (e->event && !strcmp(e->event, "post.retract"))
		method = "/deleteMessage";
	if (method && url->len >= strlen(SEND) &&
	    !strcmp(url->buf + url->len - strlen(SEND), SEND)) {
		strbuf_setlen(url, url->len - strlen(SEND));
		strbuf_addstr(url, method);
	}
}

static int remote_id(const char *response, size_t len, struct strbuf *out)
{
	static const char *const path[] = { "result", "message_id", NULL };

	if (kind_answer_string(response, len, path, out) < 0 || !kind_remote_digits(out->buf))
		return -1;
	return 0;
}

static int follow(struct kind_follow *f)
{
	const json_t *chat = chat_id(f->target);
	char *end;
	long long id = strtoll(f->remote, &end, 10);

	if (!kind_remote_digits(f->remote) || *end)
		return error("'%s' is not a Telegram message id", f->remote);
	if (!chat)
		return error("a telegram follow-up needs a chat_id");
	f->method = "POST";
	if (f->action == FOLLOW_RETRACT) {
		f->out = json_pack("{s:O, s:I}", "chat_id", chat, "message_id", (json_int_t)id);
		return 0;
	}
	/* editMessageText takes the text and how it is shown, not how it is sent */
	f->out = json_incref(f->body);
	json_object_del(f->out, "disable_notification");
	json_object_del(f->out, "protect_content");
	json_object_del(f->out, "reply_to_message_id");
	json_object_del(f->out, "reply_parameters");
	json_object_del(f->out, "message_thread_id");
	json_object_set_new(f->out, "chat_id", json_deep_copy(chat));
	json_object_set_new(f->out, "message_id", json_integer((json_int_t)id));
	return 0;
}

/*
 * The Bot API answers 400 with a description: "Bad Request: message to
 * delete not found" for a message deleted already (by hand, say), and
 * "Bad Request: message is not modified: ..." for an edit that changes
 * nothing. "message can't be deleted" (older than 48 hours, or no right
 * to) is a failure, and so is an edit of a message that is gone.
 */
static int settled(const char *event, int status, const char *response, size_t len)
{
	static const char *const path[] = { "description", NULL };
	struct strbuf why = STRBUF_INIT;
	const char *want = NULL;
	int ret = 0;

	if (status != 400 || !event)
		return 0;
	if (!strcmp(event, "post.retract"))
		want = "Bad Request: message to delete not found";
	else if (!strcmp(event, "post.edit"))
		want = "Bad Request: message is not modified";
	if (want && !kind_answer_string(response, len, path, &why))
		ret = !strncmp(why.buf, want, strlen(want));
	strbuf_release(&why);
	return ret;
}

const struct kind kind_telegram = {
	.name = "telegram",
	.method = "POST",
	.options = options,
	.mentions = MENTIONS_EVERY_AT,
	.total = BATCH_TEXT,
	.frame = BATCH_FRAME,
	.configure = configure,
	.check = check,
	.item = item,
	.summaries = summaries,
	.enforce = enforce,
	.request_url = request_url,
	.follows = FOLLOW_EDIT | FOLLOW_RETRACT,
	.remote_id = remote_id,
	.follow = follow,
	.settled = settled,
};
