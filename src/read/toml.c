#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/date.h"
#include "herald/strbuf.h"
#include "herald/toml.h"
#include "herald/utf8.h"
#include "herald/banned.h"

/*
 * What stands at a key. jansson values carry no flags, so the parser keeps
 * the kind of every table and array of tables it made in a side table keyed
 * by the json_t pointer (see struct toml_marks); anything not in it is a
 * plain value or a static array.
 */
enum toml_kind {
	TOML_IMPLICIT = 1 << 0, /* made as a parent of a [header]; may be defined later */
	TOML_DEFINED = 1 << 1,  /* a [header], a [[header]] element or the root */
	TOML_DOTTED = 1 << 2,   /* made by a dotted key; more dotted keys may extend it */
	TOML_INLINE = 1 << 3,   /* an inline table: closed once written */
	TOML_AOT = 1 << 4,      /* an array made by [[header]] */
	TOML_STATIC = 1 << 5,   /* an array value: closed once written */
	TOML_VALUE = 1 << 6,    /* anything else */
};

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL,
};

static const char *const toml_type_names[] = {
	[TOML_STRING] = "string",
	[TOML_INTEGER] = "integer",
	[TOML_FLOAT] = "float",
	[TOML_BOOL] = "bool",
	[TOML_DATETIME] = "datetime",
	[TOML_DATETIME_LOCAL] = "datetime-local",
	[TOML_DATE_LOCAL] = "date-local",
	[TOML_TIME_LOCAL] = "time-local",
};

/* One scalar on its way out: `text` is the tagged form's "value". */
struct toml_scalar {
	enum toml_type type;
	const char *text;
	size_t len;
	json_int_t integer;
	double real;
};

struct toml_mark {
	const json_t *node;
	unsigned kind;
};

/* Open addressing, linear probing; `alloc` is 0 or a power of two. */
struct toml_marks {
	struct toml_mark *slot;
	size_t nr, alloc;
};

/* One part of a key, kept on a stack so inline tables can nest. */
struct toml_key {
	size_t off, len; /* into toml_parser.keybuf */
	size_t pos;      /* where it starts in the input */
};

struct toml_parser {
	const char *buf;
	size_t len, pos;
	unsigned flags;
	json_t *root;
	struct toml_marks marks;
	struct strbuf sb;     /* the string or number being decoded */
	struct strbuf keybuf; /* key parts, each followed by a NUL */
	struct toml_key *keys;
	size_t keys_nr, keys_alloc;
	int failed;
	size_t err_pos;
	char message[sizeof(((struct toml_error *)0)->message)];
};

__attribute__((format(printf, 3, 4)))
static int toml_fail(struct toml_parser *tp, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (tp->failed)
		return -1;
	tp->failed = 1;
	tp->err_pos = pos;
	va_start(ap, fmt);
	n = vsnprintf(tp->message, sizeof(tp->message), fmt, ap);
	va_end(ap);
	/* A long key may have cut the message inside a character. */
	if (n >= (int)sizeof(tp->message))
		tp->message[utf8_trim_partial(tp->message, sizeof(tp->message) - 1)] = '\0';
	return -1;
}

static int toml_fail_oom(struct toml_parser *tp)
{
	return toml_fail(tp, tp->pos, "out of memory");
}

static void toml_locate(const char *buf, size_t len, size_t pos, int *line,
			int *column)
{
	size_t i, l = 1, c = 1;

	if (pos > len)
		pos = len;
	for (i = 0; i < pos; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l > INT_MAX ? INT_MAX : (int)l;
	*column = c > INT_MAX ? INT_MAX : (int)c;
}

/* --- the side table of kinds --- */

static size_t toml_marks_hash(const json_t *node)
{
	uint64_t x = (uint64_t)(uintptr_t)node;

	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return (size_t)x;
}

static struct toml_mark *toml_marks_find(struct toml_marks *m,
					 const json_t *node)
{
	size_t i;

	if (!m->alloc)
		return NULL;
	for (i = toml_marks_hash(node) & (m->alloc - 1);; i = (i + 1) & (m->alloc - 1)) {
		if (m->slot[i].node == node || !m->slot[i].node)
			return &m->slot[i];
	}
}

static void toml_marks_set(struct toml_marks *m, const json_t *node,
			   unsigned kind)
{
	struct toml_mark *e;

	if ((m->nr + 1) * 2 > m->alloc) {
		struct toml_marks bigger = { NULL, 0, m->alloc ? m->alloc * 2 : 64 };
		size_t i;

		bigger.slot = xcalloc(bigger.alloc, sizeof(*bigger.slot));
		for (i = 0; i < m->alloc; i++) {
			if (!m->slot[i].node)
				continue;
			*toml_marks_find(&bigger, m->slot[i].node) = m->slot[i];
			bigger.nr++;
		}
		free(m->slot);
		*m = bigger;
	}
	e = toml_marks_find(m, node);
	if (!e->node) {
		e->node = node;
		m->nr++;
	}
	e->kind = kind;
}

static unsigned toml_kind_of(struct toml_parser *tp, const json_t *node)
{
	struct toml_mark *e = toml_marks_find(&tp->marks, node);

	if (e && e->node)
		return e->kind;
	return json_is_array(node) ? TOML_STATIC : TOML_VALUE;
}

/* Makes a table of the given kind; NULL (and the error set) when out of memory. */
static json_t *toml_table_new(struct toml_parser *tp, unsigned kind)
{
	json_t *t = json_object();

	if (!t) {
		toml_fail_oom(tp);
		return NULL;
	}
	toml_marks_set(&tp->marks, t, kind);
	return t;
}

/* --- characters --- */

static int toml_at(const struct toml_parser *tp, size_t pos)
{
	return pos < tp->len ? (unsigned char)tp->buf[pos] : -1;
}

static int toml_peek(const struct toml_parser *tp)
{
	return toml_at(tp, tp->pos);
}

static int toml_starts(const struct toml_parser *tp, const char *s)
{
	size_t n = strlen(s);

	return tp->len - tp->pos >= n && !memcmp(tp->buf + tp->pos, s, n);
}

static int toml_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int toml_is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       toml_is_digit(c) || c == '_' || c == '-';
}

/* Characters that can make up a number, a boolean or a date-time. */
static int toml_is_token(int c)
{
	return toml_is_bare(c) || c == '+' || c == '.' || c == ':';
}

static int toml_is_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static int toml_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int toml_is_base_digit(int c, int base)
{
	switch (base) {
	case 2:
		return c == '0' || c == '1';
	case 8:
		return c >= '0' && c <= '7';
	case 16:
		return toml_hex_value(c) >= 0;
	default:
		return toml_is_digit(c);
	}
}

/* Length of the newline (LF or CRLF) at `pos`, or 0. */
static size_t toml_newline_len(const struct toml_parser *tp, size_t pos)
{
	int c = toml_at(tp, pos);

	if (c == '\n')
		return 1;
	if (c == '\r' && toml_at(tp, pos + 1) == '\n')
		return 2;
	return 0;
}

/* Names what stands at `pos`, for "expected X, found Y". */
static const char *toml_describe(const struct toml_parser *tp, size_t pos,
				 char *out, size_t size)
{
	int c = toml_at(tp, pos);

	if (c < 0)
		return "end of input";
	if (toml_newline_len(tp, pos))
		return "end of line";
	if (c == '\r')
		return "bare carriage return";
	if (toml_is_control(c)) {
		snprintf(out, size, "control character U+%04X", (unsigned)c);
		return out;
	}
	/* The input is valid UTF-8, so the sequence is whole. */
	snprintf(out, size, "'%.*s'", (int)utf8_char_len(tp->buf + pos, tp->len - pos),
		 tp->buf + pos);
	return out;
}

static int toml_unexpected(struct toml_parser *tp, size_t pos,
			   const char *expected)
{
	char found[32];

	return toml_fail(tp, pos, "expected %s, found %s", expected,
			 toml_describe(tp, pos, found, sizeof(found)));
}

static void toml_skip_ws(struct toml_parser *tp)
{
	while (tp->pos < tp->len &&
	       (tp->buf[tp->pos] == ' ' || tp->buf[tp->pos] == '\t'))
		tp->pos++;
}

/* At '#': moves to the end of the line, refusing control characters. */
static int toml_skip_comment(struct toml_parser *tp)
{
	size_t pos = tp->pos + 1;

	for (; pos < tp->len; pos++) {
		int c = (unsigned char)tp->buf[pos];

		if (c == '\n' || toml_newline_len(tp, pos))
			break;
		if (c == '\r')
			return toml_fail(tp, pos, "bare carriage return in comment");
		if (toml_is_control(c))
			return toml_fail(tp, pos, "control character U+%04X in comment",
					 (unsigned)c);
	}
	tp->pos = pos;
	return 0;
}

/* Skips blanks, newlines and comments (between array elements). */
static int toml_skip_blank(struct toml_parser *tp)
{
	for (;;) {
		size_t nl;

		toml_skip_ws(tp);
		if (toml_peek(tp) == '#') {
			if (toml_skip_comment(tp))
				return -1;
			continue;
		}
		nl = toml_newline_len(tp, tp->pos);
		if (!nl)
			return 0;
		tp->pos += nl;
	}
}

/* After an expression: blanks, an optional comment, then a newline or the end. */
static int toml_expect_eol(struct toml_parser *tp)
{
	size_t nl;

	toml_skip_ws(tp);
	if (toml_peek(tp) == '#' && toml_skip_comment(tp))
		return -1;
	if (tp->pos >= tp->len)
		return 0;
	nl = toml_newline_len(tp, tp->pos);
	if (!nl)
		return toml_unexpected(tp, tp->pos, "end of line");
	tp->pos += nl;
	return 0;
}

/* --- strings --- */

/* At a backslash in a basic string: decodes one escape into tp->sb. */
static int toml_parse_escape(struct toml_parser *tp)
{
	static const char simple[] = "b\bt\tn\nf\fr\r\"\"\\\\";
	size_t start = tp->pos, i;
	int c = toml_at(tp, start + 1), digits;
	uint32_t cp = 0;
	char found[32];

	for (i = 0; c > 0 && simple[i]; i += 2) {
		if (simple[i] == c) {
			strbuf_addch(&tp->sb, simple[i + 1]);
			tp->pos += 2;
			return 0;
		}
	}
	if (c == 'u')
		digits = 4;
	else if (c == 'U')
		digits = 8;
	else
		return toml_fail(tp, start, "invalid escape sequence: backslash followed by %s",
				 toml_describe(tp, start + 1, found, sizeof(found)));
	for (i = 0; i < (size_t)digits; i++) {
		int h = toml_hex_value(toml_at(tp, start + 2 + i));

		if (h < 0)
			return toml_fail(tp, start, "'\\%c' needs %d hexadecimal digits",
					 c, digits);
		cp = cp << 4 | (uint32_t)h;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return toml_fail(tp, start, "escape U+%04" PRIX32 " is not a unicode scalar value",
				 cp);
	utf8_encode(&tp->sb, (int)cp);
	tp->pos += 2 + digits;
	return 0;
}

static int toml_string_char(int c, int quote, int multiline)
{
	if (c == quote || (quote == '"' && c == '\\'))
		return 0;
	if (multiline && c == '\n')
		return 0;
	return !toml_is_control(c);
}

/* At '"' or '\'': a single-line string, decoded into tp->sb. */
static int toml_parse_string(struct toml_parser *tp)
{
	int quote = tp->buf[tp->pos];
	size_t start = tp->pos;

	strbuf_reset(&tp->sb);
	tp->pos++;
	for (;;) {
		size_t run = tp->pos;
		int c;

		while (run < tp->len &&
		       toml_string_char((unsigned char)tp->buf[run], quote, 0))
			run++;
		strbuf_add(&tp->sb, tp->buf + tp->pos, run - tp->pos);
		tp->pos = run;
		c = toml_peek(tp);
		if (c < 0)
			return toml_fail(tp, start, "unterminated string");
		if (c == quote) {
			tp->pos++;
			return 0;
		}
		if (c == '\\') {
			if (toml_parse_escape(tp))
				return -1;
			continue;
		}
		if (c == '\n' || c == '\r')
			return toml_fail(tp, start, "unterminated string: newline before the closing quote");
		return toml_fail(tp, tp->pos, "control character U+%04X in string",
				 (unsigned)c);
	}
}

/*
 * At '\\' in a multi-line basic string: if only blanks follow before the
 * end of the line, eats them and all whitespace after; returns 1 if so.
 */
static int toml_skip_line_ending_backslash(struct toml_parser *tp)
{
	size_t pos = tp->pos + 1, nl;

	while (pos < tp->len && (tp->buf[pos] == ' ' || tp->buf[pos] == '\t'))
		pos++;
	nl = toml_newline_len(tp, pos);
	if (!nl)
		return 0;
	pos += nl;
	for (;;) {
		int c = toml_at(tp, pos);

		if (c == ' ' || c == '\t')
			pos++;
		else if ((nl = toml_newline_len(tp, pos)))
			pos += nl;
		else
			break;
	}
	tp->pos = pos;
	return 1;
}

/* At '"""' or "'''": a multi-line string, decoded into tp->sb. */
static int toml_parse_ml_string(struct toml_parser *tp)
{
	int quote = tp->buf[tp->pos];
	size_t start = tp->pos;

	strbuf_reset(&tp->sb);
	tp->pos += 3;
	tp->pos += toml_newline_len(tp, tp->pos);
	for (;;) {
		size_t run = tp->pos, n;
		int c;

		while (run < tp->len &&
		       toml_string_char((unsigned char)tp->buf[run], quote, 1))
			run++;
		strbuf_add(&tp->sb, tp->buf + tp->pos, run - tp->pos);
		tp->pos = run;
		c = toml_peek(tp);
		if (c < 0)
			return toml_fail(tp, start, "unterminated multi-line string");
		if (c == quote) {
			for (n = 0; toml_at(tp, tp->pos + n) == quote; n++)
				;
			if (n < 3) {
				strbuf_addchars(&tp->sb, quote, n);
				tp->pos += n;
				continue;
			}
			if (n > 5)
				return toml_fail(tp, tp->pos + 5,
						 "too many quotes at the end of a multi-line string");
			/* Up to two quotes may end the content before the delimiter. */
			strbuf_addchars(&tp->sb, quote, n - 3);
			tp->pos += n;
			return 0;
		}
		if (c == '\\') {
			if (toml_skip_line_ending_backslash(tp))
				continue;
			if (toml_parse_escape(tp))
				return -1;
			continue;
		}
		if ((n = toml_newline_len(tp, tp->pos))) {
			/* CRLF is read as LF, as the spec allows. */
			strbuf_addch(&tp->sb, '\n');
			tp->pos += n;
			continue;
		}
		if (c == '\r')
			return toml_fail(tp, tp->pos, "bare carriage return in string");
		return toml_fail(tp, tp->pos, "control character U+%04X in string",
				 (unsigned)c);
	}
}

/* --- keys --- */

static void toml_push_key(struct toml_parser *tp, const char *s, size_t len,
			  size_t pos)
{
	struct toml_key *k;

	ALLOC_GROW(tp->keys, tp->keys_nr + 1, tp->keys_alloc);
	k = &tp->keys[tp->keys_nr++];
	k->off = tp->keybuf.len;
	k->len = len;
	k->pos = pos;
	strbuf_add(&tp->keybuf, s, len);
	strbuf_addch(&tp->keybuf, '\0');
}

static void toml_pop_keys(struct toml_parser *tp, size_t first)
{
	if (first >= tp->keys_nr)
		return;
	strbuf_setlen(&tp->keybuf, tp->keys[first].off);
	tp->keys_nr = first;
}

/*
 * Joins key parts first..last with dots, for messages. Control characters
 * become '?' so a quoted key cannot break the caller's error line.
 */
static const char *toml_key_name(const struct toml_parser *tp, size_t first,
				 size_t last, char *out, size_t size)
{
	size_t i, j, used = 0;

	for (i = first; i <= last && used + 1 < size; i++) {
		const struct toml_key *k = &tp->keys[i];
		const char *s = tp->keybuf.buf + k->off;

		if (i != first)
			out[used++] = '.';
		for (j = 0; j < k->len && used + 1 < size; j++) {
			int c = (unsigned char)s[j];

			out[used++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	}
	out[utf8_trim_partial(out, used)] = '\0';
	return out;
}

/*
 * Reads a simple or dotted key and pushes its parts on the key stack,
 * eating blanks around it; *count is the number of parts.
 */
static int toml_parse_key(struct toml_parser *tp, size_t *count)
{
	size_t n = 0;

	for (;;) {
		size_t start;
		int c;

		toml_skip_ws(tp);
		start = tp->pos;
		c = toml_peek(tp);
		if (c == '"' || c == '\'') {
			if (toml_starts(tp, c == '"' ? "\"\"\"" : "'''"))
				return toml_fail(tp, start, "a multi-line string cannot be a key");
			if (toml_parse_string(tp))
				return -1;
			toml_push_key(tp, tp->sb.buf, tp->sb.len, start);
		} else if (toml_is_bare(c)) {
			while (toml_is_bare(toml_peek(tp)))
				tp->pos++;
			toml_push_key(tp, tp->buf + start, tp->pos - start, start);
		} else {
			return toml_unexpected(tp, start, "a key");
		}
		if (++n > TOML_MAX_DEPTH)
			return toml_fail(tp, start, "key has more than %d parts",
					 TOML_MAX_DEPTH);
		toml_skip_ws(tp);
		if (toml_peek(tp) != '.')
			break;
		tp->pos++;
	}
	*count = n;
	return 0;
}

static json_t *toml_key_get(const struct toml_parser *tp, json_t *table,
			    const struct toml_key *k)
{
	return json_object_getn(table, tp->keybuf.buf + k->off, k->len);
}

/* Stores `value` (stolen) at `k` in `table`. */
static int toml_key_set(struct toml_parser *tp, json_t *table,
			const struct toml_key *k, json_t *value)
{
	/* Keys come from validated input or from our own UTF-8 encoder. */
	if (json_object_setn_new_nocheck(table, tp->keybuf.buf + k->off,
					 k->len, value))
		return toml_fail(tp, k->pos, "out of memory");
	return 0;
}

/* --- scalars --- */

static int toml_emit(struct toml_parser *tp, const struct toml_scalar *s,
		     json_t **out)
{
	json_t *v = NULL;

	if (tp->flags & TOML_TAGGED) {
		v = json_object();
		if (v && (json_object_set_new_nocheck(v, "type",
				json_string_nocheck(toml_type_names[s->type])) ||
			  json_object_set_new_nocheck(v, "value",
				json_stringn_nocheck(s->text, s->len)))) {
			json_decref(v);
			v = NULL;
		}
	} else {
		switch (s->type) {
		case TOML_INTEGER:
			v = json_integer(s->integer);
			break;
		case TOML_FLOAT:
			/* JSON has no inf or nan: those stay text. */
			v = isfinite(s->real) ? json_real(s->real)
					      : json_stringn_nocheck(s->text, s->len);
			break;
		case TOML_BOOL:
			v = json_boolean(s->integer);
			break;
		default:
			v = json_stringn_nocheck(s->text, s->len);
			break;
		}
	}
	if (!v)
		return toml_fail_oom(tp);
	*out = v;
	return 0;
}

/* Reads `count` digits at s[at] into *v; 0 if they are not all there. */
static int toml_fixed_digits(const char *s, size_t n, size_t at, size_t count,
			     int *v)
{
	size_t i;

	*v = 0;
	if (at + count > n)
		return 0;
	for (i = at; i < at + count; i++) {
		if (!toml_is_digit(s[i]))
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* s[0..n) at input offset `start` is a date, a time or a date-time. */
static int toml_parse_datetime(struct toml_parser *tp, size_t start,
			       const char *s, size_t n, json_t **out)
{
	struct toml_scalar sc = { 0 };
	int has_date = n >= 5 && s[4] == '-';
	int year, month, day, hour, minute, second;
	size_t i = 0, j;

	if (has_date) {
		if (!toml_fixed_digits(s, n, 0, 4, &year) ||
		    !toml_fixed_digits(s, n, 5, 2, &month) || n < 8 ||
		    s[7] != '-' || !toml_fixed_digits(s, n, 8, 2, &day))
			return toml_fail(tp, start, "malformed date '%.*s': expected YYYY-MM-DD",
					 n > 40 ? 40 : (int)n, s);
		if (month < 1 || month > 12)
			return toml_fail(tp, start + 5, "month must be between 01 and 12");
		if (day < 1 || day > date_days_in_month(year, month))
			return toml_fail(tp, start + 8, "day %02d does not exist in %04d-%02d",
					 day, year, month);
		i = 10;
		if (i == n) {
			sc.type = TOML_DATE_LOCAL;
			goto done;
		}
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return toml_fail(tp, start + i, "malformed date-time: expected 'T' after the date");
		i++;
	}
	if (!toml_fixed_digits(s, n, i, 2, &hour) || i + 2 >= n ||
	    s[i + 2] != ':' || !toml_fixed_digits(s, n, i + 3, 2, &minute) ||
	    i + 5 >= n || s[i + 5] != ':' ||
	    !toml_fixed_digits(s, n, i + 6, 2, &second))
		return toml_fail(tp, start + i, "malformed time: expected HH:MM:SS");
	if (hour > 23)
		return toml_fail(tp, start + i, "hour must be between 00 and 23");
	if (minute > 59)
		return toml_fail(tp, start + i + 3, "minute must be between 00 and 59");
	/* 60 is a leap second, which RFC 3339 allows. */
	if (second > 60)
		return toml_fail(tp, start + i + 6, "second must be between 00 and 60");
	i += 8;
	if (i < n && s[i] == '.') {
		for (j = ++i; i < n && toml_is_digit(s[i]); i++)
			;
		if (i == j)
			return toml_fail(tp, start + i, "expected digits after the decimal point");
	}
	if (!has_date) {
		sc.type = TOML_TIME_LOCAL;
	} else if (i == n) {
		sc.type = TOML_DATETIME_LOCAL;
	} else if (s[i] == 'Z' || s[i] == 'z') {
		sc.type = TOML_DATETIME;
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		int oh, om;

		if (!toml_fixed_digits(s, n, i + 1, 2, &oh) || i + 3 >= n ||
		    s[i + 3] != ':' || !toml_fixed_digits(s, n, i + 4, 2, &om))
			return toml_fail(tp, start + i, "malformed offset: expected Z or +HH:MM");
		if (oh > 23 || om > 59)
			return toml_fail(tp, start + i, "offset out of range");
		sc.type = TOML_DATETIME;
		i += 6;
	}
	if (i != n)
		return toml_unexpected(tp, start + i, "end of the date-time");
done:
	/* RFC 3339 spelling: 'T' between date and time, 'Z' for UTC. */
	strbuf_reset(&tp->sb);
	strbuf_add(&tp->sb, s, n);
	if (has_date && n > 10)
		tp->sb.buf[10] = 'T';
	if (sc.type == TOML_DATETIME && tp->sb.buf[n - 1] == 'z')
		tp->sb.buf[n - 1] = 'Z';
	sc.text = tp->sb.buf;
	sc.len = tp->sb.len;
	return toml_emit(tp, &sc, out);
}

/*
 * Moves *i over digits of `base` with single underscores between them;
 * -1 if there is no digit or an underscore is misplaced.
 */
static int toml_scan_digits(const char *s, size_t n, size_t *i, int base)
{
	size_t j = *i;

	if (j >= n || !toml_is_base_digit(s[j], base))
		return -1;
	for (j++; j < n; j++) {
		if (s[j] == '_') {
			if (j + 1 >= n || !toml_is_base_digit(s[j + 1], base))
				return -1;
		} else if (!toml_is_base_digit(s[j], base)) {
			break;
		}
	}
	*i = j;
	return 0;
}

/* Accumulates the digits of s[0..n) (underscores skipped) up to `limit`. */
static int toml_accumulate(const char *s, size_t n, int base, uint64_t limit,
			   uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		int d;

		if (s[i] == '_')
			continue;
		d = toml_hex_value(s[i]);
		if (*v > (limit - (uint64_t)d) / (uint64_t)base)
			return -1;
		*v = *v * (uint64_t)base + (uint64_t)d;
	}
	return 0;
}

static int toml_emit_integer(struct toml_parser *tp, json_int_t v, json_t **out)
{
	struct toml_scalar sc = { 0 };
	char text[32];

	sc.type = TOML_INTEGER;
	sc.integer = v;
	if (tp->flags & TOML_TAGGED) {
		int n = snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, v);

		sc.text = text;
		sc.len = (size_t)n;
	}
	return toml_emit(tp, &sc, out);
}

/* A float's text without underscores, in tp->sb, to strtod. */
static int toml_emit_float(struct toml_parser *tp, size_t start, const char *s,
			   size_t n, json_t **out)
{
	struct toml_scalar sc = { 0 };
	const char *point = localeconv()->decimal_point;
	char *dot, *end;
	size_t i;

	strbuf_reset(&tp->sb);
	for (i = 0; i < n; i++)
		if (s[i] != '_')
			strbuf_addch(&tp->sb, s[i]);
	/* strtod follows LC_NUMERIC; TOML always writes '.'. */
	dot = memchr(tp->sb.buf, '.', tp->sb.len);
	if (dot && point && point[0] && !point[1])
		*dot = point[0];
	sc.real = strtod(tp->sb.buf, &end);
	if (dot)
		*dot = '.';
	if (end != tp->sb.buf + tp->sb.len)
		return toml_fail(tp, start, "invalid float '%.*s'",
				 n > 40 ? 40 : (int)n, s);
	if (isinf(sc.real))
		return toml_fail(tp, start, "float '%.*s' is out of range",
				 n > 40 ? 40 : (int)n, s);
	sc.type = TOML_FLOAT;
	sc.text = tp->sb.buf;
	sc.len = tp->sb.len;
	return toml_emit(tp, &sc, out);
}

/* s[0..n) at input offset `start`: an integer or a float. */
static int toml_parse_number(struct toml_parser *tp, size_t start,
			     const char *s, size_t n, json_t **out)
{
	struct toml_scalar sc = { 0 };
	size_t i = 0, int_start;
	int neg = 0, is_float = 0, show = n > 40 ? 40 : (int)n;
	uint64_t mag;

	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i = 1;
	}
	if (n - i == 3 && (!memcmp(s + i, "inf", 3) || !memcmp(s + i, "nan", 3))) {
		sc.type = TOML_FLOAT;
		if (s[i] == 'n') {
			sc.real = NAN;
			sc.text = "nan";
		} else {
			sc.real = neg ? -INFINITY : INFINITY;
			sc.text = neg ? "-inf" : "inf";
		}
		sc.len = strlen(sc.text);
		return toml_emit(tp, &sc, out);
	}
	if (n - i > 2 && s[i] == '0' &&
	    (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
		int base = s[i + 1] == 'x' ? 16 : s[i + 1] == 'o' ? 8 : 2;
		size_t j = i + 2;

		if (i)
			return toml_fail(tp, start, "a hexadecimal, octal or binary integer cannot have a sign");
		if (toml_scan_digits(s, n, &j, base) || j != n)
			return toml_fail(tp, start, "invalid integer '%.*s'", show, s);
		if (toml_accumulate(s + 2, n - 2, base, INT64_MAX, &mag))
			return toml_fail(tp, start, "integer '%.*s' does not fit in 64 bits",
					 show, s);
		return toml_emit_integer(tp, (json_int_t)mag, out);
	}
	int_start = i;
	if (toml_scan_digits(s, n, &i, 10))
		return toml_fail(tp, start, "invalid number '%.*s'", show, s);
	if (s[int_start] == '0' && i - int_start > 1)
		return toml_fail(tp, start, "leading zeros are not allowed in '%.*s'",
				 show, s);
	if (i < n && s[i] == '.') {
		i++;
		is_float = 1;
		if (toml_scan_digits(s, n, &i, 10))
			return toml_fail(tp, start + i, "expected digits after the decimal point");
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		is_float = 1;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (toml_scan_digits(s, n, &i, 10))
			return toml_fail(tp, start + i, "expected digits in the exponent");
	}
	if (i != n)
		return toml_fail(tp, start, "invalid number '%.*s'", show, s);
	if (is_float)
		return toml_emit_float(tp, start, s, n, out);
	if (toml_accumulate(s + int_start, n - int_start, 10,
			    neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &mag))
		return toml_fail(tp, start, "integer '%.*s' does not fit in 64 bits",
				 show, s);
	if (!neg)
		return toml_emit_integer(tp, (json_int_t)mag, out);
	if (mag == (uint64_t)INT64_MAX + 1)
		return toml_emit_integer(tp, INT64_MIN, out);
	return toml_emit_integer(tp, -(json_int_t)mag, out);
}

/* A number, a date-time or a boolean. */
static int toml_parse_bare_value(struct toml_parser *tp, json_t **out)
{
	size_t start = tp->pos, end = start;
	const char *s = tp->buf + start;
	struct toml_scalar sc = { 0 };
	int v;

	while (end < tp->len && toml_is_token((unsigned char)tp->buf[end]))
		end++;
	if (end == start)
		return toml_unexpected(tp, start, "a value");
	if ((end - start == 4 && !memcmp(s, "true", 4)) ||
	    (end - start == 5 && !memcmp(s, "false", 5))) {
		sc.type = TOML_BOOL;
		sc.integer = s[0] == 't';
		sc.text = s[0] == 't' ? "true" : "false";
		sc.len = end - start;
		tp->pos = end;
		return toml_emit(tp, &sc, out);
	}
	if (end - start >= 5 && toml_fixed_digits(s, end - start, 0, 4, &v) &&
	    s[4] == '-') {
		/* A space may separate date and time: "1979-05-27 07:32:00". */
		if (end - start == 10 && toml_at(tp, end) == ' ' &&
		    toml_is_digit(toml_at(tp, end + 1)) &&
		    toml_is_digit(toml_at(tp, end + 2)) && toml_at(tp, end + 3) == ':') {
			end++;
			while (end < tp->len &&
			       toml_is_token((unsigned char)tp->buf[end]))
				end++;
		}
		tp->pos = end;
		return toml_parse_datetime(tp, start, s, end - start, out);
	}
	tp->pos = end;
	if (end - start >= 3 && toml_fixed_digits(s, end - start, 0, 2, &v) &&
	    s[2] == ':')
		return toml_parse_datetime(tp, start, s, end - start, out);
	if (!toml_is_digit(s[0]) && s[0] != '+' && s[0] != '-' && s[0] != 'i' &&
	    s[0] != 'n')
		return toml_fail(tp, start, "invalid value '%.*s' (strings need quotes)",
				 end - start > 40 ? 40 : (int)(end - start), s);
	return toml_parse_number(tp, start, s, end - start, out);
}

/* --- values --- */

static int toml_parse_value(struct toml_parser *tp, int depth, json_t **out);
static int toml_parse_keyval(struct toml_parser *tp, json_t *table, int depth);

static int toml_check_depth(struct toml_parser *tp, int depth)
{
	if (depth > TOML_MAX_DEPTH)
		return toml_fail(tp, tp->pos, "nesting deeper than %d levels",
				 TOML_MAX_DEPTH);
	return 0;
}

static int toml_parse_array(struct toml_parser *tp, int depth, json_t **out)
{
	json_t *arr = NULL, *v;
	int ret = -1;

	if (toml_check_depth(tp, depth))
		goto out;
	arr = json_array();
	if (!arr) {
		toml_fail_oom(tp);
		goto out;
	}
	tp->pos++;
	for (;;) {
		if (toml_skip_blank(tp))
			goto out;
		if (toml_peek(tp) == ']')
			break;
		if (toml_parse_value(tp, depth + 1, &v))
			goto out;
		if (json_array_append_new(arr, v)) {
			toml_fail_oom(tp);
			goto out;
		}
		if (toml_skip_blank(tp))
			goto out;
		if (toml_peek(tp) == ',') {
			tp->pos++;
			continue;
		}
		if (toml_peek(tp) != ']') {
			toml_unexpected(tp, tp->pos, "',' or ']'");
			goto out;
		}
		break;
	}
	tp->pos++;
	*out = arr;
	arr = NULL;
	ret = 0;
out:
	json_decref(arr);
	return ret;
}

static int toml_parse_inline_table(struct toml_parser *tp, int depth,
				   json_t **out)
{
	json_t *table = NULL;
	int ret = -1;

	if (toml_check_depth(tp, depth))
		goto out;
	table = toml_table_new(tp, TOML_INLINE);
	if (!table)
		goto out;
	tp->pos++;
	toml_skip_ws(tp);
	if (toml_peek(tp) == '}') {
		tp->pos++;
		goto done;
	}
	for (;;) {
		if (toml_parse_keyval(tp, table, depth))
			goto out;
		toml_skip_ws(tp);
		if (toml_peek(tp) == '}') {
			tp->pos++;
			break;
		}
		if (toml_peek(tp) != ',') {
			toml_unexpected(tp, tp->pos, "',' or '}'");
			goto out;
		}
		tp->pos++;
		toml_skip_ws(tp);
		if (toml_peek(tp) == '}') {
			toml_fail(tp, tp->pos, "trailing comma in inline table");
			goto out;
		}
	}
done:
	*out = table;
	table = NULL;
	ret = 0;
out:
	json_decref(table);
	return ret;
}

/* A value that will sit `depth` levels below the root. */
static int toml_parse_value(struct toml_parser *tp, int depth, json_t **out)
{
	struct toml_scalar sc = { 0 };
	int c = toml_peek(tp);

	switch (c) {
	case '"':
	case '\'':
		if (toml_starts(tp, c == '"' ? "\"\"\"" : "'''")) {
			if (toml_parse_ml_string(tp))
				return -1;
		} else if (toml_parse_string(tp)) {
			return -1;
		}
		sc.type = TOML_STRING;
		sc.text = tp->sb.buf;
		sc.len = tp->sb.len;
		return toml_emit(tp, &sc, out);
	case '[':
		return toml_parse_array(tp, depth, out);
	case '{':
		return toml_parse_inline_table(tp, depth, out);
	default:
		return toml_parse_bare_value(tp, out);
	}
}

/* --- tables --- */

/* `key = value` into `table`, which sits `depth` levels below the root. */
static int toml_parse_keyval(struct toml_parser *tp, json_t *table, int depth)
{
	size_t first = tp->keys_nr, n, i;
	json_t *t = table, *next, *value = NULL;
	char name[128];
	int ret = -1;

	if (toml_parse_key(tp, &n))
		goto out;
	if (toml_peek(tp) != '=') {
		toml_unexpected(tp, tp->pos, "'=' after the key");
		goto out;
	}
	tp->pos++;
	toml_skip_ws(tp);
	for (i = 0; i + 1 < n; i++) {
		const struct toml_key *k = &tp->keys[first + i];
		unsigned kind;

		next = toml_key_get(tp, t, k);
		if (!next) {
			if (toml_check_depth(tp, depth + (int)i + 1))
				goto out;
			next = toml_table_new(tp, TOML_DOTTED);
			if (!next || toml_key_set(tp, t, k, next))
				goto out;
			t = next;
			continue;
		}
		kind = toml_kind_of(tp, next);
		if (!(kind & TOML_DOTTED)) {
			toml_key_name(tp, first, first + i, name, sizeof(name));
			if (kind & (TOML_VALUE | TOML_STATIC | TOML_AOT))
				toml_fail(tp, k->pos, "key '%s' is already defined and is not a table",
					  name);
			else if (kind & TOML_INLINE)
				toml_fail(tp, k->pos, "inline table '%s' cannot be extended", name);
			else
				toml_fail(tp, k->pos, "table '%s' comes from a [table] header and cannot take dotted keys",
					  name);
			goto out;
		}
		t = next;
	}
	if (toml_key_get(tp, t, &tp->keys[first + n - 1])) {
		toml_fail(tp, tp->keys[first + n - 1].pos, "key '%s' is already defined",
			  toml_key_name(tp, first, first + n - 1, name, sizeof(name)));
		goto out;
	}
	if (toml_parse_value(tp, depth + (int)n, &value))
		goto out;
	/* Nested inline tables may have moved the key stack. */
	ret = toml_key_set(tp, t, &tp->keys[first + n - 1], value);
	value = NULL;
out:
	json_decref(value);
	toml_pop_keys(tp, first);
	return ret;
}

/* `[a.b]` or `[[a.b]]`: makes *current the table it names. */
static int toml_parse_header(struct toml_parser *tp, json_t **current,
			     int *depth)
{
	size_t first = tp->keys_nr, n, i;
	json_t *t = tp->root, *next, *table = NULL;
	const struct toml_key *k;
	int aot = 0, level = 0, ret = -1;
	unsigned kind;
	char name[128];

	tp->pos++;
	if (toml_peek(tp) == '[') {
		aot = 1;
		tp->pos++;
	}
	if (toml_parse_key(tp, &n))
		goto out;
	if (toml_peek(tp) != ']' || (aot && toml_at(tp, tp->pos + 1) != ']')) {
		toml_unexpected(tp, tp->pos, aot ? "']]'" : "']'");
		goto out;
	}
	tp->pos += aot ? 2 : 1;

	for (i = 0; i + 1 < n; i++) {
		k = &tp->keys[first + i];
		next = toml_key_get(tp, t, k);
		if (!next) {
			next = toml_table_new(tp, TOML_IMPLICIT);
			if (!next || toml_key_set(tp, t, k, next))
				goto out;
			t = next;
			level++;
			continue;
		}
		kind = toml_kind_of(tp, next);
		if (kind & TOML_AOT) {
			next = json_array_get(next, json_array_size(next) - 1);
			level++;
		} else if (kind & (TOML_INLINE | TOML_STATIC | TOML_VALUE)) {
			toml_key_name(tp, first, first + i, name, sizeof(name));
			if (kind & TOML_INLINE)
				toml_fail(tp, k->pos, "inline table '%s' cannot be extended", name);
			else if (kind & TOML_STATIC)
				toml_fail(tp, k->pos, "'%s' is an array value and cannot hold tables",
					  name);
			else
				toml_fail(tp, k->pos, "key '%s' is already defined and is not a table",
					  name);
			goto out;
		}
		t = next;
		level++;
	}
	level += aot ? 2 : 1;
	if (toml_check_depth(tp, level))
		goto out;

	k = &tp->keys[first + n - 1];
	next = toml_key_get(tp, t, k);
	kind = next ? toml_kind_of(tp, next) : 0;
	if (aot) {
		if (!next) {
			next = json_array();
			if (!next) {
				toml_fail_oom(tp);
				goto out;
			}
			toml_marks_set(&tp->marks, next, TOML_AOT);
			if (toml_key_set(tp, t, k, next))
				goto out;
		} else if (!(kind & TOML_AOT)) {
			toml_key_name(tp, first, first + n - 1, name, sizeof(name));
			if (kind & TOML_STATIC)
				toml_fail(tp, k->pos, "cannot append a table to array value '%s'", name);
			else if (kind & TOML_VALUE)
				toml_fail(tp, k->pos, "key '%s' is already defined", name);
			else
				toml_fail(tp, k->pos, "'%s' is already defined as a table", name);
			goto out;
		}
		table = toml_table_new(tp, TOML_DEFINED);
		if (!table)
			goto out;
		if (json_array_append_new(next, table)) {
			toml_fail_oom(tp);
			goto out;
		}
	} else if (!next) {
		table = toml_table_new(tp, TOML_DEFINED);
		if (!table || toml_key_set(tp, t, k, table))
			goto out;
	} else if (kind == TOML_IMPLICIT) {
		table = next;
		toml_marks_set(&tp->marks, table, TOML_DEFINED);
	} else {
		toml_key_name(tp, first, first + n - 1, name, sizeof(name));
		if (kind & TOML_DEFINED)
			toml_fail(tp, k->pos, "table '%s' is already defined", name);
		else if (kind & TOML_DOTTED)
			toml_fail(tp, k->pos, "table '%s' is already defined by dotted keys", name);
		else if (kind & TOML_INLINE)
			toml_fail(tp, k->pos, "table '%s' is already defined as an inline table", name);
		else if (kind & TOML_AOT)
			toml_fail(tp, k->pos, "'%s' is already defined as an array of tables", name);
		else
			toml_fail(tp, k->pos, "key '%s' is already defined", name);
		goto out;
	}
	*current = table;
	*depth = level;
	ret = 0;
out:
	toml_pop_keys(tp, first);
	return ret;
}

int toml_parse(const char *buf, size_t len, unsigned flags, json_t **out,
	       struct toml_error *err)
{
	struct toml_parser tp = { 0 };
	json_t *current;
	size_t bad;
	int depth = 0, ret = -1;

	*out = NULL;
	tp.buf = buf;
	tp.len = len;
	tp.flags = flags;
	strbuf_init(&tp.sb, 0);
	strbuf_init(&tp.keybuf, 0);

	if (!utf8_valid(buf, len, &bad)) {
		toml_fail(&tp, bad, "invalid utf-8");
		goto out;
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		tp.pos = 3;
	tp.root = toml_table_new(&tp, TOML_DEFINED);
	if (!tp.root)
		goto out;
	current = tp.root;
	for (;;) {
		int c;

		toml_skip_ws(&tp);
		if (tp.pos >= tp.len)
			break;
		c = toml_peek(&tp);
		if (c == '[') {
			if (toml_parse_header(&tp, &current, &depth))
				goto out;
		} else if (c != '#' && c != '\n' && c != '\r') {
			if (toml_parse_keyval(&tp, current, depth))
				goto out;
		}
		if (toml_expect_eol(&tp))
			goto out;
	}
	*out = tp.root;
	tp.root = NULL;
	ret = 0;
out:
	if (ret && err) {
		toml_locate(buf, len, tp.err_pos, &err->line, &err->column);
		memcpy(err->message, tp.message, sizeof(err->message));
	}
	json_decref(tp.root);
	strbuf_release(&tp.sb);
	strbuf_release(&tp.keybuf);
	free(tp.keys);
	free(tp.marks.slot);
	return ret;
}
