#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/command.h"
#include "herald/setup.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char targets_usage[] =
	"usage: herald targets [NAME...]\n"
	"\n"
	"Lists the announcement targets of git config [herald \"NAME\"] sections\n"
	"(only the NAMEs given, if any), with urls shown only as scheme and host.\n"
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
	int ret = 0, type;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(targets_usage, stdout);
		return 0;
	}
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
	for (i = 0; i < nr; i++) {
		char *where;

		if (argc > 1 && !named(argc, argv, t[i].name))
			continue;
		where = target_redact(t[i].url);
		printf("%-16s %-11s %-36s", t[i].name, t[i].kind ? t[i].kind : "?", where);
		for (type = 0; type < EVENT_TYPES; type++)
			if (target_wants(&t[i], type))
				printf(" %s", event_type_name((enum event_type)type));
		if (t[i].batch)
			printf(" (batched)");
		if (t[i].secrets.nr)
			printf(" (signed)");
		printf("\n");
		if (t[i].problem) {
			printf("%-16s unusable: %s\n", "", t[i].problem);
			ret = EXIT_FINDINGS;
		}
		free(where);
	}
out:
	targets_free(t, nr);
	setup_release(&st);
	return ret;
}
