/*
 * libFuzzer target for toml_parse(), in plain and TOML_TAGGED modes. The
 * input is copied to a buffer of exactly its size, so reading past `len`
 * is caught by AddressSanitizer; both modes must agree on success, and a
 * failure must say where and why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/toml.h"

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

static int parse(const char *buf, size_t len, unsigned flags)
{
	struct toml_error err;
	json_t *out = (json_t *)1;
	char *dump;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = toml_parse(buf, len, flags, &out, &err);
	if (ret == 0) {
		if (!json_is_object(out))
			abort();
		/* Every value made must be one jansson can write out. */
		dump = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
		if (!dump)
			abort();
		free(dump);
		json_decref(out);
	} else if (ret == -1) {
		if (out || err.line < 1 || err.column < 1 || !err.message[0] ||
		    !memchr(err.message, '\0', sizeof(err.message)))
			abort();
	} else {
		abort();
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (parse(buf, size, 0) != parse(buf, size, TOML_TAGGED))
		abort();
	/* NULL with no bytes is what an empty blob hands over. */
	if (!size)
		parse(NULL, 0, 0);
	free(buf);
	return 0;
}
