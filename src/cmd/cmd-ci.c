#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/ci.h"
#include "herald/command.h"
#include "herald/options.h"
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
;

static int check_state(const char *arg)
{
	if (strcmp(arg, "git") && strcmp(arg, "local"))
		return error("--state is git or local, not '%s'", arg);
	return 0;
}

static int opt_budget(void *ctx, const char *arg)
{
	long *budget = ctx;
	char *end;

	*budget = strtol(arg, &end, 10);
	if (*end || *budget < 1 || *budget > 3600)
		return error("--budget takes seconds from 1 to 3600, not '%s'", arg);
	return 0;
}

int cmd_ci(int argc, char **argv)
{
	struct setup st;
	struct ci_options o;
	int ret = 0;
	const struct option_spec opts[] = {
		OPT_FLAG("deliver", 0, &o.deliver_only,
			 "only retry what earlier runs left in the outbox\n(for a scheduled job)"),
		OPT_STRING_CHECKED("state", 0, &o.state, "WHERE",
				   "git or local (default: herald.state, else git)", check_state),
		OPT_CALLBACK("budget", 0, &o.budget, "S",
			     "seconds for delivering (default herald.ciBudget, 60)", opt_budget),
		OPT_FLAG("dry-run", 0, &o.dry_run, "print what would be sent; change nothing"),
		SETUP_OPTIONS(&st, "which files are posts (repeatable)",
			      "evaluate post dates at DATE"),
		OPT_END(),
	};

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.out = stdout;
	if (options_command(argc, argv, opts, ci_usage, 0,
			    "ci takes no arguments; the push comes from the CI's variables", &ret) < 0)
		goto out;
	if (setup_open(&st) < 0 || ci_run(&st, &o) < 0)
		ret = EXIT_FATAL;
out:
	setup_release(&st);
	return ret;
}
