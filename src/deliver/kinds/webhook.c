/*
 * Generic webhooks (Standard Webhooks): {"type", "timestamp", "data"},
 * signed with every configured secret ("webhook-signature") and the first
 * one GitHub's way ("X-Hub-Signature-256").
 */
#include <string.h>

#include "herald/date.h"
#include "herald/kind.h"
#include "herald/sign.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

/* The event as the model has it, without the flags that belong to a list. */
static json_t *webhook_event(const json_t *ev)
{
	json_t *c = json_copy((json_t *)ev);

	json_object_del(c, "first");
	json_object_del(c, "last");
	json_object_del(c, "tags_json");
	return c;
}

/* "post.<type>" for one event, "posts.batch" for several. */
static json_t *webhook_type(const json_t *events)
{
	const char *type = value_str(json_array_get(events, 0), "type");

	if (json_array_size(events) == 1)
		return json_sprintf("post.%s", type ? type : "unknown");
	return json_string("posts.batch");
}

static int body(const json_t *events, long long now, json_t **out)
{
	const json_t *first = json_array_get(events, 0);
	const char *type = value_str(first, "type");
	json_t *doc, *data, *list, *ev;
	char stamp[32];
	size_t i;

	date_format(now, stamp, sizeof(stamp));
	if (json_array_size(events) == 1) {
		if (!type)
			return error("event of '%s' has no type",
				     value_str(first, "path") ? value_str(first, "path") : "?");
		doc = json_object();
		json_object_set_new(doc, "type", json_sprintf("post.%s", type));
		json_object_set_new(doc, "timestamp", json_string(stamp));
		json_object_set_new(doc, "data", webhook_event(first));
		*out = doc;
		return 0;
	}
	list = json_array();
	json_array_foreach(events, i, ev)
		json_array_append_new(list, webhook_event(ev));
	data = json_object();
	json_object_set_new(data, "events", list);
	json_object_set_new(data, "count", json_integer((json_int_t)json_array_size(events)));
	doc = json_object();
	json_object_set_new(doc, "type", json_string("posts.batch"));
	json_object_set_new(doc, "timestamp", json_string(stamp));
	json_object_set_new(doc, "data", data);
	*out = doc;
	return 0;
}

/* A template may shape "data"; the type and time are herald's. */
static int enforce(const struct kind_body *b, json_t *doc)
{
	if (!json_object_get(doc, "data"))
		return error("template '%s' gives a webhook body without 'data'; "
			     "herald sends {\"type\",\"timestamp\",\"data\"}", b->template);
	json_object_set_new(doc, "type", webhook_type(b->events));
	json_object_set_new(doc, "timestamp", json_string(b->stamp));
	return 0;
}

static int headers(const struct target *t, const char *id, const char *payload,
		   size_t len, long long now, struct strvec *out)
{
	struct strbuf sig = STRBUF_INIT;
	int ret = 0;

	strvec_push(out, "webhook-id");
	strvec_push(out, id);
	strvec_push(out, "webhook-timestamp");
	strvec_push_nodup(out, xstrfmt("%lld", now));
	if (!t->secrets.nr)
		return 0;
	if (sign_standard((const char *const *)t->secrets.v, t->secrets.nr,
			  id, now, payload, len, &sig) < 0) {
		ret = -1;
		goto out;
	}
	strvec_push(out, "webhook-signature");
	strvec_push(out, sig.buf);
	strbuf_reset(&sig);
	if (sign_github(t->secrets.v[0], payload, len, &sig) == 0) {
		strvec_push(out, "X-Hub-Signature-256");
		strvec_push(out, sig.buf);
	}
out:
	strbuf_release(&sig);
	return ret;
}

const struct kind kind_webhook = {
	.name = "webhook",
	.method = "POST",
	.body = body,
	.enforce = enforce,
	.headers = headers,
};
