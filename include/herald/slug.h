#ifndef HERALD_SLUG_H
#define HERALD_SLUG_H

#include "herald/strbuf.h"

/*
 * The text transforms the site generators apply to file names, titles and
 * categories on their way into a url. Each appends to `out`; input that is
 * not valid UTF-8 has its bad bytes treated as punctuation.
 */

enum slug_mode {
	SLUG_JEKYLL_DEFAULT, /* Jekyll slugify, "default": runs of anything but letters, marks, digits -> '-' */
	SLUG_JEKYLL_PRETTY,  /* Jekyll "pretty": also keeps ._~!$&'()+,;=@ */
	SLUG_JEKYLL_RAW,     /* Jekyll "raw": runs of white space -> '-' */
};

/*
 * Jekyll's Utils.slugify: replaces runs of characters the mode does not
 * keep with one '-', drops one leading and one trailing '-', and lowercases
 * unless `cased`.
 */
void slug_jekyll(struct strbuf *out, const char *s, enum slug_mode mode, int cased);

/*
 * Hugo's path sanitising (helpers.UnicodeSanitize): keeps letters, digits,
 * marks and . / \ _ # + ~ - and %XX, turns white space into '-' unless one
 * was just written, drops everything else; lowercases when `lower`.
 */
void slug_hugo(struct strbuf *out, const char *s, int lower);

/*
 * Zola's default slugify ("on", the slug crate): accents stripped,
 * lowercased, runs of anything but ASCII letters and digits -> '-', no '-'
 * at either end. Letters with no ASCII form are kept as written (Zola
 * transliterates them; herald does not).
 */
void slug_zola(struct strbuf *out, const char *s);

/* Lowercase per Unicode (Ruby's String#downcase for the common cases). */
void slug_lower(struct strbuf *out, const char *s);

/*
 * Percent-encodes a url path per RFC 3986: keeps unreserved characters,
 * sub-delims, ':', '@', '/' and well-formed %XX; encodes every other byte
 * (space, '?', '#', non-ASCII UTF-8, a stray '%') as %XX.
 */
void slug_url_escape(struct strbuf *out, const char *s);

#endif
