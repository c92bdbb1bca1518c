#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/lint.h"
#include "herald/post.h"
#include "herald/progress.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

static void report(struct lint *l, FILE *out, const char *path, int line,
		   int col, int is_error, const char *msg)
{
	if (is_error)
		l->errors++;
	else
		l->warnings++;
	if (line > 0)
		fprintf(out, "%s:%d:%d: %s: %s\n", path, line, col,
			is_error ? "error" : "warning", msg);
	else
		fprintf(out, "%s: %s: %s\n", path, is_error ? "error" : "warning", msg);
}

int lint_file(struct lint *l, struct repo *r, const char *path,
	      const git_oid *id, git_filemode_t mode, FILE *out)
{
	git_blob *blob = NULL;
	struct post p;
	size_t i;

	l->posts++;
	if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT) {
		report(l, out, path, 0, 0, 0, mode == GIT_FILEMODE_LINK ?
		       "is a symbolic link, not a file; herald ignores it" :
		       "is a submodule, not a file; herald ignores it");
		return 0;
	}
	if (git_blob_lookup(&blob, r->git, id) < 0)
		return repo_error(path);
	post_init(&p);
	post_read(&p, l->site, path, git_blob_rawcontent(blob),
		  (size_t)git_blob_rawsize(blob), l->now, POST_READ_NO_SUMMARY);
	for (i = 0; i < p.fm.nr_problems; i++) {
		const struct frontmatter_problem *pr = &p.fm.problems[i];
		report(l, out, path, pr->line, pr->column, pr->is_error, pr->message);
	}
	if (p.state == POST_ABSENT && p.error)
		report(l, out, path, 0, 0, 0, p.error);
	post_release(&p);
	git_blob_free(blob);
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

int lint_tree(struct lint *l, struct repo *r, git_tree *tree, FILE *out)
{
	struct collect c;
	struct progress *prog = NULL;
	size_t i;
	int ret = 0;

	memset(&c, 0, sizeof(c));
	c.site = l->site;
	strbuf_init(&c.path, 256);
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, collect_cb, &c) < 0) {
		ret = repo_error("cannot read the tree");
		goto out;
	}
	prog = progress_start("Checking posts", c.nr);
	for (i = 0; i < c.nr && !ret; i++) {
		progress_update(prog, i + 1);
		ret = lint_file(l, r, c.v[i].path, &c.v[i].id, c.v[i].mode, out);
	}
out:
	progress_stop(&prog);
	for (i = 0; i < c.nr; i++)
		free(c.v[i].path);
	free(c.v);
	strbuf_release(&c.path);
	return ret;
}
