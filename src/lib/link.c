#include <string.h>
#include <strings.h>

#include "herald/link.h"
#include "herald/strbuf.h"
#include "herald/banned.h"

/* Where the host starts, after "http://" or "https://"; NULL for another scheme. */
static const char *after_scheme(const char *url)
{
	if (!strncasecmp(url, "http://", 7))
		return url + 7;
	if (!strncasecmp(url, "https://", 8))
		return url + 8;
	return NULL;
}

int link_is_http(const char *url)
{
	const char *host = url ? after_scheme(url) : NULL, *p;
	size_t n;

	if (!host)
		return 0;
	n = strcspn(host, "/?#");
	if (!n)
		return 0;
	for (p = host; p < host + n; p++) {
		unsigned char c = (unsigned char)*p;
		/* userinfo hides the real host: https://bank.example@evil.example */
		if (c == '@' || c <= ' ' || c == 0x7f || c >= 0x80 || c == '\\' ||
		    strchr("\"<>^`{|}", c))
			return 0;
	}
	/* a port alone is no host */
	return host[0] != ':';
}

char *link_clean(const char *url)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (!link_is_http(url))
		return NULL;
	for (p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c >= 0x7f || strchr("\"<>\\^`{|}", c)) {
			strbuf_addch(&sb, '%');
			strbuf_addch(&sb, hex[c >> 4]);
			strbuf_addch(&sb, hex[c & 15]);
		} else {
			strbuf_addch(&sb, (char)c);
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* Does `ref` start with a scheme ("x:" before any '/', '?' or '#')? */
static int has_scheme(const char *ref)
{
	size_t n = strcspn(ref, ":/?#");
	size_t i;

	if (!n || ref[n] != ':')
		return 0;
	for (i = 0; i < n; i++) {
		char c = ref[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (i && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))))
			return 0;
	}
	return 1;
}

char *link_resolve(const char *ref, const char *base_url, const char *page_url)
{
	struct strbuf sb = STRBUF_INIT;
	char *out;

	if (!ref)
		return NULL;
	while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r')
		ref++;
	if (!*ref)
		return NULL;
	if (after_scheme(ref))
		return link_clean(ref);
	if (has_scheme(ref))
		return NULL;
	if (ref[0] == '/' && ref[1] == '/') {
		strbuf_addstr(&sb, "https:");
		strbuf_addstr(&sb, ref);
	} else if (ref[0] == '/') {
		if (!link_is_http(base_url))
			return NULL;
		strbuf_addstr(&sb, base_url);
		while (sb.len && sb.buf[sb.len - 1] == '/')
			strbuf_setlen(&sb, sb.len - 1);
		strbuf_addstr(&sb, ref);
	} else {
		const char *base = link_is_http(page_url) ? page_url : base_url;
		const char *slash;
		if (!link_is_http(base))
			return NULL;
		while (ref[0] == '.' && ref[1] == '/')
			ref += 2;
		if (base == page_url) {
			/* the page's folder: up to its last '/' after the host */
			const char *host = after_scheme(base);
			slash = strrchr(host, '/');
			if (slash)
				strbuf_add(&sb, base, (size_t)(slash - base) + 1);
			else
				strbuf_addf(&sb, "%s/", base);
		} else {
			strbuf_addstr(&sb, base);
			while (sb.len && sb.buf[sb.len - 1] == '/')
				strbuf_setlen(&sb, sb.len - 1);
			strbuf_addch(&sb, '/');
		}
		strbuf_addstr(&sb, ref);
	}
	out = link_clean(sb.buf);
	strbuf_release(&sb);
	return out;
}
