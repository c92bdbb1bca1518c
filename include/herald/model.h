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
 * and on each event: summary_html, summary_text, tags_json (a JSON array
 * as text, for .json templates), date_display ("30 March 2020"), and
 * `first`/`last` flags within each list.
 */

/*
 * Builds the model from a scan document (which is only read). `site` may be
 * NULL (a saved document rendered without a repository): then `doc.site` is
 * kept if present. Returns a new reference.
 */
json_t *model_build(const json_t *doc, const struct site *site);

#endif
