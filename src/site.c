#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herald/frontmatter.h"
#include "herald/glob.h"
#include "herald/link.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/toml.h"
#include "herald/usage.h"
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

static const char *str_or_null(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void apply_herald_config(struct site *s, const json_t *c)
{
	const json_t *fields = json_object_get(c, "fields");
	struct strvec globs = STRVEC_INIT;
	const json_t *v;

	if (get_list(json_object_get(c, "posts"), &globs) && globs.nr)
		site_set_globs(s, &globs);
	strvec_clear(&globs);
	get_list(json_object_get(c, "drafts"), &s->drafts);
	get_list(json_object_get(c, "endings"), &s->endings);
	if (str_or_null(c, "title"))
		set_str(&s->title, str_or_null(c, "title"));
	if (str_or_null(c, "base_url"))
		set_base_url(s, str_or_null(c, "base_url"), NULL);
	if (str_or_null(c, "permalink"))
		set_str(&s->permalink, str_or_null(c, "permalink"));
	v = json_object_get(c, "future");
	if (v)
		s->future = frontmatter_truthy(v);
	if (json_is_object(fields)) {
		if (str_or_null(fields, "draft"))
			set_str(&s->draft_field, str_or_null(fields, "draft"));
		if (str_or_null(fields, "published"))
			set_str(&s->published_field, str_or_null(fields, "published"));
		if (str_or_null(fields, "title"))
			set_str(&s->title_field, str_or_null(fields, "title"));
		get_list(json_object_get(fields, "date"), &s->date_fields);
		get_list(json_object_get(fields, "summary"), &s->summary_fields);
		get_list(json_object_get(fields, "image"), &s->image_fields);
		get_list(json_object_get(fields, "subtitle"), &s->subtitle_fields);
	}
}

static void apply_jekyll_config(struct site *s, const json_t *c)
{
	const char *permalink = str_or_null(c, "permalink");
	const json_t *future = json_object_get(c, "future");

	if (str_or_null(c, "title"))
		set_str(&s->title, str_or_null(c, "title"));
	set_base_url(s, str_or_null(c, "url"), str_or_null(c, "baseurl"));
	if (!permalink || !strcmp(permalink, "date"))
		permalink = JEKYLL_PERMALINK;
	else if (!strcmp(permalink, "pretty"))
		permalink = "/:categories/:year/:month/:day/:title/";
	else if (!strcmp(permalink, "ordinal"))
		permalink = "/:categories/:year/:y_day/:title:output_ext";
	else if (!strcmp(permalink, "none"))
		permalink = "/:categories/:title:output_ext";
	set_str(&s->permalink, permalink);
	if (future)
		s->future = frontmatter_truthy(future);
}

/*
 * Reads a config file (YAML, or TOML for a .toml name) from the tree; 1 when
 * absent, -1 when broken (with a warning naming the file).
 */
static int read_config(struct repo *r, git_tree *tree, const char *path,
		       json_t **out)
{
	git_blob *blob = NULL;
	struct frontmatter fm;
	const struct frontmatter_problem *p;
	size_t n = strlen(path);
	int ret;

	*out = NULL;
	ret = repo_tree_blob(r, tree, path, &blob);
	if (ret)
		return ret;
	frontmatter_init(&fm);
	if (git_blob_rawsize(blob) > FRONTMATTER_MAX_BYTES) {
		warning("%s: larger than 1 MiB; ignored", path);
		ret = -1;
	} else if (n > 5 && !strcmp(path + n - 5, ".toml")) {
		struct toml_error terr;
		if (toml_parse(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
			       0, out, &terr) < 0) {
			warning("%s:%d:%d: %s; the file is ignored", path, terr.line,
				terr.column, terr.message);
			ret = -1;
		}
	} else if (frontmatter_parse_yaml(&fm, git_blob_rawcontent(blob),
					  (size_t)git_blob_rawsize(blob), 1, out) < 0) {
		p = frontmatter_first_error(&fm);
		warning("%s:%d:%d: %s; the file is ignored", path, p->line,
			p->column, p->message);
		ret = -1;
	}
	if (!ret && *out && !json_is_object(*out)) {
		warning("%s: not a mapping; ignored", path);
		json_decref(*out);
		*out = NULL;
		ret = -1;
	}
	frontmatter_release(&fm);
	git_blob_free(blob);
	return ret;
}

/*
 * Hugo (hugo.toml, hugo.yaml, config.toml with baseURL): its base url,
 * title, buildFuture and the permalink of the posts section; the default
 * is Hugo's own, the section and the slug.
 */
static void apply_hugo_config(struct site *s, const json_t *c)
{
	const json_t *links = json_object_get(c, "permalinks"), *future;
	static const char *const sections[] = { "posts", "post", "blog", NULL };
	const char *permalink = NULL, *k;
	json_t *v;
	size_t i;

	if (str_or_null(c, "title"))
		set_str(&s->title, str_or_null(c, "title"));
	set_base_url(s, str_or_null(c, "baseURL") ? str_or_null(c, "baseURL")
						  : str_or_null(c, "baseurl"), NULL);
	/* Hugo 0.112+ nests section permalinks under "page" */
	if (json_is_object(json_object_get(links, "page")))
		links = json_object_get(links, "page");
	for (i = 0; sections[i] && !permalink; i++)
		permalink = str_or_null(links, sections[i]);
	if (!permalink && json_is_object(links))
		json_object_foreach((json_t *)links, k, v)
			if (!permalink && json_is_string(v))
				permalink = json_string_value(v);
	set_str(&s->permalink, permalink ? permalink : "/:section/:slug/");
	future = json_object_get(c, "buildFuture");
	if (future)
		s->future = frontmatter_truthy(future);
}

/* Zola (config.toml with base_url): pages live at /SECTION/SLUG/. */
static void apply_zola_config(struct site *s, const json_t *c)
{
	if (str_or_null(c, "title"))
		set_str(&s->title, str_or_null(c, "title"));
	set_base_url(s, str_or_null(c, "base_url"), NULL);
	set_str(&s->permalink, "/:section/:slug/");
}

/* The first site generator config found: Hugo's or Zola's; 0 when one was. */
static int load_generator_config(struct site *s, struct repo *r, git_tree *tree)
{
	static const char *const files[] = {
		"hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", NULL,
	};
	json_t *c = NULL;
	size_t i;

	for (i = 0; files[i]; i++) {
		if (read_config(r, tree, files[i], &c) || !c)
			continue;
		set_str(&s->config_path, files[i]);
		if (json_object_get(c, "base_url") && !json_object_get(c, "baseURL"))
			apply_zola_config(s, c);
		else
			apply_hugo_config(s, c);
		json_decref(c);
		return 0;
	}
	return 1;
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

	if (!tree || !file || repo_tree_blob(r, tree, file, &blob))
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

int site_load(struct site *s, struct repo *r, git_tree *tree,
	      const struct strvec *cli_globs)
{
	struct strvec globs = STRVEC_INIT;
	json_t *c = NULL;
	int ret = 0;

	if (tree && !read_config(r, tree, ".herald.yml", &c)) {
		set_str(&s->config_path, ".herald.yml");
		/* a Jekyll site still gives its url when .herald.yml has none */
		if (c && !json_object_get(c, "base_url")) {
			json_t *j = NULL;
			if (!read_config(r, tree, "_config.yml", &j) && j)
				set_base_url(s, str_or_null(j, "url"),
					     str_or_null(j, "baseurl"));
			json_decref(j);
		}
		if (c)
			apply_herald_config(s, c);
	} else if (tree && !read_config(r, tree, "_config.yml", &c)) {
		set_str(&s->config_path, "_config.yml");
		if (c)
			apply_jekyll_config(s, c);
	} else if (tree) {
		load_generator_config(s, r, tree);
	}
	json_decref(c);
	check_base_url(s, r, tree);
	if (repo_config_multivar(r, "herald.posts", &globs) < 0)
		ret = -1;
	else if (globs.nr)
		site_set_globs(s, &globs);
	strvec_clear(&globs);
	if (cli_globs && cli_globs->nr)
		site_set_globs(s, cli_globs);
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

int site_is_post_path(const struct site *s, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	/* Hugo's section pages (_index.md) list posts; they are not posts */
	if (!strncmp(base, "_index.", 7))
		return 0;
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

	for (i = 0; i < s->drafts.nr; i++) {
		const char *d = s->drafts.v[i];
		size_t n = strlen(d);
		const char *p = path;
		while ((p = strstr(p, d))) {
			if ((p == path || p[-1] == '/') && p[n] == '/')
				return 1;
			p++;
		}
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

/* The section of a Hugo or Zola page: the folder under content/. */
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

char *site_url(const struct site *s, const char *slug, const char *title_slug,
	       long long date, const json_t *fm)
{
	return site_post_url(s, NULL, slug, title_slug, date, fm);
}

char *site_post_url(const struct site *s, const char *post_path, const char *slug,
		    const char *title_slug, long long date, const json_t *fm)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const char *p, *own;
	struct tm tm;
	time_t t = (time_t)(date < 0 ? 0 : date);
	size_t i;

	if (!s->base_url)
		return NULL;
	/* a page's own address: Hugo's `url`, Zola's `path` */
	own = str_or_null(fm, "url");
	if (!own)
		own = str_or_null(fm, "path");
	if (own && *own && !strstr(own, "://")) {
		strbuf_addstr(&path, own);
		goto join;
	}
	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
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
			struct strbuf c = STRBUF_INIT;
			categories(&c, fm);
			strbuf_add(&path, c.buf, c.len);
			strbuf_release(&c);
		} else if (!strcmp(name, ":output_ext")) {
			strbuf_addstr(&path, ".html");
		} else if (!strcmp(name, ":slug")) {
			strbuf_addstr(&path, slug);
		} else if (!strcmp(name, ":title")) {
			strbuf_addstr(&path, title_slug);
		} else if (!strcmp(name, ":year")) {
			strbuf_addf(&path, "%04d", tm.tm_year + 1900);
		} else if (!strcmp(name, ":month")) {
			strbuf_addf(&path, "%02d", tm.tm_mon + 1);
		} else if (!strcmp(name, ":day")) {
			strbuf_addf(&path, "%02d", tm.tm_mday);
		} else if (!strcmp(name, ":y_day")) {
			strbuf_addf(&path, "%03d", tm.tm_yday + 1);
		} else if (!strcmp(name, ":i_month")) {
			strbuf_addf(&path, "%d", tm.tm_mon + 1);
		} else if (!strcmp(name, ":section")) {
			section_of(&path, post_path);
		} else if (!strcmp(name, ":filename")) {
			strbuf_addstr(&path, title_slug);
		} else {
			strbuf_addf(&path, "%d", tm.tm_mday);
		}
	}
join:
	/* an empty :categories leaves "//": fold runs of slashes */
	strbuf_addstr(&sb, s->base_url);
	if (!path.len || path.buf[0] != '/')
		strbuf_addch(&sb, '/');
	for (i = 0; i < path.len; i++) {
		if (path.buf[i] == '/' && sb.len && sb.buf[sb.len - 1] == '/')
			continue;
		strbuf_addch(&sb, path.buf[i]);
	}
	strbuf_release(&path);
	return strbuf_detach(&sb, NULL);
}
