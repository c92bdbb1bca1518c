#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "herald/cienv.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/value.h"
#include "herald/banned.h"

/* An event file is a few KiB; anything this big is not one. */
#define EVENT_CAP (16u << 20)

void cienv_release(struct ci_push *p)
{
	free(p->before);
	free(p->after);
	free(p->ref);
	free(p->default_branch);
	memset(p, 0, sizeof(*p));
}

static int is_hex_id(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[40] == '\0';
}

int cienv_is_zero_id(const char *s)
{
	return s && strspn(s, "0") == 40 && s[40] == '\0';
}

static const char *nonempty(cienv_get_fn get, const char *name)
{
	const char *v = get(name);
	return v && *v ? v : NULL;
}

/* "main" or "refs/heads/main" as a full ref name. */
static char *branch_ref(const char *name)
{
	if (!name || !*name)
		return NULL;
	if (!strncmp(name, "refs/", 5))
		return xstrdup(name);
	return xstrfmt("refs/heads/%s", name);
}

/* A commit id from the CI: 40 hex digits; all zeros means none. */
static int take_id(char **dst, const char *where, const char *v)
{
	if (!v)
		return 0;
	if (!is_hex_id(v))
		return error("%s: '%.60s' is not a commit id", where, v);
	if (!cienv_is_zero_id(v))
		*dst = xstrdup(v);
	return 0;
}

static int read_github(struct ci_push *p, cienv_get_fn get)
{
	const char *path = nonempty(get, "GITHUB_EVENT_PATH");
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *ev = NULL;
	const char *after = NULL, *ref;
	int ret = 0;

	p->provider = "github";
	if (path) {
		if (strbuf_read_file(&sb, path, EVENT_CAP) < 0) {
			ret = error("cannot read GITHUB_EVENT_PATH '%s'", path);
			goto out;
		}
		ev = json_loadb(sb.buf, sb.len, 0, &jerr);
		if (!ev || !json_is_object(ev)) {
			ret = error("%s:%d:%d: %s", path, jerr.line, jerr.column,
				    ev ? "the event is not an object" : jerr.text);
			goto out;
		}
		if (take_id(&p->before, path, value_str(ev, "before")) < 0) {
			ret = -1;
			goto out;
		}
		after = value_str(ev, "after");
		if (after && take_id(&p->after, path, after) < 0) {
			ret = -1;
			goto out;
		}
		p->ref = branch_ref(value_str(ev, "ref"));
		p->default_branch = branch_ref(value_str(json_object_get(ev, "repository"),
							"default_branch"));
	}
	if (!after && take_id(&p->after, "GITHUB_SHA", nonempty(get, "GITHUB_SHA")) < 0) {
		ret = -1;
		goto out;
	}
	if (!after && !p->after) {
		ret = error("the GitHub event holds no 'after' commit and GITHUB_SHA is not set");
		goto out;
	}
	ref = nonempty(get, "GITHUB_REF");
	if (!p->ref && ref)
		p->ref = branch_ref(ref);
out:
	json_decref(ev);
	strbuf_release(&sb);
	return ret;
}

static int read_gitlab(struct ci_push *p, cienv_get_fn get)
{
	const char *sha = nonempty(get, "CI_COMMIT_SHA");

	p->provider = "gitlab";
	if (!sha)
		return error("GITLAB_CI is set but CI_COMMIT_SHA is not");
	if (take_id(&p->after, "CI_COMMIT_SHA", sha) < 0 ||
	    take_id(&p->before, "CI_COMMIT_BEFORE_SHA", nonempty(get, "CI_COMMIT_BEFORE_SHA")) < 0)
		return -1;
	/* tags and merge request pipelines have no CI_COMMIT_BRANCH */
	p->ref = branch_ref(nonempty(get, "CI_COMMIT_BRANCH"));
	p->default_branch = branch_ref(nonempty(get, "CI_DEFAULT_BRANCH"));
	return 0;
}

int cienv_read(struct ci_push *p, cienv_get_fn get)
{
	const char *to = nonempty(get, "HERALD_TO");

	memset(p, 0, sizeof(p[0]));
	if (to) {
		const char *from = nonempty(get, "HERALD_FROM");
		p->provider = "env";
		if (!cienv_is_zero_id(to))
			p->after = xstrdup(to);
		if (from && !cienv_is_zero_id(from))
			p->before = xstrdup(from);
		p->ref = branch_ref(nonempty(get, "HERALD_REF"));
		return 0;
	}
	if (nonempty(get, "GITHUB_EVENT_PATH") || nonempty(get, "GITHUB_ACTIONS"))
		return read_github(p, get);
	if (nonempty(get, "GITLAB_CI"))
		return read_gitlab(p, get);
	return error("no push to announce: this is neither GitHub, Forgejo or Gitea "
		     "Actions nor GitLab CI; set HERALD_TO (and HERALD_FROM, HERALD_REF)");
}

char *cienv_auth_header(cienv_get_fn get, const char *url, int has_credentials)
{
	const char *token = nonempty(get, "HERALD_TOKEN"), *user = NULL;
	unsigned char *b64;
	char *pair, *header;
	size_t len;

	if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return NULL;
	if (token) {
		user = nonempty(get, "HERALD_TOKEN_USER");
		if (!user)
			user = nonempty(get, "GITLAB_CI") ? "oauth2" : "x-access-token";
	} else if (has_credentials) {
		return NULL;
	} else if ((token = nonempty(get, "GITHUB_TOKEN"))) {
		user = "x-access-token";
	} else if ((token = nonempty(get, "CI_JOB_TOKEN"))) {
		user = "gitlab-ci-token";
	} else {
		return NULL;
	}
	pair = xstrfmt("%s:%s", user, token);
	len = strlen(pair);
	b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)pair, (int)len);
	header = xstrfmt("Authorization: Basic %s", (char *)b64);
	OPENSSL_cleanse(pair, len);
	free(pair);
	free(b64);
	return header;
}
