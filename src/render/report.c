#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/date.h"
#include "herald/fileio.h"
#include "herald/model.h"
#include "herald/range.h"
#include "herald/render.h"
#include "herald/report.h"
#include "herald/setup.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const struct {
	const char *kind, *format, *template;
} templates[] = {
	{ "notes", "md", "notes.md" },
	{ "notes", "html", "notes.html" },
	{ "notes", "json", "" },
	{ "digest", "md", "digest.md" },
	{ "digest", "html", "digest.html" },
	{ "digest", "atom", "feed.atom" },
	{ "digest", "json", "feed.json" },
};

const char *report_template_name(const char *kind, const char *format)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(templates); i++)
		if (!strcmp(templates[i].kind, kind) &&
		    !strcmp(templates[i].format, format))
			return templates[i].template;
	return NULL;
}

void report_options_init(struct report_options *o, const char *kind)
{
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->format = "md";
	o->output = "-";
}

int report_opt_format(void *ctx, const char *arg)
{
	struct report_options *o = ctx;
	struct strbuf known = STRBUF_INIT;
	const char *last = NULL;
	size_t i;

	if (report_template_name(o->kind, arg)) {
		o->format = arg;
		return 0;
	}
	/* "md, html or json": the kind's formats, in the table's order */
	for (i = 0; i < ARRAY_SIZE(templates); i++) {
		if (strcmp(templates[i].kind, o->kind))
			continue;
		if (last)
			strbuf_addf(&known, "%s%s", known.len ? ", " : "", last);
		last = templates[i].format;
	}
	error("--format must be %s or %s, not '%s'", known.buf, last, arg);
	strbuf_release(&known);
	return -1;
}

int report_render(struct setup *st, struct range *rg,
		  const struct report_options *o, struct strbuf *out)
{
	struct changes_options co;
	struct render_source src;
	git_tree *tree = NULL;
	struct event_list events;
	struct model model;
	const char *name = report_template_name(o->kind, o->format);
	int ret = 0;

	if (!name)
		return error("unknown format '%s' for %s", o->format, o->kind);
	event_list_init(&events);
	memset(&model, 0, sizeof(model));
	if (git_commit_tree(&tree, rg->to) < 0)
		return repo_error("cannot read the tree");
	if (setup_site(st, tree) < 0) {
		ret = -1;
		goto out;
	}
	memset(&co, 0, sizeof(co));
	co.site = &st->site;
	co.now = st->now;
	co.drafts = o->drafts;
	if (changes_scan(st->repo, rg->from, rg->to, &co, &events) < 0) {
		ret = -1;
		goto out;
	}
#ifdef __GLIBC__
	/*
	 * The scan freed far more than it keeps (a third of a 10,000-post
	 * history's 60 MiB is freed blocks between live ones, which free()
	 * never hands back); give those pages back, so the rendering's
	 * output reuses them instead of adding to the peak.
	 */
	malloc_trim(0);
#endif
	/*
	 * The events stay as the scan made them; the template asks for each
	 * event's model object (with its rendered summaries) as it gets
	 * there, so a digest of 10,000 posts holds one at a time.
	 */
	model_open(&model, &events, &st->site, o->limit);
	if (!*name && !o->template_file) {
		json_t *whole = model_whole(&model);
		char *s = json_dumps(whole, JSON_SORT_KEYS | JSON_INDENT(2));
		strbuf_addstr(out, s);
		strbuf_addch(out, '\n');
		free(s);
		json_decref(whole);
		goto out;
	}
	memset(&src, 0, sizeof(src));
	src.repo = st->repo;
	src.tree = tree;
	src.override = o->template_file;
	src.lists = model.lists;
	src.nr_lists = model.nr_lists;
	ret = render_template(&src, name, model.root, out);
out:
	model_close(&model);
	event_list_release(&events);
	git_tree_free(tree);
	return ret;
}

int report_digest_range(struct setup *st, const char *since, const char *until,
			struct range *rg)
{
	long long when;

	if (repo_commit(st->repo, until, &rg->to) < 0)
		return -1;
	if (since && date_parse(since, &when) < 0)
		return repo_commit(st->repo, since, &rg->from);
	if (!since)
		when = st->now - 7 * 24 * 3600;
	return range_first_parent_at(st->repo->git, rg->to, when, &rg->from);
}

int report_prepend(const char *path, const struct range *rg, const struct strbuf *notes)
{
	char from[GIT_OID_HEXSZ + 1] = "root", to[GIT_OID_HEXSZ + 1];
	char *marker;
	struct strbuf old = STRBUF_INIT, out = STRBUF_INIT;
	size_t head = 0;
	int ret = 0;

	if (rg->from)
		git_oid_tostr(from, sizeof(from), git_commit_id(rg->from));
	git_oid_tostr(to, sizeof(to), git_commit_id(rg->to));
	marker = xstrfmt("<!-- herald notes %s..%s -->", from, to);
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
	free(marker);
	strbuf_release(&old);
	strbuf_release(&out);
	return ret;
}
