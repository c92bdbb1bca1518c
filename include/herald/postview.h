#ifndef HERALD_POSTVIEW_H
#define HERALD_POSTVIEW_H

#include <stdio.h>

#include <git2.h>
#include <jansson.h>

#include "herald/post.h"

struct setup;

/* One post as `herald show` presents it. */
struct postview {
	struct post post;
	git_blob *blob;   /* the file's bytes, which post.body points into */
	int is_post_path; /* a post by the site's rules or the --posts globs */
};

void postview_init(struct postview *v);
void postview_release(struct postview *v);

/*
 * Reads `path` from `tree` (the revision named `at`, for messages) with
 * `st`'s site and instant. A symbolic link, a submodule or a file over
 * HERALD_POST_MAX is an invalid post, as a scan sees it; a path that is
 * not a post by the site's rules is POST_ABSENT unless it is invalid.
 * Returns 0, or -1 after error() (no such path, a folder, a read error).
 */
int postview_read(struct postview *v, struct setup *st, git_tree *tree,
		  const char *path, const char *at);

/* {path, state, title, slug, url, date, front_matter, error}. */
json_t *postview_json(const struct postview *v);

/*
 * The same for people: one labelled line a field, the front matter as
 * JSON, the error and each warning as `path:line:column: message`. `o` is
 * what postview_json() made.
 */
void postview_print(const struct postview *v, json_t *o, FILE *out);

#endif
