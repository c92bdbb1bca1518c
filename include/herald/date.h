#ifndef HERALD_DATE_H
#define HERALD_DATE_H

#include <stddef.h>
#include <time.h>

/*
 * Dates as bloggers write them and as Jekyll (Ruby's Time.parse over YAML
 * 1.1 timestamps) and Hugo read them: `2020-03-30`, `2019-12-3`,
 * `2020-03-30 9:00`, `2020-03-30T10:00:00.5+05:30`,
 * `2020-03-30 10:00:00 +0530`, `2016-05-10 14:00:00 -4`, a trailing `UTC`
 * or `GMT`. Months, days and hours may have one digit; a space may stand
 * before the zone.
 */

/*
 * Reads `s`. A date without a time is midnight and a time without a zone is
 * local time in `zone` (an IANA name such as "Europe/Berlin" that passed
 * date_zone_valid(), or NULL for UTC). Returns 0 with seconds since the epoch in *out and, when `offset`
 * is not NULL, the date's offset from UTC in seconds (the one written, else
 * the zone's); -1 when the text is not such a date.
 */
int date_parse_zoned(const char *s, const char *zone, long long *out, int *offset);

/* Days in `month` (1-12) of `year` in the Gregorian calendar. */
int date_days_in_month(int year, int month);

/* date_parse_zoned() in UTC. */
int date_parse(const char *s, long long *out);

/*
 * Is `zone` a time zone this machine knows (a file under
 * /usr/share/zoneinfo, named without "..")? Names come from pushed site
 * configs, so nothing else is ever handed to the C library.
 */
int date_zone_valid(const char *zone);

/* The calendar fields of `t` in `zone` (NULL: UTC) or at a fixed `offset`. */
void date_in_zone(long long t, const char *zone, struct tm *tm);
void date_at_offset(long long t, int offset, struct tm *tm);

/* Writes `t` as RFC 3339 in UTC ("2020-03-30T10:00:00Z") into buf. */
void date_format(long long t, char *buf, size_t size);

/*
 * A `YYYY-M-D` file name prefix followed by one of the characters in
 * `seps` (Jekyll: "-"; Zola: "-_"): returns the prefix's length with its
 * separator, and midnight of that day in `zone` in *out; -1 when there is
 * none.
 */
int date_name_prefix(const char *name, const char *seps, const char *zone,
		     long long *out);

/* A `YYYY-M-D-` prefix of a file name: 0 and midnight UTC, or -1. */
int date_from_name(const char *name, long long *out);

/*
 * Does `s` match YAML 1.1's timestamp with a time of day and no zone, as
 * Ruby's Psych reads it (`2024-01-02 9:05:07`, `2024-01-02T09:05:07.5`)?
 */
int date_yaml_time_without_zone(const char *s);

#endif
