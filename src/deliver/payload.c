#include <stdlib.h>
#include <string.h>

#include "herald/date.h"
#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/link.h"
#include "herald/markdown.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/template.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

/* Slack and Discord stop at 10 sections or embeds; the others, to stay readable. */
#define MAX_SHOWN 10

#define TITLE_CHARS 256
#define TITLE_CHARS_BATCH 100
#define TAGS_CHARS 200
#define TAGS_CHARS_BATCH 100
#define SUBTITLE_CHARS 200
#define SUBTITLE_CHARS_BATCH 100
#define LINK_MAX 2000

/* summary_text: plain text every kind may show. */
#define TEXT_SUMMARY 1000
#define TEXT_BATCH_TOTAL 2000

/* The largest body a payload template may produce. */
#define PAYLOAD_MAX_BYTES ((size_t)1 << 20)

int payload_kind_known(const char *kind)
{
	return kind_find(kind) != NULL;
}

void payload_release(struct payload *p)
{
	free(p->body);
	free(p->url_suffix);
	memset(p, 0, sizeof(*p));
}

static const char *type_label(const char *type)
{
	static const struct {
		const char *type, *label;
	} labels[] = {
		{ "new", "New post" },
		{ "undrafted", "Newly published" },
		{ "updated", "Updated" },
		{ "moved", "Moved" },
		{ "unpublished", "Unpublished" },
		{ "deleted", "Deleted" },
		{ "scheduled", "Scheduled" },
		{ "draft", "Draft" },
	};
	size_t i;

	for (i = 0; type && i < ARRAY_SIZE(labels); i++)
		if (!strcmp(type, labels[i].type))
			return labels[i].label;
	return "Changed";
}

/* One event of the context while it is being built: the kind's item and the text it points to. */
struct item {
	struct kind_item k;
	struct strbuf title, subtitle, tags, meta;
	char *link;
};

/* `line` (one line already) with mentions defused as the kind needs, cut to `budget` units. */
static void plain(const struct kind *k, const struct strbuf *line, size_t budget,
		  struct strbuf *out)
{
	if (k->mentions != MENTIONS_NONE)
		dialect_defuse(out, line->buf, line->len, k->mentions, MARKUP_PLAIN);
	else
		strbuf_add(out, line->buf, line->len);
	dialect_clip(out, budget);
}

/*
 * The fields every kind has, which do not depend on how many events share
 * the message; then the kind's own.
 */
static void item_init(const struct kind *k, struct item *it, const json_t *src, int batch)
{
	struct strbuf sb = STRBUF_INIT;
	const char *type = value_str(src, "type"), *label = type_label(type);
	const char *url = value_str(src, "url"), *s;
	json_t *ev = json_is_object(src) ? json_copy((json_t *)src) : json_object();
	char *image;

	strbuf_init(&it->title, 0);
	strbuf_init(&it->subtitle, 0);
	strbuf_init(&it->tags, 0);
	strbuf_init(&it->meta, 0);
	json_object_del(ev, "first");
	json_object_del(ev, "last");
	it->k.ev = ev;
	it->k.md = value_str(ev, "summary_markdown");
	if (!it->k.md)
		it->k.md = value_str(ev, "summary");
	if (!it->k.md)
		it->k.md = "";
	it->k.label = label;
	it->k.title = &it->title;
	it->k.subtitle = &it->subtitle;
	it->k.tags = &it->tags;
	it->k.meta = &it->meta;
	json_object_set_new(ev, "type_label", json_string(label));

	dialect_one_line((s = value_str(ev, "title")) ? s : "", &sb);
	if (!sb.len)
		dialect_one_line((s = value_str(ev, "slug")) ? s : "", &sb);
	if (!sb.len)
		dialect_one_line((s = value_str(ev, "path")) ? s : "", &sb);
	if (!sb.len)
		strbuf_addstr(&sb, "Untitled post");
	plain(k, &sb, batch ? TITLE_CHARS_BATCH : TITLE_CHARS, &it->title);
	strbuf_reset(&sb);
	kind_set(ev, "title_text", &it->title);
	kind_set(ev, "title_256", &it->title);

	dialect_one_line((s = value_str(ev, "subtitle")) ? s : "", &sb);
	plain(k, &sb, batch ? SUBTITLE_CHARS_BATCH : SUBTITLE_CHARS, &it->subtitle);
	strbuf_reset(&sb);
	if (it->subtitle.len)
		kind_set(ev, "subtitle_text", &it->subtitle);
	else
		json_object_set_new(ev, "subtitle_text", json_null());

	image = link_clean(value_str(ev, "image"));
	if (image && strlen(image) <= LINK_MAX) {
		dialect_link(&sb, image);
		kind_set(ev, "image", &sb);
		strbuf_reset(&sb);
		dialect_html(&sb, image, strlen(image));
		kind_set(ev, "image_html", &sb);
		strbuf_reset(&sb);
	} else {
		json_object_set_new(ev, "image", json_null());
		json_object_set_new(ev, "image_html", json_null());
	}
	free(image);

	if (url && link_is_http(url) && strlen(url) <= LINK_MAX) {
		dialect_link(&sb, url);
		it->link = strbuf_detach(&sb, NULL);
		it->k.link = it->link;
		json_object_set_new(ev, "link", value_text(it->link));
		dialect_html(&sb, it->link, strlen(it->link));
		kind_set(ev, "url_html", &sb);
		strbuf_reset(&sb);
	} else {
		json_object_set_new(ev, "link", json_null());
		json_object_set_new(ev, "url_html", json_null());
	}
	json_object_set_new(ev, "url_or_path", value_text(url ? url : value_str(ev, "path")));

	dialect_one_line((s = value_str(ev, "tags_text")) ? s : "", &sb);
	plain(k, &sb, batch ? TAGS_CHARS_BATCH : TAGS_CHARS, &it->tags);
	strbuf_reset(&sb);
	kind_set(ev, "tags_text", &it->tags);
	strbuf_addstr(&it->meta, label);
	if ((s = value_str(ev, "date_display")) && *s)
		strbuf_addf(&it->meta, " \xc2\xb7 %s", s);
	if (it->tags.len)
		strbuf_addf(&it->meta, " \xc2\xb7 %s", it->tags.buf);
	kind_set(ev, "meta_text", &it->meta);
	strbuf_release(&sb);

	if (k->item)
		k->item(&it->k, batch);
}

static void item_release(struct item *it)
{
	json_decref(it->k.ev);
	strbuf_release(&it->title);
	strbuf_release(&it->subtitle);
	strbuf_release(&it->tags);
	strbuf_release(&it->meta);
	free(it->link);
}

/*
 * How many events fit in one message of kind `k`. The caps on titles and
 * tags make ten fit today; counting keeps it so if they change.
 */
static size_t fit(const struct kind *k, const struct item *items, size_t n)
{
	size_t shown = n, i, used;

	for (; k->total && shown > 1; shown--) {
		used = k->frame;
		for (i = 0; i < shown; i++)
			used += items[i].k.size + KIND_MIN_SUMMARY;
		if (used <= k->total)
			break;
	}
	return shown;
}

/* summary_text for each shown event, then the kind's own summaries. */
static int summaries(const struct kind *k, struct item *items, size_t shown, int batch)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, budget = TEXT_SUMMARY;
	int ret = 0;

	if (!shown)
		return 0; /* an empty digest */
	if (batch && TEXT_BATCH_TOTAL / shown < budget)
		budget = TEXT_BATCH_TOTAL / shown;
	for (i = 0; i < shown && !ret; i++) {
		ret = dialect_render(items[i].k.md, MARKDOWN_TEXT, budget, k->mentions,
				     MARKUP_PLAIN, &sb);
		kind_set(items[i].k.ev, "summary_text", &sb);
	}
	strbuf_release(&sb);
	if (ret < 0 || !k->summaries)
		return ret;
	{
		struct kind_item *ki = xcalloc(shown, sizeof(*ki));
		for (i = 0; i < shown; i++)
			ki[i] = items[i].k;
		ret = k->summaries(ki, shown, batch);
		free(ki);
	}
	return ret;
}

/* "New post: TITLE" for the one item, else "N new posts" or "N posts changed". */
static json_t *headline(const struct item *first, const json_t *events)
{
	const char *type;
	const json_t *ev;
	size_t i, n = json_array_size(events);
	int all_new = 1;

	if (n == 1)
		return json_sprintf("%s: %s", first->k.label, value_str(first->k.ev, "title_text"));
	json_array_foreach(events, i, ev) {
		type = value_str(ev, "type");
		if (!type || (strcmp(type, "new") && strcmp(type, "undrafted")))
			all_new = 0;
	}
	return json_sprintf(all_new ? "%zu new posts" : "%zu posts changed", n);
}

/*
 * A digest's headline holds the site's title, a push's text, where the
 * built-in templates put `headline` as it is (a batch's "N new posts" holds
 * none): one line, cut, every '@' that could notify anyone defused (and
 * Matrix's "@room"), and made literal where the kind reads it as markup —
 * Markdown for Mattermost and Discord, '<' for Google Chat and Slack's
 * plain_text header. Slack, Teams and Telegram escape their own
 * headline_* from it.
 */
static void digest_headline(const struct kind *k, const char *text, struct strbuf *out)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	dialect_one_line(text, &a);
	dialect_clip(&a, TITLE_CHARS);
	dialect_defuse(&b, a.buf, a.len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
	strbuf_reset(&a);
	dialect_defuse(&a, b.buf, b.len, MENTIONS_ROOM, MARKUP_PLAIN);
	if (!strcmp(k->name, "mattermost") || !strcmp(k->name, "discord"))
		dialect_markdown_literal(out, a.buf, a.len);
	else if (!strcmp(k->name, "googlechat") || !strcmp(k->name, "slack"))
		dialect_gchat(out, a.buf, a.len); /* Slack's header is plain_text: '<' broken, as meta_slack */
	else
		strbuf_add(out, a.buf, a.len);
	strbuf_release(&a);
	strbuf_release(&b);
}

/*
 * The context of a payload template of kind `k`, or NULL after error().
 * A digest (`digest` its headline) is a batch whatever its size, even
 * empty.
 */
static json_t *build_context(const struct kind *k, const json_t *target,
			     const json_t *site, const json_t *events,
			     const char *id, long long now, const char *digest)
{
	size_t n = json_array_size(events), max = n < MAX_SHOWN ? n : MAX_SHOWN;
	size_t shown, i;
	struct item *items = xcalloc(max ? max : 1, sizeof(*items));
	struct strbuf sb = STRBUF_INIT;
	json_t *ctx = NULL, *list = json_array(), *h;
	const char *text;
	char stamp[32];
	int batch = digest || n > 1;

	for (i = 0; i < max; i++)
		item_init(k, &items[i], json_array_get(events, i), batch);
	shown = fit(k, items, max);
	if (summaries(k, items, shown, batch) < 0)
		goto out;
	for (i = 0; i < shown; i++) {
		json_object_set_new(items[i].k.ev, "first", json_boolean(i == 0));
		json_object_set_new(items[i].k.ev, "last", json_boolean(i + 1 == shown));
		json_array_append(list, items[i].k.ev);
	}

	date_format(now, stamp, sizeof(stamp));
	ctx = json_object();
	json_object_set_new(ctx, "target",
			    target ? json_incref((json_t *)target) : json_object());
	json_object_set_new(ctx, "site", site ? json_incref((json_t *)site) : json_null());
	json_object_set_new(ctx, "id", value_text(id));
	json_object_set_new(ctx, "timestamp", json_string(stamp));
	json_object_set_new(ctx, "batch", json_boolean(batch));
	json_object_set_new(ctx, "digest", json_boolean(digest != NULL));
	json_object_set_new(ctx, "count", json_integer((json_int_t)n));
	json_object_set_new(ctx, "shown", json_integer((json_int_t)shown));
	json_object_set_new(ctx, "more", json_integer((json_int_t)(n - shown)));
	json_object_set(ctx, "events", list);
	json_object_set(ctx, "event", json_array_get(list, 0));
	if (digest) {
		digest_headline(k, digest, &sb);
		h = json_stringn(sb.buf, sb.len);
		strbuf_reset(&sb);
		if (!h)
			h = json_string("Digest");
	} else {
		h = headline(&items[0], events);
	}
	text = json_string_value(h);
	json_object_set_new(ctx, "headline", h);
	dialect_html(&sb, text, strlen(text));
	kind_set(ctx, "headline_html", &sb);
	if (k->headline)
		k->headline(ctx, text);
out:
	for (i = 0; i < max; i++)
		item_release(&items[i]);
	free(items);
	json_decref(list);
	strbuf_release(&sb);
	return ctx;
}

/*
 * Whatever a template produced, each platform's body keeps what only the
 * server's config decides: where the message goes, as whom, and that it
 * notifies no crowd (the kind's `enforce`). Built-in templates already
 * comply; the admin's own may not, by mistake or because a pusher once
 * steered them. A body that cannot be made to comply is an error, never
 * a send.
 */
static int enforce(const struct kind *k, const char *name, const json_t *target,
		   const json_t *events, const char *stamp, json_t *doc)
{
	struct kind_body b = { name, target, events, stamp };

	if (!json_is_object(doc))
		return error("template '%s' does not give a JSON object, which a %s body must be",
			     name, k->name);
	return k->enforce ? k->enforce(&b, doc) : 0;
}

static int build(const struct render_source *src, const char *kind,
		 const char *template, const json_t *target, const json_t *site,
		 const json_t *events, const char *digest, const char *id, long long now,
		 struct payload *out)
{
	/* a chat message or webhook body is small; a runaway template is not */
	static const struct template_limits limits = { 0, PAYLOAD_MAX_BYTES };
	const struct kind *k = kind_find(kind);
	struct render_source psrc;
	struct strbuf text = STRBUF_INIT;
	json_t *ctx = NULL, *doc = NULL;
	json_error_t jerr;
	char *name = NULL;
	char stamp[32];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	/*
	 * Payload templates come from the built-ins or the admin's folder,
	 * never from the repository: a push must not shape a request.
	 */
	memset(&psrc, 0, sizeof(psrc));
	psrc.dir = src ? src->dir : NULL;
	psrc.limits = &limits;
	src = &psrc;
	if (!k)
		return error("unknown target kind '%s'", kind ? kind : "");
	if (!json_is_array(events) || (!digest && !json_array_size(events)))
		return error("no events to announce");
	if (digest && !template && k->body)
		return error("kind '%s' has no digest template", k->name);
	if (k->check && k->check(target, id) < 0)
		return -1;

	if (!template && k->body) {
		if (k->body(events, now, &doc) < 0) {
			ret = -1;
			goto out;
		}
	} else if (!template && k->render) {
		ctx = build_context(k, target, site, events, id, now, digest);
		if (!ctx || k->render(src, ctx, &doc) < 0) {
			ret = -1;
			goto out;
		}
	} else {
		name = template ? xstrdup(template) : xstrfmt("payload-%s.json", k->name);
		ctx = build_context(k, target, site, events, id, now, digest);
		if (!ctx || render_template(src, name, ctx, &text) < 0) {
			ret = -1;
			goto out;
		}
		doc = json_loadb(text.buf, text.len, 0, &jerr);
		if (!doc) {
			ret = error("template '%s' does not give valid JSON: %s "
				    "(output line %d, column %d)",
				    name, jerr.text, jerr.line, jerr.column);
			goto out;
		}
	}
	date_format(now, stamp, sizeof(stamp));
	if (enforce(k, name ? name : "(built-in)", target, events, stamp, doc) < 0) {
		ret = -1;
		goto out;
	}
	out->body = json_dumps(doc, JSON_COMPACT);
	if (!out->body) {
		ret = error("cannot write the %s payload as JSON", k->name);
		goto out;
	}
	out->len = strlen(out->body);
	out->content_type = "application/json";
	out->method = k->method;
	if (k->url_suffix)
		out->url_suffix = k->url_suffix(id);
out:
	if (ret < 0)
		payload_release(out);
	json_decref(ctx);
	json_decref(doc);
	free(name);
	strbuf_release(&text);
	return ret;
}

int payload_build(const struct render_source *src, const char *kind,
		  const char *template, const json_t *target, const json_t *site,
		  const json_t *events, const char *id, long long now,
		  struct payload *out)
{
	return build(src, kind, template, target, site, events, NULL, id, now, out);
}

int payload_build_digest(const struct render_source *src, const char *kind,
			 const char *template, const json_t *target, const json_t *site,
			 const json_t *posts, const char *headline, const char *id,
			 long long now, struct payload *out)
{
	return build(src, kind, template, target, site, posts, headline, id, now, out);
}
