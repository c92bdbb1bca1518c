#ifndef HERALD_HELP_H
#define HERALD_HELP_H

/*
 * The manual pages behind `herald help TOPIC`, `herald COMMAND --help` and
 * `git herald COMMAND --help` (git passes --help on to us; only for a bare
 * `git herald --help` does git run `man git-herald` itself).
 *
 * The page that ships with this very binary wins, so two installs never
 * show each other's pages: PREFIX/share/man next to PREFIX/bin/herald, or
 * man/ of the source tree for build/herald and build/san/herald. Failing
 * that, man(1) searches its own path.
 */

/*
 * Shows page `name` of `section` with man(1), replacing the process: it
 * returns only when there is no man or no such page (1; the caller then
 * prints its short usage), or when man cannot be run (-1, reported).
 */
int help_show_page(const char *name, int section);

/*
 * Where page `name` of `section` is, next to the running binary; NULL when
 * not there. Caller frees.
 */
char *help_page_path(const char *name, int section);

#endif
