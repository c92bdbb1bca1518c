#ifndef HERALD_BLUESKY_H
#define HERALD_BLUESKY_H

#include <stddef.h>

#include <git2.h>
#include <jansson.h>

#include "herald/strbuf.h"

struct site;

/*
 * The parts of the bluesky kind (src/deliver/kinds/bluesky.c) that are
 * pure functions of their input, here so the unit tests reach them.
 */

/* An app.bsky.feed.post's text: at most this many graphemes and bytes. */
#define BLUESKY_TEXT_GRAPHEMES 300
#define BLUESKY_TEXT_BYTES 3000

/*
 * Cuts `text` (valid UTF-8) to the post limits at a grapheme boundary,
 * ending in "…" when cut; a cut never falls inside a link (the link goes
 * whole), so no facet points at half a url.
 */
void bluesky_fit(struct strbuf *text);

/*
 * The app.bsky.richtext.facet#link facets of every http(s) url standing
 * in s[0..len) (at its start or after a space or an opening bracket or
 * quote, up to the next space, without trailing punctuation): byteStart
 * and byteEnd are UTF-8 byte offsets into s, and each uri is the url made
 * clean (link_clean). A new JSON array (caller decrefs), empty when none.
 */
json_t *bluesky_facets(const char *s, size_t len);

/*
 * The record key of delivery `id` whose record was created at `created`
 * (Unix seconds): a TID (13 characters of base32-sortable) whose
 * microseconds within that second and clock id come from SHA-256 of the
 * id, so a retry of the same entry names the same record and the PDS
 * cannot take it twice. `created` is the announcement's time, which the
 * ledger line keeps with the id: the key, and so the record's at:// uri,
 * can be found again from the ledger. `out` gets 13 characters and a NUL.
 */
void bluesky_rkey(const char *id, long long created, char out[14]);

/*
 * The card's thumbnail. At queue time the picture the post names is read
 * from the pushed tree (picture_read(): never from the network, at most
 * the 1,000,000 bytes Bluesky takes) and kept in the queued record, where
 * embed.external.thumb is {"$type": BLUESKY_UPLOAD, "mimeType", "size",
 * "data": base64}: the entry holds all it needs, whatever the repository
 * does next. At send time it is uploaded (com.atproto.repo.uploadBlob)
 * and replaced by the blob the PDS answers; a retry uploads it again,
 * which is harmless (an unused blob is dropped by the PDS).
 *
 * bluesky_thumb_attach() adds it to the queued record `*body` (len
 * `*len`, replaced) of the single model event `ev` read at `tree`.
 * Nothing when the record has no card or the post no usable picture
 * (picture_read() warned why): the post goes without one.
 */
#define BLUESKY_UPLOAD "herald#upload"
void bluesky_thumb_attach(git_tree *tree, const struct site *site, const json_t *ev,
			  char **body, size_t *len);

/*
 * The queued record `body` as `herald outbox show` prints it: the
 * thumbnail's base64 replaced by "(N bytes of TYPE, uploaded when sent)".
 * NULL when the body holds no queued thumbnail (it is shown as it is);
 * else allocated.
 */
char *bluesky_thumb_shown(const char *body, size_t len);

#endif
