#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <jansson.h>

#include "herald/announce.h"
#include "herald/baseline.h"
#include "herald/changes.h"
#include "herald/deliver.h"
#include "herald/fileio.h"
#include "herald/gate.h"
#include "herald/handoff.h"
#include "herald/heap.h"
#include "herald/receive.h"
#include "herald/hookio.h"
#include "herald/outbox.h"
#include "herald/perftrace.h"
#include "herald/range.h"
#include "herald/setup.h"
#include "herald/target.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* herald.hookBudget: seconds, fractions allowed ("0.5"); default 3. */
static double config_budget(struct repo *r)
{
	char *v = repo_config_string(r, "herald.hookBudget"), *end;
	double n = 3;

	if (v) {
		n = strtod(v, &end);
		if (end == v || !(n >= 0) || n > 86400) {
			warning("herald.hookBudget is '%s'; using 3 seconds", v);
			n = 3;
		} else if (*end == 'm') {
			n *= 60;
		}
	}
	free(v);
	return n;
}

static int config_bool(struct repo *r, const char *key)
{
	char *v = repo_config_string(r, key);
	int b = 0;

	if (v && git_config_parse_bool(&b, v) < 0)
		b = 0;
	free(v);
	return b;
}

/*
 * The scan runs in a thread so the hook can leave at its deadline however
 * long git takes (a commit renaming thousands of files): reading is all it
 * does, so nothing is left half written when the process ends under it.
 */
struct scan_job {
	struct repo *repo;
	git_commit *from, *to;
	struct changes_options co;
	struct event_list events;
	int rc;
};

static void scan_thread(void *arg)
{
	struct scan_job *j = arg;

	j->rc = changes_scan(j->repo, j->from, j->to, &j->co, &j->events);
}

/*
 * 0 with the events in *out (the caller releases them), or with *late set
 * when the deadline came first; -1 after error().
 */
static int scan_within(struct scan_job *j, const struct handoff *d, struct event_list *out,
		       bool *late)
{
	*late = !handoff_run(d, scan_thread, j);
	if (*late)
		return 0; /* the thread is still reading; the caller leaves */
	if (j->rc < 0)
		return -1;
	*out = j->events;
	return 0;
}

struct hook {
	struct setup st;
	struct outbox *ob;
	struct handoff deadline;
	struct baseline base; /* decides what a dry run leaves */
	int dry, skip;
	int out_of_time; /* a scan outran the budget: leave now */
	struct strvec own; /* ids this push put in the outbox */
	FILE *out;
};

/*
 * One branch update. The baseline only ever moves to what the branch is
 * now, read under the lock: git serialises ref updates but not the hooks
 * that follow them, so this update may be stale (a later push's hook may
 * have run, or be about to run, for the branch as it is).
 */
static int process_update(struct hook *h, const struct ref_update *u)
{
	struct setup *st = &h->st;
	FILE *out = h->out;
	git_oid base_id, tip;
	struct range rg = { NULL, NULL };
	git_tree *tree = NULL;
	struct announce_options o;
	struct announce_stats s;
	struct scan_job job;
	struct event_list events;
	int have_tip, rc, ret = 0;
	bool late;

	event_list_init(&events);

	if (strncmp(u->ref, "refs/heads/", 11))
		return 0;
	have_tip = !git_reference_name_to_id(&tip, st->repo->git, u->ref);
	if (git_oid_is_zero(&u->new_id)) {
		if (have_tip) {
			fprintf(out, "herald: %s was pushed again since it was deleted; "
				"nothing to do for the deletion\n", u->ref);
			goto out;
		}
		/* a deleted branch: forget where it was */
		ret = baseline_deleted(&h->base, u->ref, out);
		goto out;
	}
	if (!have_tip || !git_oid_equal(&tip, &u->new_id)) {
		char now[GIT_OID_HEXSZ + 1] = "";
		if (have_tip)
			git_oid_tostr(now, sizeof(now), &tip);
		fprintf(out, "herald: %s %s since this push (%.7s); nothing to do for "
			"this update, the later push's run announces what the branch is\n",
			u->ref, have_tip ? "has moved on" : "was deleted",
			have_tip ? now : "gone");
		goto out;
	}
	/* first push, or a new branch: start here, announce nothing */
	rc = baseline_begin(&h->base, u->ref, &tip, &base_id, out);
	if (rc != LOOKUP_FOUND) {
		ret = rc == LOOKUP_ERROR ? -1 : 0;
		goto out;
	}
	if (git_oid_equal(&base_id, &tip))
		goto out;
	if (h->skip) {
		ret = baseline_move(&h->base, u->ref, &base_id, &tip, "herald: processed push");
		fprintf(out, "herald: skipped by push option; nothing announced for %s\n", u->ref);
		goto out;
	}
	if (setup_push_range(st, &base_id, &tip, u->ref, &rg, &tree) < 0) {
		ret = -1;
		goto out;
	}
	memset(&job, 0, sizeof(job));
	job.repo = st->repo;
	job.from = rg.from;
	job.to = rg.to;
	job.co.site = &st->site;
	job.co.now = st->now;
	job.co.drafts = 1;
	job.co.shown = 1; /* for targets that follow their posts */
	rc = scan_within(&job, &h->deadline, &events, &late);
	perftrace_mark("scan");
	if (!rc && late) {
		fprintf(out, "herald: reading %s took longer than herald.hookBudget; "
			"'herald tick' announces this push\n", u->ref);
		h->out_of_time = 1;
		goto out;
	}
	if (rc < 0) {
		ret = -1;
		goto out;
	}
	if (announce_options_push(&o, st->repo, h->ob, h->dry, out) < 0) {
		ret = -1;
		goto out;
	}
	o.baseline = &h->base;
	o.baseline_branch = u->ref;
	o.baseline_from = &base_id;
	o.baseline_to = &tip;
	o.queued_ids = &h->own;
	ret = announce_events(st, tree, &events, git_oid_tostr_s(&tip), &o, &s);
out:
	event_list_release(&events);
	git_tree_free(tree);
	if (!h->out_of_time)
		range_release(&rg);
	return ret;
}

/* What happened to this push's deliveries, in words the pusher reads. */
static void report(struct outbox *ob, struct outbox_entry *before, size_t n, FILE *out)
{
	size_t i, queued = 0;

	for (i = 0; i < n; i++)
		if (announce_tell_outcome(ob, &before[i], true, out))
			queued++;
	if (queued)
		fprintf(out, "herald: %zu deliver%s queued, will retry\n", queued,
			queued == 1 ? "y" : "ies");
}

int receive_post(FILE *out)
{
	struct hook h;
	struct ref_update *u = NULL;
	struct strvec branches = STRVEC_INIT;
	struct target *targets = NULL;
	struct outbox_entry *mine = NULL;
	size_t nu = 0, nt = 0, nm = 0, i;
	char *log = NULL;
	bool locked;

	memset(&h, 0, sizeof(h));
	strvec_init(&h.own);
	h.out = out;
	h.dry = hookio_push_option("herald.dry-run");
	h.skip = hookio_push_option("herald.skip");
	/* the scan thread stands in for this one, which waits for it */
	heap_share_with_threads();
	handoff_start(&h.deadline, 3);
	setup_init(&h.st);
	if (setup_open(&h.st) < 0)
		goto out;
	baseline_init(&h.base, h.st.repo, h.dry);
	handoff_start(&h.deadline, config_budget(h.st.repo));
	h.ob = outbox_open(h.st.repo->gitdir);
	if (!h.ob)
		goto out;
	log = xstrfmt("%s/log", outbox_dir(h.ob));
	usage_set_log(log);
	hookio_read(stdin, &u, &nu);
	if (hookio_branches(h.st.repo, &branches) < 0)
		goto out;
	if (handoff_lock(&h.deadline, h.ob, &locked) < 0 || !locked) {
		fprintf(out, "herald: another herald run holds the outbox; 'herald tick' will announce this push\n");
		goto out;
	}
	if (!h.dry && announce_recover(h.st.repo, h.ob) < 0) {
		error("not announced; 'herald tick' catches up once herald's files can be written");
		goto out;
	}
	perftrace_mark("setup"); /* the waiting for the lock included */
	for (i = 0; i < nu && !h.out_of_time; i++) {
		if (!strvec_has(&branches, u[i].ref))
			continue; /* tags and other branches */
		if (process_update(&h, &u[i]) < 0)
			error("%s: not announced; the next push or 'herald tick' catches up", u[i].ref);
	}
	if (h.out_of_time) {
		/* the scan thread still reads the repository: leave it be */
		outbox_unlock(h.ob);
		perftrace_report("hook", "post-receive"); /* main() never gets to it */
		fflush(NULL);
		_exit(0);
	}
	if (h.dry)
		goto out;
	/* a failure may have left a transaction to undo: nothing of it goes out */
	if (announce_recover(h.st.repo, h.ob) < 0)
		goto out;
	if (config_bool(h.st.repo, "herald.background")) {
		outbox_unlock(h.ob);
		handoff_deliver_in_background();
		fprintf(out, "herald: delivering in the background\n");
		goto out;
	}
	if (!h.own.nr)
		goto out;
	if (targets_load(h.st.repo, &targets, &nt) < 0)
		goto out;
	mine = xcalloc(h.own.nr, sizeof(*mine));
	for (i = 0; i < h.own.nr; i++) {
		outbox_entry_init(&mine[nm]);
		if (outbox_get(h.ob, h.own.v[i], &mine[nm], NULL) == LOOKUP_FOUND)
			nm++;
	}
	{
		struct deliver_options d;
		struct deliver_stats ds;
		double left = handoff_left(&h.deadline);
		memset(&d, 0, sizeof(d));
		/* what is left of the budget; none left: `herald deliver` sends it */
		d.max_time = left > 0.001 ? left : 0.001;
		if (deliver_due(h.ob, targets, nt, &d, &ds) == 0)
			report(h.ob, mine, nm, out);
		perftrace_mark("request");
	}
out:
	for (i = 0; i < nm; i++)
		outbox_entry_release(&mine[i]);
	free(mine);
	targets_free(targets, nt);
	hookio_free(u, nu);
	strvec_clear(&branches);
	strvec_clear(&h.own);
	outbox_close(h.ob);
	setup_release(&h.st);
	usage_set_log(NULL);
	free(log);
	fflush(out);
	return 0; /* the push has happened: never fail it */
}

int receive_pre(FILE *out)
{
	struct setup st;
	struct ref_update *u = NULL;
	struct strvec branches = STRVEC_INIT;
	size_t nu = 0, i;
	unsigned long errors = 0;
	char *mode = NULL;
	int reject, ret = 0;

	setup_init(&st);
	if (setup_open(&st) < 0)
		goto out;
	mode = repo_config_string(st.repo, "herald.lint");
	reject = mode && !strcmp(mode, "reject");
	if (mode && strcmp(mode, "reject") && strcmp(mode, "warn") && strcmp(mode, "off"))
		warning("herald.lint is '%s'; use reject, warn or off", mode);
	if (mode && !strcmp(mode, "off"))
		goto out;
	hookio_read(stdin, &u, &nu);
	if (hookio_branches(st.repo, &branches) < 0)
		goto out;
	perftrace_mark("setup");
	for (i = 0; i < nu; i++)
		if (strvec_has(&branches, u[i].ref) && !git_oid_is_zero(&u[i].new_id))
			errors += gate_update(&st, &u[i], out);
	perftrace_mark("check");
	if (errors && reject) {
		fprintf(out, "herald: push refused: %lu front matter error%s (herald.lint = reject)\n",
			errors, errors == 1 ? "" : "s");
		ret = 1;
	}
out:
	fflush(out);
	free(mode);
	hookio_free(u, nu);
	strvec_clear(&branches);
	setup_release(&st);
	return ret;
}
