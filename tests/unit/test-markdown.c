#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "tap.h"
#include "herald/banned.h"

#define ELLIPSIS "\xe2\x80\xa6"
#define FFFD "\xef\xbf\xbd"
#define PARTY "\xf0\x9f\x8e\x89" /* U+1F389, four bytes */

static const char *fmt_name[] = { "html", "text", "slack", "telegram", "matrix" };

static const char rep_doc[] =
	"# Title *one*\n"
	"\n"
	"Text with **bold**, _em_, `a<b`, [link](https://example.com/?a=1&b=2)"
	" and ![pic](https://example.com/p.png).\n"
	"[bad](javascript:alert(1)) & \"q\"\n"
	"\n"
	"<script>alert(1)</script>\n"
	"\n"
	"- one\n"
	"- two\n"
	"\n"
	"> quote\n"
	"\n"
	"```sh\n"
	"x < y\n"
	"```\n";

/* Renders into a fresh buffer; returns it (caller frees) or NULL on failure. */
static char *render(const char *md, size_t len, enum markdown_format fmt,
		    size_t max)
{
	struct strbuf sb = STRBUF_INIT;

	if (markdown_render(md, len, fmt, max, &sb) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static char *renders(const char *md, enum markdown_format fmt, size_t max)
{
	return render(md, strlen(md), fmt, max);
}

static void check(const char *md, enum markdown_format fmt, size_t max,
		  const char *want, const char *name)
{
	char *got = renders(md, fmt, max);

	is_str(got, want, "%s", name);
	free(got);
}

static size_t count_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Visible characters of HTML-ish output: outside tags, an entity counts
 * one, newlines count nothing (they are at most one each, so this never
 * counts more than the renderer does).
 */
static size_t count_visible(const char *s)
{
	size_t n = 0;

	while (*s) {
		if (*s == '<') {
			const char *e = strchr(s, '>');
			if (!e)
				return (size_t)-1;
			s = e + 1;
			continue;
		}
		if (*s == '&') {
			const char *e = strchr(s, ';');
			if (!e || e - s > 10)
				return (size_t)-1;
			s = e + 1;
			n++;
			continue;
		}
		if (*s != '\n' && ((unsigned char)*s & 0xc0) != 0x80)
			n++;
		s++;
	}
	return n;
}

/*
 * Are tags balanced and properly nested, and only from `allowed` (a list
 * like " p a b ", NULL for any)? Void tags (<br>, <img .../>, <hr />) and
 * comments are skipped.
 */
static int tags_ok(const char *s, const char *allowed)
{
	size_t nr = 0, alloc = strlen(s) / 3 + 1;
	char (*stack)[16] = malloc(alloc * sizeof(*stack));
	int ret = 0;

	while ((s = strchr(s, '<'))) {
		const char *e = strchr(s, '>');
		char name[16], key[20];
		size_t n = 0;
		int closing = s[1] == '/';

		if (!e)
			goto out;
		if (!strncmp(s, "<!--", 4)) {
			s = e + 1;
			continue;
		}
		while (n < sizeof(name) - 1 && s[1 + closing + n] >= 'a' &&
		       s[1 + closing + n] <= 'z')
			n++;
		if (n == 1 && s[1 + closing] == 'h' && s[2 + closing] >= '1' &&
		    s[2 + closing] <= '6')
			n = 2;
		memcpy(name, s + 1 + closing, n);
		name[n] = '\0';
		snprintf(key, sizeof(key), " %s ", name);
		if (allowed && !strstr(allowed, key))
			goto out;
		if (!strcmp(name, "br") || !strcmp(name, "hr") ||
		    !strcmp(name, "img") || e[-1] == '/') {
			/* void */
		} else if (closing) {
			if (!nr || strcmp(stack[nr - 1], name))
				goto out;
			nr--;
		} else {
			if (nr == alloc)
				goto out;
			memcpy(stack[nr++], name, n + 1);
		}
		s = e + 1;
	}
	ret = nr == 0;
out:
	free(stack);
	return ret;
}

/* How deep do the tags in well-formed HTML nest? */
static size_t max_depth(const char *s)
{
	size_t depth = 0, max = 0;

	while ((s = strchr(s, '<'))) {
		if (s[1] == '/')
			depth--;
		else if (strncmp(s, "<br", 3) && strncmp(s, "<hr", 3) &&
			 strncmp(s, "<img", 4) && strncmp(s, "<!--", 4))
			depth++;
		if (depth > max)
			max = depth;
		s++;
	}
	return max;
}

/* Slack: * _ ` balanced outside links and code, no link cut. */
static int slack_ok(const char *s)
{
	int star = 0, under = 0, tick = 0;

	for (; *s; s++) {
		if (*s == '<') {
			const char *e = strchr(s, '>');
			if (!e || memchr(s + 1, '<', (size_t)(e - s - 1)))
				return 0;
			s = e;
		} else if (*s == '`') {
			tick = !tick;
		} else if (tick) {
			continue;
		} else if (*s == '*') {
			star = !star;
		} else if (*s == '_') {
			under = !under;
		}
	}
	return !star && !under && !tick;
}

static void test_formats(void)
{
	char *got;
	size_t f;

	check(rep_doc, MARKDOWN_HTML, 0,
	      "<h1>Title <em>one</em></h1>\n"
	      "<p>Text with <strong>bold</strong>, <em>em</em>, "
	      "<code>a&lt;b</code>, <a href=\"https://example.com/?a=1&amp;b=2\">link</a>"
	      " and <img src=\"https://example.com/p.png\" alt=\"pic\" />.\n"
	      "bad &amp; &quot;q&quot;</p>\n"
	      "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
	      "<blockquote>\n<p>quote</p>\n</blockquote>\n"
	      "<pre><code class=\"language-sh\">x &lt; y\n</code></pre>\n",
	      "html: representative document");
	check(rep_doc, MARKDOWN_TEXT, 0,
	      "Title one\n"
	      "\n"
	      "Text with bold, em, a<b, link (https://example.com/?a=1&b=2)"
	      " and pic. bad & \"q\"\n"
	      "\n"
	      "- one\n- two\n"
	      "\n"
	      "quote\n"
	      "\n"
	      "x < y",
	      "text: representative document");
	check(rep_doc, MARKDOWN_SLACK, 0,
	      "*Title _one_*\n"
	      "\n"
	      "Text with *bold*, _em_, `a&lt;b`, <https://example.com/?a=1&amp;b=2|link>"
	      " and pic. bad &amp; \"q\"\n"
	      "\n"
	      "- one\n- two\n"
	      "\n"
	      "> quote\n"
	      "\n"
	      "```x &lt; y```",
	      "slack: representative document");
	check(rep_doc, MARKDOWN_TELEGRAM, 0,
	      "<b>Title <i>one</i></b>\n"
	      "\n"
	      "Text with <b>bold</b>, <i>em</i>, <code>a&lt;b</code>, "
	      "<a href=\"https://example.com/?a=1&amp;b=2\">link</a> and pic."
	      " bad &amp; &quot;q&quot;\n"
	      "\n"
	      "\xe2\x80\xa2 one\n\xe2\x80\xa2 two\n"
	      "\n"
	      "<blockquote>quote</blockquote>\n"
	      "\n"
	      "<pre><code class=\"language-sh\">x &lt; y</code></pre>",
	      "telegram: representative document");
	check(rep_doc, MARKDOWN_MATRIX, 0,
	      "<h1>Title <em>one</em></h1>\n"
	      "<p>Text with <strong>bold</strong>, <em>em</em>, "
	      "<code>a&lt;b</code>, <a href=\"https://example.com/?a=1&amp;b=2\">link</a>"
	      " and pic.\n"
	      "bad &amp; &quot;q&quot;</p>\n"
	      "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
	      "<blockquote>\n<p>quote</p>\n</blockquote>\n"
	      "<pre><code class=\"language-sh\">x &lt; y\n</code></pre>\n",
	      "matrix: representative document");

	for (f = 0; f < ARRAY_SIZE(fmt_name); f++) {
		got = renders(rep_doc, f, 0);
		ok(got && !strstr(got, "script") && !strstr(got, "javascript") &&
		   !strstr(got, "alert"),
		   "%s: no <script>, no javascript: link", fmt_name[f]);
		free(got);
	}

	check("1. a\n2. b\n   - c\n\n   d\n", MARKDOWN_TEXT, 0,
	      "1. a\n\n2. b\n\n   - c\n\n   d",
	      "text: loose ordered list with a nested list, indented");
	check("3) a\n4) b\n", MARKDOWN_TELEGRAM, 0, "3) a\n4) b",
	      "telegram: ordered list keeps its numbers");
	check("> a\n>\n> b\n", MARKDOWN_SLACK, 0, "> a\n>\n> b",
	      "slack: quoted paragraphs stay quoted");
	check("<https://x.example/a>, <me@x.example>, [](https://e.example)",
	      MARKDOWN_TEXT, 0,
	      "https://x.example/a, me@x.example, https://e.example",
	      "text: autolinks and empty link text give the url once");
	check("[a|b](https://x.example/a|b>c) <https://x.example/y>",
	      MARKDOWN_SLACK, 0,
	      "<https://x.example/a%7Cb&gt;c|a\xc2\xa6" "b> <https://x.example/y>",
	      "slack: link text and url escaped, | replaced");
	check("[rel](/posts/x) [m](mailto:a@b.example)", MARKDOWN_SLACK, 0,
	      "rel <mailto:a@b.example|m>",
	      "slack: relative link keeps its text only");
	check("[rel](/posts/x) [ftp](ftp://h/x)", MARKDOWN_MATRIX, 0,
	      "<p>rel ftp</p>\n", "matrix: only http, https and mailto links");
	check("``a`b``", MARKDOWN_SLACK, 0, "`a\xcb\x8b" "b`",
	      "slack: backtick inside code replaced");
	check("~~~\nx ``` y\n~~~\n\n```\n```\nz", MARKDOWN_SLACK, 0,
	      "```x \xcb\x8b\xcb\x8b\xcb\x8b y```\n\nz",
	      "slack: backticks replaced in code blocks, empty block dropped");
	check("# **Bold** head", MARKDOWN_SLACK, 0, "*Bold head*",
	      "slack: no nested bold in a heading");
	check("a  \nb\nc", MARKDOWN_TELEGRAM, 0, "a\nb c",
	      "telegram: hard break is a newline, soft break a space");
	check("a  \nb", MARKDOWN_MATRIX, 0, "<p>a<br>\nb</p>\n",
	      "matrix: hard break is <br>");
	check("***", MARKDOWN_MATRIX, 0, "", "matrix: thematic break dropped");
	check("> a\n> > b\n", MARKDOWN_TELEGRAM, 0, "<blockquote>a\n\nb</blockquote>",
	      "telegram: nested quotes flattened");
	check("", MARKDOWN_TEXT, 0, "", "text: empty document");
}

static void test_hostile(void)
{
	static const char doc[] =
		"<div onclick=\"x()\">hi</div>\n\n"
		"text <img src=x onerror=alert(1)> <b>raw</b>\n\n"
		"[x](javascript:alert(1)) [y](vbscript:z) [z](data:text/html,1) "
		"[w](file:///etc/passwd) ![i](data:image/png;base64,AA)\n\n"
		"~~~\n</pre><script>\n~~~\n";
	char *got;

	got = renders(doc, MARKDOWN_MATRIX, 0);
	ok(got && tags_ok(got, " p br strong em code pre a ul ol li blockquote"
			       " h1 h2 h3 h4 h5 h6 ") &&
	   !strstr(got, "onerror") && !strstr(got, "onclick") &&
	   !strstr(got, "javascript") && !strstr(got, "vbscript") &&
	   !strstr(got, "data:") && !strstr(got, "file:"),
	   "matrix: hostile input gives only allowed tags and links");
	free(got);
	got = renders(doc, MARKDOWN_TELEGRAM, 0);
	ok(got && tags_ok(got, " b i u s a code pre blockquote ") &&
	   !strstr(got, "onerror") && !strstr(got, "javascript") &&
	   !strstr(got, "<script"),
	   "telegram: hostile input gives only allowed tags and links");
	free(got);
	got = renders(doc, MARKDOWN_HTML, 0);
	ok(got && tags_ok(got, NULL) && !strstr(got, "onerror") &&
	   !strstr(got, "onclick") && !strstr(got, "javascript") &&
	   !strstr(got, "vbscript") && !strstr(got, "data:text") &&
	   !strstr(got, "file:") && !strstr(got, "data:image/png") &&
	   !strstr(got, "<script"),
	   "html: raw html omitted, links and images other than http(s) dropped");
	free(got);
	got = renders(doc, MARKDOWN_SLACK, 0);
	ok(got && !strchr(got, '<') && strstr(got, "&lt;/pre&gt;&lt;script&gt;"),
	   "slack: no raw html, code escaped");
	free(got);
	got = renders(doc, MARKDOWN_TEXT, 0);
	is_str(got, "text  raw\n\nx y z w i\n\n</pre><script>",
	       "text: raw html dropped, unsafe urls left out");
	free(got);
}

static void test_escape(void)
{
	static const char s[] = "a & b < c > d \"e\" " PARTY;
	struct strbuf sb = STRBUF_INIT;
	size_t f;
	static const char *want[] = {
		"a &amp; b &lt; c &gt; d &quot;e&quot; " PARTY,
		"a & b < c > d \"e\" " PARTY,
		"a &amp; b &lt; c &gt; d \"e\" " PARTY,
		"a &amp; b &lt; c &gt; d &quot;e&quot; " PARTY,
		"a &amp; b &lt; c &gt; d &quot;e&quot; " PARTY,
	};

	for (f = 0; f < ARRAY_SIZE(want); f++) {
		strbuf_reset(&sb);
		markdown_escape(s, strlen(s), f, &sb);
		is_str(sb.buf, want[f], "escape: %s", fmt_name[f]);
	}
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "x:");
	markdown_escape("a\xff<", 3, MARKDOWN_HTML, &sb);
	is_str(sb.buf, "x:a" FFFD "&lt;", "escape: appends, invalid UTF-8 replaced");
	strbuf_release(&sb);

	check("a & b < c " PARTY, MARKDOWN_HTML, 0,
	      "<p>a &amp; b &lt; c " PARTY "</p>\n", "html: text escaped, emoji kept");
}

static void test_utf8(void)
{
	static const char bad[] = "a\xff" "b\xc3(c\xf0\x9f\x8e" "d\0e";
	struct strbuf sb = STRBUF_INIT;
	char *got;
	size_t f;

	for (f = 0; f < ARRAY_SIZE(fmt_name); f++) {
		got = render(bad, sizeof(bad) - 1, f, 0);
		ok(got && utf8_valid(got, strlen(got), NULL) &&
		   strstr(got, "a" FFFD "b" FFFD "(c" FFFD) &&
		   strstr(got, "d" FFFD "e"),
		   "%s: invalid UTF-8 and NUL become U+FFFD", fmt_name[f]);
		free(got);
	}

	/* tests/fuzz/regressions/markdown/commonmark-autolink-fffe */
	for (f = 0; f < ARRAY_SIZE(fmt_name); f++) {
		got = renders("ahttp\xef\xbf\xbe x \xef\xbf\xbf", f, 0);
		ok(got && utf8_valid(got, strlen(got), NULL) &&
		   strstr(got, "ahttp" FFFD) && !strstr(got, "\xef\xbf\xbe"),
		   "%s: U+FFFE and U+FFFF become U+FFFD", fmt_name[f]);
		free(got);
	}
	got = renders("ahttp\xef\xbf\xbe x", MARKDOWN_COMMONMARK, 0);
	ok(got && utf8_valid(got, strlen(got), NULL) && strstr(got, "ahttp" FFFD),
	   "commonmark: U+FFFE after 'http' stays valid UTF-8 (cmark writes a lone byte)");
	free(got);

	strbuf_addstr(&sb, "keep ");
	ok(markdown_render(NULL, 0, MARKDOWN_HTML, 0, &sb) == 0 &&
	   !strcmp(sb.buf, "keep "), "NULL input of length 0 renders nothing");
	ok(markdown_render("*x*", 3, MARKDOWN_TEXT, 0, &sb) == 0 &&
	   !strcmp(sb.buf, "keep x"), "render appends to the buffer");
	ok(markdown_render("x", 1, (enum markdown_format)42, 0, &sb) == -1 &&
	   !strcmp(sb.buf, "keep x"), "unknown format fails, appends nothing");
	strbuf_release(&sb);
}

static void test_limits(void)
{
	struct strbuf big = STRBUF_INIT, out = STRBUF_INIT;
	size_t i, f;

	strbuf_addstr(&big, "ab");
	for (i = 0; i < MARKDOWN_MAX_INPUT / 4 + 100; i++)
		strbuf_addstr(&big, PARTY);
	ok(markdown_render(big.buf, big.len, MARKDOWN_TEXT, 0, &out) == 0 &&
	   out.len == MARKDOWN_MAX_INPUT - 2 && utf8_valid(out.buf, out.len, NULL),
	   "input over the cap is cut at a character boundary");

	strbuf_reset(&big);
	strbuf_reset(&out);
	strbuf_addchars(&big, '>', 3000);
	strbuf_addstr(&big, " deep ");
	strbuf_addchars(&big, '*', 3000);
	strbuf_addstr(&big, "x");
	strbuf_addchars(&big, '*', 3000);
	for (f = 0; f < ARRAY_SIZE(fmt_name); f++) {
		strbuf_reset(&out);
		ok(markdown_render(big.buf, big.len, f, 50, &out) == 0 &&
		   utf8_valid(out.buf, out.len, NULL) &&
		   (f != MARKDOWN_HTML && f != MARKDOWN_MATRIX &&
		    f != MARKDOWN_TELEGRAM ? 1 : tags_ok(out.buf, NULL)),
		   "%s: deep nesting, cut", fmt_name[f]);
	}

	strbuf_reset(&big);
	strbuf_reset(&out);
	strbuf_addchars(&big, '>', 300);
	strbuf_addstr(&big, " x");
	ok(markdown_render(big.buf, big.len, MARKDOWN_MATRIX, 0, &out) == 0 &&
	   tags_ok(out.buf, NULL) && strstr(out.buf, "x") &&
	   max_depth(out.buf) == 100,
	   "matrix: tags nest at most 100 deep, the text is kept");
	strbuf_release(&big);
	strbuf_release(&out);
}

static void test_truncate_render(void)
{
	char *got;
	size_t f, max;
	int good;

	/* exact boundaries: visible text only for HTML-ish formats */
	check("hello world", MARKDOWN_HTML, 11, "<p>hello world</p>\n",
	      "html: text of exactly max_chars is not cut");
	check("hello world", MARKDOWN_HTML, 10, "<p>hello" ELLIPSIS "</p>",
	      "html: one over cuts at the word");
	check("**bold text here**", MARKDOWN_HTML, 7,
	      "<p><strong>bold" ELLIPSIS "</strong></p>",
	      "html: cut inside <strong> closes it and <p>");
	check("**bold text here**", MARKDOWN_MATRIX, 7,
	      "<p><strong>bold" ELLIPSIS "</strong></p>",
	      "matrix: cut inside <strong> closes it and <p>");
	check("# a\n\nhello", MARKDOWN_TELEGRAM, 8, "<b>a</b>\n\nhello",
	      "telegram: tags do not count, newlines do");
	check("# a\n\nhello", MARKDOWN_TELEGRAM, 7, "<b>a" ELLIPSIS "</b>",
	      "telegram: one over is cut at the last word, inside <b>");
	check("abcdefghij", MARKDOWN_TEXT, 10, "abcdefghij",
	      "text: exactly max_chars is not cut");
	check("abcdefghij", MARKDOWN_TEXT, 9, "abcdefgh" ELLIPSIS,
	      "text: one over keeps max_chars - 1 and the ellipsis");
	check("abc", MARKDOWN_TEXT, 1, ELLIPSIS, "text: max_chars 1 is the ellipsis");
	check("*ab*", MARKDOWN_SLACK, 4, "_ab_", "slack: markup counts, fits");
	check("*ab*", MARKDOWN_SLACK, 3, ELLIPSIS,
	      "slack: closers are counted in the limit");
	check("*abc*", MARKDOWN_SLACK, 4, "_a" ELLIPSIS "_",
	      "slack: cut inside italic closes it");

	/* emoji never split */
	check(PARTY PARTY PARTY, MARKDOWN_TEXT, 2, PARTY ELLIPSIS,
	      "text: 4-byte emoji kept whole");
	check(PARTY PARTY PARTY, MARKDOWN_HTML, 3, "<p>" PARTY PARTY PARTY "</p>\n",
	      "html: three emoji fit in 3");
	check(PARTY PARTY PARTY, MARKDOWN_HTML, 2, "<p>" PARTY ELLIPSIS "</p>",
	      "html: 4-byte emoji kept whole");

	/* entities never split */
	check("ab&&&cd", MARKDOWN_HTML, 4, "<p>ab&amp;" ELLIPSIS "</p>",
	      "html: &amp; is one character, never split");
	check("a&b", MARKDOWN_TELEGRAM, 2, "a" ELLIPSIS,
	      "telegram: &amp; never split");
	check("a&b", MARKDOWN_SLACK, 5, "a" ELLIPSIS,
	      "slack: &amp; counts whole, never split");
	check("a&b", MARKDOWN_SLACK, 7, "a&amp;b", "slack: &amp; counts 5");

	/* Slack links whole or not at all */
	check("see [the docs](https://example.com/docs) now", MARKDOWN_SLACK, 39,
	      "see" ELLIPSIS, "slack: a link that does not fit is left out");
	check("see [the docs](https://example.com/docs) now", MARKDOWN_SLACK, 40,
	      "see <https://example.com/docs|the docs>" ELLIPSIS,
	      "slack: a link that fits is kept whole");
	check("`code span here`", MARKDOWN_SLACK, 8, "`code" ELLIPSIS "`",
	      "slack: cut inside code closes the backtick");
	check("```\nline one\nline two\n```", MARKDOWN_SLACK, 16,
	      "```line one" ELLIPSIS "```", "slack: cut inside a code block closes it");
	check("[link text](https://example.com) tail", MARKDOWN_TEXT, 12,
	      "link text" ELLIPSIS, "text: url left out whole when it does not fit");

	/* word boundary preferred, but not more than ~20 characters back */
	check("a supercalifragilisticexpialidocious", MARKDOWN_TEXT, 30,
	      "a supercalifragilisticexpiali" ELLIPSIS,
	      "text: long word cut inside when the boundary is too far");

	/* every limit on the representative document stays well-formed */
	for (f = 0; f < ARRAY_SIZE(fmt_name); f++) {
		good = 1;
		for (max = 1; max < 400 && good; max++) {
			size_t n;

			got = renders(rep_doc, f, max);
			if (!got || !utf8_valid(got, strlen(got), NULL)) {
				good = 0;
			} else if (f == MARKDOWN_HTML || f == MARKDOWN_MATRIX ||
				   f == MARKDOWN_TELEGRAM) {
				n = count_visible(got);
				good = n <= max && tags_ok(got, NULL);
			} else {
				n = count_chars(got, strlen(got));
				good = n <= max &&
				       (f != MARKDOWN_SLACK || slack_ok(got));
			}
			if (!good)
				diag("max %zu: '%s'", max, got ? got : "(null)");
			free(got);
		}
		ok(good, "%s: every limit 1..399 gives valid, balanced output within the limit",
		   fmt_name[f]);
	}
}

static void test_truncate_text(void)
{
	struct strbuf sb = STRBUF_INIT;

#define TRUNC(in, max, want, name)                                            \
	do {                                                                  \
		strbuf_reset(&sb);                                            \
		strbuf_addstr(&sb, in);                                       \
		markdown_truncate_text(&sb, max);                             \
		is_str(sb.buf, want, name);                                   \
	} while (0)

	TRUNC("hello world", 11, "hello world", "truncate_text: fits exactly");
	TRUNC("hello world", 0, "hello world", "truncate_text: 0 is no limit");
	TRUNC("hello world", 10, "hello" ELLIPSIS, "truncate_text: cut at word");
	TRUNC("hello world", 7, "hello" ELLIPSIS, "truncate_text: no space before the ellipsis");
	TRUNC("hello world", 1, ELLIPSIS, "truncate_text: max 1");
	TRUNC("abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi" ELLIPSIS,
	      "truncate_text: one long word cut inside");
	TRUNC(PARTY PARTY PARTY PARTY, 3, PARTY PARTY ELLIPSIS,
	      "truncate_text: emoji never split");
	TRUNC("caf\xc3\xa9 caf\xc3\xa9", 9, "caf\xc3\xa9 caf\xc3\xa9",
	      "truncate_text: counts code points, not bytes");
	TRUNC("a\n\nb c d", 4, "a" ELLIPSIS, "truncate_text: newlines are whitespace");
#undef TRUNC
	strbuf_release(&sb);
}

int main(void)
{
	test_formats();
	test_hostile();
	test_escape();
	test_utf8();
	test_limits();
	test_truncate_render();
	test_truncate_text();
	return done_testing();
}
