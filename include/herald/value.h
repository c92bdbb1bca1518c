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

/*
 * What json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
 * prints, appended to `sb`, without the bookkeeping jansson does for every
 * object and array it prints (which was most of the cost of keeping each
 * event's front matter as text). `v` holds no cycle (jansson refuses one).
 * 0, or -1 when jansson would fail too (a string that is not UTF-8).
 */
struct strbuf;
int value_compact(struct strbuf *sb, const json_t *v);

/*
 * The string s[0..len), valid UTF-8, appended as jansson prints it:
 * quoted, with '"', '\\' and control characters escaped.
 */
void value_json_string(struct strbuf *sb, const char *s, size_t len);

#endif
