#ifndef HERALD_RANGE_H
#define HERALD_RANGE_H

#include <git2.h>

struct repo;

/*
 * The two commits a command compares. `from` NULL is the empty tree (a
 * root commit, or --all).
 */
struct range {
	git_commit *from;
	git_commit *to;
};

/*
 * Resolves the command line's [FROM] [TO] (also FROM..TO and FROM...TO,
 * whose FROM is the merge base): no argument is TO=HEAD and FROM its first
 * parent; one is FROM with TO=HEAD; `all` compares TO with the empty tree.
 * Reports and returns -1 for an unknown revision.
 */
int range_resolve(struct range *rg, struct repo *r, int argc, char **argv, int all);
void range_release(struct range *rg);

/*
 * The newest commit of `to`'s first-parent line at or before `when` (NULL
 * when the line ends first), read from git's commit-graph where it holds
 * the commits. 0, or -1 after an error is reported.
 */
int range_first_parent_at(git_repository *git, git_commit *to, long long when,
			  git_commit **out);

#endif
