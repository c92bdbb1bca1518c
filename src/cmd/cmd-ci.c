#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/ci.h"
#include "herald/command.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char ci_usage[] =
	"usage: herald ci [--deliver] [--state git|local] [--budget S] [--dry-run]\n"
	"\n"
	"Run from a CI job on every push: announces what the push did to a watched\n"
	"branch, as the post-receive hook does on a server. The push comes from the\n"
	"CI's variables (GitHub, Forgejo and Gitea Actions: GITHUB_EVENT_PATH;\n"
	"GitLab CI: CI_COMMIT_BEFORE_SHA, CI_COMMIT_SHA, CI_COMMIT_BRANCH; anywhere\n"
	"else: HERALD_TO, HERALD_FROM, HERALD_REF). The first run only sets the\n"
	"baseline; a force-push announces the net change.\n"
	"\n"
	"herald's state (baseline, ledger, outbox, dead letters) is kept in the\n"
	"remote's refs/herald/state (git config herald.remote, default origin),\n"
	"fetched at the start and pushed back without force, so two runs never\n"
	"announce a post twice; herald.state = local keeps it in $GIT_DIR/herald.\n"
	"Targets come from git config or HERALD_TARGET_<NAME>_<KEY> variables.\n"
	"\n"
	"    --deliver        only retry what earlier runs left in the outbox\n"
	"                     (for a scheduled job)\n"
	"    --state WHERE    git or local (default: herald.state, else git)\n"
	"    --budget S       seconds for delivering (default herald.ciBudget, 60)\n"
	"    --dry-run        print what would be sent; change nothing\n"
	"    --now DATE       evaluate post dates at DATE\n"
	"    --posts GLOB     which files are posts (repeatable)\n";

int cmd_ci(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "deliver", no_argument, NULL, 'd' },
		{ "state", required_argument, NULL, 's' },
		{ "budget", required_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, 'n' },
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct ci_options o;
	char *end;
	int c, ret = 0;

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.out = stdout;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.deliver_only = 1; break;
		case 'n': o.dry_run = 1; break;
		case 's':
			if (strcmp(optarg, "git") && strcmp(optarg, "local")) {
				error("--state is git or local, not '%s'", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			o.state = optarg;
			break;
		case 'b':
			o.budget = strtol(optarg, &end, 10);
			if (*end || o.budget < 1 || o.budget > 3600) {
				error("--budget takes seconds from 1 to 3600, not '%s'", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			fputs(ci_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, ci_usage)))
				goto out;
		}
	}
	if (optind < argc) {
		error("ci takes no arguments; the push comes from the CI's variables");
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 || ci_run(&st, &o) < 0)
		ret = EXIT_FATAL;
out:
	setup_release(&st);
	return ret;
}
