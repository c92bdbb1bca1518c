/*
 * The option table (options.h): parsing by getopt_long's rules, checks,
 * -h/--help, bad options, and the help text made from the same table.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/options.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"
#include "herald/banned.h"

static const char usage[] = "usage: herald t [--json] [--out FILE] [-n] [ARG...]\n";

static int json, dry;
static const char *out, *state;
static double secs;
/* INT_MIN: parse() calls options_parse(); else options_command() with this max */
static int command_max = INT_MIN, command_exit;
static struct strbuf seen = STRBUF_INIT;

static int collect(void *ctx, const char *arg)
{
	struct strbuf *sb = ctx;

	if (!strcmp(arg, "bad"))
		return error("'bad' is refused");
	strbuf_addf(sb, "[%s]", arg);
	return 0;
}

static int check_state(const char *arg)
{
	if (strcmp(arg, "git") && strcmp(arg, "local"))
		return error("--state is git or local, not '%s'", arg);
	return 0;
}

static const struct option_spec opts[] = {
	OPT_FLAG("json", 0, &json, "print JSON"),
	OPT_STRING("out", 'o', &out, "FILE", "write to FILE\nand nowhere else"),
	OPT_FLAG("dry-run", 'n', &dry, "change nothing"),
	OPT_STRING_CHECKED("state", 0, &state, "WHERE", "git or local", check_state),
	OPT_SECONDS("max-time", 0, &secs, "S", "seconds"),
	OPT_CALLBACK("glob", 'g', &seen, "GLOB", "repeatable", collect),
	OPT_END(),
};

/* Parses the words of `line` with stdout and stderr sent to `cap`. */
static int parse(const char *line, struct strbuf *cap, int *first_arg, char ***argvp)
{
	static char *argv[16];
	static char buf[256];
	char *p, *save = NULL;
	int argc = 0, rc, o1 = dup(1), o2 = dup(2);
	FILE *f = tmpfile();

	snprintf(buf, sizeof(buf), "t %s", line);
	for (p = strtok_r(buf, " ", &save); p && argc < 15; p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	json = dry = 0;
	out = state = NULL;
	secs = -1;
	strbuf_reset(&seen);
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(f), 1);
	dup2(fileno(f), 2);
	command_exit = -1;
	if (command_max == INT_MIN)
		rc = options_parse(argc, argv, opts, usage);
	else
		rc = options_command(argc, argv, opts, usage, command_max, "too many", &command_exit);
	fflush(stdout);
	fflush(stderr);
	dup2(o1, 1);
	dup2(o2, 2);
	close(o1);
	close(o2);
	strbuf_reset(cap);
	rewind(f);
	{
		char chunk[1024];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			strbuf_add(cap, chunk, n);
	}
	fclose(f);
	*first_arg = rc;
	*argvp = argv;
	return argc;
}

int main(void)
{
	struct strbuf cap = STRBUF_INIT;
	char **argv;
	int first, argc;

	argc = parse("--json -o x.txt a b", &cap, &first, &argv);
	ok(json && !dry && out && !strcmp(out, "x.txt") && first == 4 && argc == 6 &&
	   !strcmp(argv[first], "a") && !cap.len, "flags, a short option with its argument, operands");

	argc = parse("a --out=y -n b", &cap, &first, &argv);
	ok(dry && out && !strcmp(out, "y") && first == 3 && !strcmp(argv[3], "a") &&
	   !strcmp(argv[4], "b"), "--name=value, operands before options are moved after them");

	parse("--js --dry", &cap, &first, &argv);
	ok(json && dry && first == 3, "unambiguous abbreviations");

	parse("-- --json", &cap, &first, &argv);
	ok(!json && first == 2 && !strcmp(argv[2], "--json"), "-- ends the options");

	parse("--state git", &cap, &first, &argv);
	ok(state && !strcmp(state, "git") && first == 3, "a checked argument that passes");

	parse("--state nowhere --json", &cap, &first, &argv);
	ok(first == OPTIONS_BAD && !state && strstr(cap.buf, "--state is git or local, not 'nowhere'") &&
	   !strstr(cap.buf, "usage:"), "a checked argument that fails: its error, no usage");

	parse("--bogus", &cap, &first, &argv);
	ok(first == OPTIONS_BAD && strstr(cap.buf, "unrecognized option") &&
	   strstr(cap.buf, "usage: herald t"), "an unknown option: what is wrong, then the usage");

	parse("--out", &cap, &first, &argv);
	ok(first == OPTIONS_BAD && strstr(cap.buf, "requires an argument"),
	   "a missing argument is refused");

	parse("-h --bogus", &cap, &first, &argv);
	ok(first == OPTIONS_HELP && !strncmp(cap.buf, usage, strlen(usage)), "-h prints the help");

	parse("--max-time 2.5", &cap, &first, &argv);
	ok(first == 3 && secs == 2.5, "seconds, fractions allowed");
	parse("--max-time -1", &cap, &first, &argv);
	ok(first == OPTIONS_BAD && strstr(cap.buf, "--max-time takes seconds, not '-1'"),
	   "negative seconds are refused, naming the option");
	parse("--max-time 3x", &cap, &first, &argv);
	ok(first == OPTIONS_BAD, "seconds with trailing text are refused");
	parse("-g a --glob=b -gc", &cap, &first, &argv);
	ok(first == 5 && !strcmp(seen.buf, "[a][b][c]"), "a callback sees every use, in order");
	parse("--glob bad", &cap, &first, &argv);
	ok(first == OPTIONS_BAD && strstr(cap.buf, "'bad' is refused"), "a callback can refuse");

	parse("--help", &cap, &first, &argv);
	ok(first == OPTIONS_HELP, "--help prints the help");
	ok(strstr(cap.buf, "\n"
			   "    --json            print JSON\n"
			   "    -o, --out FILE    write to FILE\n"
			   "                      and nowhere else\n"
			   "    -n, --dry-run     change nothing\n"
			   "    --state WHERE     git or local\n"
			   "    --max-time S      seconds\n"
			   "    -g, --glob GLOB   repeatable\n") != NULL,
	   "the help's option lines come from the table, aligned, continued under the text");

	/* options_command(): the same parsing, then the exit code and operand count */
	{
		static const struct {
			const char *line;
			int max, first, exit_code;
			const char *says;
		} rows[] = {
			{ "--json a b", 2, 2, -1, NULL },
			{ "--json", 0, 2, -1, NULL },
			{ "a b c", -1, 1, -1, NULL },
			{ "a b c", 2, -1, EXIT_USAGE, "herald: error: too many" },
			{ "a --json", 0, -1, EXIT_USAGE, "herald: error: too many" },
			{ "-- --json", 0, -1, EXIT_USAGE, "too many" },
			{ "--help a b c", 0, -1, 0, "usage: herald t" },
			{ "-h", 0, -1, 0, "    --json" },
			{ "--bogus", 0, -1, EXIT_USAGE, "unrecognized option" },
			{ "--state nowhere", 0, -1, EXIT_USAGE, "--state is git or local" },
			{ "--max-time x a b", 0, -1, EXIT_USAGE, "--max-time takes seconds" },
		};
		size_t i;

		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			command_max = rows[i].max;
			parse(rows[i].line, &cap, &first, &argv);
			ok(first == rows[i].first && command_exit == rows[i].exit_code &&
			   (rows[i].says ? strstr(cap.buf, rows[i].says) != NULL : !cap.len),
			   "options_command(\"%s\", max %d): first %d, exit %d, says %s",
			   rows[i].line, rows[i].max, rows[i].first, rows[i].exit_code,
			   rows[i].says ? rows[i].says : "nothing");
		}
		command_max = INT_MIN;
	}

	strbuf_release(&cap);
	strbuf_release(&seen);
	return done_testing();
}
