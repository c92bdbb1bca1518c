#include <stdio.h>
#include <stdlib.h>

#include "herald/command.h"
#include "herald/options.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/report.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char digest_usage[] =
	"usage: herald digest [options]\n"
	"\n"
	"What's new: the posts published between --since and --until, newest first.\n";

static int opt_limit(void *ctx, const char *arg)
{
	long *limit = ctx;
	char *end;

	*limit = strtol(arg, &end, 10);
	if (*end || *limit < 1)
		return error("--limit takes a positive number, not '%s'", arg);
	return 0;
}

int cmd_digest(int argc, char **argv)
{
	struct setup st;
	struct range rg = { NULL, NULL };
	struct report_options o;
	struct strbuf out = STRBUF_INIT;
	const char *since = NULL, *until = "HEAD";
	int ret = 0;
	const struct option_spec opts[] = {
		OPT_STRING("since", 0, &since, "DATE|REV",
			   "start here (default: 7 days before now); a date picks\n"
			   "the newest commit of the first-parent line at or before it"),
		OPT_STRING("until", 0, &until, "REV", "end here (default HEAD)"),
		REPORT_OPTIONS(&o, "md (default), html, atom (Atom 1.0) or json (JSON Feed 1.1)",
			       "use this template instead of the built-in one"),
		OPT_CALLBACK("limit", 0, &o.limit, "N", "at most N posts", opt_limit),
		SETUP_OPTIONS(&st, "which paths are posts (repeatable)",
			      "evaluate scheduled posts at DATE (RFC 3339)"),
		OPT_END(),
	};

	setup_init(&st);
	report_options_init(&o, "digest");
	if (options_command(argc, argv, opts, digest_usage, 0,
			    "digest takes no arguments; use --since and --until", &ret) < 0)
		goto out;
	if (setup_open(&st) < 0 || report_digest_range(&st, since, until, &rg) < 0 ||
	    report_render(&st, &rg, &o, &out) < 0 ||
	    render_write(o.output, out.buf, out.len) < 0)
		ret = EXIT_FATAL;
out:
	strbuf_release(&out);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
