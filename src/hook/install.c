#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "herald/builtin.h"
#include "herald/install.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define HOOK_MARKER "# installed by herald"
#define HOOK_BAKED "installed_herald="
#define CHAINED ".herald-chained"
#define TEMPLATE_MAX (1024 * 1024)

static const char *const hook_names[] = { "post-receive", "pre-receive" };

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
static int hook_script(const struct install *in, const char *name, struct strbuf *out)
{
	const char *env = getenv("HERALD_HOOKS_DIR");

	if (in->templates) {
		if (read_template(in->templates, name, out) < 0)
			return -1;
	} else if (env && *env) {
		if (read_template(env, name, out) < 0)
			return -1;
	} else if (!read_near_exe(in->exe, name, out)) {
		const struct builtin_file *f;
		strbuf_reset(out);
		for (f = builtin_hooks; f->name && strcmp(f->name, name); f++)
			;
		if (!f->name)
			BUG("hook '%s' is not built in", name);
		strbuf_add(out, f->data, f->len);
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

static int install_hook(const struct install *in, const char *name)
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
			fprintf(in->out, "'%s' is up to date\n", path);
		else if (path_exists(path) && !hook_is_ours(path))
			ret = error("'%s' exists and was not installed by herald", path);
		else if (!(ret = put_hook(path, &script)))
			fprintf(in->out, "installed '%s'\n", path);
		goto out;
	}
	path = xstrfmt("%s/%s", in->hooks, name);
	chained = xstrfmt("%s" CHAINED, path);
	if (hook_is_current(path, &script)) {
		fprintf(in->out, "'%s' is up to date\n", path);
	} else if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
		ret = error("'%s' is a folder", path);
	} else if (!path_exists(path) || hook_is_ours(path)) {
		if (!(ret = put_hook(path, &script)))
			fprintf(in->out, "installed '%s'\n", path);
	} else if (!(ret = chain_hook(path, chained, &script))) {
		fprintf(in->out, "installed '%s'; the hook that was there runs first, as '%s'\n",
		       path, chained);
	}
out:
	strbuf_release(&script);
	free(dotd);
	free(path);
	free(chained);
	return ret;
}

static int uninstall_hook(const struct install *in, const char *name)
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
		fprintf(in->out, "removed '%s'\n", entry);
		done = 1;
	}
	if (path_exists(chained) && (!path_exists(path) || hook_is_ours(path))) {
		/* one rename: the old hook replaces ours with nothing in between */
		if (rename(chained, path) < 0) {
			ret = error("cannot move '%s' back to '%s': %s", chained,
				    path, strerror(errno));
			goto out;
		}
		fprintf(in->out, "put back '%s' (herald's hook removed)\n", path);
		done = 1;
	} else if (hook_is_ours(path)) {
		if (unlink(path) < 0) {
			ret = error("cannot remove '%s': %s", path, strerror(errno));
			goto out;
		}
		fprintf(in->out, "removed '%s'\n", path);
		done = 1;
	} else if (path_exists(chained)) {
		warning("'%s' is not herald's; '%s' left as it is", path, chained);
	}
	if (!done)
		fprintf(in->out, "no herald %s hook in '%s'\n", name, in->hooks);
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

static void print_schedules(const struct install *in, const char *exe, const char *repo,
			    const char *gitdir)
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
	fprintf(in->out, "\nAlso run herald regularly: 'deliver' retries what a push could not\n"
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
		fprintf(in->out, "%s %s\n", jobs[i].cron, cmd.buf);
	}

	systemd_escape_path(&inst, repo);
	if (units)
		fprintf(in->out, "\nOr with the systemd timers herald ships in %s,\n", units);
	else
		fprintf(in->out, "\nOr with the systemd timers herald ships (systemd/ in its source;\n"
		       "'make install' puts them in PREFIX/lib/systemd/system),\n");
	fprintf(in->out, "one instance per repository, run as its owner; as root:\n\n");
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
		fprintf(in->out, "%s\n", sh.buf);
		free(dir);
		free(conf);
		free(line);
	}
	fprintf(in->out, "systemctl daemon-reload\nsystemctl enable --now");
	for (i = 0; i < ARRAY_SIZE(jobs); i++) {
		strbuf_reset(&cmd);
		strbuf_addf(&cmd, "%s@%s.timer", jobs[i].unit, inst.buf);
		strbuf_reset(&sh);
		sh_word(&sh, cmd.buf);
		fprintf(in->out, " %s", sh.buf);
	}
	fprintf(in->out, "\n");
	free(units);
	strbuf_release(&sh);
	strbuf_release(&cmd);
	strbuf_release(&inst);
}

int install_init(struct install *in, struct repo *r, const char *templates, FILE *out)
{
	memset(in, 0, sizeof(*in));
	in->repo = r;
	in->templates = templates;
	in->out = out;
	in->hooks = hooks_folder(r->git);
	if (!in->hooks)
		return -1;
	in->exe = self_exe();
	return 0;
}

void install_release(struct install *in)
{
	free(in->hooks);
	free(in->exe);
	memset(in, 0, sizeof(*in));
}

int install_hooks(const struct install *in)
{
	struct stat st;
	size_t i;
	int ret = 0;

	if (stat(in->hooks, &st) < 0 && (errno != ENOENT || mkdir(in->hooks, 0777) < 0))
		return error("cannot create '%s': %s", in->hooks, strerror(errno));
	for (i = 0; i < ARRAY_SIZE(hook_names); i++)
		if (install_hook(in, hook_names[i]) < 0)
			ret = -1;
	return ret;
}

int install_remove_hooks(const struct install *in)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(hook_names); i++)
		if (uninstall_hook(in, hook_names[i]) < 0)
			ret = -1;
	return ret;
}

void install_print_schedules(const struct install *in)
{
	git_repository *git = in->repo->git;
	char *repo = xstrdup(git_repository_is_bare(git) ? git_repository_path(git) :
			     git_repository_workdir(git));
	size_t len;

	for (len = strlen(repo); len > 1 && repo[len - 1] == '/'; len--)
		repo[len - 1] = '\0';
	print_schedules(in, in->exe, repo, git_repository_path(git));
	free(repo);
}
