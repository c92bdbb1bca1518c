#include <stdio.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/command.h"
#include "herald/event.h"
#include "herald/listing.h"
#include "herald/options.h"
#include "herald/range.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char scan_usage[] =
	"usage: herald scan [options] [FROM] [TO]\n"
	"   or: herald scan [options] FROM..TO\n"
	"   or: herald scan [options] --all [TO]\n"
	"\n"
	"Lists what happened to every post between two commits: new, undrafted,\n"
	"moved, updated, unpublished, deleted, scheduled (and draft).\n"
	"TO defaults to HEAD and FROM to TO's first parent.\n";

int cmd_scan(int argc, char **argv)
{
	int json = 0, all = 0, ret = 0, first;
	struct changes_options co;
	struct setup st;
	struct range rg = { NULL, NULL };
	git_tree *tree = NULL;
	struct event_list events;
	const struct option_spec opts[] = {
		OPT_FLAG("json", 0, &json, "print the JSON document that templates and webhooks see"),
		OPT_FLAG("all", 0, &all, "compare TO with the empty tree (every post is new)"),
		OPT_FLAG("drafts", 0, &co.drafts, "also list changes among drafts"),
		SETUP_OPTIONS(&st, "which paths are posts (repeatable; replaces the defaults)",
			      "evaluate scheduled posts at DATE (RFC 3339)"),
		OPT_END(),
	};

	setup_init(&st);
	event_list_init(&events);
	memset(&co, 0, sizeof(co));
	if ((first = options_command(argc, argv, opts, scan_usage, -1, NULL, &ret)) < 0)
		goto out;
	if (argc - first > (all ? 1 : 2)) {
		error(all ? "--all takes at most one revision" :
			    "too many revisions; give FROM and TO, or FROM..TO");
		options_usage(stderr, scan_usage, opts);
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 ||
	    range_resolve(&rg, st.repo, argc - first, argv + first, all) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (git_commit_tree(&tree, rg.to) < 0) {
		repo_error("cannot read the tree of the range's end");
		ret = EXIT_FATAL;
		goto out;
	}
	if (setup_site(&st, tree) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	co.site = &st.site;
	co.now = st.now;
	if (changes_scan(st.repo, rg.from, rg.to, &co, &events) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (!json) {
		listing_print(&events, stdout, stderr);
	} else if (event_list_write_document(&events, stdout) < 0) {
		/* streamed: a 10,000-post document never exists whole in memory */
		error("cannot write the document to standard output");
		ret = EXIT_FATAL;
	}
out:
	event_list_release(&events);
	git_tree_free(tree);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
