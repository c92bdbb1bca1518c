#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "herald/command.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char install_usage[] =
	"usage: herald install [--uninstall] [--hooks DIR] [REPO]\n"
	"\n"
	"Installs herald's post-receive and pre-receive hooks into REPO (default:\n"
	"the repository herald is in), in core.hooksPath when that is set. A hook\n"
	"already there is kept and runs first, as <hook>.herald-chained; where a\n"
	"<hook>.d/ folder exists (Gitea, GitLab), herald's hook goes there as\n"
	"<hook>.d/herald instead. Installing again only refreshes herald's hooks.\n"
	"Then prints the cron lines, and the commands that enable the systemd timers\n"
	"herald ships for this repository, that run 'herald deliver' and 'tick'.\n"
	"\n"
	"    --uninstall    remove herald's hooks and put back the ones they chained\n"
	"    --hooks DIR    read the hook scripts from DIR (default: $HERALD_HOOKS_DIR,\n"
	"                   else share/herald/hooks next to the binary, else built in)\n";

#define HOOK_MARKER "# installed by herald"
#define HOOK_BAKED "installed_herald="
#define CHAINED ".herald-chained"
#define TEMPLATE_MAX (1024 * 1024)

static const char *const hook_names[] = { "post-receive", "pre-receive" };

/*
 * The scripts of hooks/, for a herald installed without them (copied on its
 * own, or run from elsewhere than its build tree). t0030 checks that an
 * install from these and one from hooks/ are the same.
 */
static const char builtin_post_receive[] =
	"#!/bin/sh\n"
	"# installed by herald\n"
	"#\n"
	"# herald's post-receive hook: announces the posts a push published. The push\n"
	"# has already happened, so this hook always exits 0. A post-receive hook that\n"
	"# was here before 'herald install' runs first, with the same input, as\n"
	"# post-receive.herald-chained; 'herald install --uninstall' puts it back.\n"
	"\n"
	"# $HERALD, else the herald that installed this hook, else herald on PATH.\n"
	"installed_herald=''\n"
	"if [ -n \"${HERALD:-}\" ] && command -v \"$HERALD\" >/dev/null 2>&1; then\n"
	"\therald=$HERALD\n"
	"elif [ -n \"$installed_herald\" ] && [ -x \"$installed_herald\" ]; then\n"
	"\therald=$installed_herald\n"
	"elif command -v herald >/dev/null 2>&1; then\n"
	"\therald=herald\n"
	"else\n"
	"\therald=\n"
	"fi\n"
	"\n"
	"chained=$0.herald-chained\n"
	"if [ -f \"$chained\" ] && [ -x \"$chained\" ]; then\n"
	"\tif [ -z \"$herald\" ]; then\n"
	"\t\t\"$chained\" \"$@\"\n"
	"\t\techo \"herald: not installed\" >&2\n"
	"\t\texit 0\n"
	"\tfi\n"
	"\t# Both read the same input, so keep a copy of it.\n"
	"\tinput=$(mktemp \"${TMPDIR:-/tmp}/herald-hook.XXXXXX\") || {\n"
	"\t\t\"$chained\" \"$@\"\n"
	"\t\techo \"herald: cannot save the hook's input; nothing announced\" >&2\n"
	"\t\texit 0\n"
	"\t}\n"
	"\ttrap 'rm -f \"$input\"' EXIT\n"
	"\ttrap 'exit 0' HUP INT TERM\n"
	"\tcat >\"$input\"\n"
	"\t\"$chained\" \"$@\" <\"$input\"\n"
	"\t\"$herald\" hook post-receive \"$@\" <\"$input\"\n"
	"\texit 0\n"
	"fi\n"
	"if [ -z \"$herald\" ]; then\n"
	"\techo \"herald: not installed\" >&2\n"
	"\texit 0\n"
	"fi\n"
	"\"$herald\" hook post-receive \"$@\"\n"
	"exit 0\n";

static const char builtin_pre_receive[] =
	"#!/bin/sh\n"
	"# installed by herald\n"
	"#\n"
	"# herald's pre-receive hook: refuses a push whose posts herald cannot read\n"
	"# (exits with the status of 'herald hook pre-receive'). A pre-receive hook\n"
	"# that was here before 'herald install' runs first, with the same input, as\n"
	"# pre-receive.herald-chained, and its refusal still refuses the push;\n"
	"# 'herald install --uninstall' puts it back.\n"
	"\n"
	"# $HERALD, else the herald that installed this hook, else herald on PATH.\n"
	"installed_herald=''\n"
	"if [ -n \"${HERALD:-}\" ] && command -v \"$HERALD\" >/dev/null 2>&1; then\n"
	"\therald=$HERALD\n"
	"elif [ -n \"$installed_herald\" ] && [ -x \"$installed_herald\" ]; then\n"
	"\therald=$installed_herald\n"
	"elif command -v herald >/dev/null 2>&1; then\n"
	"\therald=herald\n"
	"else\n"
	"\therald=\n"
	"fi\n"
	"\n"
	"chained=$0.herald-chained\n"
	"if [ -f \"$chained\" ] && [ -x \"$chained\" ]; then\n"
	"\tif [ -z \"$herald\" ]; then\n"
	"\t\texec \"$chained\" \"$@\"\n"
	"\tfi\n"
	"\t# Both read the same input, so keep a copy of it.\n"
	"\tinput=$(mktemp \"${TMPDIR:-/tmp}/herald-hook.XXXXXX\") || {\n"
	"\t\techo \"herald: cannot save the hook's input; not checked by herald\" >&2\n"
	"\t\texec \"$chained\" \"$@\"\n"
	"\t}\n"
	"\ttrap 'rm -f \"$input\"' EXIT\n"
	"\ttrap 'exit 1' HUP INT TERM\n"
	"\tcat >\"$input\"\n"
	"\t\"$chained\" \"$@\" <\"$input\"\n"
	"\tstatus=$?\n"
	"\tif [ $status -ne 0 ]; then\n"
	"\t\texit $status\n"
	"\tfi\n"
	"\t\"$herald\" hook pre-receive \"$@\" <\"$input\"\n"
	"\texit $?\n"
	"fi\n"
	"if [ -z \"$herald\" ]; then\n"
	"\texit 0\n"
	"fi\n"
	"exec \"$herald\" hook pre-receive \"$@\"\n";

struct install {
	char *hooks;  /* the hooks folder, no trailing '/' */
	char *exe;    /* the running herald's absolute path, or NULL */
	const char *templates; /* --hooks */
};

/* The running binary, so hooks and cron need no PATH; NULL off Linux. */
static char *self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int shell_safe(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/._+,:@=-", *s))
			return 0;
	return 1;
}

/* Appends `s` in single quotes, each ' written as '\''. */
static void sq_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

static int has_marker(const char *buf, size_t len)
{
	size_t mlen = strlen(HOOK_MARKER), i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (end - i == mlen && !memcmp(buf + i, HOOK_MARKER, mlen))
			return 1;
		i = end + 1;
	}
	return 0;
}

/*
 * Turns a template into the hook to install: adds the marker when the
 * template lacks it, and writes our path into the `installed_herald=` line.
 */
static void hook_prepare(struct strbuf *script, const char *exe)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = script->buf, *end = script->buf + script->len;
	int baked = 0, marked = has_marker(script->buf, script->len);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl + 1 : end;

		if (!baked && !strncmp(p, HOOK_BAKED, strlen(HOOK_BAKED))) {
			strbuf_addstr(&out, HOOK_BAKED);
			sq_quote(&out, exe ? exe : "");
			strbuf_addch(&out, '\n');
			baked = 1;
		} else {
			strbuf_add(&out, p, (size_t)(eol - p));
			if (!nl)
				strbuf_addch(&out, '\n');
		}
		if (!marked && p == script->buf) {
			strbuf_addstr(&out, HOOK_MARKER "\n");
			marked = 1;
		}
		p = eol;
	}
	strbuf_release(script);
	*script = out;
}

static int read_template(const char *dir, const char *name, struct strbuf *out)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int ret = 0;

	if (strbuf_read_file(out, path, TEMPLATE_MAX) < 0)
		ret = error("cannot read the hook script '%s': %s", path,
			    strerror(errno));
	else if (!out->len)
		ret = error("the hook script '%s' is empty", path);
	free(path);
	return ret;
}

/* Reads `name` from a hooks/ folder of ours next to the binary; 1 if found. */
static int read_near_exe(const char *exe, const char *name, struct strbuf *out)
{
	static const char *const near_exe[] = {
		"../share/herald/hooks", /* $(PREFIX)/bin/herald */
		"../hooks",              /* build/herald */
		"../../hooks",           /* build/san/herald */
	};
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	size_t i;
	int found = 0;

	for (i = 0; slash && !found && i < ARRAY_SIZE(near_exe); i++) {
		char *path = xstrfmt("%.*s/%s/%s", (int)(slash - exe), exe,
				     near_exe[i], name);

		strbuf_reset(out);
		/* a folder that merely happens to be called hooks is not ours */
		found = !strbuf_read_file(out, path, TEMPLATE_MAX) &&
			has_marker(out->buf, out->len);
		free(path);
	}
	return found;
}

/*
 * Finds the script for hook `name`: --hooks, $HERALD_HOOKS_DIR, then next
 * to the binary (installed, or the build tree), else the built-in copy.
 */
static int hook_script(struct install *in, const char *name, struct strbuf *out)
{
	const char *env = getenv("HERALD_HOOKS_DIR");

	if (in->templates) {
		if (read_template(in->templates, name, out) < 0)
			return -1;
	} else if (env && *env) {
		if (read_template(env, name, out) < 0)
			return -1;
	} else if (!read_near_exe(in->exe, name, out)) {
		strbuf_reset(out);
		strbuf_addstr(out, strcmp(name, "pre-receive") ?
			builtin_post_receive : builtin_pre_receive);
	}
	hook_prepare(out, in->exe);
	return 0;
}

static int path_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* Is `path` a hook herald installed? Absent or unreadable is no. */
static int hook_is_ours(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ours = 0;

	if (!stat(path, &st) && S_ISREG(st.st_mode) &&
	    !strbuf_read_file(&sb, path, TEMPLATE_MAX))
		ours = has_marker(sb.buf, sb.len);
	strbuf_release(&sb);
	return ours;
}

/* Is the hook at `path` already exactly `script`, and executable? */
static int hook_is_current(const char *path, const struct strbuf *script)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int same = 0;

	if (!lstat(path, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR) &&
	    !strbuf_read_file(&sb, path, TEMPLATE_MAX))
		same = sb.len == script->len && !memcmp(sb.buf, script->buf, sb.len);
	strbuf_release(&sb);
	return same;
}

/*
 * Writes `script` next to `path`, executable, and returns the temporary
 * file's name (caller frees) for a rename into place; NULL after reporting.
 * The name starts with a dot: a runner of <hook>.d/ skips it, even when a
 * crash left it behind.
 */
static char *write_temp(const char *path, const struct strbuf *script)
{
	const char *base = strrchr(path, '/');
	char *tmp = base ? xstrfmt("%.*s/.%s.herald-new", (int)(base - path),
				   path, base + 1) :
			   xstrfmt(".%s.herald-new", path);
	mode_t mask = umask(0);
	mode_t mode = (0755 & ~mask) | S_IRWXU;
	size_t done = 0;
	ssize_t n = 1;
	int fd, e;

	umask(mask);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && !unlink(tmp)) /* left by a crash */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		goto out;
	while (done < script->len) {
		n = write(fd, script->buf + done, script->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (!n)
		errno = EIO;
	if (done < script->len || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		errno = e;
		fd = -1;
	} else if (close(fd) < 0) {
		fd = -1;
	}
out:
	if (fd < 0) {
		e = errno;
		unlink(tmp);
		error("cannot write '%s': %s", tmp, strerror(e));
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* Installs `script` at `path`, which holds nothing or a hook of ours. */
static int put_hook(const char *path, const struct strbuf *script)
{
	char *tmp = write_temp(path, script);
	int ret = 0;

	if (!tmp)
		return -1;
	if (rename(tmp, path) < 0) {
		ret = error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/*
 * Installs `script` at `path` over someone else's hook, which stays at
 * `chained` (same file, same mode) for ours to run first. The old hook is
 * in place until ours replaces it in one rename, so no push goes unhooked.
 */
static int chain_hook(const char *path, const char *chained,
		      const struct strbuf *script)
{
	char *tmp = NULL;
	int ret = 0;

	if (path_exists(chained))
		return error("cannot keep '%s' as '%s': that exists already", path,
			     chained);
	tmp = write_temp(path, script);
	if (!tmp)
		return -1;
	if (link(path, chained) < 0) {
		/* no hard links here: move it, and leave a moment unhooked */
		if (errno == EEXIST || rename(path, chained) < 0) {
			ret = error("cannot move '%s' to '%s': %s", path, chained,
				    strerror(errno));
			unlink(tmp);
			goto out;
		}
	}
	if (rename(tmp, path) < 0) {
		ret = error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		if (path_exists(path))
			unlink(chained);
		else
			rename(chained, path);
	}
out:
	free(tmp);
	return ret;
}

static int install_hook(struct install *in, const char *name)
{
	struct strbuf script = STRBUF_INIT;
	char *dotd = xstrfmt("%s/%s.d", in->hooks, name);
	char *path = NULL, *chained = NULL;
	struct stat st;
	int ret = 0;

	if (hook_script(in, name, &script) < 0) {
		ret = -1;
		goto out;
	}
	if (!stat(dotd, &st) && S_ISDIR(st.st_mode)) {
		/* the main hook runs every script in <hook>.d/: join them */
		path = xstrfmt("%s/herald", dotd);
		if (hook_is_current(path, &script))
			printf("'%s' is up to date\n", path);
		else if (path_exists(path) && !hook_is_ours(path))
			ret = error("'%s' exists and was not installed by herald", path);
		else if (!(ret = put_hook(path, &script)))
			printf("installed '%s'\n", path);
		goto out;
	}
	path = xstrfmt("%s/%s", in->hooks, name);
	chained = xstrfmt("%s" CHAINED, path);
	if (hook_is_current(path, &script)) {
		printf("'%s' is up to date\n", path);
	} else if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
		ret = error("'%s' is a folder", path);
	} else if (!path_exists(path) || hook_is_ours(path)) {
		if (!(ret = put_hook(path, &script)))
			printf("installed '%s'\n", path);
	} else if (!(ret = chain_hook(path, chained, &script))) {
		printf("installed '%s'; the hook that was there runs first, as '%s'\n",
		       path, chained);
	}
out:
	strbuf_release(&script);
	free(dotd);
	free(path);
	free(chained);
	return ret;
}

static int uninstall_hook(struct install *in, const char *name)
{
	char *entry = xstrfmt("%s/%s.d/herald", in->hooks, name);
	char *path = xstrfmt("%s/%s", in->hooks, name);
	char *chained = xstrfmt("%s" CHAINED, path);
	int ret = 0, done = 0;

	if (hook_is_ours(entry)) {
		if (unlink(entry) < 0) {
			ret = error("cannot remove '%s': %s", entry, strerror(errno));
			goto out;
		}
		printf("removed '%s'\n", entry);
		done = 1;
	}
	if (path_exists(chained) && (!path_exists(path) || hook_is_ours(path))) {
		/* one rename: the old hook replaces ours with nothing in between */
		if (rename(chained, path) < 0) {
			ret = error("cannot move '%s' back to '%s': %s", chained,
				    path, strerror(errno));
			goto out;
		}
		printf("put back '%s' (herald's hook removed)\n", path);
		done = 1;
	} else if (hook_is_ours(path)) {
		if (unlink(path) < 0) {
			ret = error("cannot remove '%s': %s", path, strerror(errno));
			goto out;
		}
		printf("removed '%s'\n", path);
		done = 1;
	} else if (path_exists(chained)) {
		warning("'%s' is not herald's; '%s' left as it is", path, chained);
	}
	if (!done)
		printf("no herald %s hook in '%s'\n", name, in->hooks);
out:
	free(entry);
	free(path);
	free(chained);
	return ret;
}

/*
 * Where git runs this repository's hooks: core.hooksPath (a relative one
 * is relative to $GIT_DIR, where git runs push hooks), else hooks/ in the
 * common git dir. Caller frees; NULL after reporting.
 */
static char *hooks_folder(git_repository *git)
{
	git_config *cfg = NULL;
	git_buf buf;
	char *dir = NULL;
	size_t len;
	int rc;

	memset(&buf, 0, sizeof(buf));
	if (git_repository_config_snapshot(&cfg, git) < 0) {
		repo_error("cannot read the git config");
		return NULL;
	}
	rc = git_config_get_path(&buf, cfg, "core.hooksPath");
	if (!rc && buf.ptr && *buf.ptr)
		dir = *buf.ptr == '/' ? xstrdup(buf.ptr) :
			xstrfmt("%s%s", git_repository_path(git), buf.ptr);
	else if (rc < 0 && rc != GIT_ENOTFOUND)
		repo_error("cannot read core.hooksPath");
	else
		dir = xstrfmt("%shooks", git_repository_commondir(git));
	for (len = dir ? strlen(dir) : 0; len > 1 && dir[len - 1] == '/'; len--)
		dir[len - 1] = '\0';
	git_buf_dispose(&buf);
	git_config_free(cfg);
	return dir;
}

static int open_repository(const char *arg, git_repository **git)
{
	const git_error *e;

	if (!git_repository_open_ext(git, arg, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL))
		return 0;
	e = git_error_last();
	if (e && e->message && strstr(e->message, "could not find repository"))
		return error("not a git repository: '%s'", arg);
	return error("cannot open the repository at '%s': %s", arg,
		     e && e->message ? e->message : "unknown libgit2 error");
}

/* Appends `s` with cron's % (a newline there) escaped. */
static void cron_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
}

/*
 * Appends the instance name systemd gives `path`, as `systemd-escape
 * --path` does: no leading or trailing '/', the others '-', and every byte
 * outside [A-Za-z0-9:_.] (or a leading '.') as \xNN.
 */
static void systemd_escape_path(struct strbuf *sb, const char *path)
{
	size_t start = sb->len;
	const char *p = path;

	while (*p == '/')
		p++;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '/') {
			while (p[1] == '/')
				p++;
			if (p[1])
				strbuf_addch(sb, '-');
		} else if ((c == '.' && sb->len == start) ||
			   !(strchr(":_.", c) || (c >= 'a' && c <= 'z') ||
			     (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
			strbuf_addf(sb, "\\x%02x", c);
		} else {
			strbuf_addch(sb, (char)c);
		}
	}
	if (sb->len == start)
		strbuf_addch(sb, '-');
}

/*
 * Where the units herald ships are: installed next to the binary, or in
 * systemd/ of the source tree for build/herald. NULL when not found.
 */
static char *shipped_units(const char *exe)
{
	static const char *const near_exe[] = {
		"../lib/systemd/system", /* $(PREFIX)/bin/herald */
		"../systemd",            /* build/herald */
		"../../systemd",         /* build/san/herald */
	};
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	size_t i;

	for (i = 0; slash && i < ARRAY_SIZE(near_exe); i++) {
		char *dir = xstrfmt("%.*s/%s", (int)(slash - exe), exe, near_exe[i]);
		char *unit = xstrfmt("%s/herald-deliver@.timer", dir);
		char real[PATH_MAX];
		int found = path_exists(unit);

		free(unit);
		if (found && realpath(dir, real)) {
			free(dir);
			return xstrdup(real);
		}
		free(dir);
	}
	return NULL;
}

/* Appends `s` for a shell, quoted only when it needs to be. */
static void sh_word(struct strbuf *sb, const char *s)
{
	if (shell_safe(s))
		strbuf_addstr(sb, s);
	else
		sq_quote(sb, s);
}

static void print_schedules(const char *exe, const char *repo, const char *gitdir)
{
	static const struct {
		const char *unit, *args, *cron;
	} jobs[] = {
		/* the same jobs as systemd/herald-deliver@ and herald-tick@ */
		{ "herald-deliver", "deliver --max-time 240", "*/5 * * * *" },
		{ "herald-tick", "tick", "0 * * * *" },
	};
	struct strbuf sh = STRBUF_INIT, cmd = STRBUF_INIT, inst = STRBUF_INIT;
	struct stat st;
	struct passwd *pw = NULL;
	const char *user;
	char *units = shipped_units(exe);
	size_t i;

	if (!stat(gitdir, &st))
		pw = getpwuid(st.st_uid);
	user = pw ? pw->pw_name : "OWNER";
	printf("\nAlso run herald regularly: 'deliver' retries what a push could not\n"
	       "send at once, 'tick' announces scheduled posts when their time comes.\n"
	       "With cron (crontab -e as %s):\n\n",
	       pw ? pw->pw_name : "the repository's owner");
	for (i = 0; i < ARRAY_SIZE(jobs); i++) {
		strbuf_reset(&sh);
		if (exe && shell_safe(exe))
			strbuf_addstr(&sh, exe);
		else if (exe)
			sq_quote(&sh, exe);
		else
			strbuf_addstr(&sh, "herald");
		strbuf_addstr(&sh, " -C ");
		sq_quote(&sh, repo);
		strbuf_addf(&sh, " %s", jobs[i].args);
		strbuf_reset(&cmd);
		cron_escape(&cmd, sh.buf);
		printf("%s %s\n", jobs[i].cron, cmd.buf);
	}

	systemd_escape_path(&inst, repo);
	if (units)
		printf("\nOr with the systemd timers herald ships in %s,\n", units);
	else
		printf("\nOr with the systemd timers herald ships (systemd/ in its source;\n"
		       "'make install' puts them in PREFIX/lib/systemd/system),\n");
	printf("one instance per repository, run as its owner; as root:\n\n");
	for (i = 0; i < ARRAY_SIZE(jobs); i++) {
		char *dir = xstrfmt("/etc/systemd/system/%s@%s.service.d",
				    jobs[i].unit, inst.buf);
		char *conf = xstrfmt("%s/user.conf", dir);
		char *line = xstrfmt("User=%s", user);

		strbuf_reset(&sh);
		strbuf_addstr(&sh, "mkdir -p ");
		sh_word(&sh, dir);
		strbuf_addstr(&sh, "\nprintf '[Service]\\n%s\\n' ");
		sh_word(&sh, line);
		strbuf_addstr(&sh, " >");
		sh_word(&sh, conf);
		printf("%s\n", sh.buf);
		free(dir);
		free(conf);
		free(line);
	}
	printf("systemctl daemon-reload\nsystemctl enable --now");
	for (i = 0; i < ARRAY_SIZE(jobs); i++) {
		strbuf_reset(&cmd);
		strbuf_addf(&cmd, "%s@%s.timer", jobs[i].unit, inst.buf);
		strbuf_reset(&sh);
		sh_word(&sh, cmd.buf);
		printf(" %s", sh.buf);
	}
	printf("\n");
	free(units);
	strbuf_release(&sh);
	strbuf_release(&cmd);
	strbuf_release(&inst);
}

int cmd_install(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uninstall", no_argument, NULL, 'u' },
		{ "hooks", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct install in;
	struct repo *r = NULL;
	git_repository *own = NULL, *git;
	char *repo = NULL;
	struct stat st;
	size_t i, len;
	int c, ret = 0, uninstall = 0;

	memset(&in, 0, sizeof(in));
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': uninstall = 1; break;
		case 'k': in.templates = optarg; break;
		case 'h':
			fputs(install_usage, stdout);
			goto out;
		default:
			fputs(install_usage, stderr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (argc - optind > 1) {
		error("install takes one repository");
		ret = EXIT_USAGE;
		goto out;
	}
	if (optind < argc) {
		if (open_repository(argv[optind], &own) < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
		git = own;
	} else if ((r = repo_open())) {
		git = r->git;
	} else {
		ret = EXIT_FATAL;
		goto out;
	}
	in.hooks = hooks_folder(git);
	if (!in.hooks) {
		ret = EXIT_FATAL;
		goto out;
	}
	in.exe = self_exe();
	if (!uninstall && stat(in.hooks, &st) < 0 &&
	    (errno != ENOENT || mkdir(in.hooks, 0777) < 0)) {
		error("cannot create '%s': %s", in.hooks, strerror(errno));
		ret = EXIT_FATAL;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(hook_names); i++) {
		if ((uninstall ? uninstall_hook(&in, hook_names[i]) :
				 install_hook(&in, hook_names[i])) < 0)
			ret = EXIT_FATAL;
	}
	if (ret || uninstall)
		goto out;
	repo = xstrdup(git_repository_is_bare(git) ? git_repository_path(git) :
			git_repository_workdir(git));
	for (len = strlen(repo); len > 1 && repo[len - 1] == '/'; len--)
		repo[len - 1] = '\0';
	print_schedules(in.exe, repo, git_repository_path(git));
out:
	free(repo);
	free(in.hooks);
	free(in.exe);
	git_repository_free(own);
	repo_free(r);
	return ret;
}
