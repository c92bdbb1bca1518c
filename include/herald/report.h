#ifndef HERALD_REPORT_H
#define HERALD_REPORT_H

#include "herald/options.h"
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
	const char *output;   /* -o: a file, or "-" for standard output */
};

/* The defaults: md, to standard output. */
void report_options_init(struct report_options *o, const char *kind);

/*
 * The options `notes` and `digest` share, for a command's option table
 * (options.h); `o` is a struct report_options * that report_options_init()
 * gave its kind. --format is checked against the kind's formats.
 */
#define REPORT_OPTIONS(o, format_help, template_help)                          \
	OPT_CALLBACK("format", 0, (o), "FMT", (format_help), report_opt_format), \
	OPT_STRING("output", 'o', &(o)->output, "F",                           \
		   "write to F instead of standard output"),                   \
	OPT_STRING("template", 0, &(o)->template_file, "F", (template_help))

/* --format FMT: 0, or -1 after error() naming the kind's formats. */
int report_opt_format(void *ctx, const char *arg);

/* The built-in template for kind and format, or NULL when unknown. */
const char *report_template_name(const char *kind, const char *format);

/*
 * Reads the site configuration at the range's end and renders into
 * `out`; 0 or -1 after error().
 */
int report_render(struct setup *st, struct range *rg,
		  const struct report_options *o, struct strbuf *out);

/*
 * The range of a digest: from `since` (NULL: 7 days before st->now; a
 * date picks the newest commit of the first-parent line at or before it;
 * else a revision) to the revision `until`. 0, or -1 after error().
 */
int report_digest_range(struct setup *st, const char *since, const char *until,
			struct range *rg);

/*
 * Inserts `notes` at the top of the changelog at `path` (after its title
 * line, if it starts with one), marked with the range so a second run for
 * the same range changes nothing. Returns 0, 1 when the notes for this
 * range are there already, or -1 after error().
 */
int report_prepend(const char *path, const struct range *rg, const struct strbuf *notes);

#endif
