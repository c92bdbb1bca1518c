#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/command.h"
#include "herald/kind.h"
#include "herald/model.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char targets_usage[] =
	"usage: herald targets [NAME...]\n"
	"\n"
	"Lists the announcement targets of git config [herald \"NAME\"] sections\n"
	"(only the NAMEs given, if any),\n"
	"with urls shown only as scheme and host, and the payload template each\n"
	"uses (built-in, or from herald.templateDir), built once for a sample post.\n"
	"Exits 1 when one is unusable.\n";

static int named(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

/* A post like any other, to try each target's payload on. */
static const char sample_doc[] =
	"{\"from\":null,\"to\":null,\"now\":\"2026-01-01T00:00:00Z\",\"errors\":[],"
	"\"events\":[{\"type\":\"new\",\"path\":\"_posts/2026-01-01-sample.md\","
	"\"title\":\"Sample post\",\"slug\":\"sample\",\"url\":\"https://example.com/sample/\","
	"\"date\":\"2026-01-01T00:00:00Z\",\"tags\":[\"sample\"],"
	"\"summary\":\"A sample summary.\",\"summary_markdown\":\"A *sample* summary.\","
	"\"front_matter\":{\"title\":\"Sample post\"},"
	"\"commit\":{\"id\":\"0000000000000000000000000000000000000000\",\"short\":\"0000000\","
	"\"author\":\"A U Thor\",\"email\":\"author@example.com\","
	"\"date\":\"2026-01-01T00:00:00Z\",\"subject\":\"Add a sample post\"}}]}";

/*
 * Builds the target's payload for the sample post, as announcing would:
 * a template that is missing, broken, or cannot meet the platform's rules
 * makes the target unusable here, before any push finds out.
 */
static char *try_payload(const struct target *t, const json_t *events)
{
	struct render_source src;
	struct payload p;
	struct strbuf why = STRBUF_INIT;
	int rc;

	memset(&src, 0, sizeof(src));
	src.dir = t->template_dir;
	usage_capture(&why);
	rc = payload_build(&src, t->kind, t->template, t->options, NULL, events,
			   "sample", 1767225600LL, &p);
	if (!rc && t->digest.on && (t->template || !kind_find(t->kind)->body)) {
		/* a scheduled digest: the same template as a batch under a headline */
		payload_release(&p);
		rc = payload_build_digest(&src, t->kind, t->template, t->options, NULL, events,
					  "This week on Sample: 1 new post", "sample", 1767225600LL, &p);
	}
	usage_capture(NULL);
	if (!rc) {
		payload_release(&p);
		strbuf_release(&why);
		return NULL;
	}
	return strbuf_detach(&why, NULL);
}

int cmd_targets(int argc, char **argv)
{
	struct setup st;
	struct target *t = NULL;
	const struct kind *k;
	size_t nr = 0, i, j;
	json_t *doc = NULL, *model = NULL;
	int ret = 0, type;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(targets_usage, stdout);
		return 0;
	}
	setup_init(&st);
	if (setup_open(&st) < 0 || targets_load(st.repo, &t, &nr) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	for (i = 1; i < (size_t)argc; i++) {
		if (!targets_find(t, nr, argv[i])) {
			error("no target '%s' in git config", argv[i]);
			ret = EXIT_FATAL;
		}
	}
	if (ret)
		goto out;
	doc = json_loads(sample_doc, 0, NULL);
	model = model_build(doc, NULL);
	if (!nr)
		printf("no targets; add one with:\n  git config herald.team-chat.kind slack\n  git config herald.team-chat.url https://hooks.slack.com/services/…\n");
	for (i = 0; i < nr; i++) {
		char *where, *name, *kind, *why = NULL;

		if (argc > 1 && !named(argc, argv, t[i].name))
			continue;
		where = target_redact(t[i].url);
		name = printable(t[i].name);
		kind = printable(t[i].kind ? t[i].kind : "?");

		printf("%-16s %-11s %-36s", name, kind, where);
		for (type = 0; type < EVENT_TYPES; type++)
			if (target_wants(&t[i], type))
				printf(" %s", event_type_name((enum event_type)type));
		if (t[i].batch)
			printf(" (batched)");
		if (t[i].secrets.nr)
			printf(" (signed)");
		if (t[i].digest.on) {
			char when[40];
			cadence_format(&t[i].digest, when, sizeof(when));
			printf(" (digest %s %s%s)", when, t[i].timezone ? t[i].timezone : "UTC",
			       t[i].digest_empty ? ", even empty" : "");
		}
		printf("\n");
		if ((k = kind_find(t[i].kind))) {
			char *dir = printable(t[i].template_dir);
			char *tmpl = printable(t[i].template);
			if (t[i].template)
				printf("%-16s template %s/%s\n", "", dir, tmpl);
			else if (k->body) /* webhook */
				printf("%-16s template none: herald's {type, timestamp, data} body\n", "");
			else if (t[i].template_dir)
				printf("%-16s template %s/payload-%s.json if there, else built-in\n",
				       "", dir, t[i].kind);
			else
				printf("%-16s template built-in payload-%s.json\n", "", t[i].kind);
			free(dir);
			free(tmpl);
		}
		for (j = 0; j < t[i].secrets.nr; j++)
			if (strncmp(t[i].secrets.v[j], "whsec_", 6)) {
				printf("%-16s warning: secret %zu has no whsec_ prefix: herald signs with its bytes "
				       "as written, which Standard Webhooks libraries cannot verify (they read base64 "
				       "after whsec_); use whsec_ and the base64 of the key\n", "", j + 1);
				break;
			}
		if (!t[i].problem && (why = try_payload(&t[i], json_object_get(model, "events"))))
			printf("%-16s unusable: payload: %s\n", "", why);
		else if (t[i].problem) {
			char *shown = printable(t[i].problem);
			printf("%-16s unusable: %s\n", "", shown);
			free(shown);
		}
		if (t[i].problem || why)
			ret = EXIT_FINDINGS;
		free(why);
		free(where);
		free(name);
		free(kind);
	}
out:
	json_decref(model);
	json_decref(doc);
	targets_free(t, nr);
	setup_release(&st);
	return ret;
}
