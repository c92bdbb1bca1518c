#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <git2.h>

#include "herald/changes.h"
#include "herald/payload.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define DEFAULT_EVENTS ((1u << EVENT_NEW) | (1u << EVENT_UNDRAFTED))

static void target_release(struct target *t)
{
	free(t->name);
	free(t->kind);
	free(t->url);
	strvec_clear(&t->secrets);
	free(t->token);
	free(t->template);
	json_decref(t->options);
	free(t->problem);
}

void targets_free(struct target *t, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		target_release(&t[i]);
	free(t);
}

struct target *targets_find(struct target *t, size_t nr, const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

int target_wants(const struct target *t, int type)
{
	return type >= 0 && (t->events & (1u << type));
}

char *target_redact(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *res;

	if (!url || !*url)
		return xstrdup("(no url)");
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		res = xstrdup("(bad url)");
	else
		res = xstrfmt("%s://%s", scheme, host);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return res;
}

__attribute__((format(printf, 2, 3)))
static void problem(struct target *t, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (t->problem)
		return; /* the first one says enough */
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	t->problem = strbuf_detach(&sb, NULL);
}

/* Reads a credential from a file; a file others can read is refused. */
static char *read_secret_file(struct target *t, const char *key, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	if (stat(path, &st) < 0) {
		problem(t, "%s '%s' cannot be read: %s", key, path, strerror(errno));
		return NULL;
	}
	if (st.st_mode & 077) {
		problem(t, "%s '%s' is readable by others; chmod 600 it", key, path);
		return NULL;
	}
	if (strbuf_read_file(&sb, path, 64 * 1024) < 0) {
		problem(t, "%s '%s' cannot be read: %s", key, path, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	strbuf_rtrim(&sb);
	return strbuf_detach(&sb, NULL);
}

static char *read_env(struct target *t, const char *key, const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		problem(t, "%s names the environment variable '%s', which is not set", key, name);
		return NULL;
	}
	return xstrdup(v);
}

static int is_loopback(const char *host)
{
	return !strcasecmp(host, "localhost") || !strncmp(host, "127.", 4) ||
	       !strcmp(host, "[::1]") || !strcmp(host, "::1");
}

static void check_url(struct target *t)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;

	if (!t->url) {
		problem(t, "no url (set herald.%s.url, urlFile or urlEnv)", t->name);
		goto out;
	}
	if (!u || curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		problem(t, "the url cannot be parsed");
		goto out;
	}
	if (strcmp(scheme, "https") && strcmp(scheme, "http"))
		problem(t, "only http and https urls are allowed, not %s", scheme);
	else if (!strcmp(scheme, "http") && !is_loopback(host) && !t->allow_http)
		problem(t, "plain http to %s is refused; use https or set herald.%s.allowHttp", host, t->name);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
}

static void set_events(struct target *t, const char *v)
{
	char *copy = xstrdup(v), *p = copy, *word;

	t->events = 0;
	while ((word = strsep(&p, " ,\t"))) {
		int type;
		if (!*word)
			continue;
		if (!strcmp(word, "all")) {
			t->events = (1u << EVENT_TYPES) - 1;
			continue;
		}
		type = event_type_parse(word);
		if (type < 0)
			problem(t, "events: '%s' is not an event type", word);
		else
			t->events |= 1u << type;
	}
	free(copy);
}

static long get_seconds(struct target *t, const char *key, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n < 1 || n > 3600) {
		problem(t, "%s must be a number of seconds from 1 to 3600", key);
		return 0;
	}
	return n;
}

static struct target *get_target(struct target **v, size_t *nr, size_t *alloc,
				 const char *name)
{
	struct target *t = targets_find(*v, *nr, name);

	if (t)
		return t;
	ALLOC_GROW(*v, *nr + 1, *alloc);
	t = &(*v)[(*nr)++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->events = DEFAULT_EVENTS;
	t->connect_timeout = 5;
	t->timeout = 15;
	t->options = json_object();
	return t;
}

static void set_str(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

static void apply(struct target *t, const char *key, const char *v)
{
	if (!strcmp(key, "kind"))
		set_str(&t->kind, xstrdup(v));
	else if (!strcmp(key, "url"))
		set_str(&t->url, xstrdup(v));
	else if (!strcmp(key, "urlfile"))
		set_str(&t->url, read_secret_file(t, "urlFile", v));
	else if (!strcmp(key, "urlenv"))
		set_str(&t->url, read_env(t, "urlEnv", v));
	else if (!strcmp(key, "events"))
		set_events(t, v);
	else if (!strcmp(key, "secret"))
		strvec_push(&t->secrets, v);
	else if (!strcmp(key, "secretfile")) {
		char *s = read_secret_file(t, "secretFile", v);
		if (s)
			strvec_push_nodup(&t->secrets, s);
	} else if (!strcmp(key, "secretenv")) {
		char *s = read_env(t, "secretEnv", v);
		if (s)
			strvec_push_nodup(&t->secrets, s);
	} else if (!strcmp(key, "token"))
		set_str(&t->token, xstrdup(v));
	else if (!strcmp(key, "tokenfile"))
		set_str(&t->token, read_secret_file(t, "tokenFile", v));
	else if (!strcmp(key, "tokenenv"))
		set_str(&t->token, read_env(t, "tokenEnv", v));
	else if (!strcmp(key, "template"))
		set_str(&t->template, xstrdup(v));
	else if (!strcmp(key, "batch"))
		t->batch = git_config_parse_bool(&t->batch, v) < 0 ? (problem(t, "batch must be true or false"), 0) : t->batch;
	else if (!strcmp(key, "allowhttp"))
		t->allow_http = git_config_parse_bool(&t->allow_http, v) < 0 ? (problem(t, "allowHttp must be true or false"), 0) : t->allow_http;
	else if (!strcmp(key, "timeout"))
		t->timeout = get_seconds(t, "timeout", v);
	else if (!strcmp(key, "connecttimeout"))
		t->connect_timeout = get_seconds(t, "connectTimeout", v);
	else if (!strcmp(key, "chatid"))
		json_object_set_new(t->options, "chat_id", json_string(v));
	else if (!strcmp(key, "username"))
		json_object_set_new(t->options, "username", json_string(v));
	/* unknown keys are left alone: later versions may know them */
}

/* ntfy: the topic is the url's path; the JSON is posted to the server root. */
static void split_ntfy(struct target *t)
{
	char *p, *slash;

	if (!t->url || strcmp(t->kind, "ntfy"))
		return;
	p = strstr(t->url, "://");
	slash = p ? strchr(p + 3, '/') : NULL;
	if (!slash || !slash[1]) {
		problem(t, "an ntfy url names its topic: https://ntfy.sh/TOPIC");
		return;
	}
	json_object_set_new(t->options, "topic", json_string(slash + 1));
	slash[1] = '\0';
}

struct load {
	struct target *v;
	size_t nr, alloc;
};

static int each(const git_config_entry *e, void *data)
{
	struct load *l = data;
	const char *name = e->name + strlen("herald.");
	const char *dot = strrchr(name, '.');
	char *sub;

	if (!dot || dot == name)
		return 0;
	sub = xstrndup(name, (size_t)(dot - name));
	apply(get_target(&l->v, &l->nr, &l->alloc, sub), dot + 1, e->value ? e->value : "");
	free(sub);
	return 0;
}

/*
 * Targets handed to a CI job as secrets: HERALD_TARGET_<NAME>_<KEY>=value,
 * KEY any key above in capitals with underscores between its words (KIND,
 * URL, SECRET, SECRET_FILE, CHAT_ID, CONNECT_TIMEOUT, ...), NAME the
 * target's name in capitals ('_' for '-'). Read after git config, so they
 * win. Like git config they belong to whoever runs herald, never to a push.
 */
static const struct {
	const char *env, *key;
} env_keys[] = {
	{ "CONNECT_TIMEOUT", "connecttimeout" }, { "ALLOW_HTTP", "allowhttp" },
	{ "SECRET_FILE", "secretfile" }, { "SECRET_ENV", "secretenv" },
	{ "TOKEN_FILE", "tokenfile" }, { "TOKEN_ENV", "tokenenv" },
	{ "URL_FILE", "urlfile" }, { "URL_ENV", "urlenv" }, { "CHAT_ID", "chatid" },
	{ "USERNAME", "username" }, { "TEMPLATE", "template" }, { "TIMEOUT", "timeout" },
	{ "EVENTS", "events" }, { "SECRET", "secret" }, { "TOKEN", "token" },
	{ "BATCH", "batch" }, { "KIND", "kind" }, { "URL", "url" },
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_env(struct load *l)
{
	extern char **environ;
	static const char prefix[] = "HERALD_TARGET_";
	struct strvec vars = STRVEC_INIT;
	size_t i, k;

	for (i = 0; environ && environ[i]; i++)
		if (!strncmp(environ[i], prefix, sizeof(prefix) - 1) && strchr(environ[i], '='))
			strvec_push(&vars, environ[i]);
	if (vars.nr) /* a stable order of targets, whatever the environment's */
		qsort(vars.v, vars.nr, sizeof(*vars.v), cmp_str);
	for (i = 0; i < vars.nr; i++) {
		char *var = vars.v[i] + sizeof(prefix) - 1, *eq = strchr(var, '=');
		size_t len = (size_t)(eq - var), best = 0, best_len = 0;
		char *name;

		for (k = 0; k < sizeof(env_keys) / sizeof(*env_keys); k++) {
			size_t n = strlen(env_keys[k].env);
			if (len > n + 1 && var[len - n - 1] == '_' &&
			    !strncmp(var + len - n, env_keys[k].env, n) && n > best_len) {
				best = k;
				best_len = n;
			}
		}
		if (!best_len)
			continue; /* not a key herald knows */
		name = xstrndup(var, len - best_len - 1);
		for (k = 0; name[k]; k++)
			name[k] = name[k] == '_' ? '-' : (char)tolower((unsigned char)name[k]);
		apply(get_target(&l->v, &l->nr, &l->alloc, name), env_keys[best].key, eq + 1);
		free(name);
	}
	strvec_clear(&vars);
}

int targets_load(struct repo *r, struct target **out, size_t *nr)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *entry;
	struct load l = { NULL, 0, 0 };
	size_t i;
	int rc;

	*out = NULL;
	*nr = 0;
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_error("cannot read git config");
	/*
	 * Every entry, filtered here: libgit2's regex-matching iterators
	 * leak inside PCRE on every call.
	 */
	if (git_config_iterator_new(&it, cfg) < 0) {
		git_config_free(cfg);
		return repo_error("cannot read git config");
	}
	while (!(rc = git_config_next(&entry, it)))
		if (!strncmp(entry->name, "herald.", 7) && strchr(entry->name + 7, '.'))
			each(entry, &l);
	git_config_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		git_config_free(cfg);
		targets_free(l.v, l.nr);
		return repo_error("cannot read git config");
	}
	git_config_free(cfg);
	load_env(&l);
	for (i = 0; i < l.nr; i++) {
		struct target *t = &l.v[i];
		if (!t->kind)
			problem(t, "no kind (set herald.%s.kind)", t->name);
		else if (!payload_kind_known(t->kind))
			problem(t, "unknown kind '%s'", t->kind);
		else
			split_ntfy(t);
		if (t->kind && !strcmp(t->kind, "telegram") &&
		    !json_object_get(t->options, "chat_id"))
			problem(t, "telegram needs herald.%s.chatId", t->name);
		if (t->kind && !strcmp(t->kind, "matrix") && !t->token)
			problem(t, "matrix needs an access token (herald.%s.token, tokenFile or tokenEnv)", t->name);
		check_url(t);
		json_object_set_new(t->options, "name", json_string(t->name));
		json_object_set_new(t->options, "kind", t->kind ? json_string(t->kind) : json_null());
	}
	*out = l.v;
	*nr = l.nr;
	return 0;
}
