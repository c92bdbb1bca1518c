#ifndef HERALD_CADENCE_H
#define HERALD_CADENCE_H

#include <stddef.h>

/*
 * When a target's scheduled digest is due: git config
 * `herald.NAME.digest`, read in the target's `timezone` (an IANA name;
 * NULL is UTC). The grammar, case-insensitive, words separated by blanks:
 *
 *   daily [HH:MM]           every day (default 09:00)
 *   weekly [DAY] [HH:MM]    every week (default mon 09:00)
 *   DAY [HH:MM]             weekly on DAY (mon … sun, or monday … sunday)
 *   HH:MM                   daily at that time
 *   off                     no digest
 *
 * HH:MM is 24-hour local time, 00:00 to 23:59. A local time that a change
 * to summer time skips (02:30 on the night the clock jumps from 02:00 to
 * 03:00) is taken at the offset before the change (03:30 summer time); a
 * time that happens twice when the clock goes back is the first of the two.
 */
struct cadence {
	int on;     /* 0: no digest */
	int weekly; /* 1: on `wday`; 0: every day */
	int wday;   /* 0 = Sunday … 6 = Saturday */
	int minute; /* minutes after local midnight */
};

/*
 * Parses `value`; 0 with *c set, or -1 with why in `why` (a phrase such as
 * "'noon' is not daily, weekly, a day or a time HH:MM"), nothing printed:
 * the caller names the config key.
 */
int cadence_parse(const char *value, struct cadence *c, char *why, size_t why_size);

/*
 * The first due instant strictly after `after` (unix seconds) in `zone`
 * (NULL: UTC), which must have passed date_zone_valid(); -1 when `c` is
 * off.
 */
long long cadence_next(const struct cadence *c, const char *zone, long long after);

/* The last due instant at or before `now`; -1 when off. */
long long cadence_last(const struct cadence *c, const char *zone, long long now);

/* "weekly mon 09:00", "daily 18:30" or "off" into buf, for listings. */
void cadence_format(const struct cadence *c, char *buf, size_t size);

/* "weekly" or "daily", for headlines and the model. */
const char *cadence_period(const struct cadence *c);

#endif
