/*
 * Google Chat incoming webhooks: a text message (*bold*, bare links). Chat
 * reads "<users/all>" and "<url|text>" in plain text, so every '<' from a
 * post is followed by a zero-width space.
 */
#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/outbox.h"
#include "herald/strbuf.h"
#include "herald/value.h"
#include "herald/banned.h"

static void item(struct kind_item *it, int batch)
{
	(void)batch;
	kind_set_titles(it, "title_gchat", "subtitle_gchat", dialect_gchat, NULL);
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	(void)batch;
	kind_summaries_escaped(items, shown, "summary_gchat", dialect_gchat);
	return 0;
}

/* requestId makes a retry update the message it already posted instead of posting again. */
static void request_url(struct strbuf *url, const struct target *t,
			const struct outbox_entry *e)
{
	(void)t;
	strbuf_addf(url, "%crequestId=%s", strchr(url->buf, '?') ? '&' : '?', e->id);
}

const struct kind kind_googlechat = {
	.name = "googlechat",
	.method = "POST",
	.item = item,
	.summaries = summaries,
	.request_url = request_url,
};
