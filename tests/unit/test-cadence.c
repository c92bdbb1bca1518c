#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herald/cadence.h"
#include "herald/date.h"
#include "tap.h"
#include "herald/banned.h"

static const struct {
	const char *text;
	int on, weekly, wday, minute;
} good[] = {
	{ "daily", 1, 0, 1, 540 },
	{ "Daily 18:30", 1, 0, 1, 1110 },
	{ "weekly", 1, 1, 1, 540 },
	{ "WEEKLY fri", 1, 1, 5, 540 },
	{ "weekly sun 7:05", 1, 1, 0, 425 },
	{ "weekly 23:59", 1, 1, 1, 1439 },
	{ "mon 09:00", 1, 1, 1, 540 },
	{ "  Saturday\t00:00 ", 1, 1, 6, 0 },
	{ "tue", 1, 1, 2, 540 },
	{ "09:00", 1, 0, 1, 540 },
	{ "0:00", 1, 0, 1, 0 },
	{ "off", 0, 0, 1, 540 },
	{ "none", 0, 0, 1, 540 },
};

static const struct {
	const char *text, *why;
} bad[] = {
	{ "", "it is empty" },
	{ "   ", "it is empty" },
	{ "noon", "'noon': 'noon' is not expected there" },
	{ "25:00", "'25:00' is not a time from 00:00 to 23:59" },
	{ "9:60", "'9:60' is not a time" },
	{ "09:5", "'09:5' is not a time" },
	{ "123:00", "'123:00' is not a time" },
	{ "mon tue", "'tue' is not expected there" },
	{ "daily mon", "'mon' is not expected there" },
	{ "09:00 mon", "'mon' is not expected there" },
	{ "mon 09:00 10:00", "'10:00' is not expected there" },
	{ "weekly 9am", "'9am' is not expected there" },
	{ "9", "'9' is not expected there" },
	{ "mon 09:00 x y", "is not daily, weekly" },
	{ "monthly", "'monthly' is not expected there" },
};

/* cadence, zone, after → the next due instant; then last(now) checks */
static const struct {
	const char *cadence, *zone, *after, *next;
} nexts[] = {
	/* UTC, weekly: Monday 2026-11-30 */
	{ "mon 09:00", NULL, "2026-11-30T09:00:00Z", "2026-12-07T09:00:00Z" },
	{ "mon 09:00", NULL, "2026-11-30T08:59:59Z", "2026-11-30T09:00:00Z" },
	{ "weekly", NULL, "2026-12-06T23:00:00Z", "2026-12-07T09:00:00Z" },
	{ "weekly sun 00:00", NULL, "2026-12-02T12:00:00Z", "2026-12-06T00:00:00Z" },
	{ "daily", NULL, "2026-12-02T08:59:59Z", "2026-12-02T09:00:00Z" },
	{ "daily", NULL, "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z" },
	{ "daily 00:00", NULL, "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z" },
	/* a zone east of UTC: Monday 09:00 in Tokyo is Monday 00:00 UTC */
	{ "mon 09:00", "Asia/Tokyo", "2026-11-29T12:00:00Z", "2026-11-30T00:00:00Z" },
	{ "mon 09:00", "Asia/Tokyo", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z" },
	{ "mon 03:00", "Asia/Tokyo", "2026-11-29T12:00:00Z", "2026-11-29T18:00:00Z" },
	/* west of UTC: Sunday evening local is Monday UTC */
	{ "sun 22:00", "America/New_York", "2026-12-06T00:00:00Z", "2026-12-07T03:00:00Z" },
	/* Europe/Paris: summer time starts 2026-03-29 02:00, ends 2026-10-25 03:00 */
	{ "18:30", "Europe/Paris", "2026-12-02T00:00:00Z", "2026-12-02T17:30:00Z" },
	{ "daily", "Europe/Paris", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z" },
	{ "daily", "Europe/Paris", "2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z" },
	{ "daily 02:30", "Europe/Paris", "2026-03-28T12:00:00Z", "2026-03-29T01:30:00Z" },
	{ "daily 02:30", "Europe/Paris", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z" },
	{ "daily 02:30", "Europe/Paris", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z" },
	{ "weekly sun 02:30", "Europe/Paris", "2026-03-22T01:30:00Z", "2026-03-29T01:30:00Z" },
	/* America/New_York: summer time 2026-03-08 02:00 to 2026-11-01 02:00 */
	{ "mon 09:00", "America/New_York", "2026-03-02T14:00:00Z", "2026-03-09T13:00:00Z" },
	{ "mon 09:00", "America/New_York", "2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z" },
	{ "weekly sun 02:30", "America/New_York", "2026-03-01T12:00:00Z", "2026-03-08T07:30:00Z" },
	{ "daily 01:30", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z" },
	{ "daily 01:30", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" },
};

static const struct {
	const char *cadence, *zone, *now, *last;
} lasts[] = {
	/* a missed Monday: the latest due instant only, never one per period */
	{ "mon 09:00", NULL, "2026-12-16T10:00:00Z", "2026-12-14T09:00:00Z" },
	{ "mon 09:00", NULL, "2026-12-14T09:00:00Z", "2026-12-14T09:00:00Z" },
	{ "mon 09:00", NULL, "2026-12-14T08:59:59Z", "2026-12-07T09:00:00Z" },
	{ "daily", NULL, "2026-12-02T08:00:00Z", "2026-12-01T09:00:00Z" },
	{ "mon 09:00", "Asia/Tokyo", "2026-12-06T23:59:59Z", "2026-11-30T00:00:00Z" },
	{ "mon 09:00", "Asia/Tokyo", "2026-12-07T00:00:00Z", "2026-12-07T00:00:00Z" },
	{ "daily", "Europe/Paris", "2026-03-29T06:59:59Z", "2026-03-28T08:00:00Z" },
	{ "daily", "Europe/Paris", "2026-03-29T07:00:00Z", "2026-03-29T07:00:00Z" },
};

static long long at(const char *s)
{
	long long t = -1;

	if (date_parse(s, &t) < 0)
		diag("bad date in the table: %s", s);
	return t;
}

int main(void)
{
	struct cadence c;
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		why[0] = '\0';
		ok(cadence_parse(good[i].text, &c, why, sizeof(why)) == 0 &&
			   c.on == good[i].on && (!c.on || (c.weekly == good[i].weekly && c.wday == good[i].wday && c.minute == good[i].minute)),
		   "'%s' parses (on %d weekly %d wday %d minute %d) %s", good[i].text,
		   c.on, c.weekly, c.wday, c.minute, why);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		ok(cadence_parse(bad[i].text, &c, why, sizeof(why)) < 0 &&
			   strstr(why, bad[i].why) != NULL,
		   "'%s' is refused: %s", bad[i].text, why);
	}
	for (i = 0; i < sizeof(nexts) / sizeof(*nexts); i++) {
		char buf[32];
		const char *got = buf;
		long long n;
		cadence_parse(nexts[i].cadence, &c, why, sizeof(why));
		n = cadence_next(&c, nexts[i].zone, at(nexts[i].after));
		date_format(n, buf, sizeof(buf));
		is_str(got, nexts[i].next, "'%s' in %s after %s is due at %s", nexts[i].cadence,
		       nexts[i].zone ? nexts[i].zone : "UTC", nexts[i].after, nexts[i].next);
	}
	for (i = 0; i < sizeof(lasts) / sizeof(*lasts); i++) {
		char buf[32];
		const char *got = buf;
		long long n;
		cadence_parse(lasts[i].cadence, &c, why, sizeof(why));
		n = cadence_last(&c, lasts[i].zone, at(lasts[i].now));
		date_format(n, buf, sizeof(buf));
		is_str(got, lasts[i].last, "'%s' in %s at %s was last due at %s", lasts[i].cadence,
		       lasts[i].zone ? lasts[i].zone : "UTC", lasts[i].now, lasts[i].last);
	}
	{
		char buf[40];
		const char *got = buf;
		cadence_parse("Sunday 7:05", &c, why, sizeof(why));
		cadence_format(&c, buf, sizeof(buf));
		is_str(got, "weekly sun 07:05", "listed as weekly sun 07:05");
		cadence_parse("18:30", &c, why, sizeof(why));
		cadence_format(&c, buf, sizeof(buf));
		is_str(got, "daily 18:30", "listed as daily 18:30");
	}
	cadence_parse("off", &c, why, sizeof(why));
	ok(cadence_next(&c, NULL, 0) == -1 && cadence_last(&c, NULL, 0) == -1,
	   "an off cadence is never due");
	return done_testing();
}
