#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "herald/cienv.h"
#include "herald/fileio.h"
#include "herald/baseline.h"
#include "herald/gitstate.h"
#include "herald/outbox.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define STATE_VERSION "1"
/* A ledger of many thousand posts is a few MiB; nothing in the state is bigger. */
#define FILE_CAP (64u << 20)

int gitstate_wanted(struct repo *r, const char *choice, bool ci_default, bool *in_git)
{
	char *v = choice ? xstrdup(choice) : repo_config_string(r, "herald.state");
	int ret = 0;

	*in_git = ci_default;
	if (!v)
		return 0;
	if (!strcmp(v, "git"))
		*in_git = true;
	else if (!strcmp(v, "local"))
		*in_git = false;
	else
		ret = error("%s is '%s'; use git or local", choice ? "--state" : "herald.state", v);
	free(v);
	return ret;
}

/* Does the clone carry credentials of its own for `url`? */
static int has_credentials(struct repo *r, const char *url)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	const char *at, *slash;
	int found = 0;

	at = strstr(url, "://");
	if (at) {
		slash = strchr(at + 3, '/');
		at = strchr(at + 3, '@');
		if (at && (!slash || at < slash))
			return 1;
	}
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return 0;
	if (!git_config_iterator_new(&it, cfg)) {
		while (!found && !git_config_next(&e, it)) {
			size_t n = strlen(e->name);
			if (!strncmp(e->name, "http.", 5) && n >= 12 &&
			    !strcmp(e->name + n - 12, ".extraheader") && e->value && *e->value)
				found = 1;
		}
		git_config_iterator_free(it);
	}
	git_config_free(cfg);
	return found;
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

int gitstate_init(struct gitstate *gs, struct repo *r)
{
	return !gitstate_init_quiet(gs, r) ? error("there is no remote '%s' to keep herald's state in "
						  "(set herald.remote)", gs->remote) : 0;
}

bool gitstate_init_quiet(struct gitstate *gs, struct repo *r)
{
	git_remote *remote = NULL;
	const char *url;

	memset(gs, 0, sizeof(*gs));
	gs->repo = r;
	gs->remote = repo_config_string(r, "herald.remote");
	if (!gs->remote)
		gs->remote = xstrdup("origin");
	if (git_remote_lookup(&remote, r->git, gs->remote) < 0)
		return false;
	url = git_remote_pushurl(remote) ? git_remote_pushurl(remote) : git_remote_url(remote);
	gs->auth_header = cienv_auth_header(env_get, url, has_credentials(r, url ? url : ""));
	git_remote_free(remote);
	return true;
}

void gitstate_release(struct gitstate *gs)
{
	free(gs->remote);
	if (gs->auth_header) {
		memset(gs->auth_header, 0, strlen(gs->auth_header));
		free(gs->auth_header);
	}
	memset(gs, 0, sizeof(*gs));
}

/* --- running git --- */

static void child_env(struct gitstate *gs)
{
	const char *count = getenv("GIT_CONFIG_COUNT");
	long n = count ? strtol(count, NULL, 10) : 0;
	char key[64], num[32];

	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	setenv("LC_ALL", "C", 1);
	if (!gs->auth_header)
		return;
	if (n < 0 || n > 1000)
		n = 0;
	snprintf(key, sizeof(key), "GIT_CONFIG_KEY_%ld", n);
	setenv(key, "http.extraHeader", 1);
	snprintf(key, sizeof(key), "GIT_CONFIG_VALUE_%ld", n);
	setenv(key, gs->auth_header, 1);
	snprintf(num, sizeof(num), "%ld", n + 1);
	setenv("GIT_CONFIG_COUNT", num, 1);
}

static int drain(int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0 && sb && sb->len < FILE_CAP)
		strbuf_add(sb, buf, (size_t)n);
	return n > 0 || (n < 0 && errno == EINTR);
}

/* Like gitstate_git(), with git's standard error into `err` when not NULL. */
static int run_git(struct gitstate *gs, const char *const *args, struct strbuf *out,
		   struct strbuf *err)
{
	struct strvec argv = STRVEC_INIT;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status, ret = -1;
	pid_t pid;
	size_t i;

	strvec_push(&argv, "git");
	strvec_push_nodup(&argv, xstrfmt("--git-dir=%s", gs->repo->gitdir));
	for (i = 0; args[i]; i++)
		strvec_push(&argv, args[i]);
	if (pipe(po) < 0 || (err && pipe(pe) < 0)) {
		error("cannot run git: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error("cannot run git: %s", strerror(errno));
		goto out;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0)
			dup2(null, 0);
		dup2(po[1], 1);
		if (err)
			dup2(pe[1], 2);
		close(po[0]);
		close(po[1]);
		if (err) {
			close(pe[0]);
			close(pe[1]);
		}
		child_env(gs);
		execvp("git", argv.v);
		fprintf(stderr, "herald: error: cannot run git: %s\n", strerror(errno));
		_exit(127);
	}
	close(po[1]);
	po[1] = -1;
	if (err) {
		close(pe[1]);
		pe[1] = -1;
	}
	for (;;) {
		struct pollfd fds[2];
		nfds_t n = 0;
		if (po[0] >= 0)
			fds[n++] = (struct pollfd){ .fd = po[0], .events = POLLIN };
		if (err && pe[0] >= 0)
			fds[n++] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
		if (!n)
			break;
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (fds[i].fd == po[0] && !drain(po[0], out)) {
				close(po[0]);
				po[0] = -1;
			} else if (err && fds[i].fd == pe[0] && !drain(pe[0], err)) {
				close(pe[0]);
				pe[0] = -1;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			error("cannot wait for git: %s", strerror(errno));
			goto out;
		}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
out:
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	strvec_clear(&argv);
	return ret;
}

int gitstate_git(struct gitstate *gs, const char *const *args, struct strbuf *out,
		 struct strbuf *err)
{
	return run_git(gs, args, out, err);
}

/* git's complaint, a line at a time, without credentials in urls. */
static void show_git_error(const struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	size_t i;

	for (i = 0; i < err->len; i++) {
		char c = err->buf[i];
		if (c != '\n') {
			strbuf_addch(&line, c);
			if (c == '@') {
				/* scheme://user:secret@host: keep only scheme:// */
				char *p = strstr(line.buf, "://");
				if (p && !strchr(p + 3, '/') && !strchr(p + 3, ' '))
					strbuf_setlen(&line, (size_t)(p + 3 - line.buf));
			}
			continue;
		}
		if (line.len)
			fprintf(stderr, "herald: git: %s\n", line.buf);
		strbuf_reset(&line);
	}
	if (line.len)
		fprintf(stderr, "herald: git: %s\n", line.buf);
	strbuf_release(&line);
}

/* The remote's refs/herald/state: found with *id, missing when it has none. */
static enum lookup remote_tip(struct gitstate *gs, git_oid *id)
{
	const char *args[] = { "ls-remote", "--", gs->remote, GITSTATE_REF, NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *line, *next;
	enum lookup ret = LOOKUP_MISSING;
	int rc;

	rc = run_git(gs, args, &out, &err);
	if (rc) {
		if (rc > 0) {
			show_git_error(&err);
			error("cannot read '%s' from the remote '%s'", GITSTATE_REF, gs->remote);
		}
		ret = LOOKUP_ERROR;
		goto out;
	}
	for (line = out.buf; line && *line; line = next) {
		char *tab = strchr(line, '\t');
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (tab && !strcmp(tab + 1, GITSTATE_REF) && tab - line == GIT_OID_HEXSZ) {
			*tab = '\0';
			if (git_oid_fromstr(id, line) < 0) {
				error("git ls-remote printed '%.60s'", line);
				ret = LOOKUP_ERROR;
				goto out;
			}
			ret = LOOKUP_FOUND;
			break;
		}
	}
out:
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

int gitstate_use_local(struct gitstate *gs)
{
	int rc = git_reference_name_to_id(&gs->tip, gs->repo->git, GITSTATE_REF);

	if (rc == GIT_ENOTFOUND) {
		gs->has_tip = 0;
		return 0;
	}
	if (rc < 0)
		return repo_error(GITSTATE_REF);
	gs->has_tip = 1;
	return 0;
}

static int set_local_ref(struct gitstate *gs, const git_oid *id, const char *why)
{
	git_reference *ref = NULL;
	int rc = git_reference_create(&ref, gs->repo->git, GITSTATE_REF, id, 1, why);

	git_reference_free(ref);
	return rc < 0 ? repo_error(GITSTATE_REF) : 0;
}

int gitstate_fetch(struct gitstate *gs)
{
	git_oid id;
	git_odb *odb = NULL;
	int rc, present = 0;

	rc = remote_tip(gs, &id);
	if (rc == LOOKUP_ERROR)
		return -1;
	if (rc == LOOKUP_MISSING) {
		git_reference *ref = NULL;
		/* no state on the remote: a local one is stale */
		if (!git_reference_lookup(&ref, gs->repo->git, GITSTATE_REF))
			git_reference_delete(ref);
		git_reference_free(ref);
		gs->has_tip = 0;
		return 0;
	}
	if (!git_repository_odb(&odb, gs->repo->git))
		present = git_odb_exists(odb, &id);
	git_odb_free(odb);
	if (!present) {
		/*
		 * In a shallow clone only the tip: its tree is the whole state,
		 * and its parent is all a later push needs the remote to have.
		 */
		const char *args[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
				       "--depth=1", "--", gs->remote,
				       "+" GITSTATE_REF ":" GITSTATE_REF, NULL };
		/*
		 * A full clone stays full (so a missing commit there means it
		 * is gone): --depth would make it shallow.
		 */
		if (!git_repository_is_shallow(gs->repo->git))
			args[4] = "--no-tags";
		struct strbuf err = STRBUF_INIT;
		rc = run_git(gs, args, NULL, &err);
		if (rc)
			show_git_error(&err);
		strbuf_release(&err);
		if (rc)
			return rc < 0 ? -1 : error("cannot fetch '%s' from the remote '%s'",
						   GITSTATE_REF, gs->remote);
		return gitstate_use_local(gs);
	}
	if (set_local_ref(gs, &id, "herald: fetched") < 0)
		return -1;
	gs->tip = id;
	gs->has_tip = 1;
	return 0;
}

/* --- the state tree and the folder --- */

static int make_folder(const char *path)
{
	struct stat st;

	if (!mkdir(path, 0700))
		return 0;
	if (errno != EEXIST)
		return error("cannot create folder '%s': %s", path, strerror(errno));
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return error("'%s' is not a folder", path);
	return 0;
}

static int is_entry_name(const char *name)
{
	size_t n = strlen(name);
	char *id;
	int ok;

	if (n <= 5 || strcmp(name + n - 5, ".json"))
		return 0;
	id = xstrndup(name, n - 5);
	ok = outbox_id_valid(id);
	free(id);
	return ok;
}

/* Removes the entries of outbox/ or dead/ (dot files are others' temporaries). */
static int empty_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : error("cannot read '%s': %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		char *path;
		if (!is_entry_name(de->d_name))
			continue;
		path = xstrfmt("%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno != ENOENT)
			ret = error("cannot remove '%s': %s", path, strerror(errno));
		free(path);
	}
	closedir(d);
	return ret;
}

static int remove_file(const char *dir, const char *name)
{
	char *path = xstrfmt("%s/%s", dir, name);
	int ret = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		ret = error("cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return ret;
}

static int write_blob(struct gitstate *gs, const git_tree_entry *e, const char *path)
{
	git_blob *blob = NULL;
	size_t size;
	int rc, ret = 0;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return error("%s: '%s' is not a file", GITSTATE_REF, git_tree_entry_name(e));
	rc = repo_blob_capped(gs->repo->git, git_tree_entry_id(e), path, FILE_CAP, &blob, &size);
	if (rc < 0)
		return -1;
	if (!blob)
		return error("%s: '%s' is larger than %u MiB", GITSTATE_REF,
			     git_tree_entry_name(e), FILE_CAP >> 20);
	ret = fileio_write_atomic(path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), 0600);
	git_blob_free(blob);
	return ret;
}

static int write_folder(struct gitstate *gs, const git_tree_entry *e, const char *dir)
{
	git_tree *tree = NULL;
	size_t i, n;
	int ret = 0;

	if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return error("%s: '%s' is not a folder", GITSTATE_REF, git_tree_entry_name(e));
	if (git_tree_lookup(&tree, gs->repo->git, git_tree_entry_id(e)) < 0)
		return repo_error(GITSTATE_REF);
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !ret; i++) {
		const git_tree_entry *f = git_tree_entry_byindex(tree, i);
		char *path;
		if (!is_entry_name(git_tree_entry_name(f))) {
			ret = error("%s: '%s/%s' is not an outbox entry", GITSTATE_REF,
				    git_tree_entry_name(e), git_tree_entry_name(f));
			break;
		}
		path = xstrfmt("%s/%s", dir, git_tree_entry_name(f));
		ret = write_blob(gs, f, path);
		free(path);
	}
	git_tree_free(tree);
	return ret;
}

static int tip_tree(struct gitstate *gs, git_tree **out)
{
	git_commit *c = NULL;
	int rc;

	*out = NULL;
	rc = git_commit_lookup(&c, gs->repo->git, &gs->tip);
	if (!rc)
		rc = git_commit_tree(out, c);
	git_commit_free(c);
	return rc < 0 ? repo_error(GITSTATE_REF) : 0;
}

/* The text of a small blob at the tree's root into `sb`, found or missing. */
static enum lookup root_text(struct gitstate *gs, git_tree *tree, const char *name,
			     struct strbuf *sb)
{
	git_blob *blob = NULL;
	size_t size;
	const git_tree_entry *e = git_tree_entry_byname(tree, name);
	int rc;

	if (!e)
		return LOOKUP_MISSING;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return error("%s: '%s' is not a file", GITSTATE_REF, name);
	rc = repo_blob_capped(gs->repo->git, git_tree_entry_id(e), name, FILE_CAP, &blob, &size);
	if (rc < 0)
		return LOOKUP_ERROR;
	if (!blob)
		return error("%s: '%s' is too large", GITSTATE_REF, name);
	strbuf_add(sb, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return LOOKUP_FOUND;
}

static int check_version(struct gitstate *gs, git_tree *tree)
{
	struct strbuf sb = STRBUF_INIT;
	enum lookup rc = root_text(gs, tree, "version", &sb);
	int ret = 0;

	if (rc == LOOKUP_ERROR)
		ret = -1;
	else if (rc == LOOKUP_FOUND) {
		strbuf_rtrim(&sb);
		if (strcmp(sb.buf, STATE_VERSION))
			ret = error("%s has version '%.20s'; this herald reads version "
				    STATE_VERSION, GITSTATE_REF, sb.buf);
	}
	strbuf_release(&sb);
	return ret;
}

static int parse_baselines(const char *text, struct strvec *branches, git_oid **ids)
{
	size_t nr = 0, alloc = 0, lineno = 0;
	const char *p = text;

	*ids = NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		int valid = 0;

		lineno++;
		if (len > GIT_OID_HEXSZ + 1 && line[GIT_OID_HEXSZ] == ' ' &&
		    !strncmp(line + GIT_OID_HEXSZ + 1, "refs/heads/", 11) &&
		    !git_reference_name_is_valid(&valid, line + GIT_OID_HEXSZ + 1) && valid) {
			line[GIT_OID_HEXSZ] = '\0';
			ALLOC_GROW(*ids, nr + 1, alloc);
			valid = !git_oid_fromstr(&(*ids)[nr], line);
		} else {
			valid = 0;
		}
		if (!valid) {
			free(line);
			return error("%s:baselines:%zu:1: not '<commit> refs/heads/<branch>'",
				     GITSTATE_REF, lineno);
		}
		strvec_push(branches, line + GIT_OID_HEXSZ + 1);
		nr++;
		free(line);
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

int gitstate_baselines(struct gitstate *gs, struct strvec *branches, git_oid **ids)
{
	struct strbuf sb = STRBUF_INIT;
	git_tree *tree = NULL;
	int rc, ret = 0;

	*ids = NULL;
	if (!gs->has_tip)
		return 0;
	if (tip_tree(gs, &tree) < 0)
		return -1;
	rc = root_text(gs, tree, "baselines", &sb);
	if (rc == LOOKUP_ERROR)
		ret = -1;
	else if (rc == LOOKUP_FOUND && parse_baselines(sb.buf, branches, ids) < 0) {
		ret = -1;
		free(*ids);
		*ids = NULL;
		strvec_clear(branches);
	}
	git_tree_free(tree);
	strbuf_release(&sb);
	return ret;
}

int gitstate_checkout(struct gitstate *gs, const char *herald_dir, int set_refs)
{
	char *outbox = xstrfmt("%s/outbox", herald_dir), *dead = xstrfmt("%s/dead", herald_dir);
	struct strvec branches = STRVEC_INIT;
	struct baseline b;
	git_oid *ids = NULL;
	git_tree *tree = NULL;
	const git_tree_entry *e;
	int ret = -1;

	if (make_folder(herald_dir) < 0 || make_folder(outbox) < 0 || make_folder(dead) < 0 ||
	    empty_folder(outbox) < 0 || empty_folder(dead) < 0 ||
	    remove_file(herald_dir, "ledger") < 0 || remove_file(herald_dir, "status.json") < 0)
		goto out;
	if (gs->has_tip) {
		char *path;
		if (tip_tree(gs, &tree) < 0 || check_version(gs, tree) < 0)
			goto out;
		if ((e = git_tree_entry_byname(tree, "ledger"))) {
			path = xstrfmt("%s/ledger", herald_dir);
			ret = write_blob(gs, e, path);
			free(path);
			if (ret < 0)
				goto out;
		}
		if ((e = git_tree_entry_byname(tree, "status.json"))) {
			path = xstrfmt("%s/status.json", herald_dir);
			ret = write_blob(gs, e, path);
			free(path);
			if (ret < 0)
				goto out;
		}
		ret = -1;
		if ((e = git_tree_entry_byname(tree, "outbox")) && write_folder(gs, e, outbox) < 0)
			goto out;
		if ((e = git_tree_entry_byname(tree, "dead")) && write_folder(gs, e, dead) < 0)
			goto out;
	}
	baseline_init(&b, gs->repo, 0);
	if (set_refs && (gitstate_baselines(gs, &branches, &ids) < 0 ||
			 baseline_replace_all(&b, &branches, ids) < 0))
		goto out;
	ret = 0;
out:
	git_tree_free(tree);
	strvec_clear(&branches);
	free(ids);
	free(outbox);
	free(dead);
	return ret;
}

static int add_blob(struct gitstate *gs, git_treebuilder *tb, const char *name,
		    const void *data, size_t len)
{
	git_oid id;

	if (git_blob_create_from_buffer(&id, gs->repo->git, data, len) < 0 ||
	    git_treebuilder_insert(NULL, tb, name, &id, GIT_FILEMODE_BLOB) < 0)
		return repo_error(name);
	return 0;
}

/* Adds `dir/name` when it is there. */
static int add_file(struct gitstate *gs, git_treebuilder *tb, const char *dir, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/%s", dir, name);
	struct stat st;
	int ret = 0;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			ret = error("cannot examine '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error("'%s' is not a file", path);
		goto out;
	}
	if (strbuf_read_file(&sb, path, FILE_CAP) < 0) {
		ret = error("cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = add_blob(gs, tb, name, sb.buf, sb.len);
out:
	strbuf_release(&sb);
	free(path);
	return ret;
}

static int add_folder(struct gitstate *gs, git_treebuilder *root, const char *herald_dir,
		      const char *name)
{
	char *dir = xstrfmt("%s/%s", herald_dir, name);
	git_treebuilder *tb = NULL;
	struct dirent *de;
	DIR *d = NULL;
	git_oid id;
	int ret = -1;

	if (git_treebuilder_new(&tb, gs->repo->git, NULL) < 0) {
		repo_error(name);
		goto out;
	}
	d = opendir(dir);
	if (!d && errno != ENOENT) {
		error("cannot read '%s': %s", dir, strerror(errno));
		goto out;
	}
	while (d && (de = readdir(d)))
		if (is_entry_name(de->d_name) && add_file(gs, tb, dir, de->d_name) < 0)
			goto out;
	ret = 0;
	if (!git_treebuilder_entrycount(tb))
		goto out;
	if (git_treebuilder_write(&id, tb) < 0 ||
	    git_treebuilder_insert(NULL, root, name, &id, GIT_FILEMODE_TREE) < 0)
		ret = repo_error(name);
out:
	if (d)
		closedir(d);
	git_treebuilder_free(tb);
	free(dir);
	return ret;
}

static int add_baselines(struct gitstate *gs, git_treebuilder *tb)
{
	struct baseline b;
	struct strvec branches = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	git_oid *ids = NULL;
	size_t i;
	int ret;

	baseline_init(&b, gs->repo, 0);
	/* sorted by branch, so the same baselines make the same blob */
	ret = baseline_list(&b, &branches, &ids);
	for (i = 0; !ret && i < branches.nr; i++)
		if (!git_oid_is_zero(&ids[i]))
			strbuf_addf(&sb, "%s %s\n", repo_hex(&ids[i]), branches.v[i]);
	if (!ret && sb.len)
		ret = add_blob(gs, tb, "baselines", sb.buf, sb.len);
	strvec_clear(&branches);
	free(ids);
	strbuf_release(&sb);
	return ret;
}

/*
 * Writes the state commit into *out, or sets *unchanged when its tree is
 * the tip's (nothing to push). 0, or -1 after error().
 */
static int make_commit(struct gitstate *gs, const char *herald_dir, const char *message,
		       git_oid *out, bool *unchanged)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL, *old = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;
	int ret = -1;

	*unchanged = false;

	if (git_treebuilder_new(&tb, gs->repo->git, NULL) < 0) {
		repo_error("cannot build the state");
		goto out;
	}
	if (add_blob(gs, tb, "version", STATE_VERSION "\n", strlen(STATE_VERSION) + 1) < 0 ||
	    add_baselines(gs, tb) < 0 || add_file(gs, tb, herald_dir, "ledger") < 0 ||
	    add_file(gs, tb, herald_dir, "status.json") < 0 ||
	    add_folder(gs, tb, herald_dir, "outbox") < 0 ||
	    add_folder(gs, tb, herald_dir, "dead") < 0)
		goto out;
	if (git_treebuilder_write(&tree_id, tb) < 0) {
		repo_error("cannot build the state");
		goto out;
	}
	if (!gs->has_tip && git_treebuilder_entrycount(tb) == 1) {
		*unchanged = true; /* nothing but the version: no state worth a ref yet */
		ret = 0;
		goto out;
	}
	if (gs->has_tip) {
		if (git_commit_lookup(&parent, gs->repo->git, &gs->tip) < 0) {
			repo_error(GITSTATE_REF);
			goto out;
		}
		if (git_oid_equal(git_commit_tree_id(parent), &tree_id)) {
			*unchanged = true;
			ret = 0;
			goto out;
		}
	}
	if (git_tree_lookup(&tree, gs->repo->git, &tree_id) < 0 ||
	    git_signature_now(&sig, "herald", "herald@localhost") < 0 ||
	    git_commit_create(out, gs->repo->git, NULL, sig, sig, NULL, message, tree,
			      parent ? 1 : 0, (const git_commit **)&parent) < 0) {
		repo_error("cannot commit the state");
		goto out;
	}
	ret = 0;
out:
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(old);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	return ret;
}

int gitstate_push(struct gitstate *gs, const char *herald_dir, const char *message, bool *stale)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	char *msg = xstrfmt("herald: %s\n", message), *spec = NULL;
	git_oid id, now;
	bool unchanged;
	enum lookup tip;
	int rc, ret = -1;

	*stale = false;
	if (make_commit(gs, herald_dir, msg, &id, &unchanged) < 0)
		goto out;
	if (unchanged) {
		ret = 0;
		goto out;
	}
	spec = xstrfmt("%s:" GITSTATE_REF, repo_hex(&id));
	{
		/* never forced: the remote takes it only on top of our tip */
		const char *args[] = { "-c", "advice.pushUpdateRejected=false", "push",
				       "--porcelain", "--no-verify", "--", gs->remote, spec, NULL };
		rc = run_git(gs, args, &out, &err);
	}
	if (rc < 0)
		goto out;
	if (!rc) {
		if (set_local_ref(gs, &id, "herald: pushed") < 0)
			goto out;
		gs->tip = id;
		gs->has_tip = 1;
		ret = 0;
		goto out;
	}
	tip = remote_tip(gs, &now);
	if (tip == LOOKUP_ERROR)
		goto out;
	if ((tip == LOOKUP_FOUND) != !!gs->has_tip ||
	    (tip == LOOKUP_FOUND && !git_oid_equal(&now, &gs->tip))) {
		*stale = true; /* another run was first */
		ret = 0;
		goto out;
	}
	show_git_error(&err);
	error("cannot push '%s' to the remote '%s'", GITSTATE_REF, gs->remote);
out:
	strbuf_release(&err);
	strbuf_release(&out);
	free(spec);
	free(msg);
	return ret;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		warning("cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

void gitstate_snapshot_remove(const char *dir)
{
	if (dir)
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int gitstate_snapshot(struct gitstate *gs, char **dir)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xstrfmt("%s/herald-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *herald_dir;
	int ret;

	*dir = NULL;
	if (!mkdtemp(path)) {
		error("cannot create a folder in '%s': %s", tmp && *tmp ? tmp : "/tmp", strerror(errno));
		free(path);
		return -1;
	}
	herald_dir = xstrfmt("%s/herald", path);
	ret = gitstate_checkout(gs, herald_dir, 0);
	free(herald_dir);
	if (ret < 0) {
		gitstate_snapshot_remove(path);
		free(path);
		return -1;
	}
	*dir = path;
	return 0;
}
