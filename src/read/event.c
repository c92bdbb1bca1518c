#include <stdlib.h>
#include <string.h>

#include "herald/date.h"
#include "herald/event.h"
#include "herald/post.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

static const char *const type_names[] = {
	[EVENT_NEW] = "new",
	[EVENT_UNDRAFTED] = "undrafted",
	[EVENT_MOVED] = "moved",
	[EVENT_UPDATED] = "updated",
	[EVENT_UNPUBLISHED] = "unpublished",
	[EVENT_DELETED] = "deleted",
	[EVENT_SCHEDULED] = "scheduled",
	[EVENT_DRAFT] = "draft",
	[EVENT_NONE] = "none",
};

const char *event_type_name(enum event_type t)
{
	if ((unsigned)t >= ARRAY_SIZE(type_names))
		BUG("event type %d", (int)t);
	return type_names[t];
}

int event_type_parse(const char *name)
{
	int i;

	for (i = 0; name && i < EVENT_TYPES; i++)
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

void event_list_init(struct event_list *l)
{
	memset(l, 0, sizeof(*l));
	l->with_commits = true;
}

static void event_release(struct event *e)
{
	free(e->path); /* every string of the event: see event_list_add() */
	json_decref(e->changes);
}

void event_list_release(struct event_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		event_release(&l->v[i]);
	free(l->v);
	for (i = 0; i < l->nr_errors; i++) {
		free(l->errors[i].path);
		free(l->errors[i].message);
	}
	free(l->errors);
	for (i = 0; i < l->nr_commits; i++)
		free(l->commits[i]);
	free(l->commits);
	event_list_init(l);
}

static char *clean_or_empty(const char *s)
{
	return value_clean(s ? s : "");
}

struct event *event_list_add(struct event_list *l, enum event_type t, const struct post *p,
			     const char *path, const char *from_path, enum post_state state)
{
	/* in the order they are laid out; NULL ones take no room */
	enum { PATH, FROM_PATH, TITLE, SLUG, SUMMARY, SUMMARY_MD, URL, TAGS, FRONT_MATTER, NR };
	char *s[NR], *at;
	char **field[NR];
	struct strbuf sb = STRBUF_INIT;
	size_t len[NR], total = 0;
	struct event *e;
	int i;

	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	e = &l->v[l->nr++];
	memset(e, 0, sizeof(*e));
	e->type = t;
	e->state = state;
	e->date = p->date >= 0 ? p->date : -1;

	s[PATH] = clean_or_empty(path); /* never NULL: the allocation starts here */
	s[FROM_PATH] = value_clean(from_path);
	s[TITLE] = clean_or_empty(p->title);
	s[SLUG] = clean_or_empty(p->slug);
	s[SUMMARY] = clean_or_empty(p->summary);
	/* most summaries are plain text, the same in both forms: kept once */
	s[SUMMARY_MD] = strcmp(p->summary ? p->summary : "", p->summary_md ? p->summary_md : "") ?
				clean_or_empty(p->summary_md) : NULL;
	s[URL] = value_clean(p->url);
	/* sorted: every output shows front matter keys in that order */
	if (!p->tags)
		strbuf_addstr(&sb, "[]");
	else if (value_compact(&sb, p->tags) < 0)
		die("cannot keep the tags of '%s'", s[PATH]);
	s[TAGS] = strbuf_detach(&sb, NULL);
	if (p->fm.data && value_compact(&sb, p->fm.data) < 0)
		die("cannot keep the front matter of '%s'", s[PATH]);
	s[FRONT_MATTER] = p->fm.data ? strbuf_detach(&sb, NULL) : NULL;

	/*
	 * One allocation for all of them: `scan --all` keeps every post's
	 * event at once, and on a 10,000-post blog the allocator's overhead
	 * of nine small blocks each was megabytes of its peak.
	 */
	field[PATH] = &e->path;
	field[FROM_PATH] = &e->from_path;
	field[TITLE] = &e->title;
	field[SLUG] = &e->slug;
	field[SUMMARY] = &e->summary;
	field[SUMMARY_MD] = &e->summary_md;
	field[URL] = &e->url;
	field[TAGS] = &e->tags;
	field[FRONT_MATTER] = &e->front_matter;
	for (i = 0; i < NR; i++) {
		len[i] = s[i] ? strlen(s[i]) + 1 : 0;
		total += len[i];
	}
	at = xmalloc(total);
	for (i = 0; i < NR; i++) {
		*field[i] = s[i] ? memcpy(at, s[i], len[i]) : NULL;
		at += len[i];
		free(s[i]);
	}
	if (!e->summary_md)
		e->summary_md = e->summary;
	return e;
}

void event_list_add_error(struct event_list *l, const struct post *p)
{
	struct event_error *e;

	ALLOC_GROW(l->errors, l->nr_errors + 1, l->alloc_errors);
	e = &l->errors[l->nr_errors++];
	e->path = value_clean(p->path);
	e->message = clean_or_empty(p->error);
	e->line = p->error_line;
	e->column = p->error_column;
}

const struct event_commit *event_list_commit(struct event_list *l, const git_commit *c)
{
	const git_signature *a = git_commit_author(c);
	const char *summary = git_commit_summary((git_commit *)c);
	struct event_commit *ec;
	char hex[GIT_OID_HEXSZ + 1];
	char *author, *email, *subject;
	size_t na, ne, ns;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
	/* events of one commit come together: the last few are enough */
	if (l->nr_commits && !strcmp(l->commits[l->nr_commits - 1]->id, hex))
		return l->commits[l->nr_commits - 1];
	author = clean_or_empty(a->name);
	email = clean_or_empty(a->email);
	subject = clean_or_empty(summary);
	na = strlen(author) + 1;
	ne = strlen(email) + 1;
	ns = strlen(subject) + 1;
	/* one allocation: `scan --all` keeps a commit for nearly every post */
	ec = xcalloc(1, sizeof(*ec) + na + ne + ns);
	memcpy(ec->id, hex, sizeof(hex));
	ec->author = memcpy((char *)(ec + 1), author, na);
	ec->email = memcpy(ec->author + na, email, ne);
	ec->subject = memcpy(ec->email + ne, subject, ns);
	ec->date = (long long)a->when.time;
	free(author);
	free(email);
	free(subject);
	ALLOC_GROW(l->commits, l->nr_commits + 1, l->alloc_commits);
	l->commits[l->nr_commits++] = ec;
	return ec;
}

/* ---- JSON, where events leave the program ---- */

json_t *event_commit_json(const struct event_commit *c)
{
	char date[32];

	date_format(c->date, date, sizeof(date));
	return json_pack("{s:s, s:s%, s:s, s:s, s:s, s:s}",
			 "id", c->id, "short", c->id, (size_t)7,
			 "author", c->author,
			 "email", c->email,
			 "date", date,
			 "subject", c->subject);
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A value kept as text, read back; json_dumps() wrote it, so only memory can fail. */
static json_t *json_text(const struct event *e, const char *text)
{
	json_t *v = json_loads(text, JSON_ALLOW_NUL, NULL);

	if (!v)
		die("out of memory reading the front matter of '%s'", e->path);
	return v;
}

json_t *event_front_matter_json(const struct event *e)
{
	if (!e->front_matter)
		return json_null();
	return json_text(e, e->front_matter);
}

json_t *event_to_json(const struct event *e, bool with_commit)
{
	json_t *o = json_object();
	char date[32];

	/*
	 * Keys in sorted order, then the commit: bodies printed without
	 * JSON_SORT_KEYS (webhooks) have always shown them so.
	 */
	if (e->changes) {
		json_object_set_new(o, "body_changed", json_boolean(e->body_changed));
		json_object_set(o, "changes", e->changes);
	}
	if (e->date >= 0) {
		date_format(e->date, date, sizeof(date));
		json_object_set_new(o, "date", json_string(date));
	} else {
		json_object_set_new(o, "date", json_null());
	}
	json_object_set_new(o, "from_path", string_or_null(e->from_path));
	json_object_set_new(o, "front_matter", event_front_matter_json(e));
	json_object_set_new(o, "path", json_string(e->path));
	json_object_set_new(o, "slug", json_string(e->slug));
	json_object_set_new(o, "state", json_string(post_state_name(e->state)));
	json_object_set_new(o, "summary", json_string(e->summary));
	json_object_set_new(o, "summary_markdown", json_string(e->summary_md));
	json_object_set_new(o, "tags", json_text(e, e->tags));
	json_object_set_new(o, "title", json_string(e->title));
	json_object_set_new(o, "type", json_string(event_type_name(e->type)));
	json_object_set_new(o, "url", string_or_null(e->url));
	if (with_commit)
		json_object_set_new(o, "commit",
				    e->commit ? event_commit_json(e->commit) : json_null());
	return o;
}

static json_t *error_json(const struct event_error *e)
{
	return json_pack("{s:s, s:o, s:o, s:s}",
		"path", e->path,
		"line", e->line ? json_integer(e->line) : json_null(),
		"column", e->column ? json_integer(e->column) : json_null(),
		"message", e->message);
}

/* The document without its events: {"errors","from","now","to"}. */
static json_t *skeleton(const struct event_list *l)
{
	json_t *errors = json_array();
	char now[32];
	size_t i;

	for (i = 0; i < l->nr_errors; i++)
		json_array_append_new(errors, error_json(&l->errors[i]));
	date_format(l->now, now, sizeof(now));
	return json_pack("{s:o, s:s, s:s, s:o}",
			 "from", *l->from ? json_string(l->from) : json_null(),
			 "to", l->to,
			 "now", now,
			 "errors", errors);
}

json_t *event_list_document(const struct event_list *l)
{
	json_t *doc = skeleton(l), *events = json_array();
	size_t i;

	for (i = 0; i < l->nr; i++)
		json_array_append_new(events, event_to_json(&l->v[i], l->with_commits));
	json_object_set_new(doc, "events", events);
	return doc;
}

/* Writes `v` indented by 2 per level, starting at `depth` levels in. */
static int write_indented(FILE *f, const json_t *v, int depth)
{
	char *s = json_dumps(v, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENCODE_ANY);
	const char *p, *nl;

	if (!s)
		return -1;
	/* a line at a time: a character at a time was a tenth of a big scan */
	for (p = s; (nl = strchr(p, '\n')); p = nl + 1) {
		fwrite(p, 1, (size_t)(nl - p + 1), f);
		fprintf(f, "%*s", depth * 2, "");
	}
	fputs(p, f);
	free(s);
	return 0;
}

/*
 * The rest of this file prints events without making JSON values of them:
 * `scan --json` of a big commit spent a sixth of its time reading each
 * event's front matter back from its text only to print it again. What it
 * prints is what json_dumps(JSON_SORT_KEYS | JSON_INDENT(2)) prints of
 * event_to_json(): test-events compares the two.
 */

static void add_indent(struct strbuf *sb, int depth)
{
	/* a line break and up to 31 levels at once */
	static const char lines[] = "\n                               "
				    "                               ";

	if ((size_t)depth * 2 < sizeof(lines) - 1) {
		strbuf_add(sb, lines, 1 + (size_t)depth * 2);
		return;
	}
	strbuf_addch(sb, '\n');
	strbuf_addchars(sb, ' ', (size_t)depth * 2);
}

/* A string as jansson prints it: `s` is valid UTF-8 (an event's strings are). */
static void add_string(struct strbuf *sb, const char *s)
{
	value_json_string(sb, s, strlen(s));
}

static void add_string_or_null(struct strbuf *sb, const char *s)
{
	if (s)
		add_string(sb, s);
	else
		strbuf_addstr(sb, "null");
}

/*
 * JSON text that json_dumps(JSON_COMPACT | JSON_SORT_KEYS) wrote, indented
 * as JSON_INDENT(2) prints it at `depth`: the same tokens, with a line
 * break after each opening bracket and comma, ": " between key and value.
 */
static void add_compact_indented(struct strbuf *sb, const char *p, int depth)
{
	const char *run = p;

	for (; *p; p++) {
		switch (*p) {
		case '"':
			/* a string: copied as it is, escapes and all */
			for (p++; *p != '"'; p++)
				if (*p == '\\')
					p++;
			continue;
		case '{':
		case '[':
			if (p[1] == (*p == '{' ? '}' : ']')) {
				p++; /* empty: printed as it is */
				continue;
			}
			strbuf_add(sb, run, (size_t)(p + 1 - run));
			add_indent(sb, ++depth);
			break;
		case '}':
		case ']':
			strbuf_add(sb, run, (size_t)(p - run));
			add_indent(sb, --depth);
			strbuf_addch(sb, *p);
			break;
		case ',':
			strbuf_add(sb, run, (size_t)(p + 1 - run));
			add_indent(sb, depth);
			break;
		case ':':
			strbuf_add(sb, run, (size_t)(p + 1 - run));
			strbuf_addch(sb, ' ');
			break;
		default:
			continue;
		}
		run = p + 1;
	}
	strbuf_add(sb, run, (size_t)(p - run));
}

/* A key at `depth` inside an object, after its first; the value follows. */
static void add_key(struct strbuf *sb, const char *key, int depth)
{
	strbuf_addch(sb, ',');
	add_indent(sb, depth);
	strbuf_addch(sb, '"');
	strbuf_addstr(sb, key);
	strbuf_addstr(sb, "\": ");
}

static void add_commit(struct strbuf *sb, const struct event_commit *c, int depth)
{
	char date[32];

	date_format(c->date, date, sizeof(date));
	strbuf_addch(sb, '{');
	add_indent(sb, depth + 1);
	strbuf_addstr(sb, "\"author\": ");
	add_string(sb, c->author);
	add_key(sb, "date", depth + 1);
	add_string(sb, date);
	add_key(sb, "email", depth + 1);
	add_string(sb, c->email);
	add_key(sb, "id", depth + 1);
	add_string(sb, c->id);
	add_key(sb, "short", depth + 1);
	strbuf_addch(sb, '"');
	strbuf_add(sb, c->id, 7);
	strbuf_addch(sb, '"');
	add_key(sb, "subject", depth + 1);
	add_string(sb, c->subject);
	add_indent(sb, depth);
	strbuf_addch(sb, '}');
}

/* event_to_json(e, with_commit) printed at `depth`, keys sorted. */
static int add_event_json(struct strbuf *sb, const struct event *e, bool with_commit, int depth)
{
	char date[32];

	strbuf_addch(sb, '{');
	add_indent(sb, depth + 1);
	if (e->changes) {
		strbuf_addf(sb, "\"body_changed\": %s", e->body_changed ? "true" : "false");
		add_key(sb, "changes", depth + 1);
		if (json_is_array(e->changes) && !json_array_size(e->changes)) {
			strbuf_addstr(sb, "[]");
		} else {
			char *s = json_dumps(e->changes, JSON_COMPACT | JSON_SORT_KEYS);
			if (!s)
				return -1;
			add_compact_indented(sb, s, depth + 1);
			free(s);
		}
		strbuf_addch(sb, ',');
		add_indent(sb, depth + 1);
	}
	if (with_commit) {
		strbuf_addstr(sb, "\"commit\": ");
		if (e->commit)
			add_commit(sb, e->commit, depth + 1);
		else
			strbuf_addstr(sb, "null");
		strbuf_addch(sb, ',');
		add_indent(sb, depth + 1);
	}
	strbuf_addstr(sb, "\"date\": ");
	if (e->date >= 0) {
		date_format(e->date, date, sizeof(date));
		add_string(sb, date);
	} else {
		strbuf_addstr(sb, "null");
	}
	add_key(sb, "from_path", depth + 1);
	add_string_or_null(sb, e->from_path);
	add_key(sb, "front_matter", depth + 1);
	if (e->front_matter)
		add_compact_indented(sb, e->front_matter, depth + 1);
	else
		strbuf_addstr(sb, "null");
	add_key(sb, "path", depth + 1);
	add_string(sb, e->path);
	add_key(sb, "slug", depth + 1);
	add_string(sb, e->slug);
	add_key(sb, "state", depth + 1);
	add_string(sb, post_state_name(e->state));
	add_key(sb, "summary", depth + 1);
	add_string(sb, e->summary);
	add_key(sb, "summary_markdown", depth + 1);
	add_string(sb, e->summary_md);
	add_key(sb, "tags", depth + 1);
	add_compact_indented(sb, e->tags, depth + 1);
	add_key(sb, "title", depth + 1);
	add_string(sb, e->title);
	add_key(sb, "type", depth + 1);
	add_string(sb, event_type_name(e->type));
	add_key(sb, "url", depth + 1);
	add_string_or_null(sb, e->url);
	add_indent(sb, depth);
	strbuf_addch(sb, '}');
	return 0;
}

#define WRITE_CHUNK ((size_t)64 * 1024)

int event_list_write_document(const struct event_list *l, FILE *f)
{
	/* the document's keys in sorted order, "events" among them */
	static const char *const keys[] = { "errors", "events", "from", "now", "to" };
	json_t *doc = skeleton(l);
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;

	fputs("{", f);
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		fprintf(f, "%s\n  \"%s\": ", k ? "," : "", keys[k]);
		if (strcmp(keys[k], "events")) {
			write_indented(f, json_object_get(doc, keys[k]), 1);
			continue;
		}
		if (!l->nr) {
			fputs("[]", f);
			continue;
		}
		fputs("[", f);
		for (i = 0; i < l->nr; i++) {
			strbuf_addstr(&sb, i ? ",\n    " : "\n    ");
			if (add_event_json(&sb, &l->v[i], l->with_commits, 2) < 0)
				die("out of memory printing the event of '%s'", l->v[i].path);
			/* written 64 KiB at a time: stdio's 4 KiB buffer made a system call each */
			if (sb.len >= WRITE_CHUNK || i + 1 == l->nr) {
				fwrite(sb.buf, 1, sb.len, f);
				strbuf_reset(&sb);
			}
		}
		fputs("\n  ]", f);
	}
	fputs("\n}\n", f);
	json_decref(doc);
	strbuf_release(&sb);
	/* a full disk shows only when the buffer is written */
	return fflush(f) || ferror(f) ? -1 : 0;
}
