#ifndef HERALD_MASTODON_H
#define HERALD_MASTODON_H

#include <stddef.h>

#include "herald/strbuf.h"

/*
 * Mastodon's text rules, for the mastodon kind (src/deliver/kinds/
 * mastodon.c) and its tests.
 *
 * A status is counted in characters, where every link counts
 * MASTODON_LINK_CHARS whatever its length. Recent Mastodon counts grapheme
 * clusters, older releases code points; herald counts code points, never
 * fewer than either, so a text herald fits is accepted by both.
 *
 * A link is what Mastodon makes one of: "http://" or "https://" (any case)
 * not right after a letter, a digit, '@', '$' or '#', a host with a dot
 * whose last label has two letters at least (a top-level domain, or
 * "xn--…"), then anything up to white space, '<', '>' or '"', less the
 * punctuation a sentence puts after a link (. , ; : ! ? ' and an unbalanced
 * ')'). An address like http://127.0.0.1/ is no link to Mastodon and is
 * counted as written.
 */

#define MASTODON_LINK_CHARS 23
#define MASTODON_DEFAULT_LIMIT 500

/* The length in bytes of the link at s[at..len), or 0 when none starts there. */
size_t mastodon_link_at(const char *s, size_t len, size_t at);

/* Characters of s[0..len) as Mastodon counts a status (see above). */
size_t mastodon_count(const char *s, size_t len);

/*
 * Appends `tag` as a hashtag Mastodon links ("#StaticSites"), or nothing
 * when it has no letter. Mastodon's hashtags are letters, digits, marks
 * and '_' with one letter at least: every other character separates
 * words, and a tag of several words is written in CamelCase (each word's
 * first letter in capitals, the rest as written), which screen readers
 * read as words. Returns 1 when something was appended.
 */
int mastodon_hashtag(struct strbuf *out, const char *tag);

/*
 * Appends s[0..len) with every mention Mastodon would read defused: an '@'
 * then a letter, digit or '_', at the start or after anything but a word
 * character or '/', gets a zero-width space after it. Links are copied
 * whole ("https://host/@user" stays a working link).
 */
void mastodon_defuse(struct strbuf *out, const char *s, size_t len);

/*
 * Fits the status in `text` within `limit` characters (as counted above):
 * unchanged when it fits (returns 0). Otherwise the closing paragraphs made
 * only of links and hashtags (the post's link, its tags) are kept, their
 * hashtags dropped from the last while even they leave no room, and the
 * text before them is cut at a character, before a link rather than
 * through it, at a space when one is near, and ends in "…" (returns 1).
 * Returns -1 when nothing fits (a limit of 0).
 */
int mastodon_fit(struct strbuf *text, size_t limit);

/*
 * configuration.statuses.max_characters of an /api/v2/instance answer:
 * 0 with it in *out, -1 when the answer has none (or a silly one).
 */
int mastodon_parse_limit(const char *json, size_t len, size_t *out);

/*
 * The "id" of a status Mastodon answered with, into `out` (kept for
 * editing or deleting the status later): 0, or -1 when there is none.
 */
int mastodon_status_id(const char *json, size_t len, struct strbuf *out);

#endif
