#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/fileio.h"
#include "herald/state.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define STATE_VERSION 1
#define STATE_FILE "status.json"
/* status.json holds a few numbers per target; anything bigger is not ours. */
#define STATE_CAP (16u << 20)
#define ERROR_MAX 200

struct state {
	char *dir;  /* HERALD_DIR */
	char *path; /* HERALD_DIR/status.json */
	struct state_target *v;
	size_t nr, alloc;
	int dirty;
};

/* --- records --- */

/*
 * What we store for a name or an error text: valid UTF-8 without control
 * characters (they would reach terminals and Prometheus labels), at most
 * `max` bytes cut at a character boundary (0 = no limit). Caller frees.
 */
static char *clean_text(const char *s, size_t max)
{
	struct strbuf lossy = STRBUF_INIT;
	size_t len = strlen(s), i;

	if (max && len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	strbuf_add_utf8_lossy(&lossy, s, len);
	for (i = 0; i < lossy.len; i++)
		if ((unsigned char)lossy.buf[i] < 0x20 || lossy.buf[i] == 0x7f)
			lossy.buf[i] = '?';
	return strbuf_detach(&lossy, NULL);
}

/* Index of `name` in the sorted records, or where it would go (*found 0). */
static size_t find_pos(const struct state *s, const char *name, int *found)
{
	size_t lo = 0, hi = s->nr;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].name, name);

		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The record of `name` (already clean), created empty when missing. */
static struct state_target *get_target(struct state *s, const char *name)
{
	int found;
	size_t pos = find_pos(s, name, &found);

	if (found)
		return &s->v[pos];
	ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	memmove(&s->v[pos + 1], &s->v[pos], (s->nr - pos) * sizeof(*s->v));
	memset(&s->v[pos], 0, sizeof(*s->v));
	s->v[pos].name = xstrdup(name);
	s->nr++;
	return &s->v[pos];
}

/* --- reading and writing status.json --- */

static int get_count(const char *path, const char *name, json_t *obj,
		     const char *key, long long max, long long *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return error("'%s': target '%s': '%s' is not a count", path, name, key);
	*out = (long long)json_integer_value(v);
	return 0;
}

static int load_target(struct state *s, const char *name, json_t *obj)
{
	struct state_target *t;
	json_t *err;
	long long n[5];
	char *clean = NULL;
	int ret = 0;

	if (!json_is_object(obj)) {
		ret = error("'%s': target '%s' is not an object", s->path, name);
		goto out;
	}
	if (get_count(s->path, name, obj, "last_success", LLONG_MAX, &n[0]) < 0 ||
	    get_count(s->path, name, obj, "last_failure", LLONG_MAX, &n[1]) < 0 ||
	    get_count(s->path, name, obj, "last_status", 999, &n[2]) < 0 ||
	    get_count(s->path, name, obj, "successes", LLONG_MAX, &n[3]) < 0 ||
	    get_count(s->path, name, obj, "failures", LLONG_MAX, &n[4]) < 0) {
		ret = -1;
		goto out;
	}
	err = json_object_get(obj, "last_error");
	if (err && !json_is_null(err) && !json_is_string(err)) {
		ret = error("'%s': target '%s': 'last_error' is not a string", s->path, name);
		goto out;
	}
	clean = clean_text(name, 0);
	t = get_target(s, clean);
	t->last_success = n[0];
	t->last_failure = n[1];
	t->last_status = (int)n[2];
	t->successes = (unsigned long long)n[3];
	t->failures = (unsigned long long)n[4];
	free(t->last_error);
	t->last_error = json_is_string(err) ? clean_text(json_string_value(err), ERROR_MAX) : NULL;
out:
	free(clean);
	return ret;
}

static int load(struct state *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc = NULL, *targets, *v;
	const char *name;
	int ret = 0;

	if (fileio_read_own(&sb, s->path, STATE_CAP) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			goto out;
		ret = error("cannot read '%s': %s", s->path, strerror(errno));
		goto out;
	}
	doc = json_loadb(sb.buf, sb.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		ret = error("%s:%d:%d: %s", s->path, jerr.line, jerr.column, jerr.text);
		goto out;
	}
	v = json_object_get(doc, "version");
	if (!json_is_object(doc) || !json_is_integer(v)) {
		ret = error("'%s' is not a herald status file", s->path);
		goto out;
	}
	if (json_integer_value(v) != STATE_VERSION) {
		ret = error("'%s' has version %lld; this herald reads version %d",
			    s->path, (long long)json_integer_value(v), STATE_VERSION);
		goto out;
	}
	targets = json_object_get(doc, "targets");
	if (targets && !json_is_object(targets)) {
		ret = error("'%s': 'targets' is not an object", s->path);
		goto out;
	}
	json_object_foreach(targets, name, v) {
		if (load_target(s, name, v) < 0) {
			ret = -1;
			goto out;
		}
	}
out:
	json_decref(doc);
	strbuf_release(&sb);
	return ret;
}

struct state *state_open(const char *herald_dir)
{
	struct state *s = xcalloc(1, sizeof(*s));

	s->dir = xstrdup(herald_dir);
	s->path = xstrfmt("%s/" STATE_FILE, herald_dir);
	if (load(s) < 0) {
		state_close(s);
		return NULL;
	}
	return s;
}

void state_close(struct state *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr; i++) {
		free(s->v[i].name);
		free(s->v[i].last_error);
	}
	free(s->v);
	free(s->dir);
	free(s->path);
	free(s);
}

void state_record(struct state *s, const char *target, int ok, int status,
		  const char *err, long long when)
{
	struct state_target *t;
	char *clean;

	if (!s || !target)
		return;
	clean = clean_text(target, 0);
	t = get_target(s, clean);
	free(clean);
	if (ok) {
		t->last_success = when;
		t->successes++;
	} else {
		t->last_failure = when;
		t->last_status = status >= 0 && status <= 999 ? status : 0;
		free(t->last_error);
		t->last_error = err && *err ? clean_text(err, ERROR_MAX) : NULL;
		t->failures++;
	}
	s->dirty = 1;
}

/* jansson's integers are signed: a counter that large stops there. */
static json_t *count(unsigned long long n)
{
	return json_integer(n > (unsigned long long)LLONG_MAX ? LLONG_MAX : (json_int_t)n);
}

int state_save(struct state *s)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *doc = NULL, *targets;
	char *text = NULL;
	size_t i;
	int ret = 0;

	if (!s || !s->dirty)
		return 0;
	doc = json_object();
	targets = json_object();
	json_object_set_new(doc, "version", json_integer(STATE_VERSION));
	json_object_set_new(doc, "targets", targets);
	for (i = 0; i < s->nr; i++) {
		const struct state_target *t = &s->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "last_success", json_integer(t->last_success));
		json_object_set_new(o, "last_failure", json_integer(t->last_failure));
		json_object_set_new(o, "last_status", json_integer(t->last_status));
		json_object_set_new(o, "last_error",
				    t->last_error ? json_string(t->last_error) : json_null());
		json_object_set_new(o, "successes", count(t->successes));
		json_object_set_new(o, "failures", count(t->failures));
		json_object_set_new(targets, t->name, o);
	}
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!text) {
		ret = error("cannot encode '%s'", s->path);
		goto out;
	}
	strbuf_addstr(&sb, text);
	strbuf_addch(&sb, '\n');
	if (fileio_fault("status") < 0)
		ret = error("cannot write '%s': %s", s->path, strerror(errno));
	else
		ret = fileio_write_atomic(s->path, sb.buf, sb.len, 0600);
	if (!ret)
		s->dirty = 0;
out:
	strbuf_release(&sb);
	free(text);
	json_decref(doc);
	return ret;
}

size_t state_count(const struct state *s)
{
	return s ? s->nr : 0;
}

const struct state_target *state_at(const struct state *s, size_t i)
{
	return s && i < s->nr ? &s->v[i] : NULL;
}

const struct state_target *state_find(const struct state *s, const char *target)
{
	const struct state_target *t = NULL;
	char *clean;
	size_t pos;
	int found;

	if (!s || !target)
		return NULL;
	clean = clean_text(target, 0);
	pos = find_pos(s, clean, &found);
	if (found)
		t = &s->v[pos];
	free(clean);
	return t;
}
