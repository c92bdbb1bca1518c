#ifndef HERALD_MODEL_H
#define HERALD_MODEL_H

#include <jansson.h>

#include "herald/event.h"
#include "herald/template.h"

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
json_t *model_build_events(const struct event_list *l, const struct site *site);

/*
 * Only what an announcement reads of that model: `events` (each as
 * model_build_events() gives it, flags and all) and `site`.
 */
json_t *model_events(const struct event_list *l, const struct site *site);

/*
 * The picture a model event's front matter names, as written there (a url
 * or a path), from the first of the site's image fields that gives one
 * (a string, a list's first, or a mapping's url, path or src), or NULL.
 * Owned by `ev`.
 */
const char *model_image_ref(const json_t *ev, const struct site *site);

/*
 * The same model with its event lists (`events`, one per type, `posts`)
 * left lazy: each event's object (and its rendered summaries) is made when
 * a template reaches it and dropped after, so a digest of a whole history
 * never holds them all (template_list). Render `root` with `lists`
 * (render_source). `limit` > 0 keeps the first `limit` posts (the last of
 * them flagged `last`), as `--limit` does. `l` and `site` must outlive the
 * model; close it with model_close().
 */
#define MODEL_LISTS (EVENT_TYPES + 2)
struct model;
struct markdown_doc;
struct model_list {
	const struct model *model;
	size_t *index;	/* into the event list, in the list's order */
	size_t nr_all;	/* before the limit */
	size_t nr;
	struct markdown_doc *doc; /* element doc_i's summary, parsed once for its forms */
	size_t doc_i;
};
struct model {
	json_t *root;
	struct template_list lists[MODEL_LISTS];
	size_t nr_lists;
	/* model.c's own */
	const char *names[MODEL_LISTS];
	struct model_list parts[MODEL_LISTS];
	const struct event_list *events;
	const struct site *site;
	const char *base_url;
};
void model_open(struct model *m, const struct event_list *l, const struct site *site,
		long limit);
/* The model made whole, as model_build_events() (and a limit) gives it; a new reference. */
json_t *model_whole(const struct model *m);
void model_close(struct model *m);

#endif
