#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/event.h"
#include "herald/model.h"
#include "herald/post.h"
#include "herald/render.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "tap.h"

/*
 * The lazy model (model_open) against the whole one (model_build_events):
 * the same object once made whole, and the same bytes out of every built-in
 * template that renders a model, with and without a limit on the posts.
 */

static char ann[] = "Ann <&>", ann_mail[] = "ann@example.org", add_posts[] = "Add *posts*";
static char bob[] = "Bob", bob_mail[] = "bob@example.org", edit[] = "Edit";
static struct event_commit commit_a = {
	"0123456789abcdef0123456789abcdef01234567", ann, ann_mail, add_posts, 1700000000,
};
static struct event_commit commit_b = {
	"89abcdef0123456789abcdef0123456789abcdef", bob, bob_mail, edit, 1700100000,
};

static void add(struct event_list *l, const struct site *s, enum event_type t,
		const char *path, const char *from, const char *src,
		const struct event_commit *c)
{
	struct post p;
	struct event *e;

	post_init(&p);
	post_read(&p, s, path, src, strlen(src), 1700000000, 0);
	e = event_list_add(l, t, &p, path, from, p.state);
	if (t == EVENT_UPDATED || t == EVENT_MOVED) {
		e->changes = json_pack("[{s:s, s:s, s:s}]", "after", "New", "before", "Old",
				       "field", "title");
		e->body_changed = true;
	}
	e->commit = c;
	post_release(&p);
}

/* Events of every kind, some undated, two on the same day, markup in summaries. */
static void events(struct event_list *l, const struct site *s)
{
	event_list_init(l);
	strcpy(l->to, "fedcba9876543210fedcba9876543210fedcba98");
	strcpy(l->from, "0123456789abcdef0123456789abcdef01234567");
	l->now = 1700200000;
	add(l, s, EVENT_NEW, "_posts/2020-03-30-b.md", NULL,
	    "---\ntitle: B <b>\ntags: [x, y]\nimage: /i.png\nsubtitle: Sub\n---\n"
	    "First *para* with <script>x</script> and [a link](https://e.org/).\n",
	    &commit_a);
	add(l, s, EVENT_NEW, "_posts/2020-03-30-a.md", NULL,
	    "---\ntitle: A\ndate: 2020-03-30\nlast_modified_at: 2024-01-02\nMyLastMod: 2025-06-01\n---\n"
	    "Same day.\n",
	    &commit_a);
	add(l, s, EVENT_NEW, "_posts/undated.md", NULL,
	    "---\ntitle: Undated\n---\nNo date [x](javascript:alert(1)).\n", NULL);
	add(l, s, EVENT_UPDATED, "_posts/2019-01-01-u.md", NULL,
	    "---\ntitle: New\ndate: 2019-01-01\n---\nEdited.\n", &commit_b);
	add(l, s, EVENT_UNDRAFTED, "_posts/2022-05-05-d.md", NULL,
	    "---\ntitle: Drafted\ndate: 2022-05-05\n---\nOut now.\n", &commit_b);
	add(l, s, EVENT_MOVED, "_posts/2018-02-02-m.md", "_posts/old.md",
	    "---\ntitle: New\ndate: 2018-02-02\n---\nMoved.\n", &commit_b);
	add(l, s, EVENT_DELETED, "_posts/2017-01-01-gone.md", NULL,
	    "---\ntitle: Gone\ndate: 2017-01-01\n---\nBye.\n", &commit_a);
}

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_SORT_KEYS | JSON_INDENT(2));
}

/* The model whole with its posts cut to `limit`, as --limit did before. */
static void cut(json_t *m, long limit)
{
	json_t *posts = json_object_get(m, "posts");

	if (limit <= 0)
		return;
	while (json_array_size(posts) > (size_t)limit)
		json_array_remove(posts, json_array_size(posts) - 1);
	if (json_array_size(posts))
		json_object_set_new(json_array_get(posts, json_array_size(posts) - 1),
				    "last", json_true());
}

static void compare(const struct event_list *l, const struct site *s, long limit,
		    const char *what)
{
	static const char *const names[] = {
		"digest.md", "digest.html", "feed.atom", "feed.json", "notes.md", "notes.html",
	};
	json_t *eager = model_build_events(l, s), *whole;
	struct model m;
	char *a, *b;
	size_t i;

	cut(eager, limit);
	model_open(&m, l, s, limit);
	whole = model_whole(&m);
	a = dump(eager);
	b = dump(whole);
	is_str(b, a, "%s: the lazy model made whole is the model", what);
	free(a);
	free(b);
	json_decref(whole);

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		struct render_source src;
		struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
		int rx, ry;

		memset(&src, 0, sizeof(src));
		rx = render_template(&src, names[i], eager, &x);
		src.lists = m.lists;
		src.nr_lists = m.nr_lists;
		ry = render_template(&src, names[i], m.root, &y);
		ok(!rx && !ry && x.len && !strcmp(x.buf, y.buf),
		   "%s: %s renders the same, lazily (%zu bytes)", what, names[i], y.len);
		strbuf_release(&x);
		strbuf_release(&y);
	}
	model_close(&m);
	json_decref(eager);
}

int main(void)
{
	struct event_list l;
	struct site s;
	struct model m;
	enum site_kind kind;

	site_init(&s);
	s.title = xstrdup("Blog & <co>");
	s.base_url = xstrdup("https://blog.example.org");
	events(&l, &s);
	compare(&l, &s, 0, "every post");
	compare(&l, &s, 2, "--limit 2");
	compare(&l, &s, 1, "--limit 1");
	compare(&l, &s, 50, "a limit over the posts");
	l.with_commits = false;
	compare(&l, &s, 0, "no commits");
	l.with_commits = true;
	kind = s.kind;
	model_open(&m, &l, &s, 0);
	is_str(json_string_value(json_object_get(m.root, "feed_updated")),
	       "2024-01-02T00:00:00Z", "feed_updated from a post's last_modified_at");
	model_close(&m);
	/* the newest change is in a key only Hugo's [frontmatter] names, in another case */
	s.kind = SITE_HUGO;
	strvec_push(&s.hugo_lastmod, "mylastmod");
	compare(&l, &s, 0, "Hugo's lastmod keys");
	{
		struct model hm;
		model_open(&hm, &l, &s, 0);
		is_str(json_string_value(json_object_get(hm.root, "feed_updated")),
		       "2025-06-01T00:00:00Z", "feed_updated from a Hugo lastmod key");
		model_close(&hm);
	}
	s.kind = kind;
	event_list_release(&l);

	/* nothing at all */
	event_list_init(&l);
	strcpy(l.to, "fedcba9876543210fedcba9876543210fedcba98");
	model_open(&m, &l, &s, 0);
	ok(m.nr_lists == EVENT_TYPES + 2, "one lazy list per type, events and posts");
	ok(json_is_array(json_object_get(m.root, "posts")) &&
	   !json_array_size(json_object_get(m.root, "posts")) && !m.lists[m.nr_lists - 1].nr,
	   "an empty history: an empty placeholder and no posts");
	model_close(&m);
	compare(&l, &s, 0, "an empty history");
	event_list_release(&l);
	site_release(&s);
	return done_testing();
}
