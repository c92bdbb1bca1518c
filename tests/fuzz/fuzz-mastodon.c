/*
 * libFuzzer target for Mastodon's text rules (herald/mastodon.h): a post's
 * title, summary and tags are anyone's text. The first two bytes are the
 * limit (0 to 1023), the rest the status. Whatever the text, a fitted
 * status is within the limit as mastodon_count() measures it, a text that
 * fits is left alone, valid UTF-8 stays valid, and a hashtag of the text
 * is '#' and word characters only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/mastodon.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT, tag = STRBUF_INIT;
	size_t limit, before;
	char *text;
	int rc, valid;

	if (size < 2)
		return 0;
	limit = ((size_t)data[0] << 8 | data[1]) & 1023;
	/* exactly its size, so a read past the end is caught */
	text = malloc(size - 2 ? size - 2 : 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, size - 2);
	before = mastodon_count(text, size - 2);
	valid = utf8_valid(text, size - 2, NULL);
	strbuf_add(&sb, text, size - 2);
	rc = mastodon_fit(&sb, limit);
	if (rc == 0 && (before > limit || sb.len != size - 2 || memcmp(sb.buf, text, sb.len)))
		abort();
	if (rc == 1 && mastodon_count(sb.buf, sb.len) > limit)
		abort();
	if (rc == 1 && valid && !utf8_valid(sb.buf, sb.len, NULL))
		abort();
	if (rc < 0 && before <= limit)
		abort();
	if (!memchr(text, '\0', size - 2)) {
		char *z = xstrndup(text, size - 2); /* a tag is a C string */
		if (mastodon_hashtag(&tag, z) && (tag.buf[0] != '#' || strchr(tag.buf, ' ') ||
						  strchr(tag.buf + 1, '#')))
			abort();
		free(z);
	}
	strbuf_release(&sb);
	strbuf_release(&tag);
	free(text);
	return 0;
}
