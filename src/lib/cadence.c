#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "herald/cadence.h"
#include "herald/date.h"
#include "herald/banned.h"

#define DEFAULT_MINUTE (9 * 60)
#define DAY 86400LL

static const char *const day_names[7][2] = {
	{ "sun", "sunday" },
	{ "mon", "monday" },
	{ "tue", "tuesday" },
	{ "wed", "wednesday" },
	{ "thu", "thursday" },
	{ "fri", "friday" },
	{ "sat", "saturday" },
};

static int parse_day(const char *w)
{
	int i;

	for (i = 0; i < 7; i++)
		if (!strcasecmp(w, day_names[i][0]) || !strcasecmp(w, day_names[i][1]))
			return i;
	return -1;
}

/* "H:MM" or "HH:MM", 00:00 to 23:59: minutes after midnight, or -1. */
static int parse_time(const char *w)
{
	int h = 0, m, n = 0;

	while (w[n] >= '0' && w[n] <= '9' && n < 3)
		h = h * 10 + (w[n++] - '0');
	if (n < 1 || n > 2 || w[n] != ':')
		return -1;
	w += n + 1;
	if (!(w[0] >= '0' && w[0] <= '9' && w[1] >= '0' && w[1] <= '9') || w[2])
		return -1;
	m = (w[0] - '0') * 10 + (w[1] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int cadence_parse(const char *value, struct cadence *c, char *why, size_t why_size)
{
	char words[4][32];
	const char *p = value ? value : "";
	size_t nw = 0, i = 0;
	int day = -1, minute = -1, daily = 0, t;

	memset(c, 0, sizeof(*c));
	c->minute = DEFAULT_MINUTE;
	c->wday = 1;
	while (*p) {
		size_t len;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (len = 0; p[len] && p[len] != ' ' && p[len] != '\t'; len++)
			;
		if (nw == 3 || len >= sizeof(words[0])) {
			snprintf(why, why_size, "'%s' is not daily, weekly, a day (mon … sun) "
						"or a time HH:MM",
				 value);
			return -1;
		}
		memcpy(words[nw], p, len);
		words[nw++][len] = '\0';
		p += len;
	}
	if (!nw) {
		snprintf(why, why_size, "it is empty; say daily, weekly, a day (mon … sun), "
					"a time HH:MM or off");
		return -1;
	}
	if (nw == 1 && (!strcasecmp(words[0], "off") || !strcasecmp(words[0], "none") ||
			!strcasecmp(words[0], "false"))) {
		return 0;
	}
	if (!strcasecmp(words[0], "daily")) {
		daily = 1;
		i = 1;
	} else if (!strcasecmp(words[0], "weekly")) {
		c->weekly = 1;
		i = 1;
	}
	for (; i < nw; i++) {
		if (!daily && day < 0 && minute < 0 && (t = parse_day(words[i])) >= 0) {
			day = t;
			c->weekly = 1;
		} else if ((t = parse_time(words[i])) >= 0 && minute < 0) {
			minute = t;
		} else {
			if (parse_time(words[i]) < 0 && strchr(words[i], ':'))
				snprintf(why, why_size, "'%s': '%s' is not a time from 00:00 to 23:59",
					 value, words[i]);
			else
				snprintf(why, why_size, "'%s': '%s' is not expected there; say daily [HH:MM], "
							"weekly [DAY] [HH:MM], DAY [HH:MM] or HH:MM",
					 value, words[i]);
			return -1;
		}
	}
	c->on = 1;
	if (day >= 0)
		c->wday = day;
	if (minute >= 0)
		c->minute = minute;
	return 0;
}

void cadence_format(const struct cadence *c, char *buf, size_t size)
{
	if (!c->on)
		snprintf(buf, size, "off");
	else if (c->weekly)
		snprintf(buf, size, "weekly %s %02d:%02d", day_names[c->wday][0], c->minute / 60,
			 c->minute % 60);
	else
		snprintf(buf, size, "daily %02d:%02d", c->minute / 60, c->minute % 60);
}

const char *cadence_period(const struct cadence *c)
{
	return c->weekly ? "weekly" : "daily";
}

/* Seconds `zone` is ahead of UTC at instant `t`. */
static long long offset_at(const char *zone, long long t)
{
	struct tm tm;

	date_in_zone(t, zone, &tm);
	return (long long)timegm(&tm) - t;
}

/* The local date (days since 1970-01-01) of instant `t` in `zone`. */
static long long local_day(const char *zone, long long t)
{
	long long l = t + offset_at(zone, t);

	return l >= 0 ? l / DAY : -((-l + DAY - 1) / DAY);
}

static int weekday(long long days)
{
	return (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
}

/*
 * The instant local day `days` at `minute` happens in `zone`: the first
 * of two when the clock goes back, at the earlier offset when the clock
 * skips it.
 */
static long long instant(const char *zone, long long days, int minute)
{
	long long local = days * DAY + minute * 60LL;
	long long before = offset_at(zone, local - DAY), after = offset_at(zone, local + DAY);
	long long best = -1, u;

	u = local - before;
	if (offset_at(zone, u) == before)
		best = u;
	u = local - after;
	if (after != before && offset_at(zone, u) == after && (best < 0 || u < best))
		best = u;
	return best >= 0 ? best : local - before;
}

long long cadence_last(const struct cadence *c, const char *zone, long long now)
{
	long long d0, k, u;

	if (!c->on)
		return -1;
	d0 = local_day(zone, now);
	for (k = 0; k <= 8; k++) {
		if (c->weekly && weekday(d0 - k) != c->wday)
			continue;
		u = instant(zone, d0 - k, c->minute);
		if (u <= now)
			return u;
	}
	return -1;
}

long long cadence_next(const struct cadence *c, const char *zone, long long after)
{
	long long d0, k, u;

	if (!c->on)
		return -1;
	d0 = local_day(zone, after);
	for (k = -1; k <= 9; k++) {
		if (c->weekly && weekday(d0 + k) != c->wday)
			continue;
		u = instant(zone, d0 + k, c->minute);
		if (u > after)
			return u;
	}
	return -1;
}
