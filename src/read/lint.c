#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/lint.h"
#include "herald/post.h"
#include "herald/progress.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

struct counts {
	unsigned long posts, errors, warnings;
};

static void report(struct counts *c, struct strbuf *out, const char *path, int line,
		   int col, int is_error, const char *msg)
{
	/* a pushed file name or value may hold terminal escapes: the pusher's and ours */
	char *p = printable(path), *m = printable(msg);

	if (is_error)
		c->errors++;
	else
		c->warnings++;
	if (line > 0)
		strbuf_addf(out, "%s:%d:%d: %s: %s\n", p, line, col,
			    is_error ? "error" : "warning", m);
	else
		strbuf_addf(out, "%s: %s: %s\n", p, is_error ? "error" : "warning", m);
	free(p);
	free(m);
}

/* One file into `out`; `git` is the caller's repository handle. */
static int check_file(const struct lint *l, git_repository *git, struct counts *c,
		      const char *path, const git_oid *id, git_filemode_t mode,
		      struct strbuf *out)
{
	git_blob *blob = NULL;
	struct post p;
	size_t i, size;
	int rc;

	c->posts++;
	if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT) {
		report(c, out, path, 0, 0, 0, mode == GIT_FILEMODE_LINK ?
		       "is a symbolic link, not a file; herald ignores it" :
		       "is a submodule, not a file; herald ignores it");
		return 0;
	}
	rc = repo_blob_capped(git, id, path, HERALD_POST_MAX, &blob, &size);
	if (rc < 0)
		return -1;
	post_init(&p);
	if (!blob) {
		post_too_large(&p, path, size);
		report(c, out, path, 0, 0, 1, p.error);
	} else {
		post_read(&p, l->site, path, git_blob_rawcontent(blob),
			  (size_t)git_blob_rawsize(blob), l->now,
			  POST_READ_NO_SUMMARY | POST_READ_NO_URL);
	}
	for (i = 0; i < p.fm.nr_problems; i++) {
		const struct frontmatter_problem *pr = &p.fm.problems[i];
		report(c, out, path, pr->line, pr->column, pr->is_error, pr->message);
	}
	if (p.state == POST_ABSENT && p.error)
		report(c, out, path, 0, 0, 0, p.error);
	post_release(&p);
	git_blob_free(blob);
	return 0;
}

int lint_file(struct lint *l, struct repo *r, const char *path,
	      const git_oid *id, git_filemode_t mode, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct counts c = { 0, 0, 0 };
	int ret = check_file(l, r->git, &c, path, id, mode, &sb);

	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	l->posts += c.posts;
	l->errors += c.errors;
	l->warnings += c.warnings;
	return ret;
}

struct entry {
	char *path;
	git_oid id;
	git_filemode_t mode;
};

struct collect {
	const struct site *site;
	struct entry *v;
	size_t nr, alloc;
	struct strbuf path;
};

static int collect_cb(const char *root, const git_tree_entry *e, void *data)
{
	struct collect *c = data;

	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	strbuf_reset(&c->path);
	strbuf_addstr(&c->path, root);
	strbuf_addstr(&c->path, git_tree_entry_name(e));
	if (!site_is_post_path(c->site, c->path.buf))
		return 0;
	ALLOC_GROW(c->v, c->nr + 1, c->alloc);
	c->v[c->nr].path = xstrdup(c->path.buf);
	git_oid_cpy(&c->v[c->nr].id, git_tree_entry_id(e));
	c->v[c->nr].mode = git_tree_entry_filemode(e);
	c->nr++;
	return 0;
}

/*
 * Reading and parsing thousands of posts is the slow part of lint, and each
 * post stands alone: workers, each with its own repository handle, take
 * every n-th file; the main thread prints the results in path order.
 */
#define LINT_WORKERS_MAX 4
#define LINT_PARALLEL_FROM 256

struct worker {
	const struct lint *l;
	const struct collect *c;
	struct strbuf *out;   /* one per file */
	struct counts counts;
	size_t first, step;
	unsigned long *done;
	int ret;
};

static void *work(void *data)
{
	struct worker *w = data;
	git_repository *git = NULL;
	size_t i;

	if (git_repository_open_ext(&git, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		w->ret = repo_error("cannot open the repository");
		return NULL;
	}
	for (i = w->first; i < w->c->nr && !w->ret; i += w->step) {
		const struct entry *e = &w->c->v[i];
		w->ret = check_file(w->l, git, &w->counts, e->path, &e->id, e->mode, &w->out[i]);
		__atomic_add_fetch(w->done, 1, __ATOMIC_RELAXED);
	}
	git_repository_free(git);
	return NULL;
}

static int run_workers(struct lint *l, const struct collect *c, size_t n,
		       struct strbuf *out, struct progress *prog)
{
	pthread_t th[LINT_WORKERS_MAX];
	struct worker w[LINT_WORKERS_MAX];
	unsigned long done = 0;
	size_t k, threads = 0;
	int ret = 0;

	for (k = 0; k < n; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].l = l;
		w[k].c = c;
		w[k].out = out;
		w[k].first = k;
		w[k].step = n;
		w[k].done = &done;
	}
	while (threads < n && !pthread_create(&th[threads], NULL, work, &w[threads]))
		threads++;
	/* slices no thread could be started for are done here */
	for (k = threads; k < n; k++)
		work(&w[k]);
	for (;;) {
		unsigned long now = __atomic_load_n(&done, __ATOMIC_RELAXED);
		int failed = 0;
		for (k = 0; k < n; k++)
			failed |= w[k].ret != 0;
		if (now >= c->nr || failed)
			break;
		progress_update(prog, now);
		usleep(20 * 1000);
	}
	for (k = 0; k < threads; k++)
		pthread_join(th[k], NULL);
	for (k = 0; k < n; k++) {
		if (w[k].ret)
			ret = -1;
		l->posts += w[k].counts.posts;
		l->errors += w[k].counts.errors;
		l->warnings += w[k].counts.warnings;
	}
	return ret;
}

int lint_tree(struct lint *l, struct repo *r, git_tree *tree, FILE *out)
{
	struct collect c;
	struct progress *prog = NULL;
	struct strbuf *res = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, n;
	int ret = 0;

	memset(&c, 0, sizeof(c));
	c.site = l->site;
	strbuf_init(&c.path, 256);
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, collect_cb, &c) < 0) {
		ret = repo_error("cannot read the tree");
		goto out;
	}
	prog = progress_start("Checking posts", c.nr);
	n = cpus > 1 ? (size_t)cpus : 1;
	if (n > LINT_WORKERS_MAX)
		n = LINT_WORKERS_MAX;
	if (c.nr < LINT_PARALLEL_FROM || n < 2) {
		for (i = 0; i < c.nr && !ret; i++) {
			progress_update(prog, i + 1);
			ret = lint_file(l, r, c.v[i].path, &c.v[i].id, c.v[i].mode, out);
		}
		goto out;
	}
	res = xcalloc(c.nr, sizeof(*res));
	for (i = 0; i < c.nr; i++)
		strbuf_init(&res[i], 0);
	ret = run_workers(l, &c, n, res, prog);
	for (i = 0; i < c.nr; i++) {
		fwrite(res[i].buf, 1, res[i].len, out);
		strbuf_release(&res[i]);
	}
	free(res);
out:
	progress_stop(&prog);
	for (i = 0; i < c.nr; i++)
		free(c.v[i].path);
	free(c.v);
	strbuf_release(&c.path);
	return ret;
}
