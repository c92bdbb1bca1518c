#ifndef HERALD_PROGRESS_H
#define HERALD_PROGRESS_H

#include <stdint.h>

/*
 * git-style progress on stderr ("Reading posts:  45% (4500/10000)") for long
 * walks. Shown only when stderr is a terminal, not under CI or a git hook,
 * and only once the work has lasted a second. All calls accept NULL.
 */
struct progress;

/* Returns NULL when progress should not be shown. total may be 0 (unknown). */
struct progress *progress_start(const char *title, uint64_t total);
void progress_update(struct progress *p, uint64_t n);
/* Prints the final line (if anything was shown) and frees; sets *p NULL. */
void progress_stop(struct progress **p);

#endif
