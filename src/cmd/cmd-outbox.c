#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "herald/command.h"
#include "herald/date.h"
#include "herald/outbox.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/banned.h"

static const char outbox_usage[] =
	"usage: herald outbox [list]\n"
	"   or: herald outbox show ID\n"
	"   or: herald outbox retry ID\n"
	"   or: herald outbox drop ID\n"
	"\n"
	"The deliveries waiting to be sent, and the dead ones that failed for good.\n"
	"`retry` puts a dead delivery back, with the same id, due now.\n";

static void list(struct outbox *ob, int dead)
{
	struct outbox_entry *v = NULL;
	size_t n = 0, i;
	char when[32];

	if (outbox_list(ob, dead, &v, &n) < 0)
		return;
	printf("%s (%zu)\n", dead ? "dead" : "pending", n);
	for (i = 0; i < n; i++) {
		char *id = printable(v[i].id), *target = printable(v[i].target);
		char *event = printable(v[i].event), *title = printable(v[i].title);
		struct strbuf col = STRBUF_INIT;

		/* in 36 columns, cut between characters, never inside one */
		utf8_add_columns(&col, title, 36, 1);
		date_format(dead ? v[i].last_attempt : v[i].next_attempt, when, sizeof(when));
		printf("  %s  %-16s %-16s %s %s %s", id, target, event, col.buf,
		       dead ? "failed" : "next", when);
		free(id);
		free(target);
		free(event);
		free(title);
		strbuf_release(&col);
		if (v[i].attempts)
			printf("  (%d attempt%s, last %d)", v[i].attempts,
			       v[i].attempts == 1 ? "" : "s", v[i].last_status);
		printf("\n");
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

static void show(const struct outbox_entry *e, int dead)
{
	struct strbuf sb = STRBUF_INIT;
	char t[32];

	field(stdout, "id", e->id);
	field(stdout, "state", dead ? "dead" : "pending");
	field(stdout, "target", e->target);
	field(stdout, "event", e->event);
	field(stdout, "post", e->post);
	field(stdout, "title", e->title);
	date_format(e->created, t, sizeof(t));
	printf("created     %s\n", t);
	printf("attempts    %d\n", e->attempts);
	if (e->last_attempt) {
		char *err = printable(e->last_error);
		date_format(e->last_attempt, t, sizeof(t));
		printf("last try    %s: %d %s\n", t, e->last_status, err);
		free(err);
	}
	if (!dead) {
		date_format(e->next_attempt, t, sizeof(t));
		printf("next try    %s\n", t);
	}
	/* a receiver's answer is its text, not ours: never on stdout */
	if (e->response) {
		strbuf_add_printable(&sb, e->response, strnlen(e->response, 200));
		fprintf(stderr, "response    %s\n", sb.buf);
		strbuf_reset(&sb);
	}
	strbuf_add_printable(&sb, e->body ? e->body : "", e->body ? e->body_len : 0);
	printf("request     %s (%s)\n%s\n", e->method, e->content_type ? e->content_type : "",
	       sb.buf);
	strbuf_release(&sb);
}

int cmd_outbox(int argc, char **argv)
{
	struct setup st;
	struct outbox *ob = NULL;
	struct outbox_entry e;
	const char *verb = argc > 1 ? argv[1] : "list";
	int ret = 0, dead = 0, rc;

	if (!strcmp(verb, "-h") || !strcmp(verb, "--help")) {
		fputs(outbox_usage, stdout);
		return 0;
	}
	if (!strcmp(verb, "list") ? argc > 2 :
	    (strcmp(verb, "show") && strcmp(verb, "retry") && strcmp(verb, "drop")) || argc != 3) {
		fputs(outbox_usage, stderr);
		return EXIT_USAGE;
	}
	setup_init(&st);
	outbox_entry_init(&e);
	if (setup_open(&st) < 0 || !(ob = outbox_open(st.repo->gitdir))) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (!strcmp(verb, "list")) {
		list(ob, 0);
		list(ob, 1);
		goto out;
	}
	if (outbox_lock(ob) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	rc = outbox_get(ob, argv[2], &e, &dead);
	if (rc != LOOKUP_FOUND) {
		if (rc == LOOKUP_MISSING)
			error("no delivery '%s' in the outbox", argv[2]);
		ret = EXIT_FATAL;
		goto out;
	}
	if (!strcmp(verb, "show")) {
		show(&e, dead);
	} else if (!strcmp(verb, "retry")) {
		if (!dead) {
			error("'%s' is pending, not dead; 'herald deliver --all' sends it now", e.id);
			ret = EXIT_FATAL;
		} else if (outbox_revive(ob, e.id, (long long)time(NULL)) < 0) {
			ret = EXIT_FATAL;
		} else {
			printf("%s is pending again; 'herald deliver' sends it\n", e.id);
		}
	} else if (outbox_drop(ob, e.id) < 0) {
		ret = EXIT_FATAL;
	} else {
		printf("dropped %s\n", e.id);
	}
out:
	outbox_entry_release(&e);
	outbox_close(ob);
	setup_release(&st);
	return ret;
}
