#ifndef HERALD_STRVEC_H
#define HERALD_STRVEC_H

#include <stddef.h>

/* A NULL-terminated, owned array of strings. */
struct strvec {
	char **v;
	size_t nr, alloc;
};

#define STRVEC_INIT { NULL, 0, 0 }

void strvec_init(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
/* Takes ownership of `s`, which must come from malloc. */
void strvec_push_nodup(struct strvec *sv, char *s);
void strvec_clear(struct strvec *sv);
int strvec_has(const struct strvec *sv, const char *s);
void strvec_copy(struct strvec *dst, const struct strvec *src);

#endif
