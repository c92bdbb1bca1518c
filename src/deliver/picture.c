#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "herald/model.h"
#include "herald/picture.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

void picture_release(struct picture *p)
{
	free(p->data);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

const char *picture_mime(const unsigned char *p, size_t len)
{
	if (len >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (len >= 3 && !memcmp(p, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (len >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "image/gif";
	if (len >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

/* "https://host/x" → "host/x"; NULL when `s` has no http(s) or "//" start. */
static const char *after_scheme(const char *s)
{
	if (!strncasecmp(s, "https://", 8))
		return s + 8;
	if (!strncasecmp(s, "http://", 7))
		return s + 7;
	if (s[0] == '/' && s[1] == '/')
		return s + 2;
	return NULL;
}

/*
 * The path part of `ref` as the site serves it, %XX decoded, without query
 * and fragment, into `out`: 1 when it is a path of the site, 0 when it is
 * a url elsewhere or of another scheme, -1 when it cannot be a path (a
 * NUL or a control character once decoded).
 */
static int site_path(const char *ref, const struct site *site, struct strbuf *out)
{
	const char *rest = after_scheme(ref), *p;
	char *dec;
	size_t n, i;
	int len = 0;

	if (rest) {
		const char *base = site->base_url ? after_scheme(site->base_url) : NULL;
		size_t blen = base ? strlen(base) : 0;
		while (blen && base[blen - 1] == '/')
			blen--;
		if (!base || !blen || strncasecmp(rest, base, blen) ||
		    (rest[blen] && !strchr("/?#", rest[blen])))
			return 0; /* a url elsewhere: nothing herald reads */
		ref = rest + blen;
		if (!*ref || *ref != '/')
			return 0;
	} else {
		for (p = ref; *p && *p != '/'; p++)
			if (*p == ':')
				return 0; /* mailto:, data:, file: ... */
	}
	n = strcspn(ref, "?#");
	/* libcurl's decoding: %XX with two hex digits, anything else as written */
	if (!(dec = curl_easy_unescape(NULL, ref, (int)n, &len)))
		die("out of memory");
	for (i = 0; i < (size_t)len; i++) {
		unsigned char c = (unsigned char)dec[i];
		if (c < 0x20 || c == 0x7f) {
			curl_free(dec);
			return -1;
		}
	}
	strbuf_add(out, dec, (size_t)len);
	curl_free(dec);
	return 1;
}

/*
 * Appends `rel` to the repository path in `path` ("" or "a/b"), applying
 * "." and ".."; -1 when it would climb above the root.
 */
static int join(struct strbuf *path, const char *rel)
{
	const char *p = rel;

	while (*p) {
		size_t n = strcspn(p, "/");
		if (!n || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;
			if (!path->len)
				return -1;
			slash = strrchr(path->buf, '/');
			strbuf_setlen(path, slash ? (size_t)(slash - path->buf) : 0);
		} else {
			if (path->len)
				strbuf_addch(path, '/');
			strbuf_add(path, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

/* Is the post at `path` a page bundle (Hugo's index.md, Zola's folder page)? */
static int is_bundle(const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;

	return base && !strncmp(base + 1, "index.", 6);
}

/* Pushes dir/rel made plain to `out`; 1 when it climbs out of the repository instead. */
static int candidate(const char *dir, size_t dirlen, const char *rel, struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	strbuf_add(&sb, dir, dirlen);
	if (join(&sb, rel) < 0)
		ret = 1;
	else if (sb.len)
		strvec_push(out, sb.buf);
	strbuf_release(&sb);
	return ret;
}

/*
 * Pushes the repository paths to look at, in order; -1 when there is none
 * because each climbs out of the repository. The site path is made plain
 * first ("/img/../a.png" is "a.png"), as a browser does, then looked for
 * below each root.
 */
static int candidates(const char *spath, const char *post, struct strvec *out)
{
	static const char *const roots[] = { "static/", "public/", NULL };
	const char *slash = strrchr(post, '/');
	int beside = spath[0] != '/' && slash, outside = 0, i;
	size_t at;

	if (beside && is_bundle(post))
		outside += candidate(post, (size_t)(slash - post), spath, out);
	at = out->nr;
	if (candidate("", 0, spath, out)) {
		outside++;
	} else if (out->nr > at) {
		char *plain = xstrdup(out->v[at]);
		for (i = 0; roots[i]; i++) {
			char *p = xstrfmt("%s%s", roots[i], plain);
			strvec_push(out, p);
			free(p);
		}
		free(plain);
	}
	if (beside && !is_bundle(post))
		outside += candidate(post, (size_t)(slash - post), spath, out);
	return !out->nr && outside ? -1 : 0;
}

int picture_read(git_tree *tree, const struct site *site, const json_t *ev, size_t max,
		 struct picture *out)
{
	const char *ref = model_image_ref(ev, site), *post = value_str(ev, "path");
	struct strbuf spath = STRBUF_INIT;
	struct strvec paths = STRVEC_INIT;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	const char *why = NULL, *mime;
	char *shown = NULL, big[100];
	size_t i;
	int ret = 0, r;

	memset(out, 0, sizeof(*out));
	if (!ref || !tree)
		return 0;
	shown = printable(ref);
	if ((r = site_path(ref, site, &spath)) <= 0) {
		if (r < 0)
			why = "is not a path";
		goto out;
	}
	if (candidates(spath.buf, post ? post : "", &paths) < 0) {
		why = "points outside the repository";
		goto out;
	}
	for (i = 0; i < paths.nr; i++) {
		r = git_tree_entry_bypath(&entry, tree, paths.v[i]);
		if (!r)
			break;
		entry = NULL;
		if (r != GIT_ENOTFOUND) {
			ret = repo_error(paths.v[i]);
			goto out;
		}
	}
	if (!entry) {
		why = "is not a file in the repository";
		goto out;
	}
	switch (git_tree_entry_filemode(entry)) {
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		break;
	case GIT_FILEMODE_LINK:
		why = "is a symbolic link, which is not followed";
		goto out;
	default:
		why = "is not a file";
		goto out;
	}
	if (git_blob_lookup(&blob, git_tree_owner(tree), git_tree_entry_id(entry)) < 0) {
		ret = repo_error(paths.v[i]);
		goto out;
	}
	if ((unsigned long long)git_blob_rawsize(blob) > max) {
		snprintf(big, sizeof(big), "has %llu bytes, more than the %zu a thumbnail may have",
			 (unsigned long long)git_blob_rawsize(blob), max);
		why = big;
		goto out;
	}
	mime = picture_mime(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	if (!mime) {
		why = "is not a png, jpeg, webp or gif image";
		goto out;
	}
	out->mime = mime;
	out->len = (size_t)git_blob_rawsize(blob);
	out->data = xmalloc(out->len ? out->len : 1);
	memcpy(out->data, git_blob_rawcontent(blob), out->len);
	out->path = xstrdup(paths.v[i]);
	ret = 1;
out:
	if (why) {
		char *p = printable(post ? post : "");
		warning("post '%s': its image '%s' %s: no thumbnail", p, shown, why);
		free(p);
	}
	free(shown);
	git_blob_free(blob);
	git_tree_entry_free(entry);
	strvec_clear(&paths);
	strbuf_release(&spath);
	return ret;
}
