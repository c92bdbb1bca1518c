#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "herald/date.h"
#include "herald/post.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

#define SUMMARY_SOURCE_MAX 8192
#define SUMMARY_MAX 500

void post_init(struct post *p)
{
	memset(p, 0, sizeof(*p));
	frontmatter_init(&p->fm);
	p->date = -1;
	p->publish = -1;
	p->url_date = -1;
}

void post_release(struct post *p)
{
	free(p->path);
	frontmatter_release(&p->fm);
	free(p->title);
	free(p->slug);
	free(p->url);
	free(p->summary);
	free(p->summary_md);
	json_decref(p->tags);
	free(p->error);
	post_init(p);
}

const char *post_state_name(enum post_state st)
{
	switch (st) {
	case POST_ABSENT: return "absent";
	case POST_DRAFT: return "draft";
	case POST_SCHEDULED: return "scheduled";
	case POST_PUBLISHED: return "published";
	case POST_INVALID: return "invalid";
	}
	return "unknown";
}

void post_not_a_file(struct post *p, const char *path, const char *what)
{
	post_release(p);
	p->path = xstrdup(path);
	p->state = POST_ABSENT;
	p->error = xstrfmt("is a %s, not a file; herald reads only regular files", what);
}

void post_too_large(struct post *p, const char *path, size_t size)
{
	post_release(p);
	p->path = xstrdup(path);
	p->state = POST_INVALID;
	p->error = xstrfmt("post is larger than %zu MiB (%zu bytes); "
			   "herald reads at most %zu MiB of a post",
			   HERALD_POST_MAX >> 20, size, HERALD_POST_MAX >> 20);
}

/* The scalar value of a field as text (caller frees), or NULL. */
static char *field_text(const json_t *fm, const char *key)
{
	const json_t *v = json_object_get(fm, key);

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xstrfmt("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xstrfmt("%g", json_real_value(v));
	return NULL;
}

/*
 * The slug a file name gives: `2020-03-30-hello.md` and `hello/index.md` ->
 * hello (the date prefix the site's generator strips goes).
 */
static char *slug_from_path(const struct site *s, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	long long ignored;
	size_t n;

	base = base ? base + 1 : path;
	if (!strncmp(base, "index.", 6) && base > path + 1) {
		/* a page bundle: the folder names the post */
		const char *dir_end = base - 1, *dir = dir_end;
		char *name;
		while (dir > path && dir[-1] != '/')
			dir--;
		name = xstrndup(dir, (size_t)(dir_end - dir));
		n = site_name_date(s, path, &ignored);
		if (n && n < strlen(name))
			memmove(name, name + n, strlen(name + n) + 1);
		return name;
	}
	n = site_name_date(s, path, &ignored);
	if (n && n < strlen(base))
		base += n;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	return xstrndup(base, n);
}

/* A front matter key, matched without regard to case for Hugo. */
static const json_t *date_value(const struct post *p, const struct site *s,
				const char *key, const char **found)
{
	const char *k;
	json_t *v = json_object_get(p->fm.data, key);

	*found = key;
	if (v || s->kind != SITE_HUGO)
		return v;
	json_object_foreach(p->fm.data, k, v)
		if (!strcasecmp(k, key)) {
			*found = k;
			return v;
		}
	return NULL;
}

/*
 * Hugo's :filename date: a file (or bundle folder) name starting with
 * YYYY-MM-DD, midnight in the site's time zone; the rest,
 * without the separators around it, is the slug when the front matter
 * gives none. Returns 1 when the name has such a date.
 */
static int hugo_name_date(struct post *p, const struct site *s, long long *t, int *offset)
{
	const char *base = strrchr(p->path, '/');
	char day[11], *rest, *dot;
	const char *key;
	size_t n, i;
	int ret = 0;

	base = base ? base + 1 : p->path;
	rest = xstrdup(base);
	if (!strncmp(base, "index.", 6) && base > p->path + 1) {
		const char *dir = base - 1;
		while (dir > p->path && dir[-1] != '/')
			dir--;
		free(rest);
		rest = xstrndup(dir, (size_t)(base - 1 - dir));
	} else if ((dot = strrchr(rest, '.')) && dot != rest) {
		*dot = '\0';
	}
	n = strlen(rest);
	for (i = 0; i < 10 && i < n; i++)
		if ((i == 4 || i == 7) ? rest[i] != '-' : !isdigit((unsigned char)rest[i]))
			break;
	if (i < 10)
		goto out;
	memcpy(day, rest, 10);
	day[10] = '\0';
	if (date_parse_zoned(day, s->zone, t, offset) < 0)
		goto out;
	ret = 1;
	if (!date_value(p, s, "slug", &key) && !p->slug_from_name) {
		const char *a = rest + 10;
		size_t m;
		a += strspn(a, " -_");
		m = strlen(a);
		while (m && strchr(" -_", a[m - 1]))
			m--;
		if (m) {
			free(p->slug);
			p->slug = xstrndup(a, m);
			p->slug_from_name = 1;
		}
	}
out:
	free(rest);
	return ret;
}

/*
 * A date field that is set but cannot be read: p->error and a problem
 * (lint reports the problems list) at the key. Returns -1.
 */
static int bad_date(struct post *p, const char *key)
{
	int line, col;

	frontmatter_key_position(&p->fm, key, &line, &col);
	p->error = xstrfmt("'%s' is not a date herald can read (YYYY-MM-DD, "
			   "optionally with a time and zone)", key);
	p->error_line = line;
	p->error_column = col;
	ALLOC_GROW(p->fm.problems, p->fm.nr_problems + 1, p->fm.alloc_problems);
	p->fm.problems[p->fm.nr_problems++] = (struct frontmatter_problem){
		line, col, 1, xstrdup(p->error),
	};
	return -1;
}

/*
 * The first of Hugo's date sources in `list` that gives a date: found with
 * *t and *offset set, missing when none does, LOOKUP_ERROR (p->error set)
 * for a field that is set but cannot be read. :git and :fileModTime give
 * nothing: herald has no checkout to take a time from.
 */
static enum lookup hugo_date(struct post *p, const struct site *s, const struct strvec *list,
		     long long *t, int *offset, const char **field, int strict)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		const char *key;
		const json_t *v;

		if (list->v[i][0] == ':') {
			if (!strcmp(list->v[i], ":filename") && hugo_name_date(p, s, t, offset)) {
				*field = NULL;
				return LOOKUP_FOUND;
			}
			continue;
		}
		v = date_value(p, s, list->v[i], &key);
		if (!v || json_is_null(v))
			continue;
		if (json_is_string(v) &&
		    !date_parse_zoned(json_string_value(v), s->zone, t, offset)) {
			*field = list->v[i];
			return LOOKUP_FOUND;
		}
		if (!strict)
			continue;
		bad_date(p, key);
		return LOOKUP_ERROR;
	}
	return LOOKUP_MISSING;
}

/*
 * Hugo's dates: Date (the url's date parts) and publishDate (when the
 * page goes live) each from its own [frontmatter] list. The post's date
 * is its publishDate, else its Date.
 */
static int hugo_read_dates(struct post *p, const struct site *s)
{
	long long pub, date;
	int pub_off = 0, date_off = 0;
	enum lookup has_pub, has_date;
	const char *pub_field = NULL, *date_field = NULL;

	has_date = hugo_date(p, s, &s->hugo_date, &date, &date_off, &date_field, 1);
	if (has_date == LOOKUP_ERROR)
		return -1;
	has_pub = hugo_date(p, s, site_date_fields(s), &pub, &pub_off, &pub_field, 1);
	if (has_pub == LOOKUP_ERROR)
		return -1;
	p->publish = has_pub == LOOKUP_FOUND ? pub : -1;
	p->url_date = has_date == LOOKUP_FOUND ? date : -1;
	p->url_date_offset = date_off;
	if (has_pub == LOOKUP_FOUND) {
		p->date = pub;
		p->date_offset = pub_off;
		p->date_field = pub_field;
	} else {
		p->date = has_date == LOOKUP_FOUND ? date : -1;
		p->date_offset = date_off;
		p->date_field = date_field;
	}
	return 0;
}

/*
 * The zone a date without one is read in: the site's, but Jekyll's YAML
 * reader makes a plain timestamp without a zone UTC whatever `timezone:`
 * says; only other forms (a date alone, no seconds, quoted) are local.
 */
static const char *zone_of(const struct post *p, const struct site *s, const char *key,
			   const char *value)
{
	if (s->kind == SITE_JEKYLL && p->fm.format == FRONTMATTER_YAML &&
	    !frontmatter_value_quoted(&p->fm, key) && date_yaml_time_without_zone(value))
		return NULL;
	return s->zone;
}

/*
 * The post's date: the first date field set, else the file name's. A field
 * that is set but cannot be read makes the post invalid, as it stops
 * Jekyll's and Hugo's builds: 0, or -1 with p->error set.
 */
static int read_date(struct post *p, const struct site *s)
{
	const struct strvec *fields = site_date_fields(s);
	size_t i;

	if (s->kind == SITE_HUGO)
		return hugo_read_dates(p, s);
	for (i = 0; i < fields->nr; i++) {
		const char *key;
		const json_t *v = date_value(p, s, fields->v[i], &key);

		if (!v || json_is_null(v))
			continue;
		if (json_is_string(v) &&
		    !date_parse_zoned(json_string_value(v), zone_of(p, s, key, json_string_value(v)),
				      &p->date, &p->date_offset)) {
			p->date_field = fields->v[i];
			return 0;
		}
		return bad_date(p, key);
	}
	if (!site_name_date(s, p->path, &p->date))
		p->date = -1;
	return 0;
}

/* Every date but Hugo's is at once the publish date and the url's date. */
static int read_dates(struct post *p, const struct site *s)
{
	if (read_date(p, s) < 0)
		return -1;
	if (s->kind != SITE_HUGO) {
		p->publish = p->date;
		p->url_date = p->date;
		p->url_date_offset = p->date_offset;
	}
	return 0;
}

static void collect_text(cmark_node *node, struct strbuf *out)
{
	cmark_node *c;

	for (c = cmark_node_first_child(node); c; c = cmark_node_next(c)) {
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			strbuf_addstr(out, cmark_node_get_literal(c));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			strbuf_addch(out, ' ');
			break;
		case CMARK_NODE_HTML_INLINE:
			break;
		default:
			collect_text(c, out);
		}
	}
}

/* Cuts at `max` bytes without splitting a character (or a grapheme), adding an ellipsis. */
static void truncate_utf8(struct strbuf *sb, size_t max)
{
	size_t n;

	if (sb->len <= max)
		return;
	n = utf8_cut(sb->buf, sb->len, max);
	while (n > 0 && sb->buf[n - 1] == ' ')
		n--;
	strbuf_setlen(sb, n);
	strbuf_addstr(sb, "\xe2\x80\xa6");
}

/* Lines first..last (1-based) of src, as the Markdown they were written in. */
static void source_lines(const struct strbuf *src, int first, int last,
			 struct strbuf *out)
{
	const char *p = src->buf, *end = src->buf + src->len;
	int line = 1;

	while (p < end && line < first) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
		line++;
	}
	while (p < end && line <= last) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (out->len)
			strbuf_addch(out, '\n');
		strbuf_add(out, p, (size_t)(e - p));
		p = nl ? nl + 1 : end;
		line++;
	}
	strbuf_rtrim(out);
	truncate_utf8(out, SUMMARY_MAX * 2);
}

/* The first paragraph of the body as plain text; the title from an h1. */
static void read_body(struct post *p, char **heading)
{
	struct strbuf src = STRBUF_INIT, text = STRBUF_INIT, md = STRBUF_INIT;
	cmark_node *doc, *n;
	size_t len = p->body_len < SUMMARY_SOURCE_MAX ? p->body_len : SUMMARY_SOURCE_MAX;

	strbuf_add_utf8_lossy(&src, p->body, len);
	doc = cmark_parse_document(src.buf, src.len, CMARK_OPT_VALIDATE_UTF8);
	for (n = cmark_node_first_child(doc); n; n = cmark_node_next(n)) {
		if (cmark_node_get_type(n) == CMARK_NODE_HEADING && !*heading &&
		    cmark_node_get_heading_level(n) == 1) {
			struct strbuf h = STRBUF_INIT;
			collect_text(n, &h);
			*heading = strbuf_detach(&h, NULL);
		}
		if (cmark_node_get_type(n) != CMARK_NODE_PARAGRAPH)
			continue;
		collect_text(n, &text);
		strbuf_rtrim(&text);
		if (text.len) {
			source_lines(&src, cmark_node_get_start_line(n),
				     cmark_node_get_end_line(n), &md);
			break;
		}
	}
	cmark_node_free(doc);
	truncate_utf8(&text, SUMMARY_MAX);
	p->summary = strbuf_detach(&text, NULL);
	p->summary_md = strbuf_detach(&md, NULL);
	strbuf_release(&src);
}

static json_t *read_tags(const json_t *fm)
{
	const json_t *v = json_object_get(fm, "tags");
	json_t *tags = json_array(), *e;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_string(e))
				json_array_append(tags, e);
			else if (json_is_integer(e))
				json_array_append_new(tags, json_sprintf("%lld",
					(long long)json_integer_value(e)));
		}
	} else if (json_is_string(v)) {
		/* "a, b c": commas or spaces */
		char *copy = xstrdup(json_string_value(v)), *q = copy, *word;
		while ((word = strsep(&q, ", ")))
			if (*word)
				json_array_append_new(tags, json_string(word));
		free(copy);
	}
	return tags;
}

/* Hugo's expiryDate: a post past it is no longer published. */
static int expired(struct post *p, const struct site *s, long long now)
{
	const json_t *v = json_object_get(p->fm.data, "expiryDate");
	const char *field;
	long long t;
	int off;

	if (s->kind == SITE_HUGO)
		/* an unreadable expiry date is not one: Hugo skips it */
		return hugo_date(p, s, &s->hugo_expiry, &t, &off, &field, 0) == LOOKUP_FOUND && t <= now;
	return json_is_string(v) && !date_parse_zoned(json_string_value(v), s->zone, &t, NULL) &&
	       t <= now;
}

/* The summary the first of the site's summary fields that is set gives, or NULL. */
static char *own_summary(const struct post *p, const struct site *s)
{
	size_t i;

	for (i = 0; i < s->summary_fields.nr; i++) {
		char *v = field_text(p->fm.data, s->summary_fields.v[i]);
		struct strbuf sb = STRBUF_INIT;
		if (!v)
			continue;
		strbuf_add_utf8_lossy(&sb, v, strlen(v));
		free(v);
		while (sb.len && isspace((unsigned char)sb.buf[0])) {
			memmove(sb.buf, sb.buf + 1, sb.len);
			sb.len--;
		}
		strbuf_rtrim(&sb);
		if (sb.len)
			return strbuf_detach(&sb, NULL);
		strbuf_release(&sb);
	}
	return NULL;
}

static int is_draft(const struct post *p, const struct site *s)
{
	return site_in_drafts(s, p->path) ||
	       frontmatter_truthy(json_object_get(p->fm.data, s->draft_field)) ||
	       frontmatter_falsy(json_object_get(p->fm.data, s->published_field));
}

void post_read(struct post *p, const struct site *s, const char *path,
	       const char *buf, size_t len, long long now, unsigned flags)
{
	struct frontmatter fm;
	enum lookup rc;

	frontmatter_init(&fm);
	rc = frontmatter_parse(&fm, buf, len);
	post_read_parsed(p, s, path, &fm, rc, buf, len, now, flags);
}

void post_read_parsed(struct post *p, const struct site *s, const char *path,
		      struct frontmatter *fm, enum lookup rc, const char *buf, size_t len,
		      long long now, unsigned flags)
{
	char *heading = NULL, *title_slug, *summary;

	post_release(p);
	p->path = xstrdup(path);
	/* from here on the front matter is this post's: defaults change it by path */
	frontmatter_release(&p->fm);
	p->fm = *fm;
	frontmatter_init(fm);
	if (rc == LOOKUP_MISSING) {
		p->state = POST_ABSENT;
		p->error = xstrdup("has no front matter, so it is not a post");
		return;
	}
	if (rc == LOOKUP_ERROR) {
		const struct frontmatter_problem *e = frontmatter_first_error(&p->fm);
		p->state = POST_INVALID;
		p->error = xstrdup(e->message);
		p->error_line = e->line;
		p->error_column = e->column;
		return;
	}
	if (!(flags & POST_READ_DEFAULTS_DONE))
		site_apply_defaults(s, path, p->fm.data);
	p->body = buf + p->fm.body_offset;
	p->body_len = len - p->fm.body_offset;
	title_slug = slug_from_path(s, path);
	p->slug = field_text(p->fm.data, "slug");
	if (!p->slug || !*p->slug) {
		free(p->slug);
		p->slug = xstrdup(title_slug);
	}
	if (read_dates(p, s) < 0) {
		free(title_slug);
		p->state = POST_INVALID;
		return;
	}
	summary = own_summary(p, s);
	p->title = field_text(p->fm.data, s->title_field);
	/* the body gives the summary and, failing a title, the heading: unread if neither is due */
	if (!(flags & POST_READ_NO_SUMMARY) && (!summary || !p->title || !*p->title))
		read_body(p, &heading);
	else
		p->summary = xstrdup(""), p->summary_md = xstrdup("");
	if (summary) {
		free(p->summary);
		free(p->summary_md);
		p->summary_md = xstrdup(summary);
		p->summary = summary;
	}
	if (!p->title || !*p->title) {
		free(p->title);
		p->title = heading ? heading : xstrdup(p->slug);
		heading = NULL;
	}
	free(heading);
	p->tags = read_tags(p->fm.data);
	if (!(flags & POST_READ_NO_URL))
		p->url = site_post_url(s, p);
	free(title_slug);

	if (is_draft(p, s) || expired(p, s, now))
		p->state = POST_DRAFT;
	else if (!s->future && p->publish >= 0 && p->publish > now)
		p->state = POST_SCHEDULED;
	else
		p->state = POST_PUBLISHED;
}

json_t *post_to_json(const struct post *p)
{
	char date[32];
	json_t *o = json_object();

	json_object_set_new(o, "title", value_text(p->title ? p->title : ""));
	json_object_set_new(o, "slug", value_text(p->slug ? p->slug : ""));
	json_object_set_new(o, "url", value_text(p->url));
	if (p->date >= 0) {
		date_format(p->date, date, sizeof(date));
		json_object_set_new(o, "date", json_string(date));
	} else {
		json_object_set_new(o, "date", json_null());
	}
	json_object_set_new(o, "tags", p->tags ? json_incref(p->tags) : json_array());
	json_object_set_new(o, "summary", value_text(p->summary ? p->summary : ""));
	json_object_set_new(o, "summary_markdown",
			    value_text(p->summary_md ? p->summary_md : ""));
	json_object_set_new(o, "front_matter",
			    p->fm.data ? json_incref(p->fm.data) : json_null());
	return o;
}
