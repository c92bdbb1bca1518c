#ifndef HERALD_MARKDOWN_H
#define HERALD_MARKDOWN_H

#include <stddef.h>

#include "herald/strbuf.h"

/*
 * Markdown (CommonMark, through cmark) rendered for the places a post is
 * announced. Every format is safe for untrusted input: raw HTML is dropped,
 * and every link or image whose url is not absolute http or https (or
 * mailto: for a link) keeps only its text, so javascript:, data: and
 * relative urls never reach an output. Output is always valid UTF-8.
 */

/* Only the first this many bytes of the input are read; the rest is ignored. */
#define MARKDOWN_MAX_INPUT (1024 * 1024)

enum markdown_format {
	/*
	 * cmark's own HTML in safe mode (raw HTML replaced by a comment,
	 * unsafe links emptied), smart punctuation off.
	 */
	MARKDOWN_HTML,
	/*
	 * Plain text: blocks separated by a blank line (a newline inside
	 * tight lists), emphasis markers removed, links as "text (url)"
	 * (only "text" when text == url, or "url" when text is empty; the
	 * url is left out when unsafe), images as their alt text, lists as
	 * "- item" or "1. item" lines (nested ones indented), headings,
	 * block quotes and code as their text, a thematic break as "---",
	 * soft breaks as a space and hard breaks as a newline. No trailing
	 * newline.
	 */
	MARKDOWN_TEXT,
	/*
	 * Slack mrkdwn: *bold* (headings too, on their own line), _italic_,
	 * `code`, ```code blocks```, "> " before quoted lines, "- " or
	 * "1. " before list items, links as <url|text> (or <url> when
	 * text == url; only http, https and mailto: other links keep just
	 * their text), images as their alt text. & < > are escaped
	 * everywhere; a '|' in link text becomes U+00A6 and in a url %7C; a
	 * '`' inside code becomes U+02CB; empty code blocks are dropped.
	 * Literal * _ ~ in text are left as they are (mrkdwn has no escape).
	 */
	MARKDOWN_SLACK,
	/*
	 * Telegram Bot API HTML (parse_mode HTML): only <b> <i> <a href>
	 * <code> <pre> <blockquote>, text escaped (& < > "), headings as
	 * <b>, "• " or "1. " before list items, blocks separated by newlines
	 * as in MARKDOWN_TEXT (no <p>, no <br>), nested quotes flattened
	 * into one, empty code blocks dropped. Links as in MARKDOWN_SLACK.
	 */
	MARKDOWN_TELEGRAM,
	/*
	 * Matrix org.matrix.custom.html: only p, br, strong, em, code, pre
	 * (with class="language-x" on its code), a href (http, https and
	 * mailto only; other links keep just their text), ul, ol (with
	 * start), li, blockquote, h1-h6, nested at most 100 deep (deeper
	 * elements keep only their text). Images become their alt text,
	 * thematic breaks and raw HTML are dropped.
	 */
	MARKDOWN_MATRIX,
	/*
	 * CommonMark again, for Markdown outputs: as written but without raw
	 * HTML, and unsafe links reduced to their text (cmark's
	 * normalisation: emphasis as *, lists as -). `max_chars` is ignored.
	 * No trailing newline.
	 */
	MARKDOWN_COMMONMARK,
};

/*
 * Renders `len` bytes of Markdown (not NUL-terminated, any bytes: invalid
 * UTF-8 and NUL become U+FFFD; `md` may be NULL when `len` is 0) and appends
 * the result to `out`.
 *
 * `max_chars` > 0 caps the output at that many characters (code points),
 * ending with "…" (U+2026) when cut. MARKDOWN_HTML, MARKDOWN_MATRIX and
 * MARKDOWN_TELEGRAM count the visible text only (an entity is one
 * character, tags and the newlines between blocks count nothing);
 * MARKDOWN_TEXT and MARKDOWN_SLACK count every character written, markup
 * included, as Slack does. A cut never splits a UTF-8 sequence, an entity,
 * a tag or a Slack link (a link that does not fit is left out whole), prefers
 * the end of a word within the last 20 characters, and closes every element
 * open at that point (tags, Slack's * _ ` and ```), so the result stays
 * well-formed: "<p><strong>bold…</strong></p>". 0 = no limit.
 *
 * Returns 0, or -1 after error() (then nothing was appended).
 */
int markdown_render(const char *md, size_t len, enum markdown_format fmt,
		    size_t max_chars, struct strbuf *out);

/*
 * markdown_render() into `n` formats from one parse: `outs[i]` gets
 * `fmts[i]`, exactly as its own call would give it. 0, or -1 after
 * error() (then nothing was appended to any).
 */
int markdown_render_each(const char *md, size_t len, const enum markdown_format *fmts,
			 size_t n, size_t max_chars, struct strbuf *outs);

/*
 * The same in steps, for a caller that learns later which formats it
 * needs: markdown_parse() reads `len` bytes as markdown_render() does and
 * returns the tree (NULL after error()), markdown_doc_render() appends one
 * format exactly as markdown_render() would (0, or -1 after error(); then
 * nothing was appended), as often as needed; free the tree with
 * markdown_doc_free() (NULL is fine).
 */
struct markdown_doc;
struct markdown_doc *markdown_parse(const char *md, size_t len);
int markdown_doc_render(const struct markdown_doc *doc, enum markdown_format fmt,
			size_t max_chars, struct strbuf *out);
void markdown_doc_free(struct markdown_doc *doc);

/*
 * Is the Markdown free of raw HTML and of links and images that the
 * renderers would drop (see above)? 1 or 0.
 */
int markdown_is_clean(const char *md, size_t len);

/*
 * Appends `len` bytes of plain text escaped for `fmt`: MARKDOWN_HTML,
 * MARKDOWN_MATRIX and MARKDOWN_TELEGRAM escape & < > " as entities,
 * MARKDOWN_SLACK escapes & < >, MARKDOWN_TEXT nothing. Invalid UTF-8
 * becomes U+FFFD.
 */
void markdown_escape(const char *s, size_t len, enum markdown_format fmt,
		     struct strbuf *out);

/*
 * Truncates the plain UTF-8 text in `sb` to at most `max_chars` code
 * points, the last of them "…" when cut; prefers cutting at the end of a
 * word within the last 20 characters, never splits a UTF-8 sequence (an
 * invalid byte counts as one character) and drops the whitespace before
 * "…". Text that fits, or `max_chars` 0, is left alone.
 */
void markdown_truncate_text(struct strbuf *sb, size_t max_chars);

#endif
