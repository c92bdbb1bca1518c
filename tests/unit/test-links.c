/*
 * The link rule (only absolute http(s) urls are emitted), image
 * resolution, the Markdown escaping of .md templates checked through a
 * real CommonMark parser, and UTF-8 cuts at grapheme boundaries.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>
#include <jansson.h>

#include "herald/link.h"
#include "herald/markdown.h"
#include "herald/model.h"
#include "herald/strbuf.h"
#include "herald/template.h"
#include "herald/utf8.h"
#include "tap.h"

static void check_clean(const char *in, const char *want)
{
	char *got = link_clean(in);

	if (!want)
		ok(!got, "link_clean('%s') refuses it (got '%s')", in, got ? got : "");
	else
		is_str(got, want, "link_clean('%s')", in);
	free(got);
}

static void check_resolve(const char *ref, const char *base, const char *page,
			  const char *want)
{
	char *got = link_resolve(ref, base, page);

	if (!want)
		ok(!got, "link_resolve('%s') refuses it (got '%s')", ref, got ? got : "");
	else
		is_str(got, want, "link_resolve('%s', '%s', '%s')", ref,
		       base ? base : "-", page ? page : "-");
	free(got);
}

static void links(void)
{
	check_clean("https://blog.example.com/a/b/", "https://blog.example.com/a/b/");
	check_clean("HTTP://Blog.Example.com", "HTTP://Blog.Example.com");
	check_clean("https://x.example/links & more/", "https://x.example/links%20&%20more/");
	check_clean("https://x.example/caf\xc3\xa9/", "https://x.example/caf%C3%A9/");
	check_clean("https://x.example/a\"b<c>d`e{f}g|h\\i^j", "https://x.example/a%22b%3Cc%3Ed%60e%7Bf%7Dg%7Ch%5Ci%5Ej");
	check_clean("https://x.example/already%20encoded", "https://x.example/already%20encoded");
	check_clean("javascript:alert(1)//x", NULL);
	check_clean("JavaScript:alert(1)", NULL);
	check_clean("data:image/png;base64,AAAA", NULL);
	check_clean("vbscript:x", NULL);
	check_clean("file:///etc/passwd", NULL);
	check_clean("//cdn.example/x.png", NULL);
	check_clean("/relative/path/", NULL);
	check_clean("relative", NULL);
	check_clean("https://", NULL);
	check_clean("https:///path", NULL);
	check_clean("https://:443/x", NULL);
	check_clean("https://bank.example@evil.example/", NULL);
	check_clean("https://ex\xc3\xa4mple.com/", NULL);
	check_clean("https://a b.example/", NULL);
	check_clean(" https://x.example/", NULL);
	check_clean(NULL, NULL);
	ok(link_is_http("http://127.0.0.1:8080/x") && !link_is_http("ftp://x.example/"),
	   "link_is_http: http with a port yes, ftp no");

	check_resolve("https://img.example/a.png", "https://b.example", NULL, "https://img.example/a.png");
	check_resolve("//cdn.example/a.png", NULL, NULL, "https://cdn.example/a.png");
	check_resolve("/images/a.png", "https://b.example/blog", NULL, "https://b.example/blog/images/a.png");
	check_resolve("images/a.png", "https://b.example/blog", NULL, "https://b.example/blog/images/a.png");
	check_resolve("./cover.jpg", "https://b.example", "https://b.example/posts/x/", "https://b.example/posts/x/cover.jpg");
	check_resolve("cover.jpg", "https://b.example", "https://b.example/posts/x.html", "https://b.example/posts/cover.jpg");
	check_resolve("/a.png", "https://b.example", "https://b.example/posts/x/", "https://b.example/a.png");
	check_resolve("my picture.png", "https://b.example", NULL, "https://b.example/my%20picture.png");
	check_resolve("javascript:alert(1)", "https://b.example", NULL, NULL);
	check_resolve("data:image/png;base64,AAAA", "https://b.example", NULL, NULL);
	check_resolve("/a.png", NULL, NULL, NULL);
	check_resolve("a.png", "javascript:alert(1)//x", NULL, NULL);
	check_resolve("", "https://b.example", NULL, NULL);
}

/* The model: a bad base url, an unsafe post url and pictures. */
static void model(void)
{
	json_t *doc = json_pack(
		"{s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s, s:{s:s, s:s}}, "
		"{s:s, s:s, s:s, s:{s:[s], s:s}}, {s:s, s:s, s:s, s:{s:{s:s}}}]}",
		"site", "title", "T", "base_url", "javascript:alert(1)//x",
		"events",
		"type", "new", "path", "_posts/a.md", "url", "javascript:alert(2)",
		"summary_markdown", "![i](javascript:alert(3)) [l](data:text/html,x) and [ok](https://ok.example/)",
		"front_matter", "featuredImgPath", "https://img.example/a.png?x=1 2", "sub_title", "A subtitle",
		"type", "new", "path", "content/posts/b/index.md", "url", "https://b.example/posts/b/",
		"front_matter", "images", "cover.jpg", "subtitle", "",
		"type", "new", "path", "_posts/c.md", "url", "https://b.example/c/",
		"front_matter", "cover", "image", "javascript:alert(4)");
	json_t *m;
	const json_t *ev, *a, *b, *c;
	char *dump;

	if (!ok(doc != NULL, "model: the test document packs"))
		return;
	m = model_build(doc, NULL);
	ev = json_object_get(m, "events");
	a = json_array_get(ev, 0);
	b = json_array_get(ev, 1);
	c = json_array_get(ev, 2);
	dump = json_dumps(m, 0);

	ok(json_is_null(json_object_get(json_object_get(m, "site"), "base_url")),
	   "model: a javascript: base url is null");
	ok(json_is_null(json_object_get(a, "url")), "model: a javascript: post url is null");
	if (!ok(dump && !strstr(dump, "alert(1)") && !strstr(dump, "alert(2)") &&
		!strstr(dump, "alert(3)") && !strstr(dump, "data:text"),
		"model: no unsafe url from the base url, the post url or the summary"))
		diag("%s", dump);
	is_str(json_string_value(json_object_get(a, "image")), "https://img.example/a.png?x=1%202",
	       "model: featuredImgPath is the image, percent-encoded");
	is_str(json_string_value(json_object_get(a, "subtitle")), "A subtitle", "model: sub_title is the subtitle");
	is_str(json_string_value(json_object_get(b, "image")), "https://b.example/posts/b/cover.jpg",
	       "model: a page bundle's images[0] resolves below the page");
	ok(json_is_null(json_object_get(b, "subtitle")), "model: an empty subtitle is null");
	ok(json_is_null(json_object_get(c, "image")), "model: a javascript: cover.image is null");
	ok(!strstr(json_string_value(json_object_get(a, "summary_markdown")), "javascript"),
	   "model: summary_markdown without the javascript: image");
	ok(!strstr(json_string_value(json_object_get(a, "summary_md")), "javascript") &&
	   strstr(json_string_value(json_object_get(a, "summary_md")), "https://ok.example/"),
	   "model: summary_md keeps the http link, drops the others");
	free(dump);
	json_decref(m);
	json_decref(doc);
}

/* {{v}} in a .md template, then rendered by cmark as GitHub would. */
static void markdown_escaping(void)
{
	static const char *const hostile[] = {
		"<img src=x onerror=alert(1)>",
		"<script>alert(1)</script>",
		"[click](javascript:alert(1))",
		"![i](https://evil.example/track.png)",
		"**bold** _it_ `code` ~~s~~ | a | b |",
		"line one\n\n<div>two</div>",
		"a \\<b\\> c & &amp; &#60;",
		"<https://evil.example>",
	};
	struct template *t = template_parse("t.md", "- {{v}}", 7);
	size_t i;

	ok(template_escape_for("notes.md") == TEMPLATE_ESCAPE_MARKDOWN &&
	   template_escape_for("x.markdown") == TEMPLATE_ESCAPE_MARKDOWN,
	   ".md and .markdown escape for Markdown");
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {
		struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
		json_t *ctx = json_pack("{s:s}", "v", hostile[i]);
		char *html;
		const char *p;

		template_render(t, ctx, TEMPLATE_ESCAPE_MARKDOWN, NULL, &out);
		html = cmark_markdown_to_html(out.buf, out.len, CMARK_OPT_UNSAFE);
		/* what a reader should see: the value as text, one line */
		for (p = hostile[i]; *p; p++)
			strbuf_addch(&want, *p == '\n' ? ' ' : *p);
		{
			struct strbuf esc = STRBUF_INIT;
			markdown_escape(want.buf, want.len, MARKDOWN_HTML, &esc);
			if (!ok(html && !strstr(html, "<img") && !strstr(html, "<script") &&
				!strstr(html, "<a ") && !strstr(html, "<div") &&
				!strstr(html, "<strong") && !strstr(html, "<em") &&
				!strstr(html, "<code") && strstr(html, esc.buf),
				"markdown escaping keeps '%s' literal text", want.buf))
				diag("md: %s\nhtml: %s\nwant: %s", out.buf, html, esc.buf);
			strbuf_release(&esc);
		}
		free(html);
		json_decref(ctx);
		strbuf_release(&out);
		strbuf_release(&want);
	}
	template_free(t);
}

static void utf8(void)
{
	/* e + combining acute, a flag (two regional indicators), a ZWJ family */
	const char *e = "e\xcc\x81";
	const char *flag = "\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa";
	const char *family = "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	struct strbuf sb = STRBUF_INIT;
	char buf[64];

	ok(utf8_grapheme_len(e, strlen(e)) == 3, "e + U+0301 is one grapheme");
	ok(utf8_grapheme_len(flag, strlen(flag)) == 8, "a flag is one grapheme");
	ok(utf8_grapheme_len(family, strlen(family)) == strlen(family), "a ZWJ family is one grapheme");
	snprintf(buf, sizeof(buf), "ab%s", e);
	ok(utf8_cut(buf, strlen(buf), 3) == 2, "a cut inside e + accent goes before the e");
	snprintf(buf, sizeof(buf), "x%s", flag);
	ok(utf8_cut(buf, strlen(buf), 6) == 1, "a cut inside a flag goes before it");
	ok(utf8_cut("\xc3\xa9t\xc3\xa9", 5, 1) == 0 && utf8_cut("\xc3\xa9t\xc3\xa9", 5, 3) == 3,
	   "a cut inside a two-byte character goes before it");
	ok(utf8_char_len("\xc0\xaf", 2) == 1 && utf8_char_len("\xed\xa0\x80", 3) == 1 &&
	   utf8_char_len("\xf4\x90\x80\x80", 4) == 1 && utf8_char_len("\xe2\x82\xac", 3) == 3,
	   "overlongs, surrogates and code points past U+10FFFF are invalid");
	ok(utf8_width("\xe6\x97\xa5\xe6\x9c\xac", 6) == 4 && utf8_width(e, strlen(e)) == 1,
	   "CJK takes two columns, a combining accent none");
	utf8_add_columns(&sb, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe8\xa8\x98\xe4\xba\x8b", 7, 1);
	ok(utf8_valid(sb.buf, sb.len, NULL) && utf8_width(sb.buf, sb.len) == 7 &&
	   strstr(sb.buf, "\xe2\x80\xa6"), "utf8_add_columns: 7 columns of CJK, cut, padded: '%s'", sb.buf);
	strbuf_reset(&sb);
	utf8_add_columns(&sb, "short", 8, 1);
	is_str(sb.buf, "short   ", "utf8_add_columns pads");
	strbuf_reset(&sb);
	/* markdown_truncate_text cuts whole graphemes only */
	snprintf(buf, sizeof(buf), "%s%s%s%s", flag, flag, flag, flag);
	strbuf_addstr(&sb, buf);
	markdown_truncate_text(&sb, 4);
	ok(utf8_valid(sb.buf, sb.len, NULL) &&
	   (sb.len - 3) % 8 == 0, "a truncated row of flags keeps whole flags (%zu bytes)", sb.len);
	strbuf_release(&sb);
}

int main(void)
{
	links();
	model();
	markdown_escaping();
	utf8();
	return done_testing();
}
