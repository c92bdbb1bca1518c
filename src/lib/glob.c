#include <string.h>

#include "herald/glob.h"
#include "herald/banned.h"

/* Matches a class at p against c; returns the end of the class or NULL. */
static const char *match_class(const char *p, char c, int *matched)
{
	int negate = 0, ok = 0;

	p++; /* '[' */
	if (*p == '!' || *p == '^')
		negate = 1, p++;
	if (*p == ']') {
		ok |= c == ']';
		p++;
	}
	while (*p && *p != ']') {
		char lo = *p, hi = *p;
		if (lo == '\\' && p[1])
			lo = hi = *++p;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 2;
		}
		if (c >= lo && c <= hi)
			ok = 1;
		p++;
	}
	if (*p != ']')
		return NULL;
	*matched = (ok != negate) && c != '/';
	return p + 1;
}

static int match(const char *pat, const char *p, const char *s)
{
	for (; *p; p++, s++) {
		switch (*p) {
		case '*':
			if (p[1] == '*' && (p == pat || p[-1] == '/') &&
			    (p[2] == '/' || !p[2])) {
				/* a whole-component double star */
				const char *q = p + 2;
				if (!*q)
					return 1;
				q++;
				for (;;) {
					if (match(pat, q, s))
						return 1;
					s = strchr(s, '/');
					if (!s)
						return 0;
					s++;
				}
			}
			while (p[1] == '*')
				p++;
			for (;;) {
				if (match(pat, p + 1, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
				s++;
			}
		case '?':
			if (!*s || *s == '/')
				return 0;
			break;
		case '[': {
			int ok = 0;
			const char *e;
			if (!*s)
				return 0;
			e = match_class(p, *s, &ok);
			if (!e) {
				if (*s != '[')
					return 0;
				break;
			}
			if (!ok)
				return 0;
			p = e - 1;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*s != *p)
				return 0;
		}
	}
	return !*s;
}

int glob_match(const char *pattern, const char *path)
{
	return match(pattern, pattern, path);
}
