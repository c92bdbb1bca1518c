/*
 * libFuzzer target for markdown_render(): every format, first without a
 * limit, then with a max_chars taken from the first input byte (1..64, so
 * cuts land inside the short inputs the fuzzer makes). Each output must be
 * valid UTF-8, nothing may be appended on failure, and a capped TEXT
 * render must hold at most max_chars code points.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "herald/markdown.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null;

	(void)argc;
	(void)argv;
	/* See fuzz-frontmatter.c: keeps error() quiet, not the sanitizers. */
	if (!getenv("HERALD_FUZZ_VERBOSE") && (null = fopen("/dev/null", "w")))
		stderr = null;
	return 0;
}

static size_t count_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static void render(const char *md, size_t len, enum markdown_format fmt,
		   size_t max_chars)
{
	struct strbuf out = STRBUF_INIT;

	/* A prefix proves the renderer appends and never rewrites. */
	strbuf_addstr(&out, "x");
	if (markdown_render(md, len, fmt, max_chars, &out) < 0) {
		if (out.len != 1)
			abort();
	} else {
		if (out.buf[0] != 'x' || !utf8_valid(out.buf, out.len, NULL))
			abort();
		if (max_chars && fmt == MARKDOWN_TEXT &&
		    count_chars(out.buf + 1, out.len - 1) > max_chars)
			abort();
	}
	strbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum markdown_format formats[] = {
		MARKDOWN_HTML,	   MARKDOWN_TEXT,   MARKDOWN_SLACK,
		MARKDOWN_TELEGRAM, MARKDOWN_MATRIX, MARKDOWN_COMMONMARK,
	};
	size_t max_chars = size ? 1 + data[0] % 64 : 1;

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		render(size ? (const char *)data : NULL, size, formats[i], 0);
		render(size ? (const char *)data : NULL, size, formats[i],
		       max_chars);
	}
	return 0;
}
