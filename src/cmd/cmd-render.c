#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/model.h"
#include "herald/options.h"
#include "herald/render.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char render_usage[] =
	"usage: herald render --context FILE.json --template FILE [-o FILE]\n"
	"\n"
	"Renders a saved `herald scan --json` document (edited or not, or any JSON)\n"
	"through a template and prints exactly the result: for developing templates\n"
	"without a repository. A scan document gets the same derived fields notes\n"
	"and digest templates see (site, range, counts, per-type lists).\n";

int cmd_render(int argc, char **argv)
{
	const char *context = NULL, *template = NULL, *output = "-";
	struct render_source src;
	struct strbuf out = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc = NULL, *model = NULL;
	int ret = 0, first;
	const struct option_spec opts[] = {
		OPT_STRING("context", 0, &context, "FILE.json",
			   "the document to render (\"-\": standard input)"),
		OPT_STRING("template", 0, &template, "FILE", "the template to render it through"),
		OPT_STRING("output", 'o', &output, "FILE", "write to FILE instead of standard output"),
		OPT_END(),
	};

	if ((first = options_command(argc, argv, opts, render_usage, -1, NULL, &ret)) < 0)
		return ret;
	if (!context || !template || first < argc) {
		error("render needs --context FILE.json and --template FILE");
		options_usage(stderr, render_usage, opts);
		return EXIT_USAGE;
	}
	/* any JSON text, as the Mustache spec renders {{.}} over any value */
	doc = !strcmp(context, "-") ? json_loadf(stdin, JSON_DECODE_ANY, &jerr)
				    : json_load_file(context, JSON_DECODE_ANY, &jerr);
	if (!doc) {
		error("%s:%d:%d: %s", context, jerr.line, jerr.column, jerr.text);
		return EXIT_FATAL;
	}
	model = json_is_object(doc) && json_is_array(json_object_get(doc, "events")) ?
			model_build(doc, NULL) : json_incref(doc);
	memset(&src, 0, sizeof(src));
	src.override = template;
	if (render_template(&src, NULL, model, &out) < 0 ||
	    render_write(output, out.buf, out.len) < 0)
		ret = EXIT_FATAL;
	strbuf_release(&out);
	json_decref(model);
	json_decref(doc);
	return ret;
}
