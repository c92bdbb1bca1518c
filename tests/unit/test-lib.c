/*
 * The small helpers of src/lib that several modules share: base64 on
 * OpenSSL, the duration parser git config values go through, and the UTF-8
 * module on utf8proc, the JSON value helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/base64.h"
#include "herald/duration.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "tap.h"
#include "herald/banned.h"

/* RFC 4648 section 10, and bytes that use '+' and '/'. */
static const struct {
	const char *bytes;
	size_t len;
	const char *text;
} b64_vectors[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg==" },
	{ "fo", 2, "Zm8=" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg==" },
	{ "fooba", 5, "Zm9vYmE=" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\xfb\xff\xbf", 3, "+/+/" },
	{ "\0\0\0\0", 4, "AAAAAA==" },
};

static void test_base64(void)
{
	unsigned char out[64];
	size_t i;
	long n;

	for (i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		const char *t = b64_vectors[i].text;

		base64_encode(&sb, b64_vectors[i].bytes, b64_vectors[i].len);
		is_str(sb.buf, t, "encode '%s'", t);
		ok(sb.len == strlen(t), "encode '%s': length %zu", t, sb.len);
		n = base64_decode(t, strlen(t), BASE64_PADDED, out);
		ok(n == (long)b64_vectors[i].len && !memcmp(out, b64_vectors[i].bytes, (size_t)n),
		   "decode padded '%s' (%ld bytes)", t, n);
		n = base64_decode(t, strcspn(t, "="), BASE64_PAD_OPTIONAL, out);
		ok(n == (long)b64_vectors[i].len && !memcmp(out, b64_vectors[i].bytes, (size_t)n),
		   "decode '%.*s' without its padding (%ld bytes)", (int)strcspn(t, "="), t, n);
		strbuf_release(&sb);
	}

	/* appends, and long input goes through in chunks */
	{
		struct strbuf sb = STRBUF_INIT;
		static unsigned char big[100000];
		unsigned char *back = xmalloc(BASE64_DECODED_MAX(140000));

		for (i = 0; i < sizeof(big); i++)
			big[i] = (unsigned char)(i * 7 + i / 251);
		strbuf_addstr(&sb, "x:");
		base64_encode(&sb, big, sizeof(big));
		ok(sb.len == 2 + (sizeof(big) + 2) / 3 * 4 && !strncmp(sb.buf, "x:", 2),
		   "encode appends, %zu bytes in %zu characters", sizeof(big), sb.len - 2);
		n = base64_decode(sb.buf + 2, sb.len - 2, BASE64_PADDED, back);
		ok(n == (long)sizeof(big) && !memcmp(back, big, sizeof(big)), "and decodes back");
		free(back);
		strbuf_release(&sb);
	}

	/* refused where OpenSSL alone would take it */
	{
		static const struct {
			const char *text;
			enum base64_padding pad;
			const char *why;
		} bad[] = {
			{ "Zm9v YmFy", BASE64_PADDED, "a space" },
			{ " Zm9v", BASE64_PAD_OPTIONAL, "leading whitespace" },
			{ "Zm9v\n", BASE64_PAD_OPTIONAL, "a trailing newline" },
			{ "Zm=v", BASE64_PADDED, "'=' inside a group" },
			{ "Zm=vYmFy", BASE64_PAD_OPTIONAL, "'=' before the end" },
			{ "Zg", BASE64_PADDED, "padding missing" },
			{ "Zg=", BASE64_PADDED, "padding short" },
			{ "Z===", BASE64_PADDED, "three '='" },
			{ "Zm9vY", BASE64_PAD_OPTIONAL, "one character over a group" },
			{ "Zm9vY===", BASE64_PAD_OPTIONAL, "one character over a group, padded" },
			{ "Zm9v-_", BASE64_PAD_OPTIONAL, "the url alphabet" },
			{ "Zm9v\xc3\xa9", BASE64_PAD_OPTIONAL, "non-ASCII" },
		};
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ok(base64_decode(bad[i].text, strlen(bad[i].text), bad[i].pad, out) < 0,
			   "refused: %s", bad[i].why);
	}
	ok(base64_decode("Zm8====", 7, BASE64_PAD_OPTIONAL, out) == 2,
	   "optional padding: any number of trailing '='");
	ok(base64_decode("Zm9v\0Zm9v", 9, BASE64_PAD_OPTIONAL, out) < 0, "an embedded NUL is refused");
	ok(base64_decode("", 0, BASE64_PAD_OPTIONAL, out) == 0, "empty text is no bytes");
	ok(base64_decode("====", 4, BASE64_PAD_OPTIONAL, out) == 0, "only padding is no bytes");
}

static void test_duration(void)
{
	static const struct {
		const char *text;
		long long want;
	} good[] = {
		{ "0", 0 }, { "90", 90 }, { "90s", 90 }, { "15m", 900 }, { "1h", 3600 },
		{ "2d", 172800 }, { "007", 7 },
	};
	static const char *const bad[] = {
		"", "m", "-5", "+5", " 5", "5 ", "1.5h", "10x", "10mm", "1h30m", "1w",
		"99999999999999999999", "9999999999999999d",
	};
	static const struct {
		long long s;
		const char *want;
	} text[] = {
		{ 0, "0s" }, { 45, "45s" }, { 60, "1m" }, { 5400, "90m" }, { 3600, "1h" },
		{ 7200, "2h" }, { 86400, "1d" }, { 90000, "25h" }, { 61, "61s" },
	};
	char buf[32];
	long long v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		ok(!duration_parse(good[i].text, &v) && v == good[i].want, "duration '%s' is %lld s (got %lld)",
		   good[i].text, good[i].want, v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(duration_parse(bad[i], &v) < 0, "duration '%s' is refused", bad[i]);
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		duration_format(text[i].s, buf, sizeof(buf));
		ok(!strcmp(buf, text[i].want), "%lld s is written '%s' (got '%s')", text[i].s,
		   text[i].want, buf);
		ok(!duration_parse(buf, &v) && v == text[i].s, "and '%s' reads back", buf);
	}
}

/* e + U+0301, a flag, a family joined with U+200D, and a CJK character. */
#define E_ACUTE "e\xcc\x81"
#define FLAG "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7"
#define FAMILY "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"
#define KANJI "\xe6\xbc\xa2"

static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t len, chars, graphemes, units16, width;
		int valid;
	} t[] = {
		{ "", 0, 0, 0, 0, 0, 1 },
		{ "abc", 3, 3, 3, 3, 3, 1 },
		{ E_ACUTE, 3, 2, 1, 2, 1, 1 },
		{ FLAG, 8, 2, 1, 4, 2, 1 },
		{ FAMILY, 18, 5, 1, 8, 2, 1 },
		{ KANJI KANJI, 6, 2, 2, 2, 4, 1 },
		{ "a\xff" "b", 3, 3, 3, 3, 3, 0 },
		{ "\xc0\xaf", 2, 2, 2, 2, 2, 0 },         /* overlong '/' */
		{ "\xed\xa0\x80", 3, 3, 3, 3, 3, 0 },     /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, 4, 4, 4, 4, 0 }, /* past U+10FFFF */
		{ KANJI, 2, 2, 2, 2, 2, 0 },             /* cut short */
	};
	struct strbuf sb = STRBUF_INIT;
	size_t i, bad;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *s = t[i].s;
		size_t len = t[i].len;

		ok(utf8_count(s, len) == t[i].chars, "case %zu: %zu code points (got %zu)", i,
		   t[i].chars, utf8_count(s, len));
		ok(utf8_graphemes(s, len) == t[i].graphemes, "case %zu: %zu graphemes (got %zu)", i,
		   t[i].graphemes, utf8_graphemes(s, len));
		ok(utf8_units16(s, len) == t[i].units16, "case %zu: %zu UTF-16 units (got %zu)", i,
		   t[i].units16, utf8_units16(s, len));
		ok(utf8_width(s, len) == t[i].width, "case %zu: %zu columns (got %zu)", i,
		   t[i].width, utf8_width(s, len));
		ok(utf8_valid(s, len, NULL) == t[i].valid, "case %zu: %svalid", i,
		   t[i].valid ? "" : "in");
	}
	ok(!utf8_valid("ok\xe6\xbc", 4, &bad) && bad == 2, "the first bad byte's offset");
	ok(!utf8_valid("0123456789abc\xff", 14, &bad) && bad == 13 &&
	   !utf8_valid("0123456789abcdef\xc3\xa9 01234567\xe6\xbc", 29, &bad) && bad == 27 &&
	   utf8_valid("0123456789abcdef\xc3\xa9 01234567", 27, NULL),
	   "long ASCII runs before and after a bad byte");

	/* encoding, one per length */
	{
		static const int cps[] = { 0x24, 0xa2, 0x20ac, 0x10348, 0x10ffff };
		for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
			int cp = -1;
			size_t n;

			strbuf_reset(&sb);
			utf8_encode(&sb, cps[i]);
			n = utf8_decode(sb.buf, sb.len, &cp);
			ok(n == sb.len && sb.len == (size_t)(i < 4 ? i + 1 : 4) && cp == cps[i],
			   "U+%04X encodes in %zu bytes and decodes back", (unsigned)cps[i], sb.len);
		}
	}

	/* a buffer that ended inside a character */
	{
		static const struct {
			const char *s;
			size_t len, want;
		} p[] = {
			{ "ab", 2, 2 }, { "a" KANJI, 4, 4 }, { "a" KANJI, 3, 1 }, { "a" KANJI, 2, 1 },
			{ "a\xf0\x9f\x87\xab", 5, 5 }, { "a\xf0\x9f\x87", 4, 1 }, { "a\xf0", 2, 1 },
			{ "\x80\x80\x80\x80", 4, 4 }, { "", 0, 0 },
		};
		for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
			ok(utf8_trim_partial(p[i].s, p[i].len) == p[i].want,
			   "trim_partial case %zu: %zu bytes (got %zu)", i, p[i].want,
			   utf8_trim_partial(p[i].s, p[i].len));
	}

	/* cuts fall between graphemes, never inside one */
	ok(utf8_cut("a" E_ACUTE "b", 5, 3) == 1, "a cut never separates e from its accent");
	ok(utf8_cut("a" E_ACUTE "b", 5, 4) == 4, "the accented e fits whole");
	ok(utf8_cut(FAMILY "x", 19, 17) == 0, "a joined family is one unit");
	ok(utf8_cut(KANJI KANJI, 6, 5) == 3, "a CJK character is not cut");
	ok(utf8_cut("abc", 3, 10) == 3, "short text is kept");

	/* aligned columns, as 'herald scan' and 'herald outbox list' print them */
	strbuf_reset(&sb);
	utf8_add_columns(&sb, KANJI KANJI KANJI, 5, 1);
	ok(!strcmp(sb.buf, KANJI KANJI "\xe2\x80\xa6"), "wide text cut to 5 columns with an ellipsis");
	strbuf_reset(&sb);
	utf8_add_columns(&sb, KANJI, 5, 1);
	ok(!strcmp(sb.buf, KANJI "   "), "padded to 5 columns: 2 + 3 spaces");
	strbuf_reset(&sb);
	utf8_add_columns(&sb, "caf" E_ACUTE "s and more", 5, 0);
	ok(!strcmp(sb.buf, "caf" E_ACUTE "\xe2\x80\xa6"), "a combining accent takes no column");

	/* what a terminal must not act on */
	strbuf_reset(&sb);
	strbuf_add_printable(&sb, "a\x1b[2J\xc2\x9b\xe2\x80\xae" KANJI "\xe2\x81\xa9\n\xff", 18);
	ok(!strcmp(sb.buf, "a\\x1b[2J\\u009b\\u202e" KANJI "\\u2069\\n\xef\xbf\xbd"),
	   "printable: C0, C1 and bidi controls escaped, bad bytes replaced (%s)", sb.buf);
	strbuf_release(&sb);
}

/* value_compact prints what json_dumps(JSON_COMPACT | JSON_SORT_KEYS) prints. */
static void test_value_compact(void)
{
	static const char *const texts[] = {
		"{}", "[]", "null", "true", "-12", "0", "9223372036854775807", "1.5", "1e300", "0.1",
		"-2.5e-10", "3.0", "\"\"",
		"\"q\\\" b\\\\ / \\b\\f\\n\\r\\t \\u0000 \\u0001\\u001f\\u007f \\u00e9 \\ud83d\\ude00\"",
		"{\"b\": 1, \"a\": [1, {\"d\": [], \"c\": {}}], \"\": null, \"aa\": \"x\", "
		"\"a b\": true, \"\\u00e9\": 1, \"Z\": 2, \"key \\\"q\\\"\\n\": [[], [[]], {}]}",
		"[\"x\", 2, 2.25, false, {\"k\": {\"k\": {\"k\": [null]}}}]",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		json_t *v = json_loads(texts[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		char *want = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
		struct strbuf sb = STRBUF_INIT;
		int rc = v ? value_compact(&sb, v) : -1;

		ok(want && !rc && !strcmp(sb.buf, want), "value_compact prints %s as jansson does",
		   texts[i]);
		free(want);
		strbuf_release(&sb);
		json_decref(v);
	}
}

int main(void)
{
	test_base64();
	test_duration();
	test_utf8();
	test_value_compact();
	return done_testing();
}
