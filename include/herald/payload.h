#ifndef HERALD_PAYLOAD_H
#define HERALD_PAYLOAD_H

#include <stddef.h>

#include <jansson.h>

struct render_source;

/*
 * The request for one delivery: what is sent to a target of a given kind.
 *
 * Chat kinds are rendered from a Mustache template (the target's own, or the
 * built-in "payload-KIND.json") over a context built here:
 *
 *   target, site, id (the delivery id), timestamp (RFC 3339 of `now`),
 *   batch (more than one event, or a digest), digest (a scheduled
 *   digest: payload_build_digest()), count (all events), shown (events in the
 *   context), more (count - shown), events (the shown ones, with first/last
 *   flags), event (the first), headline ("New post: TITLE", "3 new posts",
 *   "3 posts changed"), headline_slack (escaped for mrkdwn), headline_html,
 *   headline_teams.
 *
 * Mentions are defused with a zero-width space after the '@' (it shows the
 * same and notifies no one): Mattermost and Discord every '@' before a
 * non-space, wherever it stands ("x-@here", "_@all", ".@channel"), unless
 * a letter or digit comes before it (an e-mail address); Slack "@channel",
 * "@here", "@everyone", and its "<!…>" and "<@…>" cannot form because '<'
 * is escaped; Google Chat's "<users/all>" cannot form because every '<'
 * is followed by a zero-width space.
 *
 * Each event is a copy of the model event with fields computed for the
 * platforms' limits and dialects (a batch shows at most 10 events and
 * shares each platform's budget among them). The plain ones (type_label,
 * title_text, title_256, subtitle_text, image, image_html, link, url_html,
 * url_or_path, tags_text, meta_text, summary_text; headline and
 * headline_html on the context) are there for every kind; each dialect's
 * (title_slack, summary_discord, ...) only for the kind it belongs to,
 * made by that kind's file in src/deliver/kinds/ (see kind.h). Matrix
 * defuses "@room" and Telegram every "@name" in all of its fields, the
 * plain ones included.
 *
 *   type_label       "New post", "Newly published", "Updated", "Moved",
 *                    "Unpublished", "Deleted", "Scheduled", "Draft"
 *   title_text       the title (else slug, else path) on one line, at most
 *                    256 characters (100 in a batch); title_256 the same
 *   title_slack      escaped for mrkdwn (& < >, '|' as U+00A6), @channel,
 *                    @here and @everyone defused
 *   title_telegram, title_matrix   HTML-escaped
 *   title_markdown   backslash-escaped for Markdown, mentions defused
 *                    (Mattermost)
 *   title_discord    title_text with mentions defused
 *   title_teams      backslash-escaped for Adaptive Card Markdown, so
 *                    "**x**" and "[l](https://…)" show as written
 *   title_gchat      '<' defused so no <users/all> can form
 *   subtitle_text    the post's subtitle on one line, at most 200
 *                    characters (100 in a batch), or null; subtitle_slack,
 *                    subtitle_markdown, subtitle_html, subtitle_gchat and
 *                    subtitle_teams escaped as the titles are
 *   image            the post's picture, an absolute http(s) url (at most
 *                    2000 bytes), or null; image_html HTML-escaped
 *   meta_slack, meta_teams, tags_discord   meta_text and tags_text in
 *                    those dialects (meta_slack and alt_slack, the title
 *                    for Slack's plain_text, with '<' broken)
 *   summary_teams    summary_text escaped as title_teams
 *   link             the url when it is http(s), with the characters that
 *                    break links in chat markup percent-encoded, else null;
 *                    url_html and url_slack the same escaped, url_or_path
 *   tags_text        "#a #b", at most 200 characters (100 in a batch)
 *   meta_text        "New post · 30 March 2020 · #a #b"
 *   summary_text     plain text, at most 1000 characters
 *   summary_slack    mrkdwn, so "*<link|title>*\n" + summary fits in a
 *                    3000-character section
 *   summary_discord  the Markdown without raw HTML or unsafe links
 *                    (MARKDOWN_COMMONMARK) cut to fit 4096 and, with
 *                    title, author and footer, 6000 per message
 *   summary_telegram Telegram HTML, so the whole text fits in 4096
 *   summary_matrix   Matrix HTML, at most 4000 characters of text
 *   summary_mattermost  the same Markdown with mentions defused outside
 *                    link destinations (summary_discord too)
 *   summary_gchat    summary_text with '<' defused
 *   title_bluesky, summary_bluesky, link_bluesky   plain text sized so
 *                    "LABEL: TITLE", the summary and the link fit 300
 *                    graphemes (link_bluesky null when too long for it)
 *
 * Lengths count UTF-16 code units where the platform might (an emoji
 * counts two), so every limit holds whichever way a platform counts.
 * Templates JSON-escape these strings; dialect escaping is done here.
 */
struct payload {
	char *body;               /* the request body, owned */
	size_t len;
	const char *content_type; /* static string */
	const char *method;       /* "POST", or "PUT" for matrix */
	/*
	 * Appended to the target url, or NULL; owned. Matrix:
	 * "/send/m.room.message/<txn>", the txn being the delivery id
	 * percent-encoded, so a retry with the same id is not posted twice.
	 */
	char *url_suffix;
};

/* Frees what `p` owns and zeroes it; a zeroed payload is fine. */
void payload_release(struct payload *p);

/*
 * Is `kind` one herald knows (kinds[] of kind.h: slack discord mattermost
 * teams googlechat matrix telegram ntfy mastodon bluesky webhook)?
 */
int payload_kind_known(const char *kind);

/*
 * Builds the request for one delivery to a target of `kind`. `events` is an
 * array of model events (model_build()'s "events" items; one, or several
 * for a batch); `target` is {"name", "kind", plus kind options: "chat_id"
 * (telegram, required), "topic" (ntfy, required), "username" and
 * "icon_url" (slack, mattermost; username and avatar_url for discord)};
 * `site` is the model's site object; `id` the delivery id; `now` unix
 * seconds.
 *
 * `template` names the target's own template, looked up like any template
 * through `src` (so ".herald/templates/NAME" first; `src` NULL finds only
 * built-in templates), or is NULL for the built-in
 * "payload-KIND.json". Kind "webhook" without a template builds its own body
 * (src/deliver/kinds/webhook.c):
 * {"type":"post.<type>","timestamp":"<RFC 3339 now>","data":<the event>},
 * or for a batch {"type":"posts.batch","timestamp":…,"data":{"events":[…],
 * "count":N}}.
 *
 * The body is always valid JSON, written compactly with the template's key
 * order; a template whose output does not parse is an error.
 *
 * Returns 0 with `out` filled (the caller releases it), or -1 after error()
 * with `out` zeroed.
 */
int payload_build(const struct render_source *src, const char *kind,
		  const char *template, const json_t *target, const json_t *site,
		  const json_t *events, const char *id, long long now,
		  struct payload *out);

/*
 * A scheduled digest for a chat kind: the same template and context, with
 * `posts` (model events, newest first; zero or more) shown as a batch
 * whatever their number, `headline` ("This week on BLOG: 7 new posts")
 * as the context's headline (made one line, mentions defused, cut at 256
 * characters, then in the kind's dialect like any headline) and
 * `digest` true. Kinds that build their own body (webhook) have no digest
 * template here: their digests are built by digests.h. Returns as
 * payload_build() does.
 */
int payload_build_digest(const struct render_source *src, const char *kind,
			 const char *template, const json_t *target, const json_t *site,
			 const json_t *posts, const char *headline, const char *id,
			 long long now, struct payload *out);

#endif
