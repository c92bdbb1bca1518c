#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/date.h"
#include "herald/event.h"
#include "herald/post.h"
#include "herald/progress.h"
#include "herald/repo.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

/* ---- reading both sides of a delta ---- */

struct side {
	struct post post;
	git_blob *blob;
	/* the front matter as parsed, before the path's defaults, for the other side */
	struct frontmatter keep;
	enum lookup rc;
	int kept;
};

static void side_release(struct side *s)
{
	post_release(&s->post);
	frontmatter_release(&s->keep);
	git_blob_free(s->blob);
	s->blob = NULL;
}

/*
 * How a side keeps its front matter as parsed for the other side of a
 * rename that kept the content: a copy taken before this path's defaults
 * changed it, or, when the same defaults apply at both paths, shared with
 * this side, defaults and all (no copy, and the defaults merged once).
 */
enum { KEEP_NONE, KEEP_COPY, KEEP_SHARED };

/*
 * `same`, when not NULL, is the other side of a rename that kept the
 * content, already read; read with `keep`, it also kept the front matter
 * as parsed, so that the file is parsed once for both paths. `have`, when
 * not NULL, is f's blob, read by rename detection within the size cap.
 * `flags` are post_read()'s.
 */
static int read_side(struct repo *r, const struct changes_options *o,
		     const git_diff_file *f, struct side *same, git_blob *have, int keep,
		     unsigned flags, struct side *s)
{
	const char *buf;
	size_t size;

	post_init(&s->post);
	frontmatter_init(&s->keep);
	s->blob = NULL;
	s->kept = 0;
	if (f->mode == GIT_FILEMODE_LINK) {
		post_not_a_file(&s->post, f->path, "symbolic link");
		return 0;
	}
	if (f->mode == GIT_FILEMODE_COMMIT) {
		post_not_a_file(&s->post, f->path, "submodule");
		return 0;
	}
	if (same && same->blob && git_blob_dup(&s->blob, same->blob) == 0)
		goto read;
	if (have && git_blob_dup(&s->blob, have) == 0)
		goto read;
	if (repo_blob_capped(r->git, &f->id, f->path, HERALD_POST_MAX, &s->blob, &size) < 0)
		return -1;
	if (!s->blob) {
		post_too_large(&s->post, f->path, size);
		return 0;
	}
read:
	buf = git_blob_rawcontent(s->blob);
	size = (size_t)git_blob_rawsize(s->blob);
	if (same && same->kept) {
		if (same->kept == KEEP_SHARED)
			flags |= POST_READ_DEFAULTS_DONE;
		post_read_parsed(&s->post, o->site, f->path, &same->keep, same->rc, buf, size,
				 o->now, flags);
		same->kept = 0;
	} else if (keep) {
		struct frontmatter fm;

		frontmatter_init(&fm);
		s->rc = frontmatter_parse(&fm, buf, size);
		if (keep == KEEP_SHARED)
			frontmatter_share(&s->keep, &fm);
		else
			frontmatter_copy(&s->keep, &fm);
		s->kept = keep;
		post_read_parsed(&s->post, o->site, f->path, &fm, s->rc, buf, size, o->now, flags);
	} else {
		post_read(&s->post, o->site, f->path, buf, size, o->now, flags);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * {"field","before","after"} for each top-level value that differs, the
 * values with their keys sorted as the front matter of an event is.
 */
static json_t *field_changes(json_t *before, json_t *after)
{
	json_t *list = json_array(), *v;
	const char **keys;
	const char *k;
	size_t i, n = 0;

	/* one front matter shared by both sides (a rename that kept it): no change */
	if (before == after)
		return list;
	keys = xcalloc(json_object_size(before) + json_object_size(after) + 1,
		       sizeof(*keys));
	json_object_foreach(before, k, v)
		keys[n++] = k;
	json_object_foreach(after, k, v)
		if (!json_object_get(before, k))
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		json_t *b = json_object_get(before, keys[i]);
		json_t *a = json_object_get(after, keys[i]);
		if (b && a && json_equal(b, a))
			continue;
		json_array_append_new(list, json_pack("{s:o, s:o, s:s}",
			"after", value_sorted(a ? a : json_null()),
			"before", value_sorted(b ? b : json_null()),
			"field", keys[i]));
	}
	free(keys);
	return list;
}

static int body_differs(const struct post *a, const struct post *b)
{
	return a->body_len != b->body_len ||
	       (a->body_len && memcmp(a->body, b->body, a->body_len));
}

/* ---- the event list ---- */

/*
 * What the scan needs of an event besides the event itself: the path as
 * git has it (events show it as valid UTF-8; attribution matches trees) and
 * the commit found for it.
 */
struct item {
	size_t event;   /* index in the list */
	enum event_type type;
	const char *raw_path; /* where the post is now (or was, when deleted) */
	char *own_path;       /* raw_path when it is not the event's own path */
	git_oid commit;
	int attributed;
};

struct scan {
	struct repo *r;
	const struct changes_options *o;
	struct event_list *list;
	struct item *items;
	size_t nr, alloc;
};

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void add_event(struct scan *sc, enum event_type t, struct side *b,
		      struct side *a, const char *old_path, const char *new_path)
{
	const struct post *p = a->post.fm.data ? &a->post : &b->post;
	const char *path = new_path ? new_path : old_path;
	struct event *e;
	struct item *it;

	e = event_list_add(sc->list, t, p, path,
			   old_path && new_path && strcmp(old_path, new_path) ? old_path : NULL,
			   new_path ? a->post.state : POST_ABSENT);
	if (t == EVENT_UPDATED || t == EVENT_MOVED) {
		e->changes = field_changes(b->post.fm.data, a->post.fm.data);
		e->body_changed = body_differs(&b->post, &a->post);
		e->shown_changed = sc->o->shown &&
				   (!same_text(b->post.title, a->post.title) ||
				    !same_text(b->post.summary_md, a->post.summary_md) ||
				    !same_text(b->post.url, a->post.url));
	}
	ALLOC_GROW(sc->items, sc->nr + 1, sc->alloc);
	it = &sc->items[sc->nr++];
	memset(it, 0, sizeof(*it));
	it->event = sc->list->nr - 1;
	it->type = t;
	/* most paths are valid UTF-8: then the event's copy serves */
	if (strcmp(e->path, path))
		it->raw_path = it->own_path = xstrdup(path);
	else
		it->raw_path = e->path;
}

static int is_post_side(const struct scan *sc, const git_diff_file *f)
{
	return !git_oid_is_zero(&f->id) && site_is_post_path(sc->o->site, f->path);
}

/*
 * git's similarity score (diffcore-delta): both files cut into chunks that
 * end at a newline or after 64 bytes, chunks hashed, and the bytes of the
 * source found again in the destination counted; the score is that count
 * over the larger size. libgit2 scores pairs its own way, so renames are
 * scored here as git scores them (see "rename detection" below).
 */
struct chunk {
	unsigned hash;
	unsigned bytes; /* of every chunk of the file with this hash */
};

static int cmp_chunk(const void *x, const void *y)
{
	const struct chunk *a = x, *b = y;
	return a->hash < b->hash ? -1 : a->hash > b->hash;
}

static size_t chunks(const unsigned char *p, size_t len, struct chunk **out)
{
	struct chunk *v = NULL;
	size_t nr = 0, alloc = 0, i = 0, n;

	while (i < len) {
		/* a chunk: up to 64 bytes, ending after the first newline among them */
		size_t start = i, end = len - i < 64 ? len : i + 64;
		const unsigned char *nl = memchr(p + i, '\n', end - i);
		unsigned accum1 = 0, accum2 = 0;

		if (nl)
			end = (size_t)(nl - p) + 1;
		for (; i < end; i++) {
			unsigned old = accum1;
			accum1 = (accum1 << 7) ^ (accum2 >> 25);
			accum2 = (accum2 << 7) ^ (old >> 25);
			accum1 += p[i];
		}
		ALLOC_GROW(v, nr + 1, alloc);
		v[nr].hash = (accum1 + accum2 * 0x61) % 107927;
		v[nr++].bytes = (unsigned)(end - start);
	}
	if (nr > 64) {
		qsort(v, nr, sizeof(*v), cmp_chunk);
	} else {
		/* a post's few dozen chunks: sorted in place */
		for (i = 1; i < nr; i++) {
			struct chunk c = v[i];
			for (n = i; n > 0 && v[n - 1].hash > c.hash; n--)
				v[n] = v[n - 1];
			v[n] = c;
		}
	}
	/* one entry per hash, with the bytes of all its chunks: what is compared */
	for (i = n = 0; i < nr; i++) {
		if (n && v[n - 1].hash == v[i].hash)
			v[n - 1].bytes += v[i].bytes;
		else
			v[n++] = v[i];
	}
	*out = v;
	return n;
}

/*
 * Classifies the post at old_path (before) and new_path (after); either may
 * be NULL. old_blob and new_blob are the sides' blobs when rename detection
 * read them, else NULL.
 */
static int handle_sides(struct scan *sc, const git_diff_delta *d, const char *old_path,
			const char *new_path, git_blob *old_blob, git_blob *new_blob)
{
	struct side b, a;
	enum event_type t;
	int changed = 0, ret = 0, keep = KEEP_NONE;
	/* a rename that kept the content: one blob, read once */
	bool same = new_path && git_oid_equal(&d->old_file.id, &d->new_file.id);

	memset(&b, 0, sizeof(b));
	memset(&a, 0, sizeof(a));
	post_init(&b.post);
	post_init(&a.post);
	if (old_path && same)
		keep = site_defaults_same(sc->o->site, old_path, new_path) ?
			       KEEP_SHARED : KEEP_COPY;
	/*
	 * The after side first: when it is a post, the event is made of it,
	 * and of the before side only its state, front matter and body count,
	 * so the before side's summary and url are not worked out (unless
	 * `shown` asks whether what an announcement shows changed).
	 */
	if ((new_path && read_side(sc->r, sc->o, &d->new_file, NULL, new_blob, keep, 0, &a) < 0) ||
	    (old_path && read_side(sc->r, sc->o, &d->old_file, same ? &a : NULL, old_blob, 0,
				   a.post.fm.data && !sc->o->shown ?
					   POST_READ_NO_SUMMARY | POST_READ_NO_URL : 0, &b) < 0)) {
		ret = -1;
		goto out;
	}
	if (new_path && (a.post.state == POST_INVALID ||
			 (a.post.state == POST_ABSENT && a.post.error &&
			  !a.blob)))
		event_list_add_error(sc->list, &a.post);
	if (b.post.fm.data && a.post.fm.data)
		changed = !json_equal(b.post.fm.data, a.post.fm.data) ||
			  body_differs(&b.post, &a.post);
	t = event_classify(old_path ? b.post.state : POST_ABSENT,
			   new_path ? a.post.state : POST_ABSENT,
			   old_path && new_path && !strcmp(old_path, new_path),
			   changed);
	if (t == EVENT_NONE || (t == EVENT_DRAFT && !sc->o->drafts))
		goto out;
	add_event(sc, t, &b, &a, old_path, new_path);
out:
	side_release(&b);
	side_release(&a);
	return ret;
}

/* What rename detection found out about one side of a delta, if it looked at it. */
struct known {
	int is_post;
	git_blob *blob; /* or NULL */
};

static int handle_delta(struct scan *sc, const git_diff_delta *d, const struct known *old,
			const struct known *new)
{
	const char *old_path = NULL, *new_path = NULL;

	if (d->status != GIT_DELTA_ADDED && (old ? old->is_post : is_post_side(sc, &d->old_file)))
		old_path = d->old_file.path;
	if (d->status != GIT_DELTA_DELETED && (new ? new->is_post : is_post_side(sc, &d->new_file)))
		new_path = d->new_file.path;
	if (!old_path && !new_path)
		return 0;
	return handle_sides(sc, d, old_path, new_path, old ? old->blob : NULL,
			    new ? new->blob : NULL);
}

/*
 * What changed between two snapshots, file by file in git's order, as
 * libgit2's tree-to-tree diff lists it without rename detection (see
 * diff_snapshots()); paths are owned here.
 */
struct deltas {
	git_diff_delta *v;
	size_t nr, alloc;
};

/* ---- rename detection ---- */

/*
 * Renames are paired here, not by libgit2's git_diff_find_similar: that
 * compares every deletion with every addition of the whole tree, so a
 * commit renaming 8,000 data files costs 64 million comparisons although
 * no post is involved. git's order is kept (diffcore-rename): exact renames
 * by object id first, then files of the same base name that are at least
 * 75% alike, then the best-scoring pairs of what is left at 50% or more,
 * with a cap on that last, quadratic step like diff.renameLimit. Unlike
 * git, pairs with no post on either side are never scored: they cannot
 * change an event.
 */
#define MAX_SCORE 60000
#define MIN_SCORE (MAX_SCORE / 2)                 /* git's -M50% */
#define MIN_BASENAME_SCORE (MAX_SCORE * 3 / 4)    /* git's basename pass */
#define CANDIDATES_PER_DST 4                      /* as git's NUM_CANDIDATE_PER_DST */

struct rename_file {
	const git_diff_delta *d;
	const git_diff_file *f; /* the side that exists */
	int is_post;
	int pair;               /* index on the other side, or -1 */
	int sized;              /* size known (from the object's header) */
	int loaded;             /* chunks read (or found unreadable) */
	int scorable;
	int indexed;            /* its chunks are in the sources' chunk_index */
	size_t size;
	struct chunk *chunks;
	size_t nr_chunks;
	git_blob *blob;         /* kept for reading the post, within KEEP_BLOBS_MAX */
};

/*
 * The blobs rename detection read are kept for reading the posts after it,
 * not inflated twice, as long as they take no more than this in all.
 */
#define KEEP_BLOBS_MAX ((size_t)16 * 1024 * 1024)

struct renames {
	struct rename_file *src, *dst;
	size_t nr_src, nr_dst, alloc_src, alloc_dst;
	size_t kept; /* bytes of the blobs kept */
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int same_base_name(const char *a, const char *b)
{
	return !strcmp(base_name(a), base_name(b));
}

static int is_regular(const git_diff_file *f)
{
	return f->mode == GIT_FILEMODE_BLOB || f->mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

static int cmp_src_oid(const void *x, const void *y, void *arg)
{
	const struct rename_file *v = arg;
	const size_t *a = x, *b = y;
	int c = git_oid_cmp(&v[*a].f->id, &v[*b].f->id);
	return c ? c : (*a > *b) - (*a < *b);
}

/*
 * qsort_r is not C17; the source array is passed through a file-scope
 * pointer instead, which is fine for a single-threaded scan.
 */
static const struct rename_file *sort_base;

static int cmp_src_index(const void *x, const void *y)
{
	return cmp_src_oid(x, y, (void *)sort_base);
}

#define MAX_IDENTICAL 100

/*
 * Pairs renames whose content did not change, by object id: each
 * destination in order takes the first unused source of its content, or
 * the first one of its base name among the first MAX_IDENTICAL, as git does.
 */
static void pair_exact(struct renames *rn)
{
	size_t *order, i;

	if (!rn->nr_src || !rn->nr_dst)
		return;
	order = xcalloc(rn->nr_src, sizeof(*order));
	for (i = 0; i < rn->nr_src; i++)
		order[i] = i;
	sort_base = rn->src;
	qsort(order, rn->nr_src, sizeof(*order), cmp_src_index);
	for (i = 0; i < rn->nr_dst; i++) {
		struct rename_file *dst = &rn->dst[i];
		size_t lo = 0, hi = rn->nr_src, k, tries = 0;
		long best = -1;

		/* the first source with this id */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (git_oid_cmp(&rn->src[order[mid]].f->id, &dst->f->id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k < rn->nr_src && git_oid_equal(&rn->src[order[k]].f->id, &dst->f->id); k++) {
			struct rename_file *src = &rn->src[order[k]];
			if (src->pair >= 0 || is_regular(src->f) != is_regular(dst->f))
				continue;
			if (best < 0)
				best = (long)order[k];
			if (same_base_name(src->f->path, dst->f->path)) {
				best = (long)order[k];
				break;
			}
			/* git's find_identical_files() looks at 100 unused ones at most */
			if (++tries == MAX_IDENTICAL)
				break;
		}
		if (best >= 0) {
			dst->pair = (int)best;
			rn->src[best].pair = (int)i;
		}
	}
	free(order);
}

/*
 * What scoring a rename needs of a file, each read once: its size, from
 * the object's header without inflating it (`sized`), or its chunks
 * (`loaded`; a file that cannot be scored gets none).
 */
static int load(struct scan *sc, struct renames *rn, struct rename_file *rf, bool content)
{
	int *done = content ? &rf->loaded : &rf->sized;
	git_blob *blob = NULL;
	size_t size;

	if (*done)
		return 0;
	*done = 1;
	if (content && !is_regular(rf->f))
		return 0;
	if (content && rf->sized) {
		/* the size is known: its header is not read again */
		if (rf->size > HERALD_POST_MAX)
			return 0;
		if (git_blob_lookup(&blob, sc->r->git, &rf->f->id) < 0)
			return repo_error(rf->f->path);
		size = rf->size;
	} else if (repo_blob_capped(sc->r->git, &rf->f->id, rf->f->path,
				    /* a file too large to be a post is not read to score it */
				    content ? HERALD_POST_MAX : 0, &blob, &size) < 0) {
		return -1;
	}
	if (content && blob) {
		rf->size = size;
		rf->sized = 1;
		rf->scorable = 1;
		rf->nr_chunks = chunks(git_blob_rawcontent(blob), size, &rf->chunks);
		if (size <= KEEP_BLOBS_MAX - rn->kept) {
			rn->kept += size;
			rf->blob = blob;
			blob = NULL;
		}
	} else if (!content) {
		rf->size = size;
	}
	git_blob_free(blob);
	return 0;
}

static int load_chunks(struct scan *sc, struct renames *rn, struct rename_file *rf)
{
	return load(sc, rn, rf, true);
}

static int load_size(struct scan *sc, struct renames *rn, struct rename_file *rf)
{
	return load(sc, rn, rf, false);
}

/*
 * Can these two reach MIN_SCORE at all? git's size test, done before any
 * content is read: most pairs of a big commit fail it.
 */
static int sizes_allow(struct scan *sc, struct renames *rn, struct rename_file *a,
		       struct rename_file *b, int *ok)
{
	size_t max, min;

	*ok = 0;
	/* most pairs are of files sized already: no call for them */
	if ((!a->sized && load_size(sc, rn, a) < 0) || (!b->sized && load_size(sc, rn, b) < 0))
		return -1;
	max = a->size > b->size ? a->size : b->size;
	min = a->size > b->size ? b->size : a->size;
	*ok = max <= HERALD_POST_MAX && (max - min) * 2 <= max;
	return 0;
}

/*
 * git's estimate_similarity, given the bytes of `a` found again in `b`:
 * 0..MAX_SCORE, 0 below MIN_SCORE's size bound.
 */
static int score(const struct rename_file *a, const struct rename_file *b,
		 unsigned long long copied)
{
	size_t max = a->size > b->size ? a->size : b->size;
	size_t min = a->size > b->size ? b->size : a->size;

	if (!a->scorable || !b->scorable)
		return 0;
	if (!max)
		return MAX_SCORE;
	if ((max - min) * 2 > max)
		return 0; /* sizes too far apart to reach 50% */
	return (int)(copied * MAX_SCORE / max);
}

/* The score of one pair: their chunks walked side by side. */
static int similarity(const struct rename_file *a, const struct rename_file *b)
{
	size_t i = 0, j = 0;
	unsigned long long copied = 0;

	while (a->scorable && b->scorable && i < a->nr_chunks && j < b->nr_chunks) {
		if (a->chunks[i].hash < b->chunks[j].hash) {
			i++;
		} else if (a->chunks[i].hash > b->chunks[j].hash) {
			j++;
		} else {
			unsigned sa = a->chunks[i++].bytes, sb = b->chunks[j++].bytes;
			copied += sa < sb ? sa : sb;
		}
	}
	return score(a, b, copied);
}

/*
 * The sources' chunks by hash, so that one destination is scored against
 * every source at once, walking only the sources that share a chunk with
 * it: scoring each pair apart walked both files each time, and 300 drafts
 * published in one commit are 90,000 pairs. The scores are the same.
 */
struct chunk_index {
	struct index_slot {
		unsigned hash;
		long head; /* the newest posting of this hash; -1: an empty slot */
	} *slots;
	size_t mask, used;
	struct posting {
		size_t src;
		unsigned bytes;
		long next; /* the posting of the same hash before it, or -1 */
	} *v;
	size_t nr, alloc;
};

static struct index_slot *index_slot(const struct chunk_index *x, unsigned hash)
{
	size_t i = (hash * 2654435761u) & x->mask;

	while (x->slots[i].head >= 0 && x->slots[i].hash != hash)
		i = (i + 1) & x->mask;
	return &x->slots[i];
}

static void index_resize(struct chunk_index *x, size_t size)
{
	struct index_slot *old = x->slots;
	size_t i, old_size = old ? x->mask + 1 : 0;

	x->slots = xcalloc(size, sizeof(*x->slots));
	x->mask = size - 1;
	for (i = 0; i < size; i++)
		x->slots[i].head = -1;
	for (i = 0; i < old_size; i++)
		if (old[i].head >= 0)
			*index_slot(x, old[i].hash) = old[i];
	free(old);
}

static void index_add(struct chunk_index *x, size_t src, const struct rename_file *rf)
{
	size_t i, size = x->slots ? x->mask + 1 : 0;

	if (!size || (x->used + rf->nr_chunks) * 2 > size) {
		if (!size)
			size = 1024;
		while ((x->used + rf->nr_chunks) * 2 > size)
			size *= 2;
		index_resize(x, size);
	}
	ALLOC_GROW(x->v, x->nr + rf->nr_chunks, x->alloc);
	for (i = 0; i < rf->nr_chunks; i++) {
		struct index_slot *slot = index_slot(x, rf->chunks[i].hash);
		if (slot->head < 0) {
			slot->hash = rf->chunks[i].hash;
			x->used++;
		}
		x->v[x->nr] = (struct posting){ src, rf->chunks[i].bytes, slot->head };
		slot->head = (long)x->nr++;
	}
}

/*
 * For every indexed source that shares a chunk with `dst`, the bytes of
 * it found again in dst: copied[s], valid where seen[s] == stamp.
 */
static void index_copied(const struct chunk_index *x, const struct rename_file *dst,
			 size_t stamp, size_t *seen, unsigned long long *copied)
{
	size_t i;

	if (!x->slots || !dst->scorable)
		return;
	for (i = 0; i < dst->nr_chunks; i++) {
		unsigned d = dst->chunks[i].bytes;
		long k;
		for (k = index_slot(x, dst->chunks[i].hash)->head; k >= 0; k = x->v[k].next) {
			const struct posting *q = &x->v[k];
			if (seen[q->src] != stamp) {
				seen[q->src] = stamp;
				copied[q->src] = 0;
			}
			copied[q->src] += d < q->bytes ? d : q->bytes;
		}
	}
}

/* Could pairing these two change an event? */
static int relevant(const struct rename_file *src, const struct rename_file *dst)
{
	return (src->is_post || dst->is_post) && is_regular(src->f) && is_regular(dst->f);
}

/*
 * git's basename pass: a source and a destination whose base name no other
 * unpaired file on its side shares are paired when 75% alike.
 */
static int pair_basenames(struct scan *sc, struct renames *rn)
{
	json_t *srcs = json_object(), *dsts = json_object();
	size_t i;
	int ret = 0, ok;

	for (i = 0; i < rn->nr_src; i++)
		if (rn->src[i].pair < 0) {
			const char *b = base_name(rn->src[i].f->path);
			json_object_set_new(srcs, b, json_object_get(srcs, b) ?
				json_integer(-1) : json_integer((json_int_t)i));
		}
	for (i = 0; i < rn->nr_dst; i++)
		if (rn->dst[i].pair < 0) {
			const char *b = base_name(rn->dst[i].f->path);
			json_object_set_new(dsts, b, json_object_get(dsts, b) ?
				json_integer(-1) : json_integer((json_int_t)i));
		}
	for (i = 0; i < rn->nr_dst && !ret; i++) {
		struct rename_file *dst = &rn->dst[i], *src;
		const char *b = base_name(dst->f->path);
		json_t *s;

		if (dst->pair >= 0 || json_integer_value(json_object_get(dsts, b)) != (json_int_t)i)
			continue;
		s = json_object_get(srcs, b);
		if (!s || json_integer_value(s) < 0)
			continue;
		src = &rn->src[json_integer_value(s)];
		if (!relevant(src, dst))
			continue;
		if (sizes_allow(sc, rn, src, dst, &ok) < 0 ||
		    (ok && (load_chunks(sc, rn, src) < 0 || load_chunks(sc, rn, dst) < 0))) {
			ret = -1;
			break;
		}
		if (ok && similarity(src, dst) >= MIN_BASENAME_SCORE) {
			dst->pair = (int)json_integer_value(s);
			src->pair = (int)i;
		}
	}
	json_decref(srcs);
	json_decref(dsts);
	return ret;
}

struct score {
	int score, name_score;
	size_t dst, src;
};

static int cmp_score(const void *x, const void *y)
{
	const struct score *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->name_score != b->name_score)
		return a->name_score > b->name_score ? -1 : 1;
	if (a->dst != b->dst)
		return a->dst < b->dst ? -1 : 1;
	return (a->src > b->src) - (a->src < b->src);
}

/* Keeps the CANDIDATES_PER_DST best scores of one destination in m[]. */
static void record_if_better(struct score *m, const struct score *s)
{
	int i, worst = 0;

	for (i = 1; i < CANDIDATES_PER_DST; i++)
		if (cmp_score(&m[i], &m[worst]) > 0)
			worst = i;
	if (cmp_score(s, &m[worst]) < 0)
		m[worst] = *s;
}

/*
 * The quadratic step, over relevant pairs only. `limit` is diff.renameLimit:
 * when more than limit² pairs would be scored, they are not, as git does,
 * and the caller hears how large a limit would have done.
 */
static int pair_inexact(struct scan *sc, struct renames *rn, long limit,
			unsigned long long *needed)
{
	size_t i, j, nr_src = 0, nr_post_src = 0, nr = 0, *all, *posts, *seen, *allowed;
	unsigned long long pairs = 0, *copied;
	struct chunk_index index = { 0 };
	struct score *m;
	int ret = 0;

	*needed = 0;
	for (i = 0; i < rn->nr_src; i++)
		if (rn->src[i].pair < 0 && is_regular(rn->src[i].f)) {
			nr_src++;
			nr_post_src += rn->src[i].is_post;
		}
	for (i = 0; i < rn->nr_dst; i++)
		if (rn->dst[i].pair < 0 && is_regular(rn->dst[i].f))
			pairs += rn->dst[i].is_post ? nr_src : nr_post_src;
	if (!pairs)
		return 0;
	if (limit > 0 && pairs > (unsigned long long)limit * (unsigned long long)limit) {
		unsigned long long l = (unsigned long long)limit;
		while (l * l < pairs)
			l++;
		*needed = l;
		return 0;
	}
	/* a destination that is no post is only scored against post sources */
	all = xcalloc(nr_src + 1, sizeof(*all));
	posts = xcalloc(nr_post_src + 1, sizeof(*posts));
	for (i = 0, nr_src = nr_post_src = 0; i < rn->nr_src; i++)
		if (rn->src[i].pair < 0 && is_regular(rn->src[i].f)) {
			all[nr_src++] = i;
			if (rn->src[i].is_post)
				posts[nr_post_src++] = i;
		}
	seen = xcalloc(rn->nr_src + 1, sizeof(*seen));
	allowed = xcalloc(rn->nr_src + 1, sizeof(*allowed));
	copied = xcalloc(rn->nr_src + 1, sizeof(*copied));
	m = xcalloc(rn->nr_dst * CANDIDATES_PER_DST, sizeof(*m));
	for (i = 0; i < rn->nr_dst && !ret; i++) {
		struct rename_file *dst = &rn->dst[i];
		struct score *row = &m[i * CANDIDATES_PER_DST];
		const size_t *cand = dst->is_post ? all : posts;
		size_t nr_cand = dst->is_post ? nr_src : nr_post_src;

		for (j = 0; j < CANDIDATES_PER_DST; j++)
			row[j].score = -1;
		if (dst->pair >= 0 || !is_regular(dst->f))
			continue;
		/* which pairs the sizes allow, their files read (into the index) */
		for (j = 0; j < nr_cand; j++) {
			struct rename_file *src = &rn->src[cand[j]];
			int ok;
			if (sizes_allow(sc, rn, src, dst, &ok) < 0 ||
			    (ok && ((!src->loaded && load_chunks(sc, rn, src) < 0) ||
				    (!dst->loaded && load_chunks(sc, rn, dst) < 0)))) {
				ret = -1;
				break;
			}
			if (!ok)
				continue;
			allowed[cand[j]] = i + 1;
			if (src->scorable && !src->indexed) {
				index_add(&index, cand[j], src);
				src->indexed = 1;
			}
		}
		if (ret)
			break;
		index_copied(&index, dst, i + 1, seen, copied);
		for (j = 0; j < nr_cand; j++) {
			struct rename_file *src = &rn->src[cand[j]];
			struct score s;
			if (allowed[cand[j]] != i + 1)
				continue;
			s.score = score(src, dst, seen[cand[j]] == i + 1 ? copied[cand[j]] : 0);
			if (s.score < MIN_SCORE)
				continue;
			s.name_score = same_base_name(src->f->path, dst->f->path);
			s.dst = i;
			s.src = cand[j];
			record_if_better(row, &s);
		}
	}
	free(seen);
	free(allowed);
	free(copied);
	free(index.slots);
	free(index.v);
	for (i = 0; i < rn->nr_dst * CANDIDATES_PER_DST; i++)
		if (m[i].score >= MIN_SCORE)
			m[nr++] = m[i];
	free(all);
	free(posts);
	qsort(m, nr, sizeof(*m), cmp_score);
	for (i = 0; i < nr && !ret; i++) {
		struct rename_file *dst = &rn->dst[m[i].dst], *src = &rn->src[m[i].src];
		if (dst->pair >= 0 || src->pair >= 0)
			continue;
		dst->pair = (int)m[i].src;
		src->pair = (int)m[i].dst;
	}
	free(m);
	return ret;
}

static void renames_release(struct renames *rn)
{
	size_t i;

	for (i = 0; i < rn->nr_src; i++) {
		free(rn->src[i].chunks);
		git_blob_free(rn->src[i].blob);
	}
	for (i = 0; i < rn->nr_dst; i++) {
		free(rn->dst[i].chunks);
		git_blob_free(rn->dst[i].blob);
	}
	free(rn->src);
	free(rn->dst);
}

static void add_rename_file(struct scan *sc, struct rename_file **v, size_t *nr,
			    size_t *alloc, const git_diff_delta *d, const git_diff_file *f)
{
	struct rename_file *rf;

	ALLOC_GROW(*v, *nr + 1, *alloc);
	rf = &(*v)[(*nr)++];
	memset(rf, 0, sizeof(*rf));
	rf->d = d;
	rf->f = f;
	rf->is_post = site_is_post_path(sc->o->site, f->path);
	rf->pair = -1;
}

/*
 * Classifies every delta of `diff` (compared without rename detection),
 * pairing additions with deletions as git would where a post is involved.
 */
static int handle_diff(struct scan *sc, const struct deltas *diff, long rename_limit)
{
	struct renames rn;
	struct progress *prog = NULL;
	unsigned long long needed = 0;
	size_t i, n = diff->nr, next_src = 0, next_dst = 0;
	int ret = 0;

	memset(&rn, 0, sizeof(rn));
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = &diff->v[i];
		/* submodules are never renamed, as in git */
		if (d->status == GIT_DELTA_ADDED && d->new_file.mode != GIT_FILEMODE_COMMIT)
			add_rename_file(sc, &rn.dst, &rn.nr_dst, &rn.alloc_dst, d, &d->new_file);
		else if (d->status == GIT_DELTA_DELETED && d->old_file.mode != GIT_FILEMODE_COMMIT)
			add_rename_file(sc, &rn.src, &rn.nr_src, &rn.alloc_src, d, &d->old_file);
	}
	pair_exact(&rn);
	if (pair_basenames(sc, &rn) < 0 || pair_inexact(sc, &rn, rename_limit, &needed) < 0) {
		ret = -1;
		goto out;
	}
	if (needed) {
		warning("inexact rename detection was skipped due to too many files");
		warning("set diff.renameLimit to at least %llu to find renames of posts in this range",
			needed);
	}
	/* the chunks are not needed any more; the events may be many */
	for (i = 0; i < rn.nr_src; i++) {
		free(rn.src[i].chunks);
		rn.src[i].chunks = NULL;
	}
	for (i = 0; i < rn.nr_dst; i++) {
		free(rn.dst[i].chunks);
		rn.dst[i].chunks = NULL;
	}
	if (n > 100)
		prog = progress_start("Reading posts", n);
	for (i = 0; i < n && !ret; i++) {
		const git_diff_delta *d = &diff->v[i];
		/* the files of this delta that rename detection may have read */
		struct rename_file *old_rf = NULL, *new_rf = NULL;
		struct known old, new;
		git_diff_delta renamed;

		progress_update(prog, i + 1);
		if (d->status == GIT_DELTA_ADDED && d->new_file.mode != GIT_FILEMODE_COMMIT) {
			new_rf = &rn.dst[next_dst++];
			if (new_rf->pair >= 0) {
				/* the rename as one delta: the source's old side, this new side */
				old_rf = &rn.src[new_rf->pair];
				renamed = *d;
				renamed.status = GIT_DELTA_RENAMED;
				renamed.old_file = old_rf->d->old_file;
				d = &renamed;
			}
		} else if (d->status == GIT_DELTA_DELETED &&
			   d->old_file.mode != GIT_FILEMODE_COMMIT) {
			old_rf = &rn.src[next_src++];
			if (old_rf->pair >= 0)
				continue; /* classified with its destination */
		}
		if (old_rf)
			old = (struct known){ old_rf->is_post, old_rf->blob };
		if (new_rf)
			new = (struct known){ new_rf->is_post, new_rf->blob };
		ret = handle_delta(sc, d, old_rf ? &old : NULL, new_rf ? &new : NULL);
		/* read: not needed any more */
		if (old_rf) {
			git_blob_free(old_rf->blob);
			old_rf->blob = NULL;
		}
		if (new_rf) {
			git_blob_free(new_rf->blob);
			new_rf->blob = NULL;
		}
	}
out:
	progress_stop(&prog);
	renames_release(&rn);
	return ret;
}

/* ---- attributing events to commits ---- */

/*
 * Attribution compares each commit's tree with its parent's, like
 * `git log --raw`, but on the raw tree objects: two versions of a big
 * folder share most of their bytes, so the common head and tail are
 * skipped with memcmp and only the entries in between are parsed.
 */
struct raw_entry {
	const char *name;
	size_t name_len;
	const unsigned char *id;
	int is_tree;
	const char *next; /* where the next entry starts */
};

/* Parses the entry at p (in [p, end)); 0, or -1 if the tree is corrupt. */
static int raw_entry(const char *p, const char *end, struct raw_entry *e)
{
	const char *sp, *nul;

	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp)
		return -1;
	nul = memchr(sp + 1, '\0', (size_t)(end - sp - 1));
	if (!nul || end - nul < 21)
		return -1;
	e->is_tree = sp - p == 5 && !memcmp(p, "40000", 5);
	e->name = sp + 1;
	e->name_len = (size_t)(nul - sp - 1);
	e->id = (const unsigned char *)nul + 1;
	e->next = nul + 21;
	return 0;
}

/*
 * Only where the entry at p ends (e->next), as raw_entry() finds it, for
 * walking past entries: one search instead of two when, as in every tree
 * git writes, the mode's few digits end in a space before the name's NUL.
 */
static int raw_skip(const char *p, const char *end, struct raw_entry *e)
{
	const char *nul = memchr(p, '\0', (size_t)(end - p)), *q = p;

	/* "100644 name" and "40000 name" first */
	if (nul && nul - p > 6 && (p[6] == ' ' || p[5] == ' '))
		q = p + 5;
	else
		while (nul && q < nul && *q != ' ')
			q++;
	if (!nul || q == nul || end - nul < 21)
		return raw_entry(p, end, e);
	e->next = nul + 21;
	return 0;
}

/* git's tree order: names bytewise, a tree as if its name ended in '/'. */
static int raw_cmp(const struct raw_entry *a, const struct raw_entry *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = n < a->name_len ? (unsigned char)a->name[n] : a->is_tree ? '/' : 0;
	cb = n < b->name_len ? (unsigned char)b->name[n] : b->is_tree ? '/' : 0;
	return (int)ca - (int)cb;
}

/*
 * The entries of two tree objects ([pa, ea) and [pb, eb)) in git's order,
 * paired by name: what both the attribution walk and the scan's diff
 * step through.
 */
struct raw_merge {
	const char *pa, *ea, *pb, *eb;
	struct raw_entry x, y;
	int has_a, has_b;
	const char *start_a, *start_b; /* where the pair's entries start (their mode) */
};

/*
 * The next pair: *a and *b, one of them NULL when only one side has that
 * name. 1, 0 when both sides are done, -1 (a is 1 or b is 1 in *bad: that
 * side is corrupt).
 */
static int raw_merge_next(struct raw_merge *m, const struct raw_entry **a,
			  const struct raw_entry **b, int *bad)
{
	int c;

	if (!m->has_a && m->pa < m->ea) {
		if (raw_entry(m->pa, m->ea, &m->x) < 0)
			return *bad = 'a', -1;
		m->has_a = 1;
	}
	if (!m->has_b && m->pb < m->eb) {
		if (raw_entry(m->pb, m->eb, &m->y) < 0)
			return *bad = 'b', -1;
		m->has_b = 1;
	}
	if (!m->has_a && !m->has_b)
		return 0;
	c = m->has_a && m->has_b ? raw_cmp(&m->x, &m->y) : m->has_a ? -1 : 1;
	*a = c <= 0 ? &m->x : NULL;
	*b = c >= 0 ? &m->y : NULL;
	if (*a) {
		m->start_a = m->pa;
		m->pa = m->x.next;
		m->has_a = 0;
	}
	if (*b) {
		m->start_b = m->pb;
		m->pb = m->y.next;
		m->has_b = 0;
	}
	return 1;
}

/*
 * A comparison reads a tree at each level of the changed path on both
 * sides (root, _posts/, _posts/2020/: six), and the next comparison
 * starts again at the root: keep the last 16, but no more than 2 MiB of
 * them, as two versions of a flat 10,000-post folder take.
 */
#define TREE_CACHE 16
#define TREE_CACHE_BYTES ((size_t)2 * 1024 * 1024)

struct walk {
	git_odb *odb;
	json_t *pending; /* path -> its event's number */
	/*
	 * every folder above a pending path -> how many pending paths it
	 * holds; a folder goes once they are all found, so the walk no longer
	 * reads its trees (year folders whose posts are all attributed)
	 */
	json_t *dirs;
	json_t *touched; /* out: pending paths this comparison touched */
	struct strbuf path;
	/*
	 * Walking newest first, a commit's parent is the next commit: its
	 * trees are the ones just read, so keep the last few.
	 */
	git_odb_object *cache[TREE_CACHE];
	unsigned next;       /* the oldest slot, the next one filled */
	size_t cache_bytes;
};

static void touch(struct walk *w, const char *name, size_t len)
{
	size_t old = w->path.len;

	strbuf_add(&w->path, name, len);
	if (json_object_get(w->pending, w->path.buf))
		json_object_set_new_nocheck(w->touched, w->path.buf, json_true());
	strbuf_setlen(&w->path, old);
}

static void drop_tree(struct walk *w, unsigned i)
{
	if (!w->cache[i])
		return;
	w->cache_bytes -= git_odb_object_size(w->cache[i]);
	git_odb_object_free(w->cache[i]);
	w->cache[i] = NULL;
}

/* A tree object read raw (entries undecoded), or NULL after an error. */
static git_odb_object *read_raw_tree(git_odb *odb, const git_oid *id)
{
	git_odb_object *o;

	if (git_odb_read(&o, odb, id) < 0) {
		repo_error("cannot read a tree");
		return NULL;
	}
	if (git_odb_object_type(o) != GIT_OBJECT_TREE) {
		git_odb_object_free(o);
		error("object %s is not a tree", repo_hex(id));
		return NULL;
	}
	return o;
}

/* A raw tree with a reference the caller frees, or NULL after an error. */
static git_odb_object *walk_tree(struct walk *w, const git_oid *id)
{
	git_odb_object *o;
	unsigned i, k;

	for (i = 0; i < TREE_CACHE; i++)
		if (w->cache[i] && git_oid_equal(git_odb_object_id(w->cache[i]), id))
			goto found;
	if (!(o = read_raw_tree(w->odb, id)))
		return NULL;
	i = w->next;
	drop_tree(w, i);
	w->cache[i] = o;
	w->cache_bytes += git_odb_object_size(o);
	w->next = (w->next + 1) % TREE_CACHE;
	/* over the byte limit, the oldest go (the one just read stays) */
	for (k = w->next; w->cache_bytes > TREE_CACHE_BYTES && k != i; k = (k + 1) % TREE_CACHE)
		drop_tree(w, k);
found:
	git_odb_object_dup(&o, w->cache[i]);
	return o;
}

static int compare_trees(struct walk *w, const git_oid *a_id, const git_oid *b_id);

/* An entry on one side only (the other NULL), or changed. */
static int entry_changed(struct walk *w, const struct raw_entry *a,
			 const struct raw_entry *b)
{
	const struct raw_entry *e = a ? a : b;
	int a_tree = a && a->is_tree, b_tree = b && b->is_tree;
	size_t len = w->path.len;
	git_oid ida, idb;
	int ret = 0;

	if ((a && !a_tree) || (b && !b_tree))
		touch(w, e->name, e->name_len);
	if (!a_tree && !b_tree)
		return 0;
	strbuf_add(&w->path, e->name, e->name_len);
	strbuf_addch(&w->path, '/');
	if (json_object_get(w->dirs, w->path.buf)) {
		if (a_tree)
			git_oid_fromraw(&ida, a->id);
		if (b_tree)
			git_oid_fromraw(&idb, b->id);
		ret = compare_trees(w, a_tree ? &ida : NULL, b_tree ? &idb : NULL);
	}
	strbuf_setlen(&w->path, len);
	return ret;
}

/* Merges the entries of [pa, ea) and [pb, eb), which start at entry boundaries. */
static int compare_entries(struct walk *w, const char *pa, const char *ea,
			   const char *pb, const char *eb, size_t same_tail)
{
	struct raw_merge m = { .pa = pa, .ea = ea, .pb = pb, .eb = eb };
	const struct raw_entry *a, *b;
	int ret = 0, more, bad;

	while (!ret) {
		/* past this point both sides are the same bytes, entry for entry */
		if (!m.has_a && !m.has_b && m.ea - m.pa == m.eb - m.pb &&
		    (size_t)(m.ea - m.pa) <= same_tail)
			break;
		if ((more = raw_merge_next(&m, &a, &b, &bad)) < 0)
			return error("corrupt tree object");
		if (!more)
			break;
		if (!a || !b)
			ret = entry_changed(w, a, b);
		else if (memcmp(a->id, b->id, 20) || a->is_tree != b->is_tree ||
			 a->name - m.start_a != b->name - m.start_b ||
			 memcmp(m.start_a, m.start_b, (size_t)(a->name - m.start_a)))
			ret = entry_changed(w, a, b);
	}
	return ret;
}

static int compare_trees(struct walk *w, const git_oid *a_id, const git_oid *b_id)
{
	git_odb_object *a = NULL, *b = NULL;
	const char *da = "", *db = "", *p, *start;
	size_t la = 0, lb = 0, head = 0, tail = 0, n;
	struct raw_entry e;
	int ret = 0;

	if (a_id && b_id && git_oid_equal(a_id, b_id))
		return 0;
	if ((a_id && !(a = walk_tree(w, a_id))) || (b_id && !(b = walk_tree(w, b_id)))) {
		ret = -1;
		goto out;
	}
	if (a) {
		da = git_odb_object_data(a);
		la = git_odb_object_size(a);
	}
	if (b) {
		db = git_odb_object_data(b);
		lb = git_odb_object_size(b);
	}
	n = la < lb ? la : lb;
	while (head + 64 <= n && !memcmp(da + head, db + head, 64))
		head += 64;
	while (head < n && da[head] == db[head])
		head++;
	while (tail + 64 <= n - head && !memcmp(da + la - tail - 64, db + lb - tail - 64, 64))
		tail += 64;
	while (tail < n - head && da[la - 1 - tail] == db[lb - 1 - tail])
		tail++;
	/* back up to the entry holding the first difference */
	for (start = p = da; p < da + la; p = e.next) {
		if (raw_skip(p, da + la, &e) < 0) {
			ret = error("corrupt tree object %s", repo_hex(a_id));
			goto out;
		}
		if ((size_t)(e.next - da) > head)
			break;
		start = e.next;
	}
	ret = compare_entries(w, start, da + la, db + (start - da), db + lb, tail);
out:
	git_odb_object_free(a);
	git_odb_object_free(b);
	return ret;
}

/* Counts `path` in each folder above it (`by` 1), or no longer (`by` -1). */
static void count_dirs(json_t *dirs, const char *path, json_int_t by)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = path;

	for (;;) {
		json_t *n;

		strbuf_reset(&sb);
		strbuf_add(&sb, path, (size_t)(p - path));
		n = json_object_get(dirs, sb.buf);
		if (!n)
			json_object_set_new_nocheck(dirs, sb.buf, json_integer(by));
		else if (json_integer_value(n) + by > 0)
			json_integer_set(n, json_integer_value(n) + by);
		else
			json_object_del(dirs, sb.buf);
		if (!(p = strchr(p, '/')))
			break;
		p++;
	}
	strbuf_release(&sb);
}

/*
 * Which pending paths does commit c change, against all of its parents?
 * Its first parent is left in *first (or NULL): walking newest first, it
 * is most often the next commit, not read a second time then.
 */
static int touched_by(struct walk *w, git_commit *c, git_commit **first)
{
	unsigned int n = git_commit_parentcount(c), i;
	json_t *common = NULL;
	int ret = 0;

	for (i = 0; i < (n ? n : 1); i++) {
		const git_oid *parent_tree = NULL;
		git_commit *parent = NULL;

		if (n) {
			if (git_commit_parent(&parent, c, i) < 0) {
				ret = repo_error("cannot read a parent commit");
				break;
			}
			parent_tree = git_commit_tree_id(parent);
		}
		w->touched = json_object();
		strbuf_reset(&w->path);
		ret = compare_trees(w, parent_tree, git_commit_tree_id(c));
		if (i == 0 && ret >= 0)
			*first = parent;
		else
			git_commit_free(parent);
		if (ret < 0) {
			json_decref(w->touched);
			break;
		}
		if (!common) {
			common = w->touched;
		} else {
			/* a merge touches a path only when it differs from every parent */
			const char *k;
			json_t *v, *tmp;
			json_object_foreach_safe(common, tmp, k, v)
				if (!json_object_get(w->touched, k))
					json_object_del(common, k);
			json_decref(w->touched);
		}
	}
	w->touched = ret < 0 ? (json_decref(common), NULL) : common;
	return ret;
}

/* The paths to attribute (all of them again), and the folders that hold them. */
static void walk_start(struct scan *sc, struct walk *w)
{
	size_t i;

	json_decref(w->pending);
	json_decref(w->dirs);
	w->pending = json_object();
	w->dirs = json_object();
	for (i = 0; i < sc->nr; i++) {
		struct item *it = &sc->items[i];

		it->attributed = 0;
		sc->list->v[it->event].commit = NULL;
		if (!json_object_get(w->pending, it->raw_path))
			count_dirs(w->dirs, it->raw_path, 1);
		json_object_set_new_nocheck(w->pending, it->raw_path, json_integer((json_int_t)i));
	}
}

/* Gives commit c the pending paths it touched; *first: its first parent, or NULL. */
static int attribute_commit(struct scan *sc, struct walk *w, git_commit *c, git_commit **first)
{
	const char *key;
	json_t *v;
	int ret = touched_by(w, c, first);

	if (ret < 0)
		return ret;
	json_object_foreach(w->touched, key, v) {
		struct item *e = &sc->items[json_integer_value(json_object_get(w->pending, key))];

		git_oid_cpy(&e->commit, git_commit_id(c));
		e->attributed = 1;
		/* the commit is at hand: no second read of it for the event */
		sc->list->v[e->event].commit = event_list_commit(sc->list, c);
		count_dirs(w->dirs, key, -1);
		json_object_del(w->pending, key);
	}
	json_decref(w->touched);
	w->touched = NULL;
	return 0;
}

/* The history from..to newest first, as git_revwalk sorted by time gives it. */
static int walk_revwalk(struct scan *sc, struct walk *w, git_commit *from, git_commit *to,
			struct progress *prog)
{
	git_revwalk *walk = NULL;
	git_commit *next = NULL; /* the last commit's first parent */
	git_oid oid;
	size_t seen = 0;
	int ret = 0;

	if (git_revwalk_new(&walk, sc->r->git) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TIME) < 0 ||
	    git_revwalk_push(walk, git_commit_id(to)) < 0 ||
	    (from && git_revwalk_hide(walk, git_commit_id(from)) < 0)) {
		ret = repo_error("cannot walk the history");
		goto out;
	}
	while (json_object_size(w->pending) && !git_revwalk_next(&oid, walk)) {
		git_commit *c = NULL;

		progress_update(prog, ++seen);
		if (next && git_oid_equal(git_commit_id(next), &oid)) {
			c = next;
		} else {
			git_commit_free(next);
			if (git_commit_lookup(&c, sc->r->git, &oid) < 0) {
				next = NULL;
				ret = repo_error("cannot read a commit");
				goto out;
			}
		}
		next = NULL;
		ret = attribute_commit(sc, w, c, &next);
		git_commit_free(c);
		if (ret < 0)
			goto out;
	}
out:
	git_commit_free(next);
	git_revwalk_free(walk);
	return ret;
}

/*
 * Commits waiting at once in walk_dated(): as many as branches run side
 * by side at some point of the history.
 */
#define DATED_WIDTH 64

static int dated_newer(const git_commit *a, const git_commit *b)
{
	return git_commit_time(a) > git_commit_time(b);
}

static void dated_push(git_commit **q, size_t *nq, git_commit *c)
{
	size_t i = (*nq)++;

	for (; i && dated_newer(c, q[(i - 1) / 2]); i = (i - 1) / 2)
		q[i] = q[(i - 1) / 2];
	q[i] = c;
}

static git_commit *dated_pop(git_commit **q, size_t *nq)
{
	git_commit *top = q[0], *last = q[--*nq];
	size_t i = 0, k;

	while ((k = 2 * i + 1) < *nq) {
		if (k + 1 < *nq && dated_newer(q[k + 1], q[k]))
			k++;
		if (!dated_newer(q[k], last))
			break;
		q[i] = q[k];
		i = k;
	}
	if (*nq)
		q[i] = last;
	return top;
}

/*
 * The whole history of `to` in walk_revwalk()'s order without its cost:
 * git_revwalk reads every commit of the history, and sorts them, before
 * it gives the first. While each commit is strictly older than its
 * children and newer than every other commit waiting, that order is the
 * one of commit times, whatever sorts them: here, a queue of the commits
 * whose children are done, read one at a time and no further back than the
 * last pending path. 1 when the history is not such (two commits of the
 * same second, a clock set back, too many branches at once): the walk is
 * then git_revwalk's.
 */
static int walk_dated(struct scan *sc, struct walk *w, git_commit *to, struct progress *prog)
{
	git_commit *q[DATED_WIDTH], *first = NULL;
	size_t nq = 0, seen = 0, k;
	int ret = 0;

	if (git_commit_dup(&q[0], to) < 0)
		return repo_error("cannot read a commit");
	nq = 1;
	while (nq && json_object_size(w->pending) && !ret) {
		git_commit *c = dated_pop(q, &nq);
		unsigned n = git_commit_parentcount(c), i;

		if (nq && !dated_newer(c, q[0])) {
			git_commit_free(c);
			ret = 1;
			break;
		}
		progress_update(prog, ++seen);
		if ((ret = attribute_commit(sc, w, c, &first)) < 0) {
			git_commit_free(c);
			break;
		}
		for (i = 0; i < n && !ret; i++) {
			git_commit *p = first;

			first = NULL;
			if (i && git_commit_parent(&p, c, i) < 0) {
				ret = repo_error("cannot read a parent commit");
				break;
			}
			for (k = 0; k < nq; k++)
				if (git_oid_equal(git_commit_id(q[k]), git_commit_id(p)))
					break;
			if (!dated_newer(c, p) || (k == nq && nq == DATED_WIDTH))
				ret = 1;
			if (ret || k < nq)
				git_commit_free(p);
			else
				dated_push(q, &nq, p);
		}
		git_commit_free(c);
	}
	git_commit_free(first);
	for (k = 0; k < nq; k++)
		git_commit_free(q[k]);
	return ret;
}

/* Sets each event's commit: the newest in from..to that touched its path. */
static int attribute(struct scan *sc, git_commit *from, git_commit *to)
{
	struct walk w;
	struct progress *prog = NULL;
	size_t i;
	unsigned k;
	int ret = 0;

	memset(&w, 0, sizeof(w));
	if (git_repository_odb(&w.odb, sc->r->git) < 0)
		return repo_error("cannot open the object database");
	strbuf_init(&w.path, 256);
	walk_start(sc, &w);
	if (!sc->nr)
		goto out;
	if (from && git_commit_parentcount(to) == 1 &&
	    git_oid_equal(git_commit_parent_id(to, 0), git_commit_id(from)))
		goto out; /* one commit: it made every event; no walk needed */
	if (sc->nr > 100)
		prog = progress_start("Finding commits", 0);
	/* a range's bottom hides its history: git_revwalk's to know */
	if (!from && (ret = walk_dated(sc, &w, to, prog)) > 0)
		walk_start(sc, &w);
	if (from || ret > 0)
		ret = walk_revwalk(sc, &w, from, to, prog);
out:
	/* the rest: one commit, or a path no commit of the range touched (a force-push dropped it) */
	for (i = 0; i < sc->nr; i++)
		if (!sc->items[i].attributed)
			git_oid_cpy(&sc->items[i].commit, git_commit_id(to));
	progress_stop(&prog);
	for (k = 0; k < TREE_CACHE; k++)
		git_odb_object_free(w.cache[k]);
	git_odb_free(w.odb);
	json_decref(w.pending);
	json_decref(w.dirs);
	strbuf_release(&w.path);
	return ret;
}

/* ---- putting it together ---- */

static void deltas_release(struct deltas *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		free((char *)d->v[i].new_file.path);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* The mode at the start of a raw tree entry ("100644 name"). */
static uint16_t raw_mode(const char *entry)
{
	unsigned m = 0;

	for (; *entry >= '0' && *entry <= '7'; entry++)
		m = m * 8 + (unsigned)(*entry - '0');
	return (uint16_t)m;
}

/* One file on one side (the other side absent or NULL). */
static void add_file_delta(struct deltas *d, git_delta_t status, const char *path,
			   const struct raw_entry *a, const char *a_start,
			   const struct raw_entry *b, const char *b_start)
{
	git_diff_delta *x;
	char *p = xstrdup(path);

	ALLOC_GROW(d->v, d->nr + 1, d->alloc);
	x = &d->v[d->nr++];
	memset(x, 0, sizeof(*x));
	x->status = status;
	x->nfiles = status == GIT_DELTA_MODIFIED ? 2 : 1;
	/* as libgit2 has them: both sides name the path */
	x->old_file.path = x->new_file.path = p;
	x->old_file.id_abbrev = x->new_file.id_abbrev = GIT_OID_HEXSZ;
	if (a) {
		git_oid_fromraw(&x->old_file.id, a->id);
		x->old_file.mode = raw_mode(a_start);
		x->old_file.flags = GIT_DIFF_FLAG_VALID_ID | GIT_DIFF_FLAG_EXISTS;
	}
	if (b) {
		git_oid_fromraw(&x->new_file.id, b->id);
		x->new_file.mode = raw_mode(b_start);
		x->new_file.flags = GIT_DIFF_FLAG_VALID_ID | GIT_DIFF_FLAG_EXISTS;
	}
}

static int diff_raw_trees(git_odb *odb, const git_oid *a_id, const git_oid *b_id,
			  struct strbuf *path, struct deltas *out);

/* Recurses into a folder on either or both sides. */
static int diff_subtree(git_odb *odb, const struct raw_entry *a, const struct raw_entry *b,
			struct strbuf *path, struct deltas *out)
{
	const struct raw_entry *e = a ? a : b;
	size_t len = path->len;
	git_oid ida, idb;
	int ret;

	if (a)
		git_oid_fromraw(&ida, a->id);
	if (b)
		git_oid_fromraw(&idb, b->id);
	strbuf_add(path, e->name, e->name_len);
	strbuf_addch(path, '/');
	ret = diff_raw_trees(odb, a ? &ida : NULL, b ? &idb : NULL, path, out);
	strbuf_setlen(path, len);
	return ret;
}

/* An entry on one side only: a file, or every file of a folder. */
static int one_side(git_odb *odb, const struct raw_entry *e, const char *start, int old,
		    struct strbuf *path, struct deltas *out)
{
	size_t len = path->len;

	if (e->is_tree)
		return diff_subtree(odb, old ? e : NULL, old ? NULL : e, path, out);
	strbuf_add(path, e->name, e->name_len);
	add_file_delta(out, old ? GIT_DELTA_DELETED : GIT_DELTA_ADDED, path->buf,
		       old ? e : NULL, start, old ? NULL : e, start);
	strbuf_setlen(path, len);
	return 0;
}

/*
 * The files that differ between trees a and b (either may be NULL: empty)
 * under `path`, in git's order. A folder with the same id on both sides
 * is not read: libgit2's diff reads every folder of both trees, which on
 * a blog kept in year folders made a one-commit scan read them all.
 */
static int diff_raw_trees(git_odb *odb, const git_oid *a_id, const git_oid *b_id,
			  struct strbuf *path, struct deltas *out)
{
	git_odb_object *a = NULL, *b = NULL;
	static const char none[] = "";
	struct raw_merge m = { .pa = none, .ea = none, .pb = none, .eb = none };
	const struct raw_entry *x, *y;
	int ret = 0, more, bad;

	if (a_id && b_id && git_oid_equal(a_id, b_id))
		return 0;
	if ((a_id && !(a = read_raw_tree(odb, a_id))) || (b_id && !(b = read_raw_tree(odb, b_id)))) {
		ret = -1;
		goto out;
	}
	if (a) {
		m.pa = git_odb_object_data(a);
		m.ea = m.pa + git_odb_object_size(a);
	}
	if (b) {
		m.pb = git_odb_object_data(b);
		m.eb = m.pb + git_odb_object_size(b);
	}
	while (!ret && (more = raw_merge_next(&m, &x, &y, &bad))) {
		if (more < 0) {
			ret = error("corrupt tree object %s", repo_hex(bad == 'a' ? a_id : b_id));
			break;
		}
		if (!y) {
			ret = one_side(odb, x, m.start_a, 1, path, out);
		} else if (!x) {
			ret = one_side(odb, y, m.start_b, 0, path, out);
		} else if (x->is_tree) {
			/* the same name and kind (a folder sorts as "name/") */
			ret = diff_subtree(odb, x, y, path, out);
		} else {
			uint16_t ma = raw_mode(m.start_a), mb = raw_mode(m.start_b);
			if (ma != mb || memcmp(x->id, y->id, GIT_OID_RAWSZ)) {
				size_t len = path->len;
				strbuf_add(path, x->name, x->name_len);
				/* a file turned link or submodule: gone, then new */
				if ((ma & 0170000) == (mb & 0170000)) {
					add_file_delta(out, GIT_DELTA_MODIFIED, path->buf,
						       x, m.start_a, y, m.start_b);
				} else {
					add_file_delta(out, GIT_DELTA_DELETED, path->buf,
						       x, m.start_a, NULL, NULL);
					add_file_delta(out, GIT_DELTA_ADDED, path->buf,
						       NULL, NULL, y, m.start_b);
				}
				strbuf_setlen(path, len);
			}
		}
	}
out:
	git_odb_object_free(a);
	git_odb_object_free(b);
	return ret;
}

/*
 * The whole tree, not only the post globs: a post moved in or out of a
 * posts folder is still followed. Renames are found by handle_diff().
 */
static int diff_snapshots(struct repo *r, git_tree *a, git_tree *b, struct deltas *out)
{
	struct strbuf path = STRBUF_INIT;
	git_odb *odb = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (git_repository_odb(&odb, r->git) < 0)
		return repo_error("cannot open the object database");
	ret = diff_raw_trees(odb, a ? git_tree_id(a) : NULL, git_tree_id(b), &path, out);
	if (ret < 0)
		error("cannot compare the two commits");
	git_odb_free(odb);
	strbuf_release(&path);
	return ret;
}

/* diff.renameLimit as git reads it: 1000 when unset, 0 for no limit. */
static int rename_limit(struct repo *r, long *out)
{
	git_config *cfg = NULL;
	int32_t v = 1000;
	int rc;

	*out = 1000;
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_error("cannot read git config");
	rc = git_config_get_int32(&v, cfg, "diff.renameLimit");
	git_config_free(cfg);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return repo_error("bad diff.renameLimit");
	*out = v < 0 ? 0 : v;
	return 0;
}

static int cmp_item(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return strcmp(a->raw_path, b->raw_path);
}

/* Puts the events in the contract's order: by type, then by path as git has it. */
static void sort_events(struct scan *sc)
{
	struct event *v;
	size_t i;

	if (sc->nr < 2)
		return;
	qsort(sc->items, sc->nr, sizeof(*sc->items), cmp_item);
	/* just as many as there are: the list is complete, and kept while commits are read */
	v = xcalloc(sc->nr, sizeof(*v));
	for (i = 0; i < sc->nr; i++) {
		v[i] = sc->list->v[sc->items[i].event];
		sc->items[i].event = i;
	}
	free(sc->list->v);
	sc->list->v = v;
	sc->list->alloc = sc->nr;
}

/* Gives each event its commit, read once for the events it made. */
static void read_commits(struct scan *sc)
{
	git_commit *commit = NULL;
	size_t i;

	for (i = 0; i < sc->nr; i++) {
		struct item *it = &sc->items[i];

		if (sc->list->v[it->event].commit)
			continue; /* the attribution walk gave it */
		if (!commit || !git_oid_equal(git_commit_id(commit), &it->commit)) {
			git_commit_free(commit);
			commit = NULL;
			if (git_commit_lookup(&commit, sc->r->git, &it->commit) < 0) {
				/* the event goes out with "commit": null */
				repo_error("cannot read a commit");
				continue;
			}
		}
		sc->list->v[it->event].commit = event_list_commit(sc->list, commit);
	}
	git_commit_free(commit);
}

int changes_scan(struct repo *r, git_commit *from, git_commit *to,
		 const struct changes_options *o, struct event_list *out)
{
	struct scan sc;
	git_tree *a = NULL, *b = NULL;
	struct deltas diff = { NULL, 0, 0 };
	long limit;
	size_t i;
	int ret = 0;

	event_list_init(out);
	memset(&sc, 0, sizeof(sc));
	sc.r = r;
	sc.o = o;
	sc.list = out;
	out->now = o->now;
	out->with_commits = !o->no_commits;
	if (from)
		git_oid_tostr(out->from, sizeof(out->from), git_commit_id(from));
	git_oid_tostr(out->to, sizeof(out->to), git_commit_id(to));
	if ((from && git_commit_tree(&a, from) < 0) || git_commit_tree(&b, to) < 0) {
		ret = repo_error("cannot read a commit's tree");
		goto out;
	}
	if (rename_limit(r, &limit) < 0 || diff_snapshots(r, a, b, &diff) < 0) {
		ret = -1;
		goto out;
	}
	ret = handle_diff(&sc, &diff, limit);
	/* the diff is not needed any more; the events may be many */
	deltas_release(&diff);
	if (ret < 0)
		goto out;
	sort_events(&sc);
	if (!o->no_commits) {
		ret = attribute(&sc, from, to);
		if (!ret)
			read_commits(&sc);
	}
out:
	deltas_release(&diff);
	git_tree_free(a);
	git_tree_free(b);
	for (i = 0; i < sc.nr; i++)
		free(sc.items[i].own_path);
	free(sc.items);
	if (ret < 0)
		event_list_release(out);
	return ret;
}
