#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "herald/slug.h"
#include "herald/banned.h"

/* The next code point of s (advancing *i), or -1 for a bad byte. */
static utf8proc_int32_t next_cp(const char *s, size_t *i)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	/* ASCII, most of any title, without a call into utf8proc */
	if ((unsigned char)s[*i] < 0x80)
		return (unsigned char)s[(*i)++];
	n = utf8proc_iterate((const utf8proc_uint8_t *)s + *i, -1, &cp);

	if (n <= 0) {
		(*i)++;
		return -1;
	}
	*i += (size_t)n;
	return cp;
}

static void add_cp(struct strbuf *out, utf8proc_int32_t cp)
{
	utf8proc_uint8_t buf[4];
	utf8proc_ssize_t n;

	if (cp >= 0 && cp < 0x80) {
		strbuf_addch(out, (int)cp);
		return;
	}
	n = utf8proc_encode_char(cp, buf);
	strbuf_add(out, buf, (size_t)n);
}

static int is_letter_mark_digit(utf8proc_int32_t cp)
{
	/* in ASCII, the letters (Lu, Ll) and the digits (Nd) only */
	if (cp >= 0 && cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		       (cp >= '0' && cp <= '9');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
		return 1;
	default:
		return 0;
	}
}

static int is_space(utf8proc_int32_t cp)
{
	if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xa0)
		return 1;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
		return 1;
	default:
		return 0;
	}
}

void slug_jekyll(struct strbuf *out, const char *s, enum slug_mode mode, int cased)
{
	size_t i = 0, start = out->len;
	int in_run = 0;

	while (s[i]) {
		utf8proc_int32_t cp = next_cp(s, &i);
		int keep;

		if (mode == SLUG_JEKYLL_RAW)
			keep = cp >= 0 && !is_space(cp);
		else
			keep = cp >= 0 && (is_letter_mark_digit(cp) ||
					   (mode == SLUG_JEKYLL_PRETTY && cp < 128 &&
					    strchr("._~!$&'()+,;=@", (int)cp)));
		if (!keep) {
			if (!in_run)
				strbuf_addch(out, '-');
			in_run = 1;
			continue;
		}
		in_run = 0;
		add_cp(out, cased ? cp : utf8proc_tolower(cp));
	}
	/* Jekyll's gsub(/^-|-$/): one hyphen at each end */
	if (out->len > start && out->buf[out->len - 1] == '-')
		strbuf_setlen(out, out->len - 1);
	if (out->len > start && out->buf[start] == '-') {
		memmove(out->buf + start, out->buf + start + 1, out->len - start - 1);
		strbuf_setlen(out, out->len - 1);
	}
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void slug_hugo(struct strbuf *out, const char *s, int lower)
{
	size_t i = 0;
	int was_hyphen = 0;

	while (s[i]) {
		size_t at = i;
		utf8proc_int32_t cp = next_cp(s, &i);
		int allowed = cp >= 0 && (is_letter_mark_digit(cp) ||
					  (cp < 128 && strchr("./\\_#+~-", (int)cp)));

		if (cp == '%' && is_hex(s[at + 1]) && is_hex(s[at + 2]))
			allowed = 1;
		if (allowed) {
			was_hyphen = cp == '-';
			add_cp(out, lower ? utf8proc_tolower(cp) : cp);
		} else if (cp >= 0 && !was_hyphen && is_space(cp)) {
			strbuf_addch(out, '-');
			was_hyphen = 1;
		}
	}
}

void slug_zola(struct strbuf *out, const char *s)
{
	utf8proc_uint8_t *plain = NULL;
	const char *t = s;
	size_t i = 0, start = out->len;
	int pending = 0;

	/* accents off: decompose, drop the marks */
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &plain,
			 UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK) >= 0)
		t = (const char *)plain;
	while (t[i]) {
		utf8proc_int32_t cp = next_cp(t, &i);
		int keep = cp >= 0 && (cp >= 128 ? is_letter_mark_digit(cp)
					: ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
					   (cp >= '0' && cp <= '9')));
		if (!keep) {
			pending = 1;
			continue;
		}
		if (pending && out->len > start)
			strbuf_addch(out, '-');
		pending = 0;
		add_cp(out, utf8proc_tolower(cp));
	}
	free(plain);
}

void slug_lower(struct strbuf *out, const char *s)
{
	size_t i = 0;

	while (s[i]) {
		size_t at = i;
		utf8proc_int32_t cp = next_cp(s, &i);
		if (cp < 0)
			strbuf_addch(out, s[at]);
		else
			add_cp(out, utf8proc_tolower(cp));
	}
}

void slug_url_escape(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@/", c) ||
		    (c == '%' && is_hex((char)p[1]) && is_hex((char)p[2]))) {
			strbuf_addch(out, c);
			continue;
		}
		strbuf_addch(out, '%');
		strbuf_addch(out, hex[c >> 4]);
		strbuf_addch(out, hex[c & 15]);
	}
}
