#include <string.h>

#include "herald/dialect.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/value.h"
#include "herald/banned.h"

/* One line per platform; the order is the one `herald targets` and the docs list. */
const struct kind *const kinds[] = {
	&kind_slack,
	&kind_discord,
	&kind_mattermost,
	&kind_teams,
	&kind_googlechat,
	&kind_matrix,
	&kind_telegram,
	&kind_ntfy,
	&kind_mastodon,
	&kind_bluesky,
	&kind_webhook,
	&kind_email,
	NULL,
};

const struct kind *kind_find(const char *name)
{
	size_t i;

	for (i = 0; name && kinds[i]; i++)
		if (!strcmp(name, kinds[i]->name))
			return kinds[i];
	return NULL;
}

/*
 * Any kind's option, whatever the target's kind: git config is read in
 * whatever order its keys come, so "kind" may come after them.
 */
const struct kind_option *kind_option_for_key(const char *key)
{
	const struct kind_option *o;
	size_t i;

	for (i = 0; kinds[i]; i++)
		for (o = kinds[i]->options; o && o->key; o++)
			if (!strcmp(key, o->key))
				return o;
	return NULL;
}

int kind_option_is_list(const struct kind_option *o)
{
	const char *const *l;
	size_t i;

	for (i = 0; o && kinds[i]; i++)
		for (l = kinds[i]->lists; l && *l; l++)
			if (!strcmp(*l, o->field))
				return 1;
	return 0;
}

void kind_set(json_t *ev, const char *key, const struct strbuf *sb)
{
	json_object_set_new(ev, key, value_textn(sb->buf, sb->len));
}

void kind_set_subtitle(struct kind_item *it, const char *key,
		       void (*escape)(struct strbuf *, const char *, size_t))
{
	struct strbuf sb = STRBUF_INIT;

	if (!it->subtitle->len) {
		json_object_set_new(it->ev, key, json_null());
		return;
	}
	escape(&sb, it->subtitle->buf, it->subtitle->len);
	kind_set(it->ev, key, &sb);
	strbuf_release(&sb);
}

void kind_set_titles(struct kind_item *it, const char *title_key, const char *subtitle_key,
		     void (*escape)(struct strbuf *, const char *, size_t), struct strbuf *title)
{
	struct strbuf own = STRBUF_INIT;
	struct strbuf *sb = title ? title : &own;

	strbuf_reset(sb);
	escape(sb, it->title->buf, it->title->len);
	kind_set(it->ev, title_key, sb);
	kind_set_subtitle(it, subtitle_key, escape);
	strbuf_release(&own);
}

void kind_summaries_escaped(struct kind_item *items, size_t shown, const char *key,
			    void (*escape)(struct strbuf *, const char *, size_t))
{
	struct strbuf sb = STRBUF_INIT;
	const char *text;
	size_t i;

	for (i = 0; i < shown; i++) {
		strbuf_reset(&sb);
		text = value_str(items[i].ev, "summary_text");
		if (text)
			escape(&sb, text, strlen(text));
		kind_set(items[i].ev, key, &sb);
	}
	strbuf_release(&sb);
}

int kind_summaries_chat_markdown(struct kind_item *items, size_t shown, size_t budget,
				 const char *key)
{
	struct strbuf md = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < shown; i++) {
		strbuf_reset(&md);
		if (markdown_render(items[i].md, strlen(items[i].md), MARKDOWN_COMMONMARK,
				    0, &md) < 0) {
			ret = -1;
			break;
		}
		dialect_chat_markdown(&md, budget, &sb);
		kind_set(items[i].ev, key, &sb);
	}
	strbuf_release(&md);
	strbuf_release(&sb);
	return ret;
}

int kind_summaries_render(struct kind_item *items, size_t shown, enum markdown_format fmt,
			  size_t budget, enum mentions rule, enum markup m, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < shown; i++) {
		if (dialect_render(items[i].md, fmt, budget, rule, m, &sb) < 0) {
			ret = -1;
			break;
		}
		kind_set(items[i].ev, key, &sb);
	}
	strbuf_release(&sb);
	return ret;
}

size_t kind_share(size_t total, size_t used, size_t n)
{
	size_t each = total > used ? (total - used) / (n ? n : 1) : 0;
	return each < KIND_MIN_SUMMARY ? 0 : each;
}

void kind_only_configured(json_t *doc, const json_t *target, const char *key,
			  const char *option)
{
	const json_t *v = json_object_get(target, option);

	if (json_is_string(v) && *json_string_value(v))
		json_object_set_new(doc, key, json_string(json_string_value(v)));
	else
		json_object_del(doc, key);
}

void kind_url_segment(struct strbuf *sb, const char *s)
{
	const char *p;

	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("_-.~", c))
			strbuf_addch(sb, (char)c);
		else
			strbuf_addf(sb, "%%%02X", c);
	}
}

int kind_answer_string(const char *response, size_t len, const char *const *path,
		       struct strbuf *out)
{
	json_t *doc = json_loadb(response ? response : "", len, 0, NULL), *v = doc;
	size_t i;
	int ret = -1;

	for (i = 0; v && path[i]; i++)
		v = json_object_get(v, path[i]);
	if (json_is_string(v) && json_string_length(v) && json_string_length(v) <= KIND_REMOTE_MAX &&
	    !memchr(json_string_value(v), '\0', json_string_length(v))) {
		strbuf_addstr(out, json_string_value(v));
		ret = 0;
	} else if (json_is_integer(v)) {
		strbuf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		ret = 0;
	}
	json_decref(doc);
	return ret;
}

int kind_remote_digits(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i > 0 && i <= 32;
}
