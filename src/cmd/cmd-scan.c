#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/command.h"
#include "herald/event.h"
#include "herald/range.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

static const char scan_usage[] =
	"usage: herald scan [options] [FROM] [TO]\n"
	"   or: herald scan [options] FROM..TO\n"
	"   or: herald scan [options] --all [TO]\n"
	"\n"
	"Lists what happened to every post between two commits: new, undrafted,\n"
	"moved, updated, unpublished, deleted, scheduled (and draft).\n"
	"TO defaults to HEAD and FROM to TO's first parent.\n"
	"\n"
	"    --json         print the JSON document that templates and webhooks see\n"
	"    --all          compare TO with the empty tree (every post is new)\n"
	"    --drafts       also list changes among drafts\n"
	"    --now DATE     evaluate scheduled posts at DATE (RFC 3339)\n"
	"    --posts GLOB   which paths are posts (repeatable; replaces the defaults)\n";

/* Display width of UTF-8 text in terminal columns. */
static size_t width(const char *s)
{
	return utf8_width(s, strlen(s));
}

static void pad(struct strbuf *sb, const char *s, size_t w)
{
	size_t n = width(s);

	strbuf_addstr(sb, s);
	strbuf_addchars(sb, ' ', n + 2 <= w ? w - n : 2);
}

/*
 * Keeps at most `max` columns, ending with an ellipsis when cut; line
 * breaks and tabs become spaces, other controls are escaped.
 */
static char *clip(const char *raw, size_t max)
{
	struct strbuf line = STRBUF_INIT, sb = STRBUF_INIT;
	const char *s;
	char *shown;

	for (s = raw ? raw : ""; *s; s++)
		strbuf_addch(&line, *s == '\n' || *s == '\t' ? ' ' : *s);
	shown = printable(line.buf);
	utf8_add_columns(&sb, shown, max, 0);
	free(shown);
	strbuf_release(&line);
	return strbuf_detach(&sb, NULL);
}

static char *event_where(const struct event *ev)
{
	char *a = printable(ev->path), *b, *res;

	if (!ev->from_path)
		return a;
	b = printable(ev->from_path);
	res = xstrfmt("%s -> %s", b, a);
	free(a);
	free(b);
	return res;
}

static char *event_changes(const struct event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *c;
	size_t i;

	json_array_foreach(ev->changes, i, c) {
		const char *f = value_str(c, "field");
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		strbuf_add_printable(&sb, f ? f : "", f ? strlen(f) : 0);
	}
	if (ev->body_changed) {
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		strbuf_addstr(&sb, "body");
	}
	return strbuf_detach(&sb, NULL);
}

static void print_errors(const struct event_list *l)
{
	size_t i;

	for (i = 0; i < l->nr_errors; i++) {
		const struct event_error *e = &l->errors[i];
		char *path = printable(e->path);
		char *msg = printable(e->message);
		if (e->line)
			fprintf(stderr, "%s:%d:%d: error: %s\n", path, e->line, e->column, msg);
		else
			fprintf(stderr, "%s: error: %s\n", path, msg);
		free(path);
		free(msg);
	}
}

static void print_table(const struct event_list *l)
{
	size_t i, n = l->nr, wtype = 4, wpath = 4, wtitle = 5;
	char **where = xcalloc(n + 1, sizeof(*where));
	char **title = xcalloc(n + 1, sizeof(*title));
	size_t counts[EVENT_TYPES] = { 0 };
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < n; i++) {
		const struct event *ev = &l->v[i];
		const char *type = event_type_name(ev->type);
		counts[ev->type]++;
		where[i] = event_where(ev);
		title[i] = clip(ev->title, 48);
		if (width(type) > wtype)
			wtype = width(type);
		if (width(where[i]) > wpath)
			wpath = width(where[i]);
		if (width(title[i]) > wtitle)
			wtitle = width(title[i]);
	}
	if (wpath > 72)
		wpath = 72;
	if (n) {
		pad(&sb, "TYPE", wtype + 2);
		pad(&sb, "PATH", wpath + 2);
		pad(&sb, "TITLE", wtitle + 2);
		strbuf_addstr(&sb, "CHANGED");
		strbuf_rtrim(&sb);
		strbuf_addch(&sb, '\n');
	}
	for (i = 0; i < n; i++) {
		char *changes = event_changes(&l->v[i]);
		pad(&sb, event_type_name(l->v[i].type), wtype + 2);
		pad(&sb, where[i], wpath + 2);
		pad(&sb, title[i], wtitle + 2);
		strbuf_addstr(&sb, changes);
		strbuf_rtrim(&sb);
		strbuf_addch(&sb, '\n');
		free(changes);
		free(where[i]);
		free(title[i]);
	}
	free(where);
	free(title);
	if (n)
		strbuf_addch(&sb, '\n');
	strbuf_addf(&sb, "%zu event%s", n, n == 1 ? "" : "s");
	if (n) {
		int t, first = 1;
		strbuf_addstr(&sb, " (");
		for (t = 0; t < EVENT_TYPES; t++) {
			if (!counts[t])
				continue;
			strbuf_addf(&sb, "%s%zu %s", first ? "" : ", ", counts[t],
				    event_type_name((enum event_type)t));
			first = 0;
		}
		strbuf_addch(&sb, ')');
	}
	if (*l->from)
		strbuf_addf(&sb, " from %.7s to %.7s\n", l->from, l->to);
	else
		strbuf_addf(&sb, " from the empty tree to %.7s\n", l->to);
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	print_errors(l);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "drafts", no_argument, NULL, 'd' },
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct range rg = { NULL, NULL };
	struct changes_options co;
	git_tree *tree = NULL;
	struct event_list events;
	int json = 0, all = 0, drafts = 0, c, ret = 0;

	setup_init(&st);
	event_list_init(&events);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'a': all = 1; break;
		case 'd': drafts = 1; break;
		case 'h':
			fputs(scan_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, scan_usage)))
				goto out;
			break;
		}
	}
	if (argc - optind > (all ? 1 : 2)) {
		error(all ? "--all takes at most one revision" :
			    "too many revisions; give FROM and TO, or FROM..TO");
		fputs(scan_usage, stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	if (setup_open(&st) < 0 ||
	    range_resolve(&rg, st.repo, argc - optind, argv + optind, all) < 0) {
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
	memset(&co, 0, sizeof(co));
	co.site = &st.site;
	co.now = st.now;
	co.drafts = drafts;
	if (changes_scan(st.repo, rg.from, rg.to, &co, &events) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (json) {
		/* streamed: a 10,000-post document never exists whole in memory */
		if (event_list_write_document(&events, stdout) < 0)
		{
			error("cannot write the document to standard output");
			ret = EXIT_FATAL;
		}
	} else {
		print_table(&events);
	}
out:
	event_list_release(&events);
	git_tree_free(tree);
	range_release(&rg);
	setup_release(&st);
	return ret;
}
