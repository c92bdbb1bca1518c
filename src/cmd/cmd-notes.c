#include <stdio.h>

#include "herald/command.h"
#include "herald/options.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/report.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char notes_usage[] =
	"usage: herald notes [options] [FROM..TO | FROM [TO]]\n"
	"\n"
	"Release notes for a range (default: the last commit), rendered from the\n"
	"notes template.\n";

int cmd_notes(int argc, char **argv)
{
	struct report_options o;
	const char *prepend_to = NULL;
	struct setup st;
	struct range rg = { NULL, NULL };
	struct strbuf out = STRBUF_INIT;
	int ret = 0, first, rc;
	const struct option_spec opts[] = {
		REPORT_OPTIONS(&o, "md (default), html or json (the model itself)",
			       "use this template instead of notes.FMT"),
		OPT_STRING("prepend", 0, &prepend_to, "F",
			   "insert the notes at the top of changelog F (once per range)"),
		OPT_FLAG("drafts", 0, &o.drafts, "include draft events"),
		SETUP_OPTIONS(&st, "which paths are posts (repeatable)",
			      "evaluate scheduled posts at DATE (RFC 3339)"),
		OPT_END(),
	};

	setup_init(&st);
	report_options_init(&o, "notes");
	if ((first = options_command(argc, argv, opts, notes_usage, 2,
				     "too many revisions; give FROM and TO, or FROM..TO", &ret)) < 0)
		goto out;
	if (setup_open(&st) < 0 ||
	    range_resolve(&rg, st.repo, argc - first, argv + first, 0) < 0 ||
	    report_render(&st, &rg, &o, &out) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (!prepend_to) {
		if (render_write(o.output, out.buf, out.len) < 0)
			ret = EXIT_FATAL;
	} else if ((rc = report_prepend(prepend_to, &rg, &out)) < 0) {
		ret = EXIT_FATAL;
	} else if (rc > 0) {
		fprintf(stderr, "herald: '%s' already has the notes for this range\n", prepend_to);
	}
out:
	strbuf_release(&out);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
