#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/announce.h"
#include "herald/command.h"
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
	"new once is never announced again to the same target.\n"
	"\n"
	"    --dry-run        print each request (url redacted) instead of sending\n"
	"    --force          announce even posts the ledger has\n"
	"    --max-time S     stop delivering after S seconds (default 30)\n"
	"    --queue-only     write the deliveries to the outbox; `herald deliver` sends them\n"
	"    --now DATE       evaluate scheduled posts at DATE (RFC 3339)\n"
	"    --posts GLOB     which paths are posts (repeatable)\n";

int cmd_announce(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "max-time", required_argument, NULL, 'm' },
		{ "queue-only", no_argument, NULL, 'q' },
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct range rg = { NULL, NULL };
	struct announce_options o;
	struct announce_stats s;
	git_tree *tree = NULL;
	char *end;
	int c, ret = 0;

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.max_time = 30;
	o.out = stdout;
	optind = 0;
	while ((c = getopt_long(argc, argv, "hn", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o.dry_run = 1; break;
		case 'f': o.force = 1; break;
		case 'q': o.no_deliver = 1; break;
		case 'm':
			o.max_time = strtod(optarg, &end);
			if (*end || o.max_time < 0) {
				error("--max-time takes seconds, not '%s'", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			fputs(announce_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, announce_usage)))
				goto out;
			break;
		}
	}
	if (argc - optind > 2) {
		error("too many revisions; give FROM and TO, or FROM..TO");
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 ||
	    range_resolve(&rg, st.repo, argc - optind, argv + optind, 0) < 0 ||
	    git_commit_tree(&tree, rg.to) < 0 || setup_site(&st, tree) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (announce_range(&st, &rg, &o, &s) < 0) {
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
