#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herald/announce.h"
#include "herald/cadence.h"
#include "herald/changes.h"
#include "herald/date.h"
#include "herald/dialect.h"
#include "herald/digest.h"
#include "herald/event.h"
#include "herald/ledger.h"
#include "herald/model.h"
#include "herald/outbox.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/schedule.h"
#include "herald/setup.h"
#include "herald/sign.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

/* The ledger record of where a target's next digest starts. */
#define START "/digest"

char *digest_headline(const char *period, const char *title, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, strcmp(period, "daily") ? "This week" : "Today");
	if (title && *title) {
		strbuf_addstr(&sb, " on ");
		dialect_one_line(title, &sb);
	}
	if (n)
		strbuf_addf(&sb, ": %zu new post%s", n, n == 1 ? "" : "s");
	else
		strbuf_addstr(&sb, ": no new posts");
	return strbuf_detach(&sb, NULL);
}

char *digest_subject(const char *period, const char *title, long long due, const char *zone)
{
	static const char *const months[] = { "January", "February", "March", "April",
					      "May", "June", "July", "August", "September", "October", "November", "December" };
	struct strbuf sb = STRBUF_INIT;
	long long days = strcmp(period, "daily") ? 7 : 1;
	struct tm tm;

	/*
	 * The period the posts are of: the first day at least half inside the
	 * window before `due` (a weekly digest due Monday 09:00 is of the
	 * week from the Monday before; a daily one due 09:00 of yesterday,
	 * due 23:00 of today).
	 */
	date_in_zone(due - days * 86400 + 43200, zone, &tm);
	if (title && *title) {
		dialect_one_line(title, &sb);
		strbuf_addstr(&sb, ": ");
	}
	strbuf_addf(&sb, "posts of %s%d %s %d", strcmp(period, "daily") ? "the week of " : "",
		    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
	return strbuf_detach(&sb, NULL);
}

static json_t *stamp(long long t)
{
	char buf[32];

	date_format(t, buf, sizeof(buf));
	return json_string(buf);
}

json_t *digest_webhook_body(const json_t *model, const struct digest_info *d,
			    const char *headline, long long now)
{
	json_t *posts = json_array(), *data = json_object(), *doc = json_object(), *ev;
	size_t i;

	json_array_foreach(json_object_get(model, "posts"), i, ev) {
		/* as webhook bodies carry events: without a list's flags */
		json_t *c = json_copy(ev);
		json_object_del(c, "first");
		json_object_del(c, "last");
		json_object_del(c, "tags_json");
		json_array_append_new(posts, c);
	}
	json_object_set_new(data, "period", json_string(d->period));
	json_object_set_new(data, "since", stamp(d->since));
	json_object_set_new(data, "until", stamp(d->until));
	json_object_set_new(data, "due", stamp(d->due));
	json_object_set_new(data, "headline", value_text(headline));
	json_object_set_new(data, "count", json_integer((json_int_t)json_array_size(posts)));
	json_object_set(data, "site", json_object_get(model, "site") ? json_object_get(model, "site") : json_null());
	json_object_set_new(data, "posts", posts);
	json_object_set_new(doc, "type", json_string("digest"));
	json_object_set_new(doc, "timestamp", stamp(now));
	json_object_set_new(doc, "data", data);
	return doc;
}

int digest_email_body(const struct render_source *src, const json_t *model,
		      const char *subject, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT, html = STRBUF_INIT, line = STRBUF_INIT;
	json_t *doc = NULL;
	char *s = NULL;
	int ret = 0;

	/* plain text for the text/plain part: digest.md's Markdown escapes would show */
	if (render_template(src, "email-digest.txt", model, &text) < 0 ||
	    render_template(src, "digest.html", model, &html) < 0) {
		ret = -1;
		goto out;
	}
	/* a header: one line, whatever the site's title held */
	dialect_one_line(subject, &line);
	doc = json_object();
	json_object_set_new(doc, "subject", value_textn(line.buf, line.len));
	json_object_set_new(doc, "text", value_textn(text.buf, text.len));
	json_object_set_new(doc, "html", value_textn(html.buf, html.len));
	s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s) {
		ret = error("cannot write the e-mail digest as JSON");
		goto out;
	}
	strbuf_addstr(out, s);
out:
	free(s);
	json_decref(doc);
	strbuf_release(&text);
	strbuf_release(&html);
	strbuf_release(&line);
	return ret;
}

static int is_type(const json_t *ev, const char *a, const char *b)
{
	const char *t = value_str(ev, "type");

	return t && (!strcmp(t, a) || (b && !strcmp(t, b)));
}

/*
 * The model of a digest: the posts new or undrafted in from..tip at
 * `d->until`, and those whose date lies in the window, each once.
 */
static json_t *digest_model(struct setup *st, git_commit *from, git_commit *tip,
			    const struct digest_info *d)
{
	struct changes_options co;
	struct event_list scan, due;
	json_t *dscan = NULL, *ddue = NULL, *doc = NULL, *events = json_array(),
	       *seen = json_object(), *ev, *model = NULL, *info;
	size_t i;

	event_list_init(&scan);
	event_list_init(&due);
	if (tip) {
		memset(&co, 0, sizeof(co));
		co.site = &st->site;
		co.now = d->until;
		if (changes_scan(st->repo, from, tip, &co, &scan) < 0 ||
		    schedule_due(st->repo, &st->site, tip, d->since, d->until, &due) < 0)
			goto out;
	}
	dscan = event_list_document(&scan);
	ddue = event_list_document(&due);
	json_array_foreach(json_object_get(dscan, "events"), i, ev)
		if (is_type(ev, "new", "undrafted") && value_str(ev, "path")) {
			json_array_append(events, ev);
			json_object_set_new(seen, value_str(ev, "path"), json_true());
		}
	json_array_foreach(json_object_get(ddue, "events"), i, ev)
		if (is_type(ev, "new", NULL) && value_str(ev, "path") &&
		    !json_object_get(seen, value_str(ev, "path"))) {
			json_array_append(events, ev);
			json_object_set_new(seen, value_str(ev, "path"), json_true());
		}
	doc = json_object();
	json_object_set(doc, "from", json_object_get(dscan, "from"));
	json_object_set(doc, "to", json_object_get(dscan, "to"));
	json_object_set_new(doc, "now", stamp(d->until));
	json_object_set(doc, "events", events);
	json_object_set_new(doc, "errors", json_array());
	model = model_build(doc, &st->site);
	info = json_object();
	json_object_set_new(info, "period", json_string(d->period));
	json_object_set_new(info, "since", stamp(d->since));
	json_object_set_new(info, "until", stamp(d->until));
	json_object_set_new(info, "due", stamp(d->due));
	json_object_set_new(model, "digest", info);
out:
	if (!model)
		error("the digest's posts cannot be read");
	event_list_release(&scan);
	event_list_release(&due);
	json_decref(dscan);
	json_decref(ddue);
	json_decref(doc);
	json_decref(events);
	json_decref(seen);
	return model;
}

struct tick {
	struct setup *st;
	struct outbox *ob;
	struct ledger *ledger;
	git_commit *tip;
	char tip_hex[GIT_OID_HEXSZ + 1]; /* "" when the branch does not exist yet */
	const char *repo_id;
	FILE *out;
	size_t *queued;
};

/* Builds the request of one digest into `e`: 0, or -1 after error(). */
static int build(struct tick *k, const struct target *t, const json_t *model,
		 const struct digest_info *d, const char *headline, const char *id,
		 struct outbox_entry *e)
{
	struct render_source src;
	long long sent = (long long)time(NULL);
	const json_t *site = json_object_get(model, "site");

	memset(&src, 0, sizeof(src));
	/* templates: the built-ins or the admin's folder, never the push */
	src.dir = t->template_dir;
	if (!strcmp(t->kind, "webhook")) {
		json_t *doc = digest_webhook_body(model, d, headline, sent);
		e->body = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		if (!e->body)
			return error("cannot write the digest as JSON");
		e->body_len = strlen(e->body);
		e->content_type = xstrdup("application/json");
		e->method = xstrdup("POST");
	} else if (!strcmp(t->kind, "email")) {
		struct strbuf sb = STRBUF_INIT;
		char *subject = digest_subject(d->period, value_str(site, "title"), d->due, d->zone);
		int rc = digest_email_body(&src, model, subject, &sb);
		free(subject);
		if (rc < 0) {
			strbuf_release(&sb);
			return -1;
		}
		e->body_len = sb.len;
		e->body = strbuf_detach(&sb, NULL);
		e->content_type = xstrdup("application/json");
		e->method = xstrdup("POST");
	} else {
		struct payload p;
		if (payload_build_digest(&src, t->kind, t->template, t->options, site,
					 json_object_get(model, "posts"), headline, id, sent, &p) < 0)
			return -1;
		e->body = p.body;
		e->body_len = p.len;
		e->content_type = xstrdup(p.content_type);
		e->method = xstrdup(p.method);
		e->url_suffix = p.url_suffix;
		p.body = NULL;
		p.url_suffix = NULL;
		payload_release(&p);
	}
	e->id = xstrdup(id);
	e->target = xstrdup(t->name);
	e->event = xstrdup("digest");
	e->title = xstrdup(headline);
	e->created = e->next_attempt = sent;
	(void)k;
	return 0;
}

static int one(struct tick *k, const struct target *t)
{
	struct digest_info d;
	struct outbox_entry e;
	struct strbuf id = STRBUF_INIT, key = STRBUF_INIT;
	git_commit *from = NULL;
	json_t *model = NULL;
	const char *start_id = NULL;
	char *name = printable(t->name), *headline = NULL, due_text[32], next_text[32];
	long long now = k->st->now, next;
	size_t n;
	int ret = 0;

	outbox_entry_init(&e);
	memset(&d, 0, sizeof(d));
	d.period = cadence_period(&t->digest);
	d.zone = t->timezone;
	d.until = now;
	if (!ledger_record(k->ledger, t->name, START, &start_id, &d.since)) {
		/* the first tick that sees it: the first digest starts here */
		if (ledger_add(k->ledger, t->name, "digest-start", START, k->tip_hex, now) < 0) {
			ret = -1;
			goto out;
		}
		date_format(cadence_next(&t->digest, d.zone, now), next_text, sizeof(next_text));
		fprintf(k->out, "herald: digest to %s: counting posts from now; the first is due at %s\n",
			name, next_text);
		goto out;
	}
	next = cadence_next(&t->digest, d.zone, d.since);
	if (next < 0 || next > now)
		goto out;
	/* however many periods were missed: one digest, for the last of them */
	d.due = cadence_last(&t->digest, d.zone, now);
	date_format(d.due, due_text, sizeof(due_text));
	strbuf_addf(&key, "%s/%s", START, due_text);
	if (ledger_has(k->ledger, t->name, key.buf))
		goto out;
	if (k->tip && start_id && *start_id) {
		git_oid oid;
		if (git_oid_fromstr(&oid, start_id) < 0 ||
		    git_commit_lookup(&from, k->st->repo->git, &oid) < 0) {
			warning("digest to '%s': commit %.12s, where the last digest ended, is gone; "
				"this one counts the posts whose date came since",
				name, start_id);
			if (git_commit_dup(&from, k->tip) < 0) {
				ret = repo_error("cannot read a commit");
				goto out;
			}
		}
	}
	if (!(model = digest_model(k->st, from, k->tip, &d))) {
		ret = -1;
		goto out;
	}
	n = json_array_size(json_object_get(model, "posts"));
	if (!n && !t->digest_empty) {
		/* nothing to say; the next digest starts here */
		if (ledger_add(k->ledger, t->name, "digest-empty", START, k->tip_hex, now) < 0)
			ret = -1;
		else
			fprintf(k->out, "herald: digest to %s: no new posts since the last one, none sent\n",
				name);
		goto out;
	}
	{
		const char *parts[4] = { k->repo_id, t->name, "digest", due_text };
		sign_message_id(parts, 4, &id);
	}
	if (outbox_has(k->ob, id.buf) != LOOKUP_MISSING)
		goto out; /* queued or dead already: the same digest */
	headline = digest_headline(d.period, value_str(json_object_get(model, "site"), "title"), n);
	if (build(k, t, model, &d, headline, id.buf, &e) < 0) {
		ret = error("target '%s': no digest sent, it cannot be built", name);
		goto out;
	}
	/* the entry, that it was sent for this period, and where the next starts: together */
	ledger_stage(k->ledger, t->name, "digest", key.buf, id.buf, now);
	ledger_stage(k->ledger, t->name, "digest", START, k->tip_hex, now);
	if (announce_commit(k->ob, k->ledger, &e, 1) < 0) {
		/*
		 * Undone on disk; lines still staged (a record that could not
		 * be written stops before the flush) must not ride along with
		 * the next target's: read the ledger afresh.
		 */
		ledger_close(k->ledger);
		k->ledger = ledger_open(outbox_dir(k->ob));
		ret = -1;
		goto out;
	}
	(*k->queued)++;
	{
		char *h = printable(headline);
		fprintf(k->out, "herald: digest to %s: \"%s\"\n", name, h);
		free(h);
	}
out:
	outbox_entry_release(&e);
	json_decref(model);
	git_commit_free(from);
	strbuf_release(&id);
	strbuf_release(&key);
	free(headline);
	free(name);
	return ret;
}

int digest_tick(struct setup *st, struct outbox *ob, const char *ref, FILE *out,
		size_t *queued)
{
	struct target *targets = NULL;
	struct tick k;
	git_oid tip_id;
	git_tree *tree = NULL;
	char *repo_id = NULL;
	size_t nr = 0, i;
	int ret = 0, any = 0;

	memset(&k, 0, sizeof(k));
	if (targets_load(st->repo, &targets, &nr) < 0)
		return -1;
	for (i = 0; i < nr; i++)
		any |= !targets[i].problem && targets[i].digest.on;
	if (!any)
		goto out;
	k.st = st;
	k.ob = ob;
	k.out = out;
	k.queued = queued;
	if (!(k.ledger = ledger_open(outbox_dir(ob)))) {
		ret = -1;
		goto out;
	}
	if (ref && !strncmp(ref, "refs/heads/", 11) &&
	    !git_reference_name_to_id(&tip_id, st->repo->git, ref)) {
		if (git_commit_lookup(&k.tip, st->repo->git, &tip_id) < 0 ||
		    git_commit_tree(&tree, k.tip) < 0) {
			ret = repo_error(ref);
			goto out;
		}
		if (setup_site(st, tree) < 0) {
			ret = -1;
			goto out;
		}
		git_oid_tostr(k.tip_hex, sizeof(k.tip_hex), &tip_id);
	}
	repo_id = announce_repo_id(st);
	k.repo_id = repo_id;
	for (i = 0; i < nr && k.ledger; i++)
		if (!targets[i].problem && targets[i].digest.on && one(&k, &targets[i]) < 0)
			ret = -1;
	if (!k.ledger)
		ret = -1;
out:
	free(repo_id);
	git_tree_free(tree);
	git_commit_free(k.tip);
	ledger_close(k.ledger);
	targets_free(targets, nr);
	return ret;
}
