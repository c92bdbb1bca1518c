#ifndef HERALD_GLOB_H
#define HERALD_GLOB_H

/*
 * Git's pathspec glob rules, anchored at the repository root: a star and
 * `?` never match '/', `[...]` is a class (`[!...]` negates), a double star
 * that is a whole path component matches any number of folders (none
 * included), and a trailing double star matches everything inside.
 */
int glob_match(const char *pattern, const char *path);

#endif
