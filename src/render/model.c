#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herald/event.h"
#include "herald/date.h"
#include "herald/link.h"
#include "herald/markdown.h"
#include "herald/model.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/value.h"
#include "herald/banned.h"

#define SUMMARY_CHARS 600

/* Sets o[key] to the url as herald emits it (link_clean()), or null. */
static void set_link(json_t *o, const char *key, const char *url)
{
	char *clean = link_clean(url);

	json_object_set_new(o, key, clean ? json_string(clean) : json_null());
	free(clean);
}

static json_t *site_json(const json_t *doc, const struct site *site)
{
	const json_t *old = json_object_get(doc, "site");
	json_t *o;

	if (!site && json_is_object(old)) {
		o = json_deep_copy(old);
		set_link(o, "base_url", value_str(old, "base_url"));
		return o;
	}
	o = json_pack("{s:o, s:o}",
		      "title", value_text(site && site->title ? site->title : NULL),
		      "base_url", json_null());
	set_link(o, "base_url", site ? site->base_url : NULL);
	return o;
}

/* The value at a field path of the front matter: "a.b" into mappings, "a.0" into lists. */
static const json_t *field_at(const json_t *fm, const char *path)
{
	const json_t *v = fm;
	const char *p = path;

	while (v && *p) {
		size_t n = strcspn(p, ".");
		char *part = xstrndup(p, n);
		if (json_is_object(v)) {
			v = json_object_get(v, part);
		} else if (json_is_array(v) && n && strspn(part, "0123456789") == n) {
			v = json_array_get(v, strtoul(part, NULL, 10));
		} else {
			v = NULL;
		}
		free(part);
		p += n;
		if (*p == '.')
			p++;
	}
	return v;
}

/* The text an image field holds: a string, a list's first, or {url|path|src}. */
static const char *image_ref(const json_t *v)
{
	static const char *const keys[] = { "url", "path", "src", NULL };
	size_t i;

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v))
		for (i = 0; keys[i]; i++)
			if (json_is_string(json_object_get(v, keys[i])))
				return json_string_value(json_object_get(v, keys[i]));
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *model_image_ref(const json_t *ev, const struct site *site)
{
	const json_t *fm = json_object_get(ev, "front_matter");
	size_t i;

	for (i = 0; site && i < site->image_fields.nr; i++) {
		const char *ref = image_ref(field_at(fm, site->image_fields.v[i]));
		if (ref && *ref)
			return ref;
	}
	return NULL;
}

/* Is the post a page bundle (Hugo's index.md, Zola's folder page), whose images sit beside it? */
static int is_bundle(const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;

	return base && !strncmp(base + 1, "index.", 6);
}

/*
 * The post's picture (`image`: an absolute http(s) url resolved the way the
 * site serves it, else null) and subtitle (`subtitle`, else null), from the
 * first of the site's fields that has one.
 */
static void picture(json_t *ev, const struct site *site, const char *base_url)
{
	const json_t *fm = json_object_get(ev, "front_matter");
	const char *page = value_str(ev, "url");
	char *image = NULL;
	size_t i;

	for (i = 0; i < site->image_fields.nr && !image; i++) {
		const char *ref = image_ref(field_at(fm, site->image_fields.v[i]));
		if (ref && *ref)
			image = link_resolve(ref, base_url, is_bundle(value_str(ev, "path")) ? page : NULL);
	}
	json_object_set_new(ev, "image", image ? json_string(image) : json_null());
	free(image);
	json_object_set_new(ev, "subtitle", json_null());
	for (i = 0; i < site->subtitle_fields.nr; i++) {
		const json_t *v = field_at(fm, site->subtitle_fields.v[i]);
		if (json_is_string(v) && *json_string_value(v)) {
			json_object_set_new(ev, "subtitle", value_text(json_string_value(v)));
			break;
		}
	}
}

static json_t *range_json(const json_t *doc)
{
	const char *from = value_str(doc, "from"), *to = value_str(doc, "to");
	json_t *r = json_object();

	json_object_set_new(r, "from", value_text(from));
	json_object_set_new(r, "to", value_text(to));
	json_object_set_new(r, "from_short", from ? value_textn(from, strlen(from) < 7 ? strlen(from) : 7) : json_null());
	json_object_set_new(r, "to_short", to ? value_textn(to, strlen(to) < 7 ? strlen(to) : 7) : json_null());
	return r;
}

static const enum markdown_format summary_fmts[] = {
	MARKDOWN_HTML, MARKDOWN_TEXT, MARKDOWN_COMMONMARK,
};
static const char *const summary_keys[] = { "summary_html", "summary_text", "summary_md" };

/* The Markdown an event's summaries are made from. */
static const char *summary_source(const json_t *ev)
{
	const char *md = value_str(ev, "summary_markdown");

	if (!md)
		md = value_str(ev, "summary");
	return md ? md : "";
}

/* summary_html, summary_text and summary_md, from one parse of the Markdown. */
static void add_rendered(json_t *ev, const char *md)
{
	struct strbuf sb[ARRAY_SIZE(summary_fmts)] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	size_t i;

	/* a failure (cmark out of memory) leaves them empty */
	markdown_render_each(md, strlen(md), summary_fmts, ARRAY_SIZE(summary_fmts),
			     SUMMARY_CHARS, sb);
	for (i = 0; i < ARRAY_SIZE(summary_fmts); i++) {
		strbuf_rtrim(&sb[i]);
		json_object_set_new(ev, summary_keys[i], value_textn(sb[i].buf, sb[i].len));
		strbuf_release(&sb[i]);
	}
}

/* "30 March 2020" for an RFC 3339 date, or "" */
static json_t *display(const char *d)
{
	static const char *const months[] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December",
	};
	long long t;
	time_t tt;
	struct tm tm;

	if (!d || date_parse(d, &t) < 0)
		return json_string("");
	tt = (time_t)t;
	gmtime_r(&tt, &tm);
	return json_sprintf("%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

static void date_display(json_t *ev)
{
	json_object_set_new(ev, "date_display", display(value_str(ev, "date")));
}

/* Percent-encodes what an IRI may not hold as is. */
static void add_encoded(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/:", c) || c >= 0x80) {
			strbuf_addch(sb, (char)c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

/* A permanent, unique id: the url, else one made from the path. */
static void uid(json_t *ev)
{
	struct strbuf sb = STRBUF_INIT;
	const char *url = value_str(ev, "url"), *path = value_str(ev, "path");

	if (url) {
		strbuf_addstr(&sb, url);
	} else {
		strbuf_addstr(&sb, "urn:herald:post:");
		add_encoded(&sb, path ? path : "");
	}
	json_object_set_new(ev, "uid", value_textn(sb.buf, sb.len));
	strbuf_release(&sb);
}

/* tags_text "#a #b" and changed_fields "title, tags", for templates. */
static void texts(json_t *ev)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(ev, "tags"), i, v) {
		if (!json_is_string(v))
			continue;
		if (sb.len)
			strbuf_addch(&sb, ' ');
		strbuf_addch(&sb, '#');
		strbuf_addstr(&sb, json_string_value(v));
	}
	json_object_set_new(ev, "tags_text", value_textn(sb.buf, sb.len));
	strbuf_reset(&sb);
	json_array_foreach(json_object_get(ev, "changes"), i, v) {
		const char *f = value_str(v, "field");
		if (!f)
			continue;
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		strbuf_addstr(&sb, f);
	}
	json_object_set_new(ev, "changed_fields", value_textn(sb.buf, sb.len));
	strbuf_release(&sb);
}

/* A front matter key, without regard to case for Hugo (whose keys are lowercased). */
static const char *fm_str(const json_t *fm, const char *key, int any_case)
{
	const char *k;
	json_t *v;

	if (!any_case || json_object_get(fm, key))
		return value_str(fm, key);
	json_object_foreach((json_t *)fm, k, v)
		if (!strcasecmp(k, key) && json_is_string(v))
			return json_string_value(v);
	return NULL;
}

/*
 * When the post says it was last changed (Hugo's lastmod and its
 * [frontmatter] list, Zola's updated, jekyll-last-modified-at's
 * last_modified_at): `modified`; and `updated_date` for feeds, that or else
 * the post's date, else its commit's. A time without a zone is read in the
 * site's zone, as the post's date is.
 */
static void modified(json_t *ev, const struct site *site)
{
	static const char *const keys[] = { "lastmod", "updated", "last_modified_at", NULL };
	static const char *const dates[] = { "date", "publishdate", "pubdate", "published", NULL };
	const json_t *fm = json_object_get(ev, "front_matter");
	int hugo = site && site->kind == SITE_HUGO && site->hugo_lastmod.nr;
	const char *d = NULL;
	char buf[32];
	long long t;
	size_t i, j, n = hugo ? site->hugo_lastmod.nr : 3;

	for (i = 0; i < n; i++) {
		const char *key = hugo ? site->hugo_lastmod.v[i] : keys[i], *v;
		int is_date = 0;
		/* Hugo's :git and the date fields (the fallback below) are not a change */
		for (j = 0; hugo && dates[j]; j++)
			is_date = is_date || !strcmp(key, dates[j]);
		if (*key == ':' || is_date)
			continue;
		v = fm_str(fm, key, hugo);
		if (v && !date_parse_zoned(v, site_zone_of(site, v), &t, NULL)) {
			date_format(t, buf, sizeof(buf));
			json_object_set_new(ev, "modified", json_string(buf));
			d = buf;
			break;
		}
	}
	if (!d)
		d = value_str(ev, "date");
	if (!d)
		d = value_str(json_object_get(ev, "commit"), "date");
	json_object_set_new(ev, "updated_date", value_text(d));
}

/*
 * Adds the derived fields to an event object of its own. With `lean`, the
 * rendered summaries are left out (fill_summaries() adds them) unless the
 * Markdown is not clean, which makes summary_markdown one of them.
 */
static void enrich_with(json_t *ev, const struct site *site, const char *base_url, int lean)
{
	const char *md = summary_source(ev);
	const json_t *tags = json_object_get(ev, "tags");
	int clean = markdown_is_clean(md, strlen(md));
	char *tj;

	/* only absolute http(s) urls are emitted, percent-encoded */
	set_link(ev, "url", value_str(ev, "url"));
	if (!lean || !clean)
		add_rendered(ev, md);
	/*
	 * What webhooks and payloads see of the source: as written, unless it
	 * holds raw HTML or a link that is not http(s); then the clean form.
	 */
	if (!clean)
		json_object_set(ev, "summary_markdown", json_object_get(ev, "summary_md"));
	picture(ev, site, base_url);
	tj = json_is_array(tags) ? json_dumps(tags, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_object_set_new(ev, "tags_json", json_string(tj ? tj : "[]"));
	free(tj);
	date_display(ev);
	texts(ev);
	uid(ev);
	modified(ev, site);
}

static void enrich_into(json_t *ev, const struct site *site, const char *base_url)
{
	enrich_with(ev, site, base_url, 0);
}

/* A shallow copy of an event with the derived fields added. */
static json_t *enrich(const json_t *src, const struct site *site, const char *base_url)
{
	json_t *ev = json_copy((json_t *)src);

	enrich_into(ev, site, base_url);
	return ev;
}

/* Copies of the events of `list` with first/last flags for this list. */
static json_t *flagged(json_t *list)
{
	json_t *out = json_array(), *ev;
	size_t i, n = json_array_size(list);

	json_array_foreach(list, i, ev) {
		json_t *c = json_copy(ev);
		json_object_set_new(c, "first", json_boolean(i == 0));
		json_object_set_new(c, "last", json_boolean(i + 1 == n));
		json_array_append_new(out, c);
	}
	return out;
}

static int cmp_newest(const void *a, const void *b)
{
	const char *da = value_str(*(json_t *const *)a, "date");
	const char *db = value_str(*(json_t *const *)b, "date");
	int c;

	/* RFC 3339 in UTC sorts as text; undated posts go last */
	if (!da || !db)
		c = !da - !db;
	else
		c = -strcmp(da, db);
	if (c)
		return c;
	return strcmp(value_str(*(json_t *const *)a, "path"), value_str(*(json_t *const *)b, "path"));
}

/*
 * What feeds need: an id that never changes (the site's url, else one made
 * from its title) and `feed_updated`, the newest post's date (else `now`), so a
 * feed changes only when its posts do.
 */
static void feed_fields_newest(json_t *m, const char *newest)
{
	const json_t *site = json_object_get(m, "site");
	const char *base = value_str(site, "base_url"), *title = value_str(site, "title");
	struct strbuf sb = STRBUF_INIT;

	if (base) {
		strbuf_addf(&sb, "%s/", base);
	} else {
		strbuf_addstr(&sb, "urn:herald:feed:");
		add_encoded(&sb, title ? title : "blog");
	}
	json_object_set_new(m, "feed_id", value_textn(sb.buf, sb.len));
	strbuf_release(&sb);
	if (!newest)
		newest = value_str(m, "now");
	json_object_set_new(m, "feed_updated", value_text(newest));
	json_object_set_new(m, "now_display", display(value_str(m, "now")));
}

static void feed_fields(json_t *m)
{
	const json_t *ev;
	const char *newest = NULL;
	size_t i;

	json_array_foreach(json_object_get(m, "posts"), i, ev) {
		const char *d = value_str(ev, "updated_date");
		if (d && (!newest || strcmp(d, newest) > 0))
			newest = d;
	}
	feed_fields_newest(m, newest);
}

json_t *model_build(const json_t *doc, const struct site *site)
{
	json_t *m = json_object(), *events = json_array(), *ev;
	json_t *lists[EVENT_TYPES], *counts = json_object(), *posts;
	json_t **sorted, *site_obj = site_json(doc, site);
	struct site defaults;
	const char *key;
	size_t i, n;
	int t;

	site_init(&defaults);
	/*
	 * Everything but the events is copied whole; the events are replaced
	 * by their enriched copies below, so copying them first would only
	 * double the peak memory of a digest over a long history.
	 */
	if (json_is_object(doc))
		json_object_foreach((json_t *)doc, key, ev)
			if (strcmp(key, "events"))
				json_object_set_new(m, key, json_deep_copy(ev));
	for (t = 0; t < EVENT_TYPES; t++)
		lists[t] = json_array();
	json_array_foreach(json_object_get(doc, "events"), i, ev) {
		json_t *e;
		const char *type;
		if (!json_is_object(ev))
			continue;
		e = enrich(ev, site ? site : &defaults, value_str(site_obj, "base_url"));
		type = value_str(e, "type");
		t = type ? event_type_parse(type) : -1;
		if (t >= 0)
			json_array_append(lists[t], e);
		json_array_append_new(events, e);
	}
	posts = json_array();
	n = json_array_size(lists[EVENT_NEW]) + json_array_size(lists[EVENT_UNDRAFTED]);
	sorted = xcalloc(n + 1, sizeof(*sorted));
	n = 0;
	json_array_foreach(lists[EVENT_NEW], i, ev)
		sorted[n++] = ev;
	json_array_foreach(lists[EVENT_UNDRAFTED], i, ev)
		sorted[n++] = ev;
	qsort(sorted, n, sizeof(*sorted), cmp_newest);
	for (i = 0; i < n; i++)
		json_array_append(posts, sorted[i]);
	free(sorted);

	for (t = 0; t < EVENT_TYPES; t++) {
		const char *name = event_type_name((enum event_type)t);
		json_object_set_new(counts, name, json_integer((json_int_t)json_array_size(lists[t])));
		json_object_set_new(m, name, flagged(lists[t]));
		json_decref(lists[t]);
	}
	json_object_set_new(counts, "total", json_integer((json_int_t)json_array_size(events)));
	json_object_set_new(counts, "posts", json_integer((json_int_t)json_array_size(posts)));
	json_object_set_new(counts, "posts_one", json_boolean(json_array_size(posts) == 1));
	json_object_set_new(m, "events", flagged(events));
	json_object_set_new(m, "posts", flagged(posts));
	json_decref(events);
	json_decref(posts);
	json_object_set_new(m, "counts", counts);
	json_object_set_new(m, "site", site_obj);
	site_release(&defaults);
	feed_fields(m);
	json_object_set_new(m, "range", range_json(doc));
	if (!json_object_get(m, "errors"))
		json_object_set_new(m, "errors", json_array());
	return m;
}

json_t *model_build_events(const struct event_list *l, const struct site *site)
{
	json_t *doc = event_list_document(l), *m;

	m = model_build(doc, site);
	json_decref(doc);
	return m;
}

json_t *model_events(const struct event_list *l, const struct site *site)
{
	json_t *events = json_array(), *site_obj = site_json(NULL, site);
	const char *base = value_str(site_obj, "base_url");
	struct site defaults;
	size_t i;

	site_init(&defaults);
	/* each event made once and flagged in place: no copies */
	for (i = 0; i < l->nr; i++) {
		json_t *ev = event_to_json(&l->v[i], l->with_commits);

		enrich_into(ev, site ? site : &defaults, base);
		json_object_set_new(ev, "first", json_boolean(i == 0));
		json_object_set_new(ev, "last", json_boolean(i + 1 == l->nr));
		json_array_append_new(events, ev);
	}
	site_release(&defaults);
	return json_pack("{s:o, s:o}", "events", events, "site", site_obj);
}

/* ---- the lazy model: events made one at a time, as a template walks them ---- */

/* Element `i` of a lazy list: the event's model object, as model_build() makes it. */
static json_t *lazy_get(void *data, size_t i)
{
	const struct model_list *ml = data;
	const struct model *m = ml->model;
	json_t *ev = event_to_json(&m->events->v[ml->index[i]], m->events->with_commits);

	enrich_into(ev, m->site, m->base_url);
	json_object_set_new(ev, "first", json_boolean(i == 0));
	json_object_set_new(ev, "last", json_boolean(i + 1 == ml->nr));
	return ev;
}

/* A post's sort key, as cmp_newest() reads it off the model's objects. */
struct post_key {
	size_t index, pos;
	const char *path;
	char date[32]; /* "" when undated */
};

static int cmp_newest_key(const void *a, const void *b)
{
	const struct post_key *x = a, *y = b;
	int c;

	if (!*x->date || !*y->date)
		c = !*x->date - !*y->date;
	else
		c = -strcmp(x->date, y->date);
	if (!c)
		c = strcmp(x->path, y->path);
	if (!c) /* as glibc's merge sort leaves them */
		c = x->pos < y->pos ? -1 : x->pos > y->pos;
	return c;
}

/* Appends `s` with its ASCII capitals in lower case, as strcasecmp() compares them here. */
static void add_lower(struct strbuf *sb, const char *s, size_t len)
{
	size_t i = sb->len;

	strbuf_add(sb, s, len);
	for (; i < sb->len; i++)
		if (sb->buf[i] >= 'A' && sb->buf[i] <= 'Z')
			sb->buf[i] = (char)(sb->buf[i] - 'A' + 'a');
}

/*
 * Could modified() find a key in the front matter `fm` (compact JSON
 * text)? Only when the text holds one of the keys it may read, as a quoted
 * string in any case; a key JSON would escape always could.
 */
static int may_hold_modified(const char *fm, const struct site *site)
{
	static const char *const keys[] = { "lastmod", "updated", "last_modified_at" };
	struct strbuf lower = STRBUF_INIT, needle = STRBUF_INIT;
	size_t i, n = ARRAY_SIZE(keys) + (site ? site->hugo_lastmod.nr : 0);
	int found = 0;

	/* one lowered copy and a plain search per key: strcasestr() was most of the cost */
	add_lower(&lower, fm, strlen(fm));
	for (i = 0; i < n && !found; i++) {
		const char *key = i < ARRAY_SIZE(keys) ? keys[i] :
				  site->hugo_lastmod.v[i - ARRAY_SIZE(keys)];
		const char *c;

		for (c = key; *c && *c != '"' && *c != '\\' && (unsigned char)*c >= 0x20; c++)
			;
		if (*c) {
			found = 1;
			break;
		}
		strbuf_reset(&needle);
		strbuf_addch(&needle, '"');
		add_lower(&needle, key, strlen(key));
		strbuf_addch(&needle, '"');
		found = strstr(lower.buf, needle.buf) != NULL;
	}
	strbuf_release(&lower);
	strbuf_release(&needle);
	return found;
}

/*
 * The newest `updated_date` of the posts (what feed_fields() finds), from
 * just what modified() reads of each: its front matter (read only when it
 * may hold a date modified() looks for), date and commit.
 */
static char *newest_update(const struct model *m, const struct model_list *posts)
{
	char *newest = NULL;
	size_t i;

	for (i = 0; i < posts->nr_all; i++) {
		const struct event *e = &m->events->v[posts->index[i]];
		json_t *ev = json_object();
		const char *d;
		char buf[32];

		if (e->date >= 0) {
			date_format(e->date, buf, sizeof(buf));
			json_object_set_new(ev, "date", json_string(buf));
		}
		if (e->front_matter && may_hold_modified(e->front_matter, m->site)) {
			json_t *fm = json_loads(e->front_matter, JSON_ALLOW_NUL, NULL);
			if (!fm)
				die("out of memory reading the front matter of '%s'", e->path);
			json_object_set_new(ev, "front_matter", fm);
		}
		if (m->events->with_commits && e->commit) {
			date_format(e->commit->date, buf, sizeof(buf));
			json_object_set_new(ev, "commit", json_pack("{s:s}", "date", buf));
		}
		modified(ev, m->site);
		d = value_str(ev, "updated_date");
		if (d && (!newest || strcmp(d, newest) > 0)) {
			free(newest);
			newest = xstrdup(d);
		}
		json_decref(ev);
	}
	return newest;
}

/*
 * Could enrich_with() read anything of the front matter `fm` (compact JSON
 * text): a date modified() looks for, or the first key of a field path
 * picture() follows? Only when the text holds that key as a quoted string
 * (a key JSON would escape always could), or is not an object.
 */
static int may_hold_fields(const char *fm, const struct site *site)
{
	const struct strvec *lists[] = { &site->image_fields, &site->subtitle_fields };
	struct strbuf needle = STRBUF_INIT;
	size_t k, i;
	int found = *fm != '{' || may_hold_modified(fm, site);

	for (k = 0; k < ARRAY_SIZE(lists) && !found; k++) {
		for (i = 0; i < lists[k]->nr && !found; i++) {
			const char *path = lists[k]->v[i], *c;
			size_t n = strcspn(path, ".");

			for (c = path; c < path + n && *c != '"' && *c != '\\' &&
				       (unsigned char)*c >= 0x20; c++)
				;
			if (!n || c < path + n) {
				found = 1;
				break;
			}
			strbuf_reset(&needle);
			strbuf_addch(&needle, '"');
			strbuf_add(&needle, path, n);
			strbuf_addch(&needle, '"');
			found = strstr(fm, needle.buf) != NULL;
		}
	}
	strbuf_release(&needle);
	return found;
}

/*
 * Element `i` of a lazy list as a section walks it: lazy_get()'s object
 * without the rendered summaries and, when nothing derived needs them, the
 * front matter and the commit (modified() reads its date only for a post
 * without one); most templates show one summary form and no front matter,
 * and these were most of a digest's rendering. lazy_fill() adds them.
 */
static json_t *lazy_part(void *data, size_t i)
{
	const struct model_list *ml = data;
	const struct model *m = ml->model;
	const struct event *e = &m->events->v[ml->index[i]];
	struct event lean = *e;
	json_t *ev;

	if (e->front_matter && !may_hold_fields(e->front_matter, m->site))
		lean.front_matter = NULL;
	ev = event_to_json(&lean, m->events->with_commits && e->date < 0);
	if (!lean.front_matter && e->front_matter)
		json_object_del(ev, "front_matter");
	enrich_with(ev, m->site, m->base_url, 1);
	json_object_set_new(ev, "first", json_boolean(i == 0));
	json_object_set_new(ev, "last", json_boolean(i + 1 == ml->nr));
	return ev;
}

/* Adds to lazy_part()'s `ev` what lazy_get() has under `name` (NULL: all). */
static void lazy_fill(void *data, size_t i, json_t *ev, const char *name)
{
	struct model_list *ml = data;
	const struct event *e = &ml->model->events->v[ml->index[i]];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(summary_keys); k++) {
		struct strbuf sb = STRBUF_INIT;
		const char *md;

		if ((name && strcmp(name, summary_keys[k])) || json_object_get(ev, summary_keys[k]))
			continue;
		/*
		 * One parse for all the forms a template shows; the source is as
		 * written (a summary_markdown replaced had them all made).
		 */
		if (!ml->doc || ml->doc_i != i) {
			markdown_doc_free(ml->doc);
			md = summary_source(ev);
			ml->doc = markdown_parse(md, strlen(md));
			ml->doc_i = i;
		}
		/* a failure (cmark out of memory) leaves it empty */
		if (ml->doc)
			markdown_doc_render(ml->doc, summary_fmts[k], SUMMARY_CHARS, &sb);
		strbuf_rtrim(&sb);
		json_object_set_new(ev, summary_keys[k], value_textn(sb.buf, sb.len));
		strbuf_release(&sb);
	}
	if ((!name || !strcmp(name, "front_matter")) && e->front_matter &&
	    !json_object_get(ev, "front_matter"))
		json_object_set_new(ev, "front_matter", event_front_matter_json(e));
	if ((!name || !strcmp(name, "commit")) && ml->model->events->with_commits &&
	    !json_object_get(ev, "commit"))
		json_object_set_new(ev, "commit", e->commit ? event_commit_json(e->commit) : json_null());
}

static void lazy_list(struct model *m, const char *name, size_t *index, size_t nr, size_t shown)
{
	struct model_list *ml = &m->parts[m->nr_lists];
	struct template_list *tl = &m->lists[m->nr_lists];
	json_t *placeholder = json_array();

	m->names[m->nr_lists] = name;
	ml->model = m;
	ml->index = index;
	ml->nr_all = nr;
	ml->nr = shown;
	json_object_set_new(m->root, name, placeholder);
	tl->placeholder = placeholder;
	tl->nr = shown;
	tl->get = lazy_get;
	tl->part = lazy_part;
	tl->fill = lazy_fill;
	tl->data = ml;
	m->nr_lists++;
}

void model_open(struct model *m, const struct event_list *l, const struct site *site,
		long limit)
{
	struct event_list skeleton = *l;
	size_t *by_type[EVENT_TYPES], nr_type[EVENT_TYPES] = { 0 }, *all, *posts;
	struct post_key *keys;
	json_t *doc, *v, *counts = json_object(), *site_obj;
	const char *key;
	char *newest;
	size_t i, n;
	int t;

	memset(m, 0, sizeof(*m));
	m->events = l;
	m->site = site;
	m->root = json_object();
	/* the document of the list without its events: from, to, now, errors */
	skeleton.nr = 0;
	doc = event_list_document(&skeleton);
	json_object_foreach(doc, key, v)
		if (strcmp(key, "events"))
			json_object_set(m->root, key, v);
	site_obj = site_json(doc, site);
	json_object_set_new(m->root, "site", site_obj);
	m->base_url = value_str(site_obj, "base_url");
	json_object_set_new(m->root, "range", range_json(doc));
	json_decref(doc);

	all = xcalloc(l->nr + 1, sizeof(*all));
	for (t = 0; t < EVENT_TYPES; t++)
		by_type[t] = xcalloc(l->nr + 1, sizeof(*by_type[t]));
	for (i = 0; i < l->nr; i++) {
		all[i] = i;
		t = (int)l->v[i].type;
		if (t >= 0 && t < EVENT_TYPES)
			by_type[t][nr_type[t]++] = i;
	}
	/* new and undrafted, newest first */
	n = nr_type[EVENT_NEW] + nr_type[EVENT_UNDRAFTED];
	keys = xcalloc(n + 1, sizeof(*keys));
	for (i = 0; i < n; i++) {
		size_t at = i < nr_type[EVENT_NEW] ? by_type[EVENT_NEW][i] :
			    by_type[EVENT_UNDRAFTED][i - nr_type[EVENT_NEW]];
		keys[i].index = at;
		keys[i].pos = i;
		keys[i].path = l->v[at].path;
		if (l->v[at].date >= 0)
			date_format(l->v[at].date, keys[i].date, sizeof(keys[i].date));
	}
	qsort(keys, n, sizeof(*keys), cmp_newest_key);
	posts = xcalloc(n + 1, sizeof(*posts));
	for (i = 0; i < n; i++)
		posts[i] = keys[i].index;
	free(keys);

	for (t = 0; t < EVENT_TYPES; t++) {
		const char *name = event_type_name((enum event_type)t);
		json_object_set_new(counts, name, json_integer((json_int_t)nr_type[t]));
		lazy_list(m, name, by_type[t], nr_type[t], nr_type[t]);
	}
	json_object_set_new(counts, "total", json_integer((json_int_t)l->nr));
	json_object_set_new(counts, "posts", json_integer((json_int_t)n));
	json_object_set_new(counts, "posts_one", json_boolean(n == 1));
	json_object_set_new(m->root, "counts", counts);
	lazy_list(m, "events", all, l->nr, l->nr);
	lazy_list(m, "posts", posts, n, limit > 0 && (size_t)limit < n ? (size_t)limit : n);

	newest = newest_update(m, &m->parts[m->nr_lists - 1]);
	feed_fields_newest(m->root, newest);
	free(newest);
	if (!json_object_get(m->root, "errors"))
		json_object_set_new(m->root, "errors", json_array());
}

json_t *model_whole(const struct model *m)
{
	json_t *whole = json_copy(m->root);
	size_t k, i;

	for (k = 0; k < m->nr_lists; k++) {
		const struct template_list *tl = &m->lists[k];
		json_t *list = json_array();
		for (i = 0; i < tl->nr; i++)
			json_array_append_new(list, tl->get(tl->data, i));
		json_object_set_new(whole, m->names[k], list);
	}
	return whole;
}

void model_close(struct model *m)
{
	size_t k;

	for (k = 0; k < m->nr_lists; k++) {
		free(m->parts[k].index);
		markdown_doc_free(m->parts[k].doc);
	}
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
}
