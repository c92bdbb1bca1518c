#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herald/hookio.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

#define MAX_LINES 100000

void hookio_free(struct ref_update *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i].ref);
	free(v);
}

int hookio_read(FILE *in, struct ref_update **out, size_t *nr)
{
	struct ref_update *v = NULL;
	size_t n = 0, alloc = 0, lineno = 0;
	char line[8192];

	*out = NULL;
	*nr = 0;
	while (fgets(line, sizeof(line), in) && lineno < MAX_LINES) {
		char *old = line, *new_ = NULL, *ref = NULL, *nl;
		struct ref_update u;

		lineno++;
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		new_ = strchr(old, ' ');
		if (new_) {
			*new_++ = '\0';
			ref = strchr(new_, ' ');
			if (ref)
				*ref++ = '\0';
		}
		memset(&u, 0, sizeof(u));
		if (!ref || !*ref || git_oid_fromstr(&u.old_id, old) < 0 ||
		    git_oid_fromstr(&u.new_id, new_) < 0) {
			error("hook input line %zu is not 'old new ref'", lineno);
			continue;
		}
		u.ref = xstrdup(ref);
		ALLOC_GROW(v, n + 1, alloc);
		v[n++] = u;
	}
	*out = v;
	*nr = n;
	return 0;
}

int hookio_push_option(const char *name)
{
	const char *count = getenv("GIT_PUSH_OPTION_COUNT");
	long n, i;

	if (!count)
		return 0;
	n = strtol(count, NULL, 10);
	for (i = 0; i < n && i < 1000; i++) {
		char key[64];
		const char *v;
		snprintf(key, sizeof(key), "GIT_PUSH_OPTION_%ld", i);
		v = getenv(key);
		if (v && !strcmp(v, name))
			return 1;
	}
	return 0;
}

int hookio_branches(struct repo *r, struct strvec *out)
{
	struct strvec names = STRVEC_INIT;
	git_reference *head = NULL;
	size_t i;

	if (repo_config_multivar(r, "herald.branch", &names) < 0)
		return -1;
	for (i = 0; i < names.nr; i++) {
		if (!strncmp(names.v[i], "refs/", 5))
			strvec_push(out, names.v[i]);
		else
			strvec_push_nodup(out, xstrfmt("refs/heads/%s", names.v[i]));
	}
	strvec_clear(&names);
	if (out->nr)
		return 0;
	if (git_reference_lookup(&head, r->git, "HEAD") == 0 &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
		strvec_push(out, git_reference_symbolic_target(head));
	git_reference_free(head);
	return 0;
}
