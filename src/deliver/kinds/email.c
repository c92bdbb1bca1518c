/*
 * Email over SMTP through libcurl: one multipart/alternative message (a
 * text/plain and a text/html part, from the same context) per delivery,
 * to every recipient of the target's config. See herald/email.h for the
 * config, the queued body and the rules on TLS.
 *
 * A retry is the same message: the Message-ID comes from the delivery id
 * and the Date from when it was queued. A recipient the server refuses
 * fails the whole message (libcurl's default), so a retry never mails
 * twice those who already got it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "herald/base64.h"
#include "herald/deliver.h"
#include "herald/dialect.h"
#include "herald/email.h"
#include "herald/kind.h"
#include "herald/markdown.h"
#include "herald/outbox.h"
#include "herald/render.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/value.h"
#include "herald/banned.h"

/* A message has room: each post's summary gets this much, shared in a batch. */
#define SUMMARY 8000
#define SUMMARY_BATCH_TOTAL 30000
#define MAX_RECIPIENTS 100
#define UNSUBSCRIBE_MAX 900

static const struct kind_option email_options[] = {
	{ "from", "FROM", "from" },
	{ "to", "TO", "to" },
	{ "listunsubscribe", "LIST_UNSUBSCRIBE", "list_unsubscribe" },
	{ "cafile", "CA_FILE", "ca_file" },
	{ NULL, NULL, NULL },
};

static const char *const lists[] = { "to", "list_unsubscribe", NULL };

int email_address_valid(const char *s)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789!#$%&'*+-/=?^_`{|}~";
	const char *at = s ? strrchr(s, '@') : NULL, *p;
	size_t local, len;

	if (!at || at == s || strlen(s) > 254)
		return 0;
	local = (size_t)(at - s);
	if (local > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++)
		if (!strchr(atext, *p) && !(*p == '.' && p[1] != '.'))
			return 0;
	p = at + 1;
	len = strlen(p);
	if (!len)
		return 0;
	if (p[0] == '[') /* an address literal: [192.0.2.1] or [IPv6:…] */
		return len > 2 && p[len - 1] == ']' &&
		       strspn(p + 1, "0123456789abcdefABCDEFIPv6:.") == len - 2;
	if (p[0] == '.' || p[0] == '-' || p[len - 1] == '.' || p[len - 1] == '-' ||
	    strstr(p, ".."))
		return 0;
	return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len;
}

/* The domain of a valid address. */
static const char *domain_of(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	return at && at[1] ? at + 1 : NULL;
}

/* Every string of option `field` (a string or a list), split at commas and whitespace. */
static void words_of(const json_t *options, const char *field, const char *seps,
		     struct strvec *out)
{
	const json_t *v = json_object_get(options, field), *one;
	size_t i;

	if (json_is_string(v)) {
		char *copy = xstrdup(json_string_value(v)), *p = copy, *w;
		while ((w = strsep(&p, seps)))
			if (*w)
				strvec_push(out, w);
		free(copy);
		return;
	}
	json_array_foreach(v, i, one) {
		char *copy, *p, *w;
		if (!json_is_string(one))
			continue;
		copy = p = xstrdup(json_string_value(one));
		while ((w = strsep(&p, seps)))
			if (*w)
				strvec_push(out, w);
		free(copy);
	}
}

static int unsubscribe_valid(const char *uri)
{
	const unsigned char *p;

	if (strncmp(uri, "https://", 8) && strncmp(uri, "mailto:", 7))
		return 0;
	if (strlen(uri) > UNSUBSCRIBE_MAX)
		return 0;
	for (p = (const unsigned char *)uri; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == '"')
			return 0;
	return 1;
}

/* The url: smtps, or smtp with STARTTLS unless plain is allowed to this machine. */
static void check_url(struct target *t)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL;

	if (!t->url)
		goto out; /* said by target.c */
	if (!u || curl_url_set(u, CURLUPART_URL, t->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		target_problem(t, "the url cannot be parsed");
		goto out;
	}
	if (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) {
		target_problem(t, "an email url is smtp:// (STARTTLS) or smtps://, not %s", scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user) {
		target_problem(t, "the url holds a user name; put it in herald.%s.userFile and "
			       "the password in passwordFile", t->name);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query) {
		target_problem(t, "an email url takes no query");
		goto out;
	}
	/*
	 * As for http: plain text only to this machine (a local relay), and
	 * only when asked; elsewhere allowHttp cannot turn STARTTLS off.
	 */
	if (t->allow_http && !strcmp(scheme, "smtp") && !target_host_is_loopback(host))
		target_problem(t, "plain smtp to %s is refused: allowHttp allows plain SMTP only to "
			       "this machine (127.0.0.1, ::1, localhost)", host);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_url_cleanup(u);
}

static void configure(struct target *t)
{
	struct strvec to = STRVEC_INIT, unsub = STRVEC_INIT;
	const char *from = value_str(t->options, "from"), *ca = value_str(t->options, "ca_file");
	json_t *list;
	size_t i;

	check_url(t);
	if (!from)
		target_problem(t, "email needs herald.%s.from, the address it sends from", t->name);
	else if (!email_address_valid(from))
		target_problem(t, "from '%s' is not one plain address (local@domain)", from);
	words_of(t->options, "to", ", \t", &to);
	if (!to.nr)
		target_problem(t, "email needs herald.%s.to, one or more addresses", t->name);
	else if (to.nr > MAX_RECIPIENTS)
		target_problem(t, "to: %zu addresses, more than %d; use a mailing list address",
			       to.nr, MAX_RECIPIENTS);
	list = json_array();
	for (i = 0; i < to.nr; i++) {
		if (!email_address_valid(to.v[i]))
			target_problem(t, "to: '%s' is not a plain address (local@domain)", to.v[i]);
		json_array_append_new(list, json_string(to.v[i]));
	}
	json_object_set_new(t->options, "to", list);
	words_of(t->options, "list_unsubscribe", " \t", &unsub);
	list = json_array();
	for (i = 0; i < unsub.nr; i++) {
		if (!unsubscribe_valid(unsub.v[i]))
			target_problem(t, "listUnsubscribe: '%s' is not an https: or mailto: uri "
				       "(no spaces, commas or angle brackets)", unsub.v[i]);
		json_array_append_new(list, json_string(unsub.v[i]));
	}
	if (unsub.nr)
		json_object_set_new(t->options, "list_unsubscribe", list);
	else
		json_decref(list);
	if (ca && (ca[0] != '/' || access(ca, R_OK) < 0))
		target_problem(t, "caFile '%s' is not a readable file named by an absolute path", ca);
	if (!t->user != !t->password)
		target_problem(t, "SMTP AUTH needs both a user (userFile, userEnv or user) and a "
			       "password (passwordFile or passwordEnv)");
	if (t->template)
		target_problem(t, "an email target takes no template: it renders email-subject.txt, "
			       "email.txt and email.html, the admin's copies from herald.templateDir");
	if (t->secrets.nr || t->token)
		target_problem(t, "an email target takes no secret or token");
	strvec_clear(&to);
	strvec_clear(&unsub);
}

static int summaries(struct kind_item *items, size_t shown, int batch)
{
	size_t budget = SUMMARY;

	if (batch && SUMMARY_BATCH_TOTAL / shown < budget)
		budget = SUMMARY_BATCH_TOTAL / shown;
	if (kind_summaries_render(items, shown, MARKDOWN_TEXT, budget, MENTIONS_NONE,
				  MARKUP_PLAIN, "summary_email_text") < 0)
		return -1;
	return kind_summaries_render(items, shown, MARKDOWN_HTML, budget, MENTIONS_NONE,
				     MARKUP_HTML, "summary_email_html");
}

/* The three templates, the admin's copy first (render_template's order for `src`). */
static int render(const struct render_source *src, const json_t *ctx, json_t **out)
{
	static const char *const names[][2] = {
		{ "email-subject.txt", EMAIL_SUBJECT },
		{ "email.txt", EMAIL_TEXT },
		{ "email.html", EMAIL_HTML },
	};
	struct strbuf sb = STRBUF_INIT, line = STRBUF_INIT;
	json_t *doc = json_object();
	size_t i;

	*out = NULL;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		strbuf_reset(&sb);
		if (render_template(src, names[i][0], ctx, &sb) < 0) {
			json_decref(doc);
			strbuf_release(&sb);
			strbuf_release(&line);
			return -1;
		}
		if (i == 0) {
			/* a subject is one line, whatever the template or the title holds */
			strbuf_reset(&line);
			dialect_one_line(sb.buf + strspn(sb.buf, " \t\r\n"), &line);
			strbuf_rtrim(&line);
			dialect_clip(&line, EMAIL_SUBJECT_CHARS);
			kind_set(doc, names[i][1], &line);
		} else {
			kind_set(doc, names[i][1], &sb);
		}
	}
	strbuf_release(&sb);
	strbuf_release(&line);
	*out = doc;
	return 0;
}

static int enforce(const struct kind_body *b, json_t *doc)
{
	if (!json_is_string(json_object_get(doc, EMAIL_SUBJECT)) ||
	    !json_is_string(json_object_get(doc, EMAIL_TEXT)) ||
	    !json_is_string(json_object_get(doc, EMAIL_HTML)))
		return error("'%s': an email body needs the strings subject, text and html",
			     b->template);
	return 0;
}

int email_body_parse(const char *body, size_t len, json_t **doc, const char **subject,
		     const char **text, const char **html)
{
	*doc = json_loadb(body, len, 0, NULL);
	*subject = value_str(*doc, EMAIL_SUBJECT);
	*text = value_str(*doc, EMAIL_TEXT);
	*html = value_str(*doc, EMAIL_HTML);
	if (!json_is_object(*doc) || !*subject || !*text || !*html) {
		json_decref(*doc);
		*doc = NULL;
		return -1;
	}
	return 0;
}

/*
 * RFC 2047: an encoded-word is at most 75 characters and a line holding
 * one at most 76. "=?UTF-8?B?" and "?=" take 12, so a folded line (a space,
 * then the word) carries 45 bytes of text in 60 of base64, and the first,
 * after "Subject: ", 39 bytes in 52.
 */
#define WORD_BYTES 45
#define FIRST_WORD_BYTES 39

void email_subject(struct strbuf *out, const char *text)
{
	struct strbuf line = STRBUF_INIT, clean = STRBUF_INIT;
	size_t i, start, len;
	int ascii = 1;

	text = text ? text : "";
	dialect_one_line(text + strspn(text, " \t\r\n"), &line);
	strbuf_rtrim(&line);
	dialect_clip(&line, EMAIL_SUBJECT_CHARS);
	for (i = 0; i < line.len;) {
		int cp;
		size_t n = utf8_decode(line.buf + i, line.len - i, &cp);
		if (!n) {
			strbuf_addstr(&clean, "\xef\xbf\xbd");
			i++;
			ascii = 0;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			i += n; /* a control: nothing a reader needs */
			continue;
		}
		if (cp >= 0x80)
			ascii = 0;
		strbuf_add(&clean, line.buf + i, n);
		i += n;
	}
	if (ascii && !strstr(clean.buf, "=?")) {
		strbuf_add(out, clean.buf, clean.len);
		goto out;
	}
	/* words end at a character boundary, folded onto lines of their own */
	for (start = 0; start < clean.len; start += len) {
		len = 0;
		while (start + len < clean.len) {
			size_t n = utf8_char_len(clean.buf + start + len, clean.len - start - len);
			if (len + n > (start ? WORD_BYTES : FIRST_WORD_BYTES))
				break;
			len += n;
		}
		if (start)
			strbuf_addstr(out, "\r\n ");
		strbuf_addstr(out, "=?UTF-8?B?");
		base64_encode(out, clean.buf + start, len);
		strbuf_addstr(out, "?=");
	}
out:
	strbuf_release(&line);
	strbuf_release(&clean);
}

void email_date(struct strbuf *out, long long t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		tt = 0;
		gmtime_r(&tt, &tm);
	}
	strbuf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
		    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
}

void email_message_id(struct strbuf *out, const char *id, const char *from)
{
	const char *domain = email_address_valid(from) ? domain_of(from) : NULL, *p;

	strbuf_addch(out, '<');
	for (p = id ? id : ""; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-", *p))
			strbuf_addch(out, *p);
	strbuf_addf(out, "@%s>", domain ? domain : "mail.invalid");
}

/* Text for a part: CRLF line ends, which the quoted-printable encoder keeps as lines. */
static void crlf(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' && (out->len == 0 || out->buf[out->len - 1] != '\r'))
			strbuf_addch(out, '\r');
		strbuf_addch(out, *s);
	}
}

static struct curl_slist *header(struct curl_slist *h, const char *name, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	struct curl_slist *r;

	strbuf_addf(&sb, "%s: %s", name, value);
	r = curl_slist_append(h, sb.buf);
	strbuf_release(&sb);
	if (!r)
		die("out of memory");
	return r;
}

/*
 * The server's last refusal (a 4xx or 5xx reply line), for the error:
 * what it said when it refused, not the goodbye after it.
 */
struct replies {
	char refusal[160];
};

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *ud)
{
	struct replies *r = ud;
	size_t n = 0, i;

	(void)c;
	if (type != CURLINFO_HEADER_IN) /* what we send holds the AUTH secret: never kept */
		return 0;
	if (size < 4 || (data[0] != '4' && data[0] != '5') || data[1] < '0' || data[1] > '9' ||
	    data[2] < '0' || data[2] > '9')
		return 0;
	for (i = 0; i < size && n + 1 < sizeof(r->refusal); i++) {
		unsigned char ch = (unsigned char)data[i];
		if (ch == '\r' || ch == '\n')
			break;
		r->refusal[n++] = ch < ' ' || ch >= 0x7f ? '?' : (char)ch;
	}
	r->refusal[n] = '\0';
	return 0;
}

static int send_mail(struct deliver_conn *conn, const struct target *t,
		const struct outbox_entry *e, long long now, struct attempt *a)
{
	struct strbuf sb = STRBUF_INIT, text = STRBUF_INIT, html = STRBUF_INIT, from = STRBUF_INIT;
	struct strvec to = STRVEC_INIT, unsub = STRVEC_INIT;
	struct curl_slist *h = NULL, *rcpt = NULL;
	struct replies replies = { "" };
	const char *subject, *text_in, *html_in, *ca = value_str(t->options, "ca_file");
	const char *sender = value_str(t->options, "from");
	curl_mime *mime = NULL;
	curl_mimepart *part;
	json_t *doc = NULL;
	char *where = target_redact(t->url);
	CURL *curl = NULL;
	CURLcode rc;
	long code = 0;
	size_t i;
	int ret = 0, https = 0, plain;

	if (email_body_parse(e->body, e->body_len, &doc, &subject, &text_in, &html_in) < 0) {
		snprintf(a->error, sizeof(a->error),
			 "the queued email body is not {\"subject\", \"text\", \"html\"}");
		goto out; /* permanent: the same body fails the same way */
	}
	if (!(curl = deliver_conn_handle(conn, t))) {
		ret = -1;
		goto out;
	}

	/* the headers: every value from config or made here, the subject encoded */
	email_date(&sb, e->created ? e->created : now);
	h = header(h, "Date", sb.buf);
	strbuf_reset(&sb);
	h = header(h, "From", sender);
	words_of(t->options, "to", ", \t", &to);
	for (i = 0; i < to.nr; i++) {
		strbuf_addf(&sb, "%s%s", i ? ", " : "", to.v[i]);
		strbuf_reset(&from);
		strbuf_addf(&from, "<%s>", to.v[i]);
		rcpt = curl_slist_append(rcpt, from.buf);
		if (!rcpt)
			die("out of memory");
	}
	h = header(h, "To", sb.buf);
	strbuf_reset(&sb);
	email_subject(&sb, subject);
	h = header(h, "Subject", sb.buf);
	strbuf_reset(&sb);
	email_message_id(&sb, e->id, sender);
	h = header(h, "Message-ID", sb.buf);
	strbuf_reset(&sb);
	words_of(t->options, "list_unsubscribe", " \t", &unsub);
	for (i = 0; i < unsub.nr; i++) {
		strbuf_addf(&sb, "%s<%s>", i ? ", " : "", unsub.v[i]);
		https |= !strncmp(unsub.v[i], "https://", 8);
	}
	if (unsub.nr) {
		h = header(h, "List-Unsubscribe", sb.buf);
		/* RFC 8058: a POST to the https uri unsubscribes, no page to click through */
		if (https)
			h = header(h, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
	}
	strbuf_reset(&sb);
	h = header(h, "MIME-Version", "1.0");
	strbuf_addf(&sb, "herald/%s", HERALD_VERSION);
	h = header(h, "X-Mailer", sb.buf);
	/* the message itself is the alternative, not a mixed one holding it */
	h = header(h, "Content-Type", "multipart/alternative");

	mime = curl_mime_init(curl);
	crlf(&text, text_in);
	crlf(&html, html_in);
	part = curl_mime_addpart(mime);
	curl_mime_data(part, text.buf, text.len);
	curl_mime_type(part, "text/plain; charset=utf-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(mime);
	curl_mime_data(part, html.buf, html.len);
	curl_mime_type(part, "text/html; charset=utf-8");
	curl_mime_encoder(part, "quoted-printable");

	strbuf_reset(&from);
	strbuf_addf(&from, "<%s>", sender);
	curl_easy_setopt(curl, CURLOPT_URL, t->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	plain = t->allow_http && !strncmp(t->url, "smtp:", 5);
	/* configure refused allowHttp to any host but this machine's */
	curl_easy_setopt(curl, CURLOPT_USE_SSL, plain ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca)
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
	if (t->user && t->password) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, t->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, t->password);
	}
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.buf);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &replies);

	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (replies.refusal[0])
		strbuf_addstr(&a->response, replies.refusal);
	if (rc == CURLE_OK) {
		a->ok = 1;
		a->status = code ? (int)code : 250;
		if (conn && conn->on_accepted)
			conn->on_accepted(conn->ud);
	} else if (code >= 400 && code < 600) {
		/* 4xx: try again later; 5xx: the server will say the same next time */
		a->status = (int)code;
		a->transient = code < 500;
		snprintf(a->error, sizeof(a->error), "SMTP %ld from %s: %.100s", code, where,
			 replies.refusal[0] ? replies.refusal : curl_easy_strerror(rc));
	} else if (rc == CURLE_USE_SSL_FAILED) {
		/* perhaps someone between us stripped it: worth another try */
		a->transient = 1;
		snprintf(a->error, sizeof(a->error),
			 "%s offers no STARTTLS, which herald requires (plain SMTP only to this "
			 "machine, with allowHttp)", where);
	} else {
		/* no refusal: the connection, TLS or the server broke off */
		a->transient = 1;
		snprintf(a->error, sizeof(a->error), "%s (%s)", curl_easy_strerror(rc), where);
	}
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, NULL);
out:
	if (curl && !conn)
		curl_easy_cleanup(curl);
	curl_mime_free(mime);
	curl_slist_free_all(h);
	curl_slist_free_all(rcpt);
	json_decref(doc);
	strbuf_release(&sb);
	strbuf_release(&text);
	strbuf_release(&html);
	strbuf_release(&from);
	strvec_clear(&to);
	strvec_clear(&unsub);
	free(where);
	return ret;
}

const struct kind kind_email = {
	.name = "email",
	.method = "SMTP",
	.options = email_options,
	.lists = lists,
	.configure = configure,
	.own_url = 1,
	.summaries = summaries,
	.render = render,
	.enforce = enforce,
	.send = send_mail,
};
