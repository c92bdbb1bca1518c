#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/post.h"
#include "herald/site.h"
#include "herald/slug.h"
#include "herald/strbuf.h"
#include "tap.h"
#include "herald/banned.h"

static void jekyll(const char *in, enum slug_mode mode, int cased, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	slug_jekyll(&sb, in, mode, cased);
	is_str(sb.buf, want, "jekyll slugify %d%s '%s'", (int)mode, cased ? " cased" : "", in);
	strbuf_release(&sb);
}

static void hugo(const char *in, int lower, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	slug_hugo(&sb, in, lower);
	is_str(sb.buf, want, "hugo urlize '%s'", in);
	strbuf_release(&sb);
}

static void zola(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	slug_zola(&sb, in);
	is_str(sb.buf, want, "zola slugify '%s'", in);
	strbuf_release(&sb);
}

static void escape(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	slug_url_escape(&sb, in);
	is_str(sb.buf, want, "url escape '%s'", in);
	strbuf_release(&sb);
}

static void test_slugs(void)
{
	/* the examples of Jekyll's Utils.slugify documentation, and issue 9's */
	jekyll("The _config.yml file", SLUG_JEKYLL_DEFAULT, 0, "the-config-yml-file");
	jekyll("The _config.yml file", SLUG_JEKYLL_PRETTY, 0, "the-_config.yml-file");
	jekyll("The _config.yml file", SLUG_JEKYLL_PRETTY, 1, "The-_config.yml-file");
	jekyll("The _config.yml file", SLUG_JEKYLL_RAW, 0, "the-_config.yml-file");
	jekyll("three ways--to manage-", SLUG_JEKYLL_PRETTY, 1, "three-ways-to-manage");
	jekyll("ruby-1.8.7-p248-released-", SLUG_JEKYLL_PRETTY, 1, "ruby-1.8.7-p248-released");
	jekyll("links & more", SLUG_JEKYLL_PRETTY, 1, "links-&-more");
	jekyll("links & more", SLUG_JEKYLL_DEFAULT, 0, "links-more");
	jekyll("café über", SLUG_JEKYLL_PRETTY, 1, "café-über");
	jekyll("Ünïcödé", SLUG_JEKYLL_DEFAULT, 0, "ünïcödé");
	jekyll("--a--", SLUG_JEKYLL_DEFAULT, 0, "a");
	jekyll("it\xe2\x80\x99s \xe2\x80\x94 fine", SLUG_JEKYLL_PRETTY, 1, "it-s-fine");
	jekyll("bad \xff byte", SLUG_JEKYLL_DEFAULT, 0, "bad-byte");
	jekyll("", SLUG_JEKYLL_DEFAULT, 0, "");

	hugo("links & more café", 1, "links-more-café");
	hugo("/blog/2021/Collector", 1, "/blog/2021/collector");
	hugo("/blog/2021/Collector", 0, "/blog/2021/Collector");
	hugo("Ötzi & Co: Über", 1, "ötzi-co-über");
	hugo("a%20b c", 1, "a%20b-c");
	hugo("100% sure", 1, "100-sure");
	hugo("x+y~z#w_v.u", 1, "x+y~z#w_v.u");

	zola("1.94.1-release", "1-94-1-release");
	zola("Héllo World 1.2", "hello-world-1-2");
	zola("My Slug!", "my-slug");
	zola("under_score", "under-score");
	zola("--x--", "x");

	escape("/a b/c/", "/a%20b/c/");
	escape("/links-&-more/", "/links-&-more/");
	escape("/caf\xc3\xa9/", "/caf%C3%A9/");
	escape("/50%/x%41/", "/50%25/x%41/");
	escape("/q?x#y/", "/q%3Fx%23y/");
	escape("/a\"b<c>/", "/a%22b%3Cc%3E/");
	escape("/!$&'()*+,;=:@-._~/", "/!$&'()*+,;=:@-._~/");
}

/* A post as post_read leaves it, enough for site_post_url. */
static char *url_of(const struct site *s, const char *path, const char *fm_json,
		    long long date, int offset, const char *title)
{
	struct post p;
	json_error_t jerr;
	char *url;

	post_init(&p);
	p.path = (char *)path;
	p.fm.data = json_loads(fm_json, 0, &jerr);
	p.date = date;
	p.date_offset = offset;
	p.publish = p.url_date = date;
	p.url_date_offset = offset;
	p.title = (char *)title;
	url = site_post_url(s, &p);
	json_decref(p.fm.data);
	return url;
}

static void check_url(const struct site *s, const char *path, const char *fm,
		      long long date, int offset, const char *want)
{
	char *u = url_of(s, path, fm, date, offset, "A Title");

	is_str(u, want, "%s %s", path, fm);
	free(u);
}

static void test_jekyll(void)
{
	struct site s;

	site_init(&s);
	s.kind = SITE_JEKYLL;
	s.base_url = strdup("https://example.com/blog");
	free(s.permalink);
	s.permalink = strdup("/:categories/:year/:month/:day/:title/");
	strvec_push(&s.exclude, "fixtures");
	strvec_push(&s.exclude, "notes/old");
	strvec_push(&s.include, "_keep");

	ok(site_is_post_path(&s, "_posts/2024-01-01-a.md"), "jekyll: _posts");
	ok(site_is_post_path(&s, "en/news/_posts/2024-01-01-a.md"), "jekyll: a folder's _posts");
	ok(site_is_post_path(&s, "_posts/sub/2024-01-01-a.md"), "jekyll: a folder inside _posts");
	ok(site_is_post_path(&s, "_posts/2019-12-3-a.md"), "jekyll: one-digit day");
	ok(!site_is_post_path(&s, "_posts/a.md"), "jekyll: no date, no post");
	ok(!site_is_post_path(&s, "fixtures/_posts/2024-01-01-a.md"), "jekyll: exclude:");
	ok(!site_is_post_path(&s, "notes/old/_posts/2024-01-01-a.md"), "jekyll: exclude: a path");
	ok(site_is_post_path(&s, "notes/_posts/2024-01-01-a.md"), "jekyll: beside the excluded path");
	ok(!site_is_post_path(&s, "_hidden/_posts/2024-01-01-a.md"), "jekyll: a special folder");
	ok(!site_is_post_path(&s, ".git/_posts/2024-01-01-a.md"), "jekyll: a dot folder");
	ok(site_is_post_path(&s, "_keep/_posts/2024-01-01-a.md"), "jekyll: include:");
	ok(!site_is_post_path(&s, "_posts/_x/2024-01-01-a.md"), "jekyll: special inside _posts");
	ok(!site_is_post_path(&s, "blog/index.html"), "jekyll: a listing page is no post");
	ok(!site_is_post_path(&s, "posts/2024-01-01-a.md"), "jekyll: the generic globs are off");
	ok(site_is_post_path(&s, "_drafts/idea.md"), "jekyll: drafts");

	check_url(&s, "_posts/2024-02-15-links & more.md", "{}", 1707955200, 0,
		  "https://example.com/blog/2024/02/15/links-&-more/");
	check_url(&s, "en/news/_posts/2024-05-29-x.md", "{}", 1716940800, 0,
		  "https://example.com/blog/en/news/2024/05/29/x/");
	check_url(&s, "_posts/2024-05-29-x.md", "{\"categories\": \"Foo Bar\", \"category\": \"Big News\"}",
		  1716940800, 0, "https://example.com/blog/foo/bar/big%20news/2024/05/29/x/");
	check_url(&s, "a/_posts/2024-05-29-x.md", "{\"categories\": [\"A\", \"b\"]}",
		  1716940800, 0, "https://example.com/blog/a/b/2024/05/29/x/");
	check_url(&s, "_posts/2024-05-29-x.md", "{\"permalink\": \"/own/:title:output_ext\"}",
		  1716940800, 0, "https://example.com/blog/own/x.html");
	check_url(&s, "_posts/2024-05-29-x.md", "{\"slug\": \"My Slug\"}",
		  1716940800, 0, "https://example.com/blog/2024/05/29/My-Slug/");
	check_url(&s, "_posts/2024-05-29-x.md", "{\"permalink\": \"/../a/./b/\"}",
		  1716940800, 0, "https://example.com/blog/a/b/");
	free(s.permalink);
	s.permalink = strdup("/:year/:i_month/:i_day/:slug:output_ext");
	check_url(&s, "_posts/2024-02-05-Hello World!.md", "{}", 1707091200, 0,
		  "https://example.com/blog/2024/2/5/hello-world.html");
	free(s.permalink);
	s.permalink = strdup("/:month_:day/:short_month/:y_day/:nope/");
	check_url(&s, "_posts/2024-02-05-a.md", "{}", 1707091200, 0,
		  "https://example.com/blog/02_05/Feb/036/:nope/");
	s.zone = strdup("America/New_York");
	free(s.permalink);
	s.permalink = strdup("/:year/:month/:day/:title/");
	check_url(&s, "_posts/2024-06-02-late.md", "{}", 1717396200 /* 06-03T06:30Z */, 0,
		  "https://example.com/blog/2024/06/03/late/");
	check_url(&s, "_posts/2024-06-03-early.md", "{}", 1717387200 /* 06-03T04:00Z */, 0,
		  "https://example.com/blog/2024/06/03/early/");
	check_url(&s, "_posts/2024-06-03-early.md", "{}", 1717383600 /* 06-03T03:00Z */, 0,
		  "https://example.com/blog/2024/06/02/early/");
	site_release(&s);
}

static void test_hugo(void)
{
	struct site s;

	site_init(&s);
	s.kind = SITE_HUGO;
	s.base_url = strdup("https://example.org");
	strvec_push(&s.lang_names, "en");
	strvec_push(&s.lang_dirs, "content/en");
	strvec_push(&s.lang_prefixes, "");
	strvec_push(&s.lang_names, "fr");
	strvec_push(&s.lang_dirs, "content/fr");
	strvec_push(&s.lang_prefixes, "/fr");

	ok(site_is_post_path(&s, "content/en/about.md"), "hugo: any page");
	ok(!site_is_post_path(&s, "content/en/blog/_index.md"), "hugo: a section page");
	ok(!site_is_post_path(&s, "content/de/x.md"), "hugo: outside the content folders");
	check_url(&s, "content/en/blog/2021/Collector.md", "{}", 0, 0,
		  "https://example.org/blog/2021/collector/");
	check_url(&s, "content/fr/blog/bonjour.md", "{}", 0, 0,
		  "https://example.org/fr/blog/bonjour/");
	check_url(&s, "content/en/posts/trip/index.md", "{\"slug\": \"My Trip\"}", 0, 0,
		  "https://example.org/posts/my-trip/");
	check_url(&s, "content/en/posts/links & more café.md", "{}", 0, 0,
		  "https://example.org/posts/links-more-caf%C3%A9/");
	check_url(&s, "content/fr/blog/own.md", "{\"url\": \"/special/Own/\"}", 0, 0,
		  "https://example.org/special/Own/");
	s.permalinks = json_pack("{s:s, s:s}", "posts", "/:year/:month/:day/:slug/",
				 "notes", "/:sections/:slugorfilename/");
	/* 2020-03-31T23:00-02:00: Hugo's date tokens use the date's own zone */
	check_url(&s, "content/en/posts/x.md", "{}", 1585702800, -7200,
		  "https://example.org/2020/03/31/a-title/");
	check_url(&s, "content/en/notes/x/Deep.md", "{}", 1585702800, 0,
		  "https://example.org/notes/deep/");
	s.path_lower = 0;
	s.ugly_urls = 1;
	check_url(&s, "content/en/blog/Deep.md", "{}", 0, 0, "https://example.org/blog/Deep.html");
	site_release(&s);
}

/* Leaf bundles, :sections and its slices, a module mount (sorted sets given by hand). */
static void test_hugo_tree(void)
{
	struct site s;

	site_init(&s);
	s.kind = SITE_HUGO;
	s.base_url = strdup("https://example.org");
	strvec_push(&s.lang_names, "en");
	strvec_push(&s.lang_dirs, "content");
	strvec_push(&s.lang_prefixes, "");
	strvec_push(&s.lang_names, "en");
	strvec_push(&s.lang_dirs, "writing");
	strvec_push(&s.lang_prefixes, "");
	strvec_push(&s.lang_targets, "");
	strvec_push(&s.lang_targets, "posts");
	strvec_push(&s.hugo_leaves, "content/a/b");
	strvec_push(&s.hugo_leaves, "writing/bun");
	strvec_push(&s.hugo_sections, "content/a");
	strvec_push(&s.hugo_sections, "content/a/s1");
	strvec_push(&s.hugo_sections, "content/a/s1/s2");
	strvec_push(&s.hugo_sections, "writing/sub");

	ok(site_is_post_path(&s, "content/a/b/index.md"), "hugo: a leaf bundle's page");
	ok(!site_is_post_path(&s, "content/a/b/extra.md"), "hugo: a leaf bundle's resource");
	ok(!site_is_post_path(&s, "content/a/b/sub/index.md"), "hugo: below a leaf bundle");
	ok(site_is_post_path(&s, "content/a/bb/x.md"), "hugo: a name that only starts alike");
	ok(site_is_post_path(&s, "writing/x.md"), "hugo: a mounted folder");
	ok(!site_is_post_path(&s, "writing/bun/res.md"), "hugo: a resource in a mounted folder");

	s.permalinks = json_pack("{s:s, s:s}",
				 "a", "/:sections[1:2]/:sections[:last]/:sections[0]/:sections[last]/:filename/",
				 "posts", "/:sections/:sections[last]/:filename/");
	check_url(&s, "content/a/s1/s2/p.md", "{}", 0, 0, "https://example.org/s1/a/s1/a/s2/p/");
	check_url(&s, "content/a/q.md", "{}", 0, 0, "https://example.org/a/a/q/");
	check_url(&s, "content/a/s1/x/y.md", "{}", 0, 0, "https://example.org/s1/a/a/s1/y/");
	check_url(&s, "writing/sub/b.md", "{}", 0, 0, "https://example.org/posts/sub/sub/b/");
	check_url(&s, "writing/c.md", "{}", 0, 0, "https://example.org/posts/c/");
	site_release(&s);
}

/* Jekyll's front matter defaults: scope, precedence, categories united. */
static void test_jekyll_defaults(void)
{
	struct site s;
	json_error_t jerr;
	json_t *fm;
	size_t i;

	site_init(&s);
	s.kind = SITE_JEKYLL;
	strvec_push(&s.collections, "recipes");
	s.jekyll_defaults = json_loads(
		"[{\"scope\": {\"path\": \"\"}, \"values\": {\"layout\": \"a\", \"categories\": [\"d\"]}},"
		" {\"scope\": {\"path\": \"_posts\", \"type\": \"posts\"}, \"values\": {\"layout\": \"b\", \"x\": {\"y\": 1, \"z\": 1}}},"
		" {\"scope\": {\"path\": \"_posts\"}, \"values\": {\"layout\": \"c\"}},"
		" {\"scope\": {\"type\": \"recipes\"}, \"values\": {\"permalink\": \"/r/:name/\"}},"
		" {\"scope\": {\"path\": \"*/_posts\"}, \"values\": {\"glob\": true}}]", 0, &jerr);
	fm = json_loads("{\"categories\": \"own d two\", \"x\": {\"z\": 2}}", 0, &jerr);
	site_apply_defaults(&s, "_posts/2024-01-01-a.md", fm);
	ok(!strcmp(json_string_value(json_object_get(fm, "layout")), "b"),
	   "defaults: the set naming a type wins over an equal path");
	ok(json_array_size(json_object_get(fm, "categories")) == 3,
	   "defaults: categories united without repeats");
	ok(json_integer_value(json_object_get(json_object_get(fm, "x"), "z")) == 2 &&
	   json_integer_value(json_object_get(json_object_get(fm, "x"), "y")) == 1,
	   "defaults: mappings merged, the post's own keys win");
	ok(!json_object_get(fm, "glob"), "defaults: a glob that does not match");
	json_decref(fm);
	fm = json_object();
	site_apply_defaults(&s, "en/_posts/2024-01-01-a.md", fm);
	ok(json_is_true(json_object_get(fm, "glob")), "defaults: a glob matching a folder above");
	ok(!strcmp(json_string_value(json_object_get(fm, "layout")), "a"),
	   "defaults: a path scope is a prefix of the post's path");
	json_decref(fm);
	fm = json_object();
	site_apply_defaults(&s, "_recipes/soup.md", fm);
	ok(!strcmp(json_string_value(json_object_get(fm, "permalink")), "/r/:name/"),
	   "defaults: a collection's type");
	json_decref(fm);
	s.collections_dir = strdup("my");
	fm = json_object();
	site_apply_defaults(&s, "my/_posts/2024-01-01-a.md", fm);
	ok(!strcmp(json_string_value(json_object_get(fm, "layout")), "b"),
	   "defaults: paths count from collections_dir");
	ok(!site_is_post_path(&s, "_posts/2024-01-01-a.md"), "collections_dir: outside it");
	ok(site_is_post_path(&s, "my/en/_posts/2024-01-01-a.md"), "collections_dir: inside it");
	json_decref(fm);
	site_release(&s);

	/* one set that applies: merged as it is, and left as it was */
	site_init(&s);
	s.kind = SITE_JEKYLL;
	s.jekyll_defaults = json_loads(
		"[{\"scope\": {\"path\": \"\"}, \"values\": {\"layout\": \"one\", \"categories\": [\"d\"],"
		" \"x\": {\"y\": 1}}}, {\"scope\": {\"path\": \"other\"}, \"values\": {\"no\": 1}}]",
		0, &jerr);
	for (i = 0; i < 2; i++) {
		char *got;
		fm = json_loads("{\"categories\": \"own d\", \"x\": {\"z\": 2}}", 0, &jerr);
		site_apply_defaults(&s, "_posts/2024-01-01-a.md", fm);
		got = json_dumps(fm, JSON_COMPACT | JSON_SORT_KEYS);
		is_str(got, "{\"categories\":[\"d\",\"own\"],\"layout\":\"one\",\"x\":{\"y\":1,\"z\":2}}",
		       "defaults: one set, applied twice over (%zu)", i);
		free(got);
		json_decref(fm);
	}
	site_release(&s);
}

static void test_zola(void)
{
	struct site s;

	site_init(&s);
	s.kind = SITE_ZOLA;
	s.base_url = strdup("https://blog.rust-lang.org");
	ok(site_is_post_path(&s, "content/1.94.1-release.md"), "zola: content/*.md");
	ok(site_is_post_path(&s, "content/x/index.md"), "zola: a bundle");
	ok(!site_is_post_path(&s, "content/_index.md"), "zola: a section");
	ok(!site_is_post_path(&s, "content/x.html"), "zola: only .md");
	check_url(&s, "content/1.94.1-release.md", "{\"path\": \"2026/03/26/1.94.1-release\"}",
		  0, 0, "https://blog.rust-lang.org/2026/03/26/1.94.1-release/");
	check_url(&s, "content/1.94.1-release.md", "{}", 0, 0,
		  "https://blog.rust-lang.org/1-94-1-release/");
	check_url(&s, "content/inside-rust/2024-01-02_x y/index.md", "{}", 0, 0,
		  "https://blog.rust-lang.org/inside-rust/x-y/");
	s.zola_default_lang = strdup("en");
	strvec_push(&s.zola_langs, "fr");
	check_url(&s, "content/blog/x.fr.md", "{}", 0, 0, "https://blog.rust-lang.org/fr/blog/x/");
	check_url(&s, "content/blog/x.en.md", "{}", 0, 0, "https://blog.rust-lang.org/blog/x/");
	check_url(&s, "content/t/index.fr.md", "{}", 0, 0, "https://blog.rust-lang.org/fr/t/");
	check_url(&s, "content/x.fr.md", "{\"path\": \"own\"}", 0, 0,
		  "https://blog.rust-lang.org/own/");
	check_url(&s, "content/x.de.md", "{}", 0, 0, "https://blog.rust-lang.org/x-de/");
	s.zola_slugify = ZOLA_SLUG_SAFE;
	check_url(&s, "content/A: b?.. .md", "{}", 0, 0, "https://blog.rust-lang.org/A%20b/");
	s.zola_slugify = ZOLA_SLUG_OFF;
	check_url(&s, "content/A: b.md", "{}", 0, 0, "https://blog.rust-lang.org/A:%20b/");
	site_release(&s);
}

static void test_generic(void)
{
	struct site s;

	site_init(&s);
	s.base_url = strdup("https://example.com");
	ok(site_is_post_path(&s, "blog/2024-01-01-x.md"), "generic: the default globs");
	check_url(&s, "_posts/2020-03-30-a b.md", "{}", 1585526400, 0,
		  "https://example.com/2020/03/30/a%20b/");
	site_release(&s);
}

int main(void)
{
	test_slugs();
	test_jekyll();
	test_hugo();
	test_hugo_tree();
	test_jekyll_defaults();
	test_zola();
	test_generic();
	return done_testing();
}
