#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/cadence.h"
#include "herald/event.h"
#include "herald/kind.h"
#include "herald/model.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/targetview.h"
#include "herald/usage.h"
#include "herald/banned.h"

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
static char *try_payload(const struct target *t)
{
	json_t *doc = json_loads(sample_doc, 0, NULL), *model = model_build(doc, NULL);
	struct render_source src;
	struct payload p;
	struct strbuf why = STRBUF_INIT;
	int rc;

	memset(&src, 0, sizeof(src));
	src.dir = t->template_dir;
	usage_capture(&why);
	rc = payload_build(&src, t->kind, t->template, t->options, NULL,
			   json_object_get(model, "events"), "sample", 1767225600LL, &p);
	if (!rc && t->digest.on && (t->template || !kind_find(t->kind)->body)) {
		/* a scheduled digest: the same template as a batch under a headline */
		payload_release(&p);
		rc = payload_build_digest(&src, t->kind, t->template, t->options, NULL,
					  json_object_get(model, "events"),
					  "This week on Sample: 1 new post", "sample", 1767225600LL, &p);
	}
	usage_capture(NULL);
	json_decref(model);
	json_decref(doc);
	if (!rc) {
		payload_release(&p);
		strbuf_release(&why);
		return NULL;
	}
	return strbuf_detach(&why, NULL);
}

int targetview_print(const struct target *t, FILE *out)
{
	const struct kind *k = kind_find(t->kind);
	char *where = target_redact(t->url), *name = printable(t->name);
	char *kind = printable(t->kind ? t->kind : "?"), *why = NULL;
	size_t j;
	int type, unusable;

	fprintf(out, "%-16s %-11s %-36s", name, kind, where);
	for (type = 0; type < EVENT_TYPES; type++)
		if (target_wants(t, type))
			fprintf(out, " %s", event_type_name((enum event_type)type));
	if (t->batch)
		fprintf(out, " (batched)");
	if (t->secrets.nr)
		fprintf(out, " (signed)");
	if (t->follow)
		fprintf(out, " (follows: %s%s%s)", t->follow & FOLLOW_EDIT ? "edit" : "",
			t->follow == (FOLLOW_EDIT | FOLLOW_RETRACT) ? " " : "",
			t->follow & FOLLOW_RETRACT ? "retract" : "");
	if (t->digest.on) {
		char when[40];
		cadence_format(&t->digest, when, sizeof(when));
		fprintf(out, " (digest %s %s%s)", when, t->timezone ? t->timezone : "UTC",
			t->digest_empty ? ", even empty" : "");
	}
	fputc('\n', out);
	if (k) {
		char *dir = printable(t->template_dir);
		char *tmpl = printable(t->template);
		if (t->template)
			fprintf(out, "%-16s template %s/%s\n", "", dir, tmpl);
		else if (k->render) /* email */
			fprintf(out, "%-16s templates email-subject.txt, email.txt, email.html: %s%s\n", "",
				t->template_dir ? dir : "built-in",
				t->template_dir ? " if there, else built-in" : "");
		else if (k->body) /* webhook */
			fprintf(out, "%-16s template none: herald's {type, timestamp, data} body\n", "");
		else if (t->template_dir)
			fprintf(out, "%-16s template %s/payload-%s.json if there, else built-in\n",
				"", dir, t->kind);
		else
			fprintf(out, "%-16s template built-in payload-%s.json\n", "", t->kind);
		free(dir);
		free(tmpl);
		if (k->describe && !t->problem) {
			struct strbuf line = STRBUF_INIT;
			char *shown;
			k->describe(t, &line);
			shown = printable(line.buf);
			fprintf(out, "%-16s %s\n", "", shown);
			free(shown);
			strbuf_release(&line);
		}
	}
	for (j = 0; j < t->secrets.nr; j++)
		if (strncmp(t->secrets.v[j], "whsec_", 6)) {
			fprintf(out, "%-16s warning: secret %zu has no whsec_ prefix: herald signs with its bytes "
				"as written, which Standard Webhooks libraries cannot verify (they read base64 "
				"after whsec_); use whsec_ and the base64 of the key\n", "", j + 1);
			break;
		}
	if (!t->problem && (why = try_payload(t))) {
		fprintf(out, "%-16s unusable: payload: %s\n", "", why);
	} else if (t->problem) {
		char *shown = printable(t->problem);
		fprintf(out, "%-16s unusable: %s\n", "", shown);
		free(shown);
	}
	unusable = t->problem || why;
	free(why);
	free(where);
	free(name);
	free(kind);
	return unusable;
}
