#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "herald/base64.h"
#include "herald/banned.h"

/* Input per EVP_EncodeBlock call: a multiple of 3, well inside an int. */
#define ENCODE_CHUNK (3 * 16384)

void base64_encode(struct strbuf *out, const void *p, size_t len)
{
	const unsigned char *in = p;

	while (len) {
		size_t n = len < ENCODE_CHUNK ? len : ENCODE_CHUNK;
		size_t at = out->len;
		int w;

		/* room for the text; the strbuf's own NUL takes EVP's */
		strbuf_addchars(out, '=', (n + 2) / 3 * 4);
		w = EVP_EncodeBlock((unsigned char *)out->buf + at, in, (int)n);
		strbuf_setlen(out, at + (size_t)w);
		in += n;
		len -= n;
	}
}

static int is_alphabet(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

long base64_decode(const char *s, size_t len, enum base64_padding pad, unsigned char *out)
{
	unsigned char tail_in[4], tail_out[3];
	size_t i, whole, rest, pads = 0;
	long n = 0;
	int w;

	if (pad == BASE64_PADDED) {
		if (len % 4)
			return -1;
		while (pads < 2 && pads < len && s[len - 1 - pads] == '=')
			pads++;
		len -= pads;
	} else {
		while (len && s[len - 1] == '=')
			len--;
	}
	if (len % 4 == 1 || len > (size_t)INT_MAX)
		return -1;
	for (i = 0; i < len; i++)
		if (!is_alphabet((unsigned char)s[i]))
			return -1;

	whole = len / 4 * 4;
	rest = len - whole;
	if (whole) {
		w = EVP_DecodeBlock(out, (const unsigned char *)s, (int)whole);
		if (w < 0)
			return -1;
		n = w;
	}
	if (rest) {
		/* the last 2 or 3 characters: padded, decoded, the zero bytes dropped */
		memcpy(tail_in, s + whole, rest);
		memset(tail_in + rest, '=', 4 - rest);
		w = EVP_DecodeBlock(tail_out, tail_in, 4);
		if (w >= 0)
			memcpy(out + n, tail_out, rest - 1);
		OPENSSL_cleanse(tail_in, sizeof(tail_in));
		OPENSSL_cleanse(tail_out, sizeof(tail_out));
		if (w < 0)
			return -1;
		n += (long)rest - 1;
	}
	return n;
}
