#ifndef HERALD_PERFTRACE_H
#define HERALD_PERFTRACE_H

/*
 * Where a command's time goes, for an admin asking why a hook is slow (as
 * git's GIT_TRACE_PERFORMANCE). Off unless the environment variable
 * HERALD_TRACE_PERF is "1" or "true" (one line on standard error) or an
 * absolute path (the line appended to that file: a regular file, never
 * followed through a symbolic link, made 0600 when new). The line names the
 * command and its phases, in the order they were first marked:
 *
 *   herald perf: hook post-receive: start 13.90 cpu; setup 0.95 cpu 0.97
 *   wall; scan 1.52 cpu 1.55 wall; ...; rest 0.31 cpu 0.33 wall; total
 *   21.02 cpu (ms)
 *
 * "start" is the CPU time from the process's start (exec, dynamic loading,
 * the libraries' set-up) to its first mark; every later phase is the time
 * since the mark before it, CPU (all threads) and wall, summed over the
 * phase's marks; past eight names, "other" takes the time of the rest;
 * "rest" runs to the report. What runs after main() returns (the libraries'
 * exit handlers, the kernel's teardown) is in no line. The environment is
 * the admin's (git gives a hook no variable from a push), so nothing a push
 * carries turns it on or picks the file.
 */

/* Reads HERALD_TRACE_PERF. Call once, at the start of main(). */
void perftrace_init(void);

/* Adds the time since the previous mark (or the start) to `phase`, a literal. */
void perftrace_mark(const char *phase);

/*
 * Marks "rest" and writes the line for `command` (and `detail`, as a hook's
 * "post-receive", or NULL), when tracing is on.
 */
void perftrace_report(const char *command, const char *detail);

#endif
