#include <stdio.h>
#include <string.h>

#include "herald/announce.h"
#include "herald/command.h"
#include "herald/options.h"
#include "herald/range.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char announce_usage[] =
	"usage: herald announce [options] [FROM..TO | FROM [TO]]\n"
	"\n"
	"Announces what happened between two commits (default: the last commit) to\n"
	"every target in git config: each delivery is written to the outbox first,\n"
	"then sent; what fails is retried by `herald deliver`. A post announced as\n"
	"new once is never announced again to the same target.\n";

int cmd_announce(int argc, char **argv)
{
	struct setup st;
	struct range rg = { NULL, NULL };
	struct announce_options o;
	struct announce_stats s;
	git_tree *tree = NULL;
	int ret = 0, first;
	const struct option_spec opts[] = {
		OPT_FLAG("dry-run", 'n', &o.dry_run,
			 "print each request (url redacted) instead of sending"),
		OPT_FLAG("force", 0, &o.force, "announce even posts the ledger has"),
		OPT_SECONDS("max-time", 0, &o.max_time, "S",
			    "stop delivering after S seconds (default 30)"),
		OPT_FLAG("queue-only", 0, &o.no_deliver,
			 "write the deliveries to the outbox; `herald deliver` sends them"),
		SETUP_OPTIONS(&st, "which paths are posts (repeatable)",
			      "evaluate scheduled posts at DATE (RFC 3339)"),
		OPT_END(),
	};

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.max_time = 30;
	o.out = stdout;
	if ((first = options_command(argc, argv, opts, announce_usage, 2,
				     "too many revisions; give FROM and TO, or FROM..TO", &ret)) < 0)
		goto out;
	if (setup_open(&st) < 0 ||
	    range_resolve(&rg, st.repo, argc - first, argv + first, 0) < 0 ||
	    git_commit_tree(&tree, rg.to) < 0 || setup_site(&st, tree) < 0 ||
	    announce_range(&st, &rg, &o, &s) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	fprintf(stderr, "herald: %zu event%s, %zu deliver%s queued, %zu delivered, %zu to retry, %zu dead, %zu skipped (announced before)\n",
		s.events, s.events == 1 ? "" : "s", s.queued, s.queued == 1 ? "y" : "ies",
		s.delivered, s.retrying + s.left, s.dead, s.skipped);
	if (s.failed) {
		error("%zu deliver%s could not be built (see above)", s.failed,
		      s.failed == 1 ? "y" : "ies");
		ret = EXIT_FINDINGS;
	}
out:
	git_tree_free(tree);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
