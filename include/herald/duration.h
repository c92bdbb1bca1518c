#ifndef HERALD_DURATION_H
#define HERALD_DURATION_H

#include <stddef.h>

/*
 * Durations as git config values say them: a whole number of seconds, or
 * one followed by s, m, h or d ("90", "90s", "15m", "1h", "2d").
 */

/* Reads `s` into *out (seconds): 0, or -1 when it is not such a duration. */
int duration_parse(const char *s, long long *out);

/* Writes `seconds` the shortest exact way duration_parse() reads: "1h", "90m", "45s". */
void duration_format(long long seconds, char *buf, size_t size);

#endif
