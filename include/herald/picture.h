#ifndef HERALD_PICTURE_H
#define HERALD_PICTURE_H

#include <stddef.h>

#include <git2.h>
#include <jansson.h>

struct site;

/*
 * The picture a post names, read as bytes from the repository at the
 * commit being announced — never from the network and never from the
 * file system: a push decides what the front matter says, so herald only
 * reads what the push itself holds, the way a site generator would serve it.
 *
 * The reference (model_image_ref()) is taken as the site serves it:
 *  - an absolute url counts only when it lies below the site's base url
 *    (the rest of its path is then site-absolute); any other url, or
 *    another scheme, names nothing herald reads;
 *  - a site-absolute path "/img/a.png" is looked for at "img/a.png",
 *    "static/img/a.png" (Hugo, Zola) and "public/img/a.png", in that order;
 *  - a relative one "a.png" beside the post first when the post is a page
 *    bundle (index.*), else after the site-absolute places.
 * Query and fragment are dropped and %XX decoded first; "." and ".." are
 * applied, and a path that climbs above the repository's root is refused.
 * Only a regular file (a blob, executable or not) is read: a symbolic
 * link, a folder or a submodule is not followed.
 */

/* What Bluesky takes for a thumbnail; larger pictures are not read. */
#define PICTURE_MAX 1000000

struct picture {
	const char *mime;    /* "image/png", "image/jpeg", "image/webp", "image/gif" */
	unsigned char *data; /* owned */
	size_t len;
	char *path; /* the repository path read, owned */
};

void picture_release(struct picture *p);

/*
 * Reads the picture of the model event `ev` (its front matter and path)
 * from `tree`, at most `max` bytes, of a type known by its magic bytes.
 * 1 with `out` filled (the caller releases it); 0 when there is none to
 * use, after a warning naming the post when it names a picture that
 * cannot be used (not in the repository, outside it, a link, too large,
 * not a known image type) — an url elsewhere is no such case, and says
 * nothing; -1 after error() when the repository cannot be read.
 */
int picture_read(git_tree *tree, const struct site *site, const json_t *ev, size_t max,
		 struct picture *out);

/* The type of an image from its first bytes: a "image/..." string, or NULL. */
const char *picture_mime(const unsigned char *p, size_t len);

#endif
