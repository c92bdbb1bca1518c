#ifndef HERALD_MODEL_H
#define HERALD_MODEL_H

#include <jansson.h>

struct site;

/*
 * The model every template renders: the `scan --json` document plus what
 * templates cannot compute themselves —
 *   site     {title, base_url}
 *   range    {from, to, from_short, to_short}
 *   counts   {new, undrafted, …, total}
 *   one list per event type (`new`, `undrafted`, …) so templates group
 *   without logic, and `posts` (new and undrafted, newest first);
 * feed_id (permanent) and feed_updated (the newest post's date) for feeds;
 * and on each event: summary_html, summary_text, summary_md (Markdown
 * without raw HTML), tags_json (a JSON array
 * as text, for .json templates), tags_text, changed_fields, date_display
 * ("30 March 2020"), uid (its url, else a urn made from its path),
 * modified (lastmod, updated or last_modified_at, when the post gives one),
 * updated_date (modified, else the date, else the commit's date), and
 * `first`/`last` flags within each list.
 */

/*
 * Builds the model from a scan document (which is only read). `site` may be
 * NULL (a saved document rendered without a repository): then `doc.site` is
 * kept if present. Returns a new reference.
 */
json_t *model_build(const json_t *doc, const struct site *site);

/* The same for events read here; its `events` are in the list's order. */
struct event_list;
json_t *model_build_events(const struct event_list *l, const struct site *site);

/*
 * The picture a model event's front matter names, as written there (a url
 * or a path), from the first of the site's image fields that gives one
 * (a string, a list's first, or a mapping's url, path or src), or NULL.
 * Owned by `ev`.
 */
const char *model_image_ref(const json_t *ev, const struct site *site);

#endif
