#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "herald/command.h"
#include "herald/heap.h"
#include "herald/help.h"
#include "herald/perftrace.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
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
	fprintf(out, "\n'herald help COMMAND' or 'herald COMMAND --help' opens its manual page,\n"
		     "'herald COMMAND -h' prints its short usage; 'herald help config' and\n"
		     "'herald help templates' open the pages on configuration and templates.\n");
}

static const struct command *lookup(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/*
 * `herald help TOPIC` and `herald COMMAND --help`: the manual page when man
 * and the page are there, else what -h prints (a command's short usage).
 */
static int help(const char *topic)
{
	static const struct {
		const char *topic, *page;
		int section;
	} guides[] = {
		{ "herald", "herald", 1 },
		{ "config", "herald-config", 5 },
		{ "templates", "herald-templates", 7 },
	};
	const struct command *cmd = lookup(topic);
	char *page;
	size_t i;
	int ret;

	if (cmd) {
		char h[] = "-h";
		char *av[] = { (char *)cmd->name, h, NULL };

		page = xstrfmt("herald-%s", cmd->name);
		ret = help_show_page(page, 1);
		free(page);
		return ret < 0 ? EXIT_FATAL : cmd->fn(2, av);
	}
	for (i = 0; i < ARRAY_SIZE(guides); i++) {
		if (strcmp(topic, guides[i].topic))
			continue;
		if (help_show_page(guides[i].page, guides[i].section) < 0)
			return EXIT_FATAL;
		if (!strcmp(topic, "herald")) {
			usage(stdout);
			return 0;
		}
		error("the manual page %s(%d) is not installed; it is man/man%d/%s.%d "
		      "in herald's source", guides[i].page, guides[i].section,
		      guides[i].section, guides[i].page, guides[i].section);
		return EXIT_FINDINGS;
	}
	error("'%s' is neither a herald command nor a help topic; see 'herald -h'",
	      topic);
	return EXIT_USAGE;
}

/* Does a --help come before any "--" in the command's arguments? */
static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help"))
			return 1;
	return 0;
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
		} else if (!strcmp(argv[0], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[0], "--help")) {
			return help("herald");
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
		if (argc > 2) {
			error("help takes one topic");
			return EXIT_USAGE;
		}
		if (argc > 1 && !strcmp(argv[1], "--help"))
			return help("herald");
		if (argc > 1 && strcmp(argv[1], "-h"))
			return help(argv[1]);
		usage(stdout);
		return 0;
	}
	cmd = lookup(argv[0]);
	if (!cmd) {
		error("'%s' is not a herald command; see 'herald -h'", argv[0]);
		return EXIT_USAGE;
	}
	if (wants_help(argc, argv))
		return help(cmd->name);
	(void)heap_prefer_huge_pages();
	perftrace_init();
	repo_library_start(); /* libcurl starts with the first request (deliver.c) */
	perftrace_mark("start");
	ret = cmd->fn(argc, argv);
	if (fflush(stdout) || ferror(stdout)) {
		error("cannot write to standard output");
		ret = EXIT_FATAL;
	}
	repo_library_stop();
	curl_global_cleanup();
	perftrace_report(cmd->name, !strcmp(cmd->name, "hook") && argc > 1 ? argv[1] : NULL);
	return ret;
}
