#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/command.h"
#include "herald/date.h"
#include "herald/post.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

static const char show_usage[] =
	"usage: herald show [options] PATH [--at REV]\n"
	"\n"
	"Shows one post as herald reads it at REV (default HEAD): its state, url,\n"
	"date, slug, front matter, and why it is invalid if it is.\n"
	"\n"
	"    --at REV       read the post at this revision\n"
	"    --json         print {path,state,title,slug,url,date,front_matter,error}\n"
	"    --now DATE     evaluate its state at DATE (RFC 3339)\n"
	"    --posts GLOB   which paths are posts (repeatable)\n";

static json_t *show_json(const struct post *p, int is_post_path)
{
	json_t *o = post_to_json(p), *err = json_null();

	json_object_del(o, "tags");
	json_object_del(o, "summary");
	json_object_del(o, "summary_markdown");
	if (p->state == POST_INVALID)
		err = json_pack("{s:i, s:i, s:s}", "line", p->error_line,
				"column", p->error_column, "message", p->error);
	else if (!is_post_path)
		err = json_pack("{s:n, s:n, s:s}", "line", "column", "message",
				"the path is not a post by the site generator's rules or the post globs (see --posts)");
	else if (p->error)
		err = json_pack("{s:n, s:n, s:s}", "line", "column", "message", p->error);
	json_object_set_new(o, "path", value_text(p->path));
	json_object_set_new(o, "state", json_string(post_state_name(p->state)));
	json_object_set_new(o, "error", err);
	if (p->state == POST_INVALID || p->state == POST_ABSENT) {
		json_object_set_new(o, "title", json_null());
		json_object_set_new(o, "slug", json_null());
	}
	return o;
}

static void show_text(json_t *o, const struct post *p)
{
	json_t *err = json_object_get(o, "error");
	const char *keys[] = { "path", "state", "title", "slug", "url", "date", NULL };
	size_t i;

	char *path = printable(p->path), *msg;

	for (i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(o, keys[i]));
		char *shown = printable(v ? v : "-");
		printf("%-7s %s\n", keys[i], shown);
		free(shown);
	}
	if (p->fm.data) {
		/* JSON escapes every control character itself */
		char *fm = json_dumps(p->fm.data, JSON_SORT_KEYS | JSON_INDENT(2));
		printf("front matter:\n%s\n", fm);
		free(fm);
	}
	if (json_is_object(err)) {
		json_t *line = json_object_get(err, "line");
		msg = printable(json_string_value(json_object_get(err, "message")));
		if (json_is_integer(line) && json_integer_value(line))
			printf("error   %s:%lld:%lld: %s\n", path,
			       (long long)json_integer_value(line),
			       (long long)json_integer_value(json_object_get(err, "column")),
			       msg);
		else
			printf("error   %s\n", msg);
		free(msg);
	}
	for (i = 0; i < p->fm.nr_problems; i++) {
		if (p->fm.problems[i].is_error)
			continue;
		msg = printable(p->fm.problems[i].message);
		printf("warning %s:%d:%d: %s\n", path, p->fm.problems[i].line,
		       p->fm.problems[i].column, msg);
		free(msg);
	}
	free(path);
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "at", required_argument, NULL, 'a' },
		SETUP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct setup st;
	struct post p;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	const char *at = "HEAD", *path;
	size_t size;
	json_t *o = NULL;
	int json = 0, c, ret = 0;

	setup_init(&st);
	post_init(&p);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'a': at = optarg; break;
		case 'h':
			fputs(show_usage, stdout);
			goto out;
		default:
			if ((ret = setup_option(&st, c, optarg, show_usage)))
				goto out;
			break;
		}
	}
	if (argc - optind != 1) {
		error("show needs exactly one PATH");
		fputs(show_usage, stderr);
		ret = EXIT_USAGE;
		goto out;
	}
	path = argv[optind];
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (setup_open(&st) < 0 || repo_commit(st.repo, at, &commit) < 0 ||
	    git_commit_tree(&tree, commit) < 0 || setup_site(&st, tree) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (git_tree_entry_bypath(&entry, tree, path) < 0) {
		error("'%s' does not exist at '%s'", path, at);
		ret = EXIT_FATAL;
		goto out;
	}
	switch (git_tree_entry_filemode(entry)) {
	case GIT_FILEMODE_LINK:
		post_not_a_file(&p, path, "symbolic link");
		break;
	case GIT_FILEMODE_COMMIT:
		post_not_a_file(&p, path, "submodule");
		break;
	case GIT_FILEMODE_TREE:
		error("'%s' is a folder at '%s'", path, at);
		ret = EXIT_FATAL;
		goto out;
	default:
		c = repo_blob_capped(st.repo->git, git_tree_entry_id(entry), path,
				     HERALD_POST_MAX, &blob, &size);
		if (c < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
		if (!blob)
			post_too_large(&p, path, size);
		else
			post_read(&p, &st.site, path, git_blob_rawcontent(blob),
				  (size_t)git_blob_rawsize(blob), st.now, 0);
	}
	if (!site_is_post_path(&st.site, path) && p.state != POST_INVALID)
		p.state = POST_ABSENT;
	o = show_json(&p, site_is_post_path(&st.site, path));
	if (json) {
		json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_INDENT(2));
		putchar('\n');
	} else {
		show_text(o, &p);
	}
	if (p.state == POST_INVALID)
		ret = EXIT_FINDINGS;
out:
	json_decref(o);
	post_release(&p);
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	setup_release(&st);
	return ret;
}
