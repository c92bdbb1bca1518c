/*
 * Unit tests: event classification, row by row of the event table in
 * ARCHITECTURE.md §3, and the one table of type names.
 */
#include <stdlib.h>
#include <string.h>

#include "herald/changes.h"
#include "herald/event.h"
#include "herald/post.h"
#include "herald/site.h"
#include "herald/strbuf.h"
#include "tap.h"

/* Sets of post states, so a row of the contract reads as it is written. */
#define ABS (1u << POST_ABSENT)
#define DRA (1u << POST_DRAFT)
#define SCH (1u << POST_SCHEDULED)
#define PUB (1u << POST_PUBLISHED)
#define INV (1u << POST_INVALID)
#define ANY_STATE (ABS | DRA | SCH | PUB | INV)

/* Which (same path, content changed) cases a row covers. */
#define SAME_CHANGED (1u << 0)
#define SAME_UNCHANGED (1u << 1)
#define OTHER_CHANGED (1u << 2)
#define OTHER_UNCHANGED (1u << 3)
#define SAME (SAME_CHANGED | SAME_UNCHANGED)
#define OTHER (OTHER_CHANGED | OTHER_UNCHANGED)
#define ANY_PATH (SAME | OTHER)

/*
 * The event table, transcribed: an invalid before-state counts as absent
 * and an invalid after-state gives no event, so INV sits beside ABS on the
 * left and alone (giving none) on the right. Every combination of states
 * and paths must fall under exactly one row: checked below.
 */
static const struct row {
	const char *contract; /* the row as ARCHITECTURE.md words it */
	unsigned before, after, paths;
	enum event_type want;
} rows[] = {
	{ "absent or scheduled -> published", ABS | INV | SCH, PUB, ANY_PATH, EVENT_NEW },
	{ "draft -> published", DRA, PUB, ANY_PATH, EVENT_UNDRAFTED },
	{ "published -> published, other path", PUB, PUB, OTHER, EVENT_MOVED },
	{ "published -> published, same path, values or body differ", PUB, PUB,
	  SAME_CHANGED, EVENT_UPDATED },
	{ "published -> published, same path, nothing differs", PUB, PUB,
	  SAME_UNCHANGED, EVENT_NONE },
	{ "published -> draft or scheduled", PUB, DRA | SCH, ANY_PATH, EVENT_UNPUBLISHED },
	{ "published -> absent", PUB, ABS, ANY_PATH, EVENT_DELETED },
	{ "absent or draft -> scheduled", ABS | INV | DRA, SCH, ANY_PATH, EVENT_SCHEDULED },
	{ "other change among absent/draft/scheduled: to draft", ABS | INV | SCH, DRA,
	  ANY_PATH, EVENT_DRAFT },
	{ "other change among absent/draft/scheduled: draft edited or moved", DRA, DRA,
	  SAME_CHANGED | OTHER, EVENT_DRAFT },
	{ "draft -> draft, nothing differs", DRA, DRA, SAME_UNCHANGED, EVENT_NONE },
	{ "other change among absent/draft/scheduled: draft or scheduled gone",
	  DRA | SCH, ABS, ANY_PATH, EVENT_DRAFT },
	{ "other change among absent/draft/scheduled: scheduled moved or edited", SCH, SCH,
	  SAME_CHANGED | OTHER, EVENT_DRAFT },
	{ "scheduled -> scheduled, nothing differs", SCH, SCH, SAME_UNCHANGED, EVENT_NONE },
	{ "absent -> absent", ABS | INV, ABS, ANY_PATH, EVENT_NONE },
	{ "an invalid after-state produces no event", ANY_STATE, INV, ANY_PATH, EVENT_NONE },
};

static void path_case(unsigned bit, int *same, int *changed)
{
	*same = bit == SAME_CHANGED || bit == SAME_UNCHANGED;
	*changed = bit == SAME_CHANGED || bit == OTHER_CHANGED;
}

static const char *path_name(unsigned bit)
{
	switch (bit) {
	case SAME_CHANGED: return "same path, changed";
	case SAME_UNCHANGED: return "same path, unchanged";
	case OTHER_CHANGED: return "other path, changed";
	default: return "other path, unchanged";
	}
}

/* The row that covers a combination, or NULL; *hits counts how many do. */
static const struct row *row_for(enum post_state b, enum post_state a, unsigned path,
				 int *hits)
{
	const struct row *found = NULL;
	size_t i;

	*hits = 0;
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		if ((r->before & (1u << b)) && (r->after & (1u << a)) && (r->paths & path)) {
			++*hits;
			found = r;
		}
	}
	return found;
}

static void test_every_row(void)
{
	int b, a, failed = 0, combos = 0;
	unsigned path;

	for (b = POST_ABSENT; b <= POST_INVALID; b++)
		for (a = POST_ABSENT; a <= POST_INVALID; a++)
			for (path = SAME_CHANGED; path <= OTHER_UNCHANGED; path <<= 1) {
				const struct row *r;
				enum event_type got;
				int same, changed, hits;

				path_case(path, &same, &changed);
				r = row_for(b, a, path, &hits);
				combos++;
				if (hits != 1) {
					failed++;
					ok(0, "%s -> %s (%s): %d rows of the table apply",
					   post_state_name(b), post_state_name(a),
					   path_name(path), hits);
					continue;
				}
				got = event_classify(b, a, same, changed);
				if (got != r->want) {
					failed++;
					ok(0, "%s -> %s (%s) is '%s' (%s), not '%s'",
					   post_state_name(b), post_state_name(a),
					   path_name(path), event_type_name(r->want),
					   r->contract, event_type_name(got));
				}
			}
	ok(!failed && combos == 5 * 5 * 4,
	   "all %d (before, after, path) combinations classify as the table says", combos);
}

/* One named check per row, so a broken row names itself. */
static void test_rows(const struct row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int b, a, bad = 0, tried = 0;
		unsigned path;

		for (b = POST_ABSENT; b <= POST_INVALID; b++)
			for (a = POST_ABSENT; a <= POST_INVALID; a++)
				for (path = SAME_CHANGED; path <= OTHER_UNCHANGED; path <<= 1) {
					int same, changed;
					if (!(v[i].before & (1u << b)) || !(v[i].after & (1u << a)) ||
					    !(v[i].paths & path))
						continue;
					path_case(path, &same, &changed);
					tried++;
					bad += event_classify(b, a, same, changed) != v[i].want;
				}
		ok(tried && !bad, "%s: %s (%d cases)", v[i].contract,
		   v[i].want == EVENT_NONE ? "no event" : event_type_name(v[i].want), tried);
	}
}

static void test_names(void)
{
	static const char *const contract[] = {
		"new", "undrafted", "moved", "updated", "unpublished", "deleted",
		"scheduled", "draft",
	};
	int t, bad = 0;

	ok(EVENT_TYPES == (int)ARRAY_SIZE(contract), "%d event types", EVENT_TYPES);
	/* the enum's order is the contract's: events are listed in it */
	for (t = 0; t < EVENT_TYPES; t++) {
		const char *name = event_type_name((enum event_type)t);
		if (strcmp(name, contract[t]) || event_type_parse(name) != t)
			bad++;
	}
	ok(!bad, "names and types map both ways, in the contract's order");
	ok(event_type_parse("none") == -1, "'none' is no type a target can ask for");
	ok(event_type_parse("New") == -1 && event_type_parse("") == -1 &&
	   event_type_parse("post.new") == -1, "unknown names are refused");
}

/*
 * An event made from a post keeps nothing of the post, and leaves the
 * program as the contract's object: keys sorted at every depth (webhook
 * bodies print it without sorting), the commit last.
 */
static void test_json(void)
{
	static const char src[] =
		"---\ntitle: Hello\nzeta: 1\nalpha: {b: 2, a: [3, {d: 4, c: 5}]}\n"
		"tags: [x, y]\ndate: 2020-03-30\n---\nFirst paragraph.\n";
	static const char odd[] =
		"---\ntitle: \"q\\\" b\\\\ {[,:]} \\t\\u0001\\u001f\\u007f \\u00e9 \\U0001F600\"\n"
		"empty: {}\nnone: []\nnested: {a: [{}, [], {b: [[]]}], c: {d: {}}}\n"
		"num: [-1, 1.5, 1e300, 0.1, null, true, false]\n\"k:{,}\": \"v\"\n"
		"tags: \"a, \\\"b\\\\\"\nurl: \"x\"\n---\n\"Quoted\" body \\ here.\n";
	char author[] = "A \"q\" \x02", email[] = "a@x", subject[] = "s\\ \t";
	struct event_commit commit = {
		"0123456789abcdef0123456789abcdef01234567", author, email, subject, 1700000000,
	};
	const char *path = "_posts/2020-03-30-hello.md";
	struct event_list l;
	struct event *e;
	struct post p;
	struct site s;
	json_t *j, *doc;
	char *text, *streamed = NULL, *whole;
	size_t len = 0;
	FILE *f;

	site_init(&s);
	post_init(&p);
	post_read(&p, &s, path, src, strlen(src), 1700000000, 0);
	event_list_init(&l);
	strcpy(l.to, "0123456789abcdef0123456789abcdef01234567");
	l.now = 1700000000;
	e = event_list_add(&l, EVENT_NEW, &p, path, NULL, p.state);
	e = event_list_add(&l, EVENT_MOVED, &p, "_posts/\xff.md", path, p.state);
	e->changes = json_pack("[{s:i, s:n, s:s}]", "after", 1, "before", "field", "zeta");
	e->body_changed = true;
	post_release(&p);
	/* what the streamed document must print as jansson does */
	post_init(&p);
	post_read(&p, &s, "_posts/odd.md", odd, strlen(odd), 1700000000, 0);
	e = event_list_add(&l, EVENT_UPDATED, &p, "_posts/odd\"\\\x01\x1f\x7f.md", NULL,
			   p.state);
	e->changes = json_pack("[{s:{s:[], s:{}}, s:[i, f, s], s:s}]", "after", "e", "o",
			       "before", -2, 0.5, "a\tb", "field", "x");
	e->commit = &commit;
	post_release(&p);
	site_release(&s);

	j = event_to_json(&l.v[0], false);
	text = json_dumps(j, JSON_COMPACT);
	is_str(text,
	       "{\"date\":\"2020-03-30T00:00:00Z\",\"from_path\":null,"
	       "\"front_matter\":{\"alpha\":{\"a\":[3,{\"c\":5,\"d\":4}],\"b\":2},"
	       "\"date\":\"2020-03-30\",\"tags\":[\"x\",\"y\"],\"title\":\"Hello\",\"zeta\":1},"
	       "\"path\":\"_posts/2020-03-30-hello.md\",\"slug\":\"hello\",\"state\":\"published\","
	       "\"summary\":\"First paragraph.\",\"summary_markdown\":\"First paragraph.\","
	       "\"tags\":[\"x\",\"y\"],\"title\":\"Hello\",\"type\":\"new\",\"url\":null}",
	       "a new event: every key of the contract, sorted at every depth");
	free(text);
	json_decref(j);

	j = event_to_json(&l.v[1], true);
	text = json_dumps(j, JSON_COMPACT);
	ok(text && !strncmp(text, "{\"body_changed\":true,\"changes\":[{\"after\":1,\"before\":null,"
				   "\"field\":\"zeta\"}],", 70),
	   "a moved event starts with body_changed and changes");
	ok(text && strstr(text, "\"path\":\"_posts/\xef\xbf\xbd.md\"") &&
	   strstr(text, "\"from_path\":\"_posts/2020-03-30-hello.md\""),
	   "paths are valid UTF-8, the earlier one in from_path");
	ok(text && strlen(text) > 15 && !strcmp(text + strlen(text) - 15, ",\"commit\":null}"),
	   "a commit that could not be read is null, and last");
	free(text);
	json_decref(j);

	ok(l.v[2].front_matter &&
	   strstr(l.v[2].front_matter, "\"nested\":{\"a\":[{},[],{\"b\":[[]]}]") &&
	   strstr(l.v[2].front_matter, "\\u0001\\u001F") && strstr(l.v[2].tags, "\\\"b\\\\"),
	   "the odd post's front matter and tags: empty values, escapes");
	/* the streamed document is the document, byte for byte */
	doc = event_list_document(&l);
	whole = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
	f = open_memstream(&streamed, &len);
	ok(f && !event_list_write_document(&l, f), "document written");
	if (f)
		fclose(f);
	ok(whole && streamed && !strncmp(streamed, whole, strlen(whole)) &&
	   !strcmp(streamed + strlen(whole), "\n"),
	   "written one event at a time, it is what json_dumps prints");
	free(whole);
	free(streamed);
	json_decref(doc);
	event_list_release(&l);
	ok(!l.nr && !l.v, "released");
}

int main(void)
{
	test_rows(rows, ARRAY_SIZE(rows));
	test_every_row();
	test_names();
	test_json();
	return done_testing();
}
