#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "herald/date.h"
#include "herald/link.h"
#include "herald/markdown.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/template.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

/* Slack and Discord stop at 10 sections or embeds; the others, to stay readable. */
#define MAX_SHOWN 10
/* A summary cut below this many characters says nothing: leave it out. */
#define MIN_SUMMARY 20

#define TITLE_CHARS 256
#define TITLE_CHARS_BATCH 100
#define TAGS_CHARS 200
#define TAGS_CHARS_BATCH 100
#define SUBTITLE_CHARS 200
#define SUBTITLE_CHARS_BATCH 100
#define LINK_MAX 2000

/* Slack: a section's text is at most 3000 characters. */
#define SLACK_SECTION 3000
#define SLACK_SUMMARY 2900
#define SLACK_BATCH_TOTAL 6000
/* Discord: 4096 per description, 6000 over all embeds; a margin for the "…". */
#define DISCORD_DESCRIPTION 4000
#define DISCORD_TOTAL 5900
/* Telegram: 4096 characters of text after entity parsing. */
#define TELEGRAM_TEXT 4096
#define TELEGRAM_SUMMARY 3500
#define TELEGRAM_BATCH_TEXT 4000
#define TELEGRAM_BATCH_FRAME 100 /* headline and "…and N more" */
/* Matrix events are at most 64 KiB, HTML included. */
#define MATRIX_SUMMARY 4000
#define MATTERMOST_SUMMARY 4000
#define MATTERMOST_BATCH_TOTAL 8000
#define TEXT_SUMMARY 1000
#define TEXT_BATCH_TOTAL 2000

#define ZWSP "\xe2\x80\x8b"

/* The largest body a payload template may produce. */
#define PAYLOAD_MAX_BYTES ((size_t)1 << 20)

const char *const payload_kinds[] = {
	"slack", "discord", "mattermost", "teams", "googlechat", "matrix",
	"telegram", "ntfy", "webhook", NULL,
};

int payload_kind_known(const char *kind)
{
	size_t i;

	for (i = 0; kind && payload_kinds[i]; i++)
		if (!strcmp(kind, payload_kinds[i]))
			return 1;
	return 0;
}

void payload_release(struct payload *p)
{
	free(p->body);
	free(p->url_suffix);
	memset(p, 0, sizeof(*p));
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* What is left of `total` after `used`, shared among `n`; 0 when too little. */
static size_t share(size_t total, size_t used, size_t n)
{
	size_t each = total > used ? (total - used) / (n ? n : 1) : 0;
	return each < MIN_SUMMARY ? 0 : each;
}

static size_t code_points(const char *s, size_t len)
{
	return utf8_count(s, len);
}

/* UTF-16 code units, which JavaScript and Telegram count: astral characters are two. */
static size_t units16(const char *s, size_t len)
{
	return utf8_units16(s, len);
}

/* The same for HTML as a reader sees it: tags count nothing, an entity one. */
static size_t visible16(const char *s, size_t len)
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
		n += units16(s + i, 1);
		i++;
	}
	return n;
}

static size_t measure(enum markdown_format fmt, const struct strbuf *sb)
{
	if (fmt == MARKDOWN_TEXT || fmt == MARKDOWN_SLACK)
		return units16(sb->buf, sb->len);
	return visible16(sb->buf, sb->len);
}

/* Cuts plain text in `sb` to `budget` UTF-16 units, ending in "…" when cut. */
static void clip(struct strbuf *sb, size_t budget)
{
	size_t got;

	if (!budget) {
		strbuf_reset(sb);
		return;
	}
	while ((got = units16(sb->buf, sb->len)) > budget) {
		size_t chars = code_points(sb->buf, sb->len);
		size_t over = got - budget;
		if (chars <= over + 1) {
			strbuf_reset(sb);
			return;
		}
		markdown_truncate_text(sb, chars - over);
	}
}

/*
 * Renders Markdown to at most `budget` UTF-16 units as measure() counts
 * them: markdown_render() counts code points and leaves out newlines
 * between blocks, which Telegram counts, so cut again until it fits.
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
		got = measure(fmt, out);
		if (got <= budget)
			return 0;
		cap = cap > 2 * (got - budget) ? cap - (got - budget) : cap / 2;
		if (!cap)
			break;
	}
	strbuf_reset(out);
	return 0;
}

/* Whitespace runs (line and paragraph separators too) become one space. */
static void one_line(const char *s, struct strbuf *out)
{
	int space = 0;

	size_t len = strlen(s), i, n;
	int cp;

	for (i = 0; i < len; i += n) {
		unsigned char c = (unsigned char)s[i];

		n = utf8_char_len(s + i, len - i);
		if (c <= ' ' || c == 0x7f) {
			space = 1;
			continue;
		}
		/* NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR */
		if (utf8_decode(s + i, len - i, &cp) && (cp == 0x85 || cp == 0x2028 || cp == 0x2029)) {
			space = 1;
			continue;
		}
		if (space && out->len)
			strbuf_addch(out, ' ');
		space = 0;
		strbuf_add(out, s + i, n);
	}
}

static int is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Mentions. Mattermost notifies "@all", "@channel", "@here" and "@name"
 * wherever its parser finds them: it splits words on '.', '-', ':' and
 * trims "_" too, so ".@channel", "_@all" and "x-@here" notify. Discord
 * reads "@everyone", "@here" and <@id>, <@&id> in text. Slack notifies
 * "<!channel>", "<!here>", "<!everyone>", "<!subteam^…>" and "<@U…>"
 * (kept from forming by escaping '<') and, with link_names, "@channel".
 * A zero-width space after the '@' shows the same and notifies no one.
 */
enum mentions {
	MENTIONS_EVERY_AT,   /* Mattermost, Discord: every '@' before a non-space */
	MENTIONS_SLACK,      /* Slack: @channel, @here, @everyone */
};

/* What text is: plain, CommonMark (link destinations kept), Slack mrkdwn (<…> kept). */
enum markup { MARKUP_PLAIN, MARKUP_COMMONMARK, MARKUP_MRKDWN };

static int slack_word(const char *s, size_t len)
{
	static const char *const words[] = { "channel", "here", "everyone", NULL };
	size_t i, n;

	for (i = 0; words[i]; i++) {
		n = strlen(words[i]);
		if (len >= n && !strncasecmp(s, words[i], n))
			return 1;
	}
	return 0;
}

/* Where a link's destination or an autolink that starts at s[i] ends, or i. */
static size_t skip_url(const char *s, size_t len, size_t i, enum markup m)
{
	size_t j, depth = 0;

	if (m == MARKUP_MRKDWN && s[i] == '<') {
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

static void add_defused(struct strbuf *out, const char *s, size_t len,
			enum mentions rule, enum markup m)
{
	size_t i = 0, next;

	while (i < len) {
		next = skip_url(s, len, i, m);
		if (next > i) {
			strbuf_add(out, s + i, next - i);
			i = next;
			continue;
		}
		strbuf_addch(out, s[i]);
		if (s[i] == '@' && i + 1 < len &&
		    (rule == MENTIONS_SLACK ? slack_word(s + i + 1, len - i - 1)
					    : at_mention(s, len, i)))
			strbuf_addstr(out, ZWSP);
		i++;
	}
}

/* Google Chat reads <users/all> and <url|text> in plain text; break every '<'. */
static void add_gchat(struct strbuf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		strbuf_addch(out, s[i]);
		if (s[i] == '<')
			strbuf_addstr(out, ZWSP);
	}
}

/*
 * Adaptive Card TextBlocks render a Markdown subset (**bold**, _italic_,
 * [text](url), lists): backslashes keep a title's own characters literal,
 * and one before a leading list or heading marker keeps it a line of text.
 */
static void add_teams(struct strbuf *out, const char *s, size_t len)
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

/* mrkdwn for a title that is also a link's text: & < > escaped, '|' as '¦'. */
static void add_slack(struct strbuf *out, const char *raw, size_t raw_len)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *s;
	size_t i, len;

	add_defused(&tmp, raw, raw_len, MENTIONS_SLACK, MARKUP_PLAIN);
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

/* Markdown text that renders as itself inside a heading or a link's text. */
static void add_markdown_literal(struct strbuf *out, const char *s, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] && strchr("\\`*_[]<>#~|&", s[i]))
			strbuf_addch(&tmp, '\\');
		strbuf_addch(&tmp, s[i]);
	}
	add_defused(out, tmp.buf, tmp.len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
	strbuf_release(&tmp);
}

static int is_http(const char *url)
{
	return link_is_http(url);
}

/*
 * An http(s) url safe inside every platform's link markup: spaces, controls,
 * quotes, brackets, '|' and parentheses percent-encoded, and non-ASCII bytes
 * too after the host (the host itself would need punycode, not escapes).
 */
static void add_link(struct strbuf *out, const char *url)
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

static void set_buf(json_t *o, const char *key, const struct strbuf *sb)
{
	json_object_set_new(o, key, value_textn(sb->buf, sb->len));
}

static const char *type_label(const char *type)
{
	static const struct {
		const char *type, *label;
	} labels[] = {
		{ "new", "New post" },
		{ "undrafted", "Newly published" },
		{ "updated", "Updated" },
		{ "moved", "Moved" },
		{ "unpublished", "Unpublished" },
		{ "deleted", "Deleted" },
		{ "scheduled", "Scheduled" },
		{ "draft", "Draft" },
	};
	size_t i;

	for (i = 0; type && i < ARRAY_SIZE(labels); i++)
		if (!strcmp(type, labels[i].type))
			return labels[i].label;
	return "Changed";
}

/* subtitle_text and its dialects, or null each when there is none. */
static void subtitle_fields(json_t *ev, const struct strbuf *sub)
{
	static const char *const keys[] = {
		"subtitle_text", "subtitle_slack", "subtitle_markdown", "subtitle_html",
		"subtitle_gchat", "subtitle_teams", NULL,
	};
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!sub->len) {
		for (i = 0; keys[i]; i++)
			json_object_set_new(ev, keys[i], json_null());
		return;
	}
	set_buf(ev, "subtitle_text", sub);
	add_slack(&sb, sub->buf, sub->len);
	set_buf(ev, "subtitle_slack", &sb);
	strbuf_reset(&sb);
	add_markdown_literal(&sb, sub->buf, sub->len);
	set_buf(ev, "subtitle_markdown", &sb);
	strbuf_reset(&sb);
	markdown_escape(sub->buf, sub->len, MARKDOWN_HTML, &sb);
	set_buf(ev, "subtitle_html", &sb);
	strbuf_reset(&sb);
	add_gchat(&sb, sub->buf, sub->len);
	set_buf(ev, "subtitle_gchat", &sb);
	strbuf_reset(&sb);
	add_teams(&sb, sub->buf, sub->len);
	set_buf(ev, "subtitle_teams", &sb);
	strbuf_release(&sb);
}

/* One event of the context while it is being built. */
struct item {
	json_t *ev;         /* the copy templates see */
	const char *md;     /* its Markdown summary, owned by ev */
	size_t discord;     /* Discord: title, author and footer */
	size_t telegram;    /* Telegram: the title's line in a batch */
	size_t telegram_title;
	size_t slack_line;  /* Slack: "*<link|title>*\n" */
};

struct budget {
	size_t text, slack, discord, telegram, matrix, mattermost;
};

/* The fields that do not depend on how many events share the message. */
static void item_init(struct item *it, const json_t *src, int batch)
{
	struct strbuf sb = STRBUF_INIT, title = STRBUF_INIT, tags = STRBUF_INIT;
	struct strbuf sub = STRBUF_INIT;
	const char *type = str(src, "type"), *label = type_label(type);
	const char *url = str(src, "url"), *s;
	json_t *ev = json_is_object(src) ? json_copy((json_t *)src) : json_object();
	char *image;

	json_object_del(ev, "first");
	json_object_del(ev, "last");
	it->ev = ev;
	it->md = str(ev, "summary_markdown");
	if (!it->md)
		it->md = str(ev, "summary");
	if (!it->md)
		it->md = "";
	json_object_set_new(ev, "type_label", json_string(label));

	one_line((s = str(ev, "title")) ? s : "", &title);
	if (!title.len)
		one_line((s = str(ev, "slug")) ? s : "", &title);
	if (!title.len)
		one_line((s = str(ev, "path")) ? s : "", &title);
	if (!title.len)
		strbuf_addstr(&title, "Untitled post");
	clip(&title, batch ? TITLE_CHARS_BATCH : TITLE_CHARS);
	set_buf(ev, "title_text", &title);
	set_buf(ev, "title_256", &title);
	add_slack(&sb, title.buf, title.len);
	set_buf(ev, "title_slack", &sb);
	it->slack_line = 8 + units16(sb.buf, sb.len);
	strbuf_reset(&sb);
	markdown_escape(title.buf, title.len, MARKDOWN_TELEGRAM, &sb);
	set_buf(ev, "title_telegram", &sb);
	set_buf(ev, "title_matrix", &sb);
	strbuf_reset(&sb);
	add_markdown_literal(&sb, title.buf, title.len);
	set_buf(ev, "title_markdown", &sb);
	strbuf_reset(&sb);
	add_gchat(&sb, title.buf, title.len);
	set_buf(ev, "title_gchat", &sb);
	strbuf_reset(&sb);
	add_defused(&sb, title.buf, title.len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
	clip(&sb, batch ? TITLE_CHARS_BATCH : TITLE_CHARS);
	set_buf(ev, "title_discord", &sb);
	strbuf_reset(&sb);
	add_teams(&sb, title.buf, title.len);
	set_buf(ev, "title_teams", &sb);
	strbuf_reset(&sb);

	/* the subtitle, on one line, in each dialect */
	one_line((s = str(ev, "subtitle")) ? s : "", &sub);
	clip(&sub, batch ? SUBTITLE_CHARS_BATCH : SUBTITLE_CHARS);
	subtitle_fields(ev, &sub);

	image = link_clean(str(ev, "image"));
	if (image && strlen(image) <= LINK_MAX) {
		struct strbuf link = STRBUF_INIT;
		add_link(&link, image);
		set_buf(ev, "image", &link);
		strbuf_release(&link);
		markdown_escape(image, strlen(image), MARKDOWN_HTML, &sb);
		set_buf(ev, "image_html", &sb);
		strbuf_reset(&sb);
	} else {
		json_object_set_new(ev, "image", json_null());
		json_object_set_new(ev, "image_html", json_null());
	}
	free(image);

	if (url && is_http(url) && strlen(url) <= LINK_MAX) {
		struct strbuf link = STRBUF_INIT;
		add_link(&link, url);
		set_buf(ev, "link", &link);
		markdown_escape(link.buf, link.len, MARKDOWN_HTML, &sb);
		set_buf(ev, "url_html", &sb);
		strbuf_reset(&sb);
		markdown_escape(link.buf, link.len, MARKDOWN_SLACK, &sb);
		/* a huge link would leave no room for the title in a section */
		if (units16(sb.buf, sb.len) <= SLACK_SECTION / 3) {
			set_buf(ev, "url_slack", &sb);
			it->slack_line += units16(sb.buf, sb.len) + 3;
		} else {
			json_object_set_new(ev, "url_slack", json_null());
		}
		strbuf_reset(&sb);
		strbuf_release(&link);
	} else {
		json_object_set_new(ev, "link", json_null());
		json_object_set_new(ev, "url_html", json_null());
		json_object_set_new(ev, "url_slack", json_null());
	}
	json_object_set_new(ev, "url_or_path", value_text(url ? url : str(ev, "path")));

	one_line((s = str(ev, "tags_text")) ? s : "", &tags);
	clip(&tags, batch ? TAGS_CHARS_BATCH : TAGS_CHARS);
	set_buf(ev, "tags_text", &tags);
	strbuf_addstr(&sb, label);
	if ((s = str(ev, "date_display")) && *s)
		strbuf_addf(&sb, " \xc2\xb7 %s", s);
	if (tags.len)
		strbuf_addf(&sb, " \xc2\xb7 %s", tags.buf);
	set_buf(ev, "meta_text", &sb);
	{
		struct strbuf d = STRBUF_INIT;
		struct strbuf e = STRBUF_INIT;
		/* Slack's plain_text: no escapes, so '<' is broken as for Google Chat */
		add_defused(&e, sb.buf, sb.len, MENTIONS_SLACK, MARKUP_PLAIN);
		add_gchat(&d, e.buf, e.len);
		set_buf(ev, "meta_slack", &d);
		strbuf_reset(&d);
		strbuf_reset(&e);
		add_defused(&e, title.buf, title.len, MENTIONS_SLACK, MARKUP_PLAIN);
		add_gchat(&d, e.buf, e.len);
		set_buf(ev, "alt_slack", &d);
		strbuf_reset(&d);
		strbuf_release(&e);
		add_teams(&d, sb.buf, sb.len);
		set_buf(ev, "meta_teams", &d);
		strbuf_reset(&d);
		add_defused(&d, tags.buf, tags.len, MENTIONS_EVERY_AT, MARKUP_PLAIN);
		set_buf(ev, "tags_discord", &d);
		strbuf_release(&d);
	}

	/* the subtitle's line counts against each platform's limits too */
	it->discord = units16(title.buf, title.len) + strlen(label) +
		      units16(tags.buf, tags.len) + 2 * units16(sub.buf, sub.len) + 4;
	it->slack_line += 2 * units16(sub.buf, sub.len) + 1;
	it->telegram_title = visible16(str(ev, "title_telegram"),
				       strlen(str(ev, "title_telegram"))) +
			     units16(sub.buf, sub.len) + 1;
	/* "\n\n" before the title, "\n" after it, and a margin */
	it->telegram = it->telegram_title + 5;

	strbuf_release(&sb);
	strbuf_release(&title);
	strbuf_release(&tags);
	strbuf_release(&sub);
}

/*
 * Markdown for Discord and Mattermost: `md` (the clean CommonMark) with
 * every mention defused outside link destinations, within `budget` units;
 * the zero-width spaces count, so the text is cut before defusing until
 * the result fits.
 */
static int summary_chat(const struct strbuf *md, size_t budget, struct strbuf *out)
{
	struct strbuf cut = STRBUF_INIT;
	size_t cap = budget;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		strbuf_reset(&cut);
		strbuf_add(&cut, md->buf, md->len);
		clip(&cut, cap);
		strbuf_reset(out);
		add_defused(out, cut.buf, cut.len, MENTIONS_EVERY_AT, MARKUP_COMMONMARK);
		if (units16(out->buf, out->len) <= budget)
			break;
		cap -= min_size(cap, units16(out->buf, out->len) - budget);
		if (!cap) {
			strbuf_reset(out);
			break;
		}
	}
	if (tries == 8)
		strbuf_reset(out);
	strbuf_release(&cut);
	return 0;
}

/* The summaries, each within its share of the platform's budget. */
static int item_summaries(struct item *it, const struct budget *b)
{
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	json_t *ev = it->ev;
	size_t slack;
	int ret = -1;

	if (render_fit(it->md, MARKDOWN_TEXT, b->text, &sb) < 0)
		goto out;
	set_buf(ev, "summary_text", &sb);
	add_gchat(&tmp, sb.buf, sb.len);
	set_buf(ev, "summary_gchat", &tmp);
	strbuf_reset(&tmp);
	add_teams(&tmp, sb.buf, sb.len);
	set_buf(ev, "summary_teams", &tmp);

	slack = it->slack_line < SLACK_SECTION ? SLACK_SECTION - it->slack_line : 0;
	slack = min_size(slack, b->slack);
	if (render_fit(it->md, MARKDOWN_SLACK, slack < MIN_SUMMARY ? 0 : slack, &sb) < 0)
		goto out;
	strbuf_reset(&tmp);
	add_defused(&tmp, sb.buf, sb.len, MENTIONS_SLACK, MARKUP_MRKDWN);
	/* a zero-width space is one unit more per mention: cut again if needed */
	if (units16(tmp.buf, tmp.len) > units16(sb.buf, sb.len) &&
	    units16(tmp.buf, tmp.len) > (slack < MIN_SUMMARY ? 0 : slack))
		strbuf_reset(&tmp);
	set_buf(ev, "summary_slack", &tmp);

	/*
	 * Discord and Mattermost render Markdown themselves: give them the
	 * source without raw HTML and unsafe links, cut as text. Discord's
	 * embeds never notify anyone; Mattermost's text would.
	 */
	strbuf_reset(&tmp);
	if (markdown_render(it->md, strlen(it->md), MARKDOWN_COMMONMARK, 0, &tmp) < 0)
		goto out;
	if (summary_chat(&tmp, b->discord, &sb) < 0)
		goto out;
	set_buf(ev, "summary_discord", &sb);
	if (summary_chat(&tmp, b->mattermost, &sb) < 0)
		goto out;
	set_buf(ev, "summary_mattermost", &sb);

	if (render_fit(it->md, MARKDOWN_TELEGRAM, b->telegram, &sb) < 0)
		goto out;
	set_buf(ev, "summary_telegram", &sb);
	if (render_fit(it->md, MARKDOWN_MATRIX, b->matrix, &sb) < 0)
		goto out;
	set_buf(ev, "summary_matrix", &sb);
	ret = 0;
out:
	strbuf_release(&sb);
	strbuf_release(&tmp);
	return ret;
}

static void budgets(const struct item *items, size_t shown, int batch,
		    struct budget *b)
{
	size_t i, discord = 0, telegram = TELEGRAM_BATCH_FRAME;

	for (i = 0; i < shown; i++) {
		discord += items[i].discord;
		telegram += items[i].telegram;
	}
	b->text = batch ? min_size(TEXT_SUMMARY, TEXT_BATCH_TOTAL / shown) : TEXT_SUMMARY;
	b->slack = batch ? min_size(SLACK_SUMMARY, SLACK_BATCH_TOTAL / shown) : SLACK_SUMMARY;
	b->discord = min_size(DISCORD_DESCRIPTION, share(DISCORD_TOTAL, discord, shown));
	if (batch)
		b->telegram = share(TELEGRAM_BATCH_TEXT, telegram, shown);
	else
		/* "\n\n" after the title, and a margin */
		b->telegram = share(TELEGRAM_TEXT - 16, items[0].telegram_title + 2, 1);
	b->telegram = min_size(TELEGRAM_SUMMARY, b->telegram);
	b->matrix = MATRIX_SUMMARY / shown;
	b->mattermost = min_size(MATTERMOST_SUMMARY, MATTERMOST_BATCH_TOTAL / shown);
}

/*
 * How many events fit in one message of `kind`. The caps on titles and tags
 * make ten fit today; counting keeps it so if they change.
 */
static size_t fit(const char *kind, const struct item *items, size_t n)
{
	size_t shown = n, i, used;

	for (; shown > 1; shown--) {
		used = 0;
		if (!strcmp(kind, "discord")) {
			for (i = 0; i < shown; i++)
				used += items[i].discord + MIN_SUMMARY;
			if (used <= DISCORD_TOTAL)
				break;
		} else if (!strcmp(kind, "telegram")) {
			used = TELEGRAM_BATCH_FRAME;
			for (i = 0; i < shown; i++)
				used += items[i].telegram + MIN_SUMMARY;
			if (used <= TELEGRAM_BATCH_TEXT)
				break;
		} else {
			break;
		}
	}
	return shown;
}

/* "New post: TITLE" for the one item, else "N new posts" or "N posts changed". */
static json_t *headline(const struct item *first, const json_t *events)
{
	const char *type;
	const json_t *ev;
	size_t i, n = json_array_size(events);
	int all_new = 1;

	if (n == 1)
		return json_sprintf("%s: %s", str(first->ev, "type_label"),
				    str(first->ev, "title_text"));
	json_array_foreach(events, i, ev) {
		type = str(ev, "type");
		if (!type || (strcmp(type, "new") && strcmp(type, "undrafted")))
			all_new = 0;
	}
	return json_sprintf(all_new ? "%zu new posts" : "%zu posts changed", n);
}

/* The context of a payload template, or NULL after error(). */
static json_t *build_context(const char *kind, const json_t *target,
			     const json_t *site, const json_t *events,
			     const char *id, long long now)
{
	size_t n = json_array_size(events), max = n < MAX_SHOWN ? n : MAX_SHOWN;
	size_t shown, i;
	struct item *items = xcalloc(max, sizeof(*items));
	struct budget b;
	struct strbuf sb = STRBUF_INIT;
	json_t *ctx = NULL, *list = json_array(), *h;
	const char *text;
	char stamp[32];
	int batch = n > 1;

	for (i = 0; i < max; i++)
		item_init(&items[i], json_array_get(events, i), batch);
	shown = fit(kind, items, max);
	budgets(items, shown, batch, &b);
	for (i = 0; i < shown; i++) {
		if (item_summaries(&items[i], &b) < 0)
			goto out;
		json_object_set_new(items[i].ev, "first", json_boolean(i == 0));
		json_object_set_new(items[i].ev, "last", json_boolean(i + 1 == shown));
		json_array_append(list, items[i].ev);
	}

	date_format(now, stamp, sizeof(stamp));
	ctx = json_object();
	json_object_set_new(ctx, "target",
			    target ? json_incref((json_t *)target) : json_object());
	json_object_set_new(ctx, "site", site ? json_incref((json_t *)site) : json_null());
	json_object_set_new(ctx, "id", value_text(id));
	json_object_set_new(ctx, "timestamp", json_string(stamp));
	json_object_set_new(ctx, "batch", json_boolean(batch));
	json_object_set_new(ctx, "count", json_integer((json_int_t)n));
	json_object_set_new(ctx, "shown", json_integer((json_int_t)shown));
	json_object_set_new(ctx, "more", json_integer((json_int_t)(n - shown)));
	json_object_set(ctx, "events", list);
	json_object_set(ctx, "event", json_array_get(list, 0));
	h = headline(&items[0], events);
	text = json_string_value(h);
	json_object_set_new(ctx, "headline", h);
	{
		struct strbuf d = STRBUF_INIT;
		add_defused(&d, text, strlen(text), MENTIONS_SLACK, MARKUP_PLAIN);
		markdown_escape(d.buf, d.len, MARKDOWN_SLACK, &sb);
		strbuf_release(&d);
	}
	json_object_set_new(ctx, "headline_slack", value_textn(sb.buf, sb.len));
	strbuf_reset(&sb);
	add_teams(&sb, text, strlen(text));
	json_object_set_new(ctx, "headline_teams", value_textn(sb.buf, sb.len));
	strbuf_reset(&sb);
	markdown_escape(text, strlen(text), MARKDOWN_HTML, &sb);
	json_object_set_new(ctx, "headline_html", value_textn(sb.buf, sb.len));
out:
	for (i = 0; i < max; i++)
		json_decref(items[i].ev);
	free(items);
	json_decref(list);
	strbuf_release(&sb);
	return ctx;
}

/* The event as the model has it, without the flags that belong to a list. */
static json_t *webhook_event(const json_t *ev)
{
	json_t *c = json_copy((json_t *)ev);

	json_object_del(c, "first");
	json_object_del(c, "last");
	json_object_del(c, "tags_json");
	return c;
}

/* "post.<type>" for one event, "posts.batch" for several. */
static json_t *webhook_type(const json_t *events)
{
	const char *type = str(json_array_get(events, 0), "type");

	if (json_array_size(events) == 1)
		return json_sprintf("post.%s", type ? type : "unknown");
	return json_string("posts.batch");
}

static int webhook_body(const json_t *events, long long now, json_t **out)
{
	const json_t *first = json_array_get(events, 0);
	const char *type = str(first, "type");
	json_t *doc, *data, *list, *ev;
	char stamp[32];
	size_t i;

	date_format(now, stamp, sizeof(stamp));
	if (json_array_size(events) == 1) {
		if (!type)
			return error("event of '%s' has no type",
				     str(first, "path") ? str(first, "path") : "?");
		doc = json_object();
		json_object_set_new(doc, "type", json_sprintf("post.%s", type));
		json_object_set_new(doc, "timestamp", json_string(stamp));
		json_object_set_new(doc, "data", webhook_event(first));
		*out = doc;
		return 0;
	}
	list = json_array();
	json_array_foreach(events, i, ev)
		json_array_append_new(list, webhook_event(ev));
	data = json_object();
	json_object_set_new(data, "events", list);
	json_object_set_new(data, "count", json_integer((json_int_t)json_array_size(events)));
	doc = json_object();
	json_object_set_new(doc, "type", json_string("posts.batch"));
	json_object_set_new(doc, "timestamp", json_string(stamp));
	json_object_set_new(doc, "data", data);
	*out = doc;
	return 0;
}

/* Options a built-in template cannot do without. */
static int check_target(const char *kind, const json_t *target)
{
	const char *name = str(target, "name");
	const json_t *v;

	if (!name)
		name = "?";
	if (!strcmp(kind, "telegram")) {
		v = json_object_get(target, "chat_id");
		if (!(json_is_string(v) && *json_string_value(v)) && !json_is_integer(v))
			return error("target '%s' of kind telegram has no chat_id", name);
	}
	return 0;
}

/* Keys a body may only carry with the value the server's config gives, if any. */
static void only_configured(json_t *doc, const json_t *target, const char *key,
			    const char *option)
{
	const json_t *v = json_object_get(target, option);

	if (json_is_string(v) && *json_string_value(v))
		json_object_set_new(doc, key, json_string(json_string_value(v)));
	else
		json_object_del(doc, key);
}

/*
 * Whatever a template produced, each platform's body keeps what only the
 * server's config decides: where the message goes, as whom, and that it
 * notifies no crowd. Built-in templates already comply; the admin's own
 * may not, by mistake or because a pusher once steered them. A body that
 * cannot be made to comply is an error, never a send.
 */
static int enforce(const char *kind, const char *name, const json_t *target,
		   const json_t *events, const char *stamp, json_t *doc)
{
	static const char *const slack_keys[] = {
		"channel", "username", "icon_url", "icon_emoji", "link_names",
	};
	const json_t *v;
	size_t i;

	if (!json_is_object(doc))
		return error("template '%s' does not give a JSON object, which a %s body must be",
			     name, kind);
	if (!strcmp(kind, "slack")) {
		for (i = 0; i < ARRAY_SIZE(slack_keys); i++)
			json_object_del(doc, slack_keys[i]);
	} else if (!strcmp(kind, "discord")) {
		json_object_set_new(doc, "allowed_mentions", json_pack("{s:[]}", "parse"));
		json_object_del(doc, "tts");
		only_configured(doc, target, "username", "username");
		only_configured(doc, target, "avatar_url", "avatar_url");
	} else if (!strcmp(kind, "mattermost")) {
		json_object_del(doc, "channel");
		json_object_del(doc, "icon_emoji");
		only_configured(doc, target, "username", "username");
		only_configured(doc, target, "icon_url", "icon_url");
	} else if (!strcmp(kind, "telegram")) {
		v = json_object_get(target, "chat_id");
		if (!(json_is_string(v) && *json_string_value(v)) && !json_is_integer(v))
			return error("target '%s' of kind telegram has no chat_id",
				     str(target, "name") ? str(target, "name") : "?");
		json_object_set_new(doc, "chat_id", json_deep_copy(v));
	} else if (!strcmp(kind, "ntfy")) {
		/* the topic is added when sending, from the config: never stored or shown */
		json_object_del(doc, "topic");
	} else if (!strcmp(kind, "matrix")) {
		json_object_set_new(doc, "m.mentions", json_object());
	} else if (!strcmp(kind, "webhook")) {
		if (!json_object_get(doc, "data"))
			return error("template '%s' gives a webhook body without 'data'; "
				     "herald sends {\"type\",\"timestamp\",\"data\"}", name);
		json_object_set_new(doc, "type", webhook_type(events));
		json_object_set_new(doc, "timestamp", json_string(stamp));
	}
	return 0;
}

static char *txn_suffix(const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	strbuf_addstr(&sb, "/send/m.room.message/");
	for (p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (is_word(c) || c == '-' || c == '.' || c == '~')
			strbuf_addch(&sb, c);
		else
			strbuf_addf(&sb, "%%%02X", c);
	}
	return strbuf_detach(&sb, NULL);
}

int payload_build(const struct render_source *src, const char *kind,
		  const char *template, const json_t *target, const json_t *site,
		  const json_t *events, const char *id, long long now,
		  struct payload *out)
{
	/* a chat message or webhook body is small; a runaway template is not */
	static const struct template_limits limits = { 0, PAYLOAD_MAX_BYTES };
	struct render_source psrc;
	struct strbuf text = STRBUF_INIT;
	json_t *ctx = NULL, *doc = NULL;
	json_error_t jerr;
	char *name = NULL;
	char stamp[32];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	/*
	 * Payload templates come from the built-ins or the admin's folder,
	 * never from the repository: a push must not shape a request.
	 */
	memset(&psrc, 0, sizeof(psrc));
	psrc.dir = src ? src->dir : NULL;
	psrc.limits = &limits;
	src = &psrc;
	if (!payload_kind_known(kind))
		return error("unknown target kind '%s'", kind ? kind : "");
	if (!json_is_array(events) || !json_array_size(events))
		return error("no events to announce");
	if (!strcmp(kind, "matrix") && !(id && *id))
		return error("a matrix delivery needs an id");

	if (!template && !strcmp(kind, "webhook")) {
		if (webhook_body(events, now, &doc) < 0) {
			ret = -1;
			goto out;
		}
	} else {
		if (!template && check_target(kind, target) < 0) {
			ret = -1;
			goto out;
		}
		name = template ? xstrdup(template) : xstrfmt("payload-%s.json", kind);
		ctx = build_context(kind, target, site, events, id, now);
		if (!ctx || render_template(src, name, ctx, &text) < 0) {
			ret = -1;
			goto out;
		}
		doc = json_loadb(text.buf, text.len, 0, &jerr);
		if (!doc) {
			ret = error("template '%s' does not give valid JSON: %s "
				    "(output line %d, column %d)",
				    name, jerr.text, jerr.line, jerr.column);
			goto out;
		}
	}
	date_format(now, stamp, sizeof(stamp));
	if (enforce(kind, name ? name : "(built-in)", target, events, stamp, doc) < 0) {
		ret = -1;
		goto out;
	}
	out->body = json_dumps(doc, JSON_COMPACT);
	if (!out->body) {
		ret = error("cannot write the %s payload as JSON", kind);
		goto out;
	}
	out->len = strlen(out->body);
	out->content_type = "application/json";
	out->method = strcmp(kind, "matrix") ? "POST" : "PUT";
	if (!strcmp(kind, "matrix"))
		out->url_suffix = txn_suffix(id);
out:
	if (ret < 0)
		payload_release(out);
	json_decref(ctx);
	json_decref(doc);
	free(name);
	strbuf_release(&text);
	return ret;
}
