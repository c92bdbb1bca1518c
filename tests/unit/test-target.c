/*
 * Small rules of the trust boundary, as tables: which hosts are this
 * machine, how a receiver's wait is clamped, how text is shown on a
 * terminal, and that rendering stops within its limits.
 */
#include <stdlib.h>
#include <string.h>

#include "herald/deliver.h"
#include "herald/strbuf.h"
#include "herald/target.h"
#include "herald/template.h"
#include "herald/usage.h"
#include "tap.h"

static void test_loopback(void)
{
	static const struct {
		const char *host;
		int loopback;
	} cases[] = {
		{ "localhost", 1 },
		{ "LOCALHOST", 1 },
		{ "localhost.", 1 },
		{ "127.0.0.1", 1 },
		{ "127.1.2.3", 1 },
		{ "127.255.255.254", 1 },
		{ "[::1]", 1 },
		{ "::1", 1 },
		{ "[::ffff:127.0.0.1]", 1 },
		{ "127.attacker.example", 0 },
		{ "127.0.0.1.nip.io", 0 },
		{ "127.", 0 },
		{ "127", 0 },
		{ "128.0.0.1", 0 },
		{ "10.0.0.1", 0 },
		{ "localhost.attacker.example", 0 },
		{ "[::2]", 0 },
		{ "[::ffff:10.0.0.1]", 0 },
		{ "", 0 },
		{ "[", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		ok(target_host_is_loopback(cases[i].host) == cases[i].loopback,
		   "loopback '%s': %s", cases[i].host, cases[i].loopback ? "yes" : "no");
}

static void test_retry_after(void)
{
	is_int(deliver_clamp_retry_after(0), 0, "Retry-After 0");
	is_int(deliver_clamp_retry_after(-5), 0, "a negative Retry-After is 0");
	is_int(deliver_clamp_retry_after(120), 120, "Retry-After 120 stands");
	is_int(deliver_clamp_retry_after(86400), 86400, "a day stands");
	is_int(deliver_clamp_retry_after(86401), 86400, "more than a day is a day");
	is_int(deliver_clamp_retry_after(9223372036854775807LL), 86400,
	       "9223372036854775807 is a day");
}

static void test_printable(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain text", "plain text" },
		{ "caf\xc3\xa9 \xf0\x9f\x8e\x89", "caf\xc3\xa9 \xf0\x9f\x8e\x89" },
		{ "\x1b[2J\x1b]0;owned\x07", "\\x1b[2J\\x1b]0;owned\\x07" },
		{ "a\nb\tc\rd", "a\\nb\\tc\\rd" },
		{ "del\x7f", "del\\x7f" },
		{ "csi \xc2\x9b" "31m", "csi \\u009b31m" },
		{ "nel \xc2\x85", "nel \\u0085" },
		{ "rlo \xe2\x80\xae" "abc", "rlo \\u202eabc" },
		{ "lri \xe2\x81\xa6", "lri \\u2066" },
		{ "bad \xff byte", "bad \xef\xbf\xbd byte" },
		{ "lone \x9b", "lone \xef\xbf\xbd" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = printable(cases[i].in);
		is_str(got, cases[i].out, "printable case %zu", i);
		free(got);
	}
	{
		char *got = printable(NULL);
		is_str(got, "", "printable(NULL) is empty");
		free(got);
	}
}

static void test_limits(void)
{
	json_t *posts = json_array(), *ctx;
	struct strbuf out = STRBUF_INIT, src = STRBUF_INIT, why = STRBUF_INIT;
	struct template_limits small = { .steps = 100, .output = 1000 };
	struct template *t;
	int i, rc;

	for (i = 0; i < 40; i++)
		json_array_append_new(posts, json_pack("{s:i}", "n", i));
	ctx = json_pack("{s:o}", "posts", posts);
	for (i = 0; i < 8; i++)
		strbuf_addstr(&src, "{{#posts}}");
	strbuf_addstr(&src, "{{n}}");
	for (i = 0; i < 8; i++)
		strbuf_addstr(&src, "{{/posts}}");
	t = template_parse("deep.md", src.buf, src.len);
	ok(t != NULL, "eight nested sections parse");
	usage_capture(&why);
	rc = template_render(t, ctx, TEMPLATE_ESCAPE_NONE, NULL, &out);
	usage_capture(NULL);
	ok(rc < 0 && !out.len, "eight nested sections over 40 items stop (default limits)");
	ok(strstr(why.buf, "deep.md:1:") && strstr(why.buf, "rendering stopped after"),
	   "the error names the template and where: %s", why.buf);
	template_free(t);

	strbuf_reset(&why);
	t = template_parse("two.md", "{{#posts}}{{#posts}}x{{/posts}}{{/posts}}",
			   strlen("{{#posts}}{{#posts}}x{{/posts}}{{/posts}}"));
	usage_capture(&why);
	rc = template_render_limited(t, ctx, TEMPLATE_ESCAPE_NONE, NULL, NULL, &out);
	usage_capture(NULL);
	ok(!rc && out.len == 1600, "two nested sections over 40 items render (1600 bytes)");
	strbuf_reset(&out);
	usage_capture(&why);
	rc = template_render_limited(t, ctx, TEMPLATE_ESCAPE_NONE, NULL, &small, &out);
	usage_capture(NULL);
	ok(rc < 0 && !out.len && strstr(why.buf, "two.md:1:"), "a step limit of 100 stops them: %s", why.buf);
	template_free(t);

	strbuf_reset(&why);
	small.steps = 0;
	strbuf_reset(&src);
	strbuf_addstr(&src, "{{#posts}}0123456789012345678901234567890123456789{{/posts}}");
	t = template_parse("big.md", src.buf, src.len);
	usage_capture(&why);
	rc = template_render_limited(t, ctx, TEMPLATE_ESCAPE_NONE, NULL, &small, &out);
	usage_capture(NULL);
	ok(rc < 0 && !out.len && strstr(why.buf, "the output is over 1000 bytes"),
	   "an output limit of 1000 bytes stops 1600: %s", why.buf);
	template_free(t);

	json_decref(ctx);
	strbuf_release(&out);
	strbuf_release(&src);
	strbuf_release(&why);
}

int main(void)
{
	test_loopback();
	test_retry_after();
	test_printable();
	test_limits();
	return done_testing();
}
