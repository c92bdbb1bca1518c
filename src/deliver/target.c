#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <curl/curl.h>
#include <git2.h>

#include "herald/changes.h"
#include "herald/date.h"
#include "herald/kind.h"
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
	free(t->password);
	free(t->topic);
	free(t->auth);
	free(t->user);
	free(t->template);
	free(t->template_dir);
	free(t->timezone);
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

void target_problem(struct target *t, const char *fmt, ...)
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

/*
 * Reads a credential from a file. Owner and mode are checked on the opened
 * descriptor, so what is checked is what is read: a regular file of
 * herald's user (or root) that nobody else can read.
 */
static char *read_secret_file(struct target *t, const char *key, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char chunk[4096];
	ssize_t n;
	int fd;

	do {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0 || fstat(fd, &st) < 0) {
		target_problem(t, "%s '%s' cannot be read: %s", key, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		target_problem(t, "%s '%s' is not a regular file", key, path);
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		target_problem(t, "%s '%s' belongs to another user (uid %lu); chown it to herald's user",
			key, path, (unsigned long)st.st_uid);
		goto fail;
	}
	if (st.st_mode & 077) {
		target_problem(t, "%s '%s' is readable by others; chmod 600 it", key, path);
		goto fail;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sb.len + (size_t)n > 64 * 1024) {
			target_problem(t, "%s '%s' cannot be read: %s", key, path,
				n < 0 ? strerror(errno) : "larger than 64 KiB");
			goto fail;
		}
		strbuf_add(&sb, chunk, (size_t)n);
	}
	close(fd);
	strbuf_rtrim(&sb);
	return strbuf_detach(&sb, NULL);
fail:
	if (fd >= 0)
		close(fd);
	strbuf_release(&sb);
	return NULL;
}

static char *read_env(struct target *t, const char *key, const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		target_problem(t, "%s names the environment variable '%s', which is not set", key, name);
		return NULL;
	}
	return xstrdup(v);
}

int target_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t len = strlen(host);

	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return 1;
	/* an address, never a name: "127.attacker.example" is someone else's */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return 0;
}

static void check_url(struct target *t, const struct kind *k)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;

	if (!t->url) {
		target_problem(t, "no url (set herald.%s.url, urlFile or urlEnv)", t->name);
		goto out;
	}
	if (k && k->own_url)
		goto out; /* its configure checked it */
	if (!u || curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		target_problem(t, "the url cannot be parsed");
		goto out;
	}
	if (strcmp(scheme, "https") && strcmp(scheme, "http"))
		target_problem(t, "only http and https urls are allowed, not %s", scheme);
	else if (!strcmp(scheme, "http") && !target_host_is_loopback(host) && !t->allow_http)
		target_problem(t, "plain http to %s is refused; use https or set herald.%s.allowHttp", host, t->name);
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
		if (!*word || !strcmp(word, "none"))
			continue; /* "none": a target that only gets digests */
		if (!strcmp(word, "all")) {
			/*
			 * Every public event: a draft event carries a title
			 * and url nobody is meant to see yet, so it goes out
			 * only when named ("all draft").
			 */
			t->events |= ((1u << EVENT_TYPES) - 1) & ~(1u << EVENT_DRAFT);
			continue;
		}
		type = event_type_parse(word);
		if (type < 0)
			target_problem(t, "events: '%s' is not an event type", word);
		else
			t->events |= 1u << type;
	}
	free(copy);
}

/* "edit retract", "edit", "retract", "none" (or "false"/"off"): words in any order. */
static void set_follow(struct target *t, const char *v)
{
	char *copy = xstrdup(v), *p = copy, *word;

	t->follow = 0;
	while ((word = strsep(&p, " ,\t"))) {
		if (!*word)
			continue;
		if (!strcmp(word, "edit"))
			t->follow |= FOLLOW_EDIT;
		else if (!strcmp(word, "retract"))
			t->follow |= FOLLOW_RETRACT;
		else if (strcmp(word, "none") && strcmp(word, "off") && strcmp(word, "false"))
			target_problem(t, "follow: '%s' is not 'edit', 'retract' or 'none'", word);
	}
	free(copy);
}

/* What the kind can do to a message it posted, against what the config asks. */
static void check_follow(struct target *t, const struct kind *k)
{
	unsigned missing = t->follow & ~k->follows;

	if (missing)
		target_problem(t, "follow: %s cannot %s what it posted", k->name,
			       (missing & FOLLOW_EDIT) && (missing & FOLLOW_RETRACT) ? "edit or delete" :
			       missing & FOLLOW_EDIT ? "edit" : "delete");
	else if (t->follow && t->batch)
		target_problem(t, "follow needs one message per post: it cannot be used with batch = true");
}

static long get_seconds(struct target *t, const char *key, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n < 1 || n > 3600) {
		target_problem(t, "%s must be a number of seconds from 1 to 3600", key);
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
	const struct kind_option *o;

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
	else if (!strcmp(key, "user"))
		set_str(&t->user, xstrdup(v));
	else if (!strcmp(key, "userfile"))
		set_str(&t->user, read_secret_file(t, "userFile", v));
	else if (!strcmp(key, "userenv"))
		set_str(&t->user, read_env(t, "userEnv", v));
	else if (!strcmp(key, "passwordfile"))
		set_str(&t->password, read_secret_file(t, "passwordFile", v));
	else if (!strcmp(key, "passwordenv"))
		set_str(&t->password, read_env(t, "passwordEnv", v));
	else if (!strcmp(key, "template"))
		set_str(&t->template, xstrdup(v));
	else if (!strcmp(key, "batch"))
		t->batch = git_config_parse_bool(&t->batch, v) < 0 ? (target_problem(t, "batch must be true or false"), 0) : t->batch;
	else if (!strcmp(key, "allowhttp"))
		t->allow_http = git_config_parse_bool(&t->allow_http, v) < 0 ? (target_problem(t, "allowHttp must be true or false"), 0) : t->allow_http;
	else if (!strcmp(key, "timeout"))
		t->timeout = get_seconds(t, "timeout", v);
	else if (!strcmp(key, "connecttimeout"))
		t->connect_timeout = get_seconds(t, "connectTimeout", v);
	else if (!strcmp(key, "digest")) {
		char why[200];
		if (cadence_parse(v, &t->digest, why, sizeof(why)) < 0)
			target_problem(t, "digest: %s", why);
	} else if (!strcmp(key, "digestempty"))
		t->digest_empty = git_config_parse_bool(&t->digest_empty, v) < 0 ? (target_problem(t, "digestEmpty must be true or false"), 0) : t->digest_empty;
	else if (!strcmp(key, "follow"))
		set_follow(t, v);
	else if (!strcmp(key, "timezone")) {
		if (!date_zone_valid(v))
			target_problem(t, "timezone: '%s' is not a time zone this machine knows "
				       "(an IANA name such as Europe/Paris)", v);
		else
			set_str(&t->timezone, xstrdup(v));
	} else if ((o = kind_option_for_key(key)) && kind_option_is_list(o)) {
		json_t *a = json_object_get(t->options, o->field);
		if (!json_is_array(a))
			json_object_set_new(t->options, o->field, a = json_array());
		json_array_append_new(a, json_string(v));
	} else if (o)
		json_object_set_new(t->options, o->field, json_string(v));
	/* unknown keys are left alone: later versions may know them */
}

/*
 * A payload template is the admin's: a name in herald.templateDir, never a
 * file in the repository a push could write.
 */
static void check_template(struct target *t, const char *dir)
{
	t->template_dir = dir ? xstrdup(dir) : NULL;
	if (dir && dir[0] != '/')
		target_problem(t, "herald.templateDir '%s' is not an absolute path", dir);
	if (!t->template)
		return;
	if (!dir)
		target_problem(t, "template '%s' needs herald.templateDir, the folder payload templates come from",
			t->template);
	else if (!*t->template || strchr(t->template, '/') || strchr(t->template, '\\') ||
		 t->template[0] == '.')
		target_problem(t, "template '%s' must be a file name in herald.templateDir", t->template);
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
 * KEY any key above or of a kind (struct kind_option) in capitals with
 * underscores between its words (KIND, URL, SECRET, SECRET_FILE, CHAT_ID,
 * CONNECT_TIMEOUT, ...), NAME the target's name in capitals ('_' for '-'). Read after git config, so they
 * win. Like git config they belong to whoever runs herald, never to a push.
 */
static const struct {
	const char *env, *key;
} env_keys[] = {
	{ "CONNECT_TIMEOUT", "connecttimeout" }, { "ALLOW_HTTP", "allowhttp" },
	{ "SECRET_FILE", "secretfile" }, { "SECRET_ENV", "secretenv" },
	{ "TOKEN_FILE", "tokenfile" }, { "TOKEN_ENV", "tokenenv" },
	{ "PASSWORD_FILE", "passwordfile" }, { "PASSWORD_ENV", "passwordenv" },
	{ "URL_FILE", "urlfile" }, { "URL_ENV", "urlenv" },
	{ "TEMPLATE", "template" }, { "TIMEOUT", "timeout" },
	{ "EVENTS", "events" }, { "SECRET", "secret" }, { "TOKEN", "token" },
	{ "BATCH", "batch" }, { "KIND", "kind" }, { "URL", "url" },
	{ "USER", "user" }, { "USER_FILE", "userfile" }, { "USER_ENV", "userenv" },
	{ "DIGEST", "digest" }, { "DIGEST_EMPTY", "digestempty" }, { "TIMEZONE", "timezone" },
	{ "FOLLOW", "follow" },
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does var[0..len) end in "_" + env? */
static int env_suffix(const char *var, size_t len, const char *env)
{
	size_t n = strlen(env);

	return len > n + 1 && var[len - n - 1] == '_' && !strncmp(var + len - n, env, n);
}

/* The key whose variable form ends var[0..len) the longest (its length in *env_len), or NULL. */
static const char *env_key(const char *var, size_t len, size_t *env_len)
{
	const struct kind_option *o;
	const char *key = NULL;
	size_t k;

	*env_len = 0;
	for (k = 0; k < sizeof(env_keys) / sizeof(*env_keys); k++)
		if (env_suffix(var, len, env_keys[k].env) && strlen(env_keys[k].env) > *env_len) {
			key = env_keys[k].key;
			*env_len = strlen(env_keys[k].env);
		}
	for (k = 0; kinds[k]; k++)
		for (o = kinds[k]->options; o && o->key; o++)
			if (env_suffix(var, len, o->env) && strlen(o->env) > *env_len) {
				key = o->key;
				*env_len = strlen(o->env);
			}
	return key;
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
		size_t len = (size_t)(eq - var), best_len;
		const char *key = env_key(var, len, &best_len);
		char *name;

		if (!key)
			continue; /* not a key herald knows */
		name = xstrndup(var, len - best_len - 1);
		for (k = 0; name[k]; k++)
			name[k] = name[k] == '_' ? '-' : (char)tolower((unsigned char)name[k]);
		apply(get_target(&l->v, &l->nr, &l->alloc, name), key, eq + 1);
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
	char *template_dir = NULL;
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
	while (!(rc = git_config_next(&entry, it))) {
		if (!strcmp(entry->name, "herald.templatedir") && entry->value)
			set_str(&template_dir, *entry->value ? xstrdup(entry->value) : NULL);
		else if (!strncmp(entry->name, "herald.", 7) && strchr(entry->name + 7, '.'))
			each(entry, &l);
	}
	git_config_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		git_config_free(cfg);
		targets_free(l.v, l.nr);
		free(template_dir);
		return repo_error("cannot read git config");
	}
	git_config_free(cfg);
	load_env(&l);
	for (i = 0; i < l.nr; i++) {
		struct target *t = &l.v[i];
		const struct kind *k = kind_find(t->kind);

		if (!t->kind)
			target_problem(t, "no kind (set herald.%s.kind)", t->name);
		else if (!k)
			target_problem(t, "unknown kind '%s'", t->kind);
		if (k)
			check_follow(t, k);
		if (k && k->configure)
			k->configure(t);
		check_url(t, k);
		check_template(t, template_dir);
		json_object_set_new(t->options, "name", json_string(t->name));
		json_object_set_new(t->options, "kind", t->kind ? json_string(t->kind) : json_null());
	}
	free(template_dir);
	*out = l.v;
	*nr = l.nr;
	return 0;
}
