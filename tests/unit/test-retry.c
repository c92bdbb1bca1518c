/*
 * The retry schedule (deliver_delay): the Standard Webhooks steps, the
 * jitter's bounds for every step over many draws, and the end of the
 * schedule; then how a receiver's Retry-After is clamped.
 */
#include <limits.h>
#include <stdio.h>

#include "herald/deliver.h"
#include "tap.h"
#include "herald/banned.h"

static const long long schedule[] = {
	0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600,
};

int main(void)
{
	size_t n = sizeof(schedule) / sizeof(schedule[0]), i;
	static const unsigned draws[] = { 0, 1, 2, 7, 100, 12345, 65535, 2147483647u, UINT_MAX - 1,
					  UINT_MAX };

	for (i = 0; i < n; i++) {
		long long base = schedule[i], max = base + base / 10, lo = LLONG_MAX, hi = -1;
		unsigned r, bad = 0, d;

		ok(deliver_delay((int)i, 0) == base, "attempt %zu: %lld s without jitter (got %lld)",
		   i + 1, base, deliver_delay((int)i, 0));
		/* every draw stays within [base, base + 10 %] */
		for (r = 0; r < 200000; r += 7) {
			long long v = deliver_delay((int)i, r * 2654435761u);
			if (v < base || v > max)
				bad++;
			if (v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
		for (d = 0; d < sizeof(draws) / sizeof(draws[0]); d++) {
			long long v = deliver_delay((int)i, draws[d]);
			if (v < base || v > max)
				bad++;
		}
		ok(!bad, "attempt %zu: every jittered delay within [%lld, %lld] (%u outside)", i + 1,
		   base, max, bad);
		/* and the jitter is used: both ends are reached where there is one */
		if (base / 10)
			ok(deliver_delay((int)i, (unsigned)(base / 10)) == max &&
			   deliver_delay((int)i, (unsigned)(base / 10 + 1)) == base && lo == base &&
			   hi > base,
			   "attempt %zu: draws reach %lld..%lld (sampled %lld..%lld)", i + 1, base, max,
			   lo, hi);
		else
			ok(lo == base && hi == base, "attempt %zu: %lld s, too short for jitter", i + 1,
			   base);
	}
	ok(deliver_delay((int)n, 0) == -1, "after %zu attempts the schedule is spent", n);
	ok(deliver_delay(INT_MAX, 5) == -1, "a huge attempt count is spent too");
	ok(deliver_delay(-1, 0) == -1, "a negative attempt count is refused");
	ok(deliver_delay((int)n - 1, UINT_MAX) <= 24 * 3600 + 24 * 360,
	   "the longest wait is under 26.4 h");

	ok(deliver_clamp_retry_after(LLONG_MIN) == 0, "Retry-After: the most negative is 0");
	ok(deliver_clamp_retry_after(1) == 1, "Retry-After: one second stands");
	ok(deliver_clamp_retry_after(86399) == 86399, "Retry-After: just under a day stands");
	ok(deliver_clamp_retry_after(LLONG_MAX) == 86400, "Retry-After: the largest is a day");
	return done_testing();
}
