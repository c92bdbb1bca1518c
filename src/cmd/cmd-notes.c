#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/command.h"
#include "herald/fileio.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/report.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char notes_usage[] =
	"usage: herald notes [options] [FROM..TO | FROM [TO]]\n"
	"\n"
	"Release notes for a range (default: the last commit), rendered from the\n"
	"notes template.\n"
	"\n"
	"    --format FMT     md (default), html or json (the model itself)\n"
	"    -o, --output F   write to F instead of standard output\n"
	"    --prepend F      insert the notes at the top of changelog F (once per range)\n"
	"    --template F     use this template instead of notes.FMT\n"
	"    --drafts         include draft events\n"
	"    --now DATE       evaluate scheduled posts at DATE (RFC 3339)\n"
	"    --posts GLOB     which paths are posts (repeatable)\n";

/*
 * Inserts `notes` at the top of the changelog at `path` (after its title
 * line, if it starts with one), marked with the range so a second run for
 * the same range changes nothing. Returns 1 when already there.
 */
static int prepend(const char *path, const char *marker, const struct strbuf *notes)
{
	struct strbuf old = STRBUF_INIT, out = STRBUF_INIT;
	size_t head = 0;
	int ret = 0;

	/* never through a link: its target's content would land in the work tree */
	if (fileio_read_own(&old, path, 64 * 1024 * 1024) < 0 && errno != ENOENT) {
		if (errno == ELOOP || errno == EINVAL)
			ret = error("'%s' is not a regular file%s; --prepend only changes regular files",
				    path, errno == ELOOP ? " but a symbolic link" : "");
		else
			ret = error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (strstr(old.buf, marker)) {
		ret = 1;
		goto out;
	}
	if (old.len > 2 && !strncmp(old.buf, "# ", 2)) {
		const char *nl = strchr(old.buf, '\n');
		head = nl ? (size_t)(nl - old.buf) + 1 : old.len;
		strbuf_add(&out, old.buf, head);
		strbuf_addch(&out, '\n');
		while (head < old.len && old.buf[head] == '\n')
			head++;
	}
	strbuf_addstr(&out, marker);
	strbuf_addch(&out, '\n');
	strbuf_add(&out, notes->buf, notes->len);
	strbuf_rtrim(&out);
	strbuf_addch(&out, '\n');
	if (head < old.len) {
		strbuf_addch(&out, '\n');
		strbuf_add(&out, old.buf + head, old.len - head);
	}
	ret = render_write(path, out.buf, out.len);
out:
	strbuf_release(&old);
	strbuf_release(&out);
	return ret;
}

int cmd_notes(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "prepend", required_argument, NULL, 'p' },
		{ "template", required_argument, NULL, 't' },
		{ "drafts", no_argument, NULL, 'd' },
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct range rg = { NULL, NULL };
	struct report_options o;
	struct strbuf out = STRBUF_INIT;
	const char *output = "-", *prepend_to = NULL;
	git_tree *tree = NULL;
	int c, ret = 0;

	setup_init(&st);
	memset(&o, 0, sizeof(o));
	o.kind = "notes";
	o.format = "md";
	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o.format = optarg; break;
		case 'o': output = optarg; break;
		case 'p': prepend_to = optarg; break;
		case 't': o.template_file = optarg; break;
		case 'd': o.drafts = 1; break;
		case 'h':
			fputs(notes_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, notes_usage)))
				goto out;
			break;
		}
	}
	if (!report_template_name("notes", o.format)) {
		error("--format must be md, html or json, not '%s'", o.format);
		ret = EXIT_USAGE;
		goto out;
	}
	if (argc - optind > 2) {
		error("too many revisions; give FROM and TO, or FROM..TO");
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 ||
	    range_resolve(&rg, st.repo, argc - optind, argv + optind, 0) < 0 ||
	    git_commit_tree(&tree, rg.to) < 0 || setup_site(&st, tree) < 0 ||
	    report_render(&st, &rg, &o, &out) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (prepend_to) {
		char from[GIT_OID_HEXSZ + 1] = "root", to[GIT_OID_HEXSZ + 1];
		char *marker;
		int rc;
		if (rg.from)
			git_oid_tostr(from, sizeof(from), git_commit_id(rg.from));
		git_oid_tostr(to, sizeof(to), git_commit_id(rg.to));
		marker = xstrfmt("<!-- herald notes %s..%s -->", from, to);
		rc = prepend(prepend_to, marker, &out);
		free(marker);
		if (rc < 0)
			ret = EXIT_FATAL;
		else if (rc > 0)
			fprintf(stderr, "herald: '%s' already has the notes for this range\n",
				prepend_to);
	} else if (render_write(output, out.buf, out.len) < 0) {
		ret = EXIT_FATAL;
	}
out:
	strbuf_release(&out);
	git_tree_free(tree);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
