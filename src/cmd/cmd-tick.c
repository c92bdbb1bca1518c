#include <stdio.h>

#include "herald/command.h"
#include "herald/options.h"
#include "herald/setup.h"
#include "herald/tick.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char tick_usage[] =
	"usage: herald tick [--now DATE] [--max-time S]\n"
	"\n"
	"For cron or a systemd timer, next to `herald deliver`: announces the\n"
	"scheduled posts whose date has come since the last tick (once: the\n"
	"ledger remembers), catches up pushes the post-receive hook could not\n"
	"process, queues the scheduled digests that are due (herald.NAME.digest),\n"
	"then delivers what is due.\n";

int cmd_tick(int argc, char **argv)
{
	struct setup st;
	struct tick_options o = { 120 };
	struct tick_stats s;
	int ret = 0;
	const struct option_spec opts[] = {
		SETUP_OPTIONS(&st, "which paths are posts (repeatable; replaces the defaults)",
			      "the present (RFC 3339); default: the clock"),
		OPT_SECONDS("max-time", 0, &o.max_time, "S",
			    "stop delivering after S seconds (default 120)"),
		OPT_END(),
	};

	setup_init(&st);
	if (options_command(argc, argv, opts, tick_usage, 0, "tick takes no arguments", &ret) < 0)
		goto out;
	if (setup_open(&st) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (tick_run(&st, &o, &s) < 0)
		ret = EXIT_FATAL;
	if (s.delivered)
		fprintf(stderr, "herald: %zu deliver%s queued, %zu delivered, %zu to retry, %zu dead\n",
			s.queued, s.queued == 1 ? "y" : "ies", s.ds.delivered,
			s.ds.retrying + s.ds.left, s.ds.dead);
out:
	setup_release(&st);
	return ret;
}
