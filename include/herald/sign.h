#ifndef HERALD_SIGN_H
#define HERALD_SIGN_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

/*
 * Webhook signatures and ids, over OpenSSL's libcrypto. Secrets never appear
 * in error messages: a bad one is named by its position only.
 */

/*
 * Standard Webhooks: a secret "whsec_<base64>" keys HMAC-SHA256 with the
 * decoded bytes (padding optional); a secret without the prefix is used as
 * raw bytes. Signs "<id>.<timestamp>.<body>" and appends "v1,<base64 mac>"
 * to `out`; several secrets (a key rotation) give space-separated
 * signatures "v1,a v1,b" in the order given. Returns 0, or -1 after error()
 * for an empty or undecodable secret, with `out` left as it was.
 */
int sign_standard(const char *const *secrets, size_t nr, const char *id,
		  long long timestamp, const char *body, size_t len,
		  struct strbuf *out);

/*
 * GitHub's X-Hub-Signature-256: appends "sha256=" and the lowercase hex
 * HMAC-SHA256 of `body` keyed with the raw bytes of `secret`. Returns 0, or
 * -1 after error() for an empty secret.
 */
int sign_github(const char *secret, const char *body, size_t len,
		struct strbuf *out);

/*
 * Checks a Standard Webhooks "webhook-signature" header: true if any of
 * its space-separated "v1,<base64>" entries is the signature of
 * "<id>.<timestamp>.<body>" under `secret`, else false. The comparison
 * takes constant time. Other versions are ignored. An unusable secret
 * gives false after error(). The timestamp's age is the caller's business.
 */
bool sign_verify_standard(const char *secret, const char *id,
			  long long timestamp, const char *body, size_t len,
			  const char *header);

/*
 * A stable webhook id: "msg_" and 26 characters (130 bits, lowercase
 * Crockford base32) of the SHA-256 of the parts joined by NUL bytes, e.g.
 * repository id, post path and event type. Equal parts give equal ids, so a
 * replayed delivery keeps its id and receivers can drop duplicates.
 * Appends to `out`.
 */
void sign_message_id(const char *const *parts, size_t nr, struct strbuf *out);

#endif
