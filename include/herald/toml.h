#ifndef HERALD_TOML_H
#define HERALD_TOML_H

#include <stddef.h>
#include <jansson.h>

/*
 * A TOML 1.0 reader (Hugo and Zola `+++` front matter) that produces
 * jansson values. It never prints: failures are described in a
 * struct toml_error for the caller to format as
 * "file:line:column: error: message".
 */

/* Nesting deeper than this (tables, arrays, inline tables) is an error. */
#define TOML_MAX_DEPTH 128

enum toml_flags {
	/*
	 * The toml-test form: every leaf becomes {"type": T, "value": "text"}
	 * with T one of string, integer, float, bool, datetime,
	 * datetime-local, date-local, time-local. Tables stay objects and
	 * arrays stay arrays.
	 *
	 * Without it (plain mode): strings are strings, integers
	 * json_integer, floats json_real (inf and nan, which JSON cannot
	 * hold, become the strings "inf", "-inf" and "nan"), booleans
	 * json_true/json_false, and the four date-time kinds are strings
	 * holding the TOML text in RFC 3339 form: as written, except that
	 * the date-time separator is 'T' and a 'z' offset is 'Z'.
	 */
	TOML_TAGGED = 1 << 0,
};

struct toml_error {
	int line;          /* 1-based */
	int column;        /* 1-based, counted in bytes, not characters */
	char message[160]; /* lowercase, no final period */
};

/*
 * Parses the `len` bytes at `buf` as one TOML 1.0 document. `buf` need not
 * be NUL-terminated and is never read past `len`; a leading UTF-8 BOM is
 * skipped. CRLF line ends are accepted, and a CRLF inside a multi-line
 * string is read as "\n".
 *
 * On success returns 0 and stores in *out a new object that the caller
 * owns (release it with json_decref). On failure returns -1, sets *out to
 * NULL and, when `err` is not NULL, fills it in.
 */
int toml_parse(const char *buf, size_t len, unsigned flags, json_t **out,
	       struct toml_error *err);

#endif
