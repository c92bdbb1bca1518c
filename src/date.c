#include <stdio.h>
#include <string.h>
#include <time.h>

#include "herald/date.h"
#include "herald/banned.h"

static int digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

static int parse_ymd(const char **p, struct tm *tm)
{
	int y, m, d;

	if (digits(p, 4, &y) || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, &m) || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	return 0;
}

int date_parse(const char *s, long long *out)
{
	struct tm tm;
	const char *p = s;
	int h = 0, mi = 0, sec = 0, off = 0;

	memset(&tm, 0, sizeof(tm));
	while (*p == ' ')
		p++;
	if (parse_ymd(&p, &tm))
		return -1;
	if ((*p == 'T' || *p == 't' || *p == ' ') && p[1] >= '0' && p[1] <= '9') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
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
		while (*p == ' ')
			p++;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
			if (digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (*p >= '0' && *p <= '9' && digits(&p, 2, &om))
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
		/* "2020-03-30 10:00:00 UTC" */
		while (*p == ' ')
			p++;
		if (!strcmp(p, "UTC") || !strcmp(p, "GMT"))
			p += 3;
	}
	while (*p == ' ')
		p++;
	if (*p)
		return -1;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (long long)timegm(&tm) - off;
	return 0;
}

void date_format(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int date_from_name(const char *name, long long *out)
{
	struct tm tm;
	const char *p = name;

	memset(&tm, 0, sizeof(tm));
	if (parse_ymd(&p, &tm) || *p != '-')
		return -1;
	*out = (long long)timegm(&tm);
	return 0;
}
