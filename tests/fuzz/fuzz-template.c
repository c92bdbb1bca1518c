/*
 * libFuzzer target for the Mustache engine: the input is a template,
 * parsed with template_parse() and rendered with template_render() under
 * each escaping over a fixed context, with a loader that answers every
 * partial and parent name with the same small template, except "missing"
 * (no such partial) and "self" (a partial that includes itself, to reach
 * TEMPLATE_MAX_DEPTH).
 *
 * The context's arrays hold one element at most: nested sections over
 * longer arrays multiply the output by design (a 300-byte template over a
 * two-element array writes 2^20 copies), which is a slow template, not a
 * bug, and would only drown the fuzzer in timeouts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/strbuf.h"
#include "herald/template.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char context_json[] =
	"{\"title\": \"Hello <b>&amp; \\\"you\\\"\", \"n\": 42, \"pi\": 1.21,"
	" \"yes\": true, \"no\": false, \"nothing\": null, \"empty\": \"\","
	" \"zero\": 0, \"none\": [], \"name\": \"part\","
	" \"events\": [{\"title\": \"é\\u0000x\", \"url\": \"https://a/?b&c\","
	" \"tags\": [\"t\"], \"post\": {\"date\": \"2026-11-02\"}}],"
	" \"site\": {\"title\": \"S\", \"nested\": {\"deep\": {\"x\": 1}}}}";

/* A name, a section, a block for {{<parent}} and a partial that is absent. */
static const char partial_text[] =
	"[{{title}}{{#events}}<{{url}}>{{/events}}{{$block}}dflt{{/block}}"
	"{{>missing}}]";

static json_t *context;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null;

	(void)argc;
	(void)argv;
	/* See fuzz-frontmatter.c: keeps error() quiet, not the sanitizers. */
	if (!getenv("HERALD_FUZZ_VERBOSE") && (null = fopen("/dev/null", "w")))
		stderr = null;
	context = json_loads(context_json, JSON_ALLOW_NUL, NULL);
	if (!context)
		abort();
	return 0;
}

static enum lookup load(void *data, const char *name, struct strbuf *text,
			struct strbuf *file)
{
	(void)data;
	if (!strcmp(name, "missing"))
		return LOOKUP_MISSING;
	if (!strcmp(name, "self")) {
		strbuf_addstr(text, "{{>self}}");
		return LOOKUP_FOUND;
	}
	strbuf_add(text, partial_text, sizeof(partial_text) - 1);
	strbuf_addf(file, "%s.mustache", name);
	return LOOKUP_FOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum template_escape escapes[] = {
		TEMPLATE_ESCAPE_NONE,
		TEMPLATE_ESCAPE_HTML,
		TEMPLATE_ESCAPE_JSON,
	};
	struct template_partials partials = { load, NULL };
	struct strbuf out = STRBUF_INIT;
	struct template *t;

	t = template_parse("fuzz.mustache", (const char *)data, size);
	if (!t)
		return 0;
	if (strcmp(template_name(t), "fuzz.mustache"))
		abort();
	for (size_t i = 0; i < ARRAY_SIZE(escapes); i++) {
		/* On failure the output must go back to what it was. */
		strbuf_reset(&out);
		strbuf_addstr(&out, "x");
		if (template_render(t, context, escapes[i], &partials, &out) &&
		    out.len != 1)
			abort();
	}
	/* the limits: a failure leaves the output as it was, too */
	{
		static const struct template_limits small = { .steps = 1000, .output = 4096 };
		int rc;
		strbuf_reset(&out);
		rc = template_render_limited(t, context, TEMPLATE_ESCAPE_NONE, &partials,
					     &small, &out);
		if ((rc && out.len != 0) || (!rc && out.len > small.output))
			abort();
	}
	strbuf_reset(&out);
	if (template_render(t, context, TEMPLATE_ESCAPE_HTML, NULL, &out) &&
	    out.len != 0)
		abort();
	strbuf_release(&out);
	template_free(t);
	return 0;
}
