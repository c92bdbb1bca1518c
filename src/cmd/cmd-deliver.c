#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herald/announce.h"
#include "herald/command.h"
#include "herald/deliver.h"
#include "herald/options.h"
#include "herald/outbox.h"
#include "herald/setup.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char deliver_usage[] =
	"usage: herald deliver [--max-time S] [--all]\n"
	"\n"
	"Attempts every due delivery in the outbox, one line per attempt (target,\n"
	"event, title, status, next try). Run it from cron or a systemd timer.\n"
	"Exits 1 when a delivery failed for good during this run.\n";

int cmd_deliver(int argc, char **argv)
{
	struct deliver_options o;
	time_t start = time(NULL);
	struct setup st;
	struct outbox *ob = NULL;
	struct target *targets = NULL;
	struct deliver_stats s;
	size_t nr = 0;
	int ret = 0, rc;
	bool locked;
	const struct option_spec opts[] = {
		OPT_SECONDS("max-time", 0, &o.max_time, "S", "stop after S seconds (default 300)"),
		OPT_FLAG("all", 0, &o.all, "attempt every pending delivery now, due or not"),
		OPT_END(),
	};

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.max_time = 300;
	o.log = stdout;
	if (options_command(argc, argv, opts, deliver_usage, 0,
			    "deliver takes no arguments", &ret) < 0)
		goto out;
	if (setup_open(&st) < 0 || targets_load(st.repo, &targets, &nr) < 0 ||
	    !(ob = outbox_open(st.repo->gitdir))) {
		ret = EXIT_FATAL;
		goto out;
	}
	/* another run holds the outbox: wait for it within our own budget */
	while (!(rc = outbox_trylock(ob, &locked)) && !locked) {
		if (o.max_time > 0 && difftime(time(NULL), start) >= o.max_time) {
			fprintf(stderr, "herald: another 'herald deliver' holds the outbox; nothing done\n");
			goto out;
		}
		usleep(100 * 1000);
	}
	/* an interrupted announcement is finished or undone before anything goes out */
	if (rc < 0 || announce_recover(st.repo, ob) < 0 ||
	    deliver_due(ob, targets, nr, &o, &s) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	fprintf(stderr, "herald: %zu attempted, %zu delivered, %zu to retry, %zu dead, %zu not yet due\n",
		s.attempted, s.delivered, s.retrying, s.dead, s.left);
	if (s.dead)
		ret = EXIT_FINDINGS;
out:
	outbox_close(ob);
	targets_free(targets, nr);
	setup_release(&st);
	return ret;
}
