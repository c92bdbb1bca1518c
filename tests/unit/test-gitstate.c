/*
 * The return conventions of the state-in-git module and the blob reader,
 * on real repositories and a real `git push` into a bare remote: where
 * state lives (git, local, a wrong word), whether the remote exists, a
 * push that lands, one with nothing to push, and one that lost the race
 * to another run (stale, nothing pushed); a blob read whole or refused as
 * too large.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "herald/fileio.h"
#include "herald/gitstate.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "capture.h"
#include "tap.h"
#include "herald/banned.h"

static char scratch[] = "/tmp/herald-test-gitstate-XXXXXX";

/*
 * Unit tests run without tests/lib/lsan.supp; this one reads remotes and
 * their config through libgit2 1.5, which leaves PCRE match data behind
 * (the same leak that file suppresses for herald itself). LeakSanitizer
 * reads this hook; other builds never call it.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;
	int rc;

	strbuf_addf(&cmd, "cd '%s' && (", scratch);
	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	strbuf_addstr(&cmd, ") >/dev/null 2>&1");
	rc = system(cmd.buf);
	strbuf_release(&cmd);
	return rc;
}

static void write_ledger(const char *dir, const char *text)
{
	char *path = xstrfmt("%s/%s/ledger", scratch, dir);

	if (fileio_write_atomic(path, text, strlen(text), 0600) < 0)
		die("cannot write '%s'", path);
	free(path);
}

static void test_wanted(struct repo *r)
{
	bool in_git;
	struct strbuf err = STRBUF_INIT;

	in_git = false;
	ok(!gitstate_wanted(r, "git", false, &in_git) && in_git, "--state git: git");
	in_git = true;
	ok(!gitstate_wanted(r, "local", true, &in_git) && !in_git, "--state local: local");
	ok(!gitstate_wanted(r, NULL, true, &in_git) && in_git,
	   "no choice, no config: the CI default, git");
	ok(!gitstate_wanted(r, NULL, false, &in_git) && !in_git, "no choice, no config: else local");
	sh("git -C a config herald.state local");
	ok(!gitstate_wanted(r, NULL, true, &in_git) && !in_git,
	   "herald.state = local wins over the default");
	ok(!gitstate_wanted(r, "git", false, &in_git) && in_git,
	   "the command line wins over herald.state");
	begin_capture(scratch);
	ok(gitstate_wanted(r, "cloud", false, &in_git) == -1, "another word is -1");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "herald: error: --state is 'cloud'; use git or local") != NULL,
	   "after error() said why: %s", err.buf);
	strbuf_release(&err);
	sh("git -C a config --unset herald.state");
}

static void test_push(struct repo *a, struct repo *b)
{
	struct gitstate ga, gb;
	char *dir_a = xstrfmt("%s/a/.git/herald", scratch);
	char *dir_b = xstrfmt("%s/b/.git/herald", scratch);
	struct strbuf err = STRBUF_INIT;
	bool stale;

	ok(!gitstate_init_quiet(&ga, a), "gitstate_init_quiet: false when there is no remote");
	gitstate_release(&ga);
	begin_capture(scratch);
	ok(gitstate_init(&ga, a) == -1, "gitstate_init: -1 when there is no remote");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "there is no remote 'origin'") != NULL, "and says so: %s", err.buf);
	gitstate_release(&ga);
	strbuf_release(&err);

	sh("git -C a remote add origin \"$PWD/remote.git\" && "
	   "git -C b remote add origin \"$PWD/remote.git\"");
	ok(gitstate_init_quiet(&ga, a), "gitstate_init_quiet: true when the remote exists");
	gitstate_release(&ga);
	ok(!gitstate_init(&ga, a) && !gitstate_init(&gb, b), "gitstate_init: 0 with a remote");

	sh("mkdir -p a/.git/herald b/.git/herald");
	ok(!gitstate_fetch(&ga) && !ga.has_tip, "a fresh remote has no state");
	stale = true;
	ok(!gitstate_push(&ga, dir_a, "test", &stale) && !stale && !ga.has_tip,
	   "nothing but the version: 0, not stale, nothing pushed");

	write_ledger("a/.git/herald", "one\n");
	stale = true;
	ok(!gitstate_push(&ga, dir_a, "test", &stale) && !stale && ga.has_tip,
	   "the first push: 0, not stale, the commit is the tip");
	ok(!sh("git --git-dir=remote.git rev-parse --verify -q refs/herald/state"),
	   "the remote has it");
	stale = true;
	ok(!gitstate_push(&ga, dir_a, "test", &stale) && !stale,
	   "pushing the same state again: 0, not stale (nothing to push)");

	ok(!gitstate_fetch(&gb) && gb.has_tip, "the other clone fetches it");
	write_ledger("a/.git/herald", "one\ntwo\n");
	ok(!gitstate_push(&ga, dir_a, "test", &stale) && !stale, "one run pushes on top");
	write_ledger("b/.git/herald", "one\nthree\n");
	stale = false;
	ok(!gitstate_push(&gb, dir_b, "test", &stale) && stale,
	   "the other run, from the old tip: 0 and stale");
	ok(!sh("test \"$(git --git-dir=remote.git rev-parse refs/herald/state)\" = "
	       "\"$(git -C a rev-parse refs/herald/state)\""),
	   "and the remote still has the first run's state");
	ok(!gitstate_fetch(&gb) && !gitstate_push(&gb, dir_b, "test", &stale) && !stale,
	   "after fetching again it pushes: 0, not stale");

	gitstate_release(&ga);
	gitstate_release(&gb);
	free(dir_a);
	free(dir_b);
}

static void test_blob_capped(struct repo *r)
{
	static const char text[] = "hello, blob\n";
	git_oid id;
	git_blob *blob = NULL;
	size_t size = 0;

	if (git_blob_create_from_buffer(&id, r->git, text, strlen(text)) < 0)
		die("cannot write a blob");
	ok(!repo_blob_capped(r->git, &id, "x", 100, &blob, &size) && blob &&
	   size == strlen(text) && !memcmp(git_blob_rawcontent(blob), text, size),
	   "repo_blob_capped: 0 with the blob and its size");
	git_blob_free(blob);
	blob = (git_blob *)1;
	size = 0;
	ok(!repo_blob_capped(r->git, &id, "x", 5, &blob, &size) && !blob && size == strlen(text),
	   "larger than the cap: 0 with no blob, and its size");
	git_oid_fromstr(&id, "1234567890123456789012345678901234567890");
	begin_capture(scratch);
	ok(repo_blob_capped(r->git, &id, "gone.md", 100, &blob, &size) == -1 && !blob,
	   "an object that is not there: -1");
	{
		struct strbuf err = STRBUF_INIT;
		end_capture(scratch, &err);
		ok(strstr(err.buf, "herald: error: ") && strstr(err.buf, "gone.md"),
		   "after error() named the path: %s", err.buf);
		strbuf_release(&err);
	}
}

int main(void)
{
	struct repo *a, *b;
	char *home;

	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	home = xstrfmt("%s", scratch);
	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	git_libgit2_init();
	if (sh("git init -q --bare remote.git && git init -q a && git init -q b")) {
		printf("Bail out! cannot make the repositories\n");
		return 1;
	}
	{
		char *pa = xstrfmt("%s/a", scratch), *pb = xstrfmt("%s/b", scratch);
		a = repo_open_at(pa);
		b = repo_open_at(pb);
		free(pa);
		free(pb);
	}
	if (!a || !b) {
		printf("Bail out! cannot open the repositories\n");
		return 1;
	}

	test_wanted(a);
	test_push(a, b);
	test_blob_capped(a);

	repo_free(a);
	repo_free(b);
	git_libgit2_shutdown();
	{
		char *cmd = xstrfmt("rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			printf("# cannot remove %s\n", scratch);
		free(cmd);
	}
	free(home);
	return done_testing();
}
