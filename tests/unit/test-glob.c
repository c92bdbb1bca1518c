/*
 * glob_match() against git's own `:(glob)` pathspec: every row is checked
 * as a table entry and, where git is on the PATH, against what
 * `git ls-files ':(glob)PATTERN'` lists in a scratch repository holding
 * every path of the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/glob.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "tap.h"
#include "herald/banned.h"

static const char *const paths[] = {
	"a.md", "b.txt", "posts/a.md", "posts/sub/b.md", "posts/sub/deep/c.md",
	"_posts/2024-01-01-x.md", "en/_posts/2024-01-01-y.md", "x/en/_posts/z.md",
	"content/post/a.md", "content/post/2024/b.markdown", "content/_index.md",
	"docs/a?b.md", "docs/[x].md", "docs/x.md", "docs/y.md", "docs/-.md",
	"abc", "abXc", "ab/c", "notes.md", "posts.md",
};

static const struct {
	const char *pattern;
	const char *matches; /* the paths it matches, space-separated; "ALL" */
} rows[] = {
	{ "*.md", "a.md notes.md posts.md" },
	{ "posts/*.md", "posts/a.md" },
	{ "posts/*", "posts/a.md" },
	{ "posts/**", "posts/a.md posts/sub/b.md posts/sub/deep/c.md" },
	{ "posts/**/*.md", "posts/a.md posts/sub/b.md posts/sub/deep/c.md" },
	{ "posts/**/b.md", "posts/sub/b.md" },
	{ "**/_posts/*.md", "_posts/2024-01-01-x.md en/_posts/2024-01-01-y.md x/en/_posts/z.md" },
	{ "**/_posts/**", "_posts/2024-01-01-x.md en/_posts/2024-01-01-y.md x/en/_posts/z.md" },
	{ "*/_posts/*.md", "en/_posts/2024-01-01-y.md" },
	{ "**/*.md", "a.md posts/a.md posts/sub/b.md posts/sub/deep/c.md _posts/2024-01-01-x.md "
		     "en/_posts/2024-01-01-y.md x/en/_posts/z.md content/post/a.md "
		     "content/_index.md docs/a?b.md docs/[x].md docs/x.md docs/y.md docs/-.md "
		     "notes.md posts.md" },
	{ "content/**/*.markdown", "content/post/2024/b.markdown" },
	{ "content/[!_]*.md", "" },
	{ "content/*/[!_]*.md", "content/post/a.md" },
	{ "content/[^_]*", "" },
	{ "content/_*", "content/_index.md" },
	{ "docs/[xy].md", "docs/x.md docs/y.md" },
	{ "docs/[a-x].md", "docs/x.md" },
	{ "docs/[!x].md", "docs/y.md docs/-.md" },
	{ "docs/[-x].md", "docs/x.md docs/-.md" },
	{ "docs/[]x].md", "docs/x.md" },
	{ "docs/?.md", "docs/x.md docs/y.md docs/-.md" },
	{ "docs/a\\?b.md", "docs/a?b.md" },
	{ "docs/\\[x\\].md", "docs/[x].md" },
	{ "ab?", "abc" },
	{ "ab?c", "abXc" },
	{ "ab*c", "abc abXc" },
	{ "ab**c", "abc abXc" }, /* not a whole component: one star */
	{ "a*/c", "ab/c" },
	{ "abc", "abc" },
	{ "ab", "" }, /* git lists ab/c: the folder matched, see below */
	{ "*", "a.md b.txt abc abXc notes.md posts.md" },
	{ "**", "ALL" },
};

/* Is `path` a word of the space-separated `list`? */
static int in_words(const char *list, const char *path)
{
	size_t n = strlen(path);
	const char *p;

	if (!strcmp(list, "ALL"))
		return 1;
	for (p = list; (p = strstr(p, path)); p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static int listed(const struct strvec *sv, const char *path)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], path))
			return 1;
	return 0;
}

/* A scratch repository with every path added; its folder, or NULL. */
static char *scratch_repo(void)
{
	char tmpl[] = "/tmp/herald-test-glob.XXXXXX";
	char *dir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
	struct strbuf cmd = STRBUF_INIT;
	size_t i;
	int rc;

	if (!dir)
		return NULL;
	strbuf_addf(&cmd, "cd '%s' && git init -q . && mkdir -p posts/sub/deep _posts en/_posts "
		    "x/en/_posts content/post/2024 docs ab", dir);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		strbuf_addf(&cmd, " && : >'%s'", paths[i]);
	strbuf_addstr(&cmd, " && git add -A");
	rc = system(cmd.buf);
	strbuf_release(&cmd);
	if (rc) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* What git lists for ':(glob)pattern', one path per entry of `out`. */
static int git_lists(const char *dir, const char *pattern, struct strvec *out)
{
	struct strbuf cmd = STRBUF_INIT, got = STRBUF_INIT;
	char buf[4096];
	size_t n, i, start = 0;
	FILE *f;

	strbuf_addf(&cmd, "git -C '%s' -c core.quotePath=false ls-files -z -- ':(glob)%s'", dir,
		    pattern);
	f = popen(cmd.buf, "r");
	strbuf_release(&cmd);
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&got, buf, n);
	if (pclose(f)) {
		strbuf_release(&got);
		return -1;
	}
	for (i = 0; i < got.len; i++)
		if (!got.buf[i]) {
			strvec_push(out, got.buf + start);
			start = i + 1;
		}
	strbuf_release(&got);
	return 0;
}

/*
 * git lists every file inside a folder the pattern matches; herald matches
 * file paths only (a post glob names the posts, a trailing double star
 * everything in their folder), so
 * such files are not counted as differences.
 */
static int folder_matched(const char *pattern, const char *path)
{
	char *dir = strdup(path), *slash;
	int found = 0;

	while (!found && (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		found = glob_match(pattern, dir);
	}
	free(dir);
	return found;
}

int main(void)
{
	char *dir = scratch_repo();
	size_t r, i;

	if (!dir)
		diag("no git: the table alone is checked");
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct strbuf wrong = STRBUF_INIT, differ = STRBUF_INIT;
		struct strvec git = STRVEC_INIT;

		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (!glob_match(rows[r].pattern, paths[i]) != !in_words(rows[r].matches, paths[i]))
				strbuf_addf(&wrong, " %s", paths[i]);
		ok(!wrong.len, "'%s': matches what the table says (wrong:%s)", rows[r].pattern,
		   wrong.len ? wrong.buf : " none");
		if (!dir) {
			skip("'%s' against git: no git", rows[r].pattern);
		} else if (git_lists(dir, rows[r].pattern, &git) < 0) {
			ok(0, "'%s': git ls-files failed", rows[r].pattern);
		} else {
			for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
				if (!glob_match(rows[r].pattern, paths[i]) !=
				    !listed(&git, paths[i]) &&
				    !folder_matched(rows[r].pattern, paths[i]))
					strbuf_addf(&differ, " %s", paths[i]);
			ok(!differ.len, "'%s': the same as git's :(glob) (differ:%s)", rows[r].pattern,
			   differ.len ? differ.buf : " none");
		}
		strvec_clear(&git);
		strbuf_release(&wrong);
		strbuf_release(&differ);
	}
	if (dir) {
		struct strbuf cmd = STRBUF_INIT;

		strbuf_addf(&cmd, "rm -rf '%s'", dir);
		if (system(cmd.buf))
			diag("could not remove %s", dir);
		strbuf_release(&cmd);
		free(dir);
	}
	return done_testing();
}
