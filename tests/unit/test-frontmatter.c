/* Unit tests: the front matter reader, dates, globs, states, the event table. */
#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/date.h"
#include "herald/frontmatter.h"
#include "herald/glob.h"
#include "herald/post.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "tap.h"

static enum lookup parse(struct frontmatter *fm, const char *s)
{
	frontmatter_init(fm);
	return frontmatter_parse(fm, s, strlen(s));
}

static char *dump(const json_t *v)
{
	return v ? json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY) : strdup("NULL");
}

static void expect_json(const char *src, const char *want, const char *name)
{
	struct frontmatter fm;
	enum lookup rc = parse(&fm, src);
	char *got = dump(fm.data);

	ok(rc == LOOKUP_FOUND, "%s: parses", name);
	is_str(got, want, "%s: value", name);
	free(got);
	frontmatter_release(&fm);
}

static void expect_error(const char *src, size_t len, int line, int col,
			 const char *needle, const char *name)
{
	struct frontmatter fm;
	const struct frontmatter_problem *p;
	enum lookup rc;

	frontmatter_init(&fm);
	rc = frontmatter_parse(&fm, src, len);
	p = frontmatter_first_error(&fm);
	ok(rc == LOOKUP_ERROR && p, "%s: invalid", name);
	if (p) {
		if (line)
			is_int(p->line, line, "%s: line", name);
		if (col)
			is_int(p->column, col, "%s: column", name);
		ok(strstr(p->message, needle) != NULL, "%s: message '%s' mentions '%s'",
		   name, p->message, needle);
	}
	frontmatter_release(&fm);
}

static void test_typing(void)
{
	expect_json("---\na: 123\nb: '123'\nc: true\nd: \"true\"\ne: 2020-03-30\nf: ~\ng: 1.5\nh:\ni: -7\nj: 1.2.3\n---\nbody\n",
		    "{\"a\":123,\"b\":\"123\",\"c\":true,\"d\":\"true\",\"e\":\"2020-03-30\",\"f\":null,\"g\":1.5,\"h\":null,\"i\":-7,\"j\":\"1.2.3\"}",
		    "typing");
	expect_json("---\ntags: [a, b]\nnested: {x: [1, {y: z}]}\ntext: |\n  line one\n  line two\n---\n",
		    "{\"nested\":{\"x\":[1,{\"y\":\"z\"}]},\"tags\":[\"a\",\"b\"],\"text\":\"line one\\nline two\\n\"}",
		    "collections and block scalars");
	expect_json("---\n---\nbody", "{}", "empty block");
	expect_json("---\na: !!str 12\n---\n", "{\"a\":\"12\"}", "explicit str tag");
	expect_json("+++\ntitle = \"T\"\ndate = 2020-03-30T10:00:00Z\ndraft = false\ntags = [\"a\"]\n[extra]\nn = 2\n+++\nbody",
		    "{\"date\":\"2020-03-30T10:00:00Z\",\"draft\":false,\"extra\":{\"n\":2},\"tags\":[\"a\"],\"title\":\"T\"}",
		    "TOML front matter");
}

static void test_delimiters(void)
{
	struct frontmatter fm;
	const char *s;

	s = "\xef\xbb\xbf---\ntitle: x\n---\nbody";
	ok(parse(&fm, s) == LOOKUP_FOUND && !strcmp(s + fm.body_offset, "body"), "BOM is skipped");
	frontmatter_release(&fm);
	s = "\n  \n---\ntitle: x\n---   \nbody";
	ok(parse(&fm, s) == LOOKUP_FOUND && !strcmp(s + fm.body_offset, "body"),
	   "blank lines before, trailing blanks on the delimiter");
	frontmatter_release(&fm);
	s = "---\r\ntitle: x\r\nn: 2\r\n---\r\nbody\r\n";
	ok(parse(&fm, s) == LOOKUP_FOUND && !strcmp(s + fm.body_offset, "body\r\n") &&
	   json_integer_value(json_object_get(fm.data, "n")) == 2, "CRLF line ends");
	frontmatter_release(&fm);
	s = "---\ntitle: x\n...\nbody";
	ok(parse(&fm, s) == LOOKUP_FOUND && !strcmp(s + fm.body_offset, "body"), "'...' closes too");
	frontmatter_release(&fm);
	ok(parse(&fm, "# just markdown\n---\n") == LOOKUP_MISSING, "no front matter: not a post");
	frontmatter_release(&fm);
	ok(parse(&fm, "") == LOOKUP_MISSING, "empty file: not a post");
	frontmatter_release(&fm);
	ok(parse(&fm, "----\na: b\n----\n") == LOOKUP_MISSING, "'----' is not a delimiter");
	frontmatter_release(&fm);
	s = "{ \"title\": \"x\", \"n\": 1 }\nthe body";
	ok(parse(&fm, s) == LOOKUP_FOUND && fm.format == FRONTMATTER_JSON &&
	   !strcmp(s + fm.body_offset, "\nthe body"), "JSON front matter, body after the brace");
	frontmatter_release(&fm);
}

static void test_errors(void)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	expect_error("---\ntitle: x\nbody\n", 17, 1, 1, "never closed", "unclosed");
	expect_error("---\ntitle: [a\nx: y\n---\n", 22, 3, 2, "flow sequence", "bad flow");
	expect_error("---\na:\n\tb: c\n---\n", 17, 3, 1, "tab", "tab indentation");
	expect_error("---\ntitle: caf\xe9\n---\n", 19, 2, 11, "UTF-8", "latin-1 byte");
	expect_error("+++\ntitle = 'x'\ntitle = 'y'\n+++\n", 32, 3, 1, "title", "TOML duplicate key");
	expect_error("+++\ntitle = 'x'\n", 16, 1, 1, "never closed", "TOML unclosed");
	expect_error("---\n- a\n- b\n---\n", 16, 2, 1, "mapping", "a list is not a mapping");
	expect_error("---\na: *nope\n---\n", 16, 2, 4, "anchor", "undefined alias");
	expect_error("{ \"a\": 1,, }\n", 13, 1, 0, "JSON", "bad JSON");

	strbuf_addstr(&sb, "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 0; i < 9; i++)
		strbuf_addf(&sb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
			    'b' + i, 'b' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i,
			    'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i);
	strbuf_addstr(&sb, "---\n");
	expect_error(sb.buf, sb.len, 0, 0, "alias bomb", "billion laughs");
	strbuf_reset(&sb);

	strbuf_addstr(&sb, "---\na: ");
	for (i = 0; i < 100; i++)
		strbuf_addch(&sb, '[');
	for (i = 0; i < 100; i++)
		strbuf_addch(&sb, ']');
	strbuf_addstr(&sb, "\n---\n");
	expect_error(sb.buf, sb.len, 2, 0, "deeper than 64", "100 levels of nesting");
	strbuf_reset(&sb);

	strbuf_addstr(&sb, "---\n");
	while (sb.len < 5 * 1024 * 1024)
		strbuf_addf(&sb, "k%zu: some value to fill the front matter\n", sb.len);
	strbuf_addstr(&sb, "---\nbody\n");
	expect_error(sb.buf, sb.len, 1, 1, "1 MiB", "5 MiB front matter");
	strbuf_release(&sb);
}

static void test_warnings_and_aliases(void)
{
	struct frontmatter fm;
	int line, col;

	ok(parse(&fm, "---\ntitle: a\nx: 1\ntitle: b\n---\n") == LOOKUP_FOUND &&
	   !strcmp(json_string_value(json_object_get(fm.data, "title")), "b"),
	   "duplicate key: the last wins");
	ok(fm.nr_problems == 1 && !fm.problems[0].is_error && fm.problems[0].line == 4 &&
	   fm.problems[0].column == 1 && strstr(fm.problems[0].message, "duplicate"),
	   "duplicate key: a warning at 4:1");
	ok(!frontmatter_key_position(&fm, "x", &line, &col) && line == 3 && col == 1,
	   "key positions are recorded");
	ok(!frontmatter_key_position(&fm, "title", &line, &col) && line == 4 && col == 1 &&
	   frontmatter_key_position(&fm, "nope", &line, &col) == -1 && !line && !col,
	   "a key read twice stands where it was read last; an unknown key nowhere");
	frontmatter_release(&fm);
	{
		struct frontmatter copy;
		parse(&fm, "---\na: 'x'\nb: x\nc: !!str 2020-01-01\nd: x\nd: \"y\"\n"
			   "e: 'x'\ne: x\nf: [\"q\"]\ng: {h: 'q'}\n---\n");
		frontmatter_copy(&copy, &fm);
		frontmatter_release(&fm);
		ok(frontmatter_value_quoted(&copy, "a") && !frontmatter_value_quoted(&copy, "b") &&
		   frontmatter_value_quoted(&copy, "c") && frontmatter_value_quoted(&copy, "d") &&
		   !frontmatter_value_quoted(&copy, "e") && !frontmatter_value_quoted(&copy, "f") &&
		   !frontmatter_value_quoted(&copy, "g") && !frontmatter_value_quoted(&copy, "h") &&
		   !frontmatter_value_quoted(&copy, "nope"),
		   "quoted top-level values, the last of a key read twice, kept by a copy");
		ok(!frontmatter_key_position(&copy, "g", &line, &col) && line == 10 && col == 1,
		   "a copy keeps the positions");
		frontmatter_release(&copy);
	}
	expect_json("---\nbase: &b {layout: post, tags: [a]}\npost:\n  <<: *b\n  layout: page\nlist: &l [1, 2]\nagain: *l\n---\n",
		    "{\"again\":[1,2],\"base\":{\"layout\":\"post\",\"tags\":[\"a\"]},\"list\":[1,2],\"post\":{\"layout\":\"page\",\"tags\":[\"a\"]}}",
		    "anchors, aliases and merge keys");
	ok(parse(&fm, "---\nbase: &b {layout: post}\npost:\n  <<: *b\n  layout: page\n---\n") == LOOKUP_FOUND &&
	   fm.nr_problems == 0, "a key overriding a merged key is no duplicate");
	frontmatter_release(&fm);
}

static void test_truthy(void)
{
	const char *t[] = { "true", "yes", "on", "1", "True", "YES", "On", NULL };
	const char *f[] = { "false", "no", "off", "0", "False", "NO", "Off", NULL };
	size_t i;

	for (i = 0; t[i]; i++) {
		json_t *v = json_string(t[i]);
		ok(frontmatter_truthy(v) && !frontmatter_falsy(v), "'%s' is truthy", t[i]);
		json_decref(v);
	}
	for (i = 0; f[i]; i++) {
		json_t *v = json_string(f[i]);
		ok(frontmatter_falsy(v) && !frontmatter_truthy(v), "'%s' is falsy", f[i]);
		json_decref(v);
	}
	ok(frontmatter_truthy(json_true()) && frontmatter_falsy(json_false()), "booleans");
	{
		json_t *one = json_integer(1), *zero = json_integer(0), *s = json_string("maybe");
		ok(frontmatter_truthy(one) && frontmatter_falsy(zero), "numbers 1 and 0");
		ok(!frontmatter_truthy(s) && !frontmatter_falsy(s), "'maybe' is neither");
		json_decref(one);
		json_decref(zero);
		json_decref(s);
	}
}

static void test_dates(void)
{
	long long t;

	ok(!date_parse("2020-03-30", &t) && t == 1585526400, "date alone is midnight UTC");
	ok(!date_parse("2020-03-30T10:00:00Z", &t) && t == 1585562400, "RFC 3339 Z");
	ok(!date_parse("2020-03-30 10:00:00 +0530", &t) && t == 1585562400 - 19800,
	   "Jekyll style with zone");
	ok(!date_parse("2020-03-30T10:00:00.123+05:30", &t) && t == 1585562400 - 19800,
	   "fraction and colon zone");
	ok(!date_parse("2020-03-30 10:00", &t) && t == 1585562400, "no seconds, no zone is UTC");
	ok(date_parse("2020-02-30", &t) < 0, "February 30 is refused");
	ok(date_parse("30/03/2020", &t) < 0, "other formats are refused");
	ok(date_parse("2020-03-30 garbage", &t) < 0, "trailing text is refused");
	ok(!date_from_name("2020-03-30-hello.md", &t) && t == 1585526400, "date from a file name");
	ok(date_from_name("hello.md", &t) < 0, "no date in a file name");
}

static void test_globs(void)
{
	ok(glob_match("**/_posts/**", "_posts/a.md"), "**/ matches no folder");
	ok(glob_match("**/_posts/**", "site/en/_posts/2020/a.md"), "**/ matches folders");
	ok(!glob_match("**/_posts/**", "x_posts/a.md"), "**/ matches whole components");
	ok(glob_match("posts/*.md", "posts/a.md"), "star");
	ok(!glob_match("posts/*.md", "posts/x/a.md"), "star does not cross '/'");
	ok(glob_match("content/**/posts/**", "content/posts/a/index.md"), "inner **");
	ok(glob_match("blog/[a-c]?.md", "blog/b1.md"), "class and ?");
	ok(!glob_match("blog/[!a-c]?.md", "blog/b1.md"), "negated class");
}

static void test_states(void)
{
	struct site s;
	struct post p;
	const long long now = 1764115200; /* 2025-11-26 */
	struct {
		const char *path, *text;
		enum post_state want;
	} cases[] = {
		{ "_posts/a.md", "---\ntitle: a\n---\n", POST_PUBLISHED },
		{ "_drafts/a.md", "---\ntitle: a\n---\n", POST_DRAFT },
		{ "_posts/a.md", "---\ndraft: true\n---\n", POST_DRAFT },
		{ "_posts/a.md", "---\ndraft: 'yes'\n---\n", POST_DRAFT },
		{ "_posts/a.md", "---\npublished: off\n---\n", POST_DRAFT },
		{ "_posts/a.md", "---\ndraft: false\n---\n", POST_PUBLISHED },
		{ "_posts/a.md", "---\ndate: 2099-01-01\n---\n", POST_SCHEDULED },
		{ "_posts/2099-01-01-a.md", "---\ntitle: a\n---\n", POST_SCHEDULED },
		{ "_posts/a.md", "---\npublishDate: 2099-01-01\ndate: 2000-01-01\n---\n", POST_SCHEDULED },
		{ "_posts/a.md", "---\ndate: not a date\n---\n", POST_INVALID },
		{ "_posts/a.md", "---\ndate: 2099-01-01\ndraft: true\n---\n", POST_DRAFT },
		{ "_posts/a.md", "no front matter\n", POST_ABSENT },
		{ "_posts/a.md", "---\n: [\n---\n", POST_INVALID },
	};
	size_t i;

	site_init(&s);
	post_init(&p);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		post_read(&p, &s, cases[i].path, cases[i].text, strlen(cases[i].text), now, 0);
		ok(p.state == cases[i].want, "state case %zu (%s) is %s (got %s)",
		   i, cases[i].path, post_state_name(cases[i].want),
		   post_state_name(p.state));
	}
	s.future = 1;
	post_read(&p, &s, "_posts/a.md", "---\ndate: 2099-01-01\n---\n", 25, now, 0);
	ok(p.state == POST_PUBLISHED, "future: true publishes future-dated posts");
	s.future = 0;

	post_read(&p, &s, "_posts/2020-03-30-hello-world.md",
		  "---\ntitle: Hi\n---\n\n# Heading\n\nFirst *para*\nline two.\n\nSecond.\n", 58, now, 0);
	is_str(p.slug, "hello-world", "slug from the file name");
	is_str(p.summary, "First para line two.", "summary is the first paragraph as text");
	ok(p.date == 1585526400, "date from the file name");
	post_read(&p, &s, "content/posts/my-trip/index.md", "---\ntitle: T\n---\n", 17, now, 0);
	is_str(p.slug, "my-trip", "a page bundle's slug is its folder");
	post_read(&p, &s, "_posts/x.md", "---\ndescription: '  Short.  '\n---\nLong body.\n", 42, now, 0);
	is_str(p.summary, "Short.", "description wins over the body, trimmed");
	post_read(&p, &s, "_posts/x.md", "---\n---\nbad \xff byte\n", 19, now, 0);
	is_str(p.summary, "bad \xef\xbf\xbd byte", "invalid UTF-8 in the body becomes U+FFFD");
	is_str(p.title, "x", "title falls back to the slug");
	post_read(&p, &s, "_posts/x.md", "---\ndescription: D\n---\n# H1\n\nBody.\n", 35, now, 0);
	ok(!strcmp(p.summary, "D") && !strcmp(p.summary_md, "D") && !strcmp(p.title, "H1"),
	   "a summary field and no title: the title is the body's heading");
	post_read(&p, &s, "_posts/x.md", "---\ntitle: T\nsummary: ' '\n---\n# H1\n\n*Body*.\n", 44,
		  now, 0);
	ok(!strcmp(p.summary, "Body.") && !strcmp(p.summary_md, "*Body*.") && !strcmp(p.title, "T"),
	   "a title and a blank summary field: the summary is the body's");
	post_read(&p, &s, "_posts/x.md", "---\ntitle: T\ndescription: D\n---\n# H1\n\nBody.\n", 44,
		  now, 0);
	ok(!strcmp(p.summary, "D") && !strcmp(p.title, "T"), "a title and a summary field");
	post_read(&p, &s, "_posts/x.md", "---\ndescription: D\n---\n# H1\n\nBody.\n", 35, now,
		  POST_READ_NO_SUMMARY);
	ok(!strcmp(p.summary, "D") && !strcmp(p.title, "x"),
	   "without the summary: the summary field, the title from the slug");
	post_read(&p, &s, "_posts/x.md", "---\ntitle: T\n---\n# H1\n\nBody.\n", 29, now,
		  POST_READ_NO_SUMMARY);
	ok(!strcmp(p.summary, "") && !strcmp(p.summary_md, "") && !strcmp(p.title, "T"),
	   "without the summary and no summary field: empty");
	post_release(&p);
	site_release(&s);
}

static void test_urls(void)
{
	struct site s;
	char *u;
	json_t *fm = json_pack("{s:[s,s]}", "categories", "Dev Ops", "c");

	site_init(&s);
	ok(site_url(&s, "x", "x", 0, fm) == NULL, "no base url: no url");
	s.base_url = strdup("https://example.com/blog");
	u = site_url(&s, "hello", "hello", 1585526400, fm);
	is_str(u, "https://example.com/blog/2020/03/30/hello/", "default permalink");
	free(u);
	free(s.permalink);
	s.permalink = strdup("/:categories/:year/:month/:day/:title:output_ext");
	u = site_url(&s, "slug", "file-slug", 1585526400, fm);
	is_str(u, "https://example.com/blog/dev-ops/c/2020/03/30/file-slug.html", "Jekyll permalink with categories");
	free(u);
	json_decref(fm);
	fm = json_object();
	u = site_url(&s, "slug", "t", 1585526400, fm);
	is_str(u, "https://example.com/blog/2020/03/30/t.html", "empty categories leave no '//'");
	free(u);
	json_decref(fm);
	site_release(&s);
}

static void test_post_paths(void)
{
	struct site s;

	site_init(&s);
	ok(site_is_post_path(&s, "_posts/2020-01-01-a.md"), "_posts/*.md");
	ok(site_is_post_path(&s, "en/_posts/a.markdown"), "nested _posts, .markdown");
	ok(site_is_post_path(&s, "src/content/blog/a.mdx"), "Astro");
	ok(site_is_post_path(&s, "content/posts/a/index.md"), "Hugo bundle");
	ok(!site_is_post_path(&s, "content/posts/_index.md"), "Hugo section page");
	ok(!site_is_post_path(&s, "_posts/image.png"), "other endings");
	ok(!site_is_post_path(&s, "about.md"), "pages");
	ok(site_in_drafts(&s, "_drafts/a.md") && site_in_drafts(&s, "x/_drafts/a.md") &&
	   !site_in_drafts(&s, "my_drafts/a.md"), "drafts folders");
	site_release(&s);
}

static void test_event_table(void)
{
	static const struct {
		enum post_state b, a;
		int same, changed;
		enum event_type want;
	} rows[] = {
		{ POST_ABSENT, POST_PUBLISHED, 1, 1, EVENT_NEW },
		{ POST_SCHEDULED, POST_PUBLISHED, 1, 1, EVENT_NEW },
		{ POST_INVALID, POST_PUBLISHED, 1, 1, EVENT_NEW },
		{ POST_DRAFT, POST_PUBLISHED, 0, 1, EVENT_UNDRAFTED },
		{ POST_PUBLISHED, POST_PUBLISHED, 0, 0, EVENT_MOVED },
		{ POST_PUBLISHED, POST_PUBLISHED, 1, 1, EVENT_UPDATED },
		{ POST_PUBLISHED, POST_PUBLISHED, 1, 0, EVENT_NONE },
		{ POST_PUBLISHED, POST_DRAFT, 1, 1, EVENT_UNPUBLISHED },
		{ POST_PUBLISHED, POST_SCHEDULED, 1, 1, EVENT_UNPUBLISHED },
		{ POST_PUBLISHED, POST_ABSENT, 1, 1, EVENT_DELETED },
		{ POST_ABSENT, POST_SCHEDULED, 1, 1, EVENT_SCHEDULED },
		{ POST_DRAFT, POST_SCHEDULED, 1, 1, EVENT_SCHEDULED },
		{ POST_ABSENT, POST_DRAFT, 1, 1, EVENT_DRAFT },
		{ POST_DRAFT, POST_DRAFT, 1, 1, EVENT_DRAFT },
		{ POST_DRAFT, POST_ABSENT, 1, 1, EVENT_DRAFT },
		{ POST_SCHEDULED, POST_SCHEDULED, 1, 1, EVENT_DRAFT },
		{ POST_SCHEDULED, POST_ABSENT, 1, 1, EVENT_DRAFT },
		{ POST_PUBLISHED, POST_INVALID, 1, 1, EVENT_NONE },
		{ POST_ABSENT, POST_ABSENT, 1, 1, EVENT_NONE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		ok(event_classify(rows[i].b, rows[i].a, rows[i].same, rows[i].changed) == rows[i].want,
		   "%s -> %s%s is %s", post_state_name(rows[i].b), post_state_name(rows[i].a),
		   rows[i].same ? "" : " (other path)", event_type_name(rows[i].want));
}

/* Everything post_read() sets, as one string to compare. */
static char *post_text(const struct post *p)
{
	struct strbuf sb = STRBUF_INIT;
	char *fm = dump(p->fm.data), *tags = dump(p->tags);
	size_t i;

	strbuf_addf(&sb, "%s|%s|%s|%d:%d|%s|%s|%s|%s|%s|%lld%+d %s|%lld|%lld%+d|%d|%s|%s|%d|%zu|%zu",
		    p->path, post_state_name(p->state), p->error ? p->error : "-",
		    p->error_line, p->error_column, p->title ? p->title : "-",
		    p->slug ? p->slug : "-", p->url ? p->url : "-",
		    p->summary ? p->summary : "-", p->summary_md ? p->summary_md : "-",
		    p->date, p->date_offset, p->date_field ? p->date_field : "-", p->publish,
		    p->url_date, p->url_date_offset, p->slug_from_name, fm, tags,
		    (int)p->fm.format, p->fm.body_offset, p->body_len);
	for (i = 0; i < p->fm.nr_problems; i++)
		strbuf_addf(&sb, "|%d:%d:%d %s", p->fm.problems[i].line, p->fm.problems[i].column,
			    p->fm.problems[i].is_error, p->fm.problems[i].message);
	free(fm);
	free(tags);
	return strbuf_detach(&sb, NULL);
}

/*
 * One content at two paths (a rename that kept it), its front matter parsed
 * once: each side is what post_read() makes of it, defaults and all.
 */
static void check_read_parsed(const struct site *s, const char *site_name, const char *text,
			      const char *path_a, const char *path_b, int shared)
{
	const long long now = 1764115200; /* 2025-11-26 */
	const char *paths[2] = { path_a, path_b };
	struct frontmatter fm, copy;
	struct post want, got[2];
	enum lookup rc;
	size_t len = strlen(text);
	int i;

	frontmatter_init(&fm);
	rc = frontmatter_parse(&fm, text, len);
	/* the same defaults at both paths: the front matter is shared, defaults merged once */
	if (shared)
		frontmatter_share(&copy, &fm);
	else
		frontmatter_copy(&copy, &fm);
	post_init(&got[0]);
	post_init(&got[1]);
	/* the after side with its summary, then the before side without, as a scan reads them */
	post_read_parsed(&got[0], s, path_a, &fm, rc, text, len, now, 0);
	post_read_parsed(&got[1], s, path_b, &copy, rc, text, len, now,
			 POST_READ_NO_SUMMARY | (shared ? POST_READ_DEFAULTS_DONE : 0));
	for (i = 0; i < 2; i++) {
		char *w, *g;
		post_init(&want);
		post_read(&want, s, paths[i], text, len, now, i ? POST_READ_NO_SUMMARY : 0);
		w = post_text(&want);
		g = post_text(&got[i]);
		if (!ok(!strcmp(w, g), "%s: parsed once%s, read at %s as post_read reads it",
			site_name, shared ? " and shared" : "", paths[i]))
			printf("# want %s\n#  got %s\n", w, g);
		free(w);
		free(g);
		post_release(&want);
		post_release(&got[i]);
	}
	frontmatter_release(&fm);
	frontmatter_release(&copy);
}

static void test_read_parsed(void)
{
	static const char *const texts[] = {
		"---\ntitle: A\ndate: 2020-01-02 10:00:00 +0000\ntags: [x, 2]\ndescription: D\n---\nBody.\n",
		"---\ncategories: own\nslug: s\n---\n\n# Heading\n\nFirst para.\n",
		"---\ndate: not a date\n---\nx\n",
		"---\ndraft: true\ntitle: T\n---\n",
		"---\nlayout: mine\nx: {z: 2}\ntitle: dup\ntitle: again\n---\nBody\n",
		"+++\ntitle = \"T\"\ndate = 2021-03-04\n+++\nBody\n",
		"{\"title\": \"J\", \"publishDate\": \"2099-01-01\"}\nBody\n",
		"no front matter\n",
		"---\n: [\n---\n",
	};
	static const char *const jekyll_paths[][2] = {
		{ "_posts/2020-01-02-a.md", "_posts/2021-01-02-b.md" },
		{ "blog/_posts/2020-01-02-a.md", "blog/x/_posts/2020-01-02-a.md" },
		{ "en/_posts/2020-01-02-a.md", "fr/_posts/2021-01-02-b.md" },
		{ "blog/_posts/2020-01-02-a.md", "_posts/2020-01-02-a.md" },
		{ "_posts/2021-05-06-a.md", "_drafts/a.md" },
		{ "_drafts/a.md", "en/_posts/2019-01-01-b.md" },
	};
	static const char *const hugo_paths[][2] = {
		{ "content/blog/a/index.md", "content/posts/2020-01-02-a.md" },
		{ "content/posts/2020-01-02-a.md", "content/drafts/b.md" },
	};
	json_error_t jerr;
	struct site s;
	size_t i, j;

	site_init(&s);
	s.kind = SITE_JEKYLL;
	s.base_url = strdup("https://example.org");
	free(s.permalink);
	s.permalink = strdup("/:categories/:year/:month/:day/:title/");
	s.jekyll_defaults = json_loads(
		"[{\"scope\": {\"path\": \"\", \"type\": \"posts\"}, \"values\": {\"layout\": \"post\", \"comments\": false}},"
		" {\"scope\": {\"path\": \"blog\"}, \"values\": {\"categories\": [\"b\"], \"x\": {\"y\": 1}, \"title\": \"Blog\"}},"
		" {\"scope\": {\"path\": \"_drafts\"}, \"values\": {\"date\": \"2001-02-03\"}},"
		" {\"scope\": {\"path\": \"*/_posts\"}, \"values\": {\"lang\": true, \"published\": false}}]",
		0, &jerr);
	ok(site_defaults_same(&s, "_posts/2020-01-02-a.md", "_posts/b.md") &&
	   site_defaults_same(&s, "en/_posts/2020-01-02-a.md", "fr/_posts/b.md") &&
	   !site_defaults_same(&s, "blog/_posts/a.md", "blog/x/_posts/a.md") &&
	   !site_defaults_same(&s, "blog/_posts/2020-01-02-a.md", "_posts/2020-01-02-a.md") &&
	   !site_defaults_same(&s, "_posts/a.md", "en/_posts/a.md") &&
	   !site_defaults_same(&s, "_drafts/a.md", "_posts/a.md"),
	   "jekyll: which paths get the same defaults");
	for (i = 0; i < ARRAY_SIZE(texts); i++)
		for (j = 0; j < ARRAY_SIZE(jekyll_paths); j++) {
			check_read_parsed(&s, "jekyll", texts[i], jekyll_paths[j][0],
					  jekyll_paths[j][1], 0);
			check_read_parsed(&s, "jekyll", texts[i], jekyll_paths[j][1],
					  jekyll_paths[j][0], 0);
			if (site_defaults_same(&s, jekyll_paths[j][0], jekyll_paths[j][1]))
				check_read_parsed(&s, "jekyll", texts[i], jekyll_paths[j][0],
						  jekyll_paths[j][1], 1);
		}
	site_release(&s);

	site_init(&s);
	s.kind = SITE_HUGO;
	s.base_url = strdup("https://example.org");
	strvec_push(&s.hugo_date, ":filename");
	strvec_push(&s.hugo_date, "date");
	strvec_push(&s.drafts, "drafts");
	for (i = 0; i < ARRAY_SIZE(texts); i++)
		for (j = 0; j < ARRAY_SIZE(hugo_paths); j++) {
			check_read_parsed(&s, "hugo", texts[i], hugo_paths[j][0], hugo_paths[j][1], 0);
			check_read_parsed(&s, "hugo", texts[i], hugo_paths[j][1], hugo_paths[j][0], 0);
			check_read_parsed(&s, "hugo", texts[i], hugo_paths[j][0], hugo_paths[j][1], 1);
		}
	site_release(&s);
}

int main(void)
{
	test_typing();
	test_delimiters();
	test_errors();
	test_warnings_and_aliases();
	test_truthy();
	test_dates();
	test_globs();
	test_states();
	test_urls();
	test_post_paths();
	test_event_table();
	test_read_parsed();
	return done_testing();
}
