#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/model.h"
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
	static const struct option longopts[] = {
		{ "context", required_argument, NULL, 'c' },
		{ "template", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *context = NULL, *template = NULL, *output = "-";
	struct render_source src;
	struct strbuf out = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc = NULL, *model = NULL;
	int c, ret = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': context = optarg; break;
		case 't': template = optarg; break;
		case 'o': output = optarg; break;
		case 'h':
			fputs(render_usage, stdout);
			return 0;
		default:
			fputs(render_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (!context || !template || optind < argc) {
		error("render needs --context FILE.json and --template FILE");
		fputs(render_usage, stderr);
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
