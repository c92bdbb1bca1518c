#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/kind.h"
#include "herald/ledger.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "tap.h"

/*
 * What `follow = edit retract` keeps and makes: the ledger's announcement,
 * remote and retracted lines (written, read back, cut short), and each
 * kind's remote id and follow-up, including answers from a hostile
 * receiver whose "id" would walk the url.
 */

static char scratch[] = "/tmp/herald-follow-XXXXXX";

static int announced(struct ledger *l, const char *target, const char *post,
		     const char *event, const char *id, const char *remote)
{
	struct ledger_announcement a;

	if (!ledger_announcement(l, target, post, &a))
		return !event;
	if (!event)
		return 0;
	return !strcmp(a.event, event) && (id ? a.id && !strcmp(a.id, id) : !a.id) &&
	       (remote ? a.remote && !strcmp(a.remote, remote) : !a.remote);
}

static void test_ledger(void)
{
	struct ledger *l = ledger_open(scratch);
	char *path = xstrfmt("%s/ledger", scratch);
	FILE *f;

	ok(l && announced(l, "t", "p.md", NULL, NULL, NULL), "an empty ledger has no announcement");
	ledger_stage(l, "t", "new", "p.md", "msg_a", 1);
	ok(announced(l, "t", "p.md", NULL, NULL, NULL), "a staged line is not there before the flush");
	ok(ledger_flush(l) == 0 && announced(l, "t", "p.md", "new", "msg_a", NULL),
	   "flushed: announced as new with its delivery id, no remote id yet");
	ok(ledger_add(l, "t", "remote", "p.md", "1234", 2) == 0 &&
	   announced(l, "t", "p.md", "new", "msg_a", "1234"), "a remote line gives the message id");
	ok(announced(l, "u", "p.md", NULL, NULL, NULL), "another target has nothing");
	ledger_stage(l, "t", "retracted", "p.md", "msg_r", 3);
	ledger_stage(l, "t", "undrafted", "q.md", "msg_q", 3);
	ok(ledger_flush(l) == 0 && !ledger_has(l, "t", "p.md") &&
	   announced(l, "t", "q.md", "undrafted", "msg_q", NULL),
	   "retracted: no longer announced (it may be again); lines apply in order");
	ledger_close(l);

	l = ledger_open(scratch);
	ok(l && !ledger_has(l, "t", "p.md") && announced(l, "t", "q.md", "undrafted", "msg_q", NULL),
	   "read back from the file: the same");
	ledger_close(l);

	/* a crash cut the last lines short */
	f = fopen(path, "a");
	fputs("t\tnew\tp.md\tmsg_b\t4\nt\tremote\tp.md\t99", f);
	fclose(f);
	l = ledger_open(scratch);
	ok(l && announced(l, "t", "p.md", "new", "msg_b", NULL),
	   "a remote line cut short is not a message id");
	ledger_close(l);
	f = fopen(path, "a");
	fputs("\nt\tretracted\tp.md\tmsg_", f);
	fclose(f);
	l = ledger_open(scratch);
	ok(l && announced(l, "t", "p.md", "new", "msg_b", NULL),
	   "a retraction cut short takes nothing back");
	ledger_close(l);
	f = fopen(path, "a");
	fputs("\nt\tnew\tr.md\tmsg_", f);
	fclose(f);
	l = ledger_open(scratch);
	ok(l && ledger_has(l, "t", "r.md") && announced(l, "t", "r.md", "", NULL, NULL),
	   "an announcement cut short in its id counts as sent, with no id to follow");
	ledger_close(l);
	free(path);
}

/* The kind's remote id of `answer`, or "(none)". */
static const char *rid(const char *kind, const char *answer)
{
	static struct strbuf sb = STRBUF_INIT;
	const struct kind *k = kind_find(kind);

	strbuf_reset(&sb);
	if (k->remote_id(answer, strlen(answer), &sb) < 0)
		return "(none)";
	return sb.buf;
}

struct made {
	int rc;
	const char *method;
	char *suffix;
	char *body;
};

static struct made follow(const char *kind, unsigned action, const char *remote,
			  const char *body, const char *target)
{
	const struct kind *k = kind_find(kind);
	struct kind_follow f;
	struct made m = { 0, NULL, NULL, NULL };
	json_t *t = json_loads(target ? target : "{}", 0, NULL);

	memset(&f, 0, sizeof(f));
	f.action = action;
	f.remote = remote;
	f.id = "msg_abc";
	f.target = t;
	f.body = body ? json_loads(body, 0, NULL) : NULL;
	m.rc = k->follow(&f);
	m.method = f.method;
	m.suffix = f.url_suffix;
	m.body = f.out ? json_dumps(f.out, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(f.out);
	json_decref(f.body);
	json_decref(t);
	return m;
}

static int made_is(struct made m, const char *method, const char *suffix, const char *body)
{
	int r = !m.rc && m.method && !strcmp(m.method, method) &&
		(suffix ? m.suffix && !strcmp(m.suffix, suffix) : !m.suffix) &&
		(body ? m.body && !strcmp(m.body, body) : !m.body);

	if (!r)
		printf("# got rc %d %s %s %s\n", m.rc, m.method ? m.method : "-",
		       m.suffix ? m.suffix : "-", m.body ? m.body : "-");
	free(m.suffix);
	free(m.body);
	return r;
}

static int refused(struct made m)
{
	int r = m.rc < 0;

	free(m.suffix);
	free(m.body);
	return r;
}

static void test_kinds(void)
{
	static const char *const none[] = { "slack", "mattermost", "teams", "googlechat",
					    "ntfy", "webhook", "email", NULL };
	size_t i;
	int all_none = 1;

	for (i = 0; none[i]; i++)
		all_none &= !kind_find(none[i])->follows;
	ok(all_none, "kinds that cannot edit or delete a message say so (no follows)");
	ok(kind_find("bluesky")->follows == FOLLOW_RETRACT, "bluesky deletes, never edits");

	/* Discord */
	ok(!strcmp(rid("discord", "{\"type\":0,\"content\":\"x\",\"id\":\"1100000000000000002\"}"),
		   "1100000000000000002"), "discord: the message id after an echo of the message");
	ok(!strcmp(rid("discord", "{\"id\":\"../../../webhooks/2/other\"}"), "(none)") &&
	   !strcmp(rid("discord", "{\"id\":\"\"}"), "(none)") &&
	   !strcmp(rid("discord", "not json"), "(none)") &&
	   !strcmp(rid("discord", "{\"id\":\"123456789012345678901234567890123\"}"), "(none)"),
	   "discord: an id that is not a snowflake is no id (a hostile answer walks no url)");
	ok(made_is(follow("discord", FOLLOW_EDIT, "42",
			  "{\"username\":\"u\",\"avatar_url\":\"a\",\"tts\":false,\"embeds\":[],\"allowed_mentions\":{\"parse\":[]}}",
			  NULL),
		   "PATCH", "/messages/42", "{\"allowed_mentions\":{\"parse\":[]},\"embeds\":[]}"),
	   "discord: an edit PATCHes the message, without what only a new message takes");
	ok(made_is(follow("discord", FOLLOW_RETRACT, "42", NULL, NULL), "DELETE", "/messages/42", NULL),
	   "discord: a retraction DELETEs it");
	ok(refused(follow("discord", FOLLOW_RETRACT, "4/../2", NULL, NULL)),
	   "discord: a ledger id that is not a snowflake is refused");

	/* Telegram */
	ok(!strcmp(rid("telegram", "{\"ok\":true,\"result\":{\"message_id\":77,\"chat\":{}}}"), "77"),
	   "telegram: result.message_id");
	ok(!strcmp(rid("telegram", "{\"ok\":true,\"result\":{\"message_id\":\"7; rm\"}}"), "(none)") &&
	   !strcmp(rid("telegram", "{\"ok\":true,\"result\":{\"message_id\":-5}}"), "(none)"),
	   "telegram: a message id that is not a positive number is no id");
	ok(made_is(follow("telegram", FOLLOW_EDIT, "77",
			  "{\"chat_id\":\"9\",\"text\":\"t\",\"parse_mode\":\"HTML\",\"disable_notification\":true}",
			  "{\"chat_id\":\"42\"}"),
		   "POST", NULL, "{\"chat_id\":\"42\",\"message_id\":77,\"parse_mode\":\"HTML\",\"text\":\"t\"}"),
	   "telegram: editMessageText in the configured chat, with the message id");
	ok(made_is(follow("telegram", FOLLOW_RETRACT, "77", NULL, "{\"chat_id\":\"42\"}"),
		   "POST", NULL, "{\"chat_id\":\"42\",\"message_id\":77}"),
	   "telegram: deleteMessage");

	/* Matrix */
	ok(!strcmp(rid("matrix", "{\"event_id\":\"$abc:example.org\"}"), "$abc:example.org"),
	   "matrix: event_id");
	ok(made_is(follow("matrix", FOLLOW_RETRACT, "$a/../b:x", NULL, NULL), "PUT",
		   "/redact/%24a%2F..%2Fb%3Ax/msg_abc", "{\"reason\":\"The post was taken down.\"}"),
	   "matrix: a redaction, the event id percent-encoded into one path segment");
	ok(made_is(follow("matrix", FOLLOW_EDIT, "$e:x",
			  "{\"msgtype\":\"m.notice\",\"body\":\"New\",\"format\":\"org.matrix.custom.html\",\"formatted_body\":\"<b>New</b>\",\"m.mentions\":{}}",
			  NULL),
		   "PUT", "/send/m.room.message/msg_abc",
		   "{\"body\":\"* New\",\"format\":\"org.matrix.custom.html\",\"formatted_body\":\"* <b>New</b>\","
		   "\"m.mentions\":{},\"m.new_content\":{\"body\":\"New\",\"format\":\"org.matrix.custom.html\","
		   "\"formatted_body\":\"<b>New</b>\",\"m.mentions\":{},\"msgtype\":\"m.notice\"},"
		   "\"m.relates_to\":{\"event_id\":\"$e:x\",\"rel_type\":\"m.replace\"},\"msgtype\":\"m.notice\"}"),
	   "matrix: an edit is an m.replace event with the new content");

	/* Mastodon */
	ok(!strcmp(rid("mastodon", "{\"id\":\"109000000000000001\",\"content\":\"x\"}"),
		   "109000000000000001") &&
	   !strcmp(rid("mastodon", "{\"id\":\"1/../../accounts\"}"), "(none)"),
	   "mastodon: the status id, letters and digits only");
	ok(made_is(follow("mastodon", FOLLOW_EDIT, "109",
			  "{\"status\":\"s\",\"visibility\":\"public\",\"language\":\"en\"}", NULL),
		   "PUT", "/109", "{\"language\":\"en\",\"status\":\"s\"}"),
	   "mastodon: PUT the status, its visibility left as it was");
	ok(made_is(follow("mastodon", FOLLOW_RETRACT, "a b", NULL, NULL), "DELETE", "/a%20b", NULL),
	   "mastodon: DELETE, the id percent-encoded");

	/* Bluesky */
	ok(!strcmp(rid("bluesky", "{\"uri\":\"at://did:plc:x/app.bsky.feed.post/3kabc\",\"cid\":\"c\"}"),
		   "at://did:plc:x/app.bsky.feed.post/3kabc") &&
	   !strcmp(rid("bluesky", "{\"uri\":\"https://evil.example/\"}"), "(none)"),
	   "bluesky: the record's at:// uri");
	ok(made_is(follow("bluesky", FOLLOW_RETRACT, "at://did:plc:x/app.bsky.feed.post/3kabc", NULL, NULL),
		   "POST", NULL, "{\"collection\":\"app.bsky.feed.post\",\"repo\":\"did:plc:x\",\"rkey\":\"3kabc\"}"),
	   "bluesky: deleteRecord's repo, collection and rkey from the uri");
	ok(refused(follow("bluesky", FOLLOW_RETRACT, "at://did:plc:x/app.bsky.graph.follow/3k", NULL, NULL)) &&
	   refused(follow("bluesky", FOLLOW_RETRACT, "at://did:plc:x/app.bsky.feed.post/a/b", NULL, NULL)) &&
	   refused(follow("bluesky", FOLLOW_RETRACT, "at://alice/app.bsky.feed.post/3k", NULL, NULL)) &&
	   refused(follow("bluesky", FOLLOW_RETRACT, "at://did:plc:x/app.bsky.feed.post/", NULL, NULL)),
	   "bluesky: a uri of another collection, a nested key, no did or no key is refused");
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_ledger();
	test_kinds();
	{
		char *path = xstrfmt("%s/ledger", scratch);
		unlink(path);
		free(path);
		rmdir(scratch);
	}
	return done_testing();
}
