#ifndef HERALD_CHANGES_H
#define HERALD_CHANGES_H

#include <git2.h>

#include "herald/event.h"
#include "herald/post.h"

struct repo;
struct site;

struct changes_options {
	const struct site *site;
	long long now;
	int drafts;     /* include `draft` events */
	int no_commits; /* skip attributing events to commits */
	/*
	 * Work out each update's shown_changed (event.h), which needs the
	 * summary of the post before it too: for announcements that follow
	 * their post. Without it shown_changed is never set.
	 */
	int shown;
};

/*
 * The events between two snapshots, in the contract's order, each with the
 * newest commit of the range that touched its post (unless no_commits):
 * `from` may be NULL (the empty tree). Returns 0 with *out filled (release
 * it with event_list_release()), or -1 after reporting a git error (then
 * *out is empty).
 */
int changes_scan(struct repo *r, git_commit *from, git_commit *to,
		 const struct changes_options *opts, struct event_list *out);

#endif
