#ifndef HERALD_OPTIONS_H
#define HERALD_OPTIONS_H

#include <stdio.h>

/*
 * One table per command gives both its option parsing and the option
 * lines of its --help, so the two cannot drift apart. Parsing is
 * getopt_long's (options and operands in any order, unambiguous
 * abbreviations, --name=value, `--` ends the options); -h and --help are
 * always there and print the help.
 *
 *	static const char foo_usage[] =
 *		"usage: herald foo [--json] [--out FILE]\n"
 *		"\n"
 *		"What foo does.\n";
 *	const struct option_spec opts[] = {
 *		OPT_FLAG("json", 0, &json, "print one JSON document"),
 *		OPT_STRING("out", 'o', &out, "FILE", "write to FILE\nthen stop"),
 *		OPT_END(),
 *	};
 *
 * `help` is one line per line of the help text; the lines after the
 * first are aligned under it.
 */
enum option_kind {
	OPTION_END,
	OPTION_FLAG,   /* value is an int *, set to 1 */
	OPTION_STRING, /* value is a const char **, set to the argument */
	OPTION_CALLBACK, /* apply(value, argument) takes it; value is its context */
	OPTION_SECONDS,  /* value is a double *: a number of seconds, 0 or more */
};

struct option_spec {
	enum option_kind kind;
	const char *name; /* the long name, without "--" */
	int short_name;   /* a letter, or 0 for none */
	void *value;
	const char *arg;  /* the argument's name in the help: "FILE" */
	const char *help;
	/* checks an argument as it is read: 0, or -1 after error() */
	int (*check)(const char *arg);
	/* OPTION_CALLBACK: uses the argument; 0, or -1 after error() */
	int (*apply)(void *ctx, const char *arg);
};

#define OPT_FLAG(l, s, v, h) { OPTION_FLAG, (l), (s), (v), NULL, (h), NULL, NULL }
#define OPT_STRING(l, s, v, a, h) { OPTION_STRING, (l), (s), (v), (a), (h), NULL, NULL }
#define OPT_STRING_CHECKED(l, s, v, a, h, c) \
	{ OPTION_STRING, (l), (s), (v), (a), (h), (c), NULL }
#define OPT_CALLBACK(l, s, ctx, a, h, fn) { OPTION_CALLBACK, (l), (s), (ctx), (a), (h), NULL, (fn) }
#define OPT_SECONDS(l, s, v, a, h) { OPTION_SECONDS, (l), (s), (v), (a), (h), NULL, NULL }
#define OPT_END() { OPTION_END, NULL, 0, NULL, NULL, NULL, NULL, NULL }

/*
 * Parses argv[1..argc-1] (argv[0] is the command's name) by `opts`. Returns
 * the index in argv of the first operand, which is where getopt_long moved
 * the operands; OPTIONS_HELP after printing the help to stdout (-h,
 * --help); OPTIONS_BAD after printing what was wrong and the help to
 * stderr (the command exits EXIT_USAGE).
 */
#define OPTIONS_HELP (-1)
#define OPTIONS_BAD (-2)
int options_parse(int argc, char **argv, const struct option_spec *opts, const char *usage);

/*
 * options_parse() as a command calls it, with the operand count checked:
 * returns the index of the first operand, or -1 with *exit_code set to
 * what the command exits with (0 after the help; EXIT_USAGE after saying
 * what was wrong, error(too_many) when more than `max` operands were
 * given). `max` -1 leaves the operands to the command.
 */
int options_command(int argc, char **argv, const struct option_spec *opts,
		    const char *usage, int max, const char *too_many, int *exit_code);

/* Prints `usage`, a blank line and the option lines of `opts` to `out`. */
void options_usage(FILE *out, const char *usage, const struct option_spec *opts);

#endif
