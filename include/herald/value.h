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

#endif
