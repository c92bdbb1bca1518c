/*
 * libFuzzer target for frontmatter_parse(): the input is a whole post file,
 * so YAML (---), TOML (+++) and JSON ({) front matter are all reached from
 * the first bytes. Every problem recorded must carry a message, and a
 * successful read must leave an object and a body offset inside the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "herald/frontmatter.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null;

	(void)argc;
	(void)argv;
	/*
	 * error() writes every rejected input to stderr through stdio. The
	 * sanitizers and libFuzzer (which took its copy of stderr before
	 * this runs) write to fd 2 directly, so only herald's chatter goes.
	 */
	if (!getenv("HERALD_FUZZ_VERBOSE") && (null = fopen("/dev/null", "w")))
		stderr = null;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frontmatter fm;
	enum lookup ret;

	frontmatter_init(&fm);
	ret = frontmatter_parse(&fm, (const char *)data, size);
	for (size_t i = 0; i < fm.nr_problems; i++)
		if (!fm.problems[i].message)
			abort();
	if (ret == LOOKUP_FOUND && (!json_is_object(fm.data) || fm.body_offset > size))
		abort();
	if (ret == LOOKUP_MISSING && fm.data)
		abort();
	if (ret == LOOKUP_ERROR && !frontmatter_first_error(&fm))
		abort();
	frontmatter_release(&fm);
	return 0;
}
