#ifndef HERALD_BANNED_H
#define HERALD_BANNED_H

/*
 * Functions that are easy to misuse: unbounded copies, hidden static state,
 * the process-wide time zone. Use strbuf, snprintf, strtok_r-free parsing and
 * gmtime_r/timegm instead. Included last by every file in src/.
 */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)

#endif
