#ifndef HERALD_TAP_H
#define HERALD_TAP_H

/*
 * A tiny TAP producer for unit tests: ok(cond, fmt, ...) prints one TAP
 * line; done_testing() prints the plan and returns the exit code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2), unused))
static void skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d # skip ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define is_str(got, want, ...)                                                \
	(ok((got) && !strcmp((got), (want)), __VA_ARGS__) ||                  \
	 (diag("got:  '%s'", (got) ? (got) : "(null)"),                       \
	  diag("want: '%s'", (want)), 0))

#define is_int(got, want, ...)                                                \
	(ok((long long)(got) == (long long)(want), __VA_ARGS__) ||            \
	 (diag("got:  %lld", (long long)(got)),                               \
	  diag("want: %lld", (long long)(want)), 0))

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
