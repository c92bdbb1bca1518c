#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "herald/date.h"
#include "herald/banned.h"

/* 1 to `max` digits; at least one. */
static int digits(const char **p, int max, int *out)
{
	int v = 0, i;

	for (i = 0; i < max && (*p)[i] >= '0' && (*p)[i] <= '9'; i++)
		v = v * 10 + ((*p)[i] - '0');
	if (!i)
		return -1;
	*p += i;
	*out = v;
	return 0;
}

/* Exactly `n` digits. */
static int fixed_digits(const char **p, int n, int *out)
{
	const char *start = *p;

	if (digits(p, n, out) || *p - start != n)
		return -1;
	return 0;
}

int date_days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

static int parse_ymd(const char **p, struct tm *tm)
{
	int y, m, d;

	if (fixed_digits(p, 4, &y) || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, &m) || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
		return -1;
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	return 0;
}

int date_zone_valid(const char *zone)
{
	char path[256];
	struct stat st;
	const char *p;

	if (!zone || !*zone || strlen(zone) > 100 || *zone == '/' || strstr(zone, ".."))
		return 0;
	for (p = zone; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' ||
		      *p == '-' || *p == '/'))
			return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/*
 * The C library converts between local time and UTC only for the zone in
 * TZ, one process-wide setting; lint reads posts on several threads, so
 * every use goes through this lock. TZ is left at the last zone used: the
 * rest of herald works in UTC with gmtime_r/timegm, which ignore it, and
 * switching back would reload the zone file for every post.
 */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static char zone_current[128];

static void use_zone(const char *zone)
{
	if (strcmp(zone_current, zone)) {
		setenv("TZ", zone, 1);
		tzset();
		snprintf(zone_current, sizeof(zone_current), "%s", zone);
	}
}

/*
 * timegm() of a date parse_ymd() checked and a time in range, by
 * arithmetic (days of the proleptic Gregorian calendar, as glibc counts
 * them): timegm normalises every field first, and file names and dates of
 * every post come through here.
 */
static long long utc_of(const struct tm *tm)
{
	long long y = tm->tm_year + 1900LL, m = tm->tm_mon + 1, era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + tm->tm_mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + tm->tm_hour * 3600LL + tm->tm_min * 60LL +
	       tm->tm_sec;
}

/* Local time `tm` in `zone` to seconds since the epoch, and its offset. */
static long long local_to_utc(struct tm *tm, const char *zone, int *offset)
{
	struct tm copy;
	long long utc = utc_of(tm);
	time_t t;

	if (!zone) {
		*offset = 0;
		return utc;
	}
	pthread_mutex_lock(&zone_lock);
	use_zone(zone);
	copy = *tm;
	copy.tm_isdst = -1;
	t = mktime(&copy);
	pthread_mutex_unlock(&zone_lock);
	*offset = (int)(utc - (long long)t);
	return (long long)t;
}

void date_at_offset(long long t, int offset, struct tm *tm)
{
	time_t tt = (time_t)(t + offset);

	gmtime_r(&tt, tm);
}

void date_in_zone(long long t, const char *zone, struct tm *tm)
{
	time_t tt = (time_t)t;

	if (!zone) {
		gmtime_r(&tt, tm);
		return;
	}
	pthread_mutex_lock(&zone_lock);
	use_zone(zone);
	localtime_r(&tt, tm);
	pthread_mutex_unlock(&zone_lock);
}

/* "Z", "+05:30", "+0530", "-4", "UTC": 0 with the offset, or -1. */
static int parse_zone(const char **pp, int *off, int *has)
{
	const char *p = *pp;
	int sign, oh, om = 0;

	*has = 0;
	if (*p == 'Z' || *p == 'z') {
		*pp = p + 1;
		*off = 0;
		*has = 1;
		return 0;
	}
	if (!strncmp(p, "UTC", 3) || !strncmp(p, "GMT", 3)) {
		*pp = p + 3;
		*off = 0;
		*has = 1;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return 0;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &oh))
		return -1;
	if (*p == ':')
		p++;
	if (*p >= '0' && *p <= '9' && fixed_digits(&p, 2, &om))
		return -1;
	if (oh > 23 || om > 59)
		return -1;
	*off = sign * (oh * 3600 + om * 60);
	*has = 1;
	*pp = p;
	return 0;
}

int date_parse_zoned(const char *s, const char *zone, long long *out, int *offset)
{
	struct tm tm;
	const char *p = s;
	int h = 0, mi = 0, sec = 0, off = 0, has_zone = 0;

	memset(&tm, 0, sizeof(tm));
	while (*p == ' ' || *p == '\t')
		p++;
	if (parse_ymd(&p, &tm))
		return -1;
	if ((*p == 'T' || *p == 't' || *p == ' ' || *p == '\t')) {
		const char *q = p + 1;
		while (*p != 'T' && *p != 't' && (*q == ' ' || *q == '\t'))
			q++;
		if (*q >= '0' && *q <= '9') {
			p = q;
			if (digits(&p, 2, &h) || *p++ != ':' || fixed_digits(&p, 2, &mi))
				return -1;
			if (*p == ':') {
				p++;
				if (fixed_digits(&p, 2, &sec))
					return -1;
				if (*p == '.' || *p == ',') {
					p++;
					if (*p < '0' || *p > '9')
						return -1;
					while (*p >= '0' && *p <= '9')
						p++;
				}
			}
			if (h > 23 || mi > 59 || sec > 60)
				return -1;
			while (*p == ' ' || *p == '\t')
				p++;
			if (parse_zone(&p, &off, &has_zone))
				return -1;
		}
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return -1;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (has_zone) {
		*out = utc_of(&tm) - off;
	} else {
		*out = local_to_utc(&tm, zone, &off);
	}
	if (offset)
		*offset = off;
	return 0;
}

int date_parse(const char *s, long long *out)
{
	return date_parse_zoned(s, NULL, out, NULL);
}

void date_format(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int v[6], i;
	char *p = buf;

	gmtime_r(&tt, &tm);
	if (tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999 || size < 21) {
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	/* what strftime prints, without its locale machinery (every event has dates) */
	v[0] = tm.tm_year + 1900;
	v[1] = tm.tm_mon + 1;
	v[2] = tm.tm_mday;
	v[3] = tm.tm_hour;
	v[4] = tm.tm_min;
	v[5] = tm.tm_sec;
	*p++ = (char)('0' + v[0] / 1000);
	*p++ = (char)('0' + v[0] / 100 % 10);
	for (i = 0; i < 6; i++) {
		if (i)
			*p++ = "--T::"[i - 1];
		*p++ = (char)('0' + v[i] / 10 % 10);
		*p++ = (char)('0' + v[i] % 10);
	}
	*p++ = 'Z';
	*p = '\0';
}

int date_name_prefix(const char *name, const char *seps, const char *zone,
		     long long *out)
{
	struct tm tm;
	const char *p = name;
	int off;

	memset(&tm, 0, sizeof(tm));
	if (parse_ymd(&p, &tm) || !*p || !strchr(seps, *p))
		return -1;
	*out = local_to_utc(&tm, zone, &off);
	return (int)(p + 1 - name);
}

int date_from_name(const char *name, long long *out)
{
	return date_name_prefix(name, "-", NULL, out) < 0 ? -1 : 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int date_yaml_time_without_zone(const char *s)
{
	const char *p = s + (*s == '-');
	int v;

	if (fixed_digits(&p, 4, &v) || *p++ != '-' || digits(&p, 2, &v) || *p++ != '-' ||
	    digits(&p, 2, &v))
		return 0;
	if (*p == 'T' || *p == 't')
		p++;
	else if (!is_space(*p))
		return 0;
	else
		while (is_space(*p))
			p++;
	if (digits(&p, 2, &v) || *p++ != ':' || fixed_digits(&p, 2, &v) || *p++ != ':' ||
	    fixed_digits(&p, 2, &v))
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	return !*p;
}
