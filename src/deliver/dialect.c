#include <string.h>
#include <strings.h>

#include "herald/dialect.h"
#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/banned.h"

#define ZWSP DIALECT_ZWSP

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

size_t dialect_units16(const char *s, size_t len)
{
	return utf8_units16(s, len);
}

size_t dialect_visible16(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		const char *end;
		if (s[i] == '<' && (end = memchr(s + i, '>', len - i))) {
			i = (size_t)(end - s) + 1;
			continue;
		}
		if (s[i] == '&' && (end = memchr(s + i, ';', len - i)) &&
		    end - (s + i) <= 10) {
			n++;
			i = (size_t)(end - s) + 1;
			continue;
		}
		n += dialect_units16(s + i, 1);
		i++;
	}
	return n;
}

static size_t measure(enum markdown_format fmt, const char *s, size_t len)
{
	if (fmt == MARKDOWN_TEXT || fmt == MARKDOWN_SLACK)
		return dialect_units16(s, len);
	return dialect_visible16(s, len);
}

void dialect_clip(struct strbuf *sb, size_t budget)
{
	if (!budget) {
		strbuf_reset(sb);
		return;
	}
	while (dialect_units16(sb->buf, sb->len) > budget) {
		/*
		 * Keep the characters that fit in budget - 1 units, then "…":
		 * counting characters alone would give up on text of astral
		 * characters (emoji: two units each).
		 */
		size_t chars = utf8_count(sb->buf, sb->len), keep = 0, units = 0, pos = 0, n, u;
		while (pos < sb->len) {
			n = utf8_char_len(sb->buf + pos, sb->len - pos);
			u = n == 4 ? 2 : 1;
			if (units + u > budget - 1)
				break;
			units += u;
			pos += n;
			keep++;
		}
		if (keep + 1 >= chars) /* always cut something, so this ends */
			keep = chars - 1;
		if (!keep) {
			strbuf_reset(sb);
			return;
		}
		markdown_truncate_text(sb, keep + 1);
	}
}

/*
 * markdown_render() counts code points and leaves out newlines between
 * blocks, which Telegram counts, so cut again until it fits.
 */
static int render_fit(const char *md, enum markdown_format fmt, size_t budget,
		      struct strbuf *out)
{
	size_t cap = budget, got;
	int tries;

	strbuf_reset(out);
	for (tries = 0; budget && tries < 16; tries++) {
		strbuf_reset(out);
		if (markdown_render(md, strlen(md), fmt, cap, out) < 0)
			return -1;
		got = measure(fmt, out->buf, out->len);
		if (got <= budget)
			return 0;
		cap = cap > 2 * (got - budget) ? cap - (got - budget) : cap / 2;
		if (!cap)
			break;
	}
	strbuf_reset(out);
	return 0;
}

void dialect_one_line(const char *s, struct strbuf *out)
{
	size_t len = strlen(s), i, n;
	int space = 0, cp;

	for (i = 0; i < len; i += n) {
		unsigned char c = (unsigned char)s[i];

		n = utf8_char_len(s + i, len - i);
		if (c <= ' ' || c == 0x7f) {
			space = 1;
			continue;
		}
		/* NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR */
		if (utf8_decode(s + i, len - i, &cp) &&
		    (cp == 0x85 || cp == 0x2028 || cp == 0x2029)) {
			space = 1;
			continue;
		}
		if (space && out->len)
			strbuf_addch(out, ' ');
		space = 0;
		strbuf_add(out, s + i, n);
	}
}

/* Does s[0..len) start with `word`, in any case? */
static int starts_word(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && !strncasecmp(s, word, n);
}

static int slack_word(const char *s, size_t len)
{
	return starts_word(s, len, "channel") || starts_word(s, len, "here") ||
	       starts_word(s, len, "everyone");
}

/* Where a link's destination, an autolink or a tag that starts at s[i] ends, or i. */
static size_t skip_syntax(const char *s, size_t len, size_t i, enum markup m)
{
	size_t j, depth = 0;

	if ((m == MARKUP_MRKDWN || m == MARKUP_HTML) && s[i] == '<') {
		const char *end = memchr(s + i, '>', len - i);
		return end ? (size_t)(end - s) + 1 : i;
	}
	if (m != MARKUP_COMMONMARK)
		return i;
	if (s[i] == '<' && i + 1 < len && strchr("hHmM", s[i + 1])) {
		const char *end = memchr(s + i, '>', len - i);
		return end ? (size_t)(end - s) + 1 : i;
	}
	if (s[i] != ']' || i + 1 >= len || s[i + 1] != '(')
		return i;
	for (j = i + 2; j < len; j++) {
		if (s[j] == '\\' && j + 1 < len)
			j++;
		else if (s[j] == '(')
			depth++;
		else if (s[j] == ')' && !depth--)
			return j + 1;
	}
	return i;
}

/*
 * Could the '@' at s[i] start a mention? Yes before anything but a space,
 * unless a letter or digit precedes it ("mail@example.com" stays usable):
 * any other character before it is split or trimmed away by Mattermost.
 */
static int at_mention(const char *s, size_t len, size_t i)
{
	unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';

	if (i + 1 >= len || s[i + 1] == ' ' || s[i + 1] == '\n' ||
	    !strncmp(s + i + 1, ZWSP, 3))
		return 0;
	return !((prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') ||
		 (prev >= '0' && prev <= '9'));
}

static int mention_at(const char *s, size_t len, size_t i, enum mentions rule)
{
	if (s[i] != '@' || i + 1 >= len)
		return 0;
	switch (rule) {
	case MENTIONS_EVERY_AT:
		return at_mention(s, len, i);
	case MENTIONS_SLACK:
		return slack_word(s + i + 1, len - i - 1);
	case MENTIONS_ROOM:
		return starts_word(s + i + 1, len - i - 1, "room");
	case MENTIONS_NONE:
		break;
	}
	return 0;
}

void dialect_defuse(struct strbuf *out, const char *s, size_t len,
		    enum mentions rule, enum markup m)
{
	size_t i = 0, next;

	while (i < len) {
		next = skip_syntax(s, len, i, m);
		if (next > i) {
			strbuf_add(out, s + i, next - i);
			i = next;
			continue;
		}
		strbuf_addch(out, s[i]);
		if (mention_at(s, len, i, rule))
			strbuf_addstr(out, ZWSP);
		i++;
	}
}

int dialect_render(const char *md, enum markdown_format fmt, size_t budget,
		   enum mentions rule, enum markup m, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	size_t cap = budget, got;
	int tries, ret = 0;

	if (rule == MENTIONS_NONE)
		return render_fit(md, fmt, budget, out);
	strbuf_reset(out);
	/* a zero-width space is one unit more per mention: cut before defusing until it fits */
	for (tries = 0; cap && tries < 8; tries++) {
		if (render_fit(md, fmt, cap, &raw) < 0) {
			ret = -1;
			break;
		}
		strbuf_reset(out);
		dialect_defuse(out, raw.buf, raw.len, rule, m);
		got = measure(fmt, out->buf, out->len);
		if (got <= budget)
			goto out;
		cap -= min_size(cap, got - budget);
	}
	strbuf_reset(out);
out:
	strbuf_release(&raw);
	return ret;
}

/* the zero-width spaces count, so the text is cut before defusing until the result fits */
void dialect_chat_markdown(const struct strbuf *md, size_t budget, struct strbuf *out)
{
	struct strbuf cut = STRBUF_INIT;
	size_t cap = budget;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		strbuf_reset(&cut);
		strbuf_add(&cut, md->buf, md->len);
		dialect_clip(&cut, cap);
		strbuf_reset(out);
		dialect_defuse(out, cut.buf, cut.len, MENTIONS_EVERY_AT, MARKUP_COMMONMARK);
		if (dialect_units16(out->buf, out->len) <= budget)
			break;
		cap -= min_size(cap, dialect_units16(out->buf, out->len) - budget);
		if (!cap) {
			strbuf_reset(out);
			break;
		}
	}
	if (tries == 8)
		strbuf_reset(out);
	strbuf_release(&cut);
}

void dialect_html(struct strbuf *out, const char *s, size_t len)
{
	markdown_escape(s, len, MARKDOWN_HTML, out);
}

void dialect_gchat(struct strbuf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		strbuf_addch(out, s[i]);
		if (s[i] == '<')
			strbuf_addstr(out, ZWSP);
	}
}

void dialect_teams(struct strbuf *out, const char *s, size_t len)
{
	size_t i;
	int line_start = 1, digits = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];
		int lead = line_start || digits;
		if (c && (strchr("\\*_[]`~", c) ||
			  (line_start && strchr("-+#>", c)) ||
			  (digits && (c == '.' || c == ')'))))
			strbuf_addch(out, '\\');
		strbuf_addch(out, c);
		digits = lead && c >= '0' && c <= '9';
		line_start = c == '\n' || (line_start && c == ' ');
	}
}

void dialect_slack(struct strbuf *out, const char *raw, size_t raw_len)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *s;
	size_t i, len;

	dialect_defuse(&tmp, raw, raw_len, MENTIONS_SLACK, MARKUP_PLAIN);
	s = tmp.buf;
	len = tmp.len;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			strbuf_addstr(out, "&amp;");
			break;
		case '<':
			strbuf_addstr(out, "&lt;");
			break;
		case '>':
			strbuf_addstr(out, "&gt;");
			break;
		case '|':
			strbuf_addstr(out, "\xc2\xa6");
			break;
		default:
			strbuf_addch(out, s[i]);
		}
	}
	strbuf_release(&tmp);
}

void dialect_markdown_literal(struct strbuf *out, const char *s, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] && strchr("\\`*_[]<>#~|&", s[i]))
			strbuf_addch(&tmp, '\\');
		strbuf_addch(&tmp, s[i]);
	}
	dialect_defuse(out, tmp.buf, tmp.len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
	strbuf_release(&tmp);
}

/* The host itself would need punycode, not escapes: only what follows it is encoded. */
void dialect_link(struct strbuf *out, const char *url)
{
	const char *host = strstr(url, "://") + 3;
	const char *path = strchr(host, '/');
	const char *p;

	for (p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 0x7f || strchr("\"<>\\^`{|}()", c) ||
		    (c >= 0x80 && path && p >= path))
			strbuf_addf(out, "%%%02X", c);
		else
			strbuf_addch(out, c);
	}
}
