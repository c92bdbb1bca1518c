#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/strbuf.h"
#include "herald/utf8.h"
#include "herald/usage.h"
#include "herald/banned.h"

char strbuf_empty[1];

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die("out of memory allocating %zu bytes", nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory allocating %zu bytes", n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrfmt(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->buf = strbuf_empty;
	sb->len = sb->alloc = 0;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	if (!sb->alloc)
		strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - sb->len - 1)
		die("strbuf too large");
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return;
	if (!sb->alloc)
		sb->buf = NULL;
	sb->alloc = sb->alloc ? sb->alloc + sb->alloc / 2 : 64;
	if (sb->alloc < want)
		sb->alloc = want;
	sb->buf = xrealloc(sb->buf, sb->alloc);
	if (!sb->len)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len > sb->len)
		BUG("strbuf_setlen beyond length");
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addchars(struct strbuf *sb, int c, size_t n)
{
	strbuf_grow(sb, n);
	memset(sb->buf + sb->len, c, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0,
		      fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("vsnprintf failed for '%s'", fmt);
	if (!sb->alloc || (size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len && (sb->buf[sb->len - 1] == ' ' ||
			   sb->buf[sb->len - 1] == '\t' ||
			   sb->buf[sb->len - 1] == '\n' ||
			   sb->buf[sb->len - 1] == '\r'))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

void strbuf_add_json_escaped(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': strbuf_add(sb, "\\\"", 2); break;
		case '\\': strbuf_add(sb, "\\\\", 2); break;
		case '\n': strbuf_add(sb, "\\n", 2); break;
		case '\r': strbuf_add(sb, "\\r", 2); break;
		case '\t': strbuf_add(sb, "\\t", 2); break;
		case '\b': strbuf_add(sb, "\\b", 2); break;
		case '\f': strbuf_add(sb, "\\f", 2); break;
		default:
			if (c < 0x20) {
				strbuf_add(sb, "\\u00", 4);
				strbuf_addch(sb, hex[c >> 4]);
				strbuf_addch(sb, hex[c & 15]);
			} else {
				strbuf_addch(sb, c);
			}
		}
	}
}

void strbuf_add_utf8_lossy(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0;

	strbuf_grow(sb, len);
	while (i < len) {
		int cp;
		size_t n = u[i] < 0x80 ? 1 : utf8_decode(s + i, len - i, &cp);
		if (n) {
			i += n;
			continue;
		}
		strbuf_add(sb, s + start, i - start);
		strbuf_add(sb, "\xef\xbf\xbd", 3);
		i++;
		start = i;
	}
	strbuf_add(sb, s + start, i - start);
}

/*
 * A terminal acts on C0 and C1 controls (escape sequences that clear the
 * screen, retitle the window or rewrite earlier lines) and shows bidi
 * overrides reordered; none of that may come from a post or a receiver.
 */
void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len)
{
	struct strbuf v = STRBUF_INIT;
	size_t i, n;

	strbuf_add_utf8_lossy(&v, s, len);
	for (i = 0; i < v.len; i += n) {
		unsigned char c = (unsigned char)v.buf[i];
		int cp;

		n = 1;
		if (c < 0x20 || c == 0x7f) {
			if (c == '\n')
				strbuf_addstr(sb, "\\n");
			else if (c == '\t')
				strbuf_addstr(sb, "\\t");
			else if (c == '\r')
				strbuf_addstr(sb, "\\r");
			else
				strbuf_addf(sb, "\\x%02x", c);
			continue;
		}
		if (c < 0x80) {
			strbuf_addch(sb, (char)c);
			continue;
		}
		/* valid after the lossy copy: one whole character */
		if (!(n = utf8_decode(v.buf + i, v.len - i, &cp)))
			n = 1; /* cannot happen: cp is -1 and the byte goes out as it is */
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			strbuf_addf(sb, "\\u%04x", (unsigned)cp);
		else
			strbuf_add(sb, v.buf + i, n);
	}
	strbuf_release(&v);
}

char *printable(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (s)
		strbuf_add_printable(&sb, s, strlen(s));
	return strbuf_detach(&sb, NULL);
}

int strbuf_read_fd(struct strbuf *sb, int fd, size_t cap)
{
	char chunk[8192];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (cap && sb->len + (size_t)n > cap) {
			errno = EFBIG;
			return -1;
		}
		strbuf_add(sb, chunk, (size_t)n);
	}
	return 0;
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc, e;

	if (fd < 0)
		return -1;
	rc = strbuf_read_fd(sb, fd, cap);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}
