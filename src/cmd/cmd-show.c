#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/options.h"
#include "herald/postview.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char show_usage[] =
	"usage: herald show [options] PATH [--at REV]\n"
	"\n"
	"Shows one post as herald reads it at REV (default HEAD): its state, url,\n"
	"date, slug, front matter, and why it is invalid if it is.\n";

int cmd_show(int argc, char **argv)
{
	const char *at = "HEAD", *path;
	int json = 0, ret = 0, first;
	struct setup st;
	struct postview v;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	json_t *o = NULL;
	const struct option_spec opts[] = {
		OPT_STRING("at", 0, &at, "REV", "read the post at this revision"),
		OPT_FLAG("json", 0, &json,
			 "print {path,state,title,slug,url,date,front_matter,error}"),
		SETUP_OPTIONS(&st, "which paths are posts (repeatable)",
			      "evaluate its state at DATE (RFC 3339)"),
		OPT_END(),
	};

	setup_init(&st);
	postview_init(&v);
	if ((first = options_command(argc, argv, opts, show_usage, -1, NULL, &ret)) < 0)
		goto out;
	if (argc - first != 1) {
		error("show needs exactly one PATH");
		options_usage(stderr, show_usage, opts);
		ret = EXIT_USAGE;
		goto out;
	}
	path = argv[first];
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (setup_open(&st) < 0 || repo_commit(st.repo, at, &commit) < 0 ||
	    git_commit_tree(&tree, commit) < 0 || setup_site(&st, tree) < 0 ||
	    postview_read(&v, &st, tree, path, at) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	o = postview_json(&v);
	if (json) {
		json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_INDENT(2));
		putchar('\n');
	} else {
		postview_print(&v, o, stdout);
	}
	if (v.post.state == POST_INVALID)
		ret = EXIT_FINDINGS;
out:
	json_decref(o);
	postview_release(&v);
	git_tree_free(tree);
	git_commit_free(commit);
	setup_release(&st);
	return ret;
}
