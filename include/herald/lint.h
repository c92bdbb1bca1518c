#ifndef HERALD_LINT_H
#define HERALD_LINT_H

#include <stdio.h>

#include <git2.h>

struct repo;
struct site;

/*
 * Front matter checks, shared by `herald lint` and the pre-receive hook.
 * Each problem is printed as "path:line:column: error|warning: message".
 */
struct lint {
	const struct site *site;
	long long now;
	unsigned long posts, errors, warnings;
};

/* Checks one file of a snapshot (mode as in the tree); prints to `out`. */
int lint_file(struct lint *l, struct repo *r, const char *path,
	      const git_oid *id, git_filemode_t mode, FILE *out);

/* Checks every post path in `tree`. */
int lint_tree(struct lint *l, struct repo *r, git_tree *tree, FILE *out);

#endif
