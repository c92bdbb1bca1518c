/*
 * The options notes and digest share (REPORT_OPTIONS in report.h): --format
 * is checked against the kind's own formats, and the refusal names them;
 * -o and --template land in the report's options.
 */
#include <stdio.h>
#include <string.h>

#include "herald/options.h"
#include "herald/report.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "herald/banned.h"

/* Parses `line` for `kind`; what error() said goes to `said`. */
static int parse(const char *kind, const char *line, struct report_options *o,
		 struct strbuf *said)
{
	const struct option_spec opts[] = {
		REPORT_OPTIONS(o, "FMT", "F"),
		OPT_END(),
	};
	char buf[256], *argv[16], *p, *save = NULL;
	int argc = 0, rc;

	snprintf(buf, sizeof(buf), "t %s", line);
	for (p = strtok_r(buf, " ", &save); p && argc < 15; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	report_options_init(o, kind);
	strbuf_reset(said);
	usage_capture(said);
	rc = options_parse(argc, argv, opts, "usage: t\n");
	usage_capture(NULL);
	return rc;
}

int main(void)
{
	static const struct {
		const char *kind, *line, *format; /* format NULL: refused */
		const char *says;
	} rows[] = {
		{ "notes", "", "md", NULL },
		{ "notes", "--format md", "md", NULL },
		{ "notes", "--format html", "html", NULL },
		{ "notes", "--format json", "json", NULL },
		{ "notes", "--format atom", NULL, "--format must be md, html or json, not 'atom'" },
		{ "notes", "--format MD", NULL, "--format must be md, html or json, not 'MD'" },
		{ "digest", "--format atom", "atom", NULL },
		{ "digest", "--format=json", "json", NULL },
		{ "digest", "--format txt", NULL, "--format must be md, html, atom or json, not 'txt'" },
		{ "digest", "--format html --format md", "md", NULL },
	};
	struct strbuf said = STRBUF_INIT;
	struct report_options o;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = parse(rows[i].kind, rows[i].line, &o, &said);
		if (rows[i].format)
			ok(rc > 0 && !strcmp(o.format, rows[i].format) && !said.len,
			   "%s %s: format %s", rows[i].kind, rows[i].line, rows[i].format);
		else
			ok(rc == OPTIONS_BAD && strstr(said.buf, rows[i].says),
			   "%s %s: refused, saying %s", rows[i].kind, rows[i].line, rows[i].says);
	}

	rc = parse("notes", "-o out.md --template t.md a", &o, &said);
	ok(rc == 5 && !strcmp(o.output, "out.md") && !strcmp(o.template_file, "t.md") &&
	   !strcmp(o.kind, "notes"), "-o and --template land in the options; operands follow");
	rc = parse("digest", "", &o, &said);
	ok(rc == 1 && !strcmp(o.output, "-") && !o.template_file && !o.limit && !o.drafts,
	   "the defaults: standard output, the built-in template, no limit");

	strbuf_release(&said);
	return done_testing();
}
