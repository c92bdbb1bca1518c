#ifndef HERALD_SITE_H
#define HERALD_SITE_H

#include <git2.h>
#include <jansson.h>

#include "herald/strvec.h"

struct repo;
struct post;

/*
 * Which generator builds the site, detected from the tree: Jekyll
 * (`_config.yml`), Hugo (`hugo.*`, `config.*`, `config/_default/`), Zola
 * (`config.toml` with `base_url` or `[markdown]`), or none.
 */
enum site_kind {
	SITE_GENERIC,
	SITE_JEKYLL,
	SITE_HUGO,
	SITE_ZOLA,
};

/*
 * What herald knows about the blog: which paths are posts, which front
 * matter fields mean what, and how a post's url is made. The generator's
 * own config gives its rules; `.herald.yml` at the root of the revision
 * being read overrides what it sets; post globs can be replaced by git
 * config `herald.posts` and by `--posts` on the command line. Without a
 * generator, and whenever globs are given, the globs decide what a post is.
 */
struct site {
	enum site_kind kind;
	int custom_globs;         /* globs given: they alone pick the posts */
	int custom_permalink;     /* .herald.yml permalink: the pattern makes urls */
	char *zone;               /* IANA zone of dates without one, or NULL: UTC */
	struct strvec exclude, include;    /* Jekyll */
	struct strvec collections;         /* Jekyll: "label" with output: true */
	struct strvec collection_links;    /* ... and its url template */
	char *collections_dir;    /* Jekyll: where posts and collections live, or NULL */
	json_t *jekyll_defaults;  /* Jekyll: the valid sets of `defaults:`, or NULL */
	/*
	 * Hugo's content roots, one per language or module mount: its
	 * language, repository folder, url prefix and (lang_targets, may be
	 * shorter: "") the folder below content/ it is mounted at.
	 */
	struct strvec lang_names, lang_dirs, lang_prefixes, lang_targets;
	size_t lang_default;      /* Hugo: the default language's index */
	int multilingual;         /* Hugo: more than one language */
	json_t *permalinks;       /* Hugo: section -> pattern */
	int path_lower, ugly_urls;         /* Hugo */
	/*
	 * Hugo, read from the loaded tree: the folders (repository paths,
	 * sorted) holding an index.* file, leaf bundles whose other files are
	 * resources and not pages, and those holding an _index.* file, the
	 * sections below the first level that :sections names.
	 */
	struct strvec hugo_leaves, hugo_sections;
	/*
	 * Hugo's [frontmatter] lists for Date, expiryDate, lastmod (publishDate's is
	 * `date_fields`): lowercased keys, `:default` expanded, aliases added;
	 * ":filename" dates a page by its file or bundle folder name.
	 */
	struct strvec hugo_date, hugo_expiry, hugo_lastmod;
	struct strvec zola_langs;  /* Zola: the [languages] codes */
	char *zola_default_lang;   /* Zola: default_language */
	enum { ZOLA_SLUG_ON, ZOLA_SLUG_SAFE, ZOLA_SLUG_OFF } zola_slugify; /* [slugify] paths */
	struct strvec globs;      /* post globs */
	struct strvec endings;    /* file endings a post may have */
	struct strvec drafts;     /* folder names that hold drafts */
	struct strvec date_fields;
	struct strvec summary_fields;
	char *draft_field, *published_field, *title_field;
	char *title;              /* the site's title, or NULL */
	char *base_url;           /* without a trailing '/', or NULL */
	char *permalink;          /* a pattern, see site_url() */
	int future;               /* publish future-dated posts at once */
	char *config_path;        /* which file configured it, or NULL */
	unsigned char *glob_endings; /* per glob: 1 when `endings` apply to it */
	/*
	 * Front matter fields that give a post's picture and subtitle, first
	 * found wins; "a.b" looks into a mapping, "a.0" into a list.
	 * `.herald.yml` `fields: {image: …, subtitle: …}` replaces them.
	 */
	struct strvec image_fields;
	struct strvec subtitle_fields;
	/*
	 * A base url the pushed config gave that is not absolute http(s): it
	 * is not used (no urls are made from it) and `lint` reports it here.
	 */
	char *base_url_error;     /* the message, or NULL */
	char *base_url_file;
	int base_url_line, base_url_column;
};

void site_init(struct site *s);
void site_release(struct site *s);

/*
 * Loads the configuration for the revision whose tree is `tree` (may be NULL),
 * then applies git config `herald.posts` and `cli_globs` (may be NULL).
 * Git config `herald.baseUrl`, set by the server's admin, wins over any
 * base url a pushed config gives. A base url that is not absolute http(s)
 * is dropped with a warning and recorded in `base_url_error`.
 * Problems in a config file are reported as warnings and the defaults kept
 * for what could not be read; returns -1 only for git errors.
 */
int site_load(struct site *s, struct repo *r, git_tree *tree,
	      const struct strvec *cli_globs);

/*
 * Jekyll's front matter `defaults:` for the post at `path`, merged into its
 * front matter `fm` the way Jekyll merges them (the post's own keys win,
 * the most specific scope wins among the sets). Does nothing for other
 * generators.
 */
void site_apply_defaults(const struct site *s, const char *path, json_t *fm);
/*
 * Do the same defaults apply at paths a and b (none at either counts)?
 * Then site_apply_defaults() changes any front matter alike at both.
 */
int site_defaults_same(const struct site *s, const char *a, const char *b);

/* Replaces the post globs. */
void site_set_globs(struct site *s, const struct strvec *globs);

/* Is `path` (relative to the repository root) a post's path? */
int site_is_post_path(const struct site *s, const char *path);

/* Is `path` inside a drafts folder? */
int site_in_drafts(const struct site *s, const char *path);

/*
 * The absolute url of a post (caller frees), or NULL when no base url is
 * known. `date` is seconds since the epoch or -1, `fm` the front matter.
 */
char *site_url(const struct site *s, const char *slug, const char *title_slug,
	       long long date, const json_t *fm);

/*
 * The absolute, percent-encoded url of the post `p` (its path, slug, title,
 * date and front matter read) as the site's generator makes it, or NULL
 * when no base url is known. Caller frees.
 */
char *site_post_url(const struct site *s, const struct post *p);

/*
 * The fields the site's generator dates a post by, in order: `date` for
 * Jekyll and Zola, Hugo's publishDate and its aliases, else the configured
 * ones. Hugo's keys are matched without regard to case.
 */
const struct strvec *site_date_fields(const struct site *s);

/*
 * The zone a date `value` without its own zone is read in (NULL: UTC): the
 * site's, but for Jekyll a YAML timestamp (`2024-01-02 10:00:00`, written
 * plain) is UTC whatever `timezone:` says. `s` may be NULL.
 */
const char *site_zone_of(const struct site *s, const char *value);

/*
 * The date a post's file name gives (Jekyll: `YYYY-M-D-`, Zola: also
 * `YYYY-MM-DD_`, and the folder name of `index.md`): its length with the
 * separator, or 0 when none; the date in *out.
 */
size_t site_name_date(const struct site *s, const char *path, long long *out);

#endif
