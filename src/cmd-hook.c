#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "herald/announce.h"
#include "herald/command.h"
#include "herald/deliver.h"
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

static int config_bool(struct repo *r, const char *key)
{
	char *v = repo_config_string(r, key);
	int b = 0;

	if (v && git_config_parse_bool(&b, v) < 0)
		b = 0;
	free(v);
	return b;
}

/* Takes the outbox lock, waiting at most `seconds`: a push never stalls on it. */
static int lock_within(struct outbox *ob, long seconds)
{
	time_t start = time(NULL);
	int rc;

	while ((rc = outbox_lock(ob, 0)) == 1) {
		if (difftime(time(NULL), start) >= (double)seconds)
			return 1;
		usleep(50 * 1000);
	}
	return rc;
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

static int move_baseline(struct repo *r, const char *name, const git_oid *to,
			 const git_oid *expect)
{
	git_reference *ref = NULL;
	int rc;

	if (expect)
		rc = git_reference_create_matching(&ref, r->git, name, to, 1, expect,
						   "herald: processed push");
	else
		rc = git_reference_create(&ref, r->git, name, to, 0, "herald: baseline");
	git_reference_free(ref);
	return rc < 0 ? repo_error(name) : 0;
}

/* One branch update: announce baseline..new, then move the baseline. */
static int process_update(struct setup *st, struct outbox *ob,
			  const struct ref_update *u, int dry, int skip, FILE *out)
{
	char *name = hookio_baseline_ref(u->ref);
	git_reference *base = NULL;
	git_oid base_id;
	struct range rg = { NULL, NULL };
	git_tree *tree = NULL;
	struct announce_options o;
	struct announce_stats s;
	int ret = 0;

	if (!name)
		return 0;
	if (git_oid_is_zero(&u->new_id)) {
		/* a deleted branch: forget where it was */
		if (!git_reference_lookup(&base, st->repo->git, name))
			git_reference_delete(base);
		fprintf(out, "herald: %s deleted; its baseline is forgotten\n", u->ref);
		goto out;
	}
	if (git_reference_name_to_id(&base_id, st->repo->git, name) < 0) {
		/* first push, or a new branch: start here, announce nothing */
		if (!dry)
			ret = move_baseline(st->repo, name, &u->new_id, NULL);
		fprintf(out, "herald: watching %s from %.7s on; nothing announced for what came before\n",
			u->ref, git_oid_tostr_s(&u->new_id));
		goto out;
	}
	if (git_oid_equal(&base_id, &u->new_id))
		goto out;
	if (skip) {
		ret = move_baseline(st->repo, name, &u->new_id, &base_id);
		fprintf(out, "herald: skipped by push option; nothing announced for %s\n", u->ref);
		goto out;
	}
	if (git_commit_lookup(&rg.from, st->repo->git, &base_id) < 0 ||
	    git_commit_lookup(&rg.to, st->repo->git, &u->new_id) < 0 ||
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
	memset(&o, 0, sizeof(o));
	o.dry_run = dry;
	o.no_deliver = 1;
	o.ob = ob;
	o.out = out;
	o.max_per_target = (size_t)config_seconds(st->repo, "herald.maxAnnounce", 10);
	if (announce_range(st, &rg, &o, &s) < 0) {
		ret = -1;
		goto out;
	}
	if (!dry) /* only once every delivery is in the outbox */
		ret = move_baseline(st->repo, name, &u->new_id, &base_id);
out:
	git_tree_free(tree);
	range_release(&rg);
	git_reference_free(base);
	free(name);
	return ret;
}

/* What happened to each pending delivery, in words the pusher reads. */
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
		if (rc > 0)
			fprintf(out, "herald: announced \"%s\" to %s\n", title, before[i].target);
		else if (!rc && dead)
			fprintf(out, "herald: \"%s\" could not be delivered to %s (%s); see 'herald outbox'\n",
				title, before[i].target, (why = printable(e.last_error ? e.last_error : "failed")));
		else if (!rc)
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
	struct setup st;
	struct outbox *ob = NULL;
	struct ref_update *u = NULL;
	struct strvec branches = STRVEC_INIT;
	struct target *targets = NULL;
	struct outbox_entry *pending = NULL;
	size_t nu = 0, nt = 0, np = 0, i;
	int dry = hookio_push_option("herald.dry-run");
	int skip = hookio_push_option("herald.skip");
	long budget;
	char *log = NULL;

	setup_init(&st);
	if (setup_open(&st) < 0)
		goto out;
	ob = outbox_open(st.repo->gitdir);
	if (!ob)
		goto out;
	log = xstrfmt("%s/log", outbox_dir(ob));
	usage_set_log(log);
	hookio_read(stdin, &u, &nu);
	if (hookio_branches(st.repo, &branches) < 0)
		goto out;
	budget = config_seconds(st.repo, "herald.hookBudget", 3);
	if (lock_within(ob, budget) != 0) {
		fprintf(out, "herald: another herald run holds the outbox; 'herald tick' will announce this push\n");
		goto out;
	}
	for (i = 0; i < nu; i++) {
		if (!strvec_has(&branches, u[i].ref))
			continue; /* tags and other branches */
		if (process_update(&st, ob, &u[i], dry, skip, out) < 0)
			error("%s: not announced; the next push or 'herald tick' catches up", u[i].ref);
	}
	if (dry)
		goto out;
	if (config_bool(st.repo, "herald.background")) {
		outbox_unlock(ob);
		deliver_in_background();
		fprintf(out, "herald: delivering in the background\n");
		goto out;
	}
	if (targets_load(st.repo, &targets, &nt) < 0 || outbox_list(ob, 0, &pending, &np) < 0)
		goto out;
	if (np) {
		struct deliver_options d;
		struct deliver_stats ds;
		memset(&d, 0, sizeof(d));
		d.max_time = (double)budget;
		if (deliver_due(ob, targets, nt, &d, &ds) == 0)
			report(ob, pending, np, out);
	}
out:
	for (i = 0; i < np; i++)
		outbox_entry_release(&pending[i]);
	free(pending);
	targets_free(targets, nt);
	hookio_free(u, nu);
	strvec_clear(&branches);
	outbox_close(ob);
	setup_release(&st);
	usage_set_log(NULL);
	free(log);
	fflush(out);
	return 0; /* the push has happened: never fail it */
}

/* Lints the posts one update changes; returns the number of errors. */
static unsigned long lint_update(struct setup *st, const struct ref_update *u, FILE *out)
{
	git_commit *from = NULL, *to = NULL;
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	struct lint l;
	size_t i, n;
	char *name = hookio_baseline_ref(u->ref);
	git_oid base;

	memset(&l, 0, sizeof(l));
	if (git_commit_lookup(&to, st->repo->git, &u->new_id) < 0 ||
	    git_commit_tree(&b, to) < 0) {
		repo_error(u->ref);
		goto out;
	}
	site_release(&st->site);
	site_init(&st->site);
	if (setup_site(st, b) < 0)
		goto out;
	if (!git_oid_is_zero(&u->old_id))
		git_commit_lookup(&from, st->repo->git, &u->old_id);
	else if (name && !git_reference_name_to_id(&base, st->repo->git, name))
		git_commit_lookup(&from, st->repo->git, &base);
	if (from && git_commit_tree(&a, from) < 0)
		goto out;
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, st->repo->git, a, b, &dopts) < 0) {
		repo_error("cannot compare the pushed commits");
		goto out;
	}
	l.site = &st->site;
	l.now = st->now;
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED || !site_is_post_path(&st->site, d->new_file.path))
			continue;
		lint_file(&l, st->repo, d->new_file.path, &d->new_file.id,
			  (git_filemode_t)d->new_file.mode, out);
	}
out:
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	git_commit_free(from);
	git_commit_free(to);
	free(name);
	return l.errors;
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
