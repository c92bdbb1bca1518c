#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <git2.h>

#include "herald/command.h"
#include "herald/usage.h"
#include "herald/banned.h"

const struct command commands[] = {



	{ "announce", cmd_announce, "announce posts to every target in git config" },
	{ "ci", cmd_ci, "announce a push from a CI job, state kept in git" },
	{ "deliver", cmd_deliver, "send what is due in the outbox" },
	{ "digest", cmd_digest, "render what's new: Markdown, HTML, Atom or JSON Feed" },
	{ "hook", cmd_hook, "run as a git post-receive or pre-receive hook" },
	{ "install", cmd_install, "install herald's git hooks into a repository" },
	{ "lint", cmd_lint, "check the front matter of every post" },
	{ "notes", cmd_notes, "render release notes for a range" },
	{ "outbox", cmd_outbox, "list, show, retry or drop deliveries" },
	{ "render", cmd_render, "render a saved scan document through a template" },
	{ "scan", cmd_scan, "list what happened to posts between two commits" },
	{ "show", cmd_show, "show one post as herald reads it" },
	{ "status", cmd_status, "report delivery health for monitoring" },
	{ "targets", cmd_targets, "list the announcement targets" },
	{ "tick", cmd_tick, "announce scheduled posts whose time has come (cron)" },
	{ "version", cmd_version, "print herald's version and its libraries'" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: herald [-C DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "   %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'herald COMMAND --help' tells more about a command.\n");
}

static const struct command *lookup(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	const char *base = strrchr(argv[0], '/');
	int ret;

	argv++, argc--;
	/* As `git herald`, git has already done -C for us. */
	(void)base;
	while (argc > 0 && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-C")) {
			if (argc < 2) {
				error("-C needs a folder");
				return EXIT_USAGE;
			}
			if (chdir(argv[1]) < 0)
				die("cannot change to '%s': %s", argv[1],
				    strerror(errno));
			argv += 2, argc -= 2;
		} else if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[0], "--version")) {
			argv[0] = (char *)"version";
			break;
		} else {
			error("unknown option '%s'", argv[0]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc > 1 && (cmd = lookup(argv[1]))) {
			char help[] = "--help";
			char *av[] = { argv[1], help, NULL };
			return cmd->fn(2, av);
		}
		usage(stdout);
		return 0;
	}
	cmd = lookup(argv[0]);
	if (!cmd) {
		error("'%s' is not a herald command; see 'herald --help'", argv[0]);
		return EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("cannot initialise libcurl");
	git_libgit2_init();
	ret = cmd->fn(argc, argv);
	if (fflush(stdout) || ferror(stdout)) {
		error("cannot write to standard output");
		ret = EXIT_FATAL;
	}
	git_libgit2_shutdown();
	curl_global_cleanup();
	return ret;
}
