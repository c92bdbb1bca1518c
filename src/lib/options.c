#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/options.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* Long options get codes above any byte, so they never clash with letters. */
#define LONG_BASE 256

static size_t count(const struct option_spec *opts)
{
	size_t n = 0;

	while (opts[n].kind != OPTION_END)
		n++;
	return n;
}

/* "-o, --out FILE" or "--json": what the help shows left of the text. */
static void left_column(struct strbuf *sb, const struct option_spec *o)
{
	strbuf_reset(sb);
	if (o->short_name)
		strbuf_addf(sb, "-%c, ", o->short_name);
	strbuf_addf(sb, "--%s", o->name);
	if (o->kind != OPTION_FLAG)
		strbuf_addf(sb, " %s", o->arg ? o->arg : "ARG");
}

void options_usage(FILE *out, const char *usage, const struct option_spec *opts)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = count(opts), width = 0;

	fputs(usage, out);
	for (i = 0; i < n; i++) {
		left_column(&sb, &opts[i]);
		if (sb.len > width)
			width = sb.len;
	}
	if (n)
		fputc('\n', out);
	for (i = 0; i < n; i++) {
		const char *h = opts[i].help ? opts[i].help : "", *nl;

		left_column(&sb, &opts[i]);
		fprintf(out, "    %-*s   ", (int)width, sb.buf);
		while ((nl = strchr(h, '\n'))) {
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h, (int)width + 7, "");
			h = nl + 1;
		}
		fprintf(out, "%s\n", h);
	}
	strbuf_release(&sb);
}

int options_parse(int argc, char **argv, const struct option_spec *opts, const char *usage)
{
	size_t n = count(opts), i;
	struct option *longopts = xcalloc(n + 2, sizeof(*longopts));
	struct strbuf shorts = STRBUF_INIT;
	int c, ret = 0;

	/* getopt_long says what is wrong with an option; -h is always help */
	strbuf_addstr(&shorts, "h");
	for (i = 0; i < n; i++) {
		longopts[i].name = opts[i].name;
		longopts[i].has_arg = opts[i].kind == OPTION_FLAG ? no_argument : required_argument;
		longopts[i].val = LONG_BASE + (int)i;
		if (opts[i].short_name) {
			strbuf_addch(&shorts, (char)opts[i].short_name);
			if (opts[i].kind != OPTION_FLAG)
				strbuf_addch(&shorts, ':');
		}
	}
	longopts[n].name = "help";
	longopts[n].val = 'h';
	optind = 0;
	while (!ret && (c = getopt_long(argc, argv, shorts.buf, longopts, NULL)) != -1) {
		const struct option_spec *o = NULL;

		if (c == 'h') {
			options_usage(stdout, usage, opts);
			ret = OPTIONS_HELP;
			break;
		}
		if (c >= LONG_BASE && (size_t)(c - LONG_BASE) < n)
			o = &opts[c - LONG_BASE];
		for (i = 0; !o && c > 0 && c < LONG_BASE && i < n; i++)
			if (opts[i].short_name == c)
				o = &opts[i];
		if (!o) {
			options_usage(stderr, usage, opts);
			ret = OPTIONS_BAD;
			break;
		}
		if (o->kind == OPTION_FLAG) {
			*(int *)o->value = 1;
		} else if (o->kind == OPTION_CALLBACK) {
			if (o->apply(o->value, optarg) < 0)
				ret = OPTIONS_BAD;
		} else if (o->kind == OPTION_SECONDS) {
			char *end;
			double *v = o->value;
			*v = strtod(optarg, &end);
			if (*end || !(*v >= 0)) {
				error("--%s takes seconds, not '%s'", o->name, optarg);
				ret = OPTIONS_BAD;
			}
		} else {
			if (o->check && o->check(optarg) < 0) {
				ret = OPTIONS_BAD;
				break;
			}
			*(const char **)o->value = optarg;
		}
	}
	if (!ret)
		ret = optind;
	free(longopts);
	strbuf_release(&shorts);
	return ret;
}

int options_command(int argc, char **argv, const struct option_spec *opts,
		    const char *usage, int max, const char *too_many, int *exit_code)
{
	int first = options_parse(argc, argv, opts, usage);

	if (first < 0) {
		*exit_code = first == OPTIONS_HELP ? 0 : EXIT_USAGE;
		return -1;
	}
	if (max >= 0 && argc - first > max) {
		error("%s", too_many);
		*exit_code = EXIT_USAGE;
		return -1;
	}
	return first;
}
