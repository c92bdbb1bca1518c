/*
 * Mastodon's text rules as herald applies them: how a status is counted
 * (links 23, else code points), hashtags from tags, fitting a status to
 * an instance's limit (link and tags kept, never a link cut through), the
 * instance's limit and a status id read from answers, and the payload the
 * kind builds (visibility and language from the config only, mentions
 * defused).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/mastodon.h"
#include "herald/model.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "tap.h"

#define ZWSP "\xe2\x80\x8b"

static size_t count(const char *s)
{
	return mastodon_count(s, strlen(s));
}

static void counting(void)
{
	ok(count("") == 0 && count("abc") == 3, "plain ASCII counts its characters");
	ok(count("\xc3\xa9t\xc3\xa9") == 3, "\"été\" is three characters, not five bytes");
	ok(count("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd") == 2,
	   "an emoji with a skin tone is two code points (Mastodon counts no more)");
	ok(count("https://example.com/a/very/long/path/that/goes/on/and/on") == 23,
	   "a long link counts 23");
	ok(count("https://a.co") == 23, "a short link counts 23 as well");
	ok(count("see https://example.com/x.") == 4 + 23 + 1,
	   "a full stop after a link is not the link's");
	ok(count("(https://example.com/x)") == 25 && count("https://en.example.org/wiki/A_(b)") == 23,
	   "an unbalanced ')' ends a link, a balanced one is in it");
	ok(count("xhttps://example.com/abc") == 24, "a link right after a letter is no link");
	ok(count("http://127.0.0.1:8080/abc") == 25, "an address without a top-level domain is counted as written");
	ok(count("HTTPS://EXAMPLE.COM/ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 23, "the scheme in capitals is a link too");
	ok(count("https://a.b\xe2\x80\xa6") == 12 && count("https://a.\xd1\x80\xd1\x84/x/y/z") == 23,
	   "a top-level domain is two letters or more, in any script");
	ok(count("https://example.com/a\xe2\x80\x8bzzz") == 23 + 1 + 3,
	   "a zero-width space ends a link");
	ok(mastodon_link_at("a https://example.com b", 23, 2) == 19 &&
	   mastodon_link_at("a https://example.com b", 23, 0) == 0,
	   "mastodon_link_at gives the link's length where one starts");
}

static void defused_is(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	mastodon_defuse(&sb, in, strlen(in));
	if (!ok(!strcmp(sb.buf, want), "defused: '%s'", in))
		diag("got '%s'", sb.buf);
	strbuf_release(&sb);
}

static void mentions(void)
{
	defused_is("@alice", "@" ZWSP "alice");
	defused_is("hi @alice@example.social!", "hi @" ZWSP "alice@example.social!");
	defused_is("(@Bob_1) and @@carol", "(@" ZWSP "Bob_1) and @@" ZWSP "carol");
	defused_is("@_x", "@" ZWSP "_x");
	defused_is("mail@example.com", "mail@example.com");
	defused_is("\xc3\xa9@alice", "\xc3\xa9@alice");
	defused_is("and/@alice", "and/@alice");
	defused_is("@ alice, @.x, @", "@ alice, @.x, @");
	defused_is("see https://mastodon.social/@alice now", "see https://mastodon.social/@alice now");
	defused_is("@" ZWSP "alice", "@" ZWSP "alice");
}

static void hashtag_is(const char *tag, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = mastodon_hashtag(&sb, tag);

	if (!ok(want ? rc == 1 && !strcmp(sb.buf, want) : rc == 0 && !sb.len,
		"tag '%s' is %s", tag, want ? want : "no hashtag"))
		diag("got '%s' (%d)", sb.buf, rc);
	strbuf_release(&sb);
}

static void hashtags(void)
{
	hashtag_is("rust", "#rust");
	hashtag_is("static sites", "#StaticSites");
	hashtag_is("static-site generators", "#StaticSiteGenerators");
	hashtag_is("snake_case", "#snake_case");
	hashtag_is("C++", "#C");
	hashtag_is("2024", NULL);
	hashtag_is("!!!", NULL);
	hashtag_is("web 2.0", "#Web20");
	hashtag_is("\xc3\xa9t\xc3\xa9 \xc3\xa0 paris", "#\xc3\x89t\xc3\xa9\xc3\x80Paris");
	hashtag_is("\xe6\x97\xa5\xe6\x9c\xac", "#\xe6\x97\xa5\xe6\x9c\xac");
	hashtag_is("a\x80" "b", "#AB");
}

/* Fits `in` to `limit`; the result, or NULL when it cannot. */
static char *fit(const char *in, size_t limit, int *rc)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, in);
	*rc = mastodon_fit(&sb, limit);
	if (*rc < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static void fitting(void)
{
	static const char text[] =
		"New post: A title that is long enough\n\n"
		"The summary says a great deal about the post, in many words.\n\n"
		"https://blog.example.com/2020/03/01/a-title-that-is-long-enough/\n\n"
		"#StaticSites #rust";
	size_t n = count(text), i;
	char *got;
	int rc, all = 1;

	ok(n == 37 + 2 + 60 + 2 + 23 + 2 + 18, "the example counts %zu", n);
	got = fit(text, n, &rc);
	ok(rc == 0 && got && !strcmp(got, text), "a text of exactly the limit is left alone");
	free(got);

	got = fit(text, n - 1, &rc);
	ok(rc == 1 && got && count(got) <= n - 1, "one over: cut within the limit (%zu)",
	   got ? count(got) : 0);
	ok(got && strstr(got, "\n\nhttps://blog.example.com/2020/03/01/a-title-that-is-long-enough/\n\n#StaticSites #rust") &&
	   strstr(got, "in many\xe2\x80\xa6\n\nhttps://"),
	   "the link and the tags stay; the summary ends at a word, with an ellipsis");
	if (got)
		diag("%s", got);
	free(got);

	got = fit(text, 23 + 2 + 2 + 3, &rc);
	ok(rc == 1 && got && count(got) <= 30 && strstr(got, "https://blog.example.com/") &&
	   !strchr(got, '#'),
	   "little room: the hashtags go before the link does");
	free(got);

	for (i = 1; i <= n; i++) {
		got = fit(text, i, &rc);
		if (got && (count(got) > i ||
			    (strstr(got, "https://") && !strstr(got, "https://blog.example.com/2020/03/01/a-title-that-is-long-enough/"))))
			all = 0;
		if (!got && rc != -1)
			all = 0;
		free(got);
	}
	ok(all, "at every limit from 1 to %zu the text fits and its link is whole or gone", n);

	got = fit("New posts\n\nOne\nhttps://blog.example.com/one/\n\nTwo\nhttps://blog.example.com/two/", 40, &rc);
	ok(rc == 1 && got && count(got) <= 40 && !strstr(got, "https://blog.example.com/t") &&
	   strstr(got, "https://blog.example.com/one/ \xe2\x80\xa6"),
	   "a batch is cut at its end, before a link rather than through it, and a space "
	   "keeps the ellipsis out of the link before it");
	if (got)
		diag("%s", got);
	free(got);

	for (all = 1, i = 1; i <= 40; i++) {
		got = fit("https://ab.cd12345678901234567890 more words", i, &rc);
		if (got ? count(got) > i : rc != -1)
			all = 0;
		free(got);
	}
	ok(all, "a cut that makes a link of what was none is counted again and cut shorter");

	got = fit("A title of some length\n\n\nhttps://blog.example.com/a/\n\n#Tag", 35, &rc);
	ok(rc == 1 && got && count(got) <= 35 && strstr(got, "https://blog.example.com/a/"),
	   "three newlines before the link (found by fuzzing): the tail is still found");
	free(got);

	got = fit("abc", 0, &rc);
	ok(!got && rc == -1, "nothing fits in 0");
}

static void answers(void)
{
	static const char instance[] =
		"{\"domain\":\"m.test\",\"configuration\":{\"statuses\":{\"max_characters\":5000,"
		"\"characters_reserved_per_url\":23}}}";
	struct strbuf sb = STRBUF_INIT;
	size_t limit = 0;

	ok(!mastodon_parse_limit(instance, strlen(instance), &limit) && limit == 5000,
	   "the instance's max_characters is read");
	ok(mastodon_parse_limit("{\"configuration\":{}}", 20, &limit) < 0 &&
	   mastodon_parse_limit("{\"configuration\":{\"statuses\":{\"max_characters\":0}}}", 52, &limit) < 0 &&
	   mastodon_parse_limit("<html>", 6, &limit) < 0,
	   "an answer without a limit, with a silly one, or not JSON gives none");
	ok(!mastodon_status_id("{\"id\":\"109000000000000001\",\"content\":\"x\"}", 41, &sb) &&
	   !strcmp(sb.buf, "109000000000000001"), "the status id is read from the answer");
	strbuf_reset(&sb);
	ok(mastodon_status_id("{\"id\":\"../x\"}", 13, &sb) < 0 && mastodon_status_id("{}", 2, &sb) < 0,
	   "an id that is not letters and digits is none");
	strbuf_release(&sb);
}

static char dir[] = "/tmp/herald-mastodon-XXXXXX";

/* The body built for one post with `title` and tags, to a target with `vis` and `lang`. */
static json_t *body_for(const char *title, const char *template, const char *vis,
			const char *lang)
{
	json_t *doc = json_pack("{s:{s:s, s:s}, s:[{s:s, s:s, s:s, s:s, s:s, s:[s,s,s], s:s, s:{}}]}",
				"site", "title", "Blog", "base_url", "https://blog.example.com",
				"events", "type", "new", "path", "_posts/2020-01-01-x.md",
				"url", "https://blog.example.com/x/", "title", title,
				"date", "2020-01-01T00:00:00Z", "tags", "static sites", "rust", "2024",
				"summary_markdown", "Some *text* for @carol.", "front_matter");
	json_t *m = model_build(doc, NULL), *target = json_pack("{s:s, s:s}", "name", "t", "kind", "mastodon");
	struct render_source src;
	struct payload p;
	json_t *body = NULL;

	if (vis)
		json_object_set_new(target, "visibility", json_string(vis));
	if (lang)
		json_object_set_new(target, "language", json_string(lang));
	memset(&src, 0, sizeof(src));
	src.dir = dir;
	if (!payload_build(&src, "mastodon", template, target, NULL, json_object_get(m, "events"),
			   "msg_1", 0, &p)) {
		body = json_loadb(p.body, p.len, 0, NULL);
		payload_release(&p);
	}
	json_decref(target);
	json_decref(m);
	json_decref(doc);
	return body;
}

static void payloads(void)
{
	json_t *b = body_for("Hello @alice@example.social", NULL, "unlisted", "de");
	const char *status = b ? json_string_value(json_object_get(b, "status")) : NULL;
	char *path;
	FILE *f;

	ok(status && !strcmp(status, "New post: Hello @" ZWSP "alice@example.social\n\n"
					"Some text for @" ZWSP "carol.\n\n"
					"https://blog.example.com/x/\n\n#StaticSites #rust"),
	   "the status: headline, summary, link, hashtags; mentions defused");
	if (status)
		diag("%s", status);
	ok(b && !strcmp(json_string_value(json_object_get(b, "visibility")), "unlisted") &&
	   !strcmp(json_string_value(json_object_get(b, "language")), "de") && json_object_size(b) == 3,
	   "visibility and language come from the config");
	json_decref(b);

	b = body_for("Hello", NULL, NULL, NULL);
	ok(b && !strcmp(json_string_value(json_object_get(b, "visibility")), "public") &&
	   !json_object_get(b, "language"), "public and no language by default");
	json_decref(b);

	/* an admin's template that tries to choose the audience */
	path = xstrfmt("%s/own.json", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("{\"status\": \"{{headline}}\", \"visibility\": \"direct\", \"language\": \"fr\","
		      " \"in_reply_to_id\": \"1\", \"spoiler_text\": \"cw\", \"poll\": {}}", f);
		fclose(f);
	}
	b = body_for("Hello", "own.json", "private", NULL);
	ok(b && !strcmp(json_string_value(json_object_get(b, "visibility")), "private") &&
	   !json_object_get(b, "language") && !json_object_get(b, "in_reply_to_id") &&
	   !json_object_get(b, "poll") && json_object_get(b, "spoiler_text"),
	   "a template keeps its text and content warning; visibility, language and the rest are the config's");
	json_decref(b);
	f = fopen(path, "w");
	if (f) {
		fputs("{\"status\": \"{{event.title}} {{event.summary_markdown}}\"}", f);
		fclose(f);
	}
	b = body_for("Hi @alice", "own.json", NULL, NULL);
	status = b ? json_string_value(json_object_get(b, "status")) : NULL;
	ok(status && !strcmp(status, "Hi @" ZWSP "alice Some *text* for @" ZWSP "carol."),
	   "a template of raw fields notifies no one either: the status is defused as sent");
	json_decref(b);
	f = fopen(path, "w");
	if (f) {
		fputs("{\"text\": \"{{headline}}\"}", f);
		fclose(f);
	}
	b = body_for("Hello", "own.json", NULL, NULL);
	ok(!b, "a template without a status text is an error");
	json_decref(b);
	unlink(path);
	free(path);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	counting();
	mentions();
	hashtags();
	fitting();
	answers();
	payloads();
	rmdir(dir);
	return done_testing();
}
