#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/bluesky.h"
#include "herald/date.h"
#include "herald/outboxview.h"
#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/banned.h"

void outboxview_list(struct outbox *ob, int dead, FILE *out)
{
	struct outbox_entry *v = NULL;
	size_t n = 0, i;
	char when[32];

	if (outbox_list(ob, dead, &v, &n) < 0)
		return;
	fprintf(out, "%s (%zu)\n", dead ? "dead" : "pending", n);
	for (i = 0; i < n; i++) {
		char *id = printable(v[i].id), *target = printable(v[i].target);
		char *event = printable(v[i].event), *title = printable(v[i].title);
		struct strbuf col = STRBUF_INIT;

		/* in 36 columns, cut between characters, never inside one */
		utf8_add_columns(&col, title, 36, 1);
		date_format(dead ? v[i].last_attempt : v[i].next_attempt, when, sizeof(when));
		fprintf(out, "  %s  %-16s %-16s %s %s %s", id, target, event, col.buf,
		       dead ? "failed" : "next", when);
		free(id);
		free(target);
		free(event);
		free(title);
		strbuf_release(&col);
		if (v[i].attempts)
			fprintf(out, "  (%d attempt%s, last %d)", v[i].attempts,
			       v[i].attempts == 1 ? "" : "s", v[i].last_status);
		fputc('\n', out);
		outbox_entry_release(&v[i]);
	}
	free(v);
}

/* One labelled line; `v` (NULL shows "-") is escaped for the terminal. */
static void field(FILE *f, const char *label, const char *v)
{
	char *shown = printable(v ? v : "-");

	fprintf(f, "%-11s %s\n", label, shown);
	free(shown);
}

void outboxview_show(const struct outbox_entry *e, int dead, FILE *out, FILE *err)
{
	struct strbuf sb = STRBUF_INIT;
	char t[32], *shown;

	field(out, "id", e->id);
	field(out, "state", dead ? "dead" : "pending");
	field(out, "target", e->target);
	field(out, "event", e->event);
	field(out, "post", e->post);
	field(out, "title", e->title);
	date_format(e->created, t, sizeof(t));
	fprintf(out, "created     %s\n", t);
	fprintf(out, "attempts    %d\n", e->attempts);
	if (e->last_attempt) {
		char *why = printable(e->last_error);
		date_format(e->last_attempt, t, sizeof(t));
		fprintf(out, "last try    %s: %d %s\n", t, e->last_status, why);
		free(why);
	}
	if (!dead) {
		date_format(e->next_attempt, t, sizeof(t));
		fprintf(out, "next try    %s\n", t);
	}
	/* a receiver's answer is its text, not ours: never on `out` */
	if (e->response) {
		strbuf_add_printable(&sb, e->response, strnlen(e->response, 200));
		fprintf(err, "response    %s\n", sb.buf);
		strbuf_reset(&sb);
	}
	shown = e->body ? bluesky_thumb_shown(e->body, e->body_len) : NULL;
	if (shown)
		strbuf_add_printable(&sb, shown, strlen(shown));
	else
		strbuf_add_printable(&sb, e->body ? e->body : "", e->body ? e->body_len : 0);
	free(shown);
	fprintf(out, "request     %s (%s)\n%s\n", e->method, e->content_type ? e->content_type : "",
		sb.buf);
	strbuf_release(&sb);
}
