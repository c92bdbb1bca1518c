/*
 * ntfy JSON publishing: POST to the server's root url with the topic in the
 * body. Messages over 4096 bytes become attachments, which the built-in
 * template avoids (a batch lists titles only).
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "herald/kind.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

/* base64 or base64url, padded or not, as ntfy's ?auth= takes it; 0 or -1. */
static int decode_auth(const char *s, struct strbuf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
		const char *p = strchr(alpha, *s);
		unsigned v;

		if (p)
			v = (unsigned)(p - alpha);
		else if (*s == '+' || *s == '-')
			v = 62;
		else if (*s == '/' || *s == '_')
			v = 63;
		else
			return -1;
		acc = (acc << 6 | v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addch(out, (char)(acc >> bits & 0xff));
		}
	}
	while (*s == '=')
		s++;
	return *s || !out->len ? -1 : 0;
}

/*
 * The url's last path segment is the topic and the JSON is posted to the
 * folder above it. The topic and any ?auth= are the admin's secrets: the
 * topic goes into the body only when sending, ?auth= (base64 of an
 * Authorization header, as ntfy reads it) becomes that header, and the url
 * keeps neither, so no listing, outbox file or pusher sees them.
 */
static void configure(struct target *t)
{
	CURLU *u;
	char *path = NULL, *query = NULL, *base = NULL, *slash;
	struct strbuf topic = STRBUF_INIT, auth = STRBUF_INIT;

	if (!t->url)
		return;
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		target_problem(t, "the url cannot be parsed");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query) {
		char *q = query, *param;
		while ((param = strsep(&q, "&"))) {
			if (strncmp(param, "auth=", 5))
				continue;
			strbuf_reset(&auth);
			if (decode_auth(param + 5, &auth) < 0 || memchr(auth.buf, '\n', auth.len) ||
			    memchr(auth.buf, '\r', auth.len) || strlen(auth.buf) != auth.len)
				target_problem(t, "the url's auth parameter is not base64 of an Authorization header");
		}
	}
	while ((slash = strrchr(path, '/')) && !slash[1] && slash != path)
		*slash = '\0'; /* a trailing slash names no topic */
	slash = strrchr(path, '/');
	if (!slash || !slash[1]) {
		target_problem(t, "an ntfy url names its topic: https://ntfy.sh/TOPIC");
		goto out;
	}
	strbuf_addstr(&topic, slash + 1);
	if (topic.len > 64 || strspn(topic.buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != topic.len) {
		target_problem(t, "an ntfy topic is 1 to 64 letters, digits, '-' or '_'");
		goto out;
	}
	slash[1] = '\0';
	if (curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &base, 0) != CURLUE_OK) {
		target_problem(t, "the url cannot be parsed");
		goto out;
	}
	free(t->url);
	t->url = xstrdup(base);
	free(t->topic);
	t->topic = strbuf_detach(&topic, NULL);
	if (auth.len && !t->token) {
		free(t->auth);
		t->auth = strbuf_detach(&auth, NULL);
	}
out:
	strbuf_release(&topic);
	strbuf_release(&auth);
	curl_free(path);
	curl_free(query);
	curl_free(base);
	curl_url_cleanup(u);
}

/* The topic is added when sending, from the config: never stored or shown. */
static int enforce(const struct kind_body *b, json_t *doc)
{
	(void)b;
	json_object_del(doc, "topic");
	return 0;
}

static int send_body(const struct target *t, const char *body, size_t len,
		     struct strbuf *out)
{
	json_t *doc;
	char *s;

	if (!t->topic)
		return 0;
	doc = json_loadb(body, len, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return -1;
	}
	json_object_set_new(doc, "topic", json_string(t->topic));
	s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!s)
		return -1;
	strbuf_addstr(out, s);
	free(s);
	return 0;
}

const struct kind kind_ntfy = {
	.name = "ntfy",
	.method = "POST",
	.configure = configure,
	.enforce = enforce,
	.send_body = send_body,
};
