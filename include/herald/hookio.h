#ifndef HERALD_HOOKIO_H
#define HERALD_HOOKIO_H

#include <stdio.h>

#include <git2.h>

#include "herald/strvec.h"

struct repo;

/* One line of a pre- or post-receive hook's input: "old new ref". */
struct ref_update {
	git_oid old_id, new_id;
	char *ref;
};

/*
 * Reads git's hook input (at most 100,000 lines); malformed lines are
 * reported and skipped. The caller frees with hookio_free().
 */
int hookio_read(FILE *in, struct ref_update **out, size_t *nr);
void hookio_free(struct ref_update *v, size_t nr);

/* Was `git push -o NAME` given? (GIT_PUSH_OPTION_COUNT / _N) */
int hookio_push_option(const char *name);

/*
 * The branches herald watches, as full ref names: git config herald.branch
 * (several allowed, "main" or "refs/heads/main"), else the branch HEAD
 * names. Returns 0, or -1 after error().
 */
int hookio_branches(struct repo *r, struct strvec *out);

#endif
