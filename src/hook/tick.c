#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/announce.h"
#include "herald/baseline.h"
#include "herald/deliver.h"
#include "herald/digest.h"
#include "herald/event.h"
#include "herald/hookio.h"
#include "herald/outbox.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/repo.h"
#include "herald/schedule.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/target.h"
#include "herald/tick.h"
#include "herald/usage.h"
#include "herald/banned.h"

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

/*
 * Step 1 for one watched branch: the push a hook missed, then the posts
 * scheduled between the last tick and now. A branch that does not exist
 * (yet) has nothing to do.
 */
static int tick_branch(struct setup *st, struct outbox *ob, const char *ref,
		       long long last, long long now, struct tick_stats *total)
{
	struct baseline b;
	git_oid tip_id, base_id;
	git_commit *tip = NULL;
	git_tree *tree = NULL;
	struct announce_options o;
	struct announce_stats s;
	struct event_list due;
	size_t k;
	enum lookup have_base;
	int ret = 0;

	event_list_init(&due);
	baseline_init(&b, st->repo, 0);
	if (strncmp(ref, "refs/heads/", 11) || git_reference_name_to_id(&tip_id, st->repo->git, ref) < 0)
		goto out; /* no such branch (yet) */
	if (git_commit_lookup(&tip, st->repo->git, &tip_id) < 0) {
		ret = repo_error(ref);
		goto out;
	}
	/* as many single messages as the hook would send, then a summary */
	if (announce_prepare(st, ref, tip, &tree, ob, stdout, &o) < 0) {
		ret = -1;
		goto out;
	}
	have_base = baseline_read(&b, ref, &base_id);
	if (have_base == LOOKUP_ERROR) {
		ret = -1;
		goto out;
	}
	if (have_base == LOOKUP_FOUND && !git_oid_equal(&base_id, &tip_id)) {
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
	for (k = 0; k < due.nr; k++) {
		char *title = printable(due.v[k].title), *path = printable(due.v[k].path);
		printf("herald: %s: \"%s\" (%s)\n", event_type_name(due.v[k].type), title, path);
		free(title);
		free(path);
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

/* Step 2: the next tick's scheduled posts are those due after now. */
static int tick_stamp(const char *last_path, long long now)
{
	char stamp[32];

	snprintf(stamp, sizeof(stamp), "%lld\n", now);
	return render_write(last_path, stamp, strlen(stamp));
}

/*
 * Step 3: deliver what is due. Without readable targets there is nothing
 * to deliver to; targets_load() said why.
 */
static int tick_deliver(struct setup *st, struct outbox *ob, const struct tick_options *o,
			struct tick_stats *s)
{
	struct target *targets = NULL;
	struct deliver_options d;
	size_t nt = 0;
	int ret = 0;

	if (targets_load(st->repo, &targets, &nt) < 0)
		return 0;
	memset(&d, 0, sizeof(d));
	d.max_time = o->max_time;
	d.log = stdout;
	if (deliver_due(ob, targets, nt, &d, &s->ds) < 0)
		ret = -1;
	s->delivered = 1;
	targets_free(targets, nt);
	return ret;
}

int tick_run(struct setup *st, const struct tick_options *o, struct tick_stats *s)
{
	struct strvec branches = STRVEC_INIT;
	struct outbox *ob = NULL;
	char *last_path = NULL;
	long long last;
	size_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (hookio_branches(st->repo, &branches) < 0 ||
	    !(ob = outbox_open(st->repo->gitdir)) || outbox_lock(ob) < 0 ||
	    announce_recover(st->repo, ob) < 0) {
		ret = -1;
		goto out;
	}
	last_path = xstrfmt("%s/last-tick", outbox_dir(ob));
	last = read_last(last_path);
	for (i = 0; i < branches.nr; i++)
		if (tick_branch(st, ob, branches.v[i], last, st->now, s) < 0)
			ret = -1;
	/* scheduled digests (herald.NAME.digest), of the first watched branch */
	if (digest_tick(st, ob, branches.nr ? branches.v[0] : NULL, stdout, &s->queued) < 0)
		ret = -1;
	if (!ret && tick_stamp(last_path, st->now) < 0)
		ret = -1;
	if (tick_deliver(st, ob, o, s) < 0)
		ret = -1;
out:
	free(last_path);
	strvec_clear(&branches);
	outbox_close(ob);
	return ret;
}
