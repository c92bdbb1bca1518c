#ifndef HERALD_FRONTMATTER_H
#define HERALD_FRONTMATTER_H

#include <stddef.h>

#include <jansson.h>

#include "herald/usage.h"

/*
 * The front matter reader: finds the block at the top of a file, parses it
 * (YAML after `---`, JSON after `{`, TOML 1.0 after `+++`, read by toml.c)
 * into a JSON object, and records every problem with its line and column.
 */

#define FRONTMATTER_MAX_BYTES (1024 * 1024)
#define FRONTMATTER_MAX_DEPTH 64
#define FRONTMATTER_MAX_NODES 10000

enum frontmatter_format {
	FRONTMATTER_NONE,
	FRONTMATTER_YAML,
	FRONTMATTER_JSON,
	FRONTMATTER_TOML,
};

struct frontmatter_problem {
	int line;   /* 1-based line in the file; 0 when unknown */
	int column; /* 1-based column (bytes); 0 when unknown */
	int is_error;
	char *message;
};

/* Where the top-level keys stand (opaque; see frontmatter_key_position()). */
struct frontmatter_positions;

struct frontmatter {
	enum frontmatter_format format;
	json_t *data;       /* the object read; NULL when none or invalid */
	size_t body_offset; /* where the body starts in the input */
	int invalid;        /* the block exists but could not be read */
	struct frontmatter_positions *positions; /* shared by copies; read only once parsed */
	struct frontmatter_problem *problems;
	size_t nr_problems, alloc_problems;
};

void frontmatter_init(struct frontmatter *fm);
void frontmatter_release(struct frontmatter *fm);

/*
 * Makes `dst` a copy of `src` that changes to either leave the other
 * alone (the data is copied deep; the positions, read only, are shared).
 * Release both.
 */
void frontmatter_copy(struct frontmatter *dst, const struct frontmatter *src);
/* The same, but the data too is shared: a change to it shows in both. */
void frontmatter_share(struct frontmatter *dst, const struct frontmatter *src);

/*
 * Reads the front matter of a file of `len` bytes (not NUL-terminated).
 * Returns LOOKUP_FOUND when a block was read (fm->data set), LOOKUP_MISSING
 * when the file has no front matter (so it is not a post), LOOKUP_ERROR
 * when the block is invalid: then nothing is printed and the first error
 * in fm->problems says why (with its line and column). Warnings (duplicate
 * keys) may be recorded in every case.
 */
enum lookup frontmatter_parse(struct frontmatter *fm, const char *buf, size_t len);

/*
 * Parses a whole YAML document (a config file) the same way: `first_line`
 * is the file line of its first byte. Returns 0 with *out set to a new
 * reference (an object, or NULL for an empty document), or -1 with problems
 * recorded in fm.
 */
int frontmatter_parse_yaml(struct frontmatter *fm, const char *text, size_t len,
			   int first_line, json_t **out);

/* The first error's "LINE:COLUMN: message", or NULL when none. */
const struct frontmatter_problem *frontmatter_first_error(const struct frontmatter *fm);

/* Where a top-level key stands: 0, or -1 (line and column 0) when unknown. */
int frontmatter_key_position(const struct frontmatter *fm, const char *key,
			     int *line, int *column);

/*
 * Was the YAML value of a top-level key a quoted scalar (or tagged !!str)?
 * YAML 1.1 reads a plain `2024-01-02 10:00:00` as a timestamp, a quoted
 * one as a string, and Jekyll dates the two differently.
 */
int frontmatter_value_quoted(const struct frontmatter *fm, const char *key);

/* Truthy and falsy words of the state rules (true/yes/on/1, false/no/off/0). */
int frontmatter_truthy(const json_t *v);
int frontmatter_falsy(const json_t *v);

#endif
