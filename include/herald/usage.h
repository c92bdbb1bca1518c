#ifndef HERALD_USAGE_H
#define HERALD_USAGE_H

/*
 * Error reporting, in git's manner. Modules report with error() and return
 * its -1; only cmd-*.c decides the exit code. die() is for the top level.
 * All messages go to stderr as "herald: <level>: <message>".
 */

/*
 * The one convention: a function returns 0 on success and -1 after error()
 * said why. A lookup that can also fail says found or not through this
 * (a failure is still `< 0`); one that cannot fail returns a bool.
 */
enum lookup {
	LOOKUP_ERROR = -1,
	LOOKUP_MISSING = 0,
	LOOKUP_FOUND = 1,
};

#define EXIT_FINDINGS 1
#define EXIT_FATAL 128
#define EXIT_USAGE 129

__attribute__((format(printf, 1, 2)))
int error(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void warning(const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn))
void die(const char *fmt, ...);
__attribute__((format(printf, 3, 4), noreturn))
void bug_fl(const char *file, int line, const char *fmt, ...);
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)

/*
 * While set, error() and warning() also append their lines to this file
 * (the hook's $GIT_DIR/herald/log); NULL turns it off.
 */
void usage_set_log(const char *path);

/*
 * While set, error() and warning() print nothing and append their message
 * (escaped, without "herald: error: ", "; " between several) to `sb`
 * instead, for a command that reports a problem in its own words; NULL
 * turns it off.
 */
struct strbuf;
void usage_capture(struct strbuf *sb);

#endif
