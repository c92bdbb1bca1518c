#ifndef HERALD_EMAIL_H
#define HERALD_EMAIL_H

#include <stddef.h>

#include <jansson.h>

#include "herald/strbuf.h"

/*
 * The email kind (src/deliver/kinds/email.c): one message per delivery,
 * sent over SMTP by libcurl.
 *
 *	[herald "letters"]
 *		kind = email
 *		url = smtp://mail.example.com:587   # STARTTLS required; or smtps://…
 *		from = blog@example.com             # one address
 *		to = a@example.com, b@example.com   # a list; the key may repeat
 *		userFile = /etc/herald/smtp-user    # or user / userEnv
 *		passwordFile = /etc/herald/smtp-pw  # or passwordEnv
 *		listUnsubscribe = https://example.com/unsubscribe   # may repeat
 *		caFile = /etc/herald/private-ca.pem # trust this CA, not the system's
 *
 * Plain smtp:// without TLS only with allowHttp, and only to this machine
 * (a relay on 127.0.0.1); smtp:// to anything else always requires
 * STARTTLS, and the server's certificate is verified.
 *
 * THE QUEUED BODY (the contract with anything that queues mail, such as
 * the scheduled digest) is a JSON object of three strings:
 *
 *	{"subject": "...", "text": "...", "html": "..."}
 *
 * Recipients, sender and headers always come from the target's config at
 * send time, never from the body; the subject is made one line and
 * encoded there, so a body cannot add a header.
 */

/* The three fields of a queued email body. */
#define EMAIL_SUBJECT "subject"
#define EMAIL_TEXT "text"
#define EMAIL_HTML "html"

/* The longest subject kept, in characters; a longer one is cut with "…". */
#define EMAIL_SUBJECT_CHARS 200

/*
 * Is `s` an address herald sends from or to: local@domain in printable
 * ASCII, no spaces, quotes, angle brackets, commas or controls, a dot-atom
 * local part and a domain of letters, digits, '-' and '.' (or an address
 * literal in brackets)? 1 or 0.
 */
int email_address_valid(const char *s);

/*
 * Appends the Subject header's value for `text`: one line (every run of
 * whitespace, CR and LF included, one space; other controls dropped),
 * cut to EMAIL_SUBJECT_CHARS, and as RFC 2047 encoded-words
 * ("=?UTF-8?B?…?=", folded between words) when it holds anything but
 * printable ASCII or looks like an encoded-word itself. Invalid UTF-8 is
 * replaced by U+FFFD. What it appends never holds a bare CR or LF.
 */
void email_subject(struct strbuf *out, const char *text);

/* Appends an RFC 5322 date of unix time `t` in UTC: "Wed, 02 Dec 2026 05:06:03 +0000". */
void email_date(struct strbuf *out, long long t);

/*
 * Appends the Message-ID for delivery `id` sent from address `from`:
 * "<ID@DOMAIN>", DOMAIN the address's (or "mail.invalid"), ID the
 * delivery id with anything but letters, digits, '.', '_' and '-' left
 * out. The same delivery always gets the same Message-ID, so a retry is
 * recognisable as the same message.
 */
void email_message_id(struct strbuf *out, const char *id, const char *from);

/*
 * Parses a queued email body (see above) into its three strings, which
 * stay owned by *doc (the caller json_decref()s it). 0, or -1 when it is
 * not such an object (nothing said: the caller names the entry).
 */
int email_body_parse(const char *body, size_t len, json_t **doc, const char **subject,
		     const char **text, const char **html);

#endif
