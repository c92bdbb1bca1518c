/*
 * Permalink expansion (src/read/site.c), one row per placeholder: Jekyll's
 * URL drop, Hugo's permalink tokens and herald's own `.herald.yml`
 * pattern, on two dates: 2024-02-05T13:04:09Z (a Monday) and
 * 2021-01-03T07:08:09Z (a Sunday that ISO 8601 puts in week 53 of 2020).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/post.h"
#include "herald/site.h"
#include "tap.h"
#include "herald/banned.h"

#define MON 1707138249LL /* 2024-02-05T13:04:09Z */
#define SUN 1609657689LL /* 2021-01-03T07:08:09Z */

struct row {
	const char *pattern, *path, *fm;
	long long date;
	const char *want; /* after the base url */
};

static char *url_of(const struct site *s, const char *path, const char *fm, long long date)
{
	struct post p;
	json_error_t jerr;
	char *url;

	post_init(&p);
	p.path = (char *)path;
	p.fm.data = json_loads(fm ? fm : "{}", 0, &jerr);
	p.date = date;
	p.url_date = date; /* the date a url shows (Hugo: .Date; see post.h) */
	p.title = (char *)"A Title";
	url = site_post_url(s, &p);
	json_decref(p.fm.data);
	return url;
}

static void run(const char *what, struct site *s, const char *base, const struct row *rows, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		char *want = malloc(strlen(base) + strlen(rows[i].want) + 1), *got;

		memcpy(want, base, strlen(base));
		memcpy(want + strlen(base), rows[i].want, strlen(rows[i].want) + 1);
		if (s->kind == SITE_HUGO) {
			json_decref(s->permalinks);
			s->permalinks = json_pack("{s:s}", "posts", rows[i].pattern);
		} else {
			free(s->permalink);
			s->permalink = strdup(rows[i].pattern);
		}
		got = url_of(s, rows[i].path, rows[i].fm, rows[i].date);
		is_str(got, want, "%s: '%s' for %s", what, rows[i].pattern, rows[i].path);
		free(got);
		free(want);
	}
}

/* Jekyll's placeholders (jekyllrb.com/docs/permalinks), and its built-in styles. */
static const struct row jekyll_rows[] = {
	{ "/:year/:month/:day/", "_posts/2024-02-05-x.md", NULL, MON, "/2024/02/05/" },
	{ "/:short_year/:i_month/:i_day/", "_posts/2024-02-05-x.md", NULL, MON, "/24/2/5/" },
	{ "/:hour/:minute/:second/", "_posts/2024-02-05-x.md", NULL, MON, "/13/04/09/" },
	{ "/:y_day/", "_posts/2024-02-05-x.md", NULL, MON, "/036/" },
	{ "/:y_day/", "_posts/2021-01-03-x.md", NULL, SUN, "/003/" },
	{ "/:short_month/:long_month/", "_posts/2024-02-05-x.md", NULL, MON, "/Feb/February/" },
	{ "/:short_day/:long_day/", "_posts/2024-02-05-x.md", NULL, MON, "/Mon/Monday/" },
	{ "/:w_year/W:week/:w_day/", "_posts/2024-02-05-x.md", NULL, MON, "/2024/W06/1/" },
	{ "/:w_year/W:week/:w_day/", "_posts/2021-01-03-x.md", NULL, SUN, "/2020/W53/7/" },
	{ "/:title/", "_posts/2024-02-05-Hello World!.md", NULL, MON, "/Hello-World!/" },
	{ "/:slug/", "_posts/2024-02-05-Hello World!.md", NULL, MON, "/hello-world/" },
	{ "/:slug/", "_posts/2024-02-05-x.md", "{\"slug\": \"Own Slug\"}", MON, "/own-slug/" },
	{ "/:name/", "_posts/2024-02-05-Hello World.md", NULL, MON, "/2024-02-05-hello-world/" },
	{ "/:categories/:title/", "news/_posts/2024-02-05-x.md", "{\"categories\": [\"Big\", \"b\"]}",
	  MON, "/news/big/b/x/" },
	{ "/:categories/:title/", "_posts/2024-02-05-x.md", NULL, MON, "/x/" },
	{ "/:title:output_ext", "_posts/2024-02-05-x.markdown", NULL, MON, "/x.html" },
	{ "/:collection/:title/", "_posts/2024-02-05-x.md", NULL, MON, "/posts/x/" },
	{ "/:month_:day/", "_posts/2024-02-05-x.md", NULL, MON, "/02_05/" },
	{ "/:nope/:title/", "_posts/2024-02-05-x.md", NULL, MON, "/:nope/x/" },
	{ "/a/../b/./:title/", "_posts/2024-02-05-x.md", NULL, MON, "/a/b/x/" },
	{ "/:title/", "_posts/2024-02-05-x.md", "{\"permalink\": \"/own/:year/\"}", MON, "/own/2024/" },
	/* the built-in styles, as site_load() spells them out */
	{ "/:categories/:year/:month/:day/:title:output_ext", "_posts/2024-02-05-x.md", NULL, MON,
	  "/2024/02/05/x.html" },
	{ "/:categories/:year/:month/:day/:title/", "_posts/2024-02-05-x.md", NULL, MON,
	  "/2024/02/05/x/" },
	{ "/:categories/:year/:y_day/:title:output_ext", "_posts/2024-02-05-x.md", NULL, MON,
	  "/2024/036/x.html" },
	{ "/:categories/:year/W:week/:short_day/:title:output_ext", "_posts/2024-02-05-x.md", NULL, MON,
	  "/2024/W06/Mon/x.html" },
	{ "/:categories/:title:output_ext", "_posts/2024-02-05-x.md", NULL, MON, "/x.html" },
};

/* Hugo's tokens (gohugo.io/content-management/urls/#tokens); the post's title is "A Title". */
static const struct row hugo_rows[] = {
	{ "/:year/:month/:day/", "content/posts/x.md", NULL, MON, "/2024/02/05/" },
	{ "/:monthname/:weekdayname/", "content/posts/x.md", NULL, MON, "/february/monday/" },
	/* ":yearday" is not ":year" followed by "day" */
	{ "/:weekday/:yearday/", "content/posts/x.md", NULL, MON, "/1/36/" },
	{ "/:weekday/:yearday/", "content/posts/x.md", NULL, SUN, "/0/3/" },
	{ "/:section/:filename/", "content/posts/Deep.md", NULL, MON, "/posts/deep/" },
	{ "/:sections/:filename/", "content/posts/Deep.md", NULL, MON, "/posts/deep/" },
	{ "/:filename/", "content/posts/trip/index.md", NULL, MON, "/trip/" },
	{ "/:title/", "content/posts/x.md", NULL, MON, "/a-title/" },
	{ "/:slug/", "content/posts/x.md", NULL, MON, "/a-title/" },
	{ "/:slug/", "content/posts/x.md", "{\"slug\": \"My Slug\"}", MON, "/my-slug/" },
	{ "/:slugorfilename/", "content/posts/File.md", NULL, MON, "/file/" },
	{ "/:slugorfilename/", "content/posts/File.md", "{\"slug\": \"S\"}", MON, "/s/" },
	/* Hugo refuses such a pattern; herald urlizes it, and urlize drops the ':' */
	{ "/:year/:nope/", "content/posts/x.md", NULL, MON, "/2024/nope/" },
	{ "/:year/:slug", "content/posts/x.md", NULL, MON, "/2024/a-title/" },
};

/* herald's own pattern (.herald.yml permalink:), the same names for every generator. */
static const struct row own_rows[] = {
	{ "/:year/:month/:day/", "posts/2024-02-05-x.md", NULL, MON, "/2024/02/05/" },
	{ "/:i_month/:i_day/:y_day/", "posts/2024-02-05-x.md", NULL, MON, "/2/5/036/" },
	{ "/:title/", "posts/2024-02-05-hello.md", NULL, MON, "/hello/" },
	{ "/:filename/", "posts/2024-02-05-hello.md", NULL, MON, "/hello/" },
	{ "/:slug/", "posts/2024-02-05-hello.md", NULL, MON, "/hello/" },
	{ "/:section/:title/", "content/notes/2024-02-05-hello.md", NULL, MON, "/notes/hello/" },
	{ "/:section/:title/", "notes/2024-02-05-hello.md", NULL, MON, "/hello/" }, /* outside content/: none */
	{ "/:categories/:title:output_ext", "posts/2024-02-05-hello.md",
	  "{\"categories\": [\"a\", \"b\"]}", MON, "/a/b/hello.html" },
	{ "/:year/:nope/", "posts/2024-02-05-x.md", NULL, MON, "/2024/:nope/" },
};

int main(void)
{
	struct site s;

	site_init(&s);
	s.kind = SITE_JEKYLL;
	s.base_url = strdup("https://example.com/blog");
	run("jekyll", &s, "https://example.com/blog", jekyll_rows,
	    sizeof(jekyll_rows) / sizeof(jekyll_rows[0]));
	site_release(&s);

	site_init(&s);
	s.kind = SITE_HUGO;
	s.base_url = strdup("https://example.org");
	strvec_push(&s.lang_names, "en");
	strvec_push(&s.lang_dirs, "content");
	strvec_push(&s.lang_prefixes, "");
	run("hugo", &s, "https://example.org", hugo_rows, sizeof(hugo_rows) / sizeof(hugo_rows[0]));
	site_release(&s);

	site_init(&s);
	s.kind = SITE_GENERIC;
	s.custom_permalink = 1;
	s.base_url = strdup("https://example.net");
	run("own", &s, "https://example.net", own_rows, sizeof(own_rows) / sizeof(own_rows[0]));
	site_release(&s);

	return done_testing();
}
