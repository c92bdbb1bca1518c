#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/lint.h"
#include "herald/setup.h"
#include "herald/site.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char lint_usage[] =
	"usage: herald lint [options] [REV]\n"
	"\n"
	"Checks the front matter of every post at REV (default HEAD) and prints each\n"
	"problem as path:line:column: error|warning: message. Exits 1 when there\n"
	"is an error.\n"
	"\n"
	"    --now DATE     evaluate dates at DATE (RFC 3339)\n"
	"    --posts GLOB   which paths are posts (repeatable)\n";

int cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct lint l;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int c, ret = 0;

	setup_init(&st);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(lint_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, lint_usage)))
				goto out;
			break;
		}
	}
	if (argc - optind > 1) {
		error("lint takes at most one revision");
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 ||
	    repo_commit(st.repo, optind < argc ? argv[optind] : "HEAD", &commit) < 0 ||
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
