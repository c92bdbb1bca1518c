#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <jansson.h>

#include "herald/baseline.h"
#include "herald/date.h"
#include "herald/duration.h"
#include "herald/fileio.h"
#include "herald/gitstate.h"
#include "herald/health.h"
#include "herald/hookio.h"
#include "herald/outbox.h"
#include "herald/repo.h"
#include "herald/state.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* --- gathering --- */

/* A fresh repository has no herald folder: nothing to count, nothing made. */
static int load_outbox(struct health *rp, const char *gitdir)
{
	struct outbox *ob = NULL;
	char *dir = xstrfmt("%s/herald", gitdir);
	struct stat st;
	int ret = 0;

	if (!(rp->state = state_open(dir))) {
		ret = -1;
		goto out;
	}
	if (stat(dir, &st) < 0 && errno == ENOENT)
		goto out;
	if (!(ob = outbox_open(gitdir)) ||
	    outbox_stats(ob, &rp->pending, &rp->dead, &rp->oldest) < 0)
		ret = -1;
out:
	outbox_close(ob);
	free(dir);
	return ret;
}

static int cmp_baseline(const void *a_, const void *b_)
{
	const struct base_row *a = a_, *b = b_;

	return strcmp(a->branch, b->branch);
}

static void add_baseline(struct health *rp, git_repository *git, const char *branch,
			 const git_oid *oid)
{
	struct base_row *b;
	git_object *obj = NULL;
	git_buf buf = { NULL, 0, 0 };

	ALLOC_GROW(rp->bases, rp->bases_nr + 1, rp->bases_alloc);
	b = &rp->bases[rp->bases_nr++];
	memset(b, 0, sizeof(*b));
	b->branch = xstrdup(branch);
	if (!oid)
		return;
	git_oid_tostr(b->id, sizeof(b->id), oid);
	snprintf(b->short_id, sizeof(b->short_id), "%.7s", b->id);
	/* a pruned or foreign object still shows its id, without a date */
	if (git_object_lookup(&obj, git, oid, GIT_OBJECT_COMMIT) < 0)
		goto out;
	b->date = (long long)git_commit_time((git_commit *)obj);
	if (!git_object_short_id(&buf, obj) && buf.ptr)
		snprintf(b->short_id, sizeof(b->short_id), "%s", buf.ptr);
out:
	git_buf_dispose(&buf);
	git_object_free(obj);
}

static int load_baselines(struct health *rp, struct repo *r)
{
	struct baseline b;
	struct strvec branches = STRVEC_INIT;
	git_oid *ids = NULL;
	size_t i;

	baseline_init(&b, r, 0);
	if (baseline_list(&b, &branches, &ids) < 0)
		return -1;
	for (i = 0; i < branches.nr; i++)
		add_baseline(rp, r->git, branches.v[i] + strlen("refs/heads/"),
			     git_oid_is_zero(&ids[i]) ? NULL : &ids[i]);
	strvec_clear(&branches);
	free(ids);
	return 0;
}

/*
 * When the branch first moved past its baseline: the oldest update in its
 * reflog whose commit the baseline does not contain, else (bare
 * repositories keep no reflog by default) when the loose ref was last
 * written, else when packed-refs was (refs are packed after the push, so
 * this errs late, never early).
 */
static long long lag_since(struct repo *r, const char *ref, const git_oid *base)
{
	git_reflog *log = NULL;
	long long since = 0;
	struct stat st;
	char *path;
	size_t i, n;

	if (!git_reflog_read(&log, r->git, ref) && (n = git_reflog_entrycount(log))) {
		for (i = 0; i < n; i++) {
			const git_reflog_entry *e = git_reflog_entry_byindex(log, i);
			const git_oid *id = git_reflog_entry_id_new(e);
			if (git_oid_equal(id, base) || git_graph_descendant_of(r->git, base, id) == 1)
				break;
			since = (long long)git_reflog_entry_committer(e)->when.time;
		}
		git_reflog_free(log);
		if (since)
			return since;
	}
	git_reflog_free(log);
	path = xstrfmt("%s/%s", git_repository_commondir(r->git), ref);
	if (!lstat(path, &st) && S_ISREG(st.st_mode))
		since = (long long)st.st_mtime;
	free(path);
	if (!since) {
		path = xstrfmt("%s/packed-refs", git_repository_commondir(r->git));
		if (!lstat(path, &st) && S_ISREG(st.st_mode))
			since = (long long)st.st_mtime;
		free(path);
	}
	return since;
}

static int load_lags(struct health *rp, struct repo *r)
{
	struct strvec branches = STRVEC_INIT;
	struct baseline b;
	size_t i;

	baseline_init(&b, r, 0);
	if (hookio_branches(r, &branches) < 0)
		return -1;
	for (i = 0; i < branches.nr; i++) {
		git_oid tip, base;
		struct lag *l;

		if (!git_reference_name_to_id(&tip, r->git, branches.v[i]) &&
		    baseline_read(&b, branches.v[i], &base) == LOOKUP_FOUND && !git_oid_equal(&tip, &base)) {
			ALLOC_GROW(rp->lags, rp->lags_nr + 1, rp->lags_alloc);
			l = &rp->lags[rp->lags_nr++];
			memset(l, 0, sizeof(*l));
			l->branch = xstrdup(branches.v[i] + strlen("refs/heads/"));
			git_oid_tostr(l->tip, sizeof(l->tip), &tip);
			git_oid_tostr(l->base, sizeof(l->base), &base);
			l->since = lag_since(r, branches.v[i], &base);
		}
	}
	strvec_clear(&branches);
	return 0;
}

static long long lag_age(const struct health *rp, const struct lag *l)
{
	return l->since && rp->now > l->since ? rp->now - l->since : 0;
}

/*
 * Can herald still write its own files? A probe of the size of an outbox
 * entry is written (temp file, fsync, rename) and removed, and a
 * transaction record left behind (herald/txn) means a run could not
 * finish its writes.
 */
static void check_writable(struct health *rp, const char *gitdir)
{
	char *dir = xstrfmt("%s/herald", gitdir), *probe = xstrfmt("%s/.probe", dir);
	char *txn = xstrfmt("%s/txn", dir);
	char buf[8192];
	struct stat st;

	if (stat(dir, &st) < 0)
		goto out; /* nothing written yet, nothing to check */
	memset(buf, '\n', sizeof(buf));
	if (fileio_fault("probe") < 0 || access(dir, W_OK) < 0)
		rp->write_error = xstrfmt("cannot write in '%s': %s", dir, strerror(errno));
	else if (fileio_write_atomic(probe, buf, sizeof(buf), 0600) < 0)
		rp->write_error = xstrfmt("cannot write in '%s'", dir);
	unlink(probe);
	rp->interrupted = !lstat(txn, &st);
out:
	free(dir);
	free(probe);
	free(txn);
}

/*
 * herald.state = git (or --state git): the state of refs/herald/state,
 * fetched from the remote (or, when it cannot be reached, the local
 * copy), read from a scratch copy so nothing of the clone's changes.
 */
static int load_git_state(struct health *rp, struct repo *r)
{
	struct gitstate gs;
	struct strvec branches = STRVEC_INIT;
	git_oid *ids = NULL;
	char *dir = NULL;
	size_t i;
	int ret = -1;

	if (gitstate_init(&gs, r) < 0)
		goto out;
	if (gitstate_fetch(&gs) < 0) {
		warning("showing the local copy of " GITSTATE_REF);
		if (gitstate_use_local(&gs) < 0)
			goto out;
	}
	if (!gs.has_tip)
		warning("there is no " GITSTATE_REF " yet: no 'herald ci' has run");
	if (gitstate_snapshot(&gs, &dir) < 0 || load_outbox(rp, dir) < 0 ||
	    gitstate_baselines(&gs, &branches, &ids) < 0)
		goto out;
	for (i = 0; i < branches.nr; i++)
		add_baseline(rp, r->git, branches.v[i] + strlen("refs/heads/"), &ids[i]);
	if (rp->bases_nr)
		qsort(rp->bases, rp->bases_nr, sizeof(*rp->bases), cmp_baseline);
	ret = 0;
out:
	gitstate_snapshot_remove(dir);
	free(dir);
	free(ids);
	strvec_clear(&branches);
	gitstate_release(&gs);
	return ret;
}

/* "45 s", "3 min", "5 h", "12 days" */
static void span_text(long long s, char *buf, size_t size)
{
	if (s < 120)
		snprintf(buf, size, "%lld s", s);
	else if (s < 120 * 60)
		snprintf(buf, size, "%lld min", s / 60);
	else if (s < 48 * 3600)
		snprintf(buf, size, "%lld h", s / 3600);
	else
		snprintf(buf, size, "%lld days", s / 86400);
}

static long long oldest_age(const struct health *rp)
{
	return rp->oldest && rp->now > rp->oldest ? rp->now - rp->oldest : 0;
}

static void find_alerts(struct health *rp)
{
	char age[32], limit[32];
	size_t i;

	for (i = 0; i < rp->lags_nr; i++) {
		const struct lag *l = &rp->lags[i];
		if (lag_age(rp, l) <= rp->alert_after)
			continue;
		span_text(lag_age(rp, l), age, sizeof(age));
		duration_format(rp->alert_after, limit, sizeof(limit));
		strvec_push_nodup(&rp->alerts,
				  xstrfmt("branch %s is at %.7s but announced only up to %.7s, "
					  "for %s, longer than herald.alertAfter (%s); run 'herald tick'",
					  l->branch, l->tip, l->base, age, limit));
	}
	if (rp->write_error)
		strvec_push_nodup(&rp->alerts, xstrfmt("%s; herald cannot record or announce", rp->write_error));
	if (rp->interrupted)
		strvec_push(&rp->alerts, "an announcement was interrupted (herald/txn); "
			    "the next push, 'herald tick' or 'herald deliver' finishes or undoes it");

	if (rp->dead)
		strvec_push_nodup(&rp->alerts,
				  xstrfmt("%zu dead deliver%s (see 'herald outbox list')",
					  rp->dead, rp->dead == 1 ? "y" : "ies"));
	if (rp->pending && oldest_age(rp) > rp->alert_after) {
		span_text(oldest_age(rp), age, sizeof(age));
		duration_format(rp->alert_after, limit, sizeof(limit));
		strvec_push_nodup(&rp->alerts,
				  xstrfmt("the oldest pending delivery has waited %s, "
					  "longer than herald.alertAfter (%s)", age, limit));
	}
}

int health_load(struct health *rp, struct repo *r, long long now, long long alert_after,
		int in_git)
{
	rp->now = now;
	rp->alert_after = alert_after;
	if (targets_load(r, &rp->targets, &rp->nr) < 0 ||
	    (in_git && load_git_state(rp, r) < 0) ||
	    (!in_git && (load_outbox(rp, r->gitdir) < 0 ||
			 load_baselines(rp, r) < 0 || load_lags(rp, r) < 0)))
		return -1;
	check_writable(rp, r->gitdir);
	find_alerts(rp);
	return 0;
}

/* --- text --- */

/* Names for JSON keys and labels: UTF-8 without control characters. */
static char *clean_name(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_add_utf8_lossy(&sb, s, strlen(s));
	for (i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7f)
			sb.buf[i] = '?';
	return strbuf_detach(&sb, NULL);
}

/* "2026-11-26T10:00:00Z (3 min ago)", or "never" */
static void when_text(long long t, long long now, char *buf, size_t size)
{
	char date[32], span[32];

	if (!t) {
		snprintf(buf, size, "never");
		return;
	}
	date_format(t, date, sizeof(date));
	span_text(t <= now ? now - t : t - now, span, sizeof(span));
	snprintf(buf, size, t <= now ? "%s (%s ago)" : "%s (in %s)", date, span);
}

void health_print_text(const struct health *rp, FILE *out)
{
	char when[96], span[32];
	size_t i;

	if (!rp->nr)
		fprintf(out, "no targets in git config (see 'herald targets')\n");
	for (i = 0; i < rp->nr; i++) {
		const struct target *t = &rp->targets[i];
		const struct state_target *s = state_find(rp->state, t->name);
		char *name = printable(t->name), *where = target_redact(t->url);
		char *kind = printable(t->kind ? t->kind : "?");

		fprintf(out, "target %s: %s, %s\n", name, kind, where);
		free(kind);
		if (t->problem) {
			char *why = printable(t->problem);
			fprintf(out, "  unusable       %s\n", why);
			free(why);
		}
		when_text(s ? s->last_success : 0, rp->now, when, sizeof(when));
		fprintf(out, "  last success   %s\n", when);
		when_text(s ? s->last_failure : 0, rp->now, when, sizeof(when));
		if (s && s->last_failure && s->last_status)
			fprintf(out, "  last failure   %s, status %d\n", when, s->last_status);
		else if (s && s->last_failure)
			fprintf(out, "  last failure   %s, no answer\n", when);
		else
			fprintf(out, "  last failure   %s\n", when);
		if (s && s->last_error) {
			char *err = printable(s->last_error);
			fprintf(out, "  last error     %s\n", err);
			free(err);
		}
		fprintf(out, "  deliveries     %llu succeeded, %llu failed\n",
		       s ? s->successes : 0, s ? s->failures : 0);
		free(name);
		free(where);
	}
	fprintf(out, "outbox\n");
	if (rp->pending && rp->oldest) {
		span_text(oldest_age(rp), span, sizeof(span));
		date_format(rp->oldest, when, sizeof(when));
		fprintf(out, "  pending        %zu, the oldest waiting %s (since %s)\n", rp->pending,
		       span, when);
	} else {
		fprintf(out, "  pending        %zu\n", rp->pending);
	}
	fprintf(out, "  dead           %zu\n", rp->dead);
	fprintf(out, "baselines\n");
	if (!rp->bases_nr)
		fprintf(out, "  none yet (the post-receive hook keeps " BASELINE_PREFIX "*)\n");
	for (i = 0; i < rp->bases_nr; i++) {
		const struct base_row *b = &rp->bases[i];

		when_text(b->date, rp->now, when, sizeof(when));
		char *branch = printable(b->branch);

		fprintf(out, "  %-14s %s %s\n", branch, b->short_id[0] ? b->short_id : "?",
		       b->date ? when : "(commit not found)");
		free(branch);
	}
	for (i = 0; i < rp->lags_nr; i++) {
		span_text(lag_age(rp, &rp->lags[i]), span, sizeof(span));
		fprintf(out, "  %-14s at %.7s, not announced yet (%s)\n", rp->lags[i].branch,
		       rp->lags[i].tip, span);
	}
	if (rp->write_error)
		fprintf(out, "files\n  %s\n", rp->write_error);
}

/* --- JSON --- */

static json_t *time_json(long long t)
{
	char date[32];

	if (!t)
		return json_null();
	date_format(t, date, sizeof(date));
	return json_string(date);
}

static json_t *count_json(unsigned long long n)
{
	return json_integer(n > (unsigned long long)LLONG_MAX ? LLONG_MAX : (json_int_t)n);
}

static json_t *text_json(const char *s)
{
	char *c;
	json_t *v;

	if (!s)
		return json_null();
	c = clean_name(s);
	v = json_string(c);
	free(c);
	return v;
}

json_t *health_json(const struct health *rp)
{
	json_t *doc = json_object(), *targets = json_object(), *bases = json_object();
	json_t *ob = json_object(), *alerts = json_array();
	size_t i;

	for (i = 0; i < rp->nr; i++) {
		const struct target *t = &rp->targets[i];
		const struct state_target *s = state_find(rp->state, t->name);
		char *name = clean_name(t->name), *where = target_redact(t->url);
		json_t *o = json_object();

		json_object_set_new(o, "kind", text_json(t->kind));
		json_object_set_new(o, "url", text_json(where));
		json_object_set_new(o, "problem", text_json(t->problem));
		json_object_set_new(o, "last_success", time_json(s ? s->last_success : 0));
		json_object_set_new(o, "last_failure", time_json(s ? s->last_failure : 0));
		json_object_set_new(o, "last_status", json_integer(s ? s->last_status : 0));
		json_object_set_new(o, "last_error", text_json(s ? s->last_error : NULL));
		json_object_set_new(o, "successes", count_json(s ? s->successes : 0));
		json_object_set_new(o, "failures", count_json(s ? s->failures : 0));
		json_object_set_new(targets, name, o);
		free(name);
		free(where);
	}
	for (i = 0; i < rp->bases_nr; i++) {
		const struct base_row *b = &rp->bases[i];
		char *ref = xstrfmt(BASELINE_PREFIX "%s", b->branch);
		char *branch = clean_name(b->branch);
		json_t *o = json_object();

		json_object_set_new(o, "ref", text_json(ref));
		json_object_set_new(o, "commit", b->id[0] ? json_string(b->id) : json_null());
		json_object_set_new(o, "short", b->id[0] ? json_string(b->short_id) : json_null());
		json_object_set_new(o, "date", time_json(b->date));
		json_object_set_new(bases, branch, o);
		free(branch);
		free(ref);
	}
	json_object_set_new(ob, "pending", count_json(rp->pending));
	json_object_set_new(ob, "dead", count_json(rp->dead));
	json_object_set_new(ob, "oldest_pending", time_json(rp->pending ? rp->oldest : 0));
	json_object_set_new(ob, "oldest_pending_age_seconds", json_integer(oldest_age(rp)));
	for (i = 0; i < rp->alerts.nr; i++)
		json_array_append_new(alerts, json_string(rp->alerts.v[i]));
	json_object_set_new(doc, "now", time_json(rp->now));
	json_object_set_new(doc, "alert_after_seconds", json_integer(rp->alert_after));
	json_object_set_new(doc, "alerts", alerts);
	json_object_set_new(doc, "ok", json_boolean(!rp->alerts.nr));
	json_object_set_new(doc, "outbox", ob);
	json_object_set_new(doc, "targets", targets);
	json_object_set_new(doc, "baselines", bases);
	{
		json_t *lags = json_object();
		for (i = 0; i < rp->lags_nr; i++) {
			const struct lag *l = &rp->lags[i];
			char *branch = clean_name(l->branch);
			json_object_set_new(lags, branch,
					    json_pack("{s:s, s:s, s:o, s:I}", "tip", l->tip, "baseline", l->base,
						      "since", time_json(l->since), "seconds",
						      (json_int_t)lag_age(rp, l)));
			free(branch);
		}
		json_object_set_new(doc, "unannounced", lags);
		json_object_set_new(doc, "writable", json_boolean(!rp->write_error));
		json_object_set_new(doc, "interrupted", json_boolean(rp->interrupted));
	}
	return doc;
}

/* --- Prometheus text format (node_exporter textfile collector) --- */

static void prom_head(struct strbuf *sb, const char *name, const char *type,
		      const char *help)
{
	strbuf_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: UTF-8, with \\, \" and \n escaped as the format asks. */
static void prom_label(struct strbuf *sb, const char *key, const char *value)
{
	struct strbuf v = STRBUF_INIT;
	size_t i;

	strbuf_add_utf8_lossy(&v, value, strlen(value));
	strbuf_addf(sb, "%s=\"", key);
	for (i = 0; i < v.len; i++) {
		if (v.buf[i] == '\\')
			strbuf_addstr(sb, "\\\\");
		else if (v.buf[i] == '"')
			strbuf_addstr(sb, "\\\"");
		else if (v.buf[i] == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addch(sb, v.buf[i]);
	}
	strbuf_addch(sb, '"');
	strbuf_release(&v);
}

static void prom_target(struct strbuf *sb, const char *metric, const char *target,
			const char *result, unsigned long long value)
{
	strbuf_addf(sb, "%s{", metric);
	prom_label(sb, "target", target);
	if (result) {
		strbuf_addch(sb, ',');
		prom_label(sb, "result", result);
	}
	strbuf_addf(sb, "} %llu\n", value);
}

static unsigned long long last_success(const struct state_target *s)
{
	return (unsigned long long)s->last_success;
}

static unsigned long long last_failure(const struct state_target *s)
{
	return (unsigned long long)s->last_failure;
}

static unsigned long long last_status(const struct state_target *s)
{
	return (unsigned long long)s->last_status;
}

/* The gauges each target has, read from its delivery record (0 without one). */
static const struct {
	const char *name, *help;
	unsigned long long (*get)(const struct state_target *s);
} gauges[] = {
	{ "herald_target_last_success_timestamp_seconds",
	  "Unix time of the last delivery that succeeded; 0 = never.", last_success },
	{ "herald_target_last_failure_timestamp_seconds",
	  "Unix time of the last attempt that failed; 0 = never.", last_failure },
	{ "herald_target_last_failure_status",
	  "HTTP status of the last failed attempt; 0 = no answer or none.", last_status },
};

void health_prometheus(const struct health *rp, struct strbuf *sb)
{
	size_t i, g;

	prom_head(sb, "herald_outbox_pending", "gauge", "Deliveries waiting in the outbox.");
	strbuf_addf(sb, "herald_outbox_pending %zu\n", rp->pending);
	prom_head(sb, "herald_outbox_dead", "gauge", "Deliveries that failed for good.");
	strbuf_addf(sb, "herald_outbox_dead %zu\n", rp->dead);
	prom_head(sb, "herald_outbox_oldest_pending_age_seconds", "gauge",
		  "How long the oldest pending delivery has waited; 0 when none.");
	strbuf_addf(sb, "herald_outbox_oldest_pending_age_seconds %lld\n", oldest_age(rp));
	prom_head(sb, "herald_alert_after_seconds", "gauge",
		  "git config herald.alertAfter: the longest a delivery may wait.");
	strbuf_addf(sb, "herald_alert_after_seconds %lld\n", rp->alert_after);
	prom_head(sb, "herald_files_writable", "gauge",
		  "1 when herald can write its own files in $GIT_DIR/herald.");
	strbuf_addf(sb, "herald_files_writable %d\n", rp->write_error ? 0 : 1);
	prom_head(sb, "herald_interrupted", "gauge",
		  "1 when an announcement was left half done (herald/txn).");
	strbuf_addf(sb, "herald_interrupted %d\n", rp->interrupted);
	prom_head(sb, "herald_branch_unannounced_seconds", "gauge",
		  "How long each watched branch's tip has been ahead of its baseline; 0 when not.");
	if (!rp->lags_nr)
		strbuf_addstr(sb, "herald_branch_unannounced_seconds 0\n");
	for (i = 0; i < rp->lags_nr; i++) {
		strbuf_addstr(sb, "herald_branch_unannounced_seconds{");
		prom_label(sb, "branch", rp->lags[i].branch);
		strbuf_addf(sb, "} %lld\n", lag_age(rp, &rp->lags[i]));
	}
	prom_head(sb, "herald_alert", "gauge", "1 when herald status exits 1 (dead or late deliveries).");
	strbuf_addf(sb, "herald_alert %d\n", rp->alerts.nr ? 1 : 0);
	if (rp->nr) {
		prom_head(sb, "herald_target_usable", "gauge",
			  "1 when the target's configuration can be used.");
		for (i = 0; i < rp->nr; i++)
			prom_target(sb, "herald_target_usable", rp->targets[i].name, NULL,
				    !rp->targets[i].problem);
		for (g = 0; g < ARRAY_SIZE(gauges); g++) {
			prom_head(sb, gauges[g].name, "gauge", gauges[g].help);
			for (i = 0; i < rp->nr; i++) {
				const struct state_target *s =
					state_find(rp->state, rp->targets[i].name);
				prom_target(sb, gauges[g].name, rp->targets[i].name, NULL,
					    s ? gauges[g].get(s) : 0);
			}
		}
		prom_head(sb, "herald_target_deliveries_total", "counter",
			  "Delivery attempts by result.");
		for (i = 0; i < rp->nr; i++) {
			const struct state_target *s = state_find(rp->state, rp->targets[i].name);
			prom_target(sb, "herald_target_deliveries_total", rp->targets[i].name,
				    "success", s ? s->successes : 0);
			prom_target(sb, "herald_target_deliveries_total", rp->targets[i].name,
				    "failure", s ? s->failures : 0);
		}
	}
	if (rp->bases_nr) {
		prom_head(sb, "herald_baseline_commit_timestamp_seconds", "gauge",
			  "Committer date of the commit each branch was last announced up to.");
		for (i = 0; i < rp->bases_nr; i++) {
			strbuf_addstr(sb, "herald_baseline_commit_timestamp_seconds{");
			prom_label(sb, "branch", rp->bases[i].branch);
			strbuf_addf(sb, "} %lld\n", rp->bases[i].date);
		}
	}
}

void health_release(struct health *rp)
{
	size_t i;

	for (i = 0; i < rp->bases_nr; i++)
		free(rp->bases[i].branch);
	free(rp->bases);
	for (i = 0; i < rp->lags_nr; i++)
		free(rp->lags[i].branch);
	free(rp->lags);
	free(rp->write_error);
	state_close(rp->state);
	targets_free(rp->targets, rp->nr);
	strvec_clear(&rp->alerts);
}

