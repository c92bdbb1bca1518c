#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "herald/announce.h"
#include "herald/changes.h"
#include "herald/command.h"
#include "herald/deliver.h"
#include "herald/fileio.h"
#include "herald/frontmatter.h"
#include "herald/hookio.h"
#include "herald/lint.h"
#include "herald/outbox.h"
#include "herald/range.h"
#include "herald/setup.h"
#include "herald/target.h"
#include "herald/strbuf.h"
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

static long config_seconds(struct repo *r, const char *key, long def)
{
	char *v = repo_config_string(r, key), *end;
	long n;

	if (!v)
		return def;
	n = strtol(v, &end, 10);
	if (end == v || n < 0)
		n = def;
	else if (*end == 'm')
		n *= 60;
	else if (*end == 'h')
		n *= 3600;
	free(v);
	return n;
}

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
 * The hook's one deadline: lock, scan, enqueue and delivery all come out
 * of herald.hookBudget, measured on the monotonic clock from the start.
 */
struct deadline {
	struct timespec at;
};

static void deadline_set(struct deadline *d, double seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &d->at);
	d->at.tv_sec += (time_t)seconds;
	d->at.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (d->at.tv_nsec >= 1000000000L) {
		d->at.tv_sec++;
		d->at.tv_nsec -= 1000000000L;
	}
}

/* Seconds left; 0 or less when the budget is spent. */
static double deadline_left(const struct deadline *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(d->at.tv_sec - now.tv_sec) + (double)(d->at.tv_nsec - now.tv_nsec) / 1e9;
}

/* Takes the outbox lock before the deadline: a push never stalls on it. */
static int lock_within(struct outbox *ob, const struct deadline *d)
{
	int rc;

	while ((rc = outbox_lock(ob, 0)) == 1) {
		double left = deadline_left(d);
		if (left <= 0)
			return 1;
		usleep(left < 0.02 ? (useconds_t)(left * 1e6) + 1 : 20 * 1000);
	}
	return rc;
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
	int rc, done;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *scan_thread(void *arg)
{
	struct scan_job *j = arg;
	struct event_list events;
	int rc = changes_scan(j->repo, j->from, j->to, &j->co, &events);

	pthread_mutex_lock(&j->mu);
	j->events = events;
	j->rc = rc;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/*
 * 0 with the events in *out (the caller releases them), -1 after error(),
 * 1 when the deadline came first.
 */
static int scan_within(struct scan_job *j, const struct deadline *d, struct event_list *out)
{
	pthread_condattr_t ca;
	pthread_t th;
	int rc = 0;

	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&th, NULL, scan_thread, j)) {
		/* no thread: scan here, without the deadline */
		scan_thread(j);
	} else {
		pthread_mutex_lock(&j->mu);
		while (!j->done && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&j->cv, &j->mu, &d->at);
		pthread_mutex_unlock(&j->mu);
		if (!j->done)
			return 1; /* the thread is still reading; the caller leaves */
		pthread_join(th, NULL);
	}
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	if (j->rc < 0)
		return -1;
	*out = j->events;
	return 0;
}

/* Starts `herald deliver` detached from the push: its own session, no terminal. */
static void deliver_in_background(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;

	if (n <= 0) {
		error("cannot find herald's own binary to deliver in the background");
		return;
	}
	self[n] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error("cannot fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(self, "herald", "deliver", "--max-time", "600", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

static int set_baseline(struct repo *r, const char *name, const git_oid *to,
			const git_oid *expect)
{
	git_reference *ref = NULL;
	int rc;

	if (fileio_fault("baseline") < 0)
		return error("cannot move '%s': %s", name, strerror(errno));
	if (expect)
		rc = git_reference_create_matching(&ref, r->git, name, to, 1, expect,
						   "herald: processed push");
	else
		rc = git_reference_create(&ref, r->git, name, to, 0, "herald: baseline");
	git_reference_free(ref);
	return rc < 0 ? repo_error(name) : 0;
}

struct hook {
	struct setup st;
	struct outbox *ob;
	struct deadline deadline;
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
	char *name = hookio_baseline_ref(u->ref);
	git_reference *base = NULL;
	git_oid base_id, tip;
	struct range rg = { NULL, NULL };
	git_tree *tree = NULL;
	struct announce_options o;
	struct announce_stats s;
	struct scan_job job;
	struct event_list events;
	int have_tip, rc, ret = 0;

	event_list_init(&events);
	if (!name)
		return 0;
	have_tip = !git_reference_name_to_id(&tip, st->repo->git, u->ref);
	if (git_oid_is_zero(&u->new_id)) {
		if (have_tip) {
			fprintf(out, "herald: %s was pushed again since it was deleted; "
				"nothing to do for the deletion\n", u->ref);
			goto out;
		}
		/* a deleted branch: forget where it was */
		if (!h->dry && !git_reference_lookup(&base, st->repo->git, name))
			git_reference_delete(base);
		fprintf(out, "herald: %s deleted; its baseline is forgotten\n", u->ref);
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
	rc = git_reference_name_to_id(&base_id, st->repo->git, name);
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		ret = repo_error(name);
		goto out;
	}
	if (rc < 0) {
		/* first push, or a new branch: start here, announce nothing */
		if (!h->dry)
			ret = set_baseline(st->repo, name, &tip, NULL);
		fprintf(out, "herald: watching %s from %.7s on; nothing announced for what came before\n",
			u->ref, git_oid_tostr_s(&tip));
		goto out;
	}
	if (git_oid_equal(&base_id, &tip))
		goto out;
	if (h->skip) {
		if (!h->dry)
			ret = set_baseline(st->repo, name, &tip, &base_id);
		fprintf(out, "herald: skipped by push option; nothing announced for %s\n", u->ref);
		goto out;
	}
	if (git_commit_lookup(&rg.from, st->repo->git, &base_id) < 0 ||
	    git_commit_lookup(&rg.to, st->repo->git, &tip) < 0 ||
	    git_commit_tree(&tree, rg.to) < 0) {
		ret = repo_error(u->ref);
		goto out;
	}
	site_release(&st->site);
	site_init(&st->site);
	if (setup_site(st, tree) < 0) {
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
	rc = scan_within(&job, &h->deadline, &events);
	if (rc > 0) {
		fprintf(out, "herald: reading %s took longer than herald.hookBudget; "
			"'herald tick' announces this push\n", u->ref);
		h->out_of_time = 1;
		goto out;
	}
	if (rc < 0) {
		ret = -1;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.dry_run = h->dry;
	o.no_deliver = 1;
	o.ob = h->ob;
	o.out = out;
	o.max_per_target = (size_t)config_seconds(st->repo, "herald.maxAnnounce", 10);
	o.baseline_ref = name;
	o.baseline_from = &base_id;
	o.baseline_to = &tip;
	o.queued_ids = &h->own;
	ret = announce_events(st, tree, &events, git_oid_tostr_s(&tip), &o, &s);
out:
	event_list_release(&events);
	git_tree_free(tree);
	if (!h->out_of_time)
		range_release(&rg);
	git_reference_free(base);
	free(name);
	return ret;
}

/* What happened to this push's deliveries, in words the pusher reads. */
static void report(struct outbox *ob, struct outbox_entry *before, size_t n, FILE *out)
{
	size_t i, queued = 0;

	for (i = 0; i < n; i++) {
		struct outbox_entry e;
		int dead = 0, rc;
		char *title = printable(before[i].title && *before[i].title ? before[i].title : before[i].event);
		char *why = NULL;

		outbox_entry_init(&e);
		rc = outbox_get(ob, before[i].id, &e, &dead);
		if (rc == LOOKUP_MISSING)
			fprintf(out, "herald: announced \"%s\" to %s\n", title, before[i].target);
		else if (rc == LOOKUP_FOUND && dead)
			fprintf(out, "herald: \"%s\" could not be delivered to %s (%s); see 'herald outbox'\n",
				title, before[i].target, (why = printable(e.last_error ? e.last_error : "failed")));
		else if (rc == LOOKUP_FOUND)
			queued++;
		outbox_entry_release(&e);
		free(title);
		free(why);
	}
	if (queued)
		fprintf(out, "herald: %zu deliver%s queued, will retry\n", queued,
			queued == 1 ? "y" : "ies");
}

static int post_receive(FILE *out)
{
	struct hook h;
	struct ref_update *u = NULL;
	struct strvec branches = STRVEC_INIT;
	struct target *targets = NULL;
	struct outbox_entry *mine = NULL;
	size_t nu = 0, nt = 0, nm = 0, i;
	char *log = NULL;

	memset(&h, 0, sizeof(h));
	strvec_init(&h.own);
	h.out = out;
	h.dry = hookio_push_option("herald.dry-run");
	h.skip = hookio_push_option("herald.skip");
	deadline_set(&h.deadline, 3);
	setup_init(&h.st);
	if (setup_open(&h.st) < 0)
		goto out;
	deadline_set(&h.deadline, config_budget(h.st.repo));
	h.ob = outbox_open(h.st.repo->gitdir);
	if (!h.ob)
		goto out;
	log = xstrfmt("%s/log", outbox_dir(h.ob));
	usage_set_log(log);
	hookio_read(stdin, &u, &nu);
	if (hookio_branches(h.st.repo, &branches) < 0)
		goto out;
	if (lock_within(h.ob, &h.deadline) != 0) {
		fprintf(out, "herald: another herald run holds the outbox; 'herald tick' will announce this push\n");
		goto out;
	}
	if (!h.dry && announce_recover(h.st.repo, h.ob) < 0) {
		error("not announced; 'herald tick' catches up once herald's files can be written");
		goto out;
	}
	for (i = 0; i < nu && !h.out_of_time; i++) {
		if (!strvec_has(&branches, u[i].ref))
			continue; /* tags and other branches */
		if (process_update(&h, &u[i]) < 0)
			error("%s: not announced; the next push or 'herald tick' catches up", u[i].ref);
	}
	if (h.out_of_time) {
		/* the scan thread still reads the repository: leave it be */
		outbox_unlock(h.ob);
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
		deliver_in_background();
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
		double left = deadline_left(&h.deadline);
		memset(&d, 0, sizeof(d));
		/* what is left of the budget; none left: `herald deliver` sends it */
		d.max_time = left > 0.001 ? left : 0.001;
		if (deliver_due(h.ob, targets, nt, &d, &ds) == 0)
			report(h.ob, mine, nm, out);
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

/*
 * A pushed .herald.yml is linted itself: one that does not parse, or is
 * not a mapping, is an error like a broken post (it would be ignored and
 * the defaults used, silently changing which files are posts).
 */
static unsigned long lint_site_config(struct repo *r, const git_oid *id, const char *path,
				      FILE *out)
{
	git_blob *blob = NULL;
	struct frontmatter fm;
	json_t *c = NULL;
	unsigned long errors = 0;

	frontmatter_init(&fm);
	if (git_blob_lookup(&blob, r->git, id) < 0) {
		repo_error(path);
		return 1;
	}
	if (frontmatter_parse_yaml(&fm, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				   1, &c) < 0) {
		const struct frontmatter_problem *p = frontmatter_first_error(&fm);
		fprintf(out, "%s:%d:%d: error: %s\n", path, p ? p->line : 1, p ? p->column : 1,
			p ? p->message : "cannot be read");
		errors++;
	} else if (c && !json_is_object(c)) {
		fprintf(out, "%s:1:1: error: not a mapping of settings\n", path);
		errors++;
	} else if (json_object_get(c, "posts") && !json_is_array(json_object_get(c, "posts")) &&
		   !json_is_string(json_object_get(c, "posts"))) {
		fprintf(out, "%s:1:1: error: 'posts' is not a list of globs\n", path);
		errors++;
	}
	json_decref(c);
	frontmatter_release(&fm);
	git_blob_free(blob);
	return errors;
}

/*
 * Lints the posts one update changes; returns the number of errors. Which
 * paths are posts comes from the branch as it was before the push (or git
 * config) as well as from the pushed tree: a push that also rewrites
 * .herald.yml (to `posts: ["nothing/..."]`) cannot take its broken post out
 * of the gate.
 */
static unsigned long lint_update(struct setup *st, const struct ref_update *u, FILE *out)
{
	git_commit *from = NULL, *to = NULL, *before = NULL;
	git_tree *a = NULL, *b = NULL, *before_tree = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	struct site prior;
	struct lint l;
	size_t i, n;
	char *name = hookio_baseline_ref(u->ref);
	git_oid base, head;
	unsigned long extra = 0;

	memset(&l, 0, sizeof(l));
	site_init(&prior);
	if (git_commit_lookup(&to, st->repo->git, &u->new_id) < 0 ||
	    git_commit_tree(&b, to) < 0) {
		repo_error(u->ref);
		extra++;
		goto out;
	}
	site_release(&st->site);
	site_init(&st->site);
	/* a gate that cannot read its rules refuses rather than waves through */
	if (setup_site(st, b) < 0) {
		extra++;
		goto out;
	}
	if (!git_oid_is_zero(&u->old_id))
		git_commit_lookup(&from, st->repo->git, &u->old_id);
	else if (name && !git_reference_name_to_id(&base, st->repo->git, name))
		git_commit_lookup(&from, st->repo->git, &base);
	if (from && git_commit_tree(&a, from) < 0) {
		repo_error(u->ref);
		extra++;
		goto out;
	}
	/* the rules before the push: the branch's own, else the default branch's */
	if (from)
		before_tree = a;
	else if (!git_reference_name_to_id(&head, st->repo->git, "HEAD") &&
		 !git_commit_lookup(&before, st->repo->git, &head))
		git_commit_tree(&before_tree, before);
	if (site_load(&prior, st->repo, before_tree, &st->globs) < 0) {
		extra++;
		goto out;
	}
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, st->repo->git, a, b, &dopts) < 0) {
		repo_error("cannot compare the pushed commits");
		extra++;
		goto out;
	}
	l.site = &st->site;
	l.now = st->now;
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->new_file.path;
		if (d->status == GIT_DELTA_DELETED)
			continue;
		if (!strcmp(path, ".herald.yml") && S_ISREG(d->new_file.mode)) {
			extra += lint_site_config(st->repo, &d->new_file.id, path, out);
			continue;
		}
		if (!site_is_post_path(&st->site, path) && !site_is_post_path(&prior, path))
			continue;
		lint_file(&l, st->repo, path, &d->new_file.id, (git_filemode_t)d->new_file.mode, out);
	}
out:
	site_release(&prior);
	git_diff_free(diff);
	if (before_tree != a)
		git_tree_free(before_tree);
	git_tree_free(a);
	git_tree_free(b);
	git_commit_free(before);
	git_commit_free(from);
	git_commit_free(to);
	free(name);
	return l.errors + extra;
}

static int pre_receive(FILE *out)
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
	for (i = 0; i < nu; i++)
		if (strvec_has(&branches, u[i].ref) && !git_oid_is_zero(&u[i].new_id))
			errors += lint_update(&st, &u[i], out);
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

int cmd_hook(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "post-receive"))
		return post_receive(stdout);
	if (argc == 2 && !strcmp(argv[1], "pre-receive"))
		return pre_receive(stdout);
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(hook_usage, stdout);
		return 0;
	}
	fputs(hook_usage, stderr);
	return EXIT_USAGE;
}
