#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
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

static void limit_list(json_t *model, const char *key, long limit)
{
	json_t *list = json_object_get(model, key);

	if (!json_is_array(list) || limit <= 0)
		return;
	while (json_array_size(list) > (size_t)limit)
		json_array_remove(list, json_array_size(list) - 1);
	if (json_array_size(list))
		json_object_set_new(json_array_get(list, json_array_size(list) - 1),
				    "last", json_true());
}

int report_render(struct setup *st, struct range *rg,
		  const struct report_options *o, struct strbuf *out)
{
	struct changes_options co;
	struct render_source src;
	git_tree *tree = NULL;
	struct event_list events;
	json_t *model = NULL;
	const char *name = report_template_name(o->kind, o->format);
	int ret = 0;

	if (!name)
		return error("unknown format '%s' for %s", o->format, o->kind);
	if (git_commit_tree(&tree, rg->to) < 0)
		return repo_error("cannot read the tree");
	memset(&co, 0, sizeof(co));
	co.site = &st->site;
	co.now = st->now;
	co.drafts = o->drafts;
	if (changes_scan(st->repo, rg->from, rg->to, &co, &events) < 0) {
		ret = -1;
		goto out;
	}
	model = model_build_events(&events, &st->site);
	/* the model has what it needs; the events can go */
	event_list_release(&events);
	limit_list(model, "posts", o->limit);
	if (!*name && !o->template_file) {
		char *s = json_dumps(model, JSON_SORT_KEYS | JSON_INDENT(2));
		strbuf_addstr(out, s);
		strbuf_addch(out, '\n');
		free(s);
		goto out;
	}
	memset(&src, 0, sizeof(src));
	src.repo = st->repo;
	src.tree = tree;
	src.override = o->template_file;
	ret = render_template(&src, name, model, out);
out:
	json_decref(model);
	git_tree_free(tree);
	return ret;
}
