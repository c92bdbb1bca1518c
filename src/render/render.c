#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herald/builtin.h"
#include "herald/fileio.h"
#include "herald/render.h"
#include "herald/repo.h"
#include "herald/template.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define TEMPLATE_MAX_BYTES (4 * 1024 * 1024)
#define TREE_DIR ".herald/templates/"

enum origin { FROM_DISK, FROM_DIR, FROM_WORKTREE, FROM_TREE, FROM_BUILTIN };

struct loader {
	const struct render_source *src;
	enum origin origin;
	char *dir;       /* the including template's folder (disk origins) */
	const char *ext; /* the including template's ending, with the dot */
};

static int safe_name(const char *name)
{
	return *name && name[0] != '/' && !strstr(name, "..") &&
	       !strchr(name, '\\') && strlen(name) < 200;
}

static enum lookup read_disk(const char *path, struct strbuf *text)
{
	if (strbuf_read_file(text, path, TEMPLATE_MAX_BYTES) < 0) {
		if (errno == ENOENT)
			return LOOKUP_MISSING;
		return error("cannot read template '%s': %s", path, strerror(errno));
	}
	return LOOKUP_FOUND;
}

/*
 * Reads `rel` under the folder `base` of a work tree, whose content comes
 * from whoever pushed or committed it: no component may be a symbolic link
 * (a link to /etc/shadow or a 0600 key would be read and quoted back in an
 * error), and only a regular file is read. Found when read, missing when
 * not there, LOOKUP_ERROR after error().
 */
static enum lookup read_nofollow(const char *base, const char *rel, const char *shown,
				 struct strbuf *text)
{
	char *copy = xstrdup(rel), *part = copy, *slash;
	int dir = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, ret = LOOKUP_MISSING;
	struct stat st;

	if (dir < 0) {
		ret = errno == ENOENT || errno == ENOTDIR ? 0 :
			error("cannot open '%s': %s", base, strerror(errno));
		goto out;
	}
	while ((slash = strchr(part, '/'))) {
		int next;
		*slash = '\0';
		next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			goto fail;
		close(dir);
		dir = next;
		part = slash + 1;
	}
	fd = openat(dir, part, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) < 0) {
		ret = error("cannot read template '%s': %s", shown, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error("template '%s' is not a regular file", shown);
		goto out;
	}
	if (st.st_size > TEMPLATE_MAX_BYTES) {
		ret = error("template '%s' is over %d bytes", shown, TEMPLATE_MAX_BYTES);
		goto out;
	}
	for (;;) {
		char chunk[8192];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error("cannot read template '%s': %s", shown, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		if (text->len + (size_t)n > TEMPLATE_MAX_BYTES) {
			ret = error("template '%s' is over %d bytes", shown, TEMPLATE_MAX_BYTES);
			goto out;
		}
		strbuf_add(text, chunk, (size_t)n);
	}
	ret = LOOKUP_FOUND;
	goto out;
fail:
	if (errno == ELOOP)
		ret = error("template '%s' is (or is under) a symbolic link; "
			    "herald reads no template through one", shown);
	else if (errno == ENOENT || errno == ENOTDIR)
		ret = LOOKUP_MISSING;
	else
		ret = error("cannot read template '%s': %s", shown, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (dir >= 0)
		close(dir);
	free(copy);
	return ret;
}

/* The same for a revision's tree: a link there is a blob of mode 120000. */
static enum lookup read_tree(const struct render_source *src, const char *name,
			     struct strbuf *text)
{
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	char *path;
	int ret = LOOKUP_MISSING;

	if (!src->repo || !src->tree)
		return LOOKUP_MISSING;
	path = xstrfmt(TREE_DIR "%s", name);
	if (git_tree_entry_bypath(&entry, src->tree, path) < 0)
		goto out;
	if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		ret = error("template '%s' is a symbolic link; herald reads no template through one",
			    path);
		goto out;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		goto out;
	if (git_blob_lookup(&blob, src->repo->git, git_tree_entry_id(entry)) < 0) {
		ret = repo_error(path);
		goto out;
	}
	if (git_blob_rawsize(blob) > TEMPLATE_MAX_BYTES) {
		ret = error("template '%s' is over %d bytes", path, TEMPLATE_MAX_BYTES);
		goto out;
	}
	strbuf_add(text, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	ret = LOOKUP_FOUND;
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	free(path);
	return ret;
}

/* Loads `name` from one origin: found, missing, or LOOKUP_ERROR after error(). */
static enum lookup load_from(const struct loader *l, enum origin o, const char *name,
			     struct strbuf *text, struct strbuf *file)
{
	const struct builtin_file *b;
	char *path;
	int rc;

	switch (o) {
	case FROM_DISK:
		path = xstrfmt("%s/%s", l->dir, name);
		rc = read_disk(path, text);
		if (rc == LOOKUP_FOUND)
			strbuf_addstr(file, path);
		free(path);
		return rc;
	case FROM_DIR:
		if (!l->src->dir)
			return LOOKUP_MISSING;
		path = xstrfmt("%s/%s", l->src->dir, name);
		rc = read_disk(path, text);
		if (rc == LOOKUP_FOUND)
			strbuf_addstr(file, path);
		free(path);
		return rc;
	case FROM_WORKTREE:
		if (!l->src->repo || !l->src->repo->workdir)
			return LOOKUP_MISSING;
		path = xstrfmt(TREE_DIR "%s", name);
		rc = read_nofollow(l->src->repo->workdir, path, path, text);
		if (rc == LOOKUP_FOUND)
			strbuf_addstr(file, path);
		free(path);
		return rc;
	case FROM_TREE:
		rc = read_tree(l->src, name, text);
		if (rc == LOOKUP_FOUND)
			strbuf_addf(file, TREE_DIR "%s", name);
		return rc;
	case FROM_BUILTIN:
		b = builtin_find(name);
		if (!b)
			return LOOKUP_MISSING;
		strbuf_add(text, b->data, b->len);
		strbuf_addf(file, "(built-in) %s", name);
		return LOOKUP_FOUND;
	}
	return LOOKUP_MISSING;
}

/*
 * A partial comes from the folder of a --template file first, then from
 * the repository's .herald/templates/ (so one override of link.md restyles
 * every built-in template too), then from the built-in ones.
 */
static enum lookup load_partial(void *data, const char *name, struct strbuf *text,
				struct strbuf *file)
{
	static const enum origin later[] = { FROM_DIR, FROM_WORKTREE, FROM_TREE, FROM_BUILTIN };
	struct loader *l = data;
	char *with_ext;
	size_t i;
	int rc = 0;

	if (!safe_name(name))
		return LOOKUP_MISSING;
	with_ext = xstrfmt("%s%s", name, l->ext);
	if (l->origin == FROM_DISK) {
		rc = load_from(l, FROM_DISK, with_ext, text, file);
		if (rc == LOOKUP_MISSING)
			rc = load_from(l, FROM_DISK, name, text, file);
	}
	for (i = 0; i < ARRAY_SIZE(later) && rc == LOOKUP_MISSING; i++) {
		rc = load_from(l, later[i], with_ext, text, file);
		if (rc == LOOKUP_MISSING)
			rc = load_from(l, later[i], name, text, file);
	}
	free(with_ext);
	return rc;
}

int render_template(const struct render_source *src, const char *name,
		    const json_t *model, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT, file = STRBUF_INIT;
	struct loader l;
	struct template_partials partials;
	struct template *t = NULL;
	const char *base, *dot;
	int rc = 0, ret = 0;

	memset(&l, 0, sizeof(l));
	l.src = src;
	if (src->override) {
		const char *slash = strrchr(src->override, '/');
		l.origin = FROM_DISK;
		l.dir = slash ? xstrndup(src->override, (size_t)(slash - src->override))
			      : xstrdup(".");
		rc = read_disk(src->override, &text);
		if (!rc)
			rc = error("template '%s' does not exist", src->override);
		strbuf_addstr(&file, src->override);
		base = slash ? slash + 1 : src->override;
	} else {
		static const enum origin order[] = { FROM_DIR, FROM_WORKTREE, FROM_TREE, FROM_BUILTIN };
		size_t i;
		for (i = 0; i < ARRAY_SIZE(order) && !rc; i++) {
			l.origin = order[i];
			rc = load_from(&l, order[i], name, &text, &file);
		}
		if (!rc)
			rc = error("no template called '%s'", name);
		base = name;
	}
	if (rc < 0) {
		ret = -1;
		goto out;
	}
	dot = strrchr(base, '.');
	l.ext = dot ? dot : "";
	t = template_parse(file.buf, text.buf, text.len);
	if (!t) {
		ret = -1;
		goto out;
	}
	partials.load = load_partial;
	partials.data = &l;
	ret = template_render_lists(t, model, template_escape_for(base), &partials,
				    src->limits, src->lists, src->nr_lists, out);
out:
	template_free(t);
	free(l.dir);
	strbuf_release(&text);
	strbuf_release(&file);
	return ret;
}

int render_write(const char *path, const char *data, size_t len)
{
	if (!strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len)
			return error("cannot write to standard output");
		return 0;
	}
	return fileio_write_user(path, data, len);
}
