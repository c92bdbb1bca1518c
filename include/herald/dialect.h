#ifndef HERALD_DIALECT_H
#define HERALD_DIALECT_H

#include <stddef.h>

#include "herald/markdown.h"
#include "herald/strbuf.h"

/*
 * Text made safe for one chat platform's markup: measured the way the
 * platforms count, cut to a budget, escaped, and with every mention a post
 * could write defused. The platforms' files (src/deliver/kinds/) build
 * their fields from these; nothing here knows a platform by name.
 *
 * A mention is defused with a zero-width space after the '@' (it shows the
 * same and notifies no one).
 */

#define DIALECT_ZWSP "\xe2\x80\x8b"

/* Which '@' could notify someone. */
enum mentions {
	MENTIONS_NONE,
	/*
	 * Every '@' before a non-space, wherever it stands ("x-@here",
	 * "_@all", ".@channel"), unless a letter or digit comes before it (an
	 * e-mail address): Mattermost splits words on '.', '-', ':' and trims
	 * '_', so ".@channel" notifies; Discord reads "@everyone", "@here";
	 * Telegram links "@username" to the user it names.
	 */
	MENTIONS_EVERY_AT,
	/* Slack with link_names: "@channel", "@here", "@everyone", any case. */
	MENTIONS_SLACK,
	/* Matrix's legacy push rule: "@room", any case, wherever it stands. */
	MENTIONS_ROOM,
};

/*
 * What text is, so defusing leaves its syntax alone: plain; CommonMark
 * (link destinations and autolinks kept); Slack mrkdwn (<…> kept); HTML
 * (tags kept, so an href is never changed).
 */
enum markup { MARKUP_PLAIN, MARKUP_COMMONMARK, MARKUP_MRKDWN, MARKUP_HTML };

/* UTF-16 code units, which JavaScript and Telegram count: astral characters are two. */
size_t dialect_units16(const char *s, size_t len);

/* The same for HTML as a reader sees it: tags count nothing, an entity one. */
size_t dialect_visible16(const char *s, size_t len);

/* Cuts plain text in `sb` to `budget` UTF-16 units, ending in "…" when cut; 0 empties it. */
void dialect_clip(struct strbuf *sb, size_t budget);

/* Appends `s` with whitespace runs (line and paragraph separators too) as one space. */
void dialect_one_line(const char *s, struct strbuf *out);

/* Appends s[0..len) with the mentions `rule` names defused outside `m`'s syntax. */
void dialect_defuse(struct strbuf *out, const char *s, size_t len,
		    enum mentions rule, enum markup m);

/*
 * Renders Markdown `md` in `fmt` to at most `budget` UTF-16 units (counted
 * as dialect_visible16() for HTML formats), with mentions defused by `rule`
 * in `m`; the zero-width spaces count too. `out` is reset first and left
 * empty when nothing fits. Returns 0, or -1 after error().
 */
int dialect_render(const char *md, enum markdown_format fmt, size_t budget,
		   enum mentions rule, enum markup m, struct strbuf *out);

/*
 * The Markdown `md` (already clean CommonMark) cut as text and with every
 * mention defused outside link destinations, within `budget` units, into
 * `out` (reset first): what Discord and Mattermost render themselves.
 */
void dialect_chat_markdown(const struct strbuf *md, size_t budget, struct strbuf *out);

/* HTML (Telegram's and Matrix's too): & < > " as entities. */
void dialect_html(struct strbuf *out, const char *s, size_t len);

/* Google Chat reads <users/all> and <url|text> in plain text: every '<' is broken. */
void dialect_gchat(struct strbuf *out, const char *s, size_t len);

/*
 * Adaptive Card TextBlocks render a Markdown subset: backslashes keep the
 * text's own characters literal, and one before a leading list or heading
 * marker keeps it a line of text.
 */
void dialect_teams(struct strbuf *out, const char *s, size_t len);

/* mrkdwn for a title that is also a link's text: mentions defused, & < > escaped, '|' as '¦'. */
void dialect_slack(struct strbuf *out, const char *s, size_t len);

/* Markdown text that renders as itself in a heading or a link's text, mentions defused. */
void dialect_markdown_literal(struct strbuf *out, const char *s, size_t len);

/*
 * An http(s) url safe inside every platform's link markup: spaces,
 * controls, quotes, brackets, '|' and parentheses percent-encoded, and
 * non-ASCII bytes after the host. `url` must contain "://".
 */
void dialect_link(struct strbuf *out, const char *url);

#endif
