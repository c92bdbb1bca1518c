#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herald/date.h"
#include "herald/frontmatter.h"
#include "herald/glob.h"
#include "herald/link.h"
#include "herald/post.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/slug.h"
#include "herald/strbuf.h"
#include "herald/toml.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

static const char *const default_globs[] = {
	"**/_posts/**", "**/_drafts/**", "posts/**", "blog/**",
	"content/**/posts/**", "content/**/blog/**", "src/content/blog/**",
	NULL,
};
/* The fields themes and generators use for a post's picture and subtitle. */
static const char *const default_image_fields[] = {
	"image", "images.0", "featured_image", "featuredImgPath", "cover.image",
	"header.image", "thumbnail", "og_image", NULL,
};
static const char *const default_subtitle_fields[] = {
	"subtitle", "sub_title", NULL,
};
static const char *const default_endings[] = {
	".md", ".markdown", ".mdx", ".html", NULL,
};

#define JEKYLL_PERMALINK "/:categories/:year/:month/:day/:title:output_ext"
#define HERALD_PERMALINK "/:year/:month/:day/:slug/"

/*
 * The endings apply to a glob whose last component names no ending of its
 * own (a double star, or a star alone); one naming an ending of its own,
 * such as notes/ star .txt, is taken as written.
 */
static int glob_wants_ending(const char *g)
{
	const char *last = strrchr(g, '/');
	return !strchr(last ? last + 1 : g, '.');
}

void site_set_globs(struct site *s, const struct strvec *globs)
{
	size_t i;

	strvec_copy(&s->globs, globs);
	free(s->glob_endings);
	s->glob_endings = xcalloc(globs->nr + 1, 1);
	for (i = 0; i < globs->nr; i++)
		s->glob_endings[i] = (unsigned char)glob_wants_ending(globs->v[i]);
}

static void push_all(struct strvec *sv, const char *const *v)
{
	for (; *v; v++)
		strvec_push(sv, *v);
}

void site_init(struct site *s)
{
	struct strvec globs = STRVEC_INIT;

	memset(s, 0, sizeof(*s));
	push_all(&globs, default_globs);
	site_set_globs(s, &globs);
	strvec_clear(&globs);
	push_all(&s->endings, default_endings);
	strvec_push(&s->drafts, "_drafts");
	strvec_push(&s->date_fields, "publishDate");
	strvec_push(&s->date_fields, "date");
	strvec_push(&s->date_fields, "published_date");
	strvec_push(&s->summary_fields, "description");
	strvec_push(&s->summary_fields, "summary");
	s->draft_field = xstrdup("draft");
	s->published_field = xstrdup("published");
	s->title_field = xstrdup("title");
	s->permalink = xstrdup(HERALD_PERMALINK);
	s->path_lower = 1;
	push_all(&s->image_fields, default_image_fields);
	push_all(&s->subtitle_fields, default_subtitle_fields);
}

void site_release(struct site *s)
{
	strvec_clear(&s->globs);
	strvec_clear(&s->endings);
	strvec_clear(&s->drafts);
	strvec_clear(&s->date_fields);
	strvec_clear(&s->summary_fields);
	free(s->draft_field);
	free(s->published_field);
	free(s->title_field);
	free(s->title);
	free(s->base_url);
	free(s->permalink);
	free(s->config_path);
	free(s->glob_endings);
	free(s->zone);
	strvec_clear(&s->exclude);
	strvec_clear(&s->include);
	strvec_clear(&s->collections);
	strvec_clear(&s->collection_links);
	strvec_clear(&s->lang_names);
	strvec_clear(&s->lang_dirs);
	strvec_clear(&s->lang_prefixes);
	strvec_clear(&s->lang_targets);
	json_decref(s->permalinks);
	strvec_clear(&s->hugo_leaves);
	strvec_clear(&s->hugo_sections);
	strvec_clear(&s->hugo_date);
	strvec_clear(&s->hugo_lastmod);
	strvec_clear(&s->zola_langs);
	free(s->zola_default_lang);
	free(s->collections_dir);
	json_decref(s->jekyll_defaults);
	strvec_clear(&s->hugo_expiry);
	strvec_clear(&s->image_fields);
	strvec_clear(&s->subtitle_fields);
	free(s->base_url_error);
	free(s->base_url_file);
	memset(s, 0, sizeof(*s));
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

/* A string or a list of strings into `sv` (replacing it); 0 if neither. */
static int get_list(const json_t *v, struct strvec *sv)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		strvec_clear(sv);
		strvec_push(sv, json_string_value(v));
		return 1;
	}
	if (!json_is_array(v))
		return 0;
	strvec_clear(sv);
	json_array_foreach(v, i, e)
		if (json_is_string(e))
			strvec_push(sv, json_string_value(e));
	return 1;
}

static void set_base_url(struct site *s, const char *url, const char *baseurl)
{
	struct strbuf sb = STRBUF_INIT;

	if (!url || !*url) {
		set_str(&s->base_url, NULL);
		return;
	}
	strbuf_addstr(&sb, url);
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	if (baseurl && *baseurl) {
		if (*baseurl != '/')
			strbuf_addch(&sb, '/');
		strbuf_addstr(&sb, baseurl);
		while (sb.len && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
	}
	free(s->base_url);
	s->base_url = strbuf_detach(&sb, NULL);
}

/*
 * Reads a config file (YAML, or TOML for a .toml name) from the tree:
 * LOOKUP_FOUND, LOOKUP_MISSING, or LOOKUP_ERROR when broken (with a
 * warning naming the file, or after error()).
 */
static enum lookup read_config(struct repo *r, git_tree *tree, const char *path,
		       json_t **out)
{
	git_blob *blob = NULL;
	struct frontmatter fm;
	const struct frontmatter_problem *p;
	size_t n = strlen(path);
	enum lookup ret;

	*out = NULL;
	ret = repo_tree_blob(r, tree, path, &blob);
	if (ret != LOOKUP_FOUND)
		return ret;
	frontmatter_init(&fm);
	if (git_blob_rawsize(blob) > FRONTMATTER_MAX_BYTES) {
		warning("%s: larger than 1 MiB; ignored", path);
		ret = LOOKUP_ERROR;
	} else if (n > 5 && !strcmp(path + n - 5, ".toml")) {
		struct toml_error terr;
		if (toml_parse(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
			       0, out, &terr) < 0) {
			warning("%s:%d:%d: %s; the file is ignored", path, terr.line,
				terr.column, terr.message);
			ret = LOOKUP_ERROR;
		}
	} else if (frontmatter_parse_yaml(&fm, git_blob_rawcontent(blob),
					  (size_t)git_blob_rawsize(blob), 1, out) < 0) {
		p = frontmatter_first_error(&fm);
		warning("%s:%d:%d: %s; the file is ignored", path, p->line,
			p->column, p->message);
		ret = LOOKUP_ERROR;
	}
	if (ret == LOOKUP_FOUND && *out && !json_is_object(*out)) {
		warning("%s: not a mapping; ignored", path);
		json_decref(*out);
		*out = NULL;
		ret = LOOKUP_ERROR;
	}
	frontmatter_release(&fm);
	git_blob_free(blob);
	return ret;
}

static void set_date_fields(struct site *s, const char *const *v)
{
	strvec_clear(&s->date_fields);
	push_all(&s->date_fields, v);
}

/* A key of a Hugo config, whose keys are case-insensitive. */
static json_t *ci_get(const json_t *o, const char *key)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return NULL;
	v = json_object_get(o, key);
	if (v)
		return v;
	json_object_foreach((json_t *)o, k, v)
		if (!strcasecmp(k, key))
			return v;
	return NULL;
}

static const char *ci_str(const json_t *o, const char *key)
{
	const json_t *v = ci_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void set_zone(struct site *s, const char *config, const char *zone)
{
	if (!zone || !*zone)
		return;
	if (!date_zone_valid(zone)) {
		warning("%s: unknown time zone '%s'; dates without a zone are read as UTC",
			config, zone);
		return;
	}
	set_str(&s->zone, zone);
}

static void apply_herald_config(struct site *s, const json_t *c)
{
	const json_t *fields = json_object_get(c, "fields");
	struct strvec globs = STRVEC_INIT;
	const json_t *v;

	if (get_list(json_object_get(c, "posts"), &globs) && globs.nr) {
		site_set_globs(s, &globs);
		s->custom_globs = 1;
	}
	strvec_clear(&globs);
	get_list(json_object_get(c, "drafts"), &s->drafts);
	get_list(json_object_get(c, "endings"), &s->endings);
	if (value_str(c, "title"))
		set_str(&s->title, value_str(c, "title"));
	if (value_str(c, "base_url"))
		set_base_url(s, value_str(c, "base_url"), NULL);
	if (value_str(c, "permalink")) {
		set_str(&s->permalink, value_str(c, "permalink"));
		s->custom_permalink = 1;
	}
	if (value_str(c, "timezone"))
		set_zone(s, ".herald.yml", value_str(c, "timezone"));
	v = json_object_get(c, "future");
	if (v)
		s->future = frontmatter_truthy(v);
	if (json_is_object(fields)) {
		if (value_str(fields, "draft"))
			set_str(&s->draft_field, value_str(fields, "draft"));
		if (value_str(fields, "published"))
			set_str(&s->published_field, value_str(fields, "published"));
		if (value_str(fields, "title"))
			set_str(&s->title_field, value_str(fields, "title"));
		get_list(json_object_get(fields, "date"), &s->date_fields);
		get_list(json_object_get(fields, "summary"), &s->summary_fields);
		get_list(json_object_get(fields, "image"), &s->image_fields);
		get_list(json_object_get(fields, "subtitle"), &s->subtitle_fields);
	}
}

/* A path from a config without "./" in front and '/' behind. */
static char *clean_dir(const char *d)
{
	size_t n;

	while (d[0] == '.' && d[1] == '/')
		d += 2;
	n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		n--;
	return xstrndup(d, n);
}

/* Jekyll's permalink styles, as its Configuration spells them out. */
static const char *jekyll_style(const char *style)
{
	static const char *const styles[][2] = {
		{ "date", "/:categories/:year/:month/:day/:title:output_ext" },
		{ "pretty", "/:categories/:year/:month/:day/:title/" },
		{ "ordinal", "/:categories/:year/:y_day/:title:output_ext" },
		{ "weekdate", "/:categories/:year/W:week/:short_day/:title:output_ext" },
		{ "none", "/:categories/:title:output_ext" },
	};
	size_t i;

	if (!style)
		style = "date";
	for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
		if (!strcmp(style, styles[i][0]))
			return styles[i][1];
	return style;
}

static void apply_jekyll_config(struct site *s, const json_t *c)
{
	const char *style = value_str(c, "permalink");
	const json_t *future = json_object_get(c, "future");
	const json_t *colls = json_object_get(c, "collections");
	static const char *const default_exclude[] = {
		".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock",
		"node_modules", "vendor/bundle/", "vendor/cache/", "vendor/gems/",
		"vendor/ruby/", NULL,
	};
	const char *k, *cdir;
	json_t *v;
	size_t i;

	static const char *const dates[] = { "date", NULL };

	s->kind = SITE_JEKYLL;
	set_date_fields(s, dates);
	if (value_str(c, "title"))
		set_str(&s->title, value_str(c, "title"));
	set_base_url(s, value_str(c, "url"), value_str(c, "baseurl"));
	set_str(&s->permalink, jekyll_style(style));
	if (future)
		s->future = frontmatter_truthy(future);
	set_zone(s, "_config.yml", value_str(c, "timezone"));
	cdir = value_str(c, "collections_dir");
	free(s->collections_dir);
	s->collections_dir = cdir && *cdir ? clean_dir(cdir) : NULL;
	if (s->collections_dir && (!*s->collections_dir || !strcmp(s->collections_dir, ".") ||
				   !strcmp(s->collections_dir, "/")))
		set_str(&s->collections_dir, NULL);
	/* FrontmatterDefaults#valid_sets: a mapping with `values` a mapping */
	json_decref(s->jekyll_defaults);
	s->jekyll_defaults = NULL;
	if (json_is_array(json_object_get(c, "defaults"))) {
		s->jekyll_defaults = json_array();
		json_array_foreach(json_object_get(c, "defaults"), i, v)
			if (json_is_object(v) && json_is_object(json_object_get(v, "values")))
				json_array_append(s->jekyll_defaults, v);
	}
	get_list(json_object_get(c, "include"), &s->include);
	strvec_clear(&s->exclude);
	if (get_list(json_object_get(c, "exclude"), &s->exclude))
		push_all(&s->exclude, default_exclude);
	/* Jekyll reads these Markdown endings too */
	for (k = "mkdown\0mkdn\0mkd\0"; *k; k += strlen(k) + 1) {
		char *e = xstrfmt(".%s", k);
		if (!strvec_has(&s->endings, e))
			strvec_push(&s->endings, e);
		free(e);
	}
	/* collections written out on their own pages: {label: {output: true}} */
	if (json_is_object(colls)) {
		json_object_foreach((json_t *)colls, k, v) {
			const char *link;
			if (!strcmp(k, "posts") || !json_is_object(v) ||
			    !frontmatter_truthy(json_object_get(v, "output")))
				continue;
			link = value_str(v, "permalink");
			strvec_push(&s->collections, k);
			if (link) {
				strvec_push(&s->collection_links, jekyll_style(link));
			} else {
				/* Utils.add_permalink_suffix("/:collection/:path", style) */
				const char *st = style ? style : "date";
				const char *t = jekyll_style(st);
				size_t n = strlen(t);
				strvec_push_nodup(&s->collection_links, xstrfmt("/:collection/:path%s",
					!strcmp(st, "pretty") || (n && t[n - 1] == '/') ? "/" :
					!strcmp(st, "date") || !strcmp(st, "ordinal") ||
					!strcmp(st, "none") ||
					(n >= 11 && !strcmp(t + n - 11, ":output_ext")) ?
					":output_ext" : ""));
			}
		}
	}
}

/* Deep-merges `over` into `base` (objects key by key, anything else replaced). */
static void merge_into(json_t *base, const json_t *over)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)over, k, v) {
		json_t *b = json_object_get(base, k);
		if (json_is_object(b) && json_is_object(v))
			merge_into(b, v);
		else
			json_object_set(base, k, v);
	}
}

/*
 * One of Hugo's [frontmatter] lists: `given` (NULL: the default) with
 * ":default" replaced by `defaults`, keys lowercased, then each key's
 * aliases after it, without repeats.
 */
static void hugo_date_list(struct strvec *out, const json_t *given,
			   const char *const *defaults)
{
	static const char *const aliases[][3] = {
		{ "publishdate", "pubdate", "published" },
		{ "lastmod", "modified", NULL },
		{ "expirydate", "unpublishdate", NULL },
	};
	struct strvec keys = STRVEC_INIT;
	size_t i, j, k;

	if (!get_list(given, &keys))
		push_all(&keys, defaults);
	strvec_clear(out);
	for (i = 0; i < keys.nr; i++) {
		struct strvec one = STRVEC_INIT;
		char *low = xstrdup(keys.v[i]);
		for (j = 0; low[j]; j++)
			low[j] = (char)tolower((unsigned char)low[j]);
		if (!strcmp(low, ":default"))
			push_all(&one, defaults);
		else
			strvec_push(&one, low);
		free(low);
		for (j = 0; j < one.nr; j++) {
			if (!strvec_has(out, one.v[j]))
				strvec_push(out, one.v[j]);
			for (k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++) {
				size_t a;
				if (strcmp(one.v[j], aliases[k][0]))
					continue;
				for (a = 1; a < 3 && aliases[k][a]; a++)
					if (!strvec_has(out, aliases[k][a]))
						strvec_push(out, aliases[k][a]);
			}
		}
		strvec_clear(&one);
	}
	strvec_clear(&keys);
}

/* Hugo's [frontmatter]: which fields (or the file name) give which date. */
static void hugo_frontmatter(struct site *s, const json_t *fm)
{
	static const char *const date[] = { "date", "publishdate", "lastmod", NULL };
	static const char *const publish[] = { "publishdate", "date", NULL };
	static const char *const expiry[] = { "expirydate", NULL };
	static const char *const lastmod[] = {
		":git", "lastmod", "date", "publishdate", NULL,
	};

	hugo_date_list(&s->hugo_date, ci_get(fm, "date"), date);
	hugo_date_list(&s->date_fields, ci_get(fm, "publishDate"), publish);
	hugo_date_list(&s->hugo_expiry, ci_get(fm, "expiryDate"), expiry);
	hugo_date_list(&s->hugo_lastmod, ci_get(fm, "lastmod"), lastmod);
}

/*
 * Hugo's module mounts: any mount whose target is the content folder
 * (or a folder in it) replaces the content folders of the languages, as
 * Hugo drops its default content mount then. A mount's `lang` names its
 * language, else it is the default language's. Sources outside the
 * repository (a theme's, "../x", absolute) are not read.
 */
static void hugo_mounts(struct site *s, const json_t *mounts)
{
	struct strvec names = STRVEC_INIT, dirs = STRVEC_INIT;
	struct strvec prefixes = STRVEC_INIT, targets = STRVEC_INIT;
	const char *deflang = s->lang_names.v[s->lang_default];
	size_t i, j;
	json_t *m;

	if (!json_is_array(mounts))
		return;
	json_array_foreach(mounts, i, m) {
		const char *src = ci_str(m, "source"), *dst = ci_str(m, "target");
		const char *lang = ci_str(m, "lang");
		char *target, *source;
		long li = -1;

		if (!src || !dst)
			continue;
		target = clean_dir(dst);
		source = clean_dir(src);
		for (j = 0; j < s->lang_names.nr && li < 0; j++)
			if (!strcasecmp(s->lang_names.v[j], lang && *lang ? lang : deflang))
				li = (long)j;
		if (li >= 0 && *source && *source != '/' && !strstr(source, "..") &&
		    (!strcmp(target, "content") || !strncmp(target, "content/", 8))) {
			strvec_push(&names, s->lang_names.v[li]);
			strvec_push(&dirs, source);
			strvec_push(&prefixes, s->lang_prefixes.v[li]);
			strvec_push(&targets, target[7] ? target + 8 : "");
		}
		free(target);
		free(source);
	}
	if (dirs.nr) {
		char *def = xstrdup(deflang);
		strvec_copy(&s->lang_names, &names);
		strvec_copy(&s->lang_dirs, &dirs);
		strvec_copy(&s->lang_prefixes, &prefixes);
		strvec_copy(&s->lang_targets, &targets);
		s->lang_default = 0;
		for (j = 0; j < names.nr; j++)
			if (!strcasecmp(names.v[j], def)) {
				s->lang_default = j;
				break;
			}
		free(def);
	}
	strvec_clear(&names);
	strvec_clear(&dirs);
	strvec_clear(&prefixes);
	strvec_clear(&targets);
}

/*
 * Hugo: the base url, title, time zone, buildFuture, the content folders of
 * its languages, and the per-section permalinks.
 */
static void apply_hugo_config(struct site *s, const json_t *c)
{
	const json_t *links = ci_get(c, "permalinks"), *future, *langs, *v;
	const char *content = ci_str(c, "contentDir"), *deflang, *k;
	int in_subdir = frontmatter_truthy(ci_get(c, "defaultContentLanguageInSubdir"));
	json_t *lv;

	s->kind = SITE_HUGO;
	hugo_frontmatter(s, ci_get(c, "frontmatter"));
	if (ci_str(c, "title"))
		set_str(&s->title, ci_str(c, "title"));
	set_base_url(s, ci_str(c, "baseURL"), NULL);
	set_zone(s, s->config_path, ci_str(c, "timeZone"));
	future = ci_get(c, "buildFuture");
	if (future)
		s->future = frontmatter_truthy(future);
	v = ci_get(c, "disablePathToLower");
	s->path_lower = !(v && frontmatter_truthy(v));
	v = ci_get(c, "uglyURLs");
	s->ugly_urls = v && frontmatter_truthy(v);
	/* Hugo 0.112+ nests section permalinks under "page" */
	if (json_is_object(ci_get(links, "page")))
		links = ci_get(links, "page");
	json_decref(s->permalinks);
	s->permalinks = json_is_object(links) ? json_deep_copy(links) : NULL;

	if (!content || !*content)
		content = "content";
	deflang = ci_str(c, "defaultContentLanguage");
	if (!deflang)
		deflang = "en";
	langs = ci_get(c, "languages");
	if (json_is_object(langs)) {
		json_object_foreach((json_t *)langs, k, lv) {
			const char *dir = ci_str(lv, "contentDir");
			int is_default = !strcasecmp(k, deflang);
			if (is_default)
				s->lang_default = s->lang_names.nr;
			strvec_push_nodup(&s->lang_names, xstrfmt("%s", k));
			strvec_push(&s->lang_dirs, dir && *dir ? dir : content);
			strvec_push_nodup(&s->lang_prefixes, is_default && !in_subdir ?
					  xstrdup("") : xstrfmt("/%s", k));
		}
	}
	if (!s->lang_dirs.nr) {
		strvec_push(&s->lang_names, deflang);
		strvec_push(&s->lang_dirs, content);
		strvec_push_nodup(&s->lang_prefixes,
				  in_subdir ? xstrfmt("/%s", deflang) : xstrdup(""));
	}
	hugo_mounts(s, ci_get(ci_get(c, "module"), "mounts"));
	for (size_t i = 1; i < s->lang_names.nr; i++)
		if (strcasecmp(s->lang_names.v[i], s->lang_names.v[0]))
			s->multilingual = 1;
	/* a trailing '/' on a content dir would break the prefix test */
	for (size_t i = 0; i < s->lang_dirs.nr; i++) {
		char *d = (char *)s->lang_dirs.v[i];
		size_t n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			d[--n] = '\0';
		while (d[0] == '.' && d[1] == '/')
			memmove(d, d + 2, strlen(d + 2) + 1);
	}
}

/* Zola: pages live at /SECTION/SLUG/ and are built whatever their date. */
static void apply_zola_config(struct site *s, const json_t *c)
{
	static const char *const dates[] = { "date", NULL };
	const char *k, *paths;
	const json_t *langs;
	json_t *v;
	size_t i;

	s->kind = SITE_ZOLA;
	set_date_fields(s, dates);
	set_str(&s->zola_default_lang, value_str(c, "default_language") ?
		value_str(c, "default_language") : "en");
	/* [languages.fr] (Zola 0.16+), or languages = [{code = "fr"}] before */
	strvec_clear(&s->zola_langs);
	langs = json_object_get(c, "languages");
	if (json_is_object(langs)) {
		json_object_foreach((json_t *)langs, k, v)
			strvec_push(&s->zola_langs, k);
	} else if (json_is_array(langs)) {
		json_array_foreach(langs, i, v)
			if (value_str(v, "code"))
				strvec_push(&s->zola_langs, value_str(v, "code"));
	}
	paths = value_str(json_object_get(c, "slugify"), "paths");
	s->zola_slugify = paths && !strcmp(paths, "safe") ? ZOLA_SLUG_SAFE :
			  paths && !strcmp(paths, "off") ? ZOLA_SLUG_OFF : ZOLA_SLUG_ON;
	if (value_str(c, "title"))
		set_str(&s->title, value_str(c, "title"));
	set_base_url(s, value_str(c, "base_url"), NULL);
	s->future = 1;
}

/*
 * Hugo's config directory: config/_default/ then config/production/ (what
 * `hugo` builds by default); in each, hugo.* and config.* hold the root
 * keys and any other KEY.toml|yaml|yml|json holds the value of KEY.
 */
static int read_config_dir(struct repo *r, git_tree *tree, const char *dir,
			   json_t *into)
{
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	size_t i, n;
	int found = 0;

	if (git_tree_entry_bypath(&e, tree, dir) ||
	    git_tree_entry_type(e) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&sub, r->git, git_tree_entry_id(e)))
		goto out;
	n = git_tree_entrycount(sub);
	for (i = 0; i < n; i++) {
		const git_tree_entry *f = git_tree_entry_byindex(sub, i);
		const char *name = git_tree_entry_name(f), *dot = strrchr(name, '.');
		char *path, *key;
		json_t *c = NULL;

		if (!dot || git_tree_entry_type(f) != GIT_OBJECT_BLOB ||
		    (strcmp(dot, ".toml") && strcmp(dot, ".yaml") &&
		     strcmp(dot, ".yml") && strcmp(dot, ".json")))
			continue;
		path = xstrfmt("%s/%s", dir, name);
		if (read_config(r, tree, path, &c) == LOOKUP_FOUND && c) {
			key = xstrndup(name, (size_t)(dot - name));
			if (!strcmp(key, "hugo") || !strcmp(key, "config")) {
				merge_into(into, c);
			} else if (!strchr(key, '.')) {
				json_t *wrap = json_object();
				json_object_set(wrap, key, c);
				merge_into(into, wrap);
				json_decref(wrap);
			}
			free(key);
			found = 1;
		}
		json_decref(c);
		free(path);
	}
out:
	git_tree_free(sub);
	git_tree_entry_free(e);
	return found;
}

static int looks_like_hugo(const json_t *c)
{
	static const char *const keys[] = {
		"baseURL", "languageCode", "theme", "contentDir", "permalinks",
		"languages", "defaultContentLanguage", "timeZone", "module",
		"markup", "taxonomies", "params", "menu", "menus", NULL,
	};
	size_t i;

	for (i = 0; keys[i]; i++)
		if (ci_get(c, keys[i]))
			return 1;
	return 0;
}

/* Hugo's or Zola's config; 0 when one was found. */
static int load_generator_config(struct site *s, struct repo *r, git_tree *tree)
{
	static const char *const files[] = {
		"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
		"config.toml", "config.yaml", "config.yml", "config.json", NULL,
	};
	json_t *c = NULL, *merged = json_object();
	const char *found = NULL;
	size_t i;
	int ret = 1;

	for (i = 0; files[i]; i++) {
		if (read_config(r, tree, files[i], &c) != LOOKUP_FOUND || !c)
			continue;
		found = files[i];
		break;
	}
	/* Zola: config.toml naming base_url (Hugo's is baseURL) or [markdown] */
	if (c && !strcmp(found, "config.toml") && !ci_get(c, "baseURL") &&
	    (json_object_get(c, "base_url") || json_is_object(json_object_get(c, "markdown")))) {
		set_str(&s->config_path, found);
		apply_zola_config(s, c);
		ret = 0;
		goto out;
	}
	/*
	 * config.yaml is a common name; without a key Hugo's config would
	 * have, it is someone else's and the generic globs stay
	 */
	if (c && !strncmp(found, "config.", 7) && !looks_like_hugo(c)) {
		json_decref(c);
		c = NULL;
		found = NULL;
	}
	if (c)
		merge_into(merged, c);
	if (read_config_dir(r, tree, "config/_default", merged) && !found)
		found = "config/_default";
	if (found) {
		read_config_dir(r, tree, "config/production", merged);
		set_str(&s->config_path, found);
		apply_hugo_config(s, merged);
		ret = 0;
	}
out:
	json_decref(c);
	json_decref(merged);
	return ret;
}

/*
 * Where a pushed config names its base url: the first line of `file` that
 * sets one of the keys (YAML "key:" or TOML "key ="); 0 when none does.
 */
static int base_url_line(struct repo *r, git_tree *tree, const char *file,
			 int *column)
{
	static const char *const keys[] = { "base_url", "baseURL", "baseurl", "url", NULL };
	git_blob *blob = NULL;
	const char *p, *end;
	int line = 1, found = 0;
	size_t i;

	if (!tree || !file || repo_tree_blob(r, tree, file, &blob) != LOOKUP_FOUND)
		return 0;
	p = git_blob_rawcontent(blob);
	end = p + git_blob_rawsize(blob);
	while (p < end && !found) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *q = p;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		for (i = 0; keys[i] && !found; i++) {
			size_t n = strlen(keys[i]);
			const char *k = q;
			if ((size_t)(e - k) <= n || strncasecmp(k, keys[i], n))
				continue;
			k += n;
			if (*k == '"' || *k == '\'')
				continue;
			while (k < e && (*k == ' ' || *k == '\t'))
				k++;
			if (k < e && (*k == ':' || *k == '=')) {
				found = 1;
				*column = (int)(q - p) + 1;
			}
		}
		if (!found) {
			p = nl ? nl + 1 : end;
			line++;
		}
	}
	git_blob_free(blob);
	return found ? line : 0;
}

/*
 * A base url is emitted in every output and makes every post's url, and a
 * pushed config gives it: anything but absolute http(s) (javascript:, a
 * relative path) is dropped and recorded for lint. The admin's
 * herald.baseUrl, when set, is the only one used.
 */
static void check_base_url(struct site *s, struct repo *r, git_tree *tree)
{
	static const char *const files[] = { ".herald.yml", "_config.yml", NULL };
	char *pinned = r ? repo_config_string(r, "herald.baseUrl") : NULL;
	size_t i;

	if (s->base_url && !link_is_http(s->base_url)) {
		int line = 0, column = 0;
		const char *file = NULL;
		for (i = 0; files[i] && !line; i++)
			if ((line = base_url_line(r, tree, files[i], &column)))
				file = files[i];
		if (!line && (line = base_url_line(r, tree, s->config_path, &column)))
			file = s->config_path;
		free(s->base_url_file);
		s->base_url_file = xstrdup(file ? file : s->config_path ? s->config_path : "config");
		s->base_url_line = line;
		s->base_url_column = column;
		free(s->base_url_error);
		s->base_url_error = xstrdup("the base url is not an absolute http or https url; "
					    "herald makes no urls from it");
		if (!pinned) {
			if (line)
				warning("%s:%d:%d: %s", s->base_url_file, line, column, s->base_url_error);
			else
				warning("%s: %s", s->base_url_file, s->base_url_error);
		}
		set_str(&s->base_url, NULL);
	}
	if (pinned) {
		if (link_is_http(pinned))
			set_base_url(s, pinned, NULL);
		else {
			warning("git config herald.baseUrl '%s' is not an absolute http or https url; no urls are made",
				pinned);
			set_str(&s->base_url, NULL);
		}
		free(pinned);
	}
}

static int hugo_read_bundles(struct site *s, struct repo *r, git_tree *tree);

int site_load(struct site *s, struct repo *r, git_tree *tree,
	      const struct strvec *cli_globs)
{
	struct strvec globs = STRVEC_INIT;
	json_t *c = NULL, *h = NULL;
	int ret = 0, has_herald = 0;

	if (tree && read_config(r, tree, ".herald.yml", &h) == LOOKUP_FOUND)
		has_herald = 1;
	if (tree && read_config(r, tree, "_config.yml", &c) == LOOKUP_FOUND) {
		set_str(&s->config_path, "_config.yml");
		apply_jekyll_config(s, c ? c : json_object());
	} else if (tree) {
		load_generator_config(s, r, tree);
	}
	if (has_herald) {
		set_str(&s->config_path, ".herald.yml");
		if (h)
			apply_herald_config(s, h);
	}
	json_decref(c);
	json_decref(h);
	if (s->kind == SITE_HUGO && tree && hugo_read_bundles(s, r, tree) < 0)
		ret = -1;
	check_base_url(s, r, tree);
	if (repo_config_multivar(r, "herald.posts", &globs) < 0) {
		ret = -1;
	} else if (globs.nr) {
		site_set_globs(s, &globs);
		s->custom_globs = 1;
	}
	strvec_clear(&globs);
	if (cli_globs && cli_globs->nr) {
		site_set_globs(s, cli_globs);
		s->custom_globs = 1;
	}
	return ret;
}

static int has_ending(const struct site *s, const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < s->endings.nr; i++) {
		size_t m = strlen(s->endings.v[i]);
		if (n > m && !strcasecmp(path + n - m, s->endings.v[i]))
			return 1;
	}
	return 0;
}

/* ---- Hugo bundles and sections, from the tree ---- */

struct bundle_walk {
	const struct site *s;
	const char *root;
	struct strvec *leaves, *sections;
};

static int bundle_visit(const char *dir, const git_tree_entry *e, void *data)
{
	struct bundle_walk *w = data;
	const char *name = git_tree_entry_name(e);
	struct strvec *into;
	size_t n = strlen(dir);

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (!strncmp(name, "index.", 6))
		into = w->leaves;
	else if (!strncmp(name, "_index.", 7))
		into = w->sections;
	else
		return 0;
	if (has_ending(w->s, name) && !n)
		strvec_push(into, w->root);
	else if (has_ending(w->s, name))
		strvec_push_nodup(into, xstrfmt("%s/%.*s", w->root, (int)(n - 1), dir));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is the first `n` bytes of `key` in the sorted `sv`? */
static int sorted_has(const struct strvec *sv, const char *key, size_t n)
{
	size_t lo = 0, hi = sv->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(sv->v[mid], key, n);
		if (!c && sv->v[mid][n])
			c = 1;
		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Which folders of Hugo's content trees are leaf bundles and sections:
 * Hugo decides from the files beside a page, so herald reads the tree it
 * loads the config from (for a history, the newest revision's).
 */
static int hugo_read_bundles(struct site *s, struct repo *r, git_tree *tree)
{
	struct strvec seen = STRVEC_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < s->lang_dirs.nr && !ret; i++) {
		struct bundle_walk w = { s, s->lang_dirs.v[i], &s->hugo_leaves,
					 &s->hugo_sections };
		git_tree_entry *e = NULL;
		git_tree *sub = NULL;

		if (strvec_has(&seen, w.root))
			continue;
		strvec_push(&seen, w.root);
		if (git_tree_entry_bypath(&e, tree, w.root) ||
		    git_tree_entry_type(e) != GIT_OBJECT_TREE) {
			git_tree_entry_free(e);
			continue;
		}
		if (git_tree_lookup(&sub, r->git, git_tree_entry_id(e)) < 0 ||
		    git_tree_walk(sub, GIT_TREEWALK_PRE, bundle_visit, &w) < 0)
			ret = repo_error(w.root);
		git_tree_free(sub);
		git_tree_entry_free(e);
	}
	strvec_clear(&seen);
	if (s->hugo_leaves.nr > 1)
		qsort(s->hugo_leaves.v, s->hugo_leaves.nr, sizeof(char *), cmp_str);
	if (s->hugo_sections.nr > 1)
		qsort(s->hugo_sections.v, s->hugo_sections.nr, sizeof(char *), cmp_str);
	return ret;
}

/*
 * A file below a leaf bundle's folder (other than the bundle's own
 * index.*) is one of its resources. `root` is the content folder's length.
 */
static int hugo_is_resource(const struct site *s, const char *path, size_t root)
{
	const char *base = strrchr(path, '/'), *p;
	int is_index = base && !strncmp(base + 1, "index.", 6);

	for (p = path + root + 1; (p = strchr(p, '/')); p++) {
		if (p == base && is_index)
			break;
		if (sorted_has(&s->hugo_leaves, path, (size_t)(p - path)))
			return 1;
	}
	return 0;
}

/* Jekyll's EntryFilter#excluded? for one path relative to the source. */
static int jekyll_matches(const struct strvec *list, const char *path)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		const char *pat = list->v[i];
		while (*pat == '/')
			pat++;
		if (!*pat)
			continue;
		if (*path == *pat && !strncmp(path, pat, strlen(pat)))
			return 1;
		/* a pattern without wildcards matches only itself, which the prefix test covers */
		if (strpbrk(pat, "*?[\\") && !fnmatch(pat, path, FNM_PERIOD))
			return 1;
	}
	return 0;
}

/*
 * Would Jekyll's reader reach `path`? Every prefix of it is filtered as
 * Jekyll filters folder entries: excluded (and not included) or special
 * (a leading '.', '_', '#', '~', or a trailing '~') means not read.
 * `magic` is the index of the component that may start with '_'.
 */
static int jekyll_reachable(const struct site *s, const char *path, size_t magic_start,
			    size_t magic_end)
{
	struct strbuf prefix = STRBUF_INIT;
	const char *p = path;
	int ok = 1;

	while (*p && ok) {
		const char *slash = strchr(p, '/'), *end = slash ? slash : p + strlen(p);
		size_t at = (size_t)(p - path);
		int included;

		strbuf_add(&prefix, path + prefix.len, (size_t)(end - path) - prefix.len);
		included = jekyll_matches(&s->include, prefix.buf) ||
			   jekyll_matches(&s->include, prefix.buf + at);
		if (!included && jekyll_matches(&s->exclude, prefix.buf))
			ok = 0;
		else if (!included && !(at >= magic_start && at < magic_end) &&
			 (strchr("._#~", *p) || end[-1] == '~'))
			ok = 0;
		p = slash ? slash + 1 : end;
	}
	strbuf_release(&prefix);
	return ok;
}

/* Where `name` occurs as a whole folder name in path: its offset, or -1. */
static long component(const char *path, const char *name)
{
	size_t n = strlen(name);
	const char *p = path;

	while ((p = strstr(p, name))) {
		if ((p == path || p[-1] == '/') && p[n] == '/')
			return (long)(p - path);
		p++;
	}
	return -1;
}

/*
 * Jekyll reads posts and collections only inside `collections_dir`, and
 * names them by their path below it: that path, or NULL when `path` is
 * outside it.
 */
static const char *jekyll_rel(const struct site *s, const char *path)
{
	size_t n;

	if (!s->collections_dir)
		return path;
	n = strlen(s->collections_dir);
	if (!strncmp(path, s->collections_dir, n) && path[n] == '/')
		return path + n + 1;
	return NULL;
}

static int jekyll_post_path(const struct site *s, const char *path)
{
	const char *base = strrchr(path, '/'), *rel = jekyll_rel(s, path);
	long at;
	size_t i, off;
	long long t;

	base = base ? base + 1 : path;
	if (!has_ending(s, path) || !rel)
		return 0;
	off = (size_t)(rel - path);
	at = component(rel, "_posts");
	if (at >= 0 && date_name_prefix(base, "-", NULL, &t) > 0 &&
	    jekyll_reachable(s, path, off + (size_t)at, off + (size_t)at + 1))
		return 1;
	at = component(rel, "_drafts");
	if (at >= 0 && jekyll_reachable(s, path, off + (size_t)at, off + (size_t)at + 1))
		return 1;
	for (i = 0; i < s->collections.nr; i++) {
		char *dir = xstrfmt("_%s/", s->collections.v[i]);
		int in = !strncmp(rel, dir, strlen(dir)) &&
			 jekyll_reachable(s, path, off, off + 1);
		free(dir);
		if (in)
			return 1;
	}
	return 0;
}

/* The Hugo language whose content folder holds `path`: its index, or -1. */
static long hugo_lang(const struct site *s, const char *path)
{
	long best = -1;
	size_t i, best_len = 0;

	for (i = 0; i < s->lang_dirs.nr; i++) {
		size_t n = strlen(s->lang_dirs.v[i]);
		/* languages sharing a folder: the default one, unless named in the file */
		if (!strncmp(path, s->lang_dirs.v[i], n) && path[n] == '/' &&
		    (best < 0 || n > best_len || (n == best_len && i == s->lang_default))) {
			best = (long)i;
			best_len = n;
		}
	}
	return best;
}

int site_is_post_path(const struct site *s, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	/* Hugo's and Zola's section pages (_index.md) list posts; they are not posts */
	if (!strncmp(base, "_index.", 7))
		return 0;
	if (!s->custom_globs) {
		switch (s->kind) {
		case SITE_JEKYLL:
			return jekyll_post_path(s, path);
		case SITE_HUGO: {
			long lang = hugo_lang(s, path);
			return lang >= 0 && has_ending(s, path) &&
			       !hugo_is_resource(s, path, strlen(s->lang_dirs.v[lang]));
		}
		case SITE_ZOLA:
			return !strncmp(path, "content/", 8) && strlen(base) > 3 &&
			       !strcmp(base + strlen(base) - 3, ".md");
		case SITE_GENERIC:
			break;
		}
	}
	for (i = 0; i < s->globs.nr; i++) {
		if (!glob_match(s->globs.v[i], path))
			continue;
		if (!s->glob_endings[i] || has_ending(s, path))
			return 1;
	}
	return 0;
}

int site_in_drafts(const struct site *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->drafts.nr; i++)
		if (component(path, s->drafts.v[i]) >= 0)
			return 1;
	return 0;
}

const char *site_zone_of(const struct site *s, const char *value)
{
	if (!s)
		return NULL;
	if (s->kind == SITE_JEKYLL && date_yaml_time_without_zone(value))
		return NULL;
	return s->zone;
}

const struct strvec *site_date_fields(const struct site *s)
{
	return &s->date_fields;
}

size_t site_name_date(const struct site *s, const char *path, long long *out)
{
	const char *base = strrchr(path, '/');
	int n;

	/* Hugo dates a page by its file name only when told to */
	if (s->kind == SITE_HUGO)
		return 0;
	base = base ? base + 1 : path;
	n = date_name_prefix(base, s->kind == SITE_ZOLA ? "-_" : "-", s->zone, out);
	if (n > 0)
		return (size_t)n;
	if (s->kind != SITE_JEKYLL && !strncmp(base, "index.", 6) && base > path + 1) {
		const char *dir = base - 1;
		while (dir > path && dir[-1] != '/')
			dir--;
		n = date_name_prefix(dir, s->kind == SITE_ZOLA ? "-_" : "-", s->zone, out);
		if (n > 0)
			return (size_t)n;
	}
	return 0;
}

static void add_category(struct strbuf *sb, const char *c)
{
	if (sb->len)
		strbuf_addch(sb, '/');
	for (; *c; c++) {
		unsigned char ch = (unsigned char)*c;
		if (ch == ' ')
			strbuf_addch(sb, '-');
		else
			strbuf_addch(sb, tolower(ch));
	}
}

static void categories(struct strbuf *sb, const json_t *fm)
{
	const json_t *v = json_object_get(fm, "categories");
	size_t i;
	json_t *e;

	if (!v)
		v = json_object_get(fm, "category");
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (json_is_string(e))
				add_category(sb, json_string_value(e));
	} else if (json_is_string(v)) {
		/* Jekyll splits a string of categories on spaces */
		char *copy = xstrdup(json_string_value(v)), *p = copy, *word;
		while ((word = strsep(&p, " ")))
			if (*word)
				add_category(sb, word);
		free(copy);
	}
}

/* The section of a page: the folder under content/. */
static void section_of(struct strbuf *sb, const char *post_path)
{
	const char *p = post_path ? strstr(post_path, "content/") : NULL, *slash;

	if (!p || (p != post_path && p[-1] != '/'))
		return;
	p += strlen("content/");
	slash = strchr(p, '/');
	if (slash)
		strbuf_add(sb, p, (size_t)(slash - p));
}

/* base url + path, runs of '/' folded, percent-encoded. */
static char *join_url(const struct site *s, const char *path)
{
	struct strbuf sb = STRBUF_INIT, folded = STRBUF_INIT;
	size_t i;

	if (path[0] != '/')
		strbuf_addch(&folded, '/');
	for (i = 0; path[i]; i++) {
		if (path[i] == '/' && folded.len && folded.buf[folded.len - 1] == '/')
			continue;
		strbuf_addch(&folded, path[i]);
	}
	strbuf_addstr(&sb, s->base_url);
	slug_url_escape(&sb, folded.buf);
	strbuf_release(&folded);
	return strbuf_detach(&sb, NULL);
}

/* The file name without folder and ending ("x" for "a/x.md"). */
static char *file_stem(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return xstrndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/*
 * printf's "%0*d" of v, `width` 0 for "%d": dates in urls, a few for every
 * post, where vsnprintf was most of the cost of making the url.
 */
static void add_num(struct strbuf *sb, int v, int width)
{
	char buf[16];
	int n = 0;

	if (v < 0) {
		strbuf_addf(sb, "%0*d", width, v);
		return;
	}
	do
		buf[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n < width)
		buf[n++] = '0';
	while (n)
		strbuf_addch(sb, buf[--n]);
}

/* herald's own permalink pattern; `section` fills :section. */
static char *pattern_url(const struct site *s, const char *section, const char *slug,
			 const char *title_slug, long long date, const json_t *fm)
{
	struct strbuf path = STRBUF_INIT;
	const char *p;
	struct tm tm;
	size_t i;
	char *url;

	if (!s->base_url)
		return NULL;
	memset(&tm, 0, sizeof(tm));
	date_in_zone(date < 0 ? 0 : date, s->zone, &tm);
	for (p = s->permalink; *p;) {
		static const char *const names[] = {
			":categories", ":output_ext", ":year", ":month", ":day",
			":slug", ":title", ":y_day", ":i_month", ":i_day",
			":section", ":filename", NULL,
		};
		const char *name = NULL;
		if (*p == ':') {
			for (i = 0; names[i]; i++)
				if (!strncmp(p, names[i], strlen(names[i]))) {
					name = names[i];
					break;
				}
		}
		if (!name) {
			strbuf_addch(&path, *p++);
			continue;
		}
		p += strlen(name);
		if (!strcmp(name, ":categories")) {
			categories(&path, fm);
		} else if (!strcmp(name, ":output_ext")) {
			strbuf_addstr(&path, ".html");
		} else if (!strcmp(name, ":slug")) {
			strbuf_addstr(&path, slug);
		} else if (!strcmp(name, ":title") || !strcmp(name, ":filename")) {
			strbuf_addstr(&path, title_slug);
		} else if (!strcmp(name, ":year")) {
			add_num(&path, tm.tm_year + 1900, 4);
		} else if (!strcmp(name, ":month")) {
			add_num(&path, tm.tm_mon + 1, 2);
		} else if (!strcmp(name, ":day")) {
			add_num(&path, tm.tm_mday, 2);
		} else if (!strcmp(name, ":y_day")) {
			add_num(&path, tm.tm_yday + 1, 3);
		} else if (!strcmp(name, ":i_month")) {
			add_num(&path, tm.tm_mon + 1, 0);
		} else if (!strcmp(name, ":section")) {
			strbuf_addstr(&path, section);
		} else {
			add_num(&path, tm.tm_mday, 0);
		}
	}
	url = join_url(s, path.buf);
	strbuf_release(&path);
	return url;
}

char *site_url(const struct site *s, const char *slug, const char *title_slug,
	       long long date, const json_t *fm)
{
	return pattern_url(s, "", slug, title_slug, date, fm);
}

/* ---- Jekyll ---- */

/* URL.escape_path: a placeholder's value as Jekyll escapes it. */
static void jekyll_escape(struct strbuf *out, const char *v)
{
	/* join_url() encodes what Addressable would; '%' alone is ours */
	for (; *v; v++) {
		if (*v == '%')
			strbuf_addstr(out, "%25");
		else
			strbuf_addch(out, *v);
	}
}

/* UrlDrop#categories: folders above _posts, then the front matter's. */
static void jekyll_categories(struct strbuf *out, const char *path, const json_t *fm)
{
	struct strvec cats = STRVEC_INIT, seen = STRVEC_INIT;
	long at = component(path, "_posts");
	const json_t *v;
	size_t i;
	json_t *e;

	if (at > 0) {
		char *dirs = xstrndup(path, (size_t)at - 1), *p = dirs, *w;
		while ((w = strsep(&p, "/")))
			if (*w)
				strvec_push(&cats, w);
		free(dirs);
	}
	/* `categories` (a string splits on white space), then `category` whole */
	v = json_object_get(fm, "categories");
	if (json_is_string(v)) {
		char *copy = xstrdup(json_string_value(v)), *p = copy, *w;
		while ((w = strsep(&p, " \t\n")))
			if (*w)
				strvec_push(&cats, w);
		free(copy);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_string(e))
				strvec_push(&cats, json_string_value(e));
			else if (json_is_integer(e))
				strvec_push_nodup(&cats, xstrfmt("%lld", (long long)json_integer_value(e)));
		}
	}
	v = json_object_get(fm, "category");
	if (json_is_string(v))
		strvec_push(&cats, json_string_value(v));
	else if (json_is_integer(v))
		strvec_push_nodup(&cats, xstrfmt("%lld", (long long)json_integer_value(v)));
	for (i = 0; i < cats.nr; i++) {
		struct strbuf low = STRBUF_INIT;
		slug_lower(&low, cats.v[i]);
		if (!strvec_has(&seen, low.buf)) {
			if (seen.nr)
				strbuf_addch(out, '/');
			jekyll_escape(out, low.buf);
			strvec_push(&seen, low.buf);
		}
		strbuf_release(&low);
	}
	strvec_clear(&cats);
	strvec_clear(&seen);
}

/* The `slug` Jekyll gives a post: front matter, else the file name's. */
static char *jekyll_slug_source(const struct site *s, const struct post *p)
{
	const json_t *v = json_object_get(p->fm.data, "slug");
	const char *base = strrchr(p->path, '/');
	long long t;
	size_t n;
	char *stem;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xstrfmt("%lld", (long long)json_integer_value(v));
	base = base ? base + 1 : p->path;
	n = site_name_date(s, p->path, &t);
	stem = file_stem(base + (n && n < strlen(base) ? n : 0));
	/* "slugs shouldn't end with a period" */
	n = strlen(stem);
	while (n && stem[n - 1] == '.')
		stem[--n] = '\0';
	return stem;
}

static const char *jekyll_output_ext(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return "";
	if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown") ||
	    !strcasecmp(dot, ".mkdown") || !strcasecmp(dot, ".mkdn") ||
	    !strcasecmp(dot, ".mkd") || !strcasecmp(dot, ".html") ||
	    !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".mdx"))
		return ".html";
	return dot;
}

/* URL#generate_url_from_drop over one template. */
static void jekyll_expand(struct strbuf *out, const struct site *s,
			  const struct post *p, const char *tpl, const char *collection)
{
	char *slug = jekyll_slug_source(s, p);
	const char *rel = jekyll_rel(s, p->path) ? jekyll_rel(s, p->path) : p->path;
	struct tm tm;
	const char *q;

	date_in_zone(p->date < 0 ? 0 : p->date, s->zone, &tm);
	for (q = tpl; *q;) {
		const char *start = q + 1, *end = start;
		char name[32];
		size_t n;
		struct strbuf v = STRBUF_INIT;
		int known = 1;

		if (*q != ':') {
			strbuf_addch(out, *q++);
			continue;
		}
		while ((*end >= 'a' && *end <= 'z') || *end == '_')
			end++;
		n = (size_t)(end - start);
		if (!n || n >= sizeof(name)) {
			strbuf_addch(out, *q++);
			continue;
		}
		memcpy(name, start, n);
		name[n] = '\0';
	retry:
		if (!strcmp(name, "title"))
			slug_jekyll(&v, slug, SLUG_JEKYLL_PRETTY, 1);
		else if (!strcmp(name, "slug"))
			slug_jekyll(&v, slug, SLUG_JEKYLL_DEFAULT, 0);
		else if (!strcmp(name, "name")) {
			char *stem = file_stem(p->path);
			slug_jekyll(&v, stem, SLUG_JEKYLL_DEFAULT, 0);
			free(stem);
		} else if (!strcmp(name, "categories"))
			jekyll_categories(&v, rel, p->fm.data);
		else if (!strcmp(name, "output_ext"))
			strbuf_addstr(&v, jekyll_output_ext(p->path));
		else if (!strcmp(name, "collection"))
			strbuf_addstr(&v, collection);
		else if (!strcmp(name, "path")) {
			/* the path inside the collection, without its ending */
			const char *in = strchr(rel, '/');
			const char *dot = strrchr(rel, '.');
			in = in ? in : rel;
			strbuf_add(&v, in, dot && dot > in ? (size_t)(dot - in) : strlen(in));
		} else if (!strcmp(name, "year"))
			add_num(&v, tm.tm_year + 1900, 4);
		else if (!strcmp(name, "month"))
			add_num(&v, tm.tm_mon + 1, 2);
		else if (!strcmp(name, "day"))
			add_num(&v, tm.tm_mday, 2);
		else if (!strcmp(name, "hour"))
			add_num(&v, tm.tm_hour, 2);
		else if (!strcmp(name, "minute"))
			add_num(&v, tm.tm_min, 2);
		else if (!strcmp(name, "second"))
			add_num(&v, tm.tm_sec, 2);
		else if (!strcmp(name, "i_day"))
			add_num(&v, tm.tm_mday, 0);
		else if (!strcmp(name, "i_month"))
			add_num(&v, tm.tm_mon + 1, 0);
		else if (!strcmp(name, "short_year"))
			add_num(&v, tm.tm_year % 100, 2);
		else if (!strcmp(name, "y_day"))
			add_num(&v, tm.tm_yday + 1, 3);
		else if (!strcmp(name, "short_month") || !strcmp(name, "long_month") ||
			 !strcmp(name, "short_day") || !strcmp(name, "long_day") ||
			 !strcmp(name, "w_year") || !strcmp(name, "week") ||
			 !strcmp(name, "w_day")) {
			char buf[32];
			size_t len;
			if (!strcmp(name, "short_month"))
				len = strftime(buf, sizeof(buf), "%b", &tm);
			else if (!strcmp(name, "long_month"))
				len = strftime(buf, sizeof(buf), "%B", &tm);
			else if (!strcmp(name, "short_day"))
				len = strftime(buf, sizeof(buf), "%a", &tm);
			else if (!strcmp(name, "long_day"))
				len = strftime(buf, sizeof(buf), "%A", &tm);
			else if (!strcmp(name, "w_year"))
				len = strftime(buf, sizeof(buf), "%G", &tm);
			else if (!strcmp(name, "week"))
				len = strftime(buf, sizeof(buf), "%V", &tm);
			else
				len = strftime(buf, sizeof(buf), "%u", &tm);
			strbuf_add(&v, buf, len);
		} else if (n > 1 && name[n - 1] == '_') {
			/* "/:month_:day" is :month then "_" */
			name[--n] = '\0';
			end--;
			goto retry;
		} else {
			known = 0;
		}
		if (known) {
			strbuf_add(out, v.buf, v.len);
			q = end;
		} else {
			/* Jekyll stops the build here; herald keeps the text */
			strbuf_addch(out, *q++);
		}
		strbuf_release(&v);
	}
	free(slug);
}

/* URL#sanitize_url: "/" first, ".." -> "/", "./" dropped. */
static void jekyll_sanitize(struct strbuf *path)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	size_t i;

	strbuf_addch(&sb, '/');
	for (i = 0; i < path->len; i++) {
		if (path->buf[i] == '.' && i + 1 < path->len && path->buf[i + 1] == '.') {
			strbuf_addch(&sb, '/');
			i++;
		} else {
			strbuf_addch(&sb, path->buf[i]);
		}
	}
	for (i = 0; i < sb.len; i++) {
		if (sb.buf[i] == '.' && i + 1 < sb.len && sb.buf[i + 1] == '/') {
			i++;
			continue;
		}
		strbuf_addch(&out, sb.buf[i]);
	}
	strbuf_release(&sb);
	strbuf_release(path);
	*path = out;
}

static char *jekyll_url(const struct site *s, const struct post *p)
{
	const char *own = value_str(p->fm.data, "permalink");
	const char *tpl = s->permalink, *collection = "posts";
	struct strbuf path = STRBUF_INIT;
	const char *rel = jekyll_rel(s, p->path) ? jekyll_rel(s, p->path) : p->path;
	size_t i;
	char *url;

	for (i = 0; i < s->collections.nr; i++) {
		size_t n = strlen(s->collections.v[i]);
		if (rel[0] == '_' && !strncmp(rel + 1, s->collections.v[i], n) &&
		    rel[n + 1] == '/') {
			collection = s->collections.v[i];
			tpl = s->collection_links.v[i];
		}
	}
	if (own && *own)
		tpl = own;
	jekyll_expand(&path, s, p, tpl, collection);
	jekyll_sanitize(&path);
	url = join_url(s, path.buf);
	strbuf_release(&path);
	return url;
}

/* Jekyll's Utils.deep_merge_hashes(defaults, data) into `data`: data wins. */
static void merge_under(json_t *data, const json_t *defaults)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)defaults, k, v) {
		json_t *have = json_object_get(data, k);
		if (!have)
			json_object_set_new(data, k, json_deep_copy(v));
		else if (json_is_object(have) && json_is_object(v))
			merge_under(have, v);
	}
}

/* ... and Utils.deep_merge_hashes(into, values): values win. */
static void merge_over(json_t *into, const json_t *values)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)values, k, v) {
		json_t *have = json_object_get(into, k);
		if (json_is_object(have) && json_is_object(v))
			merge_over(have, v);
		else
			json_object_set_new(into, k, json_deep_copy(v));
	}
}

/* A defaults scope's path, from FrontmatterDefaults#sanitize_path: no leading '/'. */
static const char *scope_path(const json_t *scope)
{
	const char *p = value_str(scope, "path");

	if (!p)
		return "";
	return *p == '/' ? p + 1 : p;
}

/* FrontmatterDefaults#strip_collections_dir */
static const char *strip_cdir(const struct site *s, const char *p)
{
	const char *rel = jekyll_rel(s, p);
	return s->collections_dir && rel ? rel : p;
}

/*
 * FrontmatterDefaults#applies_path?: the scope's path is a string prefix
 * of the document's path below collections_dir; a scope with a '*' is a
 * glob over the site's files, so it applies when the glob matches the
 * document or a folder above it.
 */
static int scope_applies_path(const struct site *s, const json_t *scope,
			      const char *path, const char *rel)
{
	const json_t *v = json_object_get(scope, "path");
	const char *sp = json_is_string(v) ? json_string_value(v) : NULL;
	struct strbuf prefix = STRBUF_INIT;
	const char *p;
	int ret = 0;

	if (!sp || !*sp)
		return 1;
	if (!strchr(sp, '*')) {
		sp = strip_cdir(s, sp);
		return !strncmp(rel, sp, strlen(sp));
	}
	while (*sp == '/')
		sp++;
	for (p = path; !ret; p++) {
		if (*p && *p != '/')
			continue;
		strbuf_reset(&prefix);
		strbuf_add(&prefix, path, (size_t)(p - path));
		if (glob_match(sp, prefix.buf)) {
			const char *st = strip_cdir(s, prefix.buf);
			ret = !strncmp(rel, st, strlen(st));
		}
		if (!*p)
			break;
	}
	strbuf_release(&prefix);
	return ret;
}

/* FrontmatterDefaults#applies_type?, with the deprecated singular names. */
static int scope_applies_type(const json_t *scope, const char *type)
{
	const char *t = value_str(scope, "type");

	if (!json_object_get(scope, "type"))
		return 1;
	if (!t)
		return 0;
	if (!strcmp(t, "post"))
		t = "posts";
	else if (!strcmp(t, "page"))
		t = "pages";
	else if (!strcmp(t, "draft"))
		t = "drafts";
	return !strcmp(t, type);
}

/* FrontmatterDefaults#has_precedence? */
static int scope_wins(const json_t *old, const json_t *new)
{
	size_t on, nn;

	if (!old)
		return 1;
	on = strlen(scope_path(old));
	nn = strlen(scope_path(new));
	if (on != nn)
		return nn >= on;
	if (json_object_get(new, "type"))
		return 1;
	return !json_object_get(old, "type");
}

/* Appends a categories value (a list, or a string of words) to `all`, without repeats. */
static void add_categories(json_t *all, const json_t *v)
{
	size_t i, j;
	json_t *e, *have;

	if (json_is_string(v)) {
		char *copy = xstrdup(json_string_value(v)), *p = copy, *w;
		json_t *words = json_array();
		while ((w = strsep(&p, " \t\n")))
			if (*w)
				json_array_append_new(words, json_string(w));
		free(copy);
		add_categories(all, words);
		json_decref(words);
		return;
	}
	json_array_foreach(v, i, e) {
		int seen = 0;
		json_array_foreach(all, j, have)
			seen = seen || json_equal(have, e);
		if (!seen && !json_is_null(e))
			json_array_append(all, e);
	}
}

/*
 * Which sets of `defaults:` apply to `path`: their indexes, in order, in
 * v[] (room for every set). Returns how many, or -1 when the site has none
 * to apply there (not Jekyll, no defaults, outside collections_dir).
 */
static long applying_sets(const struct site *s, const char *path, size_t *v)
{
	const char *rel = jekyll_rel(s, path), *type = "pages";
	json_t *set;
	size_t i, nr = 0;

	if (s->kind != SITE_JEKYLL || !s->jekyll_defaults || !rel)
		return -1;
	/* drafts are documents of the posts collection */
	if (component(rel, "_posts") >= 0 || component(rel, "_drafts") >= 0)
		type = "posts";
	for (i = 0; i < s->collections.nr; i++) {
		size_t n = strlen(s->collections.v[i]);
		if (rel[0] == '_' && !strncmp(rel + 1, s->collections.v[i], n) && rel[n + 1] == '/')
			type = s->collections.v[i];
	}
	json_array_foreach(s->jekyll_defaults, i, set) {
		const json_t *scope = json_object_get(set, "scope");
		/* a set without a scope (NULL here) applies everywhere */
		if (!json_is_object(scope))
			scope = NULL;
		if (scope_applies_type(scope, type) && scope_applies_path(s, scope, path, rel))
			v[nr++] = i;
	}
	return (long)nr;
}

int site_defaults_same(const struct site *s, const char *a, const char *b)
{
	size_t n = s->jekyll_defaults ? json_array_size(s->jekyll_defaults) : 0;
	size_t *va = xcalloc(n + 1, sizeof(*va)), *vb = xcalloc(n + 1, sizeof(*vb));
	long na = applying_sets(s, a, va), nb = applying_sets(s, b, vb);
	int same = na == nb && (na <= 0 || !memcmp(va, vb, (size_t)na * sizeof(*va)));

	free(va);
	free(vb);
	return same;
}

void site_apply_defaults(const struct site *s, const char *path, json_t *fm)
{
	const json_t *old = NULL;
	json_t *defaults, *set, *none;
	size_t k, nr, few[8], *applying;
	long found;

	if (!s->jekyll_defaults || !json_is_object(fm))
		return;
	applying = json_array_size(s->jekyll_defaults) <= ARRAY_SIZE(few) ? few :
		   xcalloc(json_array_size(s->jekyll_defaults), sizeof(*applying));
	if ((found = applying_sets(s, path, applying)) < 0) {
		if (applying != few)
			free(applying);
		return;
	}
	nr = (size_t)found;
	none = json_object();
	if (nr == 1) {
		/* one set: its values are the defaults, merged as they are (no copy first) */
		set = json_array_get(s->jekyll_defaults, applying[0]);
		defaults = json_incref(json_object_get(set, "values"));
		nr = 0;
	} else {
		defaults = json_object();
	}
	for (k = 0; k < nr; k++) {
		const json_t *scope, *values;
		set = json_array_get(s->jekyll_defaults, applying[k]);
		scope = json_object_get(set, "scope");
		values = json_object_get(set, "values");
		if (!json_is_object(scope))
			scope = none;
		if (scope_wins(old, scope)) {
			merge_over(defaults, values);
			old = scope;
		} else {
			/* deep_merge_hashes(values, defaults): what came first wins */
			json_t *next = json_deep_copy(values);
			merge_over(next, defaults);
			json_decref(defaults);
			defaults = next;
		}
	}
	/*
	 * Document#merge_categories!: a document's categories are the union
	 * of the defaults' and its own (a string splits on white space)
	 */
	if (json_object_get(defaults, "categories") && json_object_get(fm, "categories") &&
	    !json_is_null(json_object_get(fm, "categories"))) {
		json_t *all = json_array();
		add_categories(all, json_object_get(defaults, "categories"));
		add_categories(all, json_object_get(fm, "categories"));
		json_object_set_new(fm, "categories", all);
	}
	merge_under(fm, defaults);
	json_decref(defaults);
	json_decref(none);
	if (applying != few)
		free(applying);
}

/* ---- Hugo ---- */

static const char *field_str(const json_t *fm, const char *key, int any_case)
{
	const json_t *v = any_case ? ci_get(fm, key) : json_object_get(fm, key);
	return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
}

/* Hugo's :filename and bundle name: the folder of index.md, else the stem. */
static char *hugo_base_name(const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	if (!strncmp(base, "index.", 6) && base > rel + 1) {
		const char *dir = base - 1;
		while (dir > rel && dir[-1] != '/')
			dir--;
		return xstrndup(dir, (size_t)(base - 1 - dir));
	}
	return file_stem(base);
}

static void hugo_urlize(struct strbuf *out, const struct site *s, const char *v)
{
	struct strbuf t = STRBUF_INIT;

	/* URLize: spaces to '-' first (TrimSpace), then the path sanitising */
	strbuf_addstr(&t, v);
	while (t.len && (t.buf[t.len - 1] == ' ' || t.buf[t.len - 1] == '\t'))
		strbuf_setlen(&t, t.len - 1);
	slug_hugo(out, t.buf[0] == ' ' ? t.buf + strspn(t.buf, " \t") : t.buf, s->path_lower);
	strbuf_release(&t);
}

/* Where content root `m` is mounted below the content folder ("" for its top). */
static const char *hugo_target(const struct site *s, long m)
{
	return (size_t)m < s->lang_targets.nr ? s->lang_targets.v[m] : "";
}

/* Does the content folder rel[0..n), as content root `m` gives it, hold an _index.*? */
static int hugo_is_section(const struct site *s, long m, const char *rel, size_t n)
{
	const char *target = hugo_target(s, m);
	size_t tn = strlen(target);
	struct strbuf repo = STRBUF_INIT;
	int ret;

	if (tn && (n < tn || strncmp(rel, target, tn) || (n > tn && rel[tn] != '/')))
		return 0;
	strbuf_addstr(&repo, s->lang_dirs.v[m]);
	if (tn)
		strbuf_add(&repo, rel + tn, n - tn);
	else
		strbuf_addf(&repo, "/%.*s", (int)n, rel);
	ret = sorted_has(&s->hugo_sections, repo.buf, repo.len);
	strbuf_release(&repo);
	return ret;
}

/*
 * Hugo's current section of a page whose path below the content folder
 * is `rel` (from content root `m`): the deepest folder above it holding an
 * _index.* file, else the first folder; its path goes to `out`. Returns
 * whether that folder has an _index.* file: Hugo 0.111 slices
 * :sections[...] from that file's path, so without one the slice is empty.
 */
static int hugo_current_section(const struct site *s, long m, const char *rel,
				struct strbuf *out)
{
	const char *top = strchr(rel, '/'), *p = strrchr(rel, '/');

	if (!top)
		return 0;
	while (p > top) {
		if (hugo_is_section(s, m, rel, (size_t)(p - rel))) {
			strbuf_add(out, rel, (size_t)(p - rel));
			return 1;
		}
		do
			p--;
		while (p > top && *p != '/');
	}
	strbuf_add(out, rel, (size_t)(top - rel));
	return hugo_is_section(s, m, rel, (size_t)(top - rel));
}

/* One end of a :sections[low:high] slice, as Hugo 0.111 reads it; -1 for none. */
static long slice_end(const char *v, size_t n, size_t len, int low)
{
	long i;

	if (!n)
		return low ? 0 : (long)len;
	if (n == 4 && !strncasecmp(v, "last", 4))
		return (long)len - 1;
	i = strtol(v, NULL, 10);
	if (i < 0)
		i = 0;
	if ((size_t)i >= len)
		return low ? -1 : (long)len;
	return i;
}

/*
 * :sections[spec]: `spec` is what the brackets hold, [N], [last] or
 * [low:high]. Out-of-range indices give nothing (Hugo 0.111 panics on some).
 */
static void hugo_sections_slice(struct strbuf *out, const char *sections, int has_entries,
				const char *spec, size_t n)
{
	struct strvec parts = STRVEC_INIT;
	const char *colon = memchr(spec, ':', n);
	long lo, hi, i;

	if (has_entries) {
		char *copy = xstrdup(sections), *p = copy, *w;
		while ((w = strsep(&p, "/")))
			if (*w)
				strvec_push(&parts, w);
		free(copy);
	}
	while (n && spec[0] == ' ') {
		spec++;
		n--;
	}
	while (n && spec[n - 1] == ' ')
		n--;
	if (!parts.nr)
		goto out;
	if (!colon) {
		lo = slice_end(spec, n, parts.nr, 1);
		hi = lo < 0 ? -1 : lo + 1;
	} else {
		size_t k = (size_t)(colon - spec);
		lo = slice_end(spec, k, parts.nr, 1);
		hi = slice_end(colon + 1, n - k - 1, parts.nr, 0);
	}
	for (i = lo; lo >= 0 && i < hi; i++) {
		if (i > lo)
			strbuf_addch(out, '/');
		strbuf_addstr(out, parts.v[i]);
	}
out:
	strvec_clear(&parts);
}

static char *hugo_url(const struct site *s, const struct post *p)
{
	long lang = hugo_lang(s, p->path);
	const char *own = field_str(p->fm.data, "url", 1);
	const char *slug = field_str(p->fm.data, "slug", 1);
	const char *rel, *pattern = NULL, *dir_end, *q;

	if (!slug && p->slug_from_name)
		slug = p->slug;
	struct strbuf path = STRBUF_INIT, raw = STRBUF_INIT, section = STRBUF_INIT;
	struct strbuf sections = STRBUF_INIT, mounted = STRBUF_INIT;
	int has_entries = 0;
	long root;
	char *name, *url;
	struct tm tm;

	if (own && !strstr(own, "://")) {
		url = join_url(s, own);
		return url;
	}
	rel = lang >= 0 ? p->path + strlen(s->lang_dirs.v[lang]) + 1 : p->path;
	if (lang >= 0 && *hugo_target(s, lang)) {
		strbuf_addf(&mounted, "%s/%s", hugo_target(s, lang), rel);
		rel = mounted.buf;
	}
	root = lang;
	name = hugo_base_name(rel);
	/* a translation by file name: about.fr.md */
	if (lang >= 0 && s->multilingual) {
		char *dot = strrchr(name, '.');
		size_t i;
		for (i = 0; dot && i < s->lang_names.nr; i++)
			if (!strcasecmp(dot + 1, s->lang_names.v[i])) {
				*dot = '\0';
				lang = (long)i;
				break;
			}
	}
	q = strchr(rel, '/');
	if (q)
		strbuf_add(&section, rel, (size_t)(q - rel));
	if (section.len && s->permalinks)
		pattern = value_str(s->permalinks, section.buf);
	if (pattern && root >= 0)
		has_entries = hugo_current_section(s, root, rel, &sections);
	date_at_offset(p->url_date < 0 ? -62135596800LL : p->url_date, p->url_date_offset, &tm);
	if (lang >= 0)
		strbuf_addstr(&path, s->lang_prefixes.v[lang]);
	if (pattern) {
		const char *title = p->title ? p->title : name;
		for (q = pattern; *q;) {
			/* a token that begins another comes after it: the first match wins */
			static const char *const tokens[] = {
				":yearday", ":year", ":monthname", ":month", ":day", ":weekdayname",
				":weekday", ":sections", ":section",
				":slugorfilename", ":slug", ":title", ":filename", NULL,
			};
			const char *tok = NULL;
			size_t i;
			for (i = 0; *q == ':' && tokens[i]; i++)
				if (!strncmp(q, tokens[i], strlen(tokens[i]))) {
					tok = tokens[i];
					break;
				}
			if (!tok) {
				strbuf_addch(&raw, *q++);
				continue;
			}
			q += strlen(tok);
			if (!strcmp(tok, ":year"))
				add_num(&raw, tm.tm_year + 1900, 4);
			else if (!strcmp(tok, ":month"))
				add_num(&raw, tm.tm_mon + 1, 2);
			else if (!strcmp(tok, ":day"))
				add_num(&raw, tm.tm_mday, 2);
			else if (!strcmp(tok, ":yearday"))
				add_num(&raw, tm.tm_yday + 1, 0);
			else if (!strcmp(tok, ":weekday"))
				add_num(&raw, tm.tm_wday, 0);
			else if (!strcmp(tok, ":monthname") || !strcmp(tok, ":weekdayname")) {
				char buf[32];
				size_t len = tok[3] == 'n' ? strftime(buf, sizeof(buf), "%B", &tm)
							   : strftime(buf, sizeof(buf), "%A", &tm);
				strbuf_add(&raw, buf, len);
			} else if (!strcmp(tok, ":section"))
				strbuf_add(&raw, section.buf, section.len);
			else if (!strcmp(tok, ":sections") && *q == '[' && strchr(q, ']')) {
				const char *close = strchr(q, ']');
				hugo_sections_slice(&raw, sections.buf, has_entries, q + 1,
						    (size_t)(close - q - 1));
				q = close + 1;
			} else if (!strcmp(tok, ":sections"))
				strbuf_add(&raw, sections.buf, sections.len);
			else if (!strcmp(tok, ":slug"))
				strbuf_addstr(&raw, slug ? slug : title);
			else if (!strcmp(tok, ":slugorfilename"))
				strbuf_addstr(&raw, slug ? slug : name);
			else if (!strcmp(tok, ":title"))
				strbuf_addstr(&raw, title);
			else
				strbuf_addstr(&raw, name);
		}
		hugo_urlize(&path, s, raw.buf);
		if (path.len && path.buf[path.len - 1] != '/' && !s->ugly_urls &&
		    !strrchr(strrchr(path.buf, '/') ? strrchr(path.buf, '/') : path.buf, '.'))
			strbuf_addch(&path, '/');
	} else {
		/* the path below the content folder, the last part the slug */
		const char *last = strrchr(rel, '/');
		dir_end = last ? last : rel;
		if (last && !strncmp(last + 1, "index.", 6)) {
			const char *d = last;
			while (d > rel && d[-1] != '/')
				d--;
			dir_end = d > rel ? d - 1 : rel;
		}
		strbuf_addch(&raw, '/');
		strbuf_add(&raw, rel, (size_t)(dir_end - rel));
		strbuf_addch(&raw, '/');
		strbuf_addstr(&raw, slug ? slug : name);
		hugo_urlize(&path, s, raw.buf);
		strbuf_addstr(&path, s->ugly_urls ? ".html" : "/");
	}
	url = join_url(s, path.buf);
	free(name);
	strbuf_release(&path);
	strbuf_release(&raw);
	strbuf_release(&section);
	strbuf_release(&sections);
	strbuf_release(&mounted);
	return url;
}

/* ---- Zola ---- */

/* Zola's slugify_paths() under [slugify] paths = "on", "safe" or "off". */
static void zola_slugify(struct strbuf *out, const struct site *s, const char *v)
{
	size_t n = strlen(v), i;

	switch (s->zola_slugify) {
	case ZOLA_SLUG_ON:
		slug_zola(out, v);
		break;
	case ZOLA_SLUG_SAFE:
		/* characters NTFS forbids go, and trailing spaces and dots */
		while (n && (v[n - 1] == ' ' || v[n - 1] == '.'))
			n--;
		for (i = 0; i < n; i++)
			if (!strchr("<>:\"/\\|?*", v[i]))
				strbuf_addch(out, v[i]);
		break;
	case ZOLA_SLUG_OFF:
		strbuf_addstr(out, v);
		break;
	}
}

/*
 * The language a Zola file name names (`foo.fr.md`, `index.fr.md`): cuts
 * ".fr" from `stem` and returns "fr" (the site's), or NULL when it names none.
 */
static const char *zola_lang(const struct site *s, char *stem)
{
	char *dot = strrchr(stem, '.');
	size_t i;

	if (!dot)
		return NULL;
	for (i = 0; i < s->zola_langs.nr; i++)
		if (!strcmp(dot + 1, s->zola_langs.v[i])) {
			*dot = '\0';
			return s->zola_langs.v[i];
		}
	if (s->zola_default_lang && !strcmp(dot + 1, s->zola_default_lang)) {
		*dot = '\0';
		return s->zola_default_lang;
	}
	return NULL;
}

static char *zola_url(const struct site *s, const struct post *p)
{
	const char *own = field_str(p->fm.data, "path", 0);
	const char *slug = field_str(p->fm.data, "slug", 0);
	const char *rel = p->path + strlen("content/"), *base = strrchr(rel, '/');
	struct strbuf path = STRBUF_INIT;
	const char *dir_end, *lang;
	char *name, *stem, *url;
	long long t;
	size_t n;

	base = base ? base + 1 : rel;
	stem = file_stem(base);
	lang = zola_lang(s, stem);
	if (own) {
		/* a page's own path: no language prefix */
		own += strspn(own, " \t");
		while (*own == '/')
			own++;
		strbuf_addf(&path, "/%s", own);
		while (path.len > 1 && (path.buf[path.len - 1] == ' ' || path.buf[path.len - 1] == '\t'))
			strbuf_setlen(&path, path.len - 1);
	} else {
		dir_end = base > rel ? base - 1 : rel;
		if (!strcmp(stem, "index") && base > rel) {
			const char *d = base - 1;
			while (d > rel && d[-1] != '/')
				d--;
			name = xstrndup(d, (size_t)(base - 1 - d));
			dir_end = d > rel ? d - 1 : rel;
		} else {
			name = xstrdup(stem);
		}
		n = (size_t)date_name_prefix(name, "-_", NULL, &t);
		if (n > 0 && n < strlen(name) && n < 64)
			memmove(name, name + n, strlen(name + n) + 1);
		if (lang && s->zola_default_lang && strcmp(lang, s->zola_default_lang))
			strbuf_addf(&path, "/%s", lang);
		strbuf_addch(&path, '/');
		strbuf_add(&path, rel, (size_t)(dir_end - rel));
		strbuf_addch(&path, '/');
		zola_slugify(&path, s, slug ? slug : name);
		free(name);
	}
	free(stem);
	if (!path.len || path.buf[path.len - 1] != '/')
		strbuf_addch(&path, '/');
	url = join_url(s, path.buf);
	strbuf_release(&path);
	return url;
}

char *site_post_url(const struct site *s, const struct post *p)
{
	struct strbuf sec = STRBUF_INIT;
	char *title_slug, *url;
	long long t;
	size_t n;

	if (!s->base_url)
		return NULL;
	if (!s->custom_permalink) {
		switch (s->kind) {
		case SITE_JEKYLL:
			return jekyll_url(s, p);
		case SITE_HUGO:
			if (hugo_lang(s, p->path) >= 0)
				return hugo_url(s, p);
			break;
		case SITE_ZOLA:
			if (!strncmp(p->path, "content/", 8))
				return zola_url(s, p);
			break;
		case SITE_GENERIC:
			break;
		}
	}
	/* a page's own address wins over any pattern: Hugo's `url`, Zola's `path` */
	{
		const char *own = value_str(p->fm.data, "url");
		if (!own)
			own = value_str(p->fm.data, "path");
		if (own && *own && !strstr(own, "://")) {
			if (s->kind == SITE_ZOLA && !strncmp(p->path, "content/", 8))
				return zola_url(s, p);
			return join_url(s, own);
		}
	}
	title_slug = file_stem(p->path);
	if (!strncmp(strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path, "index.", 6)) {
		free(title_slug);
		title_slug = hugo_base_name(p->path);
	}
	n = (size_t)date_name_prefix(title_slug, s->kind == SITE_ZOLA ? "-_" : "-", NULL, &t);
	if (n && n < strlen(title_slug))
		memmove(title_slug, title_slug + n, strlen(title_slug + n) + 1);
	section_of(&sec, p->path);
	url = pattern_url(s, sec.buf, p->slug ? p->slug : title_slug,
			  title_slug, p->date, p->fm.data);
	strbuf_release(&sec);
	free(title_slug);
	return url;
}
