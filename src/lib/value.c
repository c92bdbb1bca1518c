#include <stdlib.h>
#include <string.h>

#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

json_t *value_textn(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v;

	if (!s)
		return json_null();
	if (utf8_valid(s, len, NULL) && !memchr(s, '\0', len))
		return json_stringn(s, len);
	strbuf_add_utf8_lossy(&sb, s, len);
	v = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

json_t *value_text(const char *s)
{
	return s ? value_textn(s, strlen(s)) : json_null();
}

char *value_clean(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s);
	if (utf8_valid(s, len, NULL))
		return xstrdup(s);
	strbuf_add_utf8_lossy(&sb, s, len);
	return strbuf_detach(&sb, NULL);
}

const char *value_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *value_sorted(const json_t *v)
{
	const char **keys;
	const char *k;
	json_t *out, *x;
	size_t i = 0;

	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(out, value_sorted(x));
		return out;
	}
	if (!json_is_object(v))
		return json_incref((json_t *)v);
	keys = xcalloc(json_object_size(v) + 1, sizeof(*keys));
	json_object_foreach((json_t *)v, k, x)
		keys[i++] = k;
	qsort(keys, i, sizeof(*keys), cmp_key);
	out = json_object();
	for (i = 0; keys[i]; i++)
		json_object_set_new_nocheck(out, keys[i], value_sorted(json_object_get(v, keys[i])));
	free(keys);
	return out;
}
