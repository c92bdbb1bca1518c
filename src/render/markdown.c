#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "herald/link.h"
#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/usage.h"
#include "herald/banned.h"

/*
 * Safe mode is cmark 0.30's default; validation turns what cmark's parser
 * sees into valid UTF-8 even though we already cleaned the input.
 */
#define MD_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

#define ELLIPSIS "\xe2\x80\xa6"
/* How far back a cut may move to end at a word. */
#define WORD_SLACK 20

/* --- UTF-8 --- */

/*
 * cmark 0.30's CommonMark renderer takes U+FFFE and U+FFFF for invalid
 * UTF-8 and writes their first byte alone (0xEF dropped, 0xFE or 0xFF
 * kept), so "ahttp" + U+FFFE comes out as invalid UTF-8. Both are
 * noncharacters, never text a reader should see: they become U+FFFD in
 * every format before cmark sees them. The input is valid UTF-8 here, so
 * the three-byte pattern cannot start inside another character.
 */
static void replace_fffe_ffff(struct strbuf *sb)
{
	for (size_t i = 0; i + 2 < sb->len; i++) {
		unsigned char *p = (unsigned char *)sb->buf + i;

		if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			p[2] = 0xbd;
	}
}

static int is_space(const char *s, size_t n)
{
	return n == 1 && (*s == ' ' || *s == '\n' || *s == '\t');
}

/* --- the output: counts characters, tracks open elements, cuts --- */

/*
 * The open elements form a tree of frames that is never shrunk: a push adds
 * a frame whose parent is the current top, a pop moves the top back to the
 * parent. So a place in the output remembers its open elements with one
 * index, however deep the nesting.
 */
struct md_frame {
	const char *closer;
	size_t parent;
	size_t cost;        /* characters all closers from here add */
	size_t depth;       /* elements open, this one included */
};

/* A place in the output where a cut may be made. */
struct md_mark {
	int set;
	size_t len;
	size_t count;
	size_t top;
};

/* A block container while rendering the text-like formats. */
struct md_container {
	cmark_node_type type;
	size_t outer_list;  /* the innermost list outside it, or NO_LIST */
	int tight;          /* lists */
	int number;         /* ordered lists: the next item's number */
	int paren;          /* ordered lists: "1)" rather than "1." */
	int ordered;
	char bullet[32];    /* items */
	size_t width;       /* items: the bullet's width in characters */
	int used;           /* items: the bullet was written */
};

#define NO_LIST ((size_t)-1)
/*
 * Deeper containers add no quote marks or indentation to each line (their
 * bullets are still written), so hostile nesting cannot multiply the output.
 */
#define MAX_PREFIX_DEPTH 16
/*
 * Tags we write are not nested deeper (Matrix asks clients to cut at 100);
 * the text inside is kept.
 */
#define MAX_TAG_DEPTH 100

struct md_out {
	struct strbuf *sb;
	enum markdown_format fmt;
	size_t limit;
	int count_markup;      /* markup counts as characters too */
	size_t count;          /* characters counted so far */

	struct md_frame *frames; /* frames[0] is the root: nothing open */
	size_t nr_frames, alloc_frames;
	size_t top;

	struct md_mark good;   /* the last place a cut fits */
	struct md_mark word;   /* the last end of a word where a cut fits */
	int full;              /* no later place fits */
	int over;              /* a cut is certain: stop writing */
	int word_end;          /* `good` is at the last unit written */

	/* text-like formats */
	struct md_container *ctr;
	size_t ctr_nr, ctr_alloc;
	size_t cur_list;       /* index of the innermost list, or NO_LIST */
	size_t first_unused;   /* items from here on have not written their bullet */
	int pending;           /* newlines owed before the next block */
	int started;           /* some content was written */
	int at_line_start;
	int bold, italic, quote;
	size_t link_start;
};

static void out_init(struct md_out *o, struct strbuf *sb,
		     enum markdown_format fmt, size_t limit)
{
	memset(o, 0, sizeof(*o));
	o->sb = sb;
	o->fmt = fmt;
	o->limit = limit;
	o->count_markup = fmt == MARKDOWN_SLACK || fmt == MARKDOWN_TEXT;
	o->at_line_start = 1;
	o->cur_list = NO_LIST;
	ALLOC_GROW(o->frames, 1, o->alloc_frames);
	o->frames[0].closer = "";
	o->frames[0].parent = 0;
	o->frames[0].cost = 0;
	o->frames[0].depth = 0;
	o->nr_frames = 1;
	o->top = 0;
}

static void out_release(struct md_out *o)
{
	free(o->frames);
	free(o->ctr);
}

static size_t closer_cost(const struct md_out *o)
{
	return o->count_markup ? o->frames[o->top].cost : 0;
}

static void mark_save(struct md_out *o, struct md_mark *m)
{
	m->set = 1;
	m->len = o->sb->len;
	m->count = o->count;
	m->top = o->top;
}

/* Is there room for a cut right here? Remembers it if so. */
static void out_check(struct md_out *o)
{
	/*
	 * count + closer cost never decreases (closing moves a closer's
	 * cost into count), so once a place does not fit none later will.
	 */
	if (o->count + 1 + closer_cost(o) <= o->limit) {
		mark_save(o, &o->good);
		o->word_end = 1;
	} else {
		o->full = 1;
		o->word_end = 0;
	}
}

/* After writing: once even the end cannot fit, the rest is never kept. */
static void out_check_over(struct md_out *o)
{
	if (o->limit && o->count + closer_cost(o) > o->limit)
		o->over = 1;
}

/* A word ends here (without a space being written: a block ends). */
static void out_boundary(struct md_out *o)
{
	if (o->limit && !o->full && o->word_end)
		o->word = o->good;
	o->word_end = 0;
}

/* Writes one visible unit, never cut: a character, an entity, a whole link. */
static void out_unit(struct md_out *o, const char *s, size_t n, size_t cost)
{
	int space = is_space(s, n);

	if (o->over)
		return;
	if (space)
		out_boundary(o);
	strbuf_add(o->sb, s, n);
	o->count += cost;
	if (o->limit && !o->full && !space)
		out_check(o);
	out_check_over(o);
}

static void out_markup(struct md_out *o, const char *s, size_t n)
{
	if (o->over)
		return;
	strbuf_add(o->sb, s, n);
	if (o->count_markup)
		o->count += utf8_count(s, n);
	out_check_over(o);
}

static void out_push(struct md_out *o, const char *closer)
{
	struct md_frame *f;

	ALLOC_GROW(o->frames, o->nr_frames + 1, o->alloc_frames);
	f = &o->frames[o->nr_frames];
	f->closer = closer;
	f->parent = o->top;
	f->cost = o->frames[o->top].cost +
		  (o->count_markup ? utf8_count(closer, strlen(closer)) : 0);
	f->depth = o->frames[o->top].depth + 1;
	o->top = o->nr_frames++;
}

static const char *out_pop(struct md_out *o)
{
	const char *closer;

	if (!o->top)
		BUG("markdown: closing with nothing open");
	closer = o->frames[o->top].closer;
	o->top = o->frames[o->top].parent;
	return closer;
}

/* The entity for `c` in HTML (and Slack's text): &, <, > and, with `quote`, ". */
static const char *entity(char c, int quote)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return quote ? "&quot;" : NULL;
	default: return NULL;
	}
}

/* Writes every character of `s` as its own unit, escaped for the format. */
static void out_chars(struct md_out *o, const char *s, size_t len, int escape)
{
	size_t i = 0;

	while (i < len && !o->over) {
		unsigned char c = (unsigned char)s[i];
		size_t n;
		const char *e = NULL;

		/*
		 * Most text is printable ASCII: before another ASCII byte (or
		 * the end) one is a cluster of its own, one code point, with
		 * nothing to escape unless it is one of & < > ".
		 */
		if (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' && c != '"' &&
		    (i + 1 == len || (unsigned char)s[i + 1] < 0x80)) {
			out_unit(o, s + i, 1, 1);
			i++;
			continue;
		}
		/*
		 * A whole grapheme cluster is one unit, so no cut separates an
		 * "e" from its accent or splits a flag; it costs its code
		 * points. A character that needs escaping stands alone.
		 */
		n = strchr("&<>\"", s[i]) ? 1 : utf8_grapheme_len(s + i, len - i);

		if (escape && n == 1)
			e = entity(s[i], o->fmt != MARKDOWN_SLACK);
		if (!e)
			out_unit(o, s + i, n, utf8_count(s + i, n));
		else
			out_unit(o, e, strlen(e),
				 o->count_markup ? strlen(e) : 1);
		i += n;
	}
}

/*
 * Ends the output: when it is over the limit, goes back to the best place
 * for a cut, writes "…" and closes what was open there.
 */
static void out_finish(struct md_out *o)
{
	const struct md_mark *m = &o->good;
	size_t f;

	if (!o->limit || (!o->over && o->count <= o->limit))
		return;
	if (!m->set)
		BUG("markdown: no place to cut");
	if (o->word.set && o->word.count && m->count - o->word.count <= WORD_SLACK)
		m = &o->word;
	strbuf_setlen(o->sb, m->len);
	strbuf_addstr(o->sb, ELLIPSIS);
	for (f = m->top; f; f = o->frames[f].parent)
		strbuf_addstr(o->sb, o->frames[f].closer);
}

static void out_start(struct md_out *o)
{
	if (o->limit)
		mark_save(o, &o->good);
}

/* --- links --- */

static int has_prefix_icase(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

/* cmark's rule for safe mode. */
static int url_unsafe(const char *url)
{
	if (has_prefix_icase(url, "data:"))
		return !(has_prefix_icase(url + 5, "image/png") ||
			 has_prefix_icase(url + 5, "image/gif") ||
			 has_prefix_icase(url + 5, "image/jpeg") ||
			 has_prefix_icase(url + 5, "image/webp"));
	return has_prefix_icase(url, "javascript:") ||
	       has_prefix_icase(url, "vbscript:") ||
	       has_prefix_icase(url, "file:");
}

/* May the chat formats make a link to it? */
static int url_linkable(const char *url)
{
	return has_prefix_icase(url, "http://") ||
	       has_prefix_icase(url, "https://") ||
	       has_prefix_icase(url, "mailto:");
}

/* Is the link text just its address (as in autolinks)? */
static int text_is_url(const char *text, size_t len, const char *url)
{
	size_t ulen = strlen(url);

	if (len == ulen && !memcmp(text, url, len))
		return 1;
	return has_prefix_icase(url, "mailto:") && len == ulen - 7 &&
	       !memcmp(text, url + 7, len);
}

static void html_escape(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		const char *e = entity(s[i], 1);
		if (e)
			strbuf_addstr(sb, e);
		else
			strbuf_addch(sb, s[i]);
	}
}

/* The text of a subtree without its markup: link text, alt text. */
static void plain_text(cmark_node *node, struct strbuf *sb)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		const char *lit;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(n);
			if (lit)
				strbuf_addstr(sb, lit);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			strbuf_addch(sb, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* The first word of a code block's info string, if it is a plain name. */
static void code_language(cmark_node *node, struct strbuf *lang)
{
	const char *info = cmark_node_get_fence_info(node);
	size_t i;

	if (!info)
		return;
	for (i = 0; info[i] && info[i] != ' ' && info[i] != '\t'; i++) {
		char c = info[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("+-_.#", c)))
			return;
	}
	strbuf_add(lang, info, i);
}

static const char *heading_tag(int level, int close)
{
	static const char *open_tags[] = { "<h1>", "<h2>", "<h3>",
					   "<h4>", "<h5>", "<h6>" };
	static const char *close_tags[] = { "</h1>", "</h2>", "</h3>",
					    "</h4>", "</h5>", "</h6>" };

	if (level < 1)
		level = 1;
	if (level > 6)
		level = 6;
	return close ? close_tags[level - 1] : open_tags[level - 1];
}

/* --- MARKDOWN_HTML: cmark's HTML, walked to cut it --- */

static const struct {
	const char *name;
	const char *closer;
	int block;
} html_tags[] = {
	{ "a", "</a>", 0 },
	{ "blockquote", "</blockquote>", 1 },
	{ "code", "</code>", 0 },
	{ "em", "</em>", 0 },
	{ "h1", "</h1>", 1 },
	{ "h2", "</h2>", 1 },
	{ "h3", "</h3>", 1 },
	{ "h4", "</h4>", 1 },
	{ "h5", "</h5>", 1 },
	{ "h6", "</h6>", 1 },
	{ "li", "</li>", 1 },
	{ "ol", "</ol>", 1 },
	{ "p", "</p>", 1 },
	{ "pre", "</pre>", 1 },
	{ "strong", "</strong>", 0 },
	{ "ul", "</ul>", 1 },
};

static int html_tag_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(html_tags); i++)
		if (strlen(html_tags[i].name) == len &&
		    !memcmp(html_tags[i].name, name, len))
			return (int)i;
	return -1;
}

/*
 * cmark's HTML is well-formed and escapes every '<', '>' and '&' in text
 * and attributes, so a tag runs from '<' to the next '>' and an entity
 * from '&' to ';'.
 */
static void html_walk(struct md_out *o, const char *h, size_t len)
{
	size_t i = 0;
	int after_block_tag = 0;

	while (i < len) {
		if (h[i] == '<') {
			const char *end;
			size_t j, name_len;
			int closing, t, after = 0;

			if (len - i >= 4 && !memcmp(h + i, "<!--", 4))
				end = memmem(h + i, len - i, "-->", 3);
			else
				end = memchr(h + i, '>', len - i);
			j = end ? (size_t)(end - h) + (*end == '-' ? 3 : 1) : len;
			closing = i + 1 < len && h[i + 1] == '/';
			name_len = 0;
			while (i + 1 + closing + name_len < j) {
				char c = h[i + 1 + closing + name_len];
				if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
					break;
				name_len++;
			}
			t = html_tag_find(h + i + 1 + closing, name_len);
			out_markup(o, h + i, j - i);
			if (t >= 0 && closing) {
				if (o->top)
					out_pop(o);
				after = html_tags[t].block;
			} else if (t >= 0 && j - i >= 2 && h[j - 2] != '/') {
				out_push(o, html_tags[t].closer);
				after = html_tags[t].block;
			} else if (name_len == 2 && (!memcmp(h + i + 1, "br", 2) ||
						     !memcmp(h + i + 1, "hr", 2))) {
				after = 1;
			}
			if (after)
				out_boundary(o);
			after_block_tag = after;
			i = j;
		} else if (h[i] == '&') {
			size_t j = i + 1;

			while (j < len && j - i < 12 &&
			       (h[j] == '#' || (h[j] >= 'a' && h[j] <= 'z') ||
				(h[j] >= 'A' && h[j] <= 'Z') ||
				(h[j] >= '0' && h[j] <= '9')))
				j++;
			if (j < len && h[j] == ';')
				j++;
			else
				j = i + 1; /* a lone '&', which cmark never writes */
			out_unit(o, h + i, j - i, 1);
			i = j;
			after_block_tag = 0;
		} else if (h[i] == '\n' && after_block_tag) {
			/* cmark's newline between blocks: no text */
			out_markup(o, h + i, 1);
			i++;
		} else {
			size_t n = utf8_char_len(h + i, len - i);
			out_unit(o, h + i, n, 1);
			i += n;
			after_block_tag = 0;
		}
	}
}

/* --- MARKDOWN_MATRIX: our own HTML with the tags Matrix allows --- */

/* Marks a link whose <a> was written, so its exit closes it. */
static char link_opened;

static int in_tight_list(cmark_node *para)
{
	cmark_node *item = cmark_node_parent(para);
	cmark_node *list = item ? cmark_node_parent(item) : NULL;

	return item && list && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
	       cmark_node_get_list_tight(list);
}

static void open_tag(struct md_out *o, const char *tag, const char *closer)
{
	if (o->frames[o->top].depth >= MAX_TAG_DEPTH) {
		out_push(o, ""); /* so that close_tag() still pairs */
		return;
	}
	out_markup(o, tag, strlen(tag));
	out_push(o, closer);
}

static void close_tag(struct md_out *o)
{
	const char *closer = out_pop(o);

	out_markup(o, closer, strlen(closer));
}

static void open_link(struct md_out *o, cmark_node *node)
{
	const char *url = cmark_node_get_url(node);
	struct strbuf tag = STRBUF_INIT;

	if (!url || !url_linkable(url))
		return;
	strbuf_addstr(&tag, "<a href=\"");
	html_escape(&tag, url, strlen(url));
	strbuf_addstr(&tag, "\">");
	open_tag(o, tag.buf, "</a>");
	cmark_node_set_user_data(node, &link_opened);
	strbuf_release(&tag);
}

static void close_link(struct md_out *o, cmark_node *node)
{
	if (cmark_node_get_user_data(node) == &link_opened)
		close_tag(o);
}

static void open_code_block(struct md_out *o, cmark_node *node)
{
	struct strbuf tag = STRBUF_INIT, lang = STRBUF_INIT;

	code_language(node, &lang);
	if (lang.len) {
		strbuf_addstr(&tag, "<pre><code class=\"language-");
		html_escape(&tag, lang.buf, lang.len);
		strbuf_addstr(&tag, "\">");
		open_tag(o, tag.buf, "</code></pre>");
	} else if (o->fmt == MARKDOWN_TELEGRAM) {
		open_tag(o, "<pre>", "</pre>");
	} else {
		open_tag(o, "<pre><code>", "</code></pre>");
	}
	strbuf_release(&lang);
	strbuf_release(&tag);
}

/* The newline cmark writes between blocks, unless the tags stopped nesting. */
static void matrix_newline(struct md_out *o)
{
	if (o->frames[o->top].depth < MAX_TAG_DEPTH)
		out_markup(o, "\n", 1);
}

/* A block's end: its closing tag, then the newline after it. */
static void matrix_block_end(struct md_out *o)
{
	close_tag(o);
	out_boundary(o);
	matrix_newline(o);
}

/*
 * A block of `tag`...`closer`; a container (a quote, a list) also has the
 * newline after its opening tag, before its first child block.
 */
static void matrix_block(struct md_out *o, int enter, const char *tag, const char *closer,
			 int container)
{
	if (enter) {
		open_tag(o, tag, closer);
		if (container)
			matrix_newline(o);
	} else {
		matrix_block_end(o);
	}
}

/* An inline element: its tags around its children. */
static void matrix_span(struct md_out *o, int enter, const char *tag, const char *closer)
{
	if (enter)
		open_tag(o, tag, closer);
	else
		close_tag(o);
}

static void matrix_text(struct md_out *o, const char *s, size_t len)
{
	out_chars(o, s, len, 1);
}

static void matrix_node(struct md_out *o, cmark_iter *it, cmark_node *node, int enter)
{
	const char *lit;
	int level;

	(void)it;
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		if (in_tight_list(node)) {
			if (!enter)
				out_boundary(o);
			break;
		}
		matrix_block(o, enter, "<p>", "</p>", 0);
		break;
	case CMARK_NODE_HEADING:
		level = cmark_node_get_heading_level(node);
		matrix_block(o, enter, heading_tag(level, 0), heading_tag(level, 1), 0);
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		matrix_block(o, enter, "<blockquote>", "</blockquote>", 1);
		break;
	case CMARK_NODE_LIST:
		if (cmark_node_get_list_type(node) != CMARK_ORDERED_LIST) {
			matrix_block(o, enter, "<ul>", "</ul>", 1);
		} else {
			struct strbuf tag = STRBUF_INIT;
			int start = cmark_node_get_list_start(node);
			if (start != 1)
				strbuf_addf(&tag, "<ol start=\"%d\">", start);
			else
				strbuf_addstr(&tag, "<ol>");
			matrix_block(o, enter, tag.buf, "</ol>", 1);
			strbuf_release(&tag);
		}
		break;
	case CMARK_NODE_ITEM:
		matrix_block(o, enter, "<li>", "</li>", 0);
		break;
	case CMARK_NODE_CODE_BLOCK:
		lit = cmark_node_get_literal(node);
		open_code_block(o, node);
		if (lit)
			out_chars(o, lit, strlen(lit), 1);
		matrix_block_end(o);
		break;
	case CMARK_NODE_TEXT:
		lit = cmark_node_get_literal(node);
		if (lit)
			out_chars(o, lit, strlen(lit), 1);
		break;
	case CMARK_NODE_SOFTBREAK:
		out_unit(o, "\n", 1, 1);
		break;
	case CMARK_NODE_LINEBREAK:
		out_markup(o, "<br>", 4);
		out_boundary(o);
		matrix_newline(o);
		break;
	case CMARK_NODE_CODE:
		lit = cmark_node_get_literal(node);
		open_tag(o, "<code>", "</code>");
		if (lit)
			out_chars(o, lit, strlen(lit), 1);
		close_tag(o);
		break;
	case CMARK_NODE_EMPH:
		matrix_span(o, enter, "<em>", "</em>");
		break;
	case CMARK_NODE_STRONG:
		matrix_span(o, enter, "<strong>", "</strong>");
		break;
	case CMARK_NODE_LINK:
		if (enter)
			open_link(o, node);
		else
			close_link(o, node);
		break;
	default:
		/* raw HTML, thematic breaks: not in Matrix's set */
		break;
	}
}

/* --- MARKDOWN_TEXT, MARKDOWN_SLACK, MARKDOWN_TELEGRAM: lines of text --- */

static int is_textlike(enum markdown_format fmt)
{
	return fmt == MARKDOWN_TEXT || fmt == MARKDOWN_SLACK ||
	       fmt == MARKDOWN_TELEGRAM;
}

static struct md_container *ctr_push(struct md_out *o, cmark_node_type type)
{
	struct md_container *c;

	ALLOC_GROW(o->ctr, o->ctr_nr + 1, o->ctr_alloc);
	c = &o->ctr[o->ctr_nr];
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->outer_list = o->cur_list;
	if (type == CMARK_NODE_LIST)
		o->cur_list = o->ctr_nr;
	if (type == CMARK_NODE_ITEM && o->first_unused > o->ctr_nr)
		o->first_unused = o->ctr_nr;
	o->ctr_nr++;
	return c;
}

static void ctr_pop(struct md_out *o)
{
	if (!o->ctr_nr)
		BUG("markdown: leaving a container never entered");
	o->cur_list = o->ctr[--o->ctr_nr].outer_list;
	if (o->first_unused > o->ctr_nr)
		o->first_unused = o->ctr_nr;
}

static struct md_container *ctr_list(struct md_out *o)
{
	return o->cur_list == NO_LIST ? NULL : &o->ctr[o->cur_list];
}

/* Newlines owed after a block: one inside tight lists, else a blank line. */
static void block_done(struct md_out *o)
{
	struct md_container *list = ctr_list(o);
	int want = list && list->tight ? 1 : 2;

	if (o->pending < want)
		o->pending = want;
	out_boundary(o);
}

/* Writes what begins a line: quote marks, bullets, indentation. */
static void line_start(struct md_out *o)
{
	size_t i;

	if (!o->at_line_start)
		return;
	o->at_line_start = 0;
	o->started = 1;
	for (i = 0; i < o->ctr_nr; i++) {
		struct md_container *c;

		/* past the cap only the bullets not yet written: a suffix */
		if (i == MAX_PREFIX_DEPTH && o->first_unused > i)
			i = o->first_unused;
		if (i >= o->ctr_nr)
			break;
		c = &o->ctr[i];
		if (c->type == CMARK_NODE_ITEM && !c->used) {
			out_chars(o, c->bullet, strlen(c->bullet), 0);
			c->used = 1;
		} else if (i >= MAX_PREFIX_DEPTH) {
			continue;
		} else if (c->type == CMARK_NODE_BLOCK_QUOTE &&
			   o->fmt == MARKDOWN_SLACK) {
			out_unit(o, ">", 1, 1);
			out_unit(o, " ", 1, 1);
		} else if (c->type == CMARK_NODE_ITEM) {
			size_t k;
			for (k = 0; k < c->width; k++)
				out_unit(o, " ", 1, 1);
		}
	}
	o->first_unused = o->ctr_nr;
}

/* Writes the newlines owed before a block. */
static void block_begin(struct md_out *o)
{
	int i;
	size_t k;

	if (o->started && o->pending) {
		for (i = 0; i < o->pending; i++) {
			if (i && o->fmt == MARKDOWN_SLACK)
				for (k = 0; k < o->ctr_nr && k < MAX_PREFIX_DEPTH; k++)
					if (o->ctr[k].type == CMARK_NODE_BLOCK_QUOTE)
						out_unit(o, ">", 1, 1);
			out_unit(o, "\n", 1, 1);
		}
		o->at_line_start = 1;
	}
	o->pending = 0;
}

static void tl_newline(struct md_out *o)
{
	out_unit(o, "\n", 1, 1);
	o->at_line_start = 1;
}

static void tl_text(struct md_out *o, const char *s, size_t len)
{
	if (!len)
		return;
	line_start(o);
	out_chars(o, s, len, o->fmt != MARKDOWN_TEXT);
}

/* Text that may hold newlines (code blocks): each line gets its prefix. */
/*
 * Text inside code. mrkdwn cannot escape a backtick there, so each becomes
 * U+02CB, which looks alike and ends nothing.
 */
static void tl_code_text(struct md_out *o, const char *s, size_t len)
{
	while (o->fmt == MARKDOWN_SLACK && len) {
		const char *tick = memchr(s, '`', len);
		size_t n = tick ? (size_t)(tick - s) : len;

		tl_text(o, s, n);
		if (!tick)
			return;
		tl_text(o, "\xcb\x8b", 2);
		s += n + 1;
		len -= n + 1;
	}
	tl_text(o, s, len);
}

/* Code block text: each line gets its prefix. */
static void tl_lines(struct md_out *o, const char *s, size_t len)
{
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t n = nl ? (size_t)(nl - s) : len;

		tl_code_text(o, s, n);
		if (!nl)
			break;
		tl_newline(o);
		s += n + 1;
		len -= n + 1;
	}
}

static void tl_open(struct md_out *o, const char *tag, const char *closer)
{
	line_start(o);
	open_tag(o, tag, closer);
}

/*
 * Bold or italic: Slack's `mark` on both sides, else Telegram's tags; only
 * the outermost of nested ones opens and closes (*depth counts them).
 */
static void tl_span(struct md_out *o, int enter, int *depth, const char *mark,
		    const char *tag, const char *closer)
{
	int slack = o->fmt == MARKDOWN_SLACK;

	if (o->fmt == MARKDOWN_TEXT)
		return;
	if (enter && !(*depth)++)
		tl_open(o, slack ? mark : tag, slack ? mark : closer);
	else if (!enter && !--*depth)
		close_tag(o);
}

static void tl_strong(struct md_out *o, int enter)
{
	tl_span(o, enter, &o->bold, "*", "<b>", "</b>");
}

static void tl_emph(struct md_out *o, int enter)
{
	tl_span(o, enter, &o->italic, "_", "<i>", "</i>");
}

static void tl_code(struct md_out *o, const char *lit)
{
	size_t len = lit ? strlen(lit) : 0;

	if (o->fmt == MARKDOWN_TEXT) {
		tl_text(o, lit, len);
		return;
	}
	if (o->fmt == MARKDOWN_TELEGRAM) {
		tl_open(o, "<code>", "</code>");
		tl_text(o, lit, len);
		close_tag(o);
		return;
	}
	tl_open(o, "`", "`");
	tl_code_text(o, lit, len);
	close_tag(o);
}

static void tl_code_block(struct md_out *o, cmark_node *node)
{
	const char *lit = cmark_node_get_literal(node);
	size_t len = lit ? strlen(lit) : 0;

	if (len && lit[len - 1] == '\n')
		len--;
	if (!len)
		return; /* "``````" or an empty <pre> shows as junk or is refused */
	block_begin(o);
	if (o->fmt == MARKDOWN_SLACK) {
		tl_open(o, "```", "```");
	} else if (o->fmt == MARKDOWN_TELEGRAM) {
		line_start(o);
		open_code_block(o, node);
	}
	tl_lines(o, lit, len);
	if (o->fmt != MARKDOWN_TEXT)
		close_tag(o);
	block_done(o);
}

static void slack_escape(struct strbuf *sb, const char *s, size_t len, int in_url)
{
	size_t i;

	for (i = 0; i < len; i++) {
		const char *e = s[i] == '|' ? (in_url ? "%7C" : "\xc2\xa6") : entity(s[i], 0);
		if (e)
			strbuf_addstr(sb, e);
		else
			strbuf_addch(sb, s[i]);
	}
}

/* Slack's <url|text>, written whole or not at all. */
static void slack_link(struct md_out *o, cmark_node *node, const char *url)
{
	struct strbuf text = STRBUF_INIT, link = STRBUF_INIT;

	plain_text(node, &text);
	strbuf_addch(&link, '<');
	slack_escape(&link, url, strlen(url), 1);
	if (text.len && !text_is_url(text.buf, text.len, url)) {
		strbuf_addch(&link, '|');
		slack_escape(&link, text.buf, text.len, 0);
	}
	strbuf_addch(&link, '>');
	line_start(o);
	out_unit(o, link.buf, link.len, utf8_count(link.buf, link.len));
	strbuf_release(&link);
	strbuf_release(&text);
}

/* Plain text: "text (url)" once the text is written. */
static void text_link_end(struct md_out *o, cmark_node *node)
{
	const char *url = cmark_node_get_url(node);
	const char *text = o->sb->buf + o->link_start;
	size_t len = o->sb->len - o->link_start;
	struct strbuf tail = STRBUF_INIT;

	if (!url || !*url || url_unsafe(url) || text_is_url(text, len, url))
		return;
	if (len) {
		out_unit(o, " ", 1, 1);
		strbuf_addch(&tail, '(');
	}
	strbuf_addstr(&tail, url);
	if (len)
		strbuf_addch(&tail, ')');
	line_start(o);
	out_unit(o, tail.buf, tail.len, utf8_count(tail.buf, tail.len));
	strbuf_release(&tail);
}

static void tl_link(struct md_out *o, cmark_iter *it, cmark_node *node, int enter)
{
	const char *url = cmark_node_get_url(node);

	if (o->fmt == MARKDOWN_TEXT) {
		if (enter) {
			line_start(o);
			o->link_start = o->sb->len;
		} else {
			text_link_end(o, node);
		}
	} else if (o->fmt == MARKDOWN_SLACK) {
		if (enter && url && url_linkable(url)) {
			slack_link(o, node, url);
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
		}
	} else if (enter) {
		line_start(o);
		open_link(o, node);
	} else {
		close_link(o, node);
	}
}

static void tl_item(struct md_out *o)
{
	struct md_container *list = ctr_list(o);
	struct md_container *c;
	const char *bullet = o->fmt == MARKDOWN_TELEGRAM ? "\xe2\x80\xa2 " : "- ";
	int number = 0, ordered = 0, paren = 0;

	if (list && list->ordered) {
		ordered = 1;
		paren = list->paren;
		number = list->number++;
	}
	c = ctr_push(o, CMARK_NODE_ITEM);
	if (ordered)
		snprintf(c->bullet, sizeof(c->bullet), "%d%c ", number,
			 paren ? ')' : '.');
	else
		snprintf(c->bullet, sizeof(c->bullet), "%s", bullet);
	c->width = utf8_count(c->bullet, strlen(c->bullet));
}

static void textlike_node(struct md_out *o, cmark_iter *it, cmark_node *node, int enter)
{
	struct md_container *c;
	const char *lit;
	int quote;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		if (enter)
			block_begin(o);
		else
			block_done(o);
		break;
	case CMARK_NODE_HEADING:
		if (enter) {
			block_begin(o);
			tl_strong(o, 1);
		} else {
			tl_strong(o, 0);
			block_done(o);
		}
		break;
	case CMARK_NODE_BLOCK_QUOTE:
	case CMARK_NODE_LIST:
	case CMARK_NODE_ITEM:
		/* Telegram does not nest quotes: only the outermost has the tags */
		quote = o->fmt == MARKDOWN_TELEGRAM &&
			cmark_node_get_type(node) == CMARK_NODE_BLOCK_QUOTE;
		if (!enter) {
			ctr_pop(o);
			if (quote && !--o->quote)
				close_tag(o);
			block_done(o);
			break;
		}
		block_begin(o);
		if (cmark_node_get_type(node) == CMARK_NODE_ITEM) {
			tl_item(o);
		} else if (cmark_node_get_type(node) == CMARK_NODE_LIST) {
			c = ctr_push(o, CMARK_NODE_LIST);
			c->tight = cmark_node_get_list_tight(node);
			c->ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
			c->paren = cmark_node_get_list_delim(node) == CMARK_PAREN_DELIM;
			c->number = cmark_node_get_list_start(node);
		} else {
			if (quote && !o->quote++)
				tl_open(o, "<blockquote>", "</blockquote>");
			ctr_push(o, CMARK_NODE_BLOCK_QUOTE);
		}
		break;
	case CMARK_NODE_CODE_BLOCK:
		tl_code_block(o, node);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		block_begin(o);
		tl_text(o, "---", 3);
		block_done(o);
		break;
	case CMARK_NODE_TEXT:
		lit = cmark_node_get_literal(node);
		if (lit)
			tl_text(o, lit, strlen(lit));
		break;
	case CMARK_NODE_SOFTBREAK:
		tl_text(o, " ", 1);
		break;
	case CMARK_NODE_LINEBREAK:
		tl_newline(o);
		break;
	case CMARK_NODE_CODE:
		tl_code(o, cmark_node_get_literal(node));
		break;
	case CMARK_NODE_EMPH:
	case CMARK_NODE_STRONG:
		(cmark_node_get_type(node) == CMARK_NODE_EMPH ? tl_emph : tl_strong)(o, enter);
		break;
	case CMARK_NODE_LINK:
		tl_link(o, it, node, enter);
		break;
	default:
		/* raw HTML is dropped, as in safe mode */
		break;
	}
}

/* --- every format: one walk over the document --- */

/*
 * Calls visit() for each node as the walk enters and leaves it. An image
 * is its text in every format: text() writes it and its children are
 * skipped.
 */
static void walk(struct md_out *o, cmark_node *doc,
		 void (*visit)(struct md_out *o, cmark_iter *it, cmark_node *node, int enter),
		 void (*text)(struct md_out *o, const char *s, size_t len))
{
	cmark_iter *it = cmark_iter_new(doc);
	struct strbuf alt = STRBUF_INIT;
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (cmark_node_get_type(node) == CMARK_NODE_IMAGE) {
			strbuf_reset(&alt);
			plain_text(node, &alt);
			text(o, alt.buf, alt.len);
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
			continue;
		}
		visit(o, it, node, ev == CMARK_EVENT_ENTER);
	}
	strbuf_release(&alt);
	cmark_iter_free(it);
}

/* --- the API --- */

static int url_emittable(const char *url, int is_link)
{
	if (!url)
		return 0;
	if (is_link && has_prefix_icase(url, "mailto:") && url[7])
		return 1;
	return link_is_http(url);
}

/*
 * cmark's safe mode leaves traces a reader sees: "<!-- raw HTML omitted -->"
 * and links to "". Take raw HTML out of the tree, and keep only the text
 * of links whose url is unsafe, before rendering HTML.
 */
enum unsafe { SAFE, DROP, UNWRAP };

/* What clean_tree() does with a node: keep it, drop it, or keep only its children. */
static enum unsafe unsafe(cmark_node *n)
{
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_HTML_INLINE:
	case CMARK_NODE_HTML_BLOCK:
		return DROP;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		/*
		 * Every url herald emits is absolute http(s) (mailto for a
		 * link): a relative one would point at the digest's or the
		 * chat's own site, javascript: and data: at worse. Links and
		 * images keep their text.
		 */
		return url_emittable(cmark_node_get_url(n),
				     cmark_node_get_type(n) == CMARK_NODE_LINK) ? SAFE : UNWRAP;
	default:
		return SAFE;
	}
}

static void clean_tree(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **drop = NULL, **unwrap = NULL, *n, *c;
	size_t nd = 0, ad = 0, nu = 0, au = 0, i;
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		n = cmark_iter_get_node(it);
		switch (unsafe(n)) {
		case DROP:
			ALLOC_GROW(drop, nd + 1, ad);
			drop[nd++] = n;
			break;
		case UNWRAP:
			ALLOC_GROW(unwrap, nu + 1, au);
			unwrap[nu++] = n;
			break;
		case SAFE:
			break;
		}
	}
	cmark_iter_free(it);
	for (i = nu; i > 0; i--) {
		n = unwrap[i - 1];
		while ((c = cmark_node_first_child(n)))
			cmark_node_insert_before(n, c);
		cmark_node_free(n);
	}
	for (i = 0; i < nd; i++)
		cmark_node_free(drop[i]);
	free(drop);
	free(unwrap);
}

int markdown_is_clean(const char *md, size_t len)
{
	struct strbuf src = STRBUF_INIT;
	cmark_node *doc;
	cmark_iter *it;
	cmark_event_type ev;
	int clean = 1;

	if (!md || !len)
		return 1;
	strbuf_add_utf8_lossy(&src, md, len < MARKDOWN_MAX_INPUT ? len : MARKDOWN_MAX_INPUT);
	doc = cmark_parse_document(src.buf, src.len, MD_OPTIONS);
	strbuf_release(&src);
	if (!doc)
		return 0;
	it = cmark_iter_new(doc);
	while (clean && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		if (ev == CMARK_EVENT_ENTER)
			clean = unsafe(cmark_iter_get_node(it)) == SAFE;
	cmark_iter_free(it);
	cmark_node_free(doc);
	return clean;
}

/* Renders the cleaned tree `doc` as `fmt`, appending to `out`; 0 or -1 after error(). */
static int render_doc(cmark_node *doc, enum markdown_format fmt, size_t max_chars,
		      struct strbuf *out)
{
	struct strbuf res = STRBUF_INIT;
	char *html = NULL;
	struct md_out o;
	int ret = 0;

	out_init(&o, &res, fmt, max_chars);
	out_start(&o);
	if (fmt == MARKDOWN_HTML) {
		html = cmark_render_html(doc, MD_OPTIONS);
		if (!html) {
			ret = error("cannot render markdown as html");
			goto out;
		}
		if (max_chars)
			html_walk(&o, html, strlen(html));
		else
			strbuf_addstr(&res, html);
	} else if (fmt == MARKDOWN_COMMONMARK) {
		html = cmark_render_commonmark(doc, MD_OPTIONS, 0);
		if (!html) {
			ret = error("cannot render markdown");
			goto out;
		}
		strbuf_addstr(&res, html);
		strbuf_rtrim(&res);
	} else if (fmt == MARKDOWN_MATRIX) {
		walk(&o, doc, matrix_node, matrix_text);
	} else {
		walk(&o, doc, textlike_node, tl_text);
	}
	out_finish(&o);
	strbuf_add(out, res.buf, res.len);
out:
	out_release(&o);
	free(html);
	strbuf_release(&res);
	return ret;
}

struct markdown_doc {
	cmark_node *root; /* cleaned */
};

struct markdown_doc *markdown_parse(const char *md, size_t len)
{
	struct strbuf src = STRBUF_INIT;
	struct markdown_doc *doc;
	cmark_node *root;

	if (!md)
		len = 0;
	if (len > MARKDOWN_MAX_INPUT) {
		/* do not leave a broken sequence at the end */
		len = utf8_trim_partial(md, MARKDOWN_MAX_INPUT);
	}
	if (len)
		strbuf_add_utf8_lossy(&src, md, len);
	replace_fffe_ffff(&src);
	root = cmark_parse_document(src.buf, src.len, MD_OPTIONS);
	strbuf_release(&src);
	if (!root) {
		error("cannot parse markdown");
		return NULL;
	}
	clean_tree(root);
	doc = xcalloc(1, sizeof(*doc));
	doc->root = root;
	return doc;
}

int markdown_doc_render(const struct markdown_doc *doc, enum markdown_format fmt,
			size_t max_chars, struct strbuf *out)
{
	if (fmt != MARKDOWN_HTML && fmt != MARKDOWN_MATRIX &&
	    fmt != MARKDOWN_COMMONMARK && !is_textlike(fmt))
		return error("unknown markdown format %d", (int)fmt);
	/* the renderers only read the tree (matrix's marks are its own, set and read in one pass) */
	return render_doc(doc->root, fmt, max_chars, out);
}

void markdown_doc_free(struct markdown_doc *doc)
{
	if (!doc)
		return;
	cmark_node_free(doc->root);
	free(doc);
}

int markdown_render_each(const char *md, size_t len, const enum markdown_format *fmts,
			 size_t n, size_t max_chars, struct strbuf *outs)
{
	struct markdown_doc *doc = NULL;
	size_t i, done = 0, *was = xcalloc(n + 1, sizeof(*was));
	int ret = 0;

	for (i = 0; i < n; i++) {
		was[i] = outs[i].len;
		if (fmts[i] != MARKDOWN_HTML && fmts[i] != MARKDOWN_MATRIX &&
		    fmts[i] != MARKDOWN_COMMONMARK && !is_textlike(fmts[i])) {
			ret = error("unknown markdown format %d", (int)fmts[i]);
			goto out;
		}
	}
	doc = markdown_parse(md, len);
	if (!doc) {
		ret = -1;
		goto out;
	}
	for (done = 0; done < n && !ret; done++)
		ret = markdown_doc_render(doc, fmts[done], max_chars, &outs[done]);
out:
	if (ret < 0)
		for (i = 0; i < done; i++)
			strbuf_setlen(&outs[i], was[i]);
	free(was);
	markdown_doc_free(doc);
	return ret;
}

int markdown_render(const char *md, size_t len, enum markdown_format fmt,
		    size_t max_chars, struct strbuf *out)
{
	return markdown_render_each(md, len, &fmt, 1, max_chars, out);
}

void markdown_escape(const char *s, size_t len, enum markdown_format fmt,
		     struct strbuf *out)
{
	struct strbuf clean = STRBUF_INIT;
	struct md_out o;

	if (!s || !len)
		return;
	strbuf_add_utf8_lossy(&clean, s, len);
	out_init(&o, out, fmt, 0);
	out_chars(&o, clean.buf, clean.len, fmt != MARKDOWN_TEXT);
	out_release(&o);
	strbuf_release(&clean);
}

void markdown_truncate_text(struct strbuf *sb, size_t max_chars)
{
	struct strbuf text = STRBUF_INIT;
	struct md_out o;

	if (!max_chars || utf8_count(sb->buf, sb->len) <= max_chars)
		return;
	strbuf_add(&text, sb->buf, sb->len);
	strbuf_reset(sb);
	out_init(&o, sb, MARKDOWN_TEXT, max_chars);
	out_start(&o);
	out_chars(&o, text.buf, text.len, 0);
	out_finish(&o);
	out_release(&o);
	strbuf_release(&text);
}
