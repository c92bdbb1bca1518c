#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "herald/base64.h"
#include "herald/email.h"
#include "herald/kind.h"
#include "herald/payload.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "tap.h"
#include "herald/banned.h"

static void addresses(void)
{
	static const char *const good[] = {
		"a@example.com", "first.last+tag@mail.example.org", "x@[192.0.2.1]",
		"o'neil@example.com", "a@b",
	};
	static const char *const bad[] = {
		"", "example.com", "@example.com", "a@", "a b@example.com", "a@exa mple.com",
		"<a@example.com>", "a@example.com>", "a@example.com, b@example.com",
		"a@example.com\r\nBcc: x@evil", "a@example.com\n", ".a@example.com", "a.@example.com",
		"a..b@example.com", "a@example..com", "a@-example.com", "\"a\"@example.com",
		"caf\xc3\xa9@example.com", "a@ex\xc3\xa4mple.com", "a;b@example.com",
	};
	size_t i;
	int all = 1;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		if (!email_address_valid(good[i])) {
			diag("refused %s", good[i]);
			all = 0;
		}
	ok(all, "plain addresses are accepted");
	all = 1;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (email_address_valid(bad[i])) {
			diag("accepted %s", bad[i]);
			all = 0;
		}
	ok(all, "lists, names, brackets, spaces, CR/LF, quotes and non-ASCII are refused");
	ok(!email_address_valid(NULL), "NULL is no address");
}

/* The text of each encoded-word of a Subject value, decoded and joined. */
static int decode_words(const char *v, struct strbuf *out)
{
	const char *p = v;

	while (*p) {
		const char *end;
		unsigned char buf[128];
		long n;
		if (strncmp(p, "=?UTF-8?B?", 10))
			return -1;
		p += 10;
		end = strstr(p, "?=");
		if (!end || (size_t)(end - p) > 100)
			return -1;
		if ((size_t)(end - p) + 12 > 75)
			return -1; /* RFC 2047: an encoded-word is at most 75 characters */
		n = base64_decode(p, (size_t)(end - p), BASE64_PADDED, buf);
		if (n < 0)
			return -1;
		strbuf_add(out, buf, (size_t)n);
		p = end + 2;
		if (!strncmp(p, "\r\n ", 3))
			p += 3;
		else if (*p)
			return -1;
	}
	return 0;
}

static void subjects(void)
{
	struct strbuf sb = STRBUF_INIT, dec = STRBUF_INIT;
	size_t i, chars = 0;
	const char *p;

	email_subject(&sb, "New post: Hello");
	is_str(sb.buf, "New post: Hello", "an ASCII subject is left as it is");

	strbuf_reset(&sb);
	email_subject(&sb, "Title\r\nBcc: x@evil");
	is_str(sb.buf, "Title Bcc: x@evil", "CR LF in a title becomes a space: no header can start");

	strbuf_reset(&sb);
	email_subject(&sb, "  a\tb\x01\x7f c  ");
	is_str(sb.buf, "a b c", "whitespace runs are one space, controls dropped, ends trimmed");

	strbuf_reset(&sb);
	email_subject(&sb, "Caf\xc3\xa9\r\nBcc: x@evil");
	ok(!strncmp(sb.buf, "=?UTF-8?B?", 10) && !decode_words(sb.buf, &dec) &&
	   !strcmp(dec.buf, "Caf\xc3\xa9 Bcc: x@evil"),
	   "non-ASCII is one encoded-word of the one-line text");
	ok(!strpbrk(sb.buf, "\r\n"), "no CR or LF in a short encoded subject");

	strbuf_reset(&sb);
	strbuf_reset(&dec);
	email_subject(&sb, "=?UTF-8?B?SGk=?=");
	ok(!decode_words(sb.buf, &dec) && !strcmp(dec.buf, "=?UTF-8?B?SGk=?="),
	   "text that looks like an encoded-word is encoded, so it shows as written");

	/* 150 two-byte and emoji characters: several words, folded, each whole */
	{
		struct strbuf in = STRBUF_INIT;
		for (i = 0; i < 150; i++)
			strbuf_addstr(&in, i % 3 ? "\xc3\xa9" : "\xf0\x9f\x8e\x89");
		strbuf_reset(&sb);
		strbuf_reset(&dec);
		email_subject(&sb, in.buf);
		ok(!decode_words(sb.buf, &dec) && !strcmp(dec.buf, in.buf),
		   "a long subject: words of at most 75 characters, split between characters, "
		   "folded with CRLF SP, decode to the text");
		for (p = sb.buf; (p = strstr(p, "\r\n")); p += 2)
			if (p[2] != ' ')
				break;
		ok(!p, "every line break is a fold (CRLF then a space)");
		p = strstr(sb.buf, "\r\n");
		ok(p && (size_t)(p - sb.buf) + strlen("Subject: ") <= 76,
		   "the first word fits on the Subject line within 76 characters");
		strbuf_release(&in);
	}

	strbuf_reset(&sb);
	{
		struct strbuf in = STRBUF_INIT;
		for (i = 0; i < 500; i++)
			strbuf_addch(&in, 'a' + (char)(i % 26));
		email_subject(&sb, in.buf);
		strbuf_reset(&dec);
		if (!decode_words(sb.buf, &dec))
			for (p = dec.buf; *p; p += utf8_char_len(p, strlen(p)))
				chars++;
		ok(chars && chars <= EMAIL_SUBJECT_CHARS && strstr(dec.buf, "\xe2\x80\xa6"),
		   "a 500-character title is cut with an ellipsis (%zu characters)", chars);
		strbuf_release(&in);
	}
	strbuf_reset(&sb);
	email_subject(&sb, "caf\xff");
	strbuf_reset(&dec);
	ok(!decode_words(sb.buf, &dec) && !strcmp(dec.buf, "caf\xef\xbf\xbd"),
	   "invalid UTF-8 becomes U+FFFD");
	strbuf_release(&sb);
	strbuf_release(&dec);
}

static void dates_and_ids(void)
{
	struct strbuf sb = STRBUF_INIT;

	email_date(&sb, 1796169600LL); /* 2026-12-02T00:00:00Z */
	is_str(sb.buf, "Wed, 02 Dec 2026 00:00:00 +0000", "RFC 5322 date");
	strbuf_reset(&sb);
	email_date(&sb, 0);
	is_str(sb.buf, "Thu, 01 Jan 1970 00:00:00 +0000", "the epoch");
	strbuf_reset(&sb);
	email_message_id(&sb, "msg_abc123", "blog@example.com");
	is_str(sb.buf, "<msg_abc123@example.com>", "Message-ID: the delivery id at the sender's domain");
	strbuf_reset(&sb);
	email_message_id(&sb, "msg_a>b\r\nX: y", "not an address");
	is_str(sb.buf, "<msg_abXy@mail.invalid>", "only safe characters; mail.invalid without a sender");
	strbuf_reset(&sb);
	email_message_id(&sb, "msg_abc123", "blog@example.com");
	ok(!strcmp(sb.buf, "<msg_abc123@example.com>"), "the same delivery, the same Message-ID");
	strbuf_release(&sb);
}

static void bodies(void)
{
	static const char good[] = "{\"subject\":\"S\",\"text\":\"T\",\"html\":\"<p>H</p>\",\"x\":1}";
	static const char *const bad[] = {
		"", "[]", "{\"subject\":\"S\",\"text\":\"T\"}", "{\"subject\":1,\"text\":\"T\",\"html\":\"H\"}",
		"{\"subject\":\"S\",\"text\":\"T\",\"html\":null}", "not json",
	};
	const char *s, *t, *h;
	json_t *doc;
	size_t i;
	int all = 1;

	ok(!email_body_parse(good, strlen(good), &doc, &s, &t, &h) && !strcmp(s, "S") &&
	   !strcmp(t, "T") && !strcmp(h, "<p>H</p>"),
	   "the queued body: subject, text and html (other fields ignored)");
	json_decref(doc);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!email_body_parse(bad[i], strlen(bad[i]), &doc, &s, &t, &h)) {
			json_decref(doc);
			all = 0;
		}
	ok(all, "anything else is refused");
}

/* The built-in templates over a hostile post: the contract's three strings. */
static void payloads(void)
{
	json_t *events = json_loads(
		"[{\"type\":\"new\",\"path\":\"_posts/a.md\",\"title\":\"Caf\\u00e9\\r\\nBcc: x@evil <b>&amp;</b>\","
		"\"url\":\"https://blog.example.com/a/\",\"summary_markdown\":\"Some *text* <script>x</script> "
		"[l](javascript:alert(1)).\",\"tags_text\":\"#a\"}]",
		0, NULL);
	json_t *target = json_pack("{s:s, s:s, s:s, s:[s]}", "name", "mail", "kind", "email", "from",
				   "blog@example.com", "to", "a@example.com");
	json_t *site = json_pack("{s:s}", "title", "Blog");
	struct payload p;
	json_t *body = NULL;
	const char *s, *t, *h;

	if (!ok(!payload_build(NULL, "email", NULL, target, site, events, "msg_1", 0, &p),
		"an email payload builds from the built-in templates"))
		goto out;
	is_str(p.content_type, "application/json", "queued as JSON");
	if (!ok(!email_body_parse(p.body, p.len, &body, &s, &t, &h), "of the three strings")) {
		payload_release(&p);
		goto out;
	}
	is_str(s, "[Blog] New post: Caf\xc3\xa9 Bcc: x@evil <b>&amp;</b>",
	       "the subject: one line, as the title reads (no escaping in text)");
	ok(strstr(t, "Caf\xc3\xa9 Bcc: x@evil <b>&amp;</b>") && strstr(t, "https://blog.example.com/a/") &&
	   strstr(t, "Some text"), "the text part: title, summary and link as text");
	ok(strstr(h, "Caf\xc3\xa9 Bcc: x@evil &lt;b&gt;&amp;amp;&lt;/b&gt;") && !strstr(h, "<script") &&
	   !strstr(h, "javascript:") && strstr(h, "<em>text</em>") &&
	   strstr(h, "href=\"https://blog.example.com/a/\""),
	   "the HTML part: title escaped, summary rendered safe, the link");
	json_decref(body);
	payload_release(&p);
out:
	json_decref(events);
	json_decref(target);
	json_decref(site);
}

int main(void)
{
	addresses();
	subjects();
	dates_and_ids();
	bodies();
	payloads();
	return done_testing();
}
