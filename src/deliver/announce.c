#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herald/announce.h"
#include "herald/follow.h"
#include "herald/baseline.h"
#include "herald/changes.h"
#include "herald/event.h"
#include "herald/deliver.h"
#include "herald/fileio.h"
#include "herald/ledger.h"
#include "herald/model.h"
#include "herald/outbox.h"
#include "herald/perftrace.h"
#include "herald/payload.h"
#include "herald/range.h"
#include "herald/repo.h"
#include "herald/bluesky.h"
#include "herald/render.h"
#include "herald/setup.h"
#include "herald/sign.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

char *announce_repo_id(struct setup *st)
{
	char *id = repo_config_string(st->repo, "herald.id");
	char real[PATH_MAX];

	if (id)
		return id;
	if (realpath(st->repo->gitdir, real))
		return xstrdup(real);
	return xstrdup(st->repo->gitdir);
}

/* Is this an event the ledger keeps: a post announced as new or undrafted? */
static bool ledgered(enum event_type t)
{
	return t == EVENT_NEW || t == EVENT_UNDRAFTED;
}

static void delivery_id(const char *repo_id, const struct target *t,
			const struct event *ev, const char *to, struct strbuf *out)
{
	const char *parts[5] = { repo_id, t->name, event_type_name(ev->type), ev->path, NULL };
	size_t n = 4;

	/* a new post has one announcement ever; an update, one per push */
	if (!ledgered(ev->type))
		parts[n++] = to;
	sign_message_id(parts, n, out);
}

static void print_request(FILE *out, const struct target *t,
			  const struct outbox_entry *e)
{
	char *where = target_redact(t->url);
	struct strbuf body = STRBUF_INIT;

	/* JSON leaves C1 controls and bidi overrides raw; a pusher's terminal reads this */
	strbuf_add_printable(&body, e->body, e->body_len);
	fprintf(out, "%s %s%s  (target %s, %s, id %s)\n%s\n\n",
		e->method, where, e->url_suffix ? " …" : "", t->name, t->kind,
		e->id, body.buf);
	strbuf_release(&body);
	free(where);
}

struct run {
	struct setup *st;
	const struct announce_options *o;
	struct announce_stats *stats;
	struct outbox *ob;
	struct ledger *ledger;
	struct render_source src;
	json_t *site;
	git_tree *tree; /* the revision the events belong to */
	const char *repo_id;
	const char *to;
	long long now;
	struct outbox_entry *entries; /* built, not yet written */
	size_t nr, alloc;
	json_t *ids; /* the entries' ids, as keys: one lookup each, not a scan */
	struct follow_run follow;
};

/* Whether an entry of this id is already built in this run. */
static int kept(const struct run *r, const char *id)
{
	return json_object_get(r->ids, id) != NULL;
}

/* Takes `e` into the run's entries (leaving `e` empty) and notes its id. */
static void keep(struct run *r, struct outbox_entry *e)
{
	if (json_object_set_new_nocheck(r->ids, e->id, json_null()) < 0)
		die("out of memory");
	ALLOC_GROW(r->entries, r->nr + 1, r->alloc);
	r->entries[r->nr++] = *e;
	outbox_entry_init(e);
}

/*
 * Builds and queues one delivery of the events `evs` (one, or a batch) to
 * `t`; `events` holds their model objects, in the same order.
 */
static int queue(struct run *r, struct target *t, const struct event *const *evs,
		 json_t *events, const char *id)
{
	struct payload p;
	struct outbox_entry e;
	const struct event *first = evs[0];
	size_t n = json_array_size(events), i;
	int ret = 0;

	if (kept(r, id))
		return 0; /* the same delivery twice in one run */
	memset(&p, 0, sizeof(p));
	outbox_entry_init(&e);
	/*
	 * A payload that cannot be built (the admin's template is broken or
	 * breaks the platform's rules) is that target's failure, reported and
	 * counted; the other targets and the next push go on.
	 */
	r->src.dir = t->template_dir;
	if (payload_build(&r->src, t->kind, t->template, t->options, r->site,
			  events, id, r->now, &p) < 0) {
		error("target '%s': not announced, its payload cannot be built", t->name);
		r->stats->failed++;
		return 0;
	}
	/* the card's thumbnail from the push, kept in the entry (a dry run shows none) */
	if (n == 1 && !r->o->dry_run && !strcmp(t->kind, "bluesky"))
		bluesky_thumb_attach(r->tree, &r->st->site, json_array_get(events, 0), &p.body,
				     &p.len);
	e.id = xstrdup(id);
	e.target = xstrdup(t->name);
	e.event = n > 1 ? xstrdup("posts.batch") : xstrfmt("post.%s", event_type_name(first->type));
	e.post = n > 1 ? NULL : xstrdup(first->path);
	e.title = n > 1 ? xstrfmt("%zu posts", n) : xstrdup(first->title);
	e.body = p.body;
	e.body_len = p.len;
	p.body = NULL;
	e.content_type = xstrdup(p.content_type);
	e.method = xstrdup(p.method);
	e.url_suffix = p.url_suffix;
	p.url_suffix = NULL;
	e.created = e.next_attempt = r->now;
	if (r->o->dry_run) {
		print_request(r->o->out, t, &e);
		r->stats->queued++;
		goto out;
	}
	/* Written with its ledger lines in one transaction by commit(). */
	for (i = 0; i < n; i++)
		if (ledgered(evs[i]->type))
			ledger_stage(r->ledger, t->name, event_type_name(evs[i]->type), evs[i]->path,
				     id, r->now);
	keep(r, &e);
out:
	outbox_entry_release(&e);
	payload_release(&p);
	return ret;
}

/* An edit or a retraction of what announced `ev` to `t`, queued like any delivery. */
static int follow(struct run *r, struct target *t, const struct event *ev, const json_t *obj)
{
	struct outbox_entry e;
	int ret = 0;

	outbox_entry_init(&e);
	if (follow_event(&r->follow, t, ev, obj, &e) < 0) {
		ret = -1;
		goto out;
	}
	if (!e.id)
		goto out;
	if (kept(r, e.id))
		goto out; /* the same follow-up twice in one run */
	if (!r->o->force && !r->o->dry_run && outbox_has(r->ob, e.id) != LOOKUP_MISSING) {
		r->stats->skipped++;
		goto out;
	}
	if (r->o->dry_run) {
		print_request(r->o->out, t, &e);
		r->stats->queued++;
		goto out;
	}
	keep(r, &e);
out:
	outbox_entry_release(&e);
	return ret;
}

/* `model` holds the model object of each event of `list`, in its order. */
static int announce_target(struct run *r, struct target *t, const struct event_list *list,
			   json_t *model)
{
	const struct event **evs = xcalloc(list->nr + 1, sizeof(*evs));
	json_t *chosen = json_array();
	struct strbuf id = STRBUF_INIT;
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < list->nr; i++) {
		const struct event *ev = &list->v[i];
		if (t->follow && follow(r, t, ev, json_array_get(model, i)) < 0)
			r->stats->failed++;
		if (!target_wants(t, ev->type))
			continue;
		if (!r->o->force && ledgered(ev->type) && ledger_has(r->ledger, t->name, ev->path)) {
			r->stats->skipped++;
			continue;
		}
		evs[n++] = ev;
		json_array_append(chosen, json_array_get(model, i));
	}
	if (!n)
		goto out;
	if ((t->batch || (r->o->max_per_target && n > r->o->max_per_target)) && n > 1) {
		const char *parts[4] = { r->repo_id, t->name, "batch", r->to };
		sign_message_id(parts, 4, &id);
		if (!r->o->force && !r->o->dry_run && outbox_has(r->ob, id.buf) != LOOKUP_MISSING)
			r->stats->skipped++;
		else
			ret = queue(r, t, evs, chosen, id.buf);
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *one = json_pack("[O]", json_array_get(chosen, i));
		strbuf_reset(&id);
		delivery_id(r->repo_id, t, evs[i], r->to, &id);
		if (!r->o->force && !r->o->dry_run && outbox_has(r->ob, id.buf) != LOOKUP_MISSING)
			r->stats->skipped++; /* queued or dead already: the same delivery */
		else if (queue(r, t, &evs[i], one, id.buf) < 0)
			ret = -1;
		json_decref(one);
		if (ret < 0)
			break;
	}
out:
	strbuf_release(&id);
	json_decref(chosen);
	free(evs);
	return ret;
}

/* --- the transaction: entries, ledger lines and the baseline together --- */

#define TXN_FILE "txn"
#define TXN_CAP (64u << 20)

static char *txn_path(struct outbox *ob)
{
	return xstrfmt("%s/" TXN_FILE, outbox_dir(ob));
}

static int txn_remove(struct outbox *ob)
{
	char *path = txn_path(ob);
	int ret = 0;

	if (fileio_fault("txn") < 0 || (unlink(path) < 0 && errno != ENOENT))
		ret = error("cannot remove '%s': %s", path, strerror(errno));
	else
		ret = fileio_fsync_dir(outbox_dir(ob));
	free(path);
	return ret;
}

/*
 * Undoes an uncommitted transaction: its entries go, the ledger is cut back
 * to its size before, then the record goes. Nothing of it was sent: only
 * deliver_due() sends, and every caller recovers before delivering.
 */
static int txn_undo(struct outbox *ob, struct ledger *l, const struct strvec *ids,
		    long long size)
{
	if (outbox_unlink_batch(ob, ids) < 0)
		return -1;
	if (ledger_size(l) > size && ledger_truncate(l, size) < 0)
		return -1;
	return txn_remove(ob);
}

/* Is the baseline `ref` (refs/herald/heads/...) at `to` (hex)? 0 with *is, or -1 after error(). */
static int ref_is(struct repo *r, const char *ref, const char *to, bool *is)
{
	struct baseline b;
	char *branch = baseline_branch(ref);
	git_oid cur, want;
	int ret;

	baseline_init(&b, r, 0);
	if (git_oid_fromstr(&want, to) < 0)
		ret = error("'%s': not an object id", to);
	else if (!branch)
		ret = error("'%s': not a baseline", ref);
	else if ((ret = baseline_read(&b, branch, &cur)) != LOOKUP_ERROR)
		*is = ret == LOOKUP_FOUND && git_oid_equal(&cur, &want);
	ret = ret < 0 ? -1 : 0;
	free(branch);
	return ret;
}

bool announce_tell_outcome(struct outbox *ob, const struct outbox_entry *queued, bool escape,
			   FILE *out)
{
	const char *shown = queued->title && *queued->title ? queued->title : queued->event;
	char *title = escape ? printable(shown) : xstrdup(shown ? shown : "");
	char *why = NULL;
	struct outbox_entry e;
	enum lookup rc;
	int dead = 0;

	outbox_entry_init(&e);
	rc = outbox_get(ob, queued->id, &e, &dead);
	if (rc == LOOKUP_MISSING) {
		/* a follow-up changed what was announced */
		const char *done = !queued->event ? "announced" :
				   !strcmp(queued->event, "post.edit") ? "edited the announcement of" :
				   !strcmp(queued->event, "post.retract") ? "retracted the announcement of" :
				   "announced";
		fprintf(out, "herald: %s \"%s\" to %s\n", done, title, queued->target);
	} else if (rc == LOOKUP_FOUND && dead) {
		shown = e.last_error ? e.last_error : "failed";
		why = escape ? printable(shown) : xstrdup(shown);
		fprintf(out, "herald: \"%s\" could not be delivered to %s (%s); see 'herald outbox'\n",
			title, queued->target, why);
	}
	outbox_entry_release(&e);
	free(title);
	free(why);
	return rc == LOOKUP_FOUND && !dead;
}

int announce_options_push(struct announce_options *o, struct repo *r, struct outbox *ob,
			  int dry_run, FILE *out)
{
	long max;

	memset(o, 0, sizeof(*o));
	o->dry_run = dry_run;
	o->no_deliver = 1;
	o->ob = ob;
	o->out = out;
	/* as many single messages as a person reads, then a summary */
	if (repo_config_count(r, "herald.maxAnnounce", 10, &max) < 0)
		return -1;
	o->max_per_target = (size_t)max;
	return 0;
}

int announce_recover(struct repo *r, struct outbox *ob)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec ids = STRVEC_INIT;
	struct ledger *l = NULL;
	json_t *doc = NULL, *v;
	json_error_t jerr;
	char *path = txn_path(ob);
	const char *ref, *to;
	size_t i;
	bool done = false;
	int ret = 0;

	if (fileio_read_own(&sb, path, TXN_CAP) < 0) {
		if (errno != ENOENT)
			ret = error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	doc = json_loadb(sb.buf, sb.len, 0, &jerr);
	if (!json_is_object(doc) || !json_is_integer(json_object_get(doc, "ledger_size")) ||
	    !json_is_array(json_object_get(doc, "ids"))) {
		ret = error("'%s' is not a herald transaction record; move it away to go on", path);
		goto out;
	}
	json_array_foreach(json_object_get(doc, "ids"), i, v)
		if (json_is_string(v))
			strvec_push(&ids, json_string_value(v));
	ref = json_string_value(json_object_get(doc, "ref"));
	to = json_string_value(json_object_get(doc, "to"));
	/* the baseline move is the commit point; without one, nothing committed */
	if (ref && to && ref_is(r, ref, to, &done) < 0) {
		ret = -1;
		goto out;
	}
	if (done) {
		ret = txn_remove(ob);
		if (!ret)
			warning("completed an interrupted announcement (%zu deliver%s)", ids.nr,
				ids.nr == 1 ? "y" : "ies");
		goto out;
	}
	if (!(l = ledger_open(outbox_dir(ob)))) {
		ret = -1;
		goto out;
	}
	ret = txn_undo(ob, l, &ids, (long long)json_integer_value(json_object_get(doc, "ledger_size")));
	if (!ret)
		warning("rolled back an interrupted announcement (%zu deliver%s); "
			"the next push or 'herald tick' announces it again", ids.nr,
			ids.nr == 1 ? "y" : "ies");
out:
	ledger_close(l);
	json_decref(doc);
	strvec_clear(&ids);
	strbuf_release(&sb);
	free(path);
	return ret;
}

/*
 * Writes what the run built — outbox entries, ledger lines — and moves the
 * baseline, as one transaction: a record of it (herald/txn: the ledger's
 * size before, the entry ids, the baseline and where it goes) is written
 * first and removed last, so a failure or a crash anywhere in between is
 * undone (by this run, or by announce_recover() in the next) unless the
 * baseline already moved, which commits it.
 */
static int txn_commit(struct outbox *ob, struct ledger *l, const struct outbox_entry *entries,
		      size_t nr, const struct announce_options *o, const char *to)
{
	struct strvec ids = STRVEC_INIT;
	json_t *rec = NULL, *jids = json_array();
	char *text = NULL, *path = NULL;
	/* the record names the ref itself, as records written before did */
	const struct baseline *base = o ? o->baseline : NULL;
	char *bref = base ? baseline_ref(o->baseline_branch) : NULL;
	long long size = ledger_size(l);
	size_t i, written = 0;
	/* lines without entries too: a retraction that dropped a queued announcement */
	bool lines = ledger_staged(l);
	int ret = 0;

	if (!nr && !lines && !base)
		goto out;
	for (i = 0; i < nr; i++) {
		strvec_push(&ids, entries[i].id);
		json_array_append_new(jids, json_string(entries[i].id));
	}
	if (nr || lines) {
		rec = json_pack("{s:i, s:I, s:O, s:s?, s:s?}", "version", 1, "ledger_size",
				(json_int_t)size, "ids", jids, "ref", bref,
				"to", bref ? to : NULL);
		text = rec ? json_dumps(rec, JSON_SORT_KEYS) : NULL;
		path = txn_path(ob);
		if (!text) {
			ret = error("cannot record the announcement: out of memory");
			goto out;
		}
		if (fileio_fault("txn") < 0) {
			ret = error("cannot write '%s': %s", path, strerror(errno));
			goto out;
		}
		if (fileio_write_atomic(path, text, strlen(text), 0600) < 0) {
			ret = -1;
			goto out;
		}
		if (outbox_put_batch(ob, entries, nr, &written) < 0 ||
		    ledger_flush(l) < 0)
			goto undo;
	}
	if (base &&
	    baseline_move(base, o->baseline_branch, o->baseline_from, o->baseline_to,
			  o->baseline_from ? "herald: processed push" : "herald: baseline") < 0)
		goto undo;
	if ((nr || lines) && txn_remove(ob) < 0) {
		/*
		 * With a baseline it moved: committed, and the record goes at
		 * the next recovery. Without one the next recovery undoes it.
		 */
		if (!base) {
			ret = -1;
			goto out;
		}
	}
	goto out;
undo:
	ret = -1;
	if ((nr || lines) && txn_undo(ob, l, &ids, size) < 0)
		error("the announcement is left to be undone by the next herald run");
out:
	free(bref);
	free(path);
	free(text);
	json_decref(rec);
	json_decref(jids);
	strvec_clear(&ids);
	return ret;
}

int announce_commit(struct outbox *ob, struct ledger *l, const struct outbox_entry *v,
		    size_t nr)
{
	return txn_commit(ob, l, v, nr, NULL, NULL);
}

static int commit(struct run *r)
{
	size_t i;

	if (txn_commit(r->ob, r->ledger, r->entries, r->nr, r->o, r->to) < 0)
		return -1;
	r->stats->queued += r->nr;
	for (i = 0; r->o->queued_ids && i < r->nr; i++)
		strvec_push(r->o->queued_ids, r->entries[i].id);
	return 0;
}

int announce_events(struct setup *st, git_tree *tree, const struct event_list *events,
		    const char *to, const struct announce_options *o,
		    struct announce_stats *stats)
{
	struct target *targets = NULL;
	size_t nr = 0, i;
	json_t *model = NULL;
	char *repo_id = NULL;
	struct outbox *own = NULL;
	struct run r;
	int ret = 0;

	memset(stats, 0, sizeof(*stats));
	memset(&r, 0, sizeof(r));
	r.st = st;
	r.o = o;
	r.stats = stats;
	r.now = (long long)time(NULL);
	if (targets_load(st->repo, &targets, &nr) < 0)
		return -1;
	r.ids = json_object();
	for (i = 0; i < nr; i++)
		if (targets[i].problem)
			warning("target '%s' is skipped: %s", targets[i].name, targets[i].problem);
	model = model_events(events, &st->site);
	stats->events = events->nr;
	repo_id = announce_repo_id(st);
	r.repo_id = repo_id;
	r.to = to;
	r.site = json_object_get(model, "site");
	/* payload templates: the built-ins, or the admin's folder; never the push */
	r.tree = tree;
	r.ob = o->ob;
	if (!r.ob) {
		/* the lock first: the ledger is read under it */
		r.ob = own = outbox_open(st->repo->gitdir);
		if (!r.ob || outbox_lock(r.ob) < 0) {
			ret = -1;
			goto out;
		}
	}
	if (!o->dry_run && announce_recover(st->repo, r.ob) < 0) {
		ret = -1;
		goto out;
	}
	if (!(r.ledger = ledger_open(outbox_dir(r.ob)))) {
		ret = -1;
		goto out;
	}
	r.follow.ob = r.ob;
	r.follow.ledger = r.ledger;
	r.follow.src = &r.src;
	r.follow.site = r.site;
	r.follow.repo_id = repo_id;
	r.follow.to = to;
	r.follow.now = r.now;
	r.follow.dry_run = o->dry_run;
	r.follow.out = o->out;
	for (i = 0; i < nr && !ret; i++)
		if (!targets[i].problem)
			ret = announce_target(&r, &targets[i], events,
					      json_object_get(model, "events"));
	if (!ret && !o->dry_run)
		ret = commit(&r);
	perftrace_mark("enqueue");
	if (!ret && !o->dry_run && !o->no_deliver) {
		struct deliver_options dopt;
		struct deliver_stats ds;
		memset(&dopt, 0, sizeof(dopt));
		dopt.max_time = o->max_time;
		dopt.log = o->out;
		ret = deliver_due(r.ob, targets, nr, &dopt, &ds);
		stats->delivered = ds.delivered;
		stats->retrying = ds.retrying;
		stats->dead = ds.dead;
		stats->left = ds.left;
		perftrace_mark("request");
	}
out:
	for (i = 0; i < r.nr; i++)
		outbox_entry_release(&r.entries[i]);
	free(r.entries);
	json_decref(r.ids);
	follow_run_release(&r.follow);
	ledger_close(r.ledger);
	outbox_close(own);
	free(repo_id);
	json_decref(model);
	targets_free(targets, nr);
	return ret;
}

int announce_range(struct setup *st, struct range *rg,
		   const struct announce_options *o, struct announce_stats *stats)
{
	struct changes_options co;
	git_tree *tree = NULL;
	struct event_list events;
	char to[GIT_OID_HEXSZ + 1];
	int ret;

	perftrace_mark("setup");
	memset(stats, 0, sizeof(*stats));
	memset(&co, 0, sizeof(co));
	co.site = &st->site;
	co.now = st->now;
	co.drafts = 1;
	co.shown = 1; /* for targets that follow their posts */
	if (git_commit_tree(&tree, rg->to) < 0)
		return repo_error("cannot read the tree");
	if (changes_scan(st->repo, rg->from, rg->to, &co, &events) < 0) {
		git_tree_free(tree);
		return -1;
	}
	perftrace_mark("scan");
	git_oid_tostr(to, sizeof(to), git_commit_id(rg->to));
	ret = announce_events(st, tree, &events, to, o, stats);
	event_list_release(&events);
	git_tree_free(tree);
	return ret;
}

int announce_prepare(struct setup *st, const char *ref, git_commit *tip, git_tree **tree,
		     struct outbox *ob, FILE *out, struct announce_options *o)
{
	if (git_commit_tree(tree, tip) < 0)
		return repo_error(ref);
	if (setup_site(st, *tree) < 0 || announce_options_push(o, st->repo, ob, 0, out) < 0)
		return -1;
	return 0;
}
