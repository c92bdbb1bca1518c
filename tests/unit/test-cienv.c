#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/cienv.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "capture.h"
#include "herald/banned.h"

/* The environment a test sets: NAME=value strings, NULL-terminated. */
static const char *const *env;

static const char *get(const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static char scratch[] = "/tmp/herald-test-cienv-XXXXXX";

#define A "1111111111111111111111111111111111111111"
#define B "2222222222222222222222222222222222222222"
#define Z "0000000000000000000000000000000000000000"

static char *write_event(const char *text)
{
	char *path = xstrfmt("%s/event.json", scratch);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot write '%s'", path);
	return path;
}

static void test_github(void)
{
	struct ci_push p;
	char *path = write_event("{\"before\": \"" A "\", \"after\": \"" B "\",\n"
				 " \"ref\": \"refs/heads/main\",\n"
				 " \"repository\": {\"default_branch\": \"trunk\"}}\n");
	char *var = xstrfmt("GITHUB_EVENT_PATH=%s", path);
	const char *e[] = { var, "GITHUB_ACTIONS=true", "GITHUB_REF=refs/heads/other", NULL };

	env = e;
	is_int(cienv_read(&p, get), 0, "github: a push event reads");
	is_str(p.provider, "github", "github: provider");
	is_str(p.before, A, "github: before from the event");
	is_str(p.after, B, "github: after from the event");
	is_str(p.ref, "refs/heads/main", "github: the event's ref wins over GITHUB_REF");
	is_str(p.default_branch, "refs/heads/trunk", "github: repository.default_branch");
	cienv_release(&p);

	free(path);
	path = write_event("{\"before\": \"" Z "\", \"after\": \"" B "\", \"ref\": \"refs/heads/new\"}");
	is_int(cienv_read(&p, get), 0, "github: a new branch reads");
	ok(!p.before, "github: all zeros before is no commit");
	ok(!p.default_branch, "github: no repository, no default branch");
	cienv_release(&p);

	free(path);
	path = write_event("{\"inputs\": {}}");
	{
		const char *e2[] = { var, "GITHUB_SHA=" A, "GITHUB_REF=refs/heads/main", NULL };
		env = e2;
		is_int(cienv_read(&p, get), 0, "github: workflow_dispatch reads");
		is_str(p.after, A, "github: GITHUB_SHA when the event has no after");
		is_str(p.ref, "refs/heads/main", "github: GITHUB_REF when the event has no ref");
		ok(!p.before, "github: no before");
		cienv_release(&p);
	}
	free(path);
	free(var);
}

static void test_github_errors(void)
{
	struct ci_push p;
	struct strbuf err = STRBUF_INIT;
	char *path = write_event("{\"before\": \"" A "\",\n \"after\": nope}");
	char *var = xstrfmt("GITHUB_EVENT_PATH=%s", path);
	char *want = xstrfmt("herald: error: %s:2:", path);
	const char *e[] = { var, NULL };

	env = e;
	begin_capture(scratch);
	is_int(cienv_read(&p, get), -1, "github: bad JSON is an error");
	end_capture(scratch, &err);
	ok(!strncmp(err.buf, want, strlen(want)), "github: the error names file:line:column");
	diag("%s", err.buf);
	cienv_release(&p);

	free(path);
	path = write_event("{\"after\": \"../../etc\"}");
	begin_capture(scratch);
	is_int(cienv_read(&p, get), -1, "github: an after that is no commit id is an error");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "is not a commit id") != NULL, "github: and says so");
	cienv_release(&p);

	strbuf_release(&err);
	free(want);
	free(path);
	free(var);
}

static void test_gitlab(void)
{
	struct ci_push p;
	const char *e[] = { "GITLAB_CI=true", "CI_COMMIT_BEFORE_SHA=" Z, "CI_COMMIT_SHA=" B,
			    "CI_COMMIT_BRANCH=main", "CI_DEFAULT_BRANCH=main", NULL };
	const char *tag[] = { "GITLAB_CI=true", "CI_COMMIT_BEFORE_SHA=" A, "CI_COMMIT_SHA=" B,
			      "CI_COMMIT_TAG=v1", NULL };

	env = e;
	is_int(cienv_read(&p, get), 0, "gitlab: a first pipeline reads");
	is_str(p.provider, "gitlab", "gitlab: provider");
	ok(!p.before, "gitlab: all zeros before is no commit");
	is_str(p.after, B, "gitlab: CI_COMMIT_SHA");
	is_str(p.ref, "refs/heads/main", "gitlab: CI_COMMIT_BRANCH as a ref");
	is_str(p.default_branch, "refs/heads/main", "gitlab: CI_DEFAULT_BRANCH");
	cienv_release(&p);

	env = tag;
	is_int(cienv_read(&p, get), 0, "gitlab: a tag pipeline reads");
	is_str(p.before, A, "gitlab: before");
	ok(!p.ref, "gitlab: a tag pipeline names no branch");
	cienv_release(&p);
}

static void test_generic(void)
{
	struct ci_push p;
	struct strbuf err = STRBUF_INIT;
	const char *e[] = { "HERALD_TO=HEAD", "HERALD_FROM=HEAD~2", "HERALD_REF=main",
			    "GITLAB_CI=true", "CI_COMMIT_SHA=" B, NULL };
	const char *none[] = { "PATH=/bin", NULL };

	env = e;
	is_int(cienv_read(&p, get), 0, "env: HERALD_TO reads");
	is_str(p.provider, "env", "env: HERALD_TO wins over a CI's variables");
	is_str(p.after, "HEAD", "env: any revision");
	is_str(p.before, "HEAD~2", "env: HERALD_FROM");
	is_str(p.ref, "refs/heads/main", "env: HERALD_REF as a ref");
	cienv_release(&p);

	env = none;
	begin_capture(scratch);
	is_int(cienv_read(&p, get), -1, "no CI: an error");
	end_capture(scratch, &err);
	ok(strstr(err.buf, "set HERALD_TO") != NULL, "no CI: says what to set");
	cienv_release(&p);
	strbuf_release(&err);
}

static void test_auth(void)
{
	const char *explicit_[] = { "HERALD_TOKEN=tok", "GITHUB_TOKEN=gh", NULL };
	const char *gitlab[] = { "HERALD_TOKEN=tok", "GITLAB_CI=true", NULL };
	const char *user[] = { "HERALD_TOKEN=tok", "HERALD_TOKEN_USER=bot", NULL };
	const char *github[] = { "GITHUB_TOKEN=gh", "CI_JOB_TOKEN=job", NULL };
	const char *job[] = { "CI_JOB_TOKEN=job", NULL };
	const char *nothing[] = { NULL };
	char *h;

	env = explicit_;
	h = cienv_auth_header(get, "https://github.com/o/r", 1);
	/* base64("x-access-token:tok") */
	is_str(h, "Authorization: Basic eC1hY2Nlc3MtdG9rZW46dG9r",
	       "auth: HERALD_TOKEN always, as x-access-token");
	free(h);
	ok(!cienv_auth_header(get, "file:///srv/blog.git", 0), "auth: never for a local remote");
	ok(!cienv_auth_header(get, "git@github.com:o/r.git", 0), "auth: never for ssh");

	env = gitlab;
	h = cienv_auth_header(get, "https://gitlab.com/o/r.git", 1);
	is_str(h, "Authorization: Basic b2F1dGgyOnRvaw==", "auth: HERALD_TOKEN on GitLab is oauth2");
	free(h);

	env = user;
	h = cienv_auth_header(get, "http://forge.example/o/r", 0);
	is_str(h, "Authorization: Basic Ym90OnRvaw==", "auth: HERALD_TOKEN_USER");
	free(h);

	env = github;
	ok(!cienv_auth_header(get, "https://github.com/o/r", 1),
	   "auth: GITHUB_TOKEN not over credentials the clone has");
	h = cienv_auth_header(get, "https://github.com/o/r", 0);
	is_str(h, "Authorization: Basic eC1hY2Nlc3MtdG9rZW46Z2g=",
	       "auth: GITHUB_TOKEN first when the clone has none");
	free(h);

	env = job;
	h = cienv_auth_header(get, "https://gitlab.com/o/r.git", 0);
	is_str(h, "Authorization: Basic Z2l0bGFiLWNpLXRva2VuOmpvYg==",
	       "auth: CI_JOB_TOKEN as gitlab-ci-token");
	free(h);

	env = nothing;
	ok(!cienv_auth_header(get, "https://github.com/o/r", 0), "auth: no token, no header");
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	ok(cienv_is_zero_id(Z) && !cienv_is_zero_id(A) && !cienv_is_zero_id("000"),
	   "zero ids");
	test_github();
	test_github_errors();
	test_gitlab();
	test_generic();
	test_auth();
	nftw(scratch, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
