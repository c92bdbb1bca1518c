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

/*
 * A post's blob, read: NULL with `size` set when it is over the cap (or
 * when the file is a symbolic link or a submodule, which are not read).
 */
static int read_file(git_repository *git, const char *path, const git_oid *id,
		     git_filemode_t mode, git_blob **blob, size_t *size)
{
	*blob = NULL;
	*size = 0;
	if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT)
		return 0;
	return repo_blob_capped(git, id, path, HERALD_POST_MAX, blob, size);
}

/* One file, read by read_file(), into `out`. */
static void check_file(const struct lint *l, struct counts *c, const char *path,
		       git_filemode_t mode, const git_blob *blob, size_t size,
		       struct strbuf *out)
{
	struct post p;
	size_t i;

	c->posts++;
	if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT) {
		report(c, out, path, 0, 0, 0, mode == GIT_FILEMODE_LINK ?
		       "is a symbolic link, not a file; herald ignores it" :
		       "is a submodule, not a file; herald ignores it");
		return;
	}
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
}

int lint_file(struct lint *l, struct repo *r, const char *path,
	      const git_oid *id, git_filemode_t mode, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct counts c = { 0, 0, 0 };
	git_blob *blob;
	size_t size;

	if (read_file(r->git, path, id, mode, &blob, &size) < 0)
		return -1;
	check_file(l, &c, path, mode, blob, size, &sb);
	git_blob_free(blob);
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	l->posts += c.posts;
	l->errors += c.errors;
	l->warnings += c.warnings;
	return 0;
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
 * post stands alone. libgit2 reads cheapest from one handle on one thread
 * (threads with handles of their own cost a tenth more CPU time for the
 * same work): the main thread reads the blobs in path order, workers parse
 * them as they come, and the results are printed in path order. The reader
 * holds at most LINT_AHEAD blobs or LINT_AHEAD_BYTES (a pushed tree of
 * posts just under the cap each must not fill the memory) and hands them
 * over LINT_BATCH at a time, so that a worker waiting for more is woken
 * once a batch, not once a post.
 */
#define LINT_WORKERS_MAX 3
#define LINT_PARALLEL_FROM 256
#define LINT_AHEAD 1024
#define LINT_AHEAD_BYTES ((size_t)16 << 20)
#define LINT_BATCH 64

struct pipeline {
	const struct lint *l;
	const struct collect *c;
	struct strbuf *out;       /* one per file */
	git_blob **blobs;         /* read, not yet freed */
	size_t *sizes;
	/*
	 * Set by a worker when done with a blob: the reader frees it, as
	 * memory goes back cheapest to the thread that took it.
	 */
	unsigned char *parsed;
	pthread_mutex_t lock;
	pthread_cond_t more;      /* read has grown, or the reading ended */
	pthread_cond_t room;      /* done has grown */
	size_t read;              /* files handed over by the reader */
	size_t next;              /* the next file a worker takes */
	size_t done;              /* files parsed */
	int ended;                /* the reader has handed over all it will */
	size_t held;              /* bytes of the blobs read, not yet freed (the reader's) */
};

struct worker {
	struct pipeline *pl;
	struct counts counts;
};

/*
 * Parses file `i`, just taken from the queue: called and returning with
 * the lock held.
 */
static void parse_one(struct pipeline *pl, struct counts *c, size_t i)
{
	pthread_mutex_unlock(&pl->lock);
	check_file(pl->l, c, pl->c->v[i].path, pl->c->v[i].mode, pl->blobs[i],
		   pl->sizes[i], &pl->out[i]);
	__atomic_store_n(&pl->parsed[i], 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&pl->lock);
	pl->done++;
	pthread_cond_signal(&pl->room);
}

static void *work(void *data)
{
	struct worker *w = data;
	struct pipeline *pl = w->pl;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		if (pl->next < pl->read)
			parse_one(pl, &w->counts, pl->next++);
		else if (pl->ended)
			break;
		else
			pthread_cond_wait(&pl->more, &pl->lock);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* Hands over what is read up to `upto`, or ends the reading. */
static void hand_over(struct pipeline *pl, size_t upto, int end)
{
	pthread_mutex_lock(&pl->lock);
	pl->read = upto;
	pl->ended = end;
	pthread_cond_broadcast(&pl->more);
	pthread_mutex_unlock(&pl->lock);
}

/*
 * Frees the blobs the workers are done with: in path order, or (`all`,
 * when over the limits) wherever they are between `*freed` and `end`.
 */
static void free_parsed(struct pipeline *pl, size_t *freed, size_t end, int all)
{
	size_t i;

	for (i = *freed; i < end; i++) {
		if (!__atomic_load_n(&pl->parsed[i], __ATOMIC_ACQUIRE)) {
			if (!all)
				break;
			continue;
		}
		if (pl->blobs[i]) {
			pl->held -= (size_t)git_blob_rawsize(pl->blobs[i]);
			git_blob_free(pl->blobs[i]);
			pl->blobs[i] = NULL;
		}
		if (i == *freed)
			(*freed)++;
	}
}

static int over_limits(const struct pipeline *pl, size_t i, size_t freed)
{
	return i - freed >= LINT_AHEAD || pl->held > LINT_AHEAD_BYTES;
}

/*
 * Waits, having handed over all that is read (so that the workers always
 * have something to be done with), until the blobs held are within limits;
 * while files wait to be parsed, the reader parses them rather than wait.
 */
static void wait_for_room(struct pipeline *pl, struct counts *own, size_t i, size_t *freed)
{
	hand_over(pl, i, 0);
	for (;;) {
		size_t seen;

		pthread_mutex_lock(&pl->lock);
		seen = pl->done;
		pthread_mutex_unlock(&pl->lock);
		free_parsed(pl, freed, i, 1);
		if (!over_limits(pl, i, *freed))
			return;
		pthread_mutex_lock(&pl->lock);
		if (pl->next < pl->read)
			parse_one(pl, own, pl->next++);
		/* a worker done since `seen` was read has counted it already */
		while (pl->done == seen)
			pthread_cond_wait(&pl->room, &pl->lock);
		pthread_mutex_unlock(&pl->lock);
	}
}

static int run_workers(struct lint *l, struct repo *r, const struct collect *c,
		       size_t n, struct strbuf *out, struct progress *prog)
{
	pthread_t th[LINT_WORKERS_MAX];
	struct worker w[LINT_WORKERS_MAX];
	struct pipeline pl;
	struct counts own = { 0, 0, 0 };  /* what the reader parsed */
	size_t i, k, freed = 0, threads = 0;
	int ret = 0;

	memset(&pl, 0, sizeof(pl));
	pl.l = l;
	pl.c = c;
	pl.out = out;
	pl.blobs = xcalloc(c->nr, sizeof(*pl.blobs));
	pl.sizes = xcalloc(c->nr, sizeof(*pl.sizes));
	pl.parsed = xcalloc(c->nr, sizeof(*pl.parsed));
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.more, NULL);
	pthread_cond_init(&pl.room, NULL);
	memset(w, 0, sizeof(w));
	for (k = 0; k < n; k++) {
		w[k].pl = &pl;
		if (pthread_create(&th[k], NULL, work, &w[k]))
			break;
		threads++;
	}
	for (i = 0; i < c->nr; i++) {
		const struct entry *e = &c->v[i];

		free_parsed(&pl, &freed, i, 0);
		if (threads && over_limits(&pl, i, freed))
			wait_for_room(&pl, &own, i, &freed);
		progress_update(prog, freed);
		if (read_file(r->git, e->path, &e->id, e->mode, &pl.blobs[i], &pl.sizes[i]) < 0) {
			ret = -1;
			break;
		}
		if (pl.blobs[i])
			pl.held += (size_t)git_blob_rawsize(pl.blobs[i]);
		/* no worker could be started: this thread parses what it read */
		if (!threads) {
			check_file(l, &own, e->path, e->mode, pl.blobs[i],
				   pl.sizes[i], &out[i]);
			pl.parsed[i] = 1;
		} else if ((i + 1) % LINT_BATCH == 0) {
			hand_over(&pl, i + 1, 0);
		}
	}
	/* after a read error, what was read before it is parsed still */
	hand_over(&pl, i, 1);
	pthread_mutex_lock(&pl.lock);
	while (pl.next < pl.read)
		parse_one(&pl, &own, pl.next++);
	pthread_mutex_unlock(&pl.lock);
	for (k = 0; k < threads; k++)
		pthread_join(th[k], NULL);
	progress_update(prog, i);
	l->posts += own.posts;
	l->errors += own.errors;
	l->warnings += own.warnings;
	for (k = 0; k < n; k++) {
		l->posts += w[k].counts.posts;
		l->errors += w[k].counts.errors;
		l->warnings += w[k].counts.warnings;
	}
	for (i = 0; i < c->nr; i++)
		git_blob_free(pl.blobs[i]);
	free(pl.blobs);
	free(pl.sizes);
	free(pl.parsed);
	pthread_cond_destroy(&pl.room);
	pthread_cond_destroy(&pl.more);
	pthread_mutex_destroy(&pl.lock);
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
	/* the reading takes a core of its own */
	n = cpus > 1 ? (size_t)cpus - 1 : 0;
	if (n > LINT_WORKERS_MAX)
		n = LINT_WORKERS_MAX;
	if (c.nr < LINT_PARALLEL_FROM || !n) {
		for (i = 0; i < c.nr && !ret; i++) {
			progress_update(prog, i + 1);
			ret = lint_file(l, r, c.v[i].path, &c.v[i].id, c.v[i].mode, out);
		}
		goto out;
	}
	res = xcalloc(c.nr, sizeof(*res));
	for (i = 0; i < c.nr; i++)
		strbuf_init(&res[i], 0);
	ret = run_workers(l, r, &c, n, res, prog);
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
