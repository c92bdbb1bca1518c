#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/lint.h"
#include "herald/options.h"
#include "herald/setup.h"
#include "herald/site.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char lint_usage[] =
	"usage: herald lint [options] [REV]\n"
	"\n"
	"Checks the front matter of every post at REV (default HEAD) and prints each\n"
	"problem as path:line:column: error|warning: message. Exits 1 when there\n"
	"is an error.\n";

int cmd_lint(int argc, char **argv)
{
	struct setup st;
	struct lint l;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int ret = 0, first;
	const struct option_spec opts[] = {
		SETUP_OPTIONS(&st, "which paths are posts (repeatable)",
			      "evaluate dates at DATE (RFC 3339)"),
		OPT_END(),
	};

	setup_init(&st);
	if ((first = options_command(argc, argv, opts, lint_usage, 1,
				     "lint takes at most one revision", &ret)) < 0)
		goto out;
	if (setup_open(&st) < 0 ||
	    repo_commit(st.repo, first < argc ? argv[first] : "HEAD", &commit) < 0 ||
	    git_commit_tree(&tree, commit) < 0 || setup_site(&st, tree) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	memset(&l, 0, sizeof(l));
	l.site = &st.site;
	l.now = st.now;
	if (st.site.base_url_error) {
		const struct site *s = &st.site;
		if (s->base_url_line)
			printf("%s:%d:%d: error: %s\n", s->base_url_file, s->base_url_line,
			       s->base_url_column, s->base_url_error);
		else
			printf("%s: error: %s\n", s->base_url_file, s->base_url_error);
		l.errors++;
	}
	if (lint_tree(&l, st.repo, tree, stdout) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	fflush(stdout);
	fprintf(stderr, "herald: %lu post%s checked: %lu error%s, %lu warning%s\n",
		l.posts, l.posts == 1 ? "" : "s", l.errors, l.errors == 1 ? "" : "s",
		l.warnings, l.warnings == 1 ? "" : "s");
	if (l.errors)
		ret = EXIT_FINDINGS;
out:
	git_tree_free(tree);
	git_commit_free(commit);
	setup_release(&st);
	return ret;
}
