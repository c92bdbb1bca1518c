#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "herald/base64.h"
#include "herald/sign.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define MAC_LEN 32
#define SECRET_PREFIX "whsec_"

/* The one place libcrypto's error queue becomes an error() line. */
static int crypto_error(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (!e)
		return error("%s failed", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return error("%s failed: %s", what, buf);
}

/* Key bytes for HMAC; wiped on release since they are a credential. */
struct key {
	unsigned char *buf;
	size_t len;
};

static void key_release(struct key *k)
{
	if (k->buf) {
		OPENSSL_cleanse(k->buf, k->len);
		free(k->buf);
	}
	k->buf = NULL;
	k->len = 0;
}

/* `which` names the secret in messages, never its value. */
static int key_from_secret(struct key *k, const char *secret,
			   const char *which)
{
	size_t slen = strlen(secret);
	long n;

	k->buf = NULL;
	k->len = 0;
	if (strncmp(secret, SECRET_PREFIX, strlen(SECRET_PREFIX))) {
		if (!slen)
			return error("%s is empty", which);
		k->buf = xmalloc(slen);
		memcpy(k->buf, secret, slen);
		k->len = slen;
		return 0;
	}
	secret += strlen(SECRET_PREFIX);
	slen -= strlen(SECRET_PREFIX);
	k->buf = xmalloc(BASE64_DECODED_MAX(slen));
	n = base64_decode(secret, slen, BASE64_PAD_OPTIONAL, k->buf);
	if (n <= 0) {
		k->len = BASE64_DECODED_MAX(slen);
		key_release(k);
		return error(n ? "%s is not valid base64 after '%s'"
			       : "%s is empty after '%s'",
			     which, SECRET_PREFIX);
	}
	k->len = (size_t)n;
	return 0;
}

struct chunk {
	const void *p;
	size_t len;
};

static int hmac_sha256(const struct key *k, const struct chunk *chunks,
		       size_t nr, unsigned char mac[MAC_LEN])
{
	EVP_MAC *hmac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t i, maclen = 0;
	int ret = 0;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!hmac || !(ctx = EVP_MAC_CTX_new(hmac)) ||
	    !EVP_MAC_init(ctx, k->buf, k->len, params)) {
		ret = crypto_error("HMAC-SHA256 setup");
		goto out;
	}
	for (i = 0; i < nr; i++) {
		if (!EVP_MAC_update(ctx, chunks[i].p, chunks[i].len)) {
			ret = crypto_error("HMAC-SHA256");
			goto out;
		}
	}
	if (!EVP_MAC_final(ctx, mac, &maclen, MAC_LEN) || maclen != MAC_LEN)
		ret = crypto_error("HMAC-SHA256");
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	return ret;
}

static int mac_standard(const struct key *k, const char *id,
			long long timestamp, const char *body, size_t len,
			unsigned char mac[MAC_LEN])
{
	char ts[32];
	struct chunk chunks[5];

	snprintf(ts, sizeof(ts), "%lld", timestamp);
	chunks[0] = (struct chunk){ id, strlen(id) };
	chunks[1] = (struct chunk){ ".", 1 };
	chunks[2] = (struct chunk){ ts, strlen(ts) };
	chunks[3] = (struct chunk){ ".", 1 };
	chunks[4] = (struct chunk){ body, len };
	return hmac_sha256(k, chunks, ARRAY_SIZE(chunks), mac);
}

static void secret_name(char *buf, size_t size, size_t i, size_t nr)
{
	if (nr > 1)
		snprintf(buf, size, "webhook secret %zu of %zu", i + 1, nr);
	else
		snprintf(buf, size, "webhook secret");
}

int sign_standard(const char *const *secrets, size_t nr, const char *id,
		  long long timestamp, const char *body, size_t len,
		  struct strbuf *out)
{
	size_t orig = out->len, i;
	unsigned char mac[MAC_LEN];
	struct key k = { NULL, 0 };
	char which[64];
	int ret = 0;

	if (!nr)
		BUG("sign_standard without a secret");
	for (i = 0; i < nr; i++) {
		secret_name(which, sizeof(which), i, nr);
		if (key_from_secret(&k, secrets[i], which) ||
		    mac_standard(&k, id, timestamp, body, len, mac)) {
			ret = -1;
			goto out;
		}
		key_release(&k);
		if (i)
			strbuf_addch(out, ' ');
		strbuf_addstr(out, "v1,");
		base64_encode(out, mac, MAC_LEN);
	}
out:
	key_release(&k);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (ret)
		strbuf_setlen(out, orig);
	return ret;
}

int sign_github(const char *secret, const char *body, size_t len,
		struct strbuf *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[MAC_LEN];
	struct key k = { NULL, 0 };
	struct chunk chunk = { body, len };
	size_t i;
	int ret = 0;

	if (!*secret)
		return error("webhook secret is empty");
	/* GitHub keys with the secret as typed, even one starting "whsec_". */
	k.len = strlen(secret);
	k.buf = xmalloc(k.len);
	memcpy(k.buf, secret, k.len);
	if (hmac_sha256(&k, &chunk, 1, mac)) {
		ret = -1;
		goto out;
	}
	strbuf_addstr(out, "sha256=");
	for (i = 0; i < MAC_LEN; i++) {
		strbuf_addch(out, hex[mac[i] >> 4]);
		strbuf_addch(out, hex[mac[i] & 15]);
	}
out:
	key_release(&k);
	OPENSSL_cleanse(mac, sizeof(mac));
	return ret;
}

bool sign_verify_standard(const char *secret, const char *id,
			  long long timestamp, const char *body, size_t len,
			  const char *header)
{
	struct strbuf want = STRBUF_INIT;
	unsigned char mac[MAC_LEN];
	struct key k = { NULL, 0 };
	const char *p = header;
	bool found = false;

	if (key_from_secret(&k, secret, "webhook secret") ||
	    mac_standard(&k, id, timestamp, body, len, mac))
		goto out;
	base64_encode(&want, mac, MAC_LEN);
	while (*p) {
		size_t n = strcspn(p, " ");

		/* Checks every entry, so timing does not tell which matched. */
		if (n == want.len + 3 && !strncmp(p, "v1,", 3) &&
		    !CRYPTO_memcmp(p + 3, want.buf, want.len))
			found = true;
		p += n;
		p += strspn(p, " ");
	}
out:
	key_release(&k);
	OPENSSL_cleanse(mac, sizeof(mac));
	strbuf_release(&want);
	return found;
}

void sign_message_id(const char *const *parts, size_t nr, struct strbuf *out)
{
	static const char base32[] = "0123456789abcdefghjkmnpqrstvwxyz";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t i;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto fail;
	for (i = 0; i < nr; i++) {
		if ((i && !EVP_DigestUpdate(ctx, "", 1)) ||
		    !EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])))
			goto fail;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
		goto fail;
	EVP_MD_CTX_free(ctx);

	strbuf_addstr(out, "msg_");
	for (i = 0; i < 26; i++) {
		size_t bit = i * 5;
		unsigned v = (unsigned)md[bit / 8] << 8 | md[bit / 8 + 1];
		strbuf_addch(out, base32[v >> (11 - bit % 8) & 31]);
	}
	return;
fail:
	/* Only an allocation can fail here, which xmalloc would also die on. */
	EVP_MD_CTX_free(ctx);
	crypto_error("SHA-256");
	die("cannot compute a message id");
}
