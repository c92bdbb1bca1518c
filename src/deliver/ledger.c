#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/fileio.h"
#include "herald/ledger.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* A ledger this large is not ours (a million lines is some 200 MiB). */
#define LEDGER_CAP (1u << 30)

struct ledger {
	char *dir;
	char *path;
	json_t *seen;      /* "TARGET\tPOST" → the announcement's ID, or true when its line was cut short */
	json_t *remote;    /* "TARGET\tPOST" → the platform's id of its message ("remote" lines) */
	json_t *records;   /* "TARGET\t/…" → [ID, WHEN] of the last such line */
	json_t *staged_records; /* [[key, ID, WHEN], …] held for ledger_flush() */
	int fd;            /* for appending; -1 until the first ledger_add() */
	int existed;       /* the file was there (its name is durable) */
	int needs_newline; /* the file ends in a line cut short */
	long long size;    /* bytes in the file as far as we know */
	struct strbuf staged; /* lines ledger_stage() holds for ledger_flush() */
	json_t *staged_lines; /* [[key, EVENT, ID], …] as the file will have them */
};

/* Fields never hold the separators: tabs and line breaks become spaces. */
static void add_field(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];
		strbuf_addch(sb, c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
	}
}

static void make_key(struct strbuf *key, const char *target, size_t tlen,
		     const char *post, size_t plen)
{
	strbuf_reset(key);
	add_field(key, target, tlen);
	strbuf_addch(key, '\t');
	add_field(key, post, plen);
}

/*
 * What one line says about (target, post): "remote" gives the platform's
 * id of the announcement's message, "retracted" takes the announcement
 * back (the post may be announced again), any other event announced it.
 * `id` is NULL when the line was cut short before its ID ended.
 */
static int remember(struct ledger *l, const char *key, const char *event, size_t elen,
		    const char *id, size_t idlen)
{
	int rc = 0;

	if (elen == 6 && !memcmp(event, "remote", 6)) {
		if (id && idlen)
			rc = json_object_set_new_nocheck(l->remote, key, json_stringn_nocheck(id, idlen));
	} else if (elen == 9 && !memcmp(event, "retracted", 9)) {
		if (id) {
			json_object_del(l->seen, key);
			json_object_del(l->remote, key);
		}
	} else {
		/* "EVENT\tID"; json_true() is a singleton: a line cut short costs no allocation. */
		json_t *v = json_true();
		if (id) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_add(&sb, event, elen);
			strbuf_addch(&sb, '\t');
			strbuf_add(&sb, id, idlen);
			v = json_stringn_nocheck(sb.buf, sb.len);
			strbuf_release(&sb);
		}
		rc = json_object_set_new_nocheck(l->seen, key, v);
	}
	if (rc < 0)
		return error("ledger '%s': out of memory", l->path);
	return 0;
}

/* A record line's ID and WHEN (ledger_record()); the line must be whole. */
static int remember_record(struct ledger *l, const char *key, const char *id, size_t idlen,
			   const char *when, size_t whenlen)
{
	char num[32];
	char *end;
	long long w;
	json_t *v;

	if (!whenlen || whenlen >= sizeof(num))
		return 0;
	memcpy(num, when, whenlen);
	num[whenlen] = '\0';
	w = strtoll(num, &end, 10);
	if (*end)
		return 0;
	v = json_pack("[s%,I]", id, idlen, (json_int_t)w);
	if (!v)
		return 0; /* not herald's: its ids are ASCII */
	if (json_object_set_new(l->records, key, v) < 0)
		return error("ledger '%s': out of memory", l->path);
	return 0;
}

static int load(struct ledger *l)
{
	struct strbuf sb = STRBUF_INIT, key = STRBUF_INIT;
	const char *p, *end;
	size_t lineno = 0;
	int ret = 0;

	if (fileio_read_own(&sb, l->path, LEDGER_CAP) < 0) {
		if (errno != ENOENT)
			ret = error("cannot read '%s': %s", l->path,
				    strerror(errno));
		goto out;
	}
	l->existed = 1;
	p = sb.buf;
	end = sb.buf + sb.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *t1, *t2 = NULL, *t3 = NULL;

		lineno++;
		t1 = memchr(p, '\t', (size_t)(eol - p));
		if (t1)
			t2 = memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1));
		if (t2)
			t3 = memchr(t2 + 1, '\t', (size_t)(eol - t2 - 1));
		if (t3) {
			const char *t4 = memchr(t3 + 1, '\t', (size_t)(eol - t3 - 1));
			/* Counts even when cut short after POST: sent. */
			make_key(&key, p, (size_t)(t1 - p), t2 + 1,
				 (size_t)(t3 - t2 - 1));
			if (remember(l, key.buf, t1 + 1, (size_t)(t2 - t1 - 1),
				     t4 && nl ? t3 + 1 : NULL, t4 ? (size_t)(t4 - t3 - 1) : 0) < 0) {
				ret = -1;
				goto out;
			}
			if (t2[1] == '/' && nl && t4 &&
			    remember_record(l, key.buf, t3 + 1, (size_t)(t4 - t3 - 1),
					    t4 + 1, (size_t)(eol - t4 - 1)) < 0) {
				ret = -1;
				goto out;
			}
		} else if (eol > p) {
			warning("%s:%zu: not a ledger line (ignored)", l->path,
				lineno);
		}
		p = nl ? nl + 1 : end;
	}
	l->needs_newline = sb.len && sb.buf[sb.len - 1] != '\n';
	l->size = (long long)sb.len;
out:
	strbuf_release(&sb);
	strbuf_release(&key);
	return ret;
}

struct ledger *ledger_open(const char *herald_dir)
{
	struct ledger *l = NULL;

	if (!herald_dir || !*herald_dir) {
		error("no folder for the ledger");
		goto out;
	}
	l = xcalloc(1, sizeof(*l));
	l->fd = -1;
	l->dir = xstrdup(herald_dir);
	l->path = xstrfmt("%s/ledger", herald_dir);
	l->seen = json_object();
	l->remote = json_object();
	l->records = json_object();
	l->staged_lines = json_array();
	l->staged_records = json_array();
	strbuf_init(&l->staged, 0);
	if (!l->seen || !l->remote || !l->records || !l->staged_records || !l->staged_lines) {
		error("cannot load ledger '%s': out of memory", l->path);
		goto fail;
	}
	if (load(l) < 0)
		goto fail;
	goto out;
fail:
	ledger_close(l);
	l = NULL;
out:
	return l;
}

void ledger_close(struct ledger *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	json_decref(l->seen);
	json_decref(l->remote);
	json_decref(l->records);
	json_decref(l->staged_records);
	json_decref(l->staged_lines);
	strbuf_release(&l->staged);
	free(l->dir);
	free(l->path);
	free(l);
}

bool ledger_record(struct ledger *l, const char *target, const char *post,
		   const char **id, long long *when)
{
	struct strbuf key = STRBUF_INIT;
	json_t *r;

	if (!l || !target || !post)
		return false;
	make_key(&key, target, strlen(target), post, strlen(post));
	r = json_object_get(l->records, key.buf);
	strbuf_release(&key);
	if (!r)
		return false;
	if (id)
		*id = json_string_value(json_array_get(r, 0));
	if (when)
		*when = (long long)json_integer_value(json_array_get(r, 1));
	return true;
}

bool ledger_announcement(struct ledger *l, const char *target, const char *post,
			 struct ledger_announcement *out)
{
	struct strbuf key = STRBUF_INIT;
	const char *s, *tab;
	json_t *v;

	memset(out, 0, sizeof(*out));
	if (!l || !target || !post)
		return false;
	make_key(&key, target, strlen(target), post, strlen(post));
	v = json_object_get(l->seen, key.buf);
	s = json_string_value(v);
	if (s && (tab = strchr(s, '\t')) && (size_t)(tab - s) < sizeof(out->event)) {
		memcpy(out->event, s, (size_t)(tab - s));
		out->id = tab + 1;
		out->remote = json_string_value(json_object_get(l->remote, key.buf));
	}
	strbuf_release(&key);
	return v != NULL;
}

bool ledger_has(struct ledger *l, const char *target, const char *post)
{
	struct strbuf key = STRBUF_INIT;
	bool ret;

	if (!l || !target || !post)
		return false;
	make_key(&key, target, strlen(target), post, strlen(post));
	ret = json_object_get(l->seen, key.buf) != NULL;
	strbuf_release(&key);
	return ret;
}

static int open_for_append(struct ledger *l)
{
	if (l->fd < 0)
		l->fd = fileio_open_append(l->path, 0600);
	return l->fd < 0 ? -1 : 0;
}

void ledger_stage(struct ledger *l, const char *target, const char *event,
		  const char *post, const char *id, long long when)
{
	struct strbuf *line = &l->staged;

	if (!l->staged.len && l->needs_newline)
		strbuf_addch(line, '\n');
	add_field(line, target, strlen(target));
	strbuf_addch(line, '\t');
	if (event)
		add_field(line, event, strlen(event));
	strbuf_addch(line, '\t');
	add_field(line, post, strlen(post));
	strbuf_addch(line, '\t');
	if (id)
		add_field(line, id, strlen(id));
	strbuf_addf(line, "\t%lld\n", when);
	{
		/* as the file will have them: separators inside fields become spaces */
		struct strbuf key = STRBUF_INIT, f = STRBUF_INIT, ev = STRBUF_INIT;
		make_key(&key, target, strlen(target), post, strlen(post));
		if (id)
			add_field(&f, id, strlen(id));
		if (event)
			add_field(&ev, event, strlen(event));
		if (post[0] == '/')
			json_array_append_new(l->staged_records,
					      json_pack("[s,s,I]", key.buf, f.buf, (json_int_t)when));
		json_array_append_new(l->staged_lines, json_pack("[s,s,s]", key.buf, ev.buf, f.buf));
		strbuf_release(&key);
		strbuf_release(&f);
		strbuf_release(&ev);
	}
}

bool ledger_staged(const struct ledger *l)
{
	return l->staged.len > 0;
}

long long ledger_size(const struct ledger *l)
{
	return l->size;
}

int ledger_flush(struct ledger *l)
{
	size_t i;
	int ret = 0;

	if (!l->staged.len)
		return 0;
	if (open_for_append(l) < 0) {
		ret = -1;
		goto out;
	}
	if (fileio_fault("ledger") < 0) {
		ret = error("cannot write '%s': %s", l->path, strerror(errno));
		goto out;
	}
	if (fileio_append(l->fd, l->path, l->staged.buf, l->staged.len) < 0) {
		/* Part of the lines may be there: the caller truncates. */
		l->needs_newline = 1;
		ret = -1;
		goto out;
	}
	l->needs_newline = 0;
	l->size += (long long)l->staged.len;
	for (i = 0; i < json_array_size(l->staged_lines); i++) {
		json_t *r = json_array_get(l->staged_lines, i);
		const char *ev = json_string_value(json_array_get(r, 1));
		const char *id = json_string_value(json_array_get(r, 2));
		if (remember(l, json_string_value(json_array_get(r, 0)), ev, strlen(ev), id,
			     strlen(id)) < 0)
			ret = -1;
	}
	for (i = 0; i < json_array_size(l->staged_records); i++) {
		json_t *r = json_array_get(l->staged_records, i);
		if (json_object_set_new(l->records, json_string_value(json_array_get(r, 0)),
					json_pack("[O,O]", json_array_get(r, 1),
						  json_array_get(r, 2))) < 0)
			ret = error("ledger '%s': out of memory", l->path);
	}
	/* Makes the new file's name durable. */
	if (!ret && !l->existed) {
		if (fileio_fsync_dir(l->dir) < 0)
			ret = -1;
		else
			l->existed = 1;
	}
out:
	strbuf_reset(&l->staged);
	json_array_clear(l->staged_lines);
	json_array_clear(l->staged_records);
	return ret;
}

int ledger_truncate(struct ledger *l, long long size)
{
	if (open_for_append(l) < 0)
		return -1;
	if (ftruncate(l->fd, (off_t)size) < 0 || fileio_fsync(l->fd) < 0)
		return error("cannot truncate '%s': %s", l->path, strerror(errno));
	/* What was read and added before is re-read: the lines cut are forgotten. */
	json_object_clear(l->seen);
	json_object_clear(l->remote);
	json_object_clear(l->records);
	l->size = 0;
	l->needs_newline = 0;
	return load(l);
}

int ledger_add(struct ledger *l, const char *target, const char *event,
	       const char *post, const char *id, long long when)
{
	if (!target || !post)
		return error("a ledger line needs a target and a post");
	ledger_stage(l, target, event, post, id, when);
	return ledger_flush(l);
}
