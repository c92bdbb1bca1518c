#ifndef HERALD_REPORT_H
#define HERALD_REPORT_H

#include "herald/strbuf.h"

struct setup;
struct range;

/*
 * What `notes` and `digest` share: scan a range, build the model, render
 * it through the template for KIND.FORMAT. Formats: notes md|html|json,
 * digest md|html|atom|json (atom is feed.atom, json is feed.json; json for
 * notes prints the model itself).
 */
struct report_options {
	const char *kind;     /* "notes" or "digest" */
	const char *format;
	const char *template_file; /* --template, or NULL */
	long limit;           /* at most this many posts, 0 for all */
	int drafts;
};

/* The built-in template for kind and format, or NULL when unknown. */
const char *report_template_name(const char *kind, const char *format);

/* Renders into `out`; 0 or -1 after error(). */
int report_render(struct setup *st, struct range *rg,
		  const struct report_options *o, struct strbuf *out);

#endif
