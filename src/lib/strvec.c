#include <stdlib.h>
#include <string.h>

#include "herald/strbuf.h"
#include "herald/strvec.h"
#include "herald/banned.h"

void strvec_init(struct strvec *sv)
{
	sv->v = NULL;
	sv->nr = sv->alloc = 0;
}

void strvec_push_nodup(struct strvec *sv, char *s)
{
	ALLOC_GROW(sv->v, sv->nr + 2, sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_nodup(sv, xstrdup(s));
}

void strvec_clear(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		free(sv->v[i]);
	free(sv->v);
	strvec_init(sv);
}

int strvec_has(const struct strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void strvec_copy(struct strvec *dst, const struct strvec *src)
{
	size_t i;

	strvec_clear(dst);
	for (i = 0; i < src->nr; i++)
		strvec_push(dst, src->v[i]);
}
