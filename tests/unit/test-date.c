#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herald/date.h"
#include "tap.h"
#include "herald/banned.h"

/* Every form Jekyll (Ruby's Time.parse over YAML 1.1) or Hugo reads. */
static const struct {
	const char *text, *zone;
	long long want;
	int offset;
} accepted[] = {
	{ "2020-03-30", NULL, 1585526400, 0 },
	{ "2019-12-3", NULL, 1575331200, 0 },
	{ "2019-1-3", NULL, 1546473600, 0 },
	{ "2020-03-30T10:00:00Z", NULL, 1585562400, 0 },
	{ "2020-03-30t10:00:00z", NULL, 1585562400, 0 },
	{ "2020-03-30 10:00:00 +0530", NULL, 1585562400 - 19800, 19800 },
	{ "2020-03-30T10:00:00.123+05:30", NULL, 1585562400 - 19800, 19800 },
	{ "2020-03-30 10:00:00.123456 +05:30", NULL, 1585562400 - 19800, 19800 },
	{ "2020-03-30 10:00:00,5Z", NULL, 1585562400, 0 },
	{ "2020-03-30 10:00", NULL, 1585562400, 0 },
	{ "2024-05-29 9:00:00 +0000", NULL, 1716973200, 0 },
	{ "2024-05-29T9:00:00Z", NULL, 1716973200, 0 },
	{ "2016-05-10 14:00:00 -4", NULL, 1462903200, -14400 },
	{ "2016-05-10 14:00:00-4", NULL, 1462903200, -14400 },
	{ "2016-05-10 14:00:00 -04", NULL, 1462903200, -14400 },
	{ "2016-05-10 14:00:00 -04:00", NULL, 1462903200, -14400 },
	{ "2016-05-10   14:00:00    -0400", NULL, 1462903200, -14400 },
	{ "2016-05-10\t14:00:00\t-0400", NULL, 1462903200, -14400 },
	{ "2020-03-30 10:00:00 UTC", NULL, 1585562400, 0 },
	{ "2020-03-30 10:00:00 GMT", NULL, 1585562400, 0 },
	{ "  2020-03-30  ", NULL, 1585526400, 0 },
	{ "2020-02-29", NULL, 1582934400, 0 },
	{ "2000-02-29", NULL, 951782400, 0 },
	{ "2020-03-30T10:00Z", NULL, 1585562400, 0 },
	{ "2020-03-30 10:00 +05:30", NULL, 1585562400 - 19800, 19800 },
	{ "2020-03-30 10:00:60Z", NULL, 1585562460, 0 }, /* a leap second, as RFC 3339 allows */
	{ "2020-12-31 23:59:59 -23:59", NULL, 1609459199 + 86340, -86340 },
	/* the site's zone for a date without one, daylight saving included */
	{ "2024-06-04 10:00", "America/New_York", 1717509600, -14400 },
	{ "2024-01-04 10:00", "America/New_York", 1704380400, -18000 },
	{ "2024-06-04", "Europe/Berlin", 1717452000, 7200 },
	{ "2024-06-04 10:00 +0000", "Europe/Berlin", 1717495200, 0 },
};

static const char *const refused[] = {
	"", "not a date", "30/03/2020", "2020-03-30 garbage", "2020-02-30",
	"2021-02-29", "2020-13-01", "2020-00-10", "2020-03-00", "2020-03-32",
	"20-03-30", "2020-3", "2020-03-30 25:00", "2020-03-30 10:60",
	"2020-03-30 10", "2020-03-30 10:0", "2020-03-30 10:00:0",
	"2020-03-30 10:00:00.", "2020-03-30 10:00:00 +24", "2020-03-30 10:00:00 +05:61",
	"2020-03-30 10:00:00 +05:3", "2020-03-30T", "2020-03-30 10:00:00 EST",
	"2020-003-30", "2020-03-030", "next tuesday", "1900-02-29", "2100-02-29",
	"2020-04-31", "2020-06-31", "2020-09-31", "2020-11-31", "2020-03-30T 10:00",
	"2020-03-30 24:00", "2020-03-30 10:00:61", "2020-03-30 10:00 +05:30 extra",
	"2020-03-30 10:00:00 +0530 UTC",
};

int main(void)
{
	size_t i;
	long long t;
	int off, n;
	struct tm tm;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		int rc = date_parse_zoned(accepted[i].text, accepted[i].zone, &t, &off);
		ok(!rc && t == accepted[i].want && off == accepted[i].offset,
		   "'%s' in %s is %lld %+d (got %d: %lld %+d)", accepted[i].text,
		   accepted[i].zone ? accepted[i].zone : "UTC", accepted[i].want,
		   accepted[i].offset, rc, t, off);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ok(date_parse(refused[i], &t) < 0, "'%s' is refused", refused[i]);

	ok(date_zone_valid("America/New_York"), "a known zone");
	ok(date_zone_valid("UTC"), "UTC");
	ok(!date_zone_valid("Mars/Olympus"), "an unknown zone");
	ok(!date_zone_valid("../../etc/passwd"), "no '..'");
	ok(!date_zone_valid("/etc/localtime"), "no absolute path");
	ok(!date_zone_valid(":America/New_York"), "no ':' file form");
	ok(!date_zone_valid("America"), "a folder is no zone");
	ok(!date_zone_valid(""), "empty");

	date_in_zone(1717459200, "America/New_York", &tm); /* 2024-06-04T00:00Z */
	ok(tm.tm_mday == 3 && tm.tm_hour == 20, "date_in_zone: the evening before in New York");
	date_at_offset(1717459200, 7200, &tm);
	ok(tm.tm_mday == 4 && tm.tm_hour == 2, "date_at_offset: +02:00");

	n = date_name_prefix("2019-12-3-long-term-teams.md", "-", NULL, &t);
	ok(n == 10 && t == 1575331200, "one-digit day in a file name (%d)", n);
	n = date_name_prefix("2023-05-06_under.md", "-_", NULL, &t);
	ok(n == 11 && t == 1683331200, "Zola's '_' separator (%d)", n);
	ok(date_name_prefix("2023-05-06_under.md", "-", NULL, &t) < 0, "'_' is not Jekyll's");
	n = date_name_prefix("2024-06-04-x.md", "-", "America/New_York", &t);
	ok(n == 11 && t == 1717473600, "a file name date is midnight in the site's zone");
	ok(date_name_prefix("2024-06-04.md", "-", NULL, &t) < 0, "the date alone is no prefix");
	ok(date_name_prefix("hello.md", "-", NULL, &t) < 0, "no date");
	ok(date_from_name("2020-03-30-hello.md", &t) == 0 && t == 1585526400, "date_from_name");

	/* the one calendar herald has (TOML dates check their days with it too) */
	{
		static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		static const struct {
			int year, feb;
		} years[] = { { 2019, 28 }, { 2020, 29 }, { 1900, 28 }, { 2000, 29 }, { 2100, 28 }, { 2400, 29 } };
		int m, bad = 0;

		for (i = 0; i < sizeof(years) / sizeof(years[0]); i++)
			for (m = 1; m <= 12; m++)
				if (date_days_in_month(years[i].year, m) != (m == 2 ? years[i].feb : days[m - 1]))
					bad++;
		ok(!bad, "date_days_in_month: every month of common, leap and century years (%d wrong)", bad);
	}
	{
		char buf[32];

		date_format(1585562400, buf, sizeof(buf));
		ok(!strcmp(buf, "2020-03-30T10:00:00Z"), "date_format writes RFC 3339 in UTC (%s)", buf);
		date_format(951782400 + 86399, buf, sizeof(buf));
		ok(!strcmp(buf, "2000-02-29T23:59:59Z"), "date_format on a century leap day (%s)", buf);
	}
	{
		/* from year 1 to 12000, years below 1000 and above 9999 included */
		long long when, bad = 0, tried = 0;
		char buf[32], want[32];

		for (when = -62135596800LL; when < 316592000000LL; when += 7777777 + tried++ % 86400) {
			time_t tt = (time_t)when;
			struct tm at;
			gmtime_r(&tt, &at);
			strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &at);
			date_format(when, buf, sizeof(buf));
			bad += !!strcmp(buf, want);
		}
		ok(!bad && tried > 40000, "date_format prints what strftime prints (%lld of %lld differ)",
		   bad, tried);
	}
	{
		/* dates read count seconds as timegm does, years 0 to 9999, a leap second too */
		long long got, bad = 0, tried = 0;
		unsigned seed = 12345;
		char text[64];

		for (tried = 0; tried < 30000; tried++) {
			struct tm at;
			int y, mo, d, h, mi, s, leap;
			seed = seed * 1103515245u + 12345u;
			y = (int)(seed >> 8) % 10000;
			seed = seed * 1103515245u + 12345u;
			mo = 1 + (int)(seed >> 8) % 12;
			leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
			seed = seed * 1103515245u + 12345u;
			d = 1 + (int)(seed >> 8) % (mo == 2 ? 28 + leap : 30);
			h = (int)(seed >> 3) % 24;
			mi = (int)(seed >> 13) % 60;
			s = (int)(seed >> 19) % 61;
			snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
			memset(&at, 0, sizeof(at));
			at.tm_year = y - 1900;
			at.tm_mon = mo - 1;
			at.tm_mday = d;
			at.tm_hour = h;
			at.tm_min = mi;
			at.tm_sec = s;
			bad += date_parse(text, &got) || got != (long long)timegm(&at);
		}
		ok(!bad, "dates read as timegm counts them (%lld of %lld differ)", bad, tried);
	}
	/* Psych's YAML 1.1 timestamp with a time and no zone: Jekyll reads it as UTC */
	ok(date_yaml_time_without_zone("2024-01-02 10:00:00"), "a timestamp without a zone");
	ok(date_yaml_time_without_zone("2024-1-2 9:05:07"), "one-digit month, day, hour");
	ok(date_yaml_time_without_zone("2024-01-02t09:05:07.25"), "'t' and a fraction");
	ok(date_yaml_time_without_zone("2024-01-02 \t 10:00:00"), "white space before the time");
	ok(!date_yaml_time_without_zone("2024-01-02"), "a date alone is a Date");
	ok(!date_yaml_time_without_zone("2024-01-02 10:00"), "no seconds: a string");
	ok(!date_yaml_time_without_zone("2024-01-02 10:00:00 +01:00"), "a zone");
	ok(!date_yaml_time_without_zone("2024-01-02 10:00:00Z"), "Z");
	ok(!date_yaml_time_without_zone("2024-01-02 100:00:00"), "a three-digit hour");
	ok(!date_yaml_time_without_zone("24-01-02 10:00:00"), "a two-digit year");
	ok(!date_yaml_time_without_zone("2024-01-02 10:00:00 x"), "trailing text");
	return done_testing();
}
