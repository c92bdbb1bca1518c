#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/postview.h"
#include "herald/repo.h"
#include "herald/setup.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

void postview_init(struct postview *v)
{
	memset(v, 0, sizeof(*v));
	post_init(&v->post);
}

void postview_release(struct postview *v)
{
	post_release(&v->post);
	git_blob_free(v->blob);
	memset(v, 0, sizeof(*v));
}

int postview_read(struct postview *v, struct setup *st, git_tree *tree,
		  const char *path, const char *at)
{
	struct post *p = &v->post;
	git_tree_entry *entry = NULL;
	size_t size;
	int rc, ret = 0;

	if (git_tree_entry_bypath(&entry, tree, path) < 0)
		return error("'%s' does not exist at '%s'", path, at);
	switch (git_tree_entry_filemode(entry)) {
	case GIT_FILEMODE_LINK:
		post_not_a_file(p, path, "symbolic link");
		break;
	case GIT_FILEMODE_COMMIT:
		post_not_a_file(p, path, "submodule");
		break;
	case GIT_FILEMODE_TREE:
		ret = error("'%s' is a folder at '%s'", path, at);
		goto out;
	default:
		rc = repo_blob_capped(st->repo->git, git_tree_entry_id(entry), path,
				      HERALD_POST_MAX, &v->blob, &size);
		if (rc < 0) {
			ret = -1;
			goto out;
		}
		if (!v->blob)
			post_too_large(p, path, size);
		else
			post_read(p, &st->site, path, git_blob_rawcontent(v->blob),
				  (size_t)git_blob_rawsize(v->blob), st->now, 0);
	}
	v->is_post_path = site_is_post_path(&st->site, path);
	if (!v->is_post_path && p->state != POST_INVALID)
		p->state = POST_ABSENT;
out:
	git_tree_entry_free(entry);
	return ret;
}

json_t *postview_json(const struct postview *v)
{
	const struct post *p = &v->post;
	json_t *o = post_to_json(p), *err = json_null();

	json_object_del(o, "tags");
	json_object_del(o, "summary");
	json_object_del(o, "summary_markdown");
	if (p->state == POST_INVALID)
		err = json_pack("{s:i, s:i, s:s}", "line", p->error_line,
				"column", p->error_column, "message", p->error);
	else if (!v->is_post_path)
		err = json_pack("{s:n, s:n, s:s}", "line", "column", "message",
				"the path is not a post by the site generator's rules or the post globs (see --posts)");
	else if (p->error)
		err = json_pack("{s:n, s:n, s:s}", "line", "column", "message", p->error);
	json_object_set_new(o, "path", value_text(p->path));
	json_object_set_new(o, "state", json_string(post_state_name(p->state)));
	json_object_set_new(o, "error", err);
	if (p->state == POST_INVALID || p->state == POST_ABSENT) {
		json_object_set_new(o, "title", json_null());
		json_object_set_new(o, "slug", json_null());
	}
	return o;
}

void postview_print(const struct postview *v, json_t *o, FILE *out)
{
	const struct post *p = &v->post;
	json_t *err = json_object_get(o, "error");
	const char *keys[] = { "path", "state", "title", "slug", "url", "date", NULL };
	char *path = printable(p->path), *msg;
	size_t i;

	for (i = 0; keys[i]; i++) {
		const char *s = json_string_value(json_object_get(o, keys[i]));
		char *shown = printable(s ? s : "-");
		fprintf(out, "%-7s %s\n", keys[i], shown);
		free(shown);
	}
	if (p->fm.data) {
		/* JSON escapes every control character itself */
		char *fm = json_dumps(p->fm.data, JSON_SORT_KEYS | JSON_INDENT(2));
		fprintf(out, "front matter:\n%s\n", fm);
		free(fm);
	}
	if (json_is_object(err)) {
		json_t *line = json_object_get(err, "line");
		msg = printable(json_string_value(json_object_get(err, "message")));
		if (json_is_integer(line) && json_integer_value(line))
			fprintf(out, "error   %s:%lld:%lld: %s\n", path,
				(long long)json_integer_value(line),
				(long long)json_integer_value(json_object_get(err, "column")),
				msg);
		else
			fprintf(out, "error   %s\n", msg);
		free(msg);
	}
	for (i = 0; i < p->fm.nr_problems; i++) {
		if (p->fm.problems[i].is_error)
			continue;
		msg = printable(p->fm.problems[i].message);
		fprintf(out, "warning %s:%d:%d: %s\n", path, p->fm.problems[i].line,
			p->fm.problems[i].column, msg);
		free(msg);
	}
	free(path);
}
