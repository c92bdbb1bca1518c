#ifndef HERALD_UTF8_H
#define HERALD_UTF8_H

#include <stddef.h>

#include "herald/strbuf.h"

/*
 * UTF-8 text as readers see it, through utf8proc: where a character and a
 * user-perceived character (a grapheme cluster: "é" written as e + U+0301,
 * a flag, a family emoji joined with U+200D) ends, and how many terminal
 * columns it takes. Every place herald cuts a title or a summary cuts at a
 * boundary found here, so no cut leaves half a character or half an emoji.
 *
 * Invalid bytes are tolerated everywhere: each counts as one character of
 * its own (and one column), so these functions never fail.
 */

/*
 * Length in bytes of the character at s[0..len): 1 to 4, or 1 for a byte
 * that starts no valid sequence (overlong forms, surrogates and code
 * points past U+10FFFF are invalid). 0 when len is 0.
 */
size_t utf8_char_len(const char *s, size_t len);

/*
 * Decodes the character at s[0..len) into *cp and returns its length, or
 * returns 0 when it is not valid UTF-8 (then *cp is -1).
 */
size_t utf8_decode(const char *s, size_t len, int *cp);

/* Does s[0..len) hold only valid UTF-8? When not, *bad (if given) is the offset of the first bad byte. */
int utf8_valid(const char *s, size_t len, size_t *bad);

/* Appends the UTF-8 form of the Unicode scalar value `cp` (not a surrogate, at most U+10FFFF). */
void utf8_encode(struct strbuf *out, int cp);

/*
 * The length of s[0..len) without a sequence cut short at its end (a buffer
 * filled up to its size, a cap on input): at most the 3 bytes of an
 * unfinished character are dropped.
 */
size_t utf8_trim_partial(const char *s, size_t len);

/* Length in bytes of the grapheme cluster at s[0..len); 0 when len is 0. */
size_t utf8_grapheme_len(const char *s, size_t len);

/* Code points in s[0..len) (an invalid byte counts one). */
size_t utf8_count(const char *s, size_t len);

/* Grapheme clusters in s[0..len): the characters a reader counts. */
size_t utf8_graphemes(const char *s, size_t len);

/*
 * UTF-16 code units in s[0..len), which JavaScript and Telegram count: a
 * character past U+FFFF is two, an invalid byte one.
 */
size_t utf8_units16(const char *s, size_t len);

/*
 * The longest prefix of s[0..len) that is at most `max` bytes and ends at a
 * grapheme cluster boundary; its length in bytes.
 */
size_t utf8_cut(const char *s, size_t len, size_t max);

/*
 * Terminal columns of s[0..len): East Asian wide characters and emoji take
 * two, combining marks none, an invalid byte or a control character one.
 */
size_t utf8_width(const char *s, size_t len);

/*
 * Appends the NUL-terminated `s` to `out` in at most `cols` columns, cut at a
 * grapheme boundary and ending in "…" when cut; with `pad`, spaces fill it
 * to exactly `cols` columns. Text the caller did not clean of control
 * characters should be cleaned first; this only measures.
 */
void utf8_add_columns(struct strbuf *out, const char *s, size_t cols, int pad);

#endif
