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
