#ifndef HERALD_BUILTIN_H
#define HERALD_BUILTIN_H

#include <stddef.h>

/*
 * The files of templates/ (builtin_files) and of hooks/ (builtin_hooks),
 * compiled into the binary by tools/embed.sh; each list ends with a NULL
 * name.
 */
struct builtin_file {
	const char *name;
	const char *data; /* NUL-terminated; len excludes the NUL */
	size_t len;
};

extern const struct builtin_file builtin_files[];
extern const struct builtin_file builtin_hooks[];

/* Returns the built-in file called `name`, or NULL. */
const struct builtin_file *builtin_find(const char *name);

#endif
