/*
 * libFuzzer target for the bluesky kind's text: any bytes (made valid
 * UTF-8, as every text herald posts is) fitted with bluesky_fit() must be
 * within 300 graphemes and 3000 bytes and unchanged when they already
 * were, and every facet bluesky_facets() finds must lie inside the text,
 * on character boundaries, start with http(s):// and not overlap the next.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "herald/bluesky.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Is s[at] the start of a character (not a continuation byte)? */
static int boundary(const char *s, size_t len, size_t at)
{
	return at == len || ((unsigned char)s[at] & 0xc0) != 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	const char *in = (const char *)data;
	size_t pos = 0, n, i, last = 0, before;
	int cp, fits;
	json_t *facets, *f;

	/* valid UTF-8: every bad byte becomes U+FFFD */
	while (pos < size) {
		n = utf8_decode(in + pos, size - pos, &cp);
		if (!n) {
			strbuf_addstr(&sb, "\xef\xbf\xbd");
			pos++;
		} else {
			strbuf_add(&sb, in + pos, n);
			pos += n;
		}
	}
	before = sb.len;
	fits = sb.len <= BLUESKY_TEXT_BYTES &&
	       utf8_graphemes(sb.buf, sb.len) <= BLUESKY_TEXT_GRAPHEMES;
	bluesky_fit(&sb);
	if (sb.len > BLUESKY_TEXT_BYTES || utf8_graphemes(sb.buf, sb.len) > BLUESKY_TEXT_GRAPHEMES ||
	    (fits && sb.len != before) || !utf8_valid(sb.buf, sb.len, NULL))
		abort();
	facets = bluesky_facets(sb.buf, sb.len);
	json_array_foreach(facets, i, f) {
		json_t *ix = json_object_get(f, "index");
		json_int_t s = json_integer_value(json_object_get(ix, "byteStart"));
		json_int_t e = json_integer_value(json_object_get(ix, "byteEnd"));
		if (s < (json_int_t)last || e <= s || (size_t)e > sb.len ||
		    !boundary(sb.buf, sb.len, (size_t)s) || !boundary(sb.buf, sb.len, (size_t)e) ||
		    (strncasecmp(sb.buf + s, "http://", 7) && strncasecmp(sb.buf + s, "https://", 8)))
			abort();
		last = (size_t)e;
	}
	json_decref(facets);
	strbuf_release(&sb);
	return 0;
}
