#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herald/command.h"
#include "herald/options.h"
#include "herald/outbox.h"
#include "herald/outboxview.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char outbox_usage[] =
	"usage: herald outbox [list]\n"
	"   or: herald outbox show ID\n"
	"   or: herald outbox retry ID\n"
	"   or: herald outbox drop ID\n"
	"\n"
	"The deliveries waiting to be sent, and the dead ones that failed for good.\n"
	"`retry` puts a dead delivery back, with the same id, due now.\n";

int cmd_outbox(int argc, char **argv)
{
	const char *verb, *id;
	int ret = 0, dead = 0, rc, first;
	struct setup st;
	struct outbox *ob = NULL;
	struct outbox_entry e;
	const struct option_spec opts[] = { OPT_END() };

	if ((first = options_command(argc, argv, opts, outbox_usage, -1, NULL, &ret)) < 0)
		return ret;
	verb = first < argc ? argv[first] : "list";
	id = argc - first > 1 ? argv[first + 1] : NULL;
	if (!strcmp(verb, "list") ? argc - first > 1 :
	    (strcmp(verb, "show") && strcmp(verb, "retry") && strcmp(verb, "drop")) ||
	    argc - first != 2) {
		options_usage(stderr, outbox_usage, opts);
		return EXIT_USAGE;
	}
	setup_init(&st);
	outbox_entry_init(&e);
	if (setup_open(&st) < 0 || !(ob = outbox_open(st.repo->gitdir))) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (!strcmp(verb, "list")) {
		outboxview_list(ob, 0, stdout);
		outboxview_list(ob, 1, stdout);
		goto out;
	}
	if (outbox_lock(ob) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	rc = outbox_get(ob, id, &e, &dead);
	if (rc != LOOKUP_FOUND) {
		if (rc == LOOKUP_MISSING)
			error("no delivery '%s' in the outbox", id);
		ret = EXIT_FATAL;
		goto out;
	}
	if (!strcmp(verb, "show")) {
		outboxview_show(&e, dead, stdout, stderr);
	} else if (!strcmp(verb, "retry")) {
		if (!dead) {
			error("'%s' is pending, not dead; 'herald deliver --all' sends it now", e.id);
			ret = EXIT_FATAL;
		} else if (outbox_revive(ob, e.id, (long long)time(NULL)) < 0) {
			ret = EXIT_FATAL;
		} else {
			printf("%s is pending again; 'herald deliver' sends it\n", e.id);
		}
	} else if (outbox_drop(ob, e.id) < 0) {
		ret = EXIT_FATAL;
	} else {
		printf("dropped %s\n", e.id);
	}
out:
	outbox_entry_release(&e);
	outbox_close(ob);
	setup_release(&st);
	return ret;
}
