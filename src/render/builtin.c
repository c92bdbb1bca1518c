#include <string.h>

#include "herald/builtin.h"
#include "herald/banned.h"

const struct builtin_file *builtin_find(const char *name)
{
	const struct builtin_file *f;

	for (f = builtin_files; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}
