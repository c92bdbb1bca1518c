#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "herald/handoff.h"
#include "herald/ledger.h"
#include "herald/outbox.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "capture.h"
#include "herald/banned.h"

static char scratch[] = "/tmp/herald-test-outbox-XXXXXX";
static char *gitdir;

/* --- helpers --- */

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Is there GITDIR/herald/SUB/NAME? */
static int in_herald(const char *sub, const char *name)
{
	char *path = xstrfmt("%s/herald/%s/%s", gitdir, sub, name);
	int ret = exists(path);

	free(path);
	return ret;
}

static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* Names in `folder` that start with a dot, other than . and .. */
static int dot_files(const char *folder)
{
	DIR *dir = opendir(folder);
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") &&
		    strcmp(de->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

static void fill(struct outbox_entry *e, const char *id, long long due)
{
	outbox_entry_init(e);
	e->id = xstrdup(id);
	e->target = xstrdup("chat");
	e->event = xstrdup("post.new");
	e->post = xstrfmt("posts/%s.md", id);
	e->body = xstrdup("{\"text\":\"hello\"}");
	e->body_len = strlen(e->body);
	e->content_type = xstrdup("application/json");
	e->method = xstrdup("POST");
	e->created = 1700000000;
	e->next_attempt = due;
}

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int entries_equal(const struct outbox_entry *a,
			 const struct outbox_entry *b)
{
	return str_eq(a->id, b->id) && str_eq(a->target, b->target) &&
	       str_eq(a->event, b->event) && str_eq(a->post, b->post) &&
	       str_eq(a->title, b->title) && a->body_len == b->body_len &&
	       a->body && b->body && !memcmp(a->body, b->body, a->body_len) &&
	       !a->body[a->body_len] && !b->body[b->body_len] &&
	       str_eq(a->content_type, b->content_type) &&
	       str_eq(a->method, b->method) &&
	       str_eq(a->url_suffix, b->url_suffix) &&
	       a->created == b->created && a->next_attempt == b->next_attempt &&
	       a->last_attempt == b->last_attempt &&
	       a->attempts == b->attempts &&
	       a->last_status == b->last_status &&
	       str_eq(a->last_error, b->last_error) &&
	       str_eq(a->response, b->response);
}

static void free_list(struct outbox_entry *list, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		outbox_entry_release(&list[i]);
	free(list);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* --- outbox --- */

static void test_open(struct outbox *ob)
{
	char *path;

	ok(ob != NULL, "outbox_open");
	path = xstrfmt("%s/herald", gitdir);
	is_str(outbox_dir(ob), path, "outbox_dir is GITDIR/herald");
	is_int(mode_of(path), 0700, "herald/ is 0700");
	free(path);
	path = xstrfmt("%s/herald/outbox", gitdir);
	is_int(mode_of(path), 0700, "herald/outbox/ is 0700");
	free(path);
	path = xstrfmt("%s/herald/dead", gitdir);
	is_int(mode_of(path), 0700, "herald/dead/ is 0700");
	free(path);
}

static void test_round_trip(struct outbox *ob)
{
	struct outbox_entry e, got;
	struct strbuf file = STRBUF_INIT;
	char *path;
	int dead = -1;
	static const char body[] = "{\"a\":\"\xc3\xa9\"}\0tail";

	fill(&e, "msg_roundtrip", 1700000100);
	e.title = xstrdup("A \"quoted\" title\twith tab and \xe2\x9c\x93");
	free(e.body);
	e.body_len = sizeof(body) - 1;
	e.body = xmalloc(e.body_len + 1);
	memcpy(e.body, body, e.body_len + 1);
	e.url_suffix = xstrdup("/txn/msg_roundtrip");
	e.last_attempt = 1700000050;
	e.attempts = 3;
	e.last_status = 503;
	e.last_error = xstrdup("service unavailable");
	e.response = xstrdup("{\"error\":\"busy\"}");
	outbox_entry_init(&got);

	is_int(outbox_put(ob, &e), 0, "put");
	path = xstrfmt("%s/herald/outbox/msg_roundtrip.json", gitdir);
	is_int(mode_of(path), 0600, "entry file is 0600");
	is_int(outbox_get(ob, "msg_roundtrip", &got, &dead), LOOKUP_FOUND, "get");
	is_int(dead, 0, "get says pending");
	ok(entries_equal(&e, &got), "every field round-trips (NUL in body)");
	ok(strbuf_read_file(&file, path, 0) == 0 &&
		   strstr(file.buf, "\n  \"attempts\": 3,\n") &&
		   file.buf[file.len - 1] == '\n',
	   "file is indented JSON ending in a newline");

	/* Bytes JSON cannot hold still round-trip. */
	free(e.body);
	e.body = xstrdup("bad \xff\xfe utf-8");
	e.body_len = strlen(e.body);
	free(e.post);
	e.post = xstrdup("posts/caf\xe9.md");
	free(e.response);
	e.response = NULL;
	is_int(outbox_put(ob, &e), 0, "put with invalid UTF-8");
	is_int(outbox_get(ob, "msg_roundtrip", &got, NULL), LOOKUP_FOUND, "get it back");
	ok(entries_equal(&e, &got), "invalid UTF-8 body and post round-trip");
	ok(got.response == NULL, "NULL stays NULL");
	strbuf_reset(&file);
	ok(strbuf_read_file(&file, path, 0) == 0 &&
		   strstr(file.buf, "\"body_base64\"") &&
		   strstr(file.buf, "\"post_base64\""),
	   "stored as body_base64 and post_base64");

	/* A NULL body is stored empty. */
	free(e.body);
	e.body = NULL;
	e.body_len = 0;
	is_int(outbox_put(ob, &e), 0, "put with NULL body");
	is_int(outbox_get(ob, "msg_roundtrip", &got, NULL), LOOKUP_FOUND, "get it back");
	ok(got.body && !*got.body && !got.body_len, "body is \"\"");

	/* Missing required fields are refused. */
	free(e.method);
	e.method = NULL;
	begin_capture(scratch);
	is_int(outbox_put(ob, &e), -1, "put without a method fails");
	end_capture(scratch, &file);
	ok(strstr(file.buf, "herald: error: ") != NULL, "with an error");

	is_int(outbox_drop(ob, "msg_roundtrip"), 0, "drop it");
	outbox_entry_release(&e);
	outbox_entry_release(&got);
	strbuf_release(&file);
	free(path);
}

static void test_replace_list_has_remove(struct outbox *ob)
{
	struct outbox_entry e, got, *list = NULL;
	size_t nr = 0;
	const char *ids[] = { "msg_b", "msg_a", "msg_c" };
	long long due[] = { 10, 30, 10 };
	size_t i;
	char *folder;

	outbox_entry_init(&got);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		fill(&e, ids[i], due[i]);
		outbox_put(ob, &e);
		outbox_entry_release(&e);
	}
	fill(&e, "msg_a", 30);
	e.attempts = 7;
	free(e.body);
	e.body = xstrdup("replaced");
	e.body_len = strlen(e.body);
	is_int(outbox_put(ob, &e), 0, "put over an existing entry");
	outbox_entry_release(&e);
	outbox_get(ob, "msg_a", &got, NULL);
	ok(got.attempts == 7 && str_eq(got.body, "replaced"),
	   "put replaces");

	is_int(outbox_list(ob, 0, &list, &nr), 0, "list");
	ok(nr == 3 && !strcmp(list[0].id, "msg_b") &&
		   !strcmp(list[1].id, "msg_c") && !strcmp(list[2].id, "msg_a"),
	   "sorted by next_attempt then id");
	free_list(list, nr);
	is_int(outbox_list(ob, 1, &list, &nr), 0, "list dead");
	ok(nr == 0 && list == NULL, "no dead entries yet");

	folder = xstrfmt("%s/herald/outbox", gitdir);
	is_int(dot_files(folder), 0, "no temporary files left after put");
	free(folder);

	is_int(outbox_has(ob, "msg_a"), LOOKUP_FOUND, "has pending");
	is_int(outbox_has(ob, "msg_zz"), LOOKUP_MISSING, "has not unknown");
	is_int(outbox_has(ob, "msg_"), LOOKUP_MISSING, "has wants the whole id");
	is_int(outbox_has(ob, "../herald/outbox/msg_a"), LOOKUP_MISSING,
	       "has of an invalid id is 0");

	is_int(outbox_remove(ob, "msg_b"), 0, "remove");
	is_int(outbox_has(ob, "msg_b"), LOOKUP_MISSING, "removed");
	ok(!in_herald("outbox", "msg_b.json"),
	   "file is gone");
	is_int(outbox_remove(ob, "msg_b"), 0, "removing again is fine");
	outbox_entry_release(&got);
}

static void test_bury_revive_drop(struct outbox *ob)
{
	struct outbox_entry e, got, *list = NULL;
	size_t nr = 0;
	int dead = -1;
	struct strbuf err = STRBUF_INIT;

	outbox_entry_init(&got);
	outbox_entry_init(&e);
	outbox_get(ob, "msg_c", &e, NULL);
	e.attempts = 9;
	e.last_attempt = 1700000900;
	e.last_status = 404;
	e.last_error = xstrdup("not found");
	e.response = xstrdup("<html>gone</html>");
	is_int(outbox_bury(ob, &e), 0, "bury");
	ok(!in_herald("outbox", "msg_c.json"),
	   "pending file is gone");
	ok(in_herald("dead", "msg_c.json"), "dead file is there");
	is_int(outbox_has(ob, "msg_c"), LOOKUP_FOUND, "has dead");
	is_int(outbox_get(ob, "msg_c", &got, &dead), LOOKUP_FOUND, "get dead");
	is_int(dead, 1, "get says dead");
	ok(entries_equal(&e, &got), "dead entry has e's fields");
	is_int(outbox_list(ob, 1, &list, &nr), 0, "list dead");
	ok(nr == 1 && !strcmp(list[0].id, "msg_c"), "lists the dead entry");
	free_list(list, nr);
	is_int(outbox_list(ob, 0, &list, &nr), 0, "list pending");
	ok(nr == 1 && !strcmp(list[0].id, "msg_a"), "no longer pending");
	free_list(list, nr);

	is_int(outbox_revive(ob, "msg_c", 1800000000), 0, "revive");
	ok(!in_herald("dead", "msg_c.json"),
	   "dead file is gone");
	is_int(outbox_get(ob, "msg_c", &got, &dead), LOOKUP_FOUND, "get revived");
	ok(dead == 0 && !strcmp(got.id, "msg_c") && got.attempts == 0 &&
		   got.next_attempt == 1800000000,
	   "pending again, same id, attempts 0, due now");
	ok(str_eq(got.body, e.body) && str_eq(got.last_error, "not found"),
	   "body and history kept");
	begin_capture(scratch);
	is_int(outbox_revive(ob, "msg_c", 1), -1,
	       "reviving a pending entry fails");
	is_int(outbox_revive(ob, "msg_nope", 1), -1,
	       "reviving an unknown entry fails");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "no dead outbox entry 'msg_nope'") != NULL,
	   "and says so");

	/* drop, pending and dead */
	outbox_bury(ob, &e);
	is_int(outbox_drop(ob, "msg_c"), 0, "drop dead");
	is_int(outbox_has(ob, "msg_c"), LOOKUP_MISSING, "dropped dead");
	is_int(outbox_drop(ob, "msg_a"), 0, "drop pending");
	is_int(outbox_has(ob, "msg_a"), LOOKUP_MISSING, "dropped pending");
	begin_capture(scratch);
	is_int(outbox_drop(ob, "msg_a"), -1, "dropping again fails");
	end_capture(scratch, &err);

	outbox_entry_release(&e);
	outbox_entry_release(&got);
	strbuf_release(&err);
}

static void test_prefix(struct outbox *ob)
{
	struct outbox_entry e, got;
	struct strbuf err = STRBUF_INIT;
	int dead = -1;

	outbox_entry_init(&got);
	fill(&e, "msg_2abcdef", 1);
	outbox_put(ob, &e);
	outbox_entry_release(&e);
	fill(&e, "msg_2abxyz", 1);
	outbox_put(ob, &e);
	outbox_entry_release(&e);
	fill(&e, "msg_9dead", 1);
	outbox_bury(ob, &e);
	outbox_entry_release(&e);

	is_int(outbox_get(ob, "msg_2abc", &got, &dead), LOOKUP_FOUND, "unique prefix");
	is_str(got.id, "msg_2abcdef", "finds the full id");
	is_int(outbox_get(ob, "msg_9", &got, &dead), LOOKUP_FOUND,
	       "unique prefix of dead");
	ok(dead == 1 && str_eq(got.id, "msg_9dead"), "finds the dead entry");
	begin_capture(scratch);
	is_int(outbox_get(ob, "msg_2ab", &got, &dead), -1, "ambiguous prefix");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "ambiguous") && strstr(err.buf, "msg_2abcdef") &&
		   strstr(err.buf, "msg_2abxyz"),
	   "error names the candidates");
	is_int(outbox_get(ob, "msg_3", &got, &dead), LOOKUP_MISSING, "no match is not found");
	is_int(outbox_get(ob, "msg_2abcdef", &got, NULL), LOOKUP_FOUND, "exact id");
	is_int(outbox_drop(ob, "msg_2abx"), 0, "drop by prefix");
	is_int(outbox_has(ob, "msg_2abxyz"), LOOKUP_MISSING, "dropped");
	is_int(outbox_revive(ob, "msg_9d", 5), 0, "revive by prefix");
	is_int(outbox_get(ob, "msg_9dead", &got, &dead), LOOKUP_FOUND, "revived");
	is_int(dead, 0, "pending");
	outbox_drop(ob, "msg_2abcdef");
	outbox_drop(ob, "msg_9dead");
	outbox_entry_release(&got);
	strbuf_release(&err);
}

static void test_invalid_ids(struct outbox *ob)
{
	const char *bad[] = { "", ".hidden", "../escape", "a/b", "a b",
			      "msg_\xc3\xa9", "msg\n", NULL };
	struct outbox_entry e, got;
	struct strbuf err = STRBUF_INIT, longid = STRBUF_INIT;
	size_t i;
	int dead, fails = 0;

	outbox_entry_init(&got);
	begin_capture(scratch);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fill(&e, "x", 1);
		free(e.id);
		e.id = bad[i] ? xstrdup(bad[i]) : NULL;
		if (outbox_put(ob, &e) != -1)
			fails++;
		if (bad[i] && outbox_get(ob, bad[i], &got, &dead) != -1)
			fails++;
		if (bad[i] && outbox_has(ob, bad[i]) != LOOKUP_MISSING)
			fails++;
		outbox_entry_release(&e);
	}
	strbuf_addchars(&longid, 'a', OUTBOX_ID_MAX + 1);
	fill(&e, longid.buf, 1);
	is_int(outbox_put(ob, &e), -1, "an id of 101 characters is refused");
	outbox_entry_release(&e);
	end_capture(scratch, &err);
	is_int(fails, 0, "put, get and has refuse bad ids");
	ok(strstr(err.buf, "invalid outbox id '../escape'") &&
		   strstr(err.buf, "invalid outbox id 'msg\?'"),
	   "errors quote the id, printable only");
	ok(!in_herald(".", "escape.json") && !in_herald("..", "escape.json"),
	   "nothing escaped");

	strbuf_setlen(&longid, OUTBOX_ID_MAX);
	ok(outbox_id_valid(longid.buf) && outbox_id_valid("msg_A-1.b"),
	   "100 characters and [A-Za-z0-9_.-] are fine");
	fill(&e, longid.buf, 1);
	is_int(outbox_put(ob, &e), 0, "an id of 100 characters is accepted");
	is_int(outbox_drop(ob, longid.buf), 0, "and dropped");
	outbox_entry_release(&e);
	outbox_entry_release(&got);
	strbuf_release(&err);
	strbuf_release(&longid);
}

static void test_corrupt(struct outbox *ob)
{
	struct outbox_entry e, got, *list = NULL;
	struct strbuf err = STRBUF_INIT;
	char *corrupt = xstrfmt("%s/herald/outbox/msg_corrupt.json", gitdir);
	char *wrong = xstrfmt("%s/herald/outbox/msg_wrong.json", gitdir);
	char *stray = xstrfmt("%s/herald/outbox/notes.txt", gitdir);
	size_t nr = 0, pending = 0, dead = 0;
	long long oldest = -1;
	int d;

	outbox_entry_init(&got);
	fill(&e, "msg_good", 5);
	outbox_put(ob, &e);
	outbox_entry_release(&e);
	write_text(corrupt, "{\"id\": \"msg_corrupt\", garbage");
	write_text(wrong, "{\"id\": \"msg_other\", \"target\": \"t\", "
			  "\"event\": \"e\", \"body\": \"\", "
			  "\"content_type\": \"c\", \"method\": \"POST\"}");
	write_text(stray, "not ours");

	begin_capture(scratch);
	is_int(outbox_list(ob, 0, &list, &nr), 0, "list with corrupt files");
	end_capture(scratch, &err);
	ok(nr == 1 && !strcmp(list[0].id, "msg_good"), "lists the good one");
	free_list(list, nr);
	ok(strstr(err.buf, "herald: warning: ") &&
		   strstr(err.buf, "msg_corrupt.json:1:") &&
		   strstr(err.buf, "msg_wrong.json: its id does not match"),
	   "warns naming the files");
	if (!strstr(err.buf, "msg_corrupt.json"))
		diag("stderr: %s", err.buf);
	ok(exists(corrupt) && exists(wrong) && exists(stray),
	   "and leaves them on disk");
	begin_capture(scratch);
	is_int(outbox_get(ob, "msg_corrupt", &got, &d), -1,
	       "get of a corrupt entry is an error");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "herald: error: ") != NULL, "reported");

	begin_capture(scratch);
	is_int(outbox_stats(ob, &pending, &dead, &oldest), 0, "stats");
	end_capture(scratch, &err);
	ok(pending == 3 && dead == 0 && oldest == 1700000000,
	   "stats count corrupt pending entries too");

	unlink(corrupt);
	unlink(wrong);
	unlink(stray);
	outbox_drop(ob, "msg_good");
	free(corrupt);
	free(wrong);
	free(stray);
	outbox_entry_release(&got);
	strbuf_release(&err);
}

static void test_stats(struct outbox *ob)
{
	struct outbox_entry e;
	size_t pending = 9, dead = 9;
	long long oldest = -1;

	is_int(outbox_stats(ob, &pending, &dead, &oldest), 0, "stats, empty");
	ok(pending == 0 && dead == 0 && oldest == 0, "all zero");
	fill(&e, "msg_s1", 1);
	e.created = 1700000300;
	outbox_put(ob, &e);
	outbox_entry_release(&e);
	fill(&e, "msg_s2", 1);
	e.created = 1700000200;
	outbox_put(ob, &e);
	outbox_entry_release(&e);
	fill(&e, "msg_s3", 1);
	e.created = 1700000100;
	outbox_bury(ob, &e);
	outbox_entry_release(&e);
	is_int(outbox_stats(ob, &pending, &dead, &oldest), 0, "stats");
	ok(pending == 2 && dead == 1, "two pending, one dead");
	is_int(oldest, 1700000200, "oldest pending creation time");
	is_int(outbox_stats(ob, NULL, NULL, NULL), 0, "NULL pointers are fine");
	outbox_drop(ob, "msg_s1");
	outbox_drop(ob, "msg_s2");
	outbox_drop(ob, "msg_s3");
}

static void test_lock(struct outbox *ob)
{
	int up[2], down[2];
	pid_t pid;
	char c = 0;
	int status = 0;
	bool locked;

	if (pipe(up) || pipe(down)) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ok(0, "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		struct outbox *mine = outbox_open(gitdir);
		int r = mine ? outbox_lock(mine) : -1;

		close(up[0]);
		close(down[1]);
		c = r == 0 ? 'L' : 'E';
		if (write(up[1], &c, 1) != 1)
			_exit(2);
		/* Hold the lock until the parent has looked. */
		if (read(down[0], &c, 1) < 0)
			_exit(2);
		outbox_close(mine);
		/* The parent's copy, so that valgrind sees no leak here. */
		outbox_close(ob);
		free(gitdir);
		_exit(r == 0 ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) != 1)
		c = '?';
	is_int(c, 'L', "child holds the lock");
	locked = true;
	ok(outbox_trylock(ob, &locked) == 0 && !locked,
	   "trylock says not locked while another process holds it");
	{
		/* the hook's wait for the lock ends at its deadline, saying so */
		struct handoff h;

		handoff_start(&h, 0.05);
		locked = true;
		ok(handoff_lock(&h, ob, &locked) == 0 && !locked,
		   "handoff_lock: 0, not locked, when the deadline comes first");
	}
	close(down[1]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exited");
	close(up[0]);
	locked = false;
	ok(outbox_trylock(ob, &locked) == 0 && locked, "lock after the child exited");
	locked = false;
	ok(outbox_trylock(ob, &locked) == 0 && locked, "locking again is fine");
	outbox_unlock(ob);
	{
		struct handoff h;

		handoff_start(&h, 30);
		locked = false;
		ok(handoff_lock(&h, ob, &locked) == 0 && locked,
		   "handoff_lock: 0 and locked when the lock is free");
		outbox_unlock(ob);
	}
	is_int(outbox_lock(ob), 0, "lock, waiting");
	outbox_unlock(ob);
	outbox_unlock(ob);
	ok(1, "unlocking twice is fine");
}

/* --- ledger --- */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_ledger(void)
{
	char *dir = xstrfmt("%s/herald", gitdir);
	char *path = xstrfmt("%s/ledger", dir);
	struct ledger *l = ledger_open(dir);
	struct strbuf sb = STRBUF_INIT;

	ok(l != NULL, "ledger_open without a file");
	ok(!exists(path), "opening creates nothing");
	is_int(ledger_has(l, "chat", "posts/a.md"), 0, "empty ledger");
	is_int(ledger_add(l, "chat", "post.new", "posts/a.md", "msg_1",
			  1700000000),
	       0, "add");
	is_int(ledger_has(l, "chat", "posts/a.md"), 1, "has after add");
	is_int(ledger_has(l, "hook", "posts/a.md"), 0, "per target");
	is_int(ledger_has(l, "chat", "posts/b.md"), 0, "per post");
	is_int(mode_of(path), 0600, "ledger file is 0600");
	is_int(ledger_add(l, "a\tb", "post\nnew", "posts/t\tab.md", "m\tx", 5),
	       0, "add with tabs and newlines");
	is_int(ledger_has(l, "a\tb", "posts/t\tab.md"), 1,
	       "has with the same tabs");
	ledger_close(l);

	l = ledger_open(dir);
	ok(l != NULL, "reopen");
	is_int(ledger_has(l, "chat", "posts/a.md"), 1, "survives reopen");
	is_int(ledger_has(l, "a\tb", "posts/t\tab.md"), 1,
	       "tabbed fields survive reopen");
	is_int(ledger_has(l, "a b", "posts/t ab.md"), 1, "as spaces");
	strbuf_read_file(&sb, path, 0);
	is_str(sb.buf,
	       "chat\tpost.new\tposts/a.md\tmsg_1\t1700000000\n"
	       "a b\tpost new\tposts/t ab.md\tm x\t5\n",
	       "the file, line by line");
	ledger_close(l);
	ledger_close(NULL);

	/* A last line cut short by a crash. */
	write_text(path, "chat\tpost.new\tposts/a.md\tmsg_1\t1\n"
			 "chat\tpost.new\tposts/cut.md\tms");
	l = ledger_open(dir);
	is_int(ledger_has(l, "chat", "posts/cut.md"), 1,
	       "a cut line with its post counts");
	is_int(ledger_add(l, "chat", "post.new", "posts/z.md", "msg_z", 2), 0,
	       "add after a cut line");
	ledger_close(l);
	strbuf_reset(&sb);
	strbuf_read_file(&sb, path, 0);
	ok(strstr(sb.buf,
		  "\tms\nchat\tpost.new\tposts/z.md\tmsg_z\t2\n") != NULL,
	   "starts on a fresh line");

	write_text(path, "garbage line\nchat\tpost.new\tposts/cu");
	begin_capture(scratch);
	l = ledger_open(dir);
	end_capture(scratch, &sb);
	ok(l && strstr(sb.buf, "ledger:1: not a ledger line") &&
		   strstr(sb.buf, "ledger:2: not a ledger line"),
	   "malformed lines are ignored with a warning");
	is_int(ledger_has(l, "chat", "posts/cu"), 0,
	       "a cut post does not count");
	ledger_close(l);

	free(dir);
	free(path);
	strbuf_release(&sb);
}

static void test_ledger_large(void)
{
	char *dir = xstrfmt("%s/herald", gitdir);
	char *path = xstrfmt("%s/ledger", dir);
	FILE *f = fopen(path, "w");
	struct ledger *l;
	double t0, t1;
	int i, found = 0;
	char target[32], post[64];

	if (!f) {
		ok(0, "cannot write '%s'", path);
		goto out;
	}
	for (i = 0; i < 20000; i++)
		fprintf(f,
			"target%d\tpost.new\tposts/2024/post-%05d.md"
			"\tmsg_%d\t%d\n",
			i % 7, i, i, 1700000000 + i);
	fclose(f);
	t0 = now_seconds();
	l = ledger_open(dir);
	t1 = now_seconds();
	ok(l != NULL, "open a ledger of 20,000 lines");
	diag("loaded in %.3f s", t1 - t0);
	ok(t1 - t0 < 5.0, "quickly");
	for (i = 0; i < 20000; i += 997) {
		snprintf(target, sizeof(target), "target%d", i % 7);
		snprintf(post, sizeof(post), "posts/2024/post-%05d.md", i);
		found += ledger_has(l, target, post);
		snprintf(target, sizeof(target), "target%d", (i + 1) % 7);
		found -= ledger_has(l, target, post);
	}
	is_int(found, 21, "lookups find what is there, and only that");
	ledger_close(l);
out:
	free(dir);
	free(path);
}

int main(void)
{
	struct outbox *ob;

	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	gitdir = xstrfmt("%s/repo.git", scratch);
	if (mkdir(gitdir, 0755)) {
		printf("Bail out! mkdir: %s\n", strerror(errno));
		return 1;
	}

	ob = outbox_open(gitdir);
	test_open(ob);
	if (ob) {
		test_round_trip(ob);
		test_replace_list_has_remove(ob);
		test_bury_revive_drop(ob);
		test_prefix(ob);
		test_invalid_ids(ob);
		test_corrupt(ob);
		test_stats(ob);
		test_lock(ob);
	}
	outbox_close(ob);
	outbox_close(NULL);
	ob = outbox_open(gitdir);
	ok(ob != NULL, "reopening an existing outbox");
	outbox_close(ob);
	test_ledger();
	test_ledger_large();

	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(gitdir);
	return done_testing();
}
