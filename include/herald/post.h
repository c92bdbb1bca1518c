#ifndef HERALD_POST_H
#define HERALD_POST_H

#include <stddef.h>

#include <jansson.h>

#include "herald/frontmatter.h"

struct site;

/*
 * The largest post herald reads. Front matter is capped at 1 MiB, but the
 * body is summarised and compared, so a blob is read whole: without a cap a
 * 1 GiB file pushed into a posts folder would be inflated into memory.
 */
#define HERALD_POST_MAX ((size_t)16 * 1024 * 1024)

enum post_state {
	POST_ABSENT,
	POST_DRAFT,
	POST_SCHEDULED,
	POST_PUBLISHED,
	POST_INVALID,
};

/*
 * One file of a snapshot as herald reads it. Strings are owned by the post;
 * `body` points into the buffer given to post_read() and is valid only as
 * long as that buffer is.
 */
struct post {
	char *path;
	enum post_state state;
	struct frontmatter fm;  /* fm.data is the front matter object */
	const char *body;
	size_t body_len;
	char *title;
	char *slug;
	char *url;              /* absolute, or NULL when no base url is known */
	char *summary;          /* plain text, valid UTF-8 */
	char *summary_md;       /* the same as the Markdown it was written in */
	json_t *tags;           /* array of strings */
	long long date;         /* seconds since the epoch, or -1 */
	int date_offset;        /* the date's own offset from UTC, in seconds */
	const char *date_field; /* which field gave the date, or NULL */
	/*
	 * When the post goes live (-1: whenever it is built) and the date its
	 * url's date parts come from: both are `date` but for Hugo, whose
	 * publishDate and Date are configured apart ([frontmatter]).
	 */
	long long publish;
	long long url_date;
	int url_date_offset;
	int slug_from_name;     /* Hugo: `slug` is the one :filename gave */
	char *error;            /* why it is invalid or not a post, or NULL */
	int error_line, error_column;
};

void post_init(struct post *p);
void post_release(struct post *p);

/*
 * Reads the file `path` whose content is buf[0..len) and evaluates its state
 * at `now`. A file without front matter is POST_ABSENT (not a post); one
 * whose front matter cannot be read is POST_INVALID with `error` set.
 * Unreadable dates are recorded as warnings in p->fm.problems.
 */
#define POST_READ_NO_SUMMARY 1 /* skip the body: lint needs no summary */
#define POST_READ_NO_URL 2     /* leave `url` NULL: lint needs none */
/*
 * post_read_parsed() only: the front matter has the site's defaults for
 * `path` already (it is shared, with frontmatter_share(), with a post read
 * at a path site_defaults_same() says gets the same), so none are applied.
 */
#define POST_READ_DEFAULTS_DONE 4
void post_read(struct post *p, const struct site *s, const char *path,
	       const char *buf, size_t len, long long now, unsigned flags);

/*
 * post_read() of a file whose front matter `fm` frontmatter_parse(fm, buf,
 * len) read, returning `rc`: the post takes `fm` over and leaves it empty.
 * A caller that reads one content at two paths (a rename that kept it)
 * parses it once and gives each path a frontmatter_copy(), taken before
 * the first post_read_parsed(): the site's defaults change the front
 * matter by path.
 */
void post_read_parsed(struct post *p, const struct site *s, const char *path,
		      struct frontmatter *fm, enum lookup rc, const char *buf, size_t len,
		      long long now, unsigned flags);

/* Fills in what a non-regular file (symlink, submodule) at a post path is. */
void post_not_a_file(struct post *p, const char *path, const char *what);

/*
 * Fills in a file too large to read (over HERALD_POST_MAX): POST_INVALID,
 * with an error at line 0 that gives its `size` in bytes.
 */
void post_too_large(struct post *p, const char *path, size_t size);

const char *post_state_name(enum post_state st);

/*
 * The post as JSON: title, slug, url, date, tags, summary,
 * summary_markdown, front_matter.
 * Returns a new reference.
 */
json_t *post_to_json(const struct post *p);

#endif
