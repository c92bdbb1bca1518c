#ifndef HERALD_BASE64_H
#define HERALD_BASE64_H

#include <stddef.h>

#include "herald/strbuf.h"

/*
 * Standard base64 (RFC 4648 section 4, alphabet A-Z a-z 0-9 + /) through
 * OpenSSL's EVP_EncodeBlock and EVP_DecodeBlock. OpenSSL's decoder alone is
 * too lenient for text from configs and files (it skips whitespace, takes
 * '=' inside a group as zero bits and counts padding as decoded bytes), so
 * the input is checked here first and the padding subtracted.
 */

/* Appends the padded base64 of p[0..len) to out. */
void base64_encode(struct strbuf *out, const void *p, size_t len);

enum base64_padding {
	/* exactly the '=' that round the text up to a multiple of 4 */
	BASE64_PADDED,
	/* any number of trailing '=', including none */
	BASE64_PAD_OPTIONAL,
};

/* The most bytes base64_decode() can write for `len` characters. */
#define BASE64_DECODED_MAX(len) ((len) / 4 * 3 + 3)

/*
 * Decodes s[0..len) into out, which has room for BASE64_DECODED_MAX(len)
 * bytes. Only the alphabet and trailing padding are accepted: no
 * whitespace, no line breaks. Returns the number of bytes written (0 for
 * empty text), or -1 when the text is not base64 (nothing said: callers
 * name what was wrong). The caller owns `out`; no copy of the decoded bytes
 * is left anywhere else (keys are decoded with it).
 */
long base64_decode(const char *s, size_t len, enum base64_padding pad, unsigned char *out);

#endif
