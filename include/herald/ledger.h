#ifndef HERALD_LEDGER_H
#define HERALD_LEDGER_H

#include <stdbool.h>

/*
 * What was announced, so a post is never announced twice to a target: the
 * append-only file HERALD_DIR/ledger (mode 0600), one line per
 * announcement:
 *
 *   TARGET\tEVENT\tPOST\tID\tWHEN\n
 *
 * WHEN is unix seconds. Tabs, newlines and carriage returns inside fields
 * are written as spaces (and looked up the same way). A last line cut short
 * by a crash counts when its POST field is complete and is otherwise
 * ignored with a warning; the next append starts on a fresh line.
 *
 * Writers serialise through the outbox lock (outbox_lock()); the ledger
 * itself takes no lock.
 *
 * For targets that follow their posts (target `follow`), two more events:
 * "remote" (ID is the platform's id of the message that announced POST,
 * written once it was delivered) and "retracted" (the announcement was
 * taken back: the post is no longer announced to TARGET, so it may be
 * again). When a followed post moves, its announcement's line is written again
 * under the new path (the same EVENT and ID), then its "remote" line.
 */

struct ledger; /* opaque */

/*
 * Loads HERALD_DIR/ledger once into a hash, so lookups stay fast for tens
 * of thousands of lines. A missing file is an empty ledger; the file is
 * created (0600) by the first ledger_add(). NULL after error().
 */
struct ledger *ledger_open(const char *herald_dir);

/* NULL is fine. */
void ledger_close(struct ledger *l);

/* Was (target, post) recorded (with any event)? */
bool ledger_has(struct ledger *l, const char *target, const char *post);

/*
 * The announcement of `post` to `target`, when there is one (true): the
 * event it was announced as ("new", "undrafted"), the ID of its delivery
 * and the platform's id of its message. id is NULL (and event "") when its
 * line was cut short, remote NULL when no id was kept. The strings are
 * owned by the ledger, valid until it changes.
 */
struct ledger_announcement {
	char event[16];
	const char *id, *remote;
};
bool ledger_announcement(struct ledger *l, const char *target, const char *post,
			 struct ledger_announcement *out);

/*
 * herald's own records share the file: their POST starts with '/', which
 * no post path does ("/digest": where a target's next digest starts;
 * "/digest/PERIOD": that digest was queued). For those the ledger keeps the
 * ID and WHEN of the last complete line too: true with them in *id (owned
 * by the ledger, valid until it changes) and *when, false when there is no
 * such line. Either pointer may be NULL.
 */
bool ledger_record(struct ledger *l, const char *target, const char *post,
		   const char **id, long long *when);

/*
 * Appends one line "TARGET\tEVENT\tPOST\tID\tWHEN\n" with O_APPEND, then
 * fsync (and fsyncs the folder when this created the file). Also adds it
 * to the in-memory hash. `event` and `id` may be NULL (written empty);
 * `target` and `post` may not. 0 or -1 after error().
 */
int ledger_add(struct ledger *l, const char *target, const char *event,
	       const char *post, const char *id, long long when);

/*
 * Batches: ledger_stage() holds a line in memory, ledger_flush() appends
 * every held line with one write and one fsync (and only then adds them to
 * the in-memory hash). On failure part of the lines may be in the file:
 * ledger_truncate() to the ledger_size() taken before cuts them off again
 * (ftruncate, fsync) and re-reads the file. Writers hold the outbox lock.
 * `target` and `post` must not be NULL. Flush and truncate: 0 or -1 after
 * error().
 */
void ledger_stage(struct ledger *l, const char *target, const char *event,
		  const char *post, const char *id, long long when);
int ledger_flush(struct ledger *l);
/* Are lines held for ledger_flush()? */
bool ledger_staged(const struct ledger *l);
long long ledger_size(const struct ledger *l);
int ledger_truncate(struct ledger *l, long long size);

#endif
