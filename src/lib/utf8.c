#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "herald/utf8.h"
#include "herald/banned.h"

#define ELLIPSIS "\xe2\x80\xa6"

size_t utf8_decode(const char *s, size_t len, int *cp)
{
	utf8proc_int32_t c = -1;
	utf8proc_ssize_t n;

	if (!len) {
		*cp = -1;
		return 0;
	}
	/* utf8proc reads at most 4 bytes, and rejects overlongs and surrogates */
	n = utf8proc_iterate((const utf8proc_uint8_t *)s,
			     (utf8proc_ssize_t)(len < 4 ? len : 4), &c);
	if (n <= 0 || c < 0) {
		*cp = -1;
		return 0;
	}
	*cp = (int)c;
	return (size_t)n;
}

size_t utf8_char_len(const char *s, size_t len)
{
	int cp;
	size_t n;

	if (!len)
		return 0;
	n = utf8_decode(s, len, &cp);
	return n ? n : 1;
}

/* How many steps of `step` (a character, a grapheme) s[0..len) holds. */
static size_t count_steps(const char *s, size_t len, size_t (*step)(const char *, size_t))
{
	size_t i = 0, n = 0;

	while (i < len) {
		i += step(s + i, len - i);
		n++;
	}
	return n;
}

size_t utf8_count(const char *s, size_t len)
{
	return count_steps(s, len, utf8_char_len);
}

int utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0, n;
	int cp;

	while (i < len) {
		uint64_t eight;

		/* ASCII, the most of every text, eight bytes at a time */
		if (len - i >= 8 && (memcpy(&eight, s + i, 8), !(eight & 0x8080808080808080ULL))) {
			i += 8;
			continue;
		}
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (!n) {
			if (bad)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

void utf8_encode(struct strbuf *out, int cp)
{
	utf8proc_uint8_t u[4];
	utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp, u);

	strbuf_add(out, u, (size_t)n);
}

size_t utf8_trim_partial(const char *s, size_t len)
{
	size_t i, need;

	/* the start of the last character, at most 3 bytes back */
	for (i = len; i && len - i < 4; i--) {
		need = (size_t)utf8proc_utf8class[(unsigned char)s[i - 1]];
		if (!need)
			continue; /* a continuation byte */
		return len - (i - 1) < need ? i - 1 : len;
	}
	return len;
}

size_t utf8_units16(const char *s, size_t len)
{
	size_t i = 0, n = 0, k;
	int cp;

	while (i < len) {
		k = utf8_decode(s + i, len - i, &cp);
		n += k && cp >= 0x10000 ? 2 : 1;
		i += k ? k : 1;
	}
	return n;
}

size_t utf8_graphemes(const char *s, size_t len)
{
	return count_steps(s, len, utf8_grapheme_len);
}

size_t utf8_grapheme_len(const char *s, size_t len)
{
	utf8proc_int32_t state = 0;
	size_t i, n;
	int prev, cp;

	if (!len)
		return 0;
	n = utf8_decode(s, len, &prev);
	if (!n)
		return 1; /* an invalid byte stands alone */
	for (i = n; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (!n || utf8proc_grapheme_break_stateful(prev, cp, &state))
			break;
		prev = cp;
	}
	return i;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t i = 0, n;

	if (len <= max)
		return len;
	while (i < len) {
		n = utf8_grapheme_len(s + i, len - i);
		if (i + n > max)
			break;
		i += n;
	}
	return i;
}

/* Columns of one grapheme cluster: those of its widest code point, at least 1. */
static size_t cluster_width(const char *s, size_t len)
{
	size_t i = 0, n, w = 0;
	int cp, cw;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (!n)
			return 1;
		cw = utf8proc_charwidth(cp);
		/*
		 * An emoji presentation selector makes a narrow symbol wide;
		 * a flag (two regional indicators) takes two columns.
		 */
		if (cp == 0xfe0f || (cp >= 0x1f1e6 && cp <= 0x1f1ff))
			cw = 2;
		if (cw > 0 && (size_t)cw > w)
			w = (size_t)cw;
		i += n;
	}
	return w ? w : 1;
}

size_t utf8_width(const char *s, size_t len)
{
	size_t i = 0, n, w = 0;

	while (i < len) {
		n = utf8_grapheme_len(s + i, len - i);
		w += cluster_width(s + i, n);
		i += n;
	}
	return w;
}

void utf8_add_columns(struct strbuf *out, const char *s, size_t cols, int pad)
{
	size_t len = strlen(s), i = 0, used = 0, keep = 0, keep_cols = 0, n, w;

	if (utf8_width(s, len) <= cols) {
		strbuf_add(out, s, len);
		used = utf8_width(s, len);
	} else if (cols) {
		/* room for the ellipsis, one column */
		while (i < len) {
			n = utf8_grapheme_len(s + i, len - i);
			w = cluster_width(s + i, n);
			if (keep_cols + w > cols - 1)
				break;
			keep_cols += w;
			i += n;
			keep = i;
		}
		strbuf_add(out, s, keep);
		strbuf_addstr(out, ELLIPSIS);
		used = keep_cols + 1;
	}
	if (pad && used < cols)
		strbuf_addchars(out, ' ', cols - used);
}
