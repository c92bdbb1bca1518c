#ifndef HERALD_STRBUF_H
#define HERALD_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated byte buffer. `buf` is never NULL: an
 * empty strbuf points at a shared empty string, so it can be printed at any
 * time. Embedded NUL bytes are allowed; `len` is the truth.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char strbuf_empty[];
#define STRBUF_INIT { strbuf_empty, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller, who frees it; `sb` is empty afterwards. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
/* Inline, as git has it: URLs and JSON are built a character at a time. */
static inline void strbuf_addch(struct strbuf *sb, int c)
{
	if (sb->len + 1 >= sb->alloc)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addchars(struct strbuf *sb, int c, size_t n);
__attribute__((format(printf, 2, 3)))
void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
__attribute__((format(printf, 2, 0)))
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_rtrim(struct strbuf *sb);

/* Appends `s` with JSON string escaping (no surrounding quotes). */
void strbuf_add_json_escaped(struct strbuf *sb, const char *s, size_t len);

/*
 * Appends `len` bytes of `s`, replacing every invalid UTF-8 sequence by
 * U+FFFD, so the result is always valid UTF-8.
 */
void strbuf_add_utf8_lossy(struct strbuf *sb, const char *s, size_t len);

/*
 * Appends `len` bytes of `s` for a terminal: invalid UTF-8 as U+FFFD,
 * control characters as \n, \t, \r or \xHH, C1 controls and bidi
 * overrides as \uHHHH. Every human-readable line herald prints of text it
 * did not write itself (titles, paths, receivers' answers) goes through it.
 */
void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len);

/* The same as a new string the caller frees; NULL gives "". */
char *printable(const char *s);

/*
 * Appends what `fd` holds up to its end (the caller closes it); more than
 * `cap` bytes in `sb` (0: no cap) fails with EFBIG. 0 or -1 with errno set.
 */
int strbuf_read_fd(struct strbuf *sb, int fd, size_t cap);

/* Reads a whole file; returns 0 or -1 with errno set. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t cap);

/* xmalloc and friends die on out-of-memory; they never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2)))
char *xstrfmt(const char *fmt, ...);

/* Grows `arr` (of `nr` used, `alloc` capacity) to hold at least `want`. */
#define ALLOC_GROW(arr, want, alloc)                                          \
	do {                                                                  \
		if ((want) > (alloc)) {                                       \
			(alloc) = (alloc) ? (alloc) * 2 : 16;                 \
			if ((alloc) < (want))                                 \
				(alloc) = (want);                             \
			(arr) = xrealloc((arr), (alloc) * sizeof(*(arr)));    \
		}                                                             \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
