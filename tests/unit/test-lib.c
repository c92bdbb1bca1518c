/*
 * The small helpers of src/lib that several modules share: base64 on
 * OpenSSL, the duration parser git config values go through, and the UTF-8
 * module on utf8proc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/base64.h"
#include "herald/duration.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
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

int main(void)
{
	test_base64();
	test_duration();
	return done_testing();
}
