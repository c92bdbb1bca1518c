#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/fileio.h"
#include "herald/ledger.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* A ledger this large is not ours (a million lines is some 200 MiB). */
#define LEDGER_CAP (1u << 30)

struct ledger {
	char *dir;
	char *path;
	json_t *seen;      /* "TARGET\tPOST" → true */
	int fd;            /* for appending; -1 until the first ledger_add() */
	int existed;       /* the file was there (its name is durable) */
	int needs_newline; /* the file ends in a line cut short */
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

static int remember(struct ledger *l, const char *key)
{
	/* json_true() is a singleton: a set costs no allocation per value. */
	if (json_object_set_new_nocheck(l->seen, key, json_true()) < 0)
		return error("ledger '%s': out of memory", l->path);
	return 0;
}

static int load(struct ledger *l)
{
	struct strbuf sb = STRBUF_INIT, key = STRBUF_INIT;
	const char *p, *end;
	size_t lineno = 0;
	int ret = 0;

	if (strbuf_read_file(&sb, l->path, LEDGER_CAP) < 0) {
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
			/* Counts even when cut short after POST: sent. */
			make_key(&key, p, (size_t)(t1 - p), t2 + 1,
				 (size_t)(t3 - t2 - 1));
			if (remember(l, key.buf) < 0) {
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
	if (!l->seen) {
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
	free(l->dir);
	free(l->path);
	free(l);
}

int ledger_has(struct ledger *l, const char *target, const char *post)
{
	struct strbuf key = STRBUF_INIT;
	int ret;

	if (!l || !target || !post)
		return 0;
	make_key(&key, target, strlen(target), post, strlen(post));
	ret = json_object_get(l->seen, key.buf) != NULL;
	strbuf_release(&key);
	return ret;
}

int ledger_add(struct ledger *l, const char *target, const char *event,
	       const char *post, const char *id, long long when)
{
	struct strbuf line = STRBUF_INIT, key = STRBUF_INIT;
	int ret = 0;

	if (!target || !post) {
		ret = error("a ledger line needs a target and a post");
		goto out;
	}
	if (l->fd < 0) {
		l->fd = fileio_open_append(l->path, 0600);
		if (l->fd < 0) {
			ret = -1;
			goto out;
		}
	}
	if (l->needs_newline)
		strbuf_addch(&line, '\n');
	add_field(&line, target, strlen(target));
	strbuf_addch(&line, '\t');
	if (event)
		add_field(&line, event, strlen(event));
	strbuf_addch(&line, '\t');
	add_field(&line, post, strlen(post));
	strbuf_addch(&line, '\t');
	if (id)
		add_field(&line, id, strlen(id));
	strbuf_addf(&line, "\t%lld\n", when);
	if (fileio_append(l->fd, l->path, line.buf, line.len) < 0) {
		/* Part of the line may be there: start afresh next time. */
		l->needs_newline = 1;
		ret = -1;
		goto out;
	}
	l->needs_newline = 0;
	make_key(&key, target, strlen(target), post, strlen(post));
	if (remember(l, key.buf) < 0) {
		ret = -1;
		goto out;
	}
	/* Makes the new file's name durable. */
	if (!l->existed) {
		if (fileio_fsync_dir(l->dir) < 0) {
			ret = -1;
			goto out;
		}
		l->existed = 1;
	}
out:
	strbuf_release(&line);
	strbuf_release(&key);
	return ret;
}
