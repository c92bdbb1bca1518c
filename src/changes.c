#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/date.h"
#include "herald/post.h"
#include "herald/progress.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

static const char *const type_names[] = {
	"new", "undrafted", "moved", "updated", "unpublished", "deleted",
	"scheduled", "draft", "none",
};

const char *event_type_name(enum event_type t)
{
	return type_names[t];
}

int event_type_parse(const char *name)
{
	int i;

	for (i = 0; i < EVENT_TYPES; i++)
		if (!strcmp(type_names[i], name))
			return i;
	return -1;
}

enum event_type event_classify(enum post_state before, enum post_state after,
			       int same_path, int changed)
{
	if (before == POST_INVALID)
		before = POST_ABSENT;
	if (after == POST_INVALID)
		return EVENT_NONE;
	if (after == POST_PUBLISHED) {
		switch (before) {
		case POST_ABSENT:
		case POST_SCHEDULED:
			return EVENT_NEW;
		case POST_DRAFT:
			return EVENT_UNDRAFTED;
		default:
			if (!same_path)
				return EVENT_MOVED;
			return changed ? EVENT_UPDATED : EVENT_NONE;
		}
	}
	if (before == POST_PUBLISHED)
		return after == POST_ABSENT ? EVENT_DELETED : EVENT_UNPUBLISHED;
	if (after == POST_SCHEDULED && before != POST_SCHEDULED)
		return EVENT_SCHEDULED;
	if (before == POST_ABSENT && after == POST_ABSENT)
		return EVENT_NONE;
	return same_path && !changed && before == after ? EVENT_NONE : EVENT_DRAFT;
}

json_t *changes_commit_json(const git_commit *c)
{
	const git_signature *a = git_commit_author(c);
	const char *summary = git_commit_summary((git_commit *)c);
	char hex[GIT_OID_HEXSZ + 1], date[32];

	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	date_format((long long)a->when.time, date, sizeof(date));
	return json_pack("{s:s, s:s%, s:o, s:o, s:s, s:o}",
			 "id", hex, "short", hex, (size_t)7,
			 "author", value_text(a->name),
			 "email", value_text(a->email),
			 "date", date,
			 "subject", value_text(summary ? summary : ""));
}

/* ---- reading both sides of a delta ---- */

struct side {
	struct post post;
	git_blob *blob;
};

static void side_release(struct side *s)
{
	post_release(&s->post);
	git_blob_free(s->blob);
	s->blob = NULL;
}

static int read_side(struct repo *r, const struct changes_options *o,
		     const git_diff_file *f, struct side *s)
{
	post_init(&s->post);
	s->blob = NULL;
	if (f->mode == GIT_FILEMODE_LINK) {
		post_not_a_file(&s->post, f->path, "symbolic link");
		return 0;
	}
	if (f->mode == GIT_FILEMODE_COMMIT) {
		post_not_a_file(&s->post, f->path, "submodule");
		return 0;
	}
	if (git_blob_lookup(&s->blob, r->git, &f->id) < 0)
		return repo_error(f->path);
	post_read(&s->post, o->site, f->path, git_blob_rawcontent(s->blob),
		  (size_t)git_blob_rawsize(s->blob), o->now, 0);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* {"field","before","after"} for each top-level value that differs. */
static json_t *field_changes(json_t *before, json_t *after)
{
	json_t *list = json_array(), *v;
	const char **keys;
	const char *k;
	size_t i, n = 0;

	keys = xcalloc(json_object_size(before) + json_object_size(after) + 1,
		       sizeof(*keys));
	json_object_foreach(before, k, v)
		keys[n++] = k;
	json_object_foreach(after, k, v)
		if (!json_object_get(before, k))
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		json_t *b = json_object_get(before, keys[i]);
		json_t *a = json_object_get(after, keys[i]);
		if (b && a && json_equal(b, a))
			continue;
		json_array_append_new(list, json_pack("{s:s, s:O, s:O}",
			"field", keys[i],
			"before", b ? b : json_null(),
			"after", a ? a : json_null()));
	}
	free(keys);
	return list;
}

static int body_differs(const struct post *a, const struct post *b)
{
	return a->body_len != b->body_len ||
	       (a->body_len && memcmp(a->body, b->body, a->body_len));
}

/* ---- the event list ---- */

struct event {
	enum event_type type;
	char *path;     /* where the post is now (or was, when deleted) */
	json_t *json;
};

struct scan {
	struct repo *r;
	const struct changes_options *o;
	struct event *events;
	size_t nr, alloc;
	json_t *errors;
};

static void add_error(struct scan *sc, const struct post *p)
{
	json_array_append_new(sc->errors, json_pack("{s:o, s:o, s:o, s:s}",
		"path", value_text(p->path),
		"line", p->error_line ? json_integer(p->error_line) : json_null(),
		"column", p->error_column ? json_integer(p->error_column) : json_null(),
		"message", p->error));
}

static void add_event(struct scan *sc, enum event_type t, struct side *b,
		      struct side *a, const char *old_path, const char *new_path)
{
	const struct post *p = a->post.fm.data ? &a->post : &b->post;
	const char *path = new_path ? new_path : old_path;
	json_t *ev = post_to_json(p);
	struct event *e;

	json_object_set_new(ev, "type", json_string(event_type_name(t)));
	json_object_set_new(ev, "path", value_text(path));
	json_object_set_new(ev, "from_path",
			    old_path && new_path && strcmp(old_path, new_path) ?
				    value_text(old_path) : json_null());
	json_object_set_new(ev, "state", json_string(post_state_name(
		new_path ? a->post.state : POST_ABSENT)));
	if (t == EVENT_UPDATED || t == EVENT_MOVED) {
		json_object_set_new(ev, "changes",
				    field_changes(b->post.fm.data, a->post.fm.data));
		json_object_set_new(ev, "body_changed",
				    json_boolean(body_differs(&b->post, &a->post)));
	}
	ALLOC_GROW(sc->events, sc->nr + 1, sc->alloc);
	e = &sc->events[sc->nr++];
	e->type = t;
	e->path = xstrdup(path);
	e->json = ev;
}

static int is_post_side(const struct scan *sc, const git_diff_file *f)
{
	return !git_oid_is_zero(&f->id) && site_is_post_path(sc->o->site, f->path);
}

static int handle_delta(struct scan *sc, const git_diff_delta *d)
{
	struct side b, a;
	const char *old_path = NULL, *new_path = NULL;
	enum event_type t;
	int changed = 0, ret = 0;

	post_init(&b.post);
	post_init(&a.post);
	b.blob = a.blob = NULL;
	if (d->status != GIT_DELTA_ADDED && is_post_side(sc, &d->old_file))
		old_path = d->old_file.path;
	if (d->status != GIT_DELTA_DELETED && is_post_side(sc, &d->new_file))
		new_path = d->new_file.path;
	if (!old_path && !new_path)
		return 0;
	if ((old_path && read_side(sc->r, sc->o, &d->old_file, &b) < 0) ||
	    (new_path && read_side(sc->r, sc->o, &d->new_file, &a) < 0)) {
		ret = -1;
		goto out;
	}
	if (new_path && (a.post.state == POST_INVALID ||
			 (a.post.state == POST_ABSENT && a.post.error &&
			  !a.blob)))
		add_error(sc, &a.post);
	if (b.post.fm.data && a.post.fm.data)
		changed = !json_equal(b.post.fm.data, a.post.fm.data) ||
			  body_differs(&b.post, &a.post);
	t = event_classify(old_path ? b.post.state : POST_ABSENT,
			   new_path ? a.post.state : POST_ABSENT,
			   old_path && new_path && !strcmp(old_path, new_path),
			   changed);
	if (t == EVENT_NONE || (t == EVENT_DRAFT && !sc->o->drafts))
		goto out;
	add_event(sc, t, &b, &a, old_path, new_path);
out:
	side_release(&b);
	side_release(&a);
	return ret;
}

static int cmp_event(const void *x, const void *y)
{
	const struct event *a = x, *b = y;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp(a->path, b->path);
}

/* ---- attributing events to commits ---- */

/*
 * git's tree order: names compare bytewise, a tree as if its name ended
 * in '/'.
 */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int c = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = na[n] ? (unsigned char)na[n] :
	     git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : 0;
	cb = nb[n] ? (unsigned char)nb[n] :
	     git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : 0;
	return (int)ca - (int)cb;
}

struct walk {
	git_repository *git;
	json_t *pending; /* path -> true */
	json_t *dirs;    /* every folder above a pending path -> true */
	json_t *touched; /* out: pending paths this comparison touched */
	struct strbuf path;
};

static void touch(struct walk *w, const char *name)
{
	size_t len = w->path.len;

	strbuf_addstr(&w->path, name);
	if (json_object_get(w->pending, w->path.buf))
		json_object_set_new_nocheck(w->touched, w->path.buf, json_true());
	strbuf_setlen(&w->path, len);
}

static int compare_trees(struct walk *w, const git_oid *a_id, const git_oid *b_id);

/* An entry present on one side only, or changed: note every pending path under it. */
static int entry_changed(struct walk *w, const git_tree_entry *a,
			 const git_tree_entry *b)
{
	const git_tree_entry *e = a ? a : b;
	const char *name = git_tree_entry_name(e);
	int a_tree = a && git_tree_entry_type(a) == GIT_OBJECT_TREE;
	int b_tree = b && git_tree_entry_type(b) == GIT_OBJECT_TREE;
	size_t len = w->path.len;
	int ret = 0;

	if (!a_tree && !b_tree) {
		touch(w, name);
		return 0;
	}
	if ((a && !a_tree) || (b && !b_tree))
		touch(w, name);
	strbuf_addstr(&w->path, name);
	strbuf_addch(&w->path, '/');
	if (json_object_get(w->dirs, w->path.buf))
		ret = compare_trees(w, a_tree ? git_tree_entry_id(a) : NULL,
				    b_tree ? git_tree_entry_id(b) : NULL);
	strbuf_setlen(&w->path, len);
	return ret;
}

static int compare_trees(struct walk *w, const git_oid *a_id, const git_oid *b_id)
{
	git_tree *a = NULL, *b = NULL;
	size_t i = 0, j = 0, na, nb;
	int ret = 0;

	if (a_id && b_id && git_oid_equal(a_id, b_id))
		return 0;
	if ((a_id && git_tree_lookup(&a, w->git, a_id) < 0) ||
	    (b_id && git_tree_lookup(&b, w->git, b_id) < 0)) {
		ret = repo_error("cannot read a tree");
		goto out;
	}
	na = a ? git_tree_entrycount(a) : 0;
	nb = b ? git_tree_entrycount(b) : 0;
	while (!ret && (i < na || j < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int c = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

		if (c < 0) {
			ret = entry_changed(w, ea, NULL);
			i++;
		} else if (c > 0) {
			ret = entry_changed(w, NULL, eb);
			j++;
		} else {
			if (!git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) ||
			    git_tree_entry_filemode(ea) != git_tree_entry_filemode(eb))
				ret = entry_changed(w, ea, eb);
			i++, j++;
		}
	}
out:
	git_tree_free(a);
	git_tree_free(b);
	return ret;
}

static void add_dirs(json_t *dirs, const char *path)
{
	const char *p;
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, '\0');
	strbuf_reset(&sb);
	json_object_set_new_nocheck(dirs, "", json_true());
	for (p = path; (p = strchr(p, '/')); p++) {
		strbuf_reset(&sb);
		strbuf_add(&sb, path, (size_t)(p - path + 1));
		json_object_set_new_nocheck(dirs, sb.buf, json_true());
	}
	strbuf_release(&sb);
}

/* Which pending paths does commit c change, against all of its parents? */
static int touched_by(struct walk *w, git_commit *c)
{
	unsigned int n = git_commit_parentcount(c), i;
	json_t *common = NULL;
	int ret = 0;

	for (i = 0; i < (n ? n : 1); i++) {
		const git_oid *parent_tree = NULL;
		git_commit *parent = NULL;

		if (n) {
			if (git_commit_parent(&parent, c, i) < 0)
				return repo_error("cannot read a parent commit");
			parent_tree = git_commit_tree_id(parent);
		}
		w->touched = json_object();
		strbuf_reset(&w->path);
		ret = compare_trees(w, parent_tree, git_commit_tree_id(c));
		git_commit_free(parent);
		if (ret < 0) {
			json_decref(w->touched);
			break;
		}
		if (!common) {
			common = w->touched;
		} else {
			/* a merge touches a path only when it differs from every parent */
			const char *k;
			json_t *v, *tmp;
			json_object_foreach_safe(common, tmp, k, v)
				if (!json_object_get(w->touched, k))
					json_object_del(common, k);
			json_decref(w->touched);
		}
	}
	w->touched = common;
	return ret;
}

static int attribute(struct scan *sc, git_commit *from, git_commit *to)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	struct walk w;
	json_t *found = json_object();
	struct progress *prog = NULL;
	size_t i, seen = 0;
	int ret = 0;

	memset(&w, 0, sizeof(w));
	w.git = sc->r->git;
	w.pending = json_object();
	w.dirs = json_object();
	strbuf_init(&w.path, 256);
	for (i = 0; i < sc->nr; i++) {
		json_object_set_new_nocheck(w.pending, sc->events[i].path, json_true());
		add_dirs(w.dirs, sc->events[i].path);
	}
	if (!sc->nr)
		goto assign;
	if (from && git_commit_parentcount(to) == 1 &&
	    git_oid_equal(git_commit_parent_id(to, 0), git_commit_id(from)))
		goto assign; /* one commit: it made every event; no walk needed */
	if (git_revwalk_new(&walk, w.git) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(walk, git_commit_id(to)) < 0 ||
	    (from && git_revwalk_hide(walk, git_commit_id(from)) < 0)) {
		ret = repo_error("cannot walk the history");
		goto out;
	}
	if (sc->nr > 100)
		prog = progress_start("Finding commits", 0);
	while (json_object_size(w.pending) && !git_revwalk_next(&oid, walk)) {
		git_commit *c = NULL;
		const char *k;
		json_t *v;

		progress_update(prog, ++seen);
		if (git_commit_lookup(&c, w.git, &oid) < 0) {
			ret = repo_error("cannot read a commit");
			goto out;
		}
		if (touched_by(&w, c) < 0) {
			git_commit_free(c);
			ret = -1;
			goto out;
		}
		if (json_object_size(w.touched)) {
			json_t *cj = changes_commit_json(c);
			json_object_foreach(w.touched, k, v) {
				json_object_set_nocheck(found, k, cj);
				json_object_del(w.pending, k);
			}
			json_decref(cj);
		}
		json_decref(w.touched);
		w.touched = NULL;
		git_commit_free(c);
	}
assign:
	{
		/* a path no commit of the range touched (a force-push dropped it) */
		json_t *fallback = changes_commit_json(to);
		for (i = 0; i < sc->nr; i++) {
			json_t *cj = json_object_get(found, sc->events[i].path);
			json_object_set(sc->events[i].json, "commit", cj ? cj : fallback);
		}
		json_decref(fallback);
	}
out:
	progress_stop(&prog);
	git_revwalk_free(walk);
	json_decref(w.pending);
	json_decref(w.dirs);
	json_decref(found);
	strbuf_release(&w.path);
	return ret;
}

/* ---- putting it together ---- */

static int diff_snapshots(struct repo *r, git_tree *a, git_tree *b, git_diff **out)
{
	git_diff_options dopts;
	git_diff_find_options fopts;
	size_t n;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(out, r->git, a, b, &dopts) < 0)
		return repo_error("cannot compare the two commits");
	/*
	 * Rename detection runs on the whole tree, before any filtering by
	 * path, so a post moved in or out of a posts folder is still followed;
	 * the limit grows with the diff so a migration is never given up on.
	 */
	n = git_diff_num_deltas(*out);
	git_diff_find_options_init(&fopts, GIT_DIFF_FIND_OPTIONS_VERSION);
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	fopts.rename_threshold = 50;
	fopts.rename_limit = n > 1000 ? n : 1000;
	if (git_diff_find_similar(*out, &fopts) < 0) {
		git_diff_free(*out);
		*out = NULL;
		return repo_error("cannot detect renames");
	}
	return 0;
}

int changes_scan(struct repo *r, git_commit *from, git_commit *to,
		 const struct changes_options *o, json_t **out)
{
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	struct scan sc;
	struct progress *prog = NULL;
	json_t *events = NULL;
	char now[32];
	size_t i, n;
	int ret = 0;

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	sc.r = r;
	sc.o = o;
	sc.errors = json_array();
	if ((from && git_commit_tree(&a, from) < 0) || git_commit_tree(&b, to) < 0) {
		ret = repo_error("cannot read a commit's tree");
		goto out;
	}
	if (diff_snapshots(r, a, b, &diff) < 0) {
		ret = -1;
		goto out;
	}
	n = git_diff_num_deltas(diff);
	if (n > 100)
		prog = progress_start("Reading posts", n);
	for (i = 0; i < n; i++) {
		progress_update(prog, i + 1);
		if (handle_delta(&sc, git_diff_get_delta(diff, i)) < 0) {
			ret = -1;
			goto out;
		}
	}
	progress_stop(&prog);
	qsort(sc.events, sc.nr, sizeof(*sc.events), cmp_event);
	if (!o->no_commits && attribute(&sc, from, to) < 0) {
		ret = -1;
		goto out;
	}
	events = json_array();
	for (i = 0; i < sc.nr; i++)
		json_array_append(events, sc.events[i].json);
	date_format(o->now, now, sizeof(now));
	*out = json_pack("{s:o, s:s, s:s, s:o, s:O}",
			 "from", from ? json_string(repo_hex(git_commit_id(from))) : json_null(),
			 "to", repo_hex(git_commit_id(to)),
			 "now", now,
			 "events", events,
			 "errors", sc.errors);
out:
	progress_stop(&prog);
	for (i = 0; i < sc.nr; i++) {
		free(sc.events[i].path);
		json_decref(sc.events[i].json);
	}
	free(sc.events);
	json_decref(sc.errors);
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	return ret;
}
