#ifndef HERALD_LINK_H
#define HERALD_LINK_H

/*
 * The one rule for every url herald emits (HTML, Atom, JSON Feed,
 * Markdown, every payload): an absolute http or https url with a host and
 * no user name or password, with what may not stand in a url as it is
 * percent-encoded, or nothing at all. A url comes from pushed content (a
 * post, `.herald.yml`, a site config), so `javascript:`, `data:`, a
 * relative path or `https://trusted@evil` never reach an output.
 */

/* Is `url` absolute http(s) with a host and no userinfo? NULL is not. */
int link_is_http(const char *url);

/*
 * `url` as herald emits it, or NULL when link_is_http() refuses it: spaces,
 * control characters, quotes, < > \ ^ ` { | } and the bytes of non-ASCII
 * characters after the host are percent-encoded (a non-ASCII host is
 * refused: it would need punycode); '%' is kept, so an encoded url stays
 * as it is. Caller frees.
 */
char *link_clean(const char *url);

/*
 * An image or link reference from a post resolved the way the site serves
 * it, then cleaned as link_clean() does; NULL when it cannot be made
 * absolute http(s). `ref` may be absolute ("https://…"), protocol-relative
 * ("//cdn…", taken as https), site-absolute ("/img/a.png": below
 * `base_url`, the site's url with its path and without a final '/') or
 * relative ("a.png"): below `page_url` when the post is a page bundle
 * (`page_url` is the post's own url), else below `base_url`. Any other
 * scheme is refused. `base_url` and `page_url` may be NULL. Caller frees.
 */
char *link_resolve(const char *ref, const char *base_url, const char *page_url);

#endif
