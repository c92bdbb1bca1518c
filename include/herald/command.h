#ifndef HERALD_COMMAND_H
#define HERALD_COMMAND_H

/*
 * One subcommand lives in src/cmd/cmd-<name>.c and exports cmd_<name>(). It
 * parses its options, calls the modules and prints; it alone picks the exit
 * code (0 ok, 1 findings, 128 fatal, 129 usage).
 */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_version(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_notes(int argc, char **argv);
int cmd_digest(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_announce(int argc, char **argv);
int cmd_ci(int argc, char **argv);
int cmd_deliver(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_targets(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_tick(int argc, char **argv);

/* The table in main.c, ended by a NULL name; used by `herald help`. */
extern const struct command commands[];

#endif
