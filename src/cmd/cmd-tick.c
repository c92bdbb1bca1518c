#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herald/announce.h"
#include "herald/baseline.h"
#include "herald/command.h"
#include "herald/deliver.h"
#include "herald/digest.h"
#include "herald/hookio.h"
#include "herald/options.h"
#include "herald/outbox.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/schedule.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/target.h"
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

/* The last tick's time, or -1 when there was none. */
static long long read_last(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	long long t = -1;

	if (!strbuf_read_file(&sb, path, 64)) {
		char *end;
		t = strtoll(sb.buf, &end, 10);
		if (end == sb.buf)
			t = -1;
	}
	strbuf_release(&sb);
	return t;
}

static int tick_branch(struct setup *st, struct outbox *ob, const char *ref,
		       long long last, long long now, struct announce_stats *total)
{
	struct baseline b;
	git_oid tip_id, base_id;
	git_commit *tip = NULL;
	git_tree *tree = NULL;
	struct announce_options o;
	struct announce_stats s;
	struct event_list due;
	long max;
	int have_base, ret = 0;

	event_list_init(&due);
	baseline_init(&b, st->repo, 0);
	if (strncmp(ref, "refs/heads/", 11) || git_reference_name_to_id(&tip_id, st->repo->git, ref) < 0)
		goto out; /* no such branch (yet) */
	if (git_commit_lookup(&tip, st->repo->git, &tip_id) < 0 ||
	    git_commit_tree(&tree, tip) < 0) {
		ret = repo_error(ref);
		goto out;
	}
	if (setup_site(st, tree) < 0) {
		ret = -1;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.no_deliver = 1;
	o.ob = ob;
	o.out = stdout;
	/* as many single messages as the hook would send, then a summary */
	if (repo_config_count(st->repo, "herald.maxAnnounce", 10, &max) < 0) {
		ret = -1;
		goto out;
	}
	o.max_per_target = (size_t)max;
	have_base = baseline_read(&b, ref, &base_id);
	if (have_base < 0) {
		ret = -1;
		goto out;
	}
	if (have_base && !git_oid_equal(&base_id, &tip_id)) {
		/* a push the hook missed, or left to us: one transaction with the baseline */
		struct range rg = { NULL, tip };
		if (git_commit_lookup(&rg.from, st->repo->git, &base_id) < 0) {
			ret = repo_error(ref);
			goto out;
		}
		o.baseline = &b;
		o.baseline_branch = ref;
		o.baseline_from = &base_id;
		o.baseline_to = &tip_id;
		ret = announce_range(st, &rg, &o, &s);
		git_commit_free(rg.from);
		o.baseline = NULL;
		if (ret < 0)
			goto out;
		total->queued += s.queued;
	}
	if (last < 0) {
		/* the first tick: what was published before it was announced by pushes */
		last = (long long)git_commit_time(tip);
	}
	if (schedule_due(st->repo, &st->site, tip, last, now, &due) < 0) {
		ret = -1;
		goto out;
	}
	{
		size_t k;
		for (k = 0; k < due.nr; k++) {
			char *title = printable(due.v[k].title);
			char *path = printable(due.v[k].path);
			printf("herald: %s: \"%s\" (%s)\n", event_type_name(due.v[k].type),
			       title, path);
			free(title);
			free(path);
		}
	}
	if (due.nr) {
		ret = announce_events(st, tree, &due, git_oid_tostr_s(&tip_id), &o, &s);
		total->queued += s.queued;
		total->skipped += s.skipped;
	}
out:
	event_list_release(&due);
	git_tree_free(tree);
	git_commit_free(tip);
	return ret;
}

int cmd_tick(int argc, char **argv)
{
	struct setup st;
	struct outbox *ob = NULL;
	struct strvec branches = STRVEC_INIT;
	struct target *targets = NULL;
	struct announce_stats total;
	size_t nt = 0, i;
	double max_time = 120;
	char *last_path = NULL, stamp[32];
	long long last;
	int ret = 0, first;
	const struct option_spec opts[] = {
		SETUP_OPTIONS(&st, "which paths are posts (repeatable; replaces the defaults)",
			      "the present (RFC 3339); default: the clock"),
		OPT_SECONDS("max-time", 0, &max_time, "S",
			    "stop delivering after S seconds (default 120)"),
		OPT_END(),
	};

	setup_init(&st);
	memset(&total, 0, sizeof(total));
	first = options_parse(argc, argv, opts, tick_usage);
	if (first < 0) {
		ret = first == OPTIONS_HELP ? 0 : EXIT_USAGE;
		goto out;
	}
	if (first < argc) {
		error("tick takes no arguments");
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 || hookio_branches(st.repo, &branches) < 0 ||
	    !(ob = outbox_open(st.repo->gitdir)) || outbox_lock(ob, 1) < 0 ||
	    announce_recover(st.repo, ob) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	last_path = xstrfmt("%s/last-tick", outbox_dir(ob));
	last = read_last(last_path);
	for (i = 0; i < branches.nr; i++)
		if (tick_branch(&st, ob, branches.v[i], last, st.now, &total) < 0)
			ret = EXIT_FATAL;
	/* scheduled digests (herald.NAME.digest), of the first watched branch */
	if (digest_tick(&st, ob, branches.nr ? branches.v[0] : NULL, stdout, &total.queued) < 0)
		ret = EXIT_FATAL;
	if (!ret) {
		snprintf(stamp, sizeof(stamp), "%lld\n", st.now);
		if (render_write(last_path, stamp, strlen(stamp)) < 0)
			ret = EXIT_FATAL;
	}
	if (targets_load(st.repo, &targets, &nt) == 0) {
		struct deliver_options d;
		struct deliver_stats ds;
		memset(&d, 0, sizeof(d));
		d.max_time = max_time;
		d.log = stdout;
		if (deliver_due(ob, targets, nt, &d, &ds) < 0)
			ret = EXIT_FATAL;
		fprintf(stderr, "herald: %zu deliver%s queued, %zu delivered, %zu to retry, %zu dead\n",
			total.queued, total.queued == 1 ? "y" : "ies", ds.delivered,
			ds.retrying + ds.left, ds.dead);
	}
out:
	targets_free(targets, nt);
	free(last_path);
	strvec_clear(&branches);
	outbox_close(ob);
	setup_release(&st);
	return ret;
}
