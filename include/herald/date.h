#ifndef HERALD_DATE_H
#define HERALD_DATE_H

#include <stddef.h>

/*
 * Dates as bloggers write them: `2020-03-30`, `2020-03-30 10:00`,
 * `2020-03-30T10:00:00.5+05:30`, `2020-03-30 10:00:00 +0530`. A date
 * without a time is midnight, a time without a zone is UTC. Returns 0 and
 * seconds since the epoch, or -1 when the text is not such a date.
 */
int date_parse(const char *s, long long *out);

/* Writes `t` as RFC 3339 in UTC ("2020-03-30T10:00:00Z") into buf. */
void date_format(long long t, char *buf, size_t size);

/* A `YYYY-MM-DD-` prefix of a file name: 0 and the date, or -1. */
int date_from_name(const char *name, long long *out);

#endif
