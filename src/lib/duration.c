#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "herald/duration.h"
#include "herald/banned.h"

int duration_parse(const char *s, long long *out)
{
	long long n, unit;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	if (n > LLONG_MAX / unit)
		return -1;
	*out = n * unit;
	return 0;
}

void duration_format(long long s, char *buf, size_t size)
{
	if (s && s % 86400 == 0)
		snprintf(buf, size, "%lldd", s / 86400);
	else if (s && s % 3600 == 0)
		snprintf(buf, size, "%lldh", s / 3600);
	else if (s && s % 60 == 0)
		snprintf(buf, size, "%lldm", s / 60);
	else
		snprintf(buf, size, "%llds", s);
}
