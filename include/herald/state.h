#ifndef HERALD_STATE_H
#define HERALD_STATE_H

#include <stddef.h>

/*
 * What `herald status` reports about each target: the outcome of the
 * delivery attempts so far, kept in $GIT_DIR/herald/status.json
 *
 *	{"targets": {"NAME": {"failures": 1, "last_error": "HTTP 500 from …",
 *	  "last_failure": 1764115200, "last_status": 500,
 *	  "last_success": 0, "successes": 4}}, "version": 1}
 *
 * (sorted keys, two-space indent, mode 0600). Only deliver_due() writes it,
 * under the outbox lock, so read-modify-write needs no lock of its own;
 * readers see the old or the new file, never a partial one.
 *
 * Target names and error texts are stored as UTF-8 (invalid bytes become
 * U+FFFD, control characters '?'), so lookups normalise names the same way.
 */

/* One target's record; times are unix seconds, 0 = never. */
struct state_target {
	char *name;
	long long last_success;
	long long last_failure;
	int last_status;    /* HTTP status of the last failure; 0 = network or none */
	char *last_error;   /* short text of the last failure, or NULL */
	unsigned long long successes, failures;
};

struct state; /* opaque */

/*
 * Reads HERALD_DIR/status.json; a missing file (or folder) is an empty
 * state. NULL after error() when the file cannot be read or is not ours
 * (bad JSON, wrong types, a newer version). Close with state_close().
 */
struct state *state_open(const char *herald_dir);

/* NULL is fine. Unsaved records are lost. */
void state_close(struct state *s);

/*
 * Records one attempt to deliver to `target` at `when`: `ok` counts a
 * success, else a failure with its HTTP `status` (0 for no answer) and
 * `error` (may be NULL; it must never hold a url or a secret, which
 * deliver_send()'s texts do not). Keeps at most 200 bytes of it. A NULL
 * state records nothing.
 */
void state_record(struct state *s, const char *target, int ok, int status,
		  const char *error, long long when);

/*
 * Writes HERALD_DIR/status.json atomically (temp file, fsync, rename, fsync
 * of the folder) when something was recorded since opening or the last
 * save. 0 (also for a NULL state) or -1 after error().
 */
int state_save(struct state *s);

/* The records, sorted by name; owned by `s`. */
size_t state_count(const struct state *s);
const struct state_target *state_at(const struct state *s, size_t i);

/* The record of `target`, or NULL when it has none. */
const struct state_target *state_find(const struct state *s,
				      const char *target);

#endif
