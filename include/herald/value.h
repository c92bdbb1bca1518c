#ifndef HERALD_VALUE_H
#define HERALD_VALUE_H

#include <stddef.h>

#include <jansson.h>

/*
 * JSON strings from text of unknown quality (paths, bodies, commit
 * messages): invalid UTF-8 becomes U+FFFD instead of failing. NULL gives
 * JSON null. Returns a new reference.
 */
json_t *value_text(const char *s);
json_t *value_textn(const char *s, size_t len);

/* The same as C text (caller frees): a copy with invalid UTF-8 as U+FFFD; NULL for NULL. */
char *value_clean(const char *s);

/* o[key] when it is a string, else NULL (also when `o` is not an object). */
const char *value_str(const json_t *o, const char *key);

/*
 * A copy of `v` whose objects, at every depth, hold their keys in sorted
 * order (scalars are shared): what JSON_SORT_KEYS prints, as a value, for
 * outputs printed without it. Returns a new reference.
 */
json_t *value_sorted(const json_t *v);

#endif
