#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/command.h"
#include "herald/date.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/report.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char digest_usage[] =
	"usage: herald digest [options]\n"
	"\n"
	"What's new: the posts published between --since and --until, newest first.\n"
	"\n"
	"    --since DATE|REV  start here (default: 7 days before now); a date picks\n"
	"                      the newest commit of the first-parent line at or before it\n"
	"    --until REV       end here (default HEAD)\n"
	"    --format FMT      md (default), html, atom (Atom 1.0) or json (JSON Feed 1.1)\n"
	"    --limit N         at most N posts\n"
	"    -o, --output F    write to F instead of standard output\n"
	"    --template F      use this template instead of the built-in one\n"
	"    --now DATE        evaluate scheduled posts at DATE (RFC 3339)\n"
	"    --posts GLOB      which paths are posts (repeatable)\n";

/* The newest commit of `to`'s first-parent line at or before `when`. */
static int commit_at(struct repo *r, git_commit *to, long long when, git_commit **out)
{
	git_commit *c = NULL, *next = NULL;

	*out = NULL;
	if (git_commit_dup(&c, to) < 0)
		return repo_error("cannot read a commit");
	while (c && (long long)git_commit_time(c) > when) {
		next = NULL;
		if (git_commit_parentcount(c) &&
		    git_commit_parent(&next, c, 0) < 0) {
			git_commit_free(c);
			return repo_error("cannot read a parent commit");
		}
		git_commit_free(c);
		c = next;
	}
	(void)r;
	*out = c;
	return 0;
}

int cmd_digest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "template", required_argument, NULL, 't' },
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct range rg = { NULL, NULL };
	struct report_options o;
	struct strbuf out = STRBUF_INIT;
	const char *since = NULL, *until = "HEAD", *output = "-";
	git_tree *tree = NULL;
	long long when;
	char *end;
	int c, ret = 0;

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.kind = "digest";
	o.format = "md";
	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'f': o.format = optarg; break;
		case 'o': output = optarg; break;
		case 't': o.template_file = optarg; break;
		case 'l':
			o.limit = strtol(optarg, &end, 10);
			if (*end || o.limit < 1) {
				error("--limit takes a positive number, not '%s'", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			fputs(digest_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, digest_usage)))
				goto out;
			break;
		}
	}
	if (!report_template_name("digest", o.format)) {
		error("--format must be md, html, atom or json, not '%s'", o.format);
		ret = EXIT_USAGE;
		goto out;
	}
	if (optind < argc) {
		error("digest takes no arguments; use --since and --until");
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 || repo_commit(st.repo, until, &rg.to) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (!since || !date_parse(since, &when)) {
		if (!since)
			when = st.now - 7 * 24 * 3600;
		if (commit_at(st.repo, rg.to, when, &rg.from) < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
	} else if (repo_commit(st.repo, since, &rg.from) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (git_commit_tree(&tree, rg.to) < 0 || setup_site(&st, tree) < 0 ||
	    report_render(&st, &rg, &o, &out) < 0 ||
	    render_write(output, out.buf, out.len) < 0)
		ret = EXIT_FATAL;
out:
	strbuf_release(&out);
	git_tree_free(tree);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
