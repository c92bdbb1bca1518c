/*
 * The floor under goal 13.6 (bench/hook.py): the least a program linked
 * as herald is must do to deliver one signed webhook from a repository.
 *
 * It is built with herald's own compiler and linker flags, against the
 * same libraries and with herald's start of them (src/read/start.c:
 * libgit2 without its CA bundle and libssh2, GnuTLS not started), and it
 * does only what every delivering hook has to: start libgit2, open the
 * repository and read the pushed commit, start libcurl, sign a small body
 * as herald signs a webhook (sign_standard(), src/deliver/sign.c: Standard
 * Webhooks' HMAC-SHA256) and POST it to the receiver, then stop both libraries
 * and exit. No configuration, no scan, no outbox, no ledger, no fsync.
 * Its user+sys is what loading and starting the libraries costs on the
 * machine, with one request: what herald's own work comes on top of.
 *
 * usage: bench-floor GIT_DIR COMMIT URL SECRET     (exit 0 on a 2xx)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>
#include <time.h>

#include "herald/repo.h"
#include "herald/sign.h"
#include "herald/strbuf.h"

static size_t discard(char *p, size_t size, size_t n, void *data)
{
	(void)p;
	(void)data;
	return size * n;
}

int main(int argc, char **argv)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	struct curl_slist *headers = NULL;
	const git_error *e;
	const char *summary;
	json_t *doc;
	struct strbuf sig = STRBUF_INIT;
	const char *secrets[1];
	char *body = NULL;
	long status = 0;
	CURLcode rc = CURLE_FAILED_INIT;
	CURL *curl;
	int ret = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: bench-floor GIT_DIR COMMIT URL SECRET\n");
		return 2;
	}
	repo_library_start();
	if (git_repository_open_bare(&repo, argv[1]) < 0 || git_oid_fromstr(&oid, argv[2]) < 0 ||
	    git_commit_lookup(&commit, repo, &oid) < 0) {
		e = git_error_last();
		fprintf(stderr, "bench-floor: %s\n", e && e->message ? e->message : "cannot read the commit");
		goto out;
	}
	summary = git_commit_summary(commit);
	doc = json_pack("{s:s, s:s, s:s}", "type", "floor", "commit", argv[2], "summary",
			summary ? summary : "");
	body = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	secrets[0] = argv[4];
	strbuf_addstr(&sig, "webhook-signature: ");
	if (!body ||
	    sign_standard(secrets, 1, "msg_floor", (long long)time(NULL), body, strlen(body), &sig) < 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "bench-floor: cannot make the body, or start OpenSSL or libcurl\n");
		goto out;
	}
	headers = curl_slist_append(curl_slist_append(NULL, "Content-Type: application/json"), sig.buf);
	if ((curl = curl_easy_init())) {
		curl_easy_setopt(curl, CURLOPT_URL, argv[3]);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
		if ((rc = curl_easy_perform(curl)) == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(curl);
	}
	curl_slist_free_all(headers);
	curl_global_cleanup();
	ret = status >= 200 && status < 300 ? 0 : 1;
	if (ret && rc != CURLE_OK)
		fprintf(stderr, "bench-floor: the POST failed: %s\n", curl_easy_strerror(rc));
	else if (ret)
		fprintf(stderr, "bench-floor: the POST got HTTP %ld\n", status);
out:
	free(body);
	strbuf_release(&sig);
	git_commit_free(commit);
	git_repository_free(repo);
	repo_library_stop();
	return ret;
}
