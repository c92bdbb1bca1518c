#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/fileio.h"
#include "herald/state.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "capture.h"
#include "herald/banned.h"

static char scratch[] = "/tmp/herald-test-state-XXXXXX";
static char *dir; /* plays GITDIR/herald */

/* --- helpers --- */

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot write '%s'", path);
}

/* How many dot files (temporary files) folder holds. */
static int temp_files(const char *folder)
{
	DIR *d = opendir(folder);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char *status_path(void)
{
	return xstrfmt("%s/status.json", dir);
}

/* state_open() of a file holding `text`: 1 when refused with an error naming it. */
static int refused(const char *text)
{
	struct strbuf err = STRBUF_INIT;
	char *path = status_path();
	struct state *s;
	int ret;

	write_text(path, text);
	begin_capture(scratch);
	s = state_open(dir);
	end_capture(scratch, &err);
	ret = !s && strstr(err.buf, "herald: error: ") && strstr(err.buf, "status.json");
	if (!ret)
		diag("stderr: %s", err.buf);
	state_close(s);
	unlink(path);
	free(path);
	strbuf_release(&err);
	return ret;
}

/* --- tests --- */

static void test_missing(void)
{
	char *nowhere = xstrfmt("%s/no/such/folder", scratch);
	struct state *s = state_open(nowhere);
	char *path = status_path();

	ok(s != NULL, "a missing folder is an empty state");
	is_int(state_count(s), 0, "with no records");
	ok(state_find(s, "hook") == NULL, "and no record of any target");
	ok(state_at(s, 0) == NULL, "state_at past the end is NULL");
	is_int(state_save(s), 0, "saving an untouched state is fine");
	state_close(s);

	s = state_open(dir);
	ok(s != NULL, "a folder without status.json is an empty state");
	is_int(state_save(s), 0, "saving it writes nothing");
	ok(access(path, F_OK) < 0, "and creates no file");
	state_close(s);

	state_record(NULL, "hook", 1, 200, NULL, 1);
	is_int(state_save(NULL), 0, "a NULL state records and saves nothing");
	state_close(NULL);
	ok(state_find(NULL, "hook") == NULL && state_count(NULL) == 0,
	   "the accessors take NULL");
	free(nowhere);
	free(path);
}

static void test_record_round_trip(void)
{
	char *path = status_path();
	const struct state_target *t;
	struct state *s = state_open(dir);
	struct strbuf text = STRBUF_INIT;
	json_t *doc;

	state_record(s, "zulip", 1, 200, "", 1000);
	state_record(s, "hook", 1, 204, NULL, 1100);
	state_record(s, "hook", 0, 500, "HTTP 500 from https://hooks.example.com", 1200);
	state_record(s, "hook", 0, 0, "Timeout was reached (https://hooks.example.com)", 1300);
	state_record(s, "hook", 1, 200, "", 1400);
	state_record(s, "chat", 0, 404, "HTTP 404 from https://chat.example.com", 1500);

	is_int(state_count(s), 3, "three targets recorded");
	is_str(state_at(s, 0)->name, "chat", "records are sorted by name (1)");
	is_str(state_at(s, 1)->name, "hook", "records are sorted by name (2)");
	is_str(state_at(s, 2)->name, "zulip", "records are sorted by name (3)");
	t = state_find(s, "hook");
	ok(t != NULL, "state_find finds a target");
	if (t) {
		is_int(t->last_success, 1400, "last success is the newest success");
		is_int(t->last_failure, 1300, "last failure is the newest failure");
		is_int(t->last_status, 0, "a network failure has status 0");
		is_str(t->last_error, "Timeout was reached (https://hooks.example.com)",
		       "the last failure's text is kept after a success");
		is_int(t->successes, 2, "successes counted");
		is_int(t->failures, 2, "failures counted");
	}
	t = state_find(s, "zulip");
	ok(t && t->last_failure == 0 && t->last_error == NULL && t->failures == 0,
	   "a target that never failed has no failure");

	is_int(state_save(s), 0, "state_save");
	is_int(mode_of(path), 0600, "status.json is 0600");
	is_int(temp_files(dir), 0, "no temporary file is left behind");
	state_close(s);

	ok(strbuf_read_file(&text, path, 0) == 0, "status.json is readable");
	doc = json_loadb(text.buf, text.len, 0, NULL);
	ok(json_is_object(doc) &&
	   json_integer_value(json_object_get(doc, "version")) == 1,
	   "status.json is a JSON object with version 1");
	ok(json_integer_value(json_object_get(json_object_get(json_object_get(doc, "targets"),
								"chat"), "last_status")) == 404,
	   "status.json holds targets.chat.last_status");
	ok(text.len && text.buf[text.len - 1] == '\n', "status.json ends with a newline");
	json_decref(doc);

	s = state_open(dir);
	ok(s != NULL, "status.json reopens");
	t = state_find(s, "hook");
	ok(t && t->last_success == 1400 && t->last_failure == 1300 && t->last_status == 0 &&
	   t->successes == 2 && t->failures == 2 && t->last_error &&
	   !strcmp(t->last_error, "Timeout was reached (https://hooks.example.com)"),
	   "every field round-trips");
	t = state_find(s, "chat");
	ok(t && t->last_status == 404 && t->failures == 1 && t->successes == 0,
	   "the other targets too");
	state_record(s, "chat", 1, 200, NULL, 1600);
	is_int(state_save(s), 0, "a second save replaces the file");
	state_close(s);
	s = state_open(dir);
	t = state_find(s, "chat");
	ok(t && t->last_success == 1600 && t->successes == 1 && t->last_status == 404,
	   "records accumulate across runs");
	is_int(state_count(s), 3, "still three targets");
	state_close(s);

	unlink(path);
	free(path);
	strbuf_release(&text);
}

static void test_clean_text(void)
{
	char long_error[400], *path = status_path();
	const struct state_target *t;
	struct state *s = state_open(dir);
	size_t i;

	/* 199 ASCII bytes then a 3-byte character straddling the 200 limit */
	for (i = 0; i < 199; i++)
		long_error[i] = 'x';
	memcpy(long_error + 199, "\xe2\x82\xac tail", 9);
	state_record(s, "long", 0, 503, long_error, 10);
	t = state_find(s, "long");
	ok(t && t->last_error && strlen(t->last_error) == 199,
	   "an error is cut to 200 bytes at a character boundary");

	state_record(s, "ctl", 0, 500, "line one\nline two\x1b[31m", 10);
	t = state_find(s, "ctl");
	ok(t && t->last_error && !strcmp(t->last_error, "line one?line two?[31m"),
	   "control characters in an error become '?'");

	state_record(s, "bad\xff", 0, 1000, "", 10);
	t = state_find(s, "bad\xff");
	ok(t != NULL, "a name that is not UTF-8 is found by the same bytes");
	ok(t && !strcmp(t->name, "bad\xef\xbf\xbd"), "and stored as UTF-8");
	ok(t && t->last_status == 0 && t->last_error == NULL,
	   "an impossible status is stored as 0, an empty error as none");

	is_int(state_save(s), 0, "cleaned records save");
	state_close(s);
	s = state_open(dir);
	ok(s && state_find(s, "bad\xff") && state_find(s, "ctl"), "and reopen");
	state_close(s);
	unlink(path);
	free(path);
}

static void test_refused(void)
{
	char *path = status_path();
	struct state *s;

	ok(refused("{\"targets\": {}"), "truncated JSON is refused");
	ok(refused("[]"), "an array is refused");
	ok(refused("{\"targets\": {}}"), "a file without a version is refused");
	ok(refused("{\"version\": 2, \"targets\": {}}"), "a newer version is refused");
	ok(refused("{\"version\": 1, \"targets\": []}"), "targets must be an object");
	ok(refused("{\"version\": 1, \"targets\": {\"a\": 1}}"), "a target must be an object");
	ok(refused("{\"version\": 1, \"targets\": {\"a\": {\"successes\": -1}}}"),
	   "a negative count is refused");
	ok(refused("{\"version\": 1, \"targets\": {\"a\": {\"failures\": \"2\"}}}"),
	   "a string count is refused");
	ok(refused("{\"version\": 1, \"targets\": {\"a\": {\"last_error\": 5}}}"),
	   "a numeric error text is refused");
	ok(refused("{\"version\": 1, \"targets\": {\"a\": {}, \"a\": {}}}"),
	   "duplicate names are refused");

	write_text(path, "{\"version\": 1, \"targets\": {\"a\": {\"successes\": 3, "
			 "\"last_error\": null, \"future_field\": [1]}}}");
	s = state_open(dir);
	ok(s && state_find(s, "a") && state_find(s, "a")->successes == 3 &&
	   state_find(s, "a")->last_success == 0,
	   "missing fields are 0, unknown fields are ignored");
	state_close(s);

	/* counters far beyond any real run still round-trip */
	write_text(path, "{\"version\": 1, \"targets\": {\"a\": {\"successes\": 9223372036854775806}}}");
	s = state_open(dir);
	state_record(s, "a", 1, 200, NULL, 5);
	state_record(s, "a", 1, 200, NULL, 6);
	is_int(state_save(s), 0, "a huge counter saves");
	state_close(s);
	s = state_open(dir);
	ok(s && state_find(s, "a") && state_find(s, "a")->successes == 9223372036854775807ULL,
	   "and is capped at the largest JSON integer");
	state_close(s);
	unlink(path);
	free(path);
}

static void test_write_atomic(void)
{
	char *path = xstrfmt("%s/metrics.prom", scratch);
	char *bad = xstrfmt("%s/no/such/metrics.prom", scratch);
	char *folder = xstrfmt("%s/", scratch);
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	mode_t old = umask(022);

	is_int(fileio_write_atomic(path, "a 1\n", 4, 0644), 0, "fileio_write_atomic");
	ok(strbuf_read_file(&sb, path, 0) == 0 && !strcmp(sb.buf, "a 1\n"), "writes the bytes");
	is_int(mode_of(path), 0644, "with the mode asked for");
	is_int(fileio_write_atomic(path, "b 2\n", 4, 0666), 0, "replaces a file");
	strbuf_reset(&sb);
	ok(strbuf_read_file(&sb, path, 0) == 0 && !strcmp(sb.buf, "b 2\n"), "with the new bytes");
	is_int(mode_of(path), 0644, "less the umask");
	is_int(temp_files(scratch), 0, "no temporary file is left behind");

	begin_capture(scratch);
	is_int(fileio_write_atomic(bad, "x", 1, 0644), -1, "a missing folder is an error");
	is_int(fileio_write_atomic(folder, "x", 1, 0644), -1, "a folder name is an error");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "herald: error: cannot create a temporary file") != NULL,
	   "which says what went wrong");
	is_int(temp_files(scratch), 0, "and leaves nothing behind");

	umask(old);
	unlink(path);
	free(path);
	free(bad);
	free(folder);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	dir = xstrfmt("%s/herald", scratch);
	if (mkdir(dir, 0700)) {
		printf("Bail out! mkdir: %s\n", strerror(errno));
		return 1;
	}
	test_missing();
	test_record_round_trip();
	test_clean_text();
	test_refused();
	test_write_atomic();
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	return done_testing();
}
