#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "herald/announce.h"
#include "herald/baseline.h"
#include "herald/ci.h"
#include "herald/cienv.h"
#include "herald/deliver.h"
#include "herald/fileio.h"
#include "herald/gitstate.h"
#include "herald/hookio.h"
#include "herald/outbox.h"
#include "herald/range.h"
#include "herald/setup.h"
#include "herald/state.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* Runs racing for refs/herald/state: after this many lost pushes, give up. */
#define MAX_TRIES 8
/* A lease outlasts the run's budget by this much (pushes, slow receivers). */
#define LEASE_MARGIN 300
/* Deepening a shallow clone towards a range's merge base, in steps. */
static const char *const deepen_steps[] = { "--deepen=50", "--deepen=500", "--unshallow" };

static const char *env_get(const char *name)
{
	return getenv(name);
}

static long config_long(struct repo *r, const char *key, long def)
{
	char *v = repo_config_string(r, key), *end;
	long n;

	if (!v)
		return def;
	n = strtol(v, &end, 10);
	if (end == v || *end || n < 0)
		n = def;
	free(v);
	return n;
}

/*
 * The watched branches. A CI clone's HEAD is often detached, so when git
 * config names none and HEAD names none, the default branch comes from the
 * CI or from the remote's HEAD.
 */
static int watched_branches(struct setup *st, const struct ci_push *p, const char *remote,
			    struct strvec *out)
{
	git_reference *head = NULL;
	char *name;

	if (hookio_branches(st->repo, out) < 0)
		return -1;
	if (out->nr)
		return 0;
	if (p && p->default_branch) {
		strvec_push(out, p->default_branch);
		return 0;
	}
	name = xstrfmt("refs/remotes/%s/HEAD", remote);
	if (!git_reference_lookup(&head, st->repo->git, name) &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		const char *t = git_reference_symbolic_target(head);
		size_t n = strlen("refs/remotes/") + strlen(remote) + 1;
		if (strlen(t) > n && !strncmp(t, name, n))
			strvec_push_nodup(out, xstrfmt("refs/heads/%s", t + n));
	}
	git_reference_free(head);
	free(name);
	return 0;
}

/* GitHub hides these values wherever they would appear in the job's log. */
static void mask_secrets(const struct target *t, size_t nr, FILE *out)
{
	const char *gha = getenv("GITHUB_ACTIONS");
	size_t i, j;

	if (!gha || strcmp(gha, "true"))
		return;
	for (i = 0; i < nr; i++) {
		if (t[i].url && *t[i].url && !strchr(t[i].url, '\n'))
			fprintf(out, "::add-mask::%s\n", t[i].url);
		if (t[i].token && *t[i].token && !strchr(t[i].token, '\n'))
			fprintf(out, "::add-mask::%s\n", t[i].token);
		for (j = 0; j < t[i].secrets.nr; j++)
			if (*t[i].secrets.v[j] && !strchr(t[i].secrets.v[j], '\n'))
				fprintf(out, "::add-mask::%s\n", t[i].secrets.v[j]);
	}
}

static int has_commit(struct repo *r, const git_oid *id)
{
	git_commit *c = NULL;
	int ok = !git_commit_lookup(&c, r->git, id);

	git_commit_free(c);
	return ok;
}

static const char *const shallow_hint =
	"set fetch-depth: 0 (actions/checkout) or GIT_DEPTH: 0 (GitLab)";

/*
 * Makes sure `id` is in the clone, fetching just that commit (into a
 * shallow clone without its history): a clone made before a later push
 * lacks what that push brought. Found when present, missing when the
 * remote has it no more and the clone is full (so it is gone for good).
 */
static enum lookup need_commit(struct repo *r, struct gitstate *gs, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc, shallow = git_repository_is_shallow(r->git) == 1;

	if (has_commit(r, id))
		return LOOKUP_FOUND;
	git_oid_tostr(hex, sizeof(hex), id);
	if (gs && gs->remote) {
		const char *args[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
				       shallow ? "--depth=1" : "--no-tags", "--", gs->remote, hex, NULL };
		struct strbuf err = STRBUF_INIT;
		rc = gitstate_git(gs, args, NULL, &err);
		strbuf_release(&err); /* the one line below says what to do */
		if (rc < 0)
			return LOOKUP_ERROR;
		if (!rc && has_commit(r, id))
			return LOOKUP_FOUND;
	}
	if (!shallow)
		return LOOKUP_MISSING;
	error("the clone is shallow and lacks %s; %s", hex, shallow_hint);
	return LOOKUP_ERROR;
}

/*
 * In a shallow clone, deepens the history until `from` and `to` meet, so
 * each event is attributed to the commit that made it. The announcement
 * itself compares the two trees and needs no more than both commits.
 */
static void deepen(struct repo *r, struct gitstate *gs, const git_oid *from, const git_oid *to)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
	size_t i;

	git_oid_tostr(a, sizeof(a), from);
	git_oid_tostr(b, sizeof(b), to);
	for (i = 0; git_repository_is_shallow(r->git) && gs && gs->remote &&
		    i < sizeof(deepen_steps) / sizeof(*deepen_steps); i++) {
		const char *base[] = { "merge-base", a, b, NULL };
		/* both ends: a late re-run's baseline is the newer one */
		const char *fetch[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
					deepen_steps[i], "--", gs->remote, b, a, NULL };
		struct strbuf err = STRBUF_INIT;
		int done = !gitstate_git(gs, base, NULL, &err) || gitstate_git(gs, fetch, NULL, &err);
		strbuf_release(&err);
		if (done)
			return;
	}
}

/* What the post-receive hook's process_update() does, for the CI's push. */
static int process_push(struct setup *st, struct gitstate *gs, struct outbox *ob,
			const struct ci_push *p, const struct strvec *branches,
			const struct ci_options *o, FILE *out)
{
	struct baseline b;
	git_object *obj = NULL, *commit = NULL;
	git_oid base, after;
	struct range rg = { NULL, NULL };
	git_tree *tree = NULL;
	struct announce_options ao;
	struct announce_stats s;
	int rc, ret = 0;

	if (!p->ref) {
		fprintf(out, "herald: the CI names no branch (a tag or a merge request); nothing to announce\n");
		goto out;
	}
	if (!strvec_has(branches, p->ref)) {
		fprintf(out, "herald: %s is not a watched branch (herald.branch); nothing to announce\n",
			p->ref);
		goto out;
	}
	baseline_init(&b, st->repo, o->dry_run);
	if (!p->after) {
		ret = baseline_deleted(&b, p->ref, out);
		goto out;
	}
	if (!git_oid_fromstr(&after, p->after) && strlen(p->after) == GIT_OID_HEXSZ &&
	    need_commit(st->repo, gs, &after) != LOOKUP_FOUND) {
		ret = error("the commit %s is not in the clone", p->after);
		goto out;
	}
	if (git_revparse_single(&obj, st->repo->git, p->after) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		ret = error("unknown revision '%s'", p->after);
		goto out;
	}
	git_oid_cpy(&after, git_object_id(commit));
	rc = baseline_begin(&b, p->ref, &after, &base, out);
	if (rc != LOOKUP_FOUND) {
		ret = rc == LOOKUP_ERROR ? -1 : 0;
		goto out;
	}
	if (git_oid_equal(&base, &after)) {
		fprintf(out, "herald: %s was announced up to %.7s already\n", p->ref, repo_hex(&after));
		goto out;
	}
	rc = need_commit(st->repo, gs, &base);
	if (rc == LOOKUP_ERROR) {
		ret = -1;
		goto out;
	}
	if (rc == LOOKUP_MISSING) {
		/* rewritten and collected: what it held cannot be compared any more */
		warning("the baseline %s of %s is gone from the repository; watching from %.7s on",
			repo_hex(&base), p->ref, repo_hex(&after));
		ret = baseline_move(&b, p->ref, &base, &after, "herald: processed push");
		goto out;
	}
	deepen(st->repo, gs, &base, &after);
	if (git_graph_descendant_of(st->repo->git, &base, &after) == 1) {
		/* a re-run of an older push: the baseline is past it already */
		fprintf(out, "herald: %s was announced up to %.7s, past %.7s\n", p->ref,
			repo_hex(&base), git_oid_tostr_s(&after));
		goto out;
	}
	if (setup_push_range(st, &base, &after, p->ref, &rg, &tree) < 0) {
		ret = -1;
		goto out;
	}
	if (announce_options_push(&ao, st->repo, ob, o->dry_run, out) < 0 ||
	    announce_range(st, &rg, &ao, &s) < 0) {
		ret = -1;
		goto out;
	}
	/* a net diff: the next push starts where this one ended */
	ret = baseline_move(&b, p->ref, &base, &after, "herald: processed push");
out:
	git_tree_free(tree);
	range_release(&rg);
	git_object_free(commit);
	git_object_free(obj);
	return ret;
}

/* The deliveries this run holds a lease on, with when they were due. */
struct lease {
	char *id;
	long long due;
	char *pending, *dead; /* their files after delivering, or NULL: gone */
	size_t pending_len, dead_len;
};

static void leases_free(struct lease *l, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(l[i].id);
		free(l[i].pending);
		free(l[i].dead);
	}
	free(l);
}

/*
 * Moves every due delivery's next attempt to `until`, remembering when it
 * was due: the pushed state then tells other runs these are taken.
 */
static int take_leases(struct outbox *ob, long long now, long long until,
		       struct lease **out, size_t *nr)
{
	struct outbox_entry *e = NULL;
	size_t n = 0, i, alloc = 0;
	int ret = 0;

	*out = NULL;
	*nr = 0;
	if (outbox_list(ob, 0, &e, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		long long due = e[i].next_attempt;
		if (ret || due > now)
			continue;
		e[i].next_attempt = until;
		if (outbox_put(ob, &e[i]) < 0) {
			ret = -1;
			continue;
		}
		ALLOC_GROW(*out, *nr + 1, alloc);
		memset(&(*out)[*nr], 0, sizeof(**out));
		(*out)[*nr].id = xstrdup(e[i].id);
		(*out)[*nr].due = due;
		(*nr)++;
	}
	for (i = 0; i < n; i++)
		outbox_entry_release(&e[i]);
	free(e);
	return ret;
}

/* Back to their own schedule in this clone, so deliver_due() finds them due. */
static int end_leases(struct outbox *ob, const struct lease *l, size_t nr)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct outbox_entry e;
		int dead = 0;
		outbox_entry_init(&e);
		if (outbox_get(ob, l[i].id, &e, &dead) == LOOKUP_FOUND && !dead) {
			e.next_attempt = l[i].due;
			ret = outbox_put(ob, &e);
		}
		outbox_entry_release(&e);
	}
	return ret;
}

static char *read_optional(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, 64u << 20) < 0) {
		strbuf_release(&sb);
		*len = 0;
		return NULL;
	}
	return strbuf_detach(&sb, len);
}

/* Keeps the files of each leased delivery as delivering left them. */
static void keep_outcome(const char *herald_dir, struct lease *l, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		char *p = xstrfmt("%s/outbox/%s.json", herald_dir, l[i].id);
		char *d = xstrfmt("%s/dead/%s.json", herald_dir, l[i].id);
		l[i].pending = read_optional(p, &l[i].pending_len);
		l[i].dead = read_optional(d, &l[i].dead_len);
		free(p);
		free(d);
	}
}

static int put_or_remove(const char *path, const char *data, size_t len)
{
	if (data)
		return fileio_write_atomic(path, data, len, 0600);
	if (unlink(path) < 0 && errno != ENOENT)
		return error("cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

static int apply_outcome(const char *herald_dir, const struct lease *l, size_t nr)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		char *p = xstrfmt("%s/outbox/%s.json", herald_dir, l[i].id);
		char *d = xstrfmt("%s/dead/%s.json", herald_dir, l[i].id);
		ret = put_or_remove(p, l[i].pending, l[i].pending_len);
		if (!ret)
			ret = put_or_remove(d, l[i].dead, l[i].dead_len);
		free(p);
		free(d);
	}
	return ret;
}

/* Adds to `to` what happened between `before` and `after` (this run's attempts). */
static int replay_status(const char *herald_dir, struct state *before, struct state *after)
{
	struct state *to;
	size_t i;
	unsigned long long k;
	int ret;

	if (!before || !after)
		return 0; /* nothing was attempted */
	if (!(to = state_open(herald_dir)))
		return -1;
	for (i = 0; i < state_count(after); i++) {
		const struct state_target *a = state_at(after, i);
		const struct state_target *b = state_find(before, a->name);
		unsigned long long ok = a->successes - (b ? b->successes : 0);
		unsigned long long bad = a->failures - (b ? b->failures : 0);
		for (k = 0; k < ok && k < 10000; k++)
			state_record(to, a->name, 1, 0, NULL, a->last_success);
		for (k = 0; k < bad && k < 10000; k++)
			state_record(to, a->name, 0, a->last_status, a->last_error, a->last_failure);
	}
	ret = state_save(to);
	state_close(to);
	return ret;
}

/* What happened to each leased delivery, in words a person reads. */
static void report(struct outbox *ob, struct outbox_entry *before, size_t n,
		   const struct lease *l, size_t nl, FILE *out)
{
	size_t i, j, queued = 0, later = 0;

	for (i = 0; i < n; i++) {
		int mine = 0;

		for (j = 0; j < nl && !mine; j++)
			mine = !strcmp(l[j].id, before[i].id);
		if (!mine)
			later++; /* not due yet, or another run's */
		else if (announce_tell_outcome(ob, &before[i], false, out))
			queued++;
	}
	if (queued)
		fprintf(out, "herald: %zu deliver%s queued; the next run retries\n", queued,
			queued == 1 ? "y" : "ies");
	if (later)
		fprintf(out, "herald: %zu deliver%s wait%s for a later run\n", later,
			later == 1 ? "y" : "ies", later == 1 ? "s" : "");
}

/* Steps 1-3: until this run's claim is in the remote's state. */
static int claim(struct setup *st, struct gitstate *gs, bool use_git, const char *herald_dir,
		 const struct ci_push *p, const struct strvec *branches,
		 const struct ci_options *o, long budget, long long *now,
		 struct outbox **obp, struct lease **leases, size_t *nl)
{
	int tries;

	for (tries = 0; tries < MAX_TRIES; tries++) {
		struct outbox *ob = NULL;
		char *text = NULL;
		size_t len = 0;
		FILE *mem = NULL;
		bool stale = false;

		if (use_git && (gitstate_fetch(gs) < 0 || gitstate_checkout(gs, herald_dir, 1) < 0))
			return -1;
		if (!(ob = outbox_open(st->repo->gitdir)) || outbox_lock(ob) < 0)
			goto fail;
		/* what a lost claim said must not reach the log: it did not happen */
		if (!(mem = open_memstream(&text, &len))) {
			error("cannot buffer output: %s", strerror(errno));
			goto fail;
		}
		if (p && process_push(st, gs, ob, p, branches, o, mem) < 0)
			goto fail;
		if (!o->dry_run && use_git) {
			/* after announcing: what it just queued is due too */
			*now = (long long)time(NULL);
			if (take_leases(ob, *now, *now + budget + LEASE_MARGIN, leases, nl) < 0)
				goto fail;
			if (gitstate_push(gs, herald_dir, p && p->after ? "announce" : "lease deliveries",
					  &stale) < 0)
				goto fail;
		}
		fclose(mem);
		mem = NULL;
		if (!stale) {
			fwrite(text, 1, len, o->out);
			free(text);
			*obp = ob;
			return 0;
		}
		fprintf(o->out, "herald: another run updated %s first; reading it again\n", GITSTATE_REF);
		free(text);
		leases_free(*leases, *nl);
		*leases = NULL;
		*nl = 0;
		outbox_close(ob);
		continue;
fail:
		if (mem)
			fclose(mem);
		if (text && len) /* the messages explain the error that follows */
			fwrite(text, 1, len, o->out);
		free(text);
		outbox_close(ob);
		return -1;
	}
	return error("%d other runs updated %s first; giving up", MAX_TRIES, GITSTATE_REF);
}

/* Step 5: push the outcome, re-applied on top of whatever other runs pushed. */
static int settle(struct gitstate *gs, const char *herald_dir, struct lease *l, size_t nl,
		  struct state *before, struct state *after, FILE *out)
{
	bool stale;
	int tries;

	for (tries = 0; tries < MAX_TRIES; tries++) {
		if (gitstate_push(gs, herald_dir, "deliver", &stale) < 0)
			return -1;
		if (!stale)
			return 0;
		fprintf(out, "herald: another run updated %s meanwhile; merging this run's deliveries\n",
			GITSTATE_REF);
		if (gitstate_fetch(gs) < 0 || gitstate_checkout(gs, herald_dir, 1) < 0 ||
		    apply_outcome(herald_dir, l, nl) < 0 || replay_status(herald_dir, before, after) < 0)
			return -1;
	}
	return error("%d other runs updated %s first; giving up", MAX_TRIES, GITSTATE_REF);
}

int ci_run(struct setup *st, const struct ci_options *o)
{
	struct ci_push push;
	struct gitstate gs;
	struct strvec branches = STRVEC_INIT;
	struct target *targets = NULL;
	struct outbox *ob = NULL;
	struct outbox_entry *pending = NULL;
	struct lease *leases = NULL;
	struct state *before = NULL, *after = NULL;
	size_t nt = 0, np = 0, nl = 0, alloc = 0, i;
	char *herald_dir = xstrfmt("%sherald", st->repo->gitdir);
	long budget;
	long long now;
	bool use_git;
	int have_gs = 0, ret = -1;

	memset(&push, 0, sizeof(push));
	memset(&gs, 0, sizeof(gs));
	if (gitstate_wanted(st->repo, o->state, true, &use_git) < 0)
		goto out;
	if (targets_load(st->repo, &targets, &nt) < 0)
		goto out;
	mask_secrets(targets, nt, o->out);
	if (!o->deliver_only && cienv_read(&push, env_get) < 0)
		goto out;
	/* local state: only a shallow clone needs the remote */
	if (use_git ? gitstate_init(&gs, st->repo) < 0 : !gitstate_init_quiet(&gs, st->repo)) {
		gitstate_release(&gs);
		if (use_git)
			goto out;
	} else {
		have_gs = 1;
	}
	if (!o->deliver_only &&
	    watched_branches(st, &push, have_gs ? gs.remote : "origin", &branches) < 0)
		goto out;
	budget = o->budget ? o->budget : config_long(st->repo, "herald.ciBudget", 60);
	now = (long long)time(NULL);
	if (claim(st, have_gs ? &gs : NULL, use_git, herald_dir, o->deliver_only ? NULL : &push,
		  &branches, o, budget, &now, &ob, &leases, &nl) < 0)
		goto out;
	if (!use_git)
		now = (long long)time(NULL);
	if (!use_git) {
		/* a local outbox has no lease: everything due is this run's */
		gitstate_release(&gs);
		have_gs = 0;
	}
	if (o->dry_run) {
		ret = 0;
		goto out;
	}
	if (use_git && end_leases(ob, leases, nl) < 0)
		goto out;
	if (outbox_list(ob, 0, &pending, &np) < 0)
		goto out;
	if (!use_git) {
		/* every due entry is ours to report on */
		for (i = 0; i < np; i++) {
			if (pending[i].next_attempt > now)
				continue;
			ALLOC_GROW(leases, nl + 1, alloc);
			memset(&leases[nl], 0, sizeof(*leases));
			leases[nl++].id = xstrdup(pending[i].id);
		}
	}
	if (np) {
		struct deliver_options d;
		struct deliver_stats ds;
		for (i = 0; i < nt; i++)
			if (targets[i].problem)
				warning("target '%s' is skipped: %s", targets[i].name, targets[i].problem);
		memset(&d, 0, sizeof(d));
		d.max_time = (double)budget;
		/* with state in git, due means due when the leases were taken */
		if (use_git)
			d.now = now;
		if (!(before = state_open(herald_dir)) || deliver_due(ob, targets, nt, &d, &ds) < 0)
			goto out;
		report(ob, pending, np, leases, nl, o->out);
	}
	if (use_git) {
		keep_outcome(herald_dir, leases, nl);
		if (!(after = state_open(herald_dir)) ||
		    settle(&gs, herald_dir, leases, nl, before, after, o->out) < 0)
			goto out;
	}
	ret = 0;
out:
	state_close(before);
	state_close(after);
	for (i = 0; i < np; i++)
		outbox_entry_release(&pending[i]);
	free(pending);
	leases_free(leases, nl);
	outbox_close(ob);
	targets_free(targets, nt);
	strvec_clear(&branches);
	if (have_gs)
		gitstate_release(&gs);
	cienv_release(&push);
	free(herald_dir);
	return ret;
}
