#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/base64.h"
#include "herald/fileio.h"
#include "herald/outbox.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* Entry files carry this; a newer format is refused rather than misread. */
#define ENTRY_VERSION 1
/* An entry file larger than this is not one of ours. */
#define ENTRY_CAP (64u << 20)
#define ENTRY_SUFFIX ".json"
/* How many candidates an ambiguous short id lists. */
#define AMBIGUOUS_SHOWN 5

enum where {
	WHERE_PENDING = 1,
	WHERE_DEAD = 2,
	WHERE_ANY = 3,
};

struct outbox {
	char *dir;     /* GITDIR/herald */
	char *pending; /* GITDIR/herald/outbox */
	char *dead;    /* GITDIR/herald/dead */
	int lock_fd;   /* -1 while not locked */
};

void outbox_entry_init(struct outbox_entry *e)
{
	memset(e, 0, sizeof(*e));
}

void outbox_entry_release(struct outbox_entry *e)
{
	free(e->id);
	free(e->target);
	free(e->event);
	free(e->post);
	free(e->title);
	free(e->body);
	free(e->content_type);
	free(e->method);
	free(e->url_suffix);
	free(e->last_error);
	free(e->response);
	outbox_entry_init(e);
}

bool outbox_id_valid(const char *id)
{
	size_t i;

	if (!id || !*id || *id == '.')
		return false;
	for (i = 0; id[i]; i++) {
		unsigned char c = (unsigned char)id[i];

		if (i >= OUTBOX_ID_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

/*
 * An id that failed validation may hold anything; only printable ASCII
 * reaches the terminal, and not too much of it.
 */
static int invalid_id(const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	for (i = 0; id && id[i] && i < OUTBOX_ID_MAX; i++) {
		unsigned char c = (unsigned char)id[i];
		strbuf_addch(&sb, c >= 0x20 && c < 0x7f ? c : '?');
	}
	if (id && i == OUTBOX_ID_MAX && id[i])
		strbuf_addstr(&sb, "...");
	ret = error("invalid outbox id '%s' (only letters, digits, '_', '.' "
		    "and '-', no leading dot, at most %d characters)",
		    sb.buf, OUTBOX_ID_MAX);
	strbuf_release(&sb);
	return ret;
}

/* --- files --- */

/* Moves folder_a/name to folder_b/name atomically and durably. */
static int move_file(const char *from_dir, const char *to_dir, const char *name)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&from, "%s/%s", from_dir, name);
	strbuf_addf(&to, "%s/%s", to_dir, name);
	if (rename(from.buf, to.buf) < 0) {
		ret = error("cannot rename '%s' to '%s': %s", from.buf, to.buf,
			    strerror(errno));
		goto out;
	}
	/* The new name first: a crash in between must not lose the entry. */
	if (fileio_fsync_dir(to_dir) < 0 || fileio_fsync_dir(from_dir) < 0)
		ret = -1;
out:
	strbuf_release(&from);
	strbuf_release(&to);
	return ret;
}

static enum lookup file_exists(const char *path)
{
	struct stat st;

	if (!stat(path, &st))
		return LOOKUP_FOUND;
	if (errno == ENOENT)
		return LOOKUP_MISSING;
	return error("cannot examine '%s': %s", path, strerror(errno));
}

static void entry_path(struct strbuf *sb, const char *folder, const char *id)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s" ENTRY_SUFFIX, folder, id);
}

/* Unlinks folder/ID.json: found (and removed), missing, or LOOKUP_ERROR after error(). */
static enum lookup unlink_entry(const char *folder, const char *id)
{
	struct strbuf path = STRBUF_INIT;
	enum lookup ret = LOOKUP_FOUND;

	entry_path(&path, folder, id);
	if (unlink(path.buf) < 0) {
		if (errno == ENOENT) {
			ret = LOOKUP_MISSING;
		} else {
			error("cannot remove '%s': %s", path.buf, strerror(errno));
			ret = LOOKUP_ERROR;
		}
	}
	strbuf_release(&path);
	return ret;
}

/*
 * Appends the ids of the entries in `folder`, in directory order. Dot files
 * (our temporary files) are skipped silently; other names that are not
 * "ID.json" are skipped, with a warning when `warn` is set.
 */
static int list_ids(const char *folder, struct strvec *ids, int warn)
{
	DIR *dir = NULL;
	struct dirent *de;
	int ret = 0;

	dir = opendir(folder);
	if (!dir) {
		ret = error("cannot read folder '%s': %s", folder,
			    strerror(errno));
		goto out;
	}
	for (;;) {
		size_t len;
		char *id;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				ret = error("cannot read folder '%s': %s",
					    folder, strerror(errno));
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		id = NULL;
		if (len > strlen(ENTRY_SUFFIX) &&
		    !strcmp(de->d_name + len - strlen(ENTRY_SUFFIX),
			    ENTRY_SUFFIX))
			id = xstrndup(de->d_name, len - strlen(ENTRY_SUFFIX));
		if (!id || !outbox_id_valid(id)) {
			if (warn)
				warning("%s/%s: not an outbox entry name "
					"(skipped)", folder, de->d_name);
			free(id);
			continue;
		}
		strvec_push_nodup(ids, id);
	}
out:
	if (dir)
		closedir(dir);
	return ret;
}

/* --- entries as JSON --- */

/*
 * Sets `key` to the string s[0..len), or to null for NULL; bytes that are
 * not valid UTF-8 (which JSON cannot hold) go to "<key>_base64" instead.
 */
static int set_string(json_t *obj, const char *key, const char *s, size_t len)
{
	struct strbuf b64 = STRBUF_INIT, key64 = STRBUF_INIT;
	json_t *v;
	int ret;

	if (!s)
		return json_object_set_new(obj, key, json_null());
	v = json_stringn(s, len);
	if (v)
		return json_object_set_new(obj, key, v);
	base64_encode(&b64, s, len);
	strbuf_addf(&key64, "%s_base64", key);
	ret = json_object_set_new(obj, key64.buf,
				  json_stringn(b64.buf, b64.len));
	strbuf_release(&b64);
	strbuf_release(&key64);
	return ret;
}

static int set_cstring(json_t *obj, const char *key, const char *s)
{
	return set_string(obj, key, s, s ? strlen(s) : 0);
}

/* The file's bytes, with a final newline; NULL after error(). */
static char *entry_to_text(const struct outbox_entry *e)
{
	json_t *obj = NULL;
	char *text = NULL, *dumped = NULL;
	size_t len;
	int bad = 0;

	if (!outbox_id_valid(e->id)) {
		invalid_id(e->id);
		goto out;
	}
	if (!e->target || !e->event || !e->content_type || !e->method) {
		error("outbox entry '%s' lacks a target, event, content type "
		      "or method", e->id);
		goto out;
	}
	obj = json_object();
	if (!obj)
		goto oom;
	bad |= json_object_set_new(obj, "version", json_integer(ENTRY_VERSION));
	bad |= set_cstring(obj, "id", e->id);
	bad |= set_cstring(obj, "target", e->target);
	bad |= set_cstring(obj, "event", e->event);
	bad |= set_cstring(obj, "post", e->post);
	bad |= set_cstring(obj, "title", e->title);
	bad |= set_string(obj, "body", e->body ? e->body : "",
			  e->body ? e->body_len : 0);
	bad |= set_cstring(obj, "content_type", e->content_type);
	bad |= set_cstring(obj, "method", e->method);
	bad |= set_cstring(obj, "url_suffix", e->url_suffix);
	bad |= json_object_set_new(obj, "created", json_integer(e->created));
	bad |= json_object_set_new(obj, "next_attempt",
				   json_integer(e->next_attempt));
	bad |= json_object_set_new(obj, "last_attempt",
				   json_integer(e->last_attempt));
	bad |= json_object_set_new(obj, "attempts", json_integer(e->attempts));
	bad |= json_object_set_new(obj, "last_status",
				   json_integer(e->last_status));
	bad |= set_cstring(obj, "last_error", e->last_error);
	bad |= set_cstring(obj, "response", e->response);
	if (bad)
		goto oom;
	dumped = json_dumps(obj, JSON_SORT_KEYS | JSON_INDENT(2));
	if (!dumped)
		goto oom;
	/* the final newline by hand: printf's "%s" copies a byte at a time */
	len = strlen(dumped);
	text = xrealloc(dumped, len + 2);
	dumped = NULL;
	text[len] = '\n';
	text[len + 1] = '\0';
	goto out;
oom:
	error("cannot serialise outbox entry '%s': out of memory", e->id);
out:
	free(dumped);
	json_decref(obj);
	return text;
}

/*
 * Reads the string `key` (or "<key>_base64") of `obj` into a fresh,
 * NUL-terminated *out. A missing or null key gives NULL, which is an error
 * when `required`. 0, or -1 with the reason in `why`.
 */
static int get_string(json_t *obj, const char *key, int required, char **out,
		      size_t *len, struct strbuf *why)
{
	struct strbuf key64 = STRBUF_INIT, bytes = STRBUF_INIT;
	json_t *v = json_object_get(obj, key);
	int ret = 0;

	*out = NULL;
	if (len)
		*len = 0;
	if (json_is_string(v)) {
		strbuf_add(&bytes, json_string_value(v), json_string_length(v));
	} else if (v && !json_is_null(v)) {
		strbuf_addf(why, "'%s' is not a string", key);
		ret = -1;
		goto out;
	} else {
		strbuf_addf(&key64, "%s_base64", key);
		v = json_object_get(obj, key64.buf);
		if (json_is_string(v)) {
			size_t n64 = json_string_length(v);
			long n;

			strbuf_addchars(&bytes, 0, BASE64_DECODED_MAX(n64));
			n = base64_decode(json_string_value(v), n64, BASE64_PADDED,
					  (unsigned char *)bytes.buf);
			if (n >= 0)
				strbuf_setlen(&bytes, (size_t)n);
			if (n < 0) {
				strbuf_addf(why, "'%s' is not base64",
					    key64.buf);
				ret = -1;
				goto out;
			}
		} else if (v && !json_is_null(v)) {
			strbuf_addf(why, "'%s' is not a string", key64.buf);
			ret = -1;
			goto out;
		} else {
			if (required) {
				strbuf_addf(why, "'%s' is missing", key);
				ret = -1;
			}
			goto out;
		}
	}
	if (len)
		*len = bytes.len;
	/* strbuf_detach() of an empty buffer still hands out fresh memory. */
	*out = strbuf_detach(&bytes, NULL);
out:
	strbuf_release(&key64);
	strbuf_release(&bytes);
	return ret;
}

static int get_number(json_t *obj, const char *key, long long min,
		      long long max, long long *out, struct strbuf *why)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		strbuf_addf(why, "'%s' is not an integer in range", key);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/*
 * Reads the file `path`, which should hold entry `id`, into `e` (which is
 * released first). LOOKUP_FOUND; LOOKUP_MISSING when the file does not
 * exist; LOOKUP_ERROR with a message that starts with the file name in
 * `why` (not yet reported).
 */
static enum lookup read_entry(const char *path, const char *id, struct outbox_entry *e,
			      struct strbuf *why)
{
	struct strbuf sb = STRBUF_INIT, reason = STRBUF_INIT;
	json_t *obj = NULL;
	json_error_t jerr;
	long long n;
	enum lookup ret = LOOKUP_FOUND;

	outbox_entry_release(e);
	strbuf_reset(why);
	if (fileio_read_own(&sb, path, ENTRY_CAP) < 0) {
		if (errno == ENOENT) {
			ret = LOOKUP_MISSING;
			goto out;
		}
		strbuf_addf(why, "cannot read '%s': %s", path, strerror(errno));
		ret = LOOKUP_ERROR;
		goto out;
	}
	obj = json_loadb(sb.buf, sb.len,
			 JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		strbuf_addf(why, "%s:%d:%d: %s", path, jerr.line, jerr.column,
			    jerr.text);
		ret = -1;
		goto out;
	}
	if (!json_is_object(obj)) {
		strbuf_addstr(&reason, "not a JSON object");
		goto bad;
	}
	if (get_number(obj, "version", 0, LLONG_MAX, &n, &reason) < 0)
		goto bad;
	if (n > ENTRY_VERSION) {
		strbuf_addf(&reason, "format version %lld is newer than this "
				     "herald's", n);
		goto bad;
	}
	if (get_string(obj, "id", 1, &e->id, NULL, &reason) < 0 ||
	    get_string(obj, "target", 1, &e->target, NULL, &reason) < 0 ||
	    get_string(obj, "event", 1, &e->event, NULL, &reason) < 0 ||
	    get_string(obj, "post", 0, &e->post, NULL, &reason) < 0 ||
	    get_string(obj, "title", 0, &e->title, NULL, &reason) < 0 ||
	    get_string(obj, "body", 1, &e->body, &e->body_len, &reason) < 0 ||
	    get_string(obj, "content_type", 1, &e->content_type, NULL,
		       &reason) < 0 ||
	    get_string(obj, "method", 1, &e->method, NULL, &reason) < 0 ||
	    get_string(obj, "url_suffix", 0, &e->url_suffix, NULL,
		       &reason) < 0 ||
	    get_string(obj, "last_error", 0, &e->last_error, NULL,
		       &reason) < 0 ||
	    get_string(obj, "response", 0, &e->response, NULL, &reason) < 0)
		goto bad;
	if (get_number(obj, "created", LLONG_MIN, LLONG_MAX, &e->created,
		       &reason) < 0 ||
	    get_number(obj, "next_attempt", LLONG_MIN, LLONG_MAX,
		       &e->next_attempt, &reason) < 0 ||
	    get_number(obj, "last_attempt", LLONG_MIN, LLONG_MAX,
		       &e->last_attempt, &reason) < 0)
		goto bad;
	if (get_number(obj, "attempts", INT_MIN, INT_MAX, &n, &reason) < 0)
		goto bad;
	e->attempts = (int)n;
	if (get_number(obj, "last_status", INT_MIN, INT_MAX, &n, &reason) < 0)
		goto bad;
	e->last_status = (int)n;
	/* The file name is what gets removed: it must be the id it holds. */
	if (strcmp(e->id, id)) {
		strbuf_addstr(&reason, "its id does not match the file name");
		goto bad;
	}
	goto out;
bad:
	strbuf_addf(why, "%s: %s", path, reason.buf);
	outbox_entry_release(e);
	ret = -1;
out:
	json_decref(obj);
	strbuf_release(&sb);
	strbuf_release(&reason);
	return ret;
}

/* --- the outbox --- */

/*
 * Makes sure `path` is a folder: 0, with *created set when this call made
 * it (its parent then needs an fsync), or -1 after error().
 */
static int make_folder(const char *path, bool *created)
{
	struct stat st;

	*created = !mkdir(path, 0700);
	if (*created)
		return 0;
	if (errno != EEXIST)
		return error("cannot create folder '%s': %s", path,
			     strerror(errno));
	if (stat(path, &st) < 0)
		return error("cannot examine '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return error("'%s' is not a folder", path);
	return 0;
}

int outbox_check_folder(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return error("cannot examine '%s': %s", dir, strerror(errno));
	/*
	 * Everything herald keeps here (credentials in bodies, the ledger
	 * that stops repeats) is only as safe as the folder: someone else's,
	 * a link to elsewhere, or one others may write to is refused.
	 */
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
		return error("'%s' is not a folder (a symbolic link is refused)", dir);
	if (st.st_uid != geteuid())
		return error("'%s' belongs to another user (uid %lu); herald runs as uid %lu",
			     dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
	if (st.st_mode & 022)
		return error("'%s' is writable by group or others (mode %04o); chmod 700 it",
			     dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

struct outbox *outbox_open(const char *gitdir)
{
	struct outbox *ob = NULL;
	bool created;

	if (!gitdir || !*gitdir) {
		error("no git directory for the outbox");
		goto out;
	}
	ob = xcalloc(1, sizeof(*ob));
	ob->lock_fd = -1;
	ob->dir = xstrfmt("%s/herald", gitdir);
	ob->pending = xstrfmt("%s/outbox", ob->dir);
	ob->dead = xstrfmt("%s/dead", ob->dir);

	if (make_folder(ob->dir, &created) < 0 || (created && fileio_fsync_dir(gitdir) < 0) ||
	    outbox_check_folder(ob->dir) < 0)
		goto fail;
	if (make_folder(ob->pending, &created) < 0 ||
	    (created && fileio_fsync_dir(ob->dir) < 0))
		goto fail;
	if (make_folder(ob->dead, &created) < 0 || (created && fileio_fsync_dir(ob->dir) < 0))
		goto fail;
	goto out;
fail:
	outbox_close(ob);
	ob = NULL;
out:
	return ob;
}

void outbox_close(struct outbox *ob)
{
	if (!ob)
		return;
	outbox_unlock(ob);
	free(ob->dir);
	free(ob->pending);
	free(ob->dead);
	free(ob);
}

const char *outbox_dir(const struct outbox *ob)
{
	return ob->dir;
}

static int take_lock(struct outbox *ob, bool wait, bool *locked)
{
	struct strbuf path = STRBUF_INIT;
	int fd = -1, ret = 0;

	*locked = true;
	if (ob->lock_fd >= 0)
		goto out;
	strbuf_addf(&path, "%s/lock", ob->dir);
	do {
		fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		ret = error("cannot open '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		if (!wait && errno == EWOULDBLOCK) {
			*locked = false;
			goto out;
		}
		ret = error("cannot lock '%s': %s", path.buf, strerror(errno));
		goto out;
	}
	ob->lock_fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	return ret;
}

int outbox_lock(struct outbox *ob)
{
	bool locked;

	return take_lock(ob, true, &locked);
}

int outbox_trylock(struct outbox *ob, bool *locked)
{
	return take_lock(ob, false, locked);
}

void outbox_unlock(struct outbox *ob)
{
	if (!ob || ob->lock_fd < 0)
		return;
	/* Closing drops the flock; an explicit unlock also covers forks. */
	flock(ob->lock_fd, LOCK_UN);
	close(ob->lock_fd);
	ob->lock_fd = -1;
}

static const char *folder_of(const struct outbox *ob, int dead)
{
	return dead ? ob->dead : ob->pending;
}

/* Writes `e` as folder/ID.json, atomically and durably. */
static int put_in(struct outbox *ob, int dead, const struct outbox_entry *e)
{
	struct strbuf path = STRBUF_INIT;
	char *text = entry_to_text(e);
	int ret = 0;

	if (!text) {
		ret = -1;
		goto out;
	}
	/*
	 * 0600: bodies may carry tokens. The temporary file is a dot file,
	 * which no id can be, so list_ids() skips it.
	 */
	entry_path(&path, folder_of(ob, dead), e->id);
	ret = fileio_write_atomic(path.buf, text, strlen(text), 0600);
out:
	free(text);
	strbuf_release(&path);
	return ret;
}

int outbox_put(struct outbox *ob, const struct outbox_entry *e)
{
	return put_in(ob, 0, e);
}

int outbox_put_batch(struct outbox *ob, const struct outbox_entry *v, size_t nr,
		     size_t *written)
{
	struct strbuf path = STRBUF_INIT;
	struct fileio_batch b;
	size_t i;
	int ret = 0;

	*written = 0;
	fileio_batch_init(&b, ob->pending);
	for (i = 0; i < nr && !ret; i++) {
		char *text = entry_to_text(&v[i]);

		if (!text) {
			ret = -1;
			break;
		}
		entry_path(&path, ob->pending, v[i].id);
		if (fileio_fault("entry") < 0)
			ret = error("cannot write '%s': %s", path.buf, strerror(errno));
		else
			ret = fileio_batch_add(&b, path.buf, text, strlen(text), 0600);
		free(text);
	}
	/* the data of every entry, then every name: one sync each for the batch */
	if (!ret)
		ret = fileio_batch_commit(&b, written);
	fileio_batch_release(&b);
	strbuf_release(&path);
	return ret;
}

int outbox_unlink_batch(struct outbox *ob, const struct strvec *ids)
{
	size_t i;
	int ret = 0, any = 0;

	for (i = 0; i < ids->nr; i++) {
		int r;

		if (!outbox_id_valid(ids->v[i]))
			continue;
		r = unlink_entry(ob->pending, ids->v[i]);
		if (r == LOOKUP_ERROR)
			ret = -1;
		else if (r == LOOKUP_FOUND)
			any = 1;
	}
	if (any && fileio_fsync_dir(ob->pending) < 0)
		ret = -1;
	return ret;
}

enum lookup outbox_has(struct outbox *ob, const char *id)
{
	struct strbuf path = STRBUF_INIT;
	enum lookup ret = LOOKUP_MISSING;

	if (!outbox_id_valid(id))
		goto out;
	entry_path(&path, ob->pending, id);
	ret = file_exists(path.buf);
	if (ret != LOOKUP_MISSING)
		goto out;
	entry_path(&path, ob->dead, id);
	ret = file_exists(path.buf);
out:
	strbuf_release(&path);
	return ret;
}

static int cmp_entry(const void *a_, const void *b_)
{
	const struct outbox_entry *a = a_, *b = b_;

	if (a->next_attempt != b->next_attempt)
		return a->next_attempt < b->next_attempt ? -1 : 1;
	return strcmp(a->id, b->id);
}

int outbox_list(struct outbox *ob, int dead, struct outbox_entry **out,
		size_t *nr)
{
	struct strvec ids = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	struct outbox_entry *arr = NULL;
	size_t n = 0, alloc = 0, i;
	const char *folder = folder_of(ob, dead);
	int ret = 0;

	*out = NULL;
	*nr = 0;
	if (list_ids(folder, &ids, 1) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < ids.nr; i++) {
		enum lookup r;

		ALLOC_GROW(arr, n + 1, alloc);
		outbox_entry_init(&arr[n]);
		entry_path(&path, folder, ids.v[i]);
		r = read_entry(path.buf, ids.v[i], &arr[n], &why);
		if (r == LOOKUP_FOUND)
			n++;
		else if (r == LOOKUP_ERROR)
			warning("%s (entry skipped)", why.buf);
		/* LOOKUP_MISSING: removed meanwhile by someone else; fine. */
	}
	if (n) {
		qsort(arr, n, sizeof(*arr), cmp_entry);
		*out = arr;
		*nr = n;
		arr = NULL;
	}
out:
	free(arr);
	strvec_clear(&ids);
	strbuf_release(&path);
	strbuf_release(&why);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Finds the entry that `id` names in the folders of `where`, exactly or as
 * a unique prefix; pending wins over dead. LOOKUP_FOUND with the full id in
 * `full` and *dead set; LOOKUP_MISSING when there is none; LOOKUP_ERROR
 * after error().
 */
static enum lookup resolve(struct outbox *ob, const char *id, enum where where,
			   struct strbuf *full, int *dead)
{
	struct strbuf path = STRBUF_INIT, list = STRBUF_INIT;
	struct strvec ids = STRVEC_INIT, found = STRVEC_INIT;
	int found_dead = 0, d;
	enum lookup r, ret = LOOKUP_MISSING;
	size_t i, len, kept;

	strbuf_reset(full);
	if (!outbox_id_valid(id)) {
		invalid_id(id);
		ret = LOOKUP_ERROR;
		goto out;
	}
	for (d = 0; d <= 1; d++) {
		if (!(where & (d ? WHERE_DEAD : WHERE_PENDING)))
			continue;
		entry_path(&path, folder_of(ob, d), id);
		r = file_exists(path.buf);
		if (r != LOOKUP_MISSING) {
			if (r == LOOKUP_FOUND) {
				strbuf_addstr(full, id);
				*dead = d;
			}
			ret = r;
			goto out;
		}
	}

	len = strlen(id);
	for (d = 0; d <= 1; d++) {
		if (!(where & (d ? WHERE_DEAD : WHERE_PENDING)))
			continue;
		strvec_clear(&ids);
		if (list_ids(folder_of(ob, d), &ids, 0) < 0) {
			ret = LOOKUP_ERROR;
			goto out;
		}
		for (i = 0; i < ids.nr; i++) {
			if (strncmp(ids.v[i], id, len))
				continue;
			if (!found.nr)
				found_dead = d;
			strvec_push(&found, ids.v[i]);
		}
	}
	/* An id in both folders (put there by hand) is still one entry. */
	if (found.nr > 1)
		qsort(found.v, found.nr, sizeof(*found.v), cmp_str);
	for (i = 1, kept = found.nr ? 1 : 0; i < found.nr; i++) {
		if (strcmp(found.v[i], found.v[kept - 1])) {
			char *tmp = found.v[kept];
			found.v[kept++] = found.v[i];
			found.v[i] = tmp;
		}
	}
	while (found.nr > kept) {
		free(found.v[--found.nr]);
		found.v[found.nr] = NULL;
	}
	if (found.nr == 1) {
		strbuf_addstr(full, found.v[0]);
		*dead = found_dead;
		ret = LOOKUP_FOUND;
	} else if (found.nr > 1) {
		for (i = 0; i < found.nr && i < AMBIGUOUS_SHOWN; i++)
			strbuf_addf(&list, "%s%s", i ? ", " : "", found.v[i]);
		if (found.nr > AMBIGUOUS_SHOWN)
			strbuf_addstr(&list, ", ...");
		error("short id '%s' is ambiguous: %zu entries match (%s)", id, found.nr,
		      list.buf);
		ret = LOOKUP_ERROR;
	}
out:
	strbuf_release(&path);
	strbuf_release(&list);
	strvec_clear(&ids);
	strvec_clear(&found);
	return ret;
}

/* Reads entry `id` from its folder: found, gone, or LOOKUP_ERROR after error(). */
static enum lookup load(struct outbox *ob, const char *id, int dead,
			struct outbox_entry *e)
{
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	enum lookup ret;

	entry_path(&path, folder_of(ob, dead), id);
	ret = read_entry(path.buf, id, e, &why);
	if (ret == LOOKUP_ERROR)
		error("%s", why.buf);
	strbuf_release(&path);
	strbuf_release(&why);
	return ret;
}

enum lookup outbox_get(struct outbox *ob, const char *id, struct outbox_entry *e,
		       int *dead)
{
	struct strbuf full = STRBUF_INIT;
	int d = 0;
	enum lookup ret;

	outbox_entry_release(e);
	ret = resolve(ob, id, WHERE_ANY, &full, &d);
	if (ret != LOOKUP_FOUND)
		goto out;
	ret = load(ob, full.buf, d, e);
	if (ret == LOOKUP_FOUND && dead)
		*dead = d;
out:
	strbuf_release(&full);
	return ret;
}

int outbox_remove(struct outbox *ob, const char *id)
{
	int r;

	if (!outbox_id_valid(id))
		return invalid_id(id);
	if (fileio_fault("removal") < 0)
		return error("cannot remove outbox entry '%s': %s", id, strerror(errno));
	r = unlink_entry(ob->pending, id);
	if (r == LOOKUP_ERROR)
		return -1;
	return r == LOOKUP_FOUND ? fileio_fsync_dir(ob->pending) : 0;
}

int outbox_bury(struct outbox *ob, const struct outbox_entry *e)
{
	struct strbuf name = STRBUF_INIT;
	int ret = 0;

	/*
	 * Rewriting the pending file and renaming it into dead/ moves the
	 * entry in one step: it is never in both folders, nor in neither.
	 */
	if (put_in(ob, 0, e) < 0) {
		ret = -1;
		goto out;
	}
	strbuf_addf(&name, "%s" ENTRY_SUFFIX, e->id);
	ret = move_file(ob->pending, ob->dead, name.buf);
out:
	strbuf_release(&name);
	return ret;
}

int outbox_revive(struct outbox *ob, const char *id, long long now)
{
	struct outbox_entry e;
	struct strbuf full = STRBUF_INIT, name = STRBUF_INIT;
	int d = 1, ret = -1;
	enum lookup found;

	outbox_entry_init(&e);
	found = resolve(ob, id, WHERE_DEAD, &full, &d);
	if (found == LOOKUP_MISSING)
		error("no dead outbox entry '%s'", id);
	if (found != LOOKUP_FOUND)
		goto out;
	found = load(ob, full.buf, 1, &e);
	if (found == LOOKUP_MISSING)
		error("dead outbox entry '%s' vanished", full.buf);
	if (found != LOOKUP_FOUND)
		goto out;
	e.attempts = 0;
	e.next_attempt = now;
	/* As in outbox_bury(), but the other way round. */
	if (put_in(ob, 1, &e) < 0) {
		ret = -1;
		goto out;
	}
	strbuf_addf(&name, "%s" ENTRY_SUFFIX, e.id);
	ret = move_file(ob->dead, ob->pending, name.buf);
out:
	outbox_entry_release(&e);
	strbuf_release(&full);
	strbuf_release(&name);
	return ret;
}

int outbox_drop(struct outbox *ob, const char *id)
{
	struct strbuf full = STRBUF_INIT;
	int d = 0, r, ret = -1;
	enum lookup found;

	found = resolve(ob, id, WHERE_ANY, &full, &d);
	if (found == LOOKUP_MISSING)
		error("no outbox entry '%s'", id);
	if (found != LOOKUP_FOUND)
		goto out;
	ret = 0;
	for (d = 0; d <= 1; d++) {
		r = unlink_entry(folder_of(ob, d), full.buf);
		if (r == LOOKUP_ERROR ||
		    (r == LOOKUP_FOUND && fileio_fsync_dir(folder_of(ob, d)) < 0))
			ret = -1;
	}
out:
	strbuf_release(&full);
	return ret;
}

int outbox_stats(struct outbox *ob, size_t *pending, size_t *dead,
		 long long *oldest)
{
	struct strvec ids = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	struct outbox_entry e;
	size_t n = 0, i;
	long long first = 0;
	int have_first = 0, ret = 0;

	outbox_entry_init(&e);
	if (pending)
		*pending = 0;
	if (dead)
		*dead = 0;
	if (oldest)
		*oldest = 0;
	if (list_ids(ob->pending, &ids, 0) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < ids.nr; i++) {
		enum lookup r;

		entry_path(&path, ob->pending, ids.v[i]);
		r = read_entry(path.buf, ids.v[i], &e, &why);
		if (r == LOOKUP_MISSING)
			continue;
		n++;
		if (r == LOOKUP_ERROR)
			warning("%s (no creation time)", why.buf);
		else if (!have_first || e.created < first) {
			first = e.created;
			have_first = 1;
		}
	}
	if (pending)
		*pending = n;
	if (oldest)
		*oldest = first;
	strvec_clear(&ids);
	if (list_ids(ob->dead, &ids, 0) < 0) {
		ret = -1;
		goto out;
	}
	if (dead)
		*dead = ids.nr;
out:
	outbox_entry_release(&e);
	strvec_clear(&ids);
	strbuf_release(&path);
	strbuf_release(&why);
	return ret;
}
