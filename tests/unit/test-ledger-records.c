#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/fileio.h"
#include "herald/ledger.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"

/* herald's own records in the ledger (the digest's "/digest" lines). */

static char scratch[] = "/tmp/herald-ledger-XXXXXX";

static int record_is(struct ledger *l, const char *target, const char *post,
		     const char *id, long long when)
{
	const char *got = NULL;
	long long w = -1;

	if (!ledger_record(l, target, post, &got, &w))
		return !id;
	return id && got && !strcmp(got, id) && w == when;
}

int main(void)
{
	struct ledger *l;
	char *path;
	long long size;
	FILE *f;

	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	path = xstrfmt("%s/ledger", scratch);
	l = ledger_open(scratch);
	ok(l && !ledger_record(l, "t", "/digest", NULL, NULL), "no record in an empty ledger");
	ok(ledger_add(l, "t", "digest-start", "/digest", "", 100) == 0 &&
		   record_is(l, "t", "/digest", "", 100),
	   "a record's id (empty here) and time are kept");
	ok(ledger_add(l, "t", "new", "_posts/a.md", "msg_1", 150) == 0 &&
		   !ledger_record(l, "t", "_posts/a.md", NULL, NULL) && ledger_has(l, "t", "_posts/a.md"),
	   "a post's line is no record");
	size = ledger_size(l);
	ledger_stage(l, "t", "digest", "/digest/2026-12-07T09:00:00Z", "msg_2", 200);
	ledger_stage(l, "t", "digest", "/digest", "abc\tdef", 200);
	ok(record_is(l, "t", "/digest", "", 100), "staged lines count only once flushed");
	ok(ledger_flush(l) == 0 && record_is(l, "t", "/digest", "abc def", 200) &&
		   record_is(l, "t", "/digest/2026-12-07T09:00:00Z", "msg_2", 200) &&
		   ledger_has(l, "t", "/digest/2026-12-07T09:00:00Z"),
	   "the last line wins; a tab inside a field is a space, as in the file");
	ok(!ledger_record(l, "u", "/digest", NULL, NULL), "records are per target");
	ledger_close(l);
	l = ledger_open(scratch);
	ok(l && record_is(l, "t", "/digest", "abc def", 200) &&
		   record_is(l, "t", "/digest/2026-12-07T09:00:00Z", "msg_2", 200),
	   "records are read back from the file");
	ok(ledger_truncate(l, size) == 0 && record_is(l, "t", "/digest", "", 100) &&
		   !ledger_has(l, "t", "/digest/2026-12-07T09:00:00Z"),
	   "an undone transaction takes its records back");
	ledger_close(l);
	/* a crash cut the last line short: its record does not count */
	f = fopen(path, "a");
	fputs("t\tdigest\t/digest\tcut", f);
	fclose(f);
	l = ledger_open(scratch);
	ok(l && record_is(l, "t", "/digest", "", 100), "a record line cut short is not read");
	ok(ledger_add(l, "t", "digest", "/digest", "whole", 300) == 0 &&
		   record_is(l, "t", "/digest", "whole", 300),
	   "the next record starts on a fresh line");
	ledger_close(l);
	l = ledger_open(scratch);
	ok(l && record_is(l, "t", "/digest", "whole", 300), "and reads back");
	ledger_close(l);
	unlink(path);
	rmdir(scratch);
	free(path);
	return done_testing();
}
