#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/event.h"
#include "herald/listing.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

/* Display width of UTF-8 text in terminal columns. */
static size_t width(const char *s)
{
	return utf8_width(s, strlen(s));
}

static void pad(struct strbuf *sb, const char *s, size_t w)
{
	size_t n = width(s);

	strbuf_addstr(sb, s);
	strbuf_addchars(sb, ' ', n + 2 <= w ? w - n : 2);
}

/*
 * Keeps at most `max` columns, ending with an ellipsis when cut; line
 * breaks and tabs become spaces, other controls are escaped.
 */
static char *clip(const char *raw, size_t max)
{
	struct strbuf line = STRBUF_INIT, sb = STRBUF_INIT;
	const char *s;
	char *shown;

	for (s = raw ? raw : ""; *s; s++)
		strbuf_addch(&line, *s == '\n' || *s == '\t' ? ' ' : *s);
	shown = printable(line.buf);
	utf8_add_columns(&sb, shown, max, 0);
	free(shown);
	strbuf_release(&line);
	return strbuf_detach(&sb, NULL);
}

static char *event_where(const struct event *ev)
{
	char *a = printable(ev->path), *b, *res;

	if (!ev->from_path)
		return a;
	b = printable(ev->from_path);
	res = xstrfmt("%s -> %s", b, a);
	free(a);
	free(b);
	return res;
}

static char *event_changes(const struct event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *c;
	size_t i;

	json_array_foreach(ev->changes, i, c) {
		const char *f = value_str(c, "field");
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		strbuf_add_printable(&sb, f ? f : "", f ? strlen(f) : 0);
	}
	if (ev->body_changed) {
		if (sb.len)
			strbuf_addstr(&sb, ", ");
		strbuf_addstr(&sb, "body");
	}
	return strbuf_detach(&sb, NULL);
}

static void print_errors(const struct event_list *l, FILE *err)
{
	size_t i;

	for (i = 0; i < l->nr_errors; i++) {
		const struct event_error *e = &l->errors[i];
		char *path = printable(e->path);
		char *msg = printable(e->message);
		if (e->line)
			fprintf(err, "%s:%d:%d: error: %s\n", path, e->line, e->column, msg);
		else
			fprintf(err, "%s: error: %s\n", path, msg);
		free(path);
		free(msg);
	}
}

void listing_print(const struct event_list *l, FILE *out, FILE *err)
{
	size_t i, n = l->nr, wtype = 4, wpath = 4, wtitle = 5;
	char **where = xcalloc(n + 1, sizeof(*where));
	char **title = xcalloc(n + 1, sizeof(*title));
	size_t counts[EVENT_TYPES] = { 0 };
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < n; i++) {
		const struct event *ev = &l->v[i];
		const char *type = event_type_name(ev->type);
		counts[ev->type]++;
		where[i] = event_where(ev);
		title[i] = clip(ev->title, 48);
		if (width(type) > wtype)
			wtype = width(type);
		if (width(where[i]) > wpath)
			wpath = width(where[i]);
		if (width(title[i]) > wtitle)
			wtitle = width(title[i]);
	}
	if (wpath > 72)
		wpath = 72;
	if (n) {
		pad(&sb, "TYPE", wtype + 2);
		pad(&sb, "PATH", wpath + 2);
		pad(&sb, "TITLE", wtitle + 2);
		strbuf_addstr(&sb, "CHANGED");
		strbuf_rtrim(&sb);
		strbuf_addch(&sb, '\n');
	}
	for (i = 0; i < n; i++) {
		char *changes = event_changes(&l->v[i]);
		pad(&sb, event_type_name(l->v[i].type), wtype + 2);
		pad(&sb, where[i], wpath + 2);
		pad(&sb, title[i], wtitle + 2);
		strbuf_addstr(&sb, changes);
		strbuf_rtrim(&sb);
		strbuf_addch(&sb, '\n');
		free(changes);
		free(where[i]);
		free(title[i]);
	}
	free(where);
	free(title);
	if (n)
		strbuf_addch(&sb, '\n');
	strbuf_addf(&sb, "%zu event%s", n, n == 1 ? "" : "s");
	if (n) {
		int t, first = 1;
		strbuf_addstr(&sb, " (");
		for (t = 0; t < EVENT_TYPES; t++) {
			if (!counts[t])
				continue;
			strbuf_addf(&sb, "%s%zu %s", first ? "" : ", ", counts[t],
				    event_type_name((enum event_type)t));
			first = 0;
		}
		strbuf_addch(&sb, ')');
	}
	if (*l->from)
		strbuf_addf(&sb, " from %.7s to %.7s\n", l->from, l->to);
	else
		strbuf_addf(&sb, " from the empty tree to %.7s\n", l->to);
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	print_errors(l, err);
}
