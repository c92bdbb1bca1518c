#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/event.h"
#include "herald/follow.h"
#include "herald/kind.h"
#include "herald/ledger.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/sign.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

void follow_run_release(struct follow_run *fr)
{
	size_t i;

	for (i = 0; i < fr->nr_pending; i++)
		outbox_entry_release(&fr->pending[i]);
	free(fr->pending);
	fr->pending = NULL;
	fr->nr_pending = 0;
	fr->listed = 0;
}

__attribute__((format(printf, 3, 4)))
static void say(const struct follow_run *fr, const struct target *t, const char *fmt, ...)
{
	va_list ap;

	if (!fr->out)
		return;
	fprintf(fr->out, "%s: ", t->name);
	va_start(ap, fmt);
	vfprintf(fr->out, fmt, ap);
	va_end(ap);
	fputc('\n', fr->out);
}

/* Which action, if any, event `ev` asks of target `t`. */
static unsigned action_of(const struct target *t, const struct event *ev)
{
	switch (ev->type) {
	case EVENT_UPDATED:
	case EVENT_MOVED:
		return (t->follow & FOLLOW_EDIT) && ev->shown_changed ? FOLLOW_EDIT : 0;
	case EVENT_UNPUBLISHED:
	case EVENT_DELETED:
		return t->follow & FOLLOW_RETRACT;
	default:
		return 0;
	}
}

/*
 * The announcement as it would be made now, under delivery id `id`: the
 * event as the type it was announced as, without what only an update has.
 */
static int build_announcement(struct follow_run *fr, const struct target *t,
			      const json_t *model_ev, const char *type, const char *id,
			      struct payload *p)
{
	json_t *ev = json_deep_copy(model_ev), *one;
	int ret;

	if (!ev)
		return error("out of memory");
	json_object_set_new(ev, "type", json_string(type));
	json_object_del(ev, "from_path");
	json_object_del(ev, "changes");
	json_object_del(ev, "changed_fields");
	json_object_del(ev, "body_changed");
	one = json_pack("[o]", ev);
	fr->src->dir = t->template_dir;
	ret = payload_build(fr->src, t->kind, t->template, t->options, fr->site, one, id,
			    fr->now, p);
	json_decref(one);
	return ret;
}

/* Follow-ups of `path` to `t` still waiting: a newer one makes them moot. */
static int drop_followups(struct follow_run *fr, const struct target *t, const char *path)
{
	size_t i;

	if (!fr->listed) {
		if (outbox_list(fr->ob, 0, &fr->pending, &fr->nr_pending) < 0)
			return -1;
		fr->listed = 1;
	}
	for (i = 0; i < fr->nr_pending; i++) {
		struct outbox_entry *e = &fr->pending[i];
		if (!e->id || !e->post || strcmp(e->target, t->name) || strcmp(e->post, path) ||
		    !e->event || (strcmp(e->event, "post.edit") && strcmp(e->event, "post.retract")))
			continue;
		if (fr->dry_run) {
			say(fr, t, "would replace '%s', still waiting", e->id);
			continue;
		}
		if (outbox_drop(fr->ob, e->id) < 0)
			return -1;
		say(fr, t, "'%s' replaces '%s', still waiting", e->post, e->id);
		outbox_entry_release(e);
	}
	return 0;
}

/*
 * The announcement is still in the outbox (pending, or dead): an edit
 * rebuilds its body, a retraction drops it. `*done` says whether it was
 * there and took care of the event.
 */
static int change_queued(struct follow_run *fr, const struct target *t, const struct event *ev,
			 const json_t *model_ev, unsigned action,
			 const struct ledger_announcement *la, bool *done)
{
	struct outbox_entry e;
	struct payload p;
	int dead = 0, ret = 0;
	enum lookup found;

	*done = false;
	outbox_entry_init(&e);
	memset(&p, 0, sizeof(p));
	found = outbox_get(fr->ob, la->id, &e, &dead);
	if (found == LOOKUP_ERROR) {
		ret = -1;
		goto out;
	}
	if (found == LOOKUP_MISSING || strcmp(e.id, la->id))
		goto out; /* sent (or a prefix of another id: not ours) */
	*done = true;
	if (!e.post) {
		say(fr, t, "'%s' was announced in a batch, which is not %s", ev->path,
		    action == FOLLOW_EDIT ? "edited" : "retracted");
		goto out;
	}
	if (action == FOLLOW_RETRACT) {
		if (fr->dry_run) {
			say(fr, t, "would drop the announcement of '%s' from the outbox", ev->path);
			goto out;
		}
		if (outbox_drop(fr->ob, e.id) < 0) {
			ret = -1;
			goto out;
		}
		ledger_stage(fr->ledger, t->name, "retracted", e.post, e.id, fr->now);
		say(fr, t, "the announcement of '%s' was still %s: dropped", ev->path,
		    dead ? "in the outbox, failed" : "waiting in the outbox");
		goto out;
	}
	/* an edit (or a move) of an announcement not sent yet: sent as the post is now */
	if (dead) {
		if (action == FOLLOW_EDIT)
			say(fr, t, "the announcement of '%s' failed for good: not edited", ev->path);
		goto out;
	}
	if (action == FOLLOW_EDIT) {
		if (build_announcement(fr, t, model_ev, la->event, e.id, &p) < 0) {
			ret = error("target '%s': the announcement of '%s' cannot be rebuilt",
				    t->name, ev->path);
			goto out;
		}
		free(e.body);
		e.body = p.body;
		e.body_len = p.len;
		p.body = NULL;
		free(e.title);
		e.title = xstrdup(ev->title);
	}
	free(e.post);
	e.post = xstrdup(ev->path);
	if (fr->dry_run) {
		say(fr, t, "would change the announcement of '%s' in the outbox", ev->path);
		goto out;
	}
	if (outbox_put(fr->ob, &e) < 0) {
		ret = -1;
		goto out;
	}
	if (action == FOLLOW_EDIT)
		say(fr, t, "the announcement of '%s' was still waiting in the outbox: changed",
		    ev->path);
out:
	payload_release(&p);
	outbox_entry_release(&e);
	return ret;
}

/* The edit or retraction of message `la->remote`, as an entry to queue. */
static int make_followup(struct follow_run *fr, const struct target *t, const struct event *ev,
			 const json_t *model_ev, unsigned action,
			 const struct ledger_announcement *la, struct outbox_entry *out)
{
	const struct kind *k = kind_find(t->kind);
	const char *verb = action == FOLLOW_EDIT ? "edit" : "retract";
	const char *parts[5] = { fr->repo_id, t->name, verb, ev->path, fr->to };
	struct kind_follow f;
	struct payload p;
	struct strbuf id = STRBUF_INIT;
	int ret = 0;

	memset(&f, 0, sizeof(f));
	memset(&p, 0, sizeof(p));
	sign_message_id(parts, 5, &id);
	if (!k || !k->follow)
		goto out; /* target_load() refused this already */
	f.action = action;
	f.remote = la->remote;
	f.id = id.buf;
	f.target = t->options;
	if (action == FOLLOW_EDIT) {
		if (build_announcement(fr, t, model_ev, la->event, id.buf, &p) < 0 ||
		    !(f.body = json_loadb(p.body, p.len, 0, NULL))) {
			ret = error("target '%s': the edit of '%s' cannot be built", t->name,
				    ev->path);
			goto out;
		}
	}
	if (k->follow(&f) < 0) {
		ret = error("target '%s': the %s of '%s' cannot be built", t->name,
			    action == FOLLOW_EDIT ? "edit" : "retraction", ev->path);
		goto out;
	}
	if (drop_followups(fr, t, ev->path) < 0) {
		ret = -1;
		goto out;
	}
	out->id = strbuf_detach(&id, NULL);
	out->target = xstrdup(t->name);
	out->event = xstrfmt("post.%s", verb);
	out->post = xstrdup(ev->path);
	out->title = xstrdup(ev->title);
	out->body = f.out ? json_dumps(f.out, JSON_COMPACT) : xstrdup("");
	if (!out->body)
		die("out of memory");
	out->body_len = strlen(out->body);
	out->content_type = xstrdup(p.content_type ? p.content_type : "application/json");
	out->method = xstrdup(f.method);
	out->url_suffix = f.url_suffix;
	f.url_suffix = NULL;
	out->created = out->next_attempt = fr->now;
	if (action == FOLLOW_RETRACT && !fr->dry_run)
		ledger_stage(fr->ledger, t->name, "retracted", ev->path, out->id, fr->now);
out:
	strbuf_release(&id);
	json_decref(f.body);
	json_decref(f.out);
	free(f.url_suffix);
	payload_release(&p);
	return ret;
}

int follow_event(struct follow_run *fr, const struct target *t, const struct event *ev,
		 const json_t *model_ev, struct outbox_entry *out)
{
	struct ledger_announcement la;
	const char *was = ev->from_path ? ev->from_path : ev->path;
	unsigned action = action_of(t, ev);
	bool done = false;

	if (!t->follow || (!action && ev->type != EVENT_MOVED))
		return 0;
	if (!ledger_announcement(fr->ledger, t->name, was, &la))
		return 0; /* never announced there */
	if (!la.id) {
		if (action)
			say(fr, t, "the ledger line of '%s' was cut short: its announcement is "
				   "left as it is", was);
		return 0;
	}
	if (ev->type == EVENT_MOVED && !fr->dry_run) {
		/* the announcement goes with the post, under its new path */
		ledger_stage(fr->ledger, t->name, la.event, ev->path, la.id, fr->now);
		if (la.remote)
			ledger_stage(fr->ledger, t->name, "remote", ev->path, la.remote, fr->now);
	}
	if (change_queued(fr, t, ev, model_ev, action, &la, &done) < 0)
		return -1;
	if (done || !action)
		return 0;
	if (!la.remote) {
		say(fr, t, "'%s' was announced before herald kept message ids (or no id came "
			   "back): its announcement is not %s", was,
		    action == FOLLOW_EDIT ? "edited" : "retracted");
		return 0;
	}
	return make_followup(fr, t, ev, model_ev, action, &la, out);
}
