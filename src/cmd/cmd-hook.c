#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/receive.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char hook_usage[] =
	"usage: herald hook post-receive\n"
	"   or: herald hook pre-receive\n"
	"\n"
	"Run by the scripts `herald install` puts in a repository's hooks folder;\n"
	"both read git's hook input (old new ref) on standard input.\n"
	"\n"
	"post-receive announces what each push to the watched branches\n"
	"(herald.branch, default the branch HEAD names) did since the last one\n"
	"it processed, delivers within herald.hookBudget seconds (default 3) and\n"
	"leaves the rest to `herald deliver`; it always exits 0. Push options:\n"
	"`git push -o herald.skip` announces nothing, `-o herald.dry-run` shows\n"
	"what would be sent (enable with receive.advertisePushOptions).\n"
	"\n"
	"pre-receive checks the front matter of the posts a push changes, and\n"
	"refuses the push when herald.lint = reject and a post has an error.\n";

int cmd_hook(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "post-receive"))
		return receive_post(stdout);
	if (argc == 2 && !strcmp(argv[1], "pre-receive"))
		return receive_pre(stdout);
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(hook_usage, stdout);
		return 0;
	}
	fputs(hook_usage, stderr);
	return EXIT_USAGE;
}
