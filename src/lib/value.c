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

/* The bytes jansson escapes in a string: control characters, '"' and '\\'. */
static const unsigned char escaped[256] = {
	[0] = 1, [1] = 1, [2] = 1, [3] = 1, [4] = 1, [5] = 1, [6] = 1, [7] = 1,
	[8] = 1, [9] = 1, [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1, [15] = 1,
	[16] = 1, [17] = 1, [18] = 1, [19] = 1, [20] = 1, [21] = 1, [22] = 1, [23] = 1,
	[24] = 1, [25] = 1, [26] = 1, [27] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1,
	['"'] = 1, ['\\'] = 1,
};

void value_json_string(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run = s, *end = s + len;

	strbuf_addch(sb, '"');
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		const char *esc;

		if (!escaped[c])
			continue;
		strbuf_add(sb, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			strbuf_add(sb, "\\u00", 4);
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
			continue;
		}
		strbuf_addstr(sb, esc);
	}
	strbuf_add(sb, run, (size_t)(s - run));
	strbuf_addch(sb, '"');
}

struct key_len {
	const char *key;
	size_t len;
	json_t *value;
};

/* jansson's order of keys: bytes, then the shorter first */
static int cmp_key_len(const void *x, const void *y)
{
	const struct key_len *a = x, *b = y;
	int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

int value_compact(struct strbuf *sb, const json_t *v)
{
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_NULL:
		strbuf_addstr(sb, "null");
		return 0;
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		return 0;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		return 0;
	case JSON_INTEGER:
		strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	case JSON_STRING:
		if (!utf8_valid(json_string_value(v), json_string_length(v), NULL))
			return -1;
		value_json_string(sb, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_ARRAY:
		strbuf_addch(sb, '[');
		for (i = 0, n = json_array_size(v); i < n; i++) {
			if (i)
				strbuf_addch(sb, ',');
			if (value_compact(sb, json_array_get(v, i)) < 0)
				return -1;
		}
		strbuf_addch(sb, ']');
		return 0;
	case JSON_OBJECT: {
		struct key_len *keys, few[16];
		void *it;
		int ret = 0;

		n = json_object_size(v);
		keys = n <= ARRAY_SIZE(few) ? few : xcalloc(n, sizeof(*keys));
		for (i = 0, it = json_object_iter((json_t *)v); it && i < n;
		     i++, it = json_object_iter_next((json_t *)v, it))
			keys[i] = (struct key_len){ json_object_iter_key(it),
						    json_object_iter_key_len(it),
						    json_object_iter_value(it) };
		if (i > ARRAY_SIZE(few)) {
			qsort(keys, i, sizeof(*keys), cmp_key_len);
		} else {
			/* a front matter's few keys: sorted in place, no calls through a pointer */
			size_t a, b;
			for (a = 1; a < i; a++) {
				struct key_len k = keys[a];
				for (b = a; b > 0 && cmp_key_len(&keys[b - 1], &k) > 0; b--)
					keys[b] = keys[b - 1];
				keys[b] = k;
			}
		}
		strbuf_addch(sb, '{');
		for (n = i, i = 0; i < n && !ret; i++) {
			if (i)
				strbuf_addch(sb, ',');
			value_json_string(sb, keys[i].key, keys[i].len);
			strbuf_addch(sb, ':');
			ret = value_compact(sb, keys[i].value);
		}
		strbuf_addch(sb, '}');
		if (keys != few)
			free(keys);
		return ret;
	}
	case JSON_REAL: {
		/* jansson's own shortest form of a double: rare in front matter */
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!s)
			return -1;
		strbuf_addstr(sb, s);
		free(s);
		return 0;
	}
	}
	return -1;
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
