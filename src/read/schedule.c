#include <stdlib.h>
#include <string.h>

#include "herald/event.h"
#include "herald/date.h"
#include "herald/post.h"
#include "herald/repo.h"
#include "herald/schedule.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

struct walk {
	struct repo *r;
	const struct site *site;
	long long after, now;
	struct event_list *list;
	const struct event_commit *commit;
	struct strbuf path;
	int ret;
};

/* Hugo's expiryDate passed in (after, now]: the post has just gone. */
static int expired_between(const struct post *p, const char *zone, long long after,
			   long long now)
{
	const json_t *v = p->fm.data ? json_object_get(p->fm.data, "expiryDate") : NULL;
	long long t;

	return p->state == POST_DRAFT && json_is_string(v) &&
	       !date_parse_zoned(json_string_value(v), zone, &t, NULL) && t > after &&
	       t <= now;
}

static int visit(const char *root, const git_tree_entry *e, void *data)
{
	struct walk *w = data;
	git_blob *blob = NULL;
	struct post p;
	size_t size;
	int rc;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
		return 0;
	strbuf_reset(&w->path);
	strbuf_addstr(&w->path, root);
	strbuf_addstr(&w->path, git_tree_entry_name(e));
	if (!site_is_post_path(w->site, w->path.buf))
		return 0;
	rc = repo_blob_capped(w->r->git, git_tree_entry_id(e), w->path.buf,
			      HERALD_POST_MAX, &blob, &size);
	if (rc < 0) {
		w->ret = -1;
		return -1;
	}
	post_init(&p);
	if (!blob)
		post_too_large(&p, w->path.buf, size);
	else
		post_read(&p, w->site, w->path.buf, git_blob_rawcontent(blob),
			  (size_t)git_blob_rawsize(blob), w->now, 0);
	if ((p.state == POST_PUBLISHED && p.publish > w->after && p.publish <= w->now) ||
	    expired_between(&p, w->site->zone, w->after, w->now)) {
		int gone = p.state != POST_PUBLISHED;
		struct event *ev = event_list_add(w->list, gone ? EVENT_UNPUBLISHED : EVENT_NEW,
						  &p, p.path, NULL, p.state);
		ev->commit = w->commit;
	}
	post_release(&p);
	git_blob_free(blob);
	return 0;
}

int schedule_due(struct repo *r, const struct site *s, git_commit *tip,
		 long long after, long long now, struct event_list *out)
{
	git_tree *tree = NULL;
	struct walk w;

	event_list_init(out);
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.site = s;
	w.after = after;
	w.now = now;
	w.list = out;
	out->now = now;
	git_oid_tostr(out->to, sizeof(out->to), git_commit_id(tip));
	w.commit = event_list_commit(out, tip);
	strbuf_init(&w.path, 256);
	if (git_commit_tree(&tree, tip) < 0)
		w.ret = repo_error("cannot read the tree");
	else if (git_tree_walk(tree, GIT_TREEWALK_PRE, visit, &w) < 0 && !w.ret)
		w.ret = repo_error("cannot walk the tree");
	git_tree_free(tree);
	strbuf_release(&w.path);
	if (w.ret < 0)
		event_list_release(out);
	return w.ret;
}
