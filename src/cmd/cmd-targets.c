#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/options.h"
#include "herald/setup.h"
#include "herald/target.h"
#include "herald/targetview.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char targets_usage[] =
	"usage: herald targets [NAME...]\n"
	"\n"
	"Lists the announcement targets of git config [herald \"NAME\"] sections\n"
	"(only the NAMEs given, if any),\n"
	"with urls shown only as scheme and host, and the payload template each\n"
	"uses (built-in, or from herald.templateDir), built once for a sample post.\n"
	"Exits 1 when one is unusable.\n";

static int named(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int cmd_targets(int argc, char **argv)
{
	struct setup st;
	struct target *t = NULL;
	size_t nr = 0, i;
	int ret = 0, first;
	const struct option_spec opts[] = { OPT_END() };

	if ((first = options_command(argc, argv, opts, targets_usage, -1, NULL, &ret)) < 0)
		return ret;
	argc -= first - 1;
	argv += first - 1;
	setup_init(&st);
	if (setup_open(&st) < 0 || targets_load(st.repo, &t, &nr) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	for (i = 1; i < (size_t)argc; i++) {
		if (!targets_find(t, nr, argv[i])) {
			error("no target '%s' in git config", argv[i]);
			ret = EXIT_FATAL;
		}
	}
	if (ret)
		goto out;
	if (!nr)
		printf("no targets; add one with:\n  git config herald.team-chat.kind slack\n  git config herald.team-chat.url https://hooks.slack.com/services/…\n");
	for (i = 0; i < nr; i++)
		if ((argc == 1 || named(argc, argv, t[i].name)) && targetview_print(&t[i], stdout))
			ret = EXIT_FINDINGS;
out:
	targets_free(t, nr);
	setup_release(&st);
	return ret;
}
