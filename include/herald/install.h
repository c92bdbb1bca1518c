#ifndef HERALD_INSTALL_H
#define HERALD_INSTALL_H

#include <stdio.h>

struct repo;

/*
 * herald's hooks in a repository: post-receive and pre-receive go into
 * the folder git runs hooks from (core.hooksPath, else hooks/). A hook
 * that is someone else's stays and runs first, renamed <hook>.herald-chained;
 * where <hook>.d/ exists (Gitea, GitLab) ours goes there as herald.
 * Installing again only refreshes herald's own hooks, each replaced in one
 * rename; removing puts the chained hooks back.
 *
 * The scripts come from `templates` (--hooks), else $HERALD_HOOKS_DIR,
 * else a hooks/ folder of ours next to the binary (installed, or the build
 * tree), else the copies of hooks/ built in by tools/embed.sh. Each gets
 * the marker line "# installed by herald" and the path of this herald.
 */
struct install {
	struct repo *repo;
	char *hooks;           /* the hooks folder, no trailing '/' */
	char *exe;             /* the running herald's absolute path, or NULL */
	const char *templates; /* a folder to read the scripts from, or NULL */
	FILE *out;             /* one line per hook installed, kept or removed */
};

/* Finds the hooks folder of `r`; 0, or -1 after error(). */
int install_init(struct install *in, struct repo *r, const char *templates, FILE *out);
void install_release(struct install *in);

/* Installs (or refreshes) both hooks; 0, or -1 after error() for any. */
int install_hooks(const struct install *in);

/* Removes herald's hooks and puts back those they chained; 0 or -1. */
int install_remove_hooks(const struct install *in);

/*
 * Prints the cron lines and the systemd commands that run `herald
 * deliver` and `herald tick` for this repository.
 */
void install_print_schedules(const struct install *in);

#endif
