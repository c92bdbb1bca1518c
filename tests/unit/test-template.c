#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "herald/strbuf.h"
#include "herald/template.h"
#include "tap.h"

/* Partials from a JSON object of name -> source, as the spec files give them. */
static enum lookup load_from_object(void *data, const char *name, struct strbuf *text,
				    struct strbuf *file)
{
	const json_t *v = json_object_get(data, name);

	if (!json_is_string(v))
		return LOOKUP_MISSING;
	strbuf_add(text, json_string_value(v), json_string_length(v));
	strbuf_addf(file, "%s.mustache", name);
	return LOOKUP_FOUND;
}

/* stderr goes to a temporary file between capture_start() and capture_end(). */
static FILE *capture_file;
static int saved_stderr = -1;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(capture_file), 2);
}

static void capture_end(struct strbuf *sb)
{
	char buf[512];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture_file);
	strbuf_reset(sb);
	while ((n = fread(buf, 1, sizeof(buf), capture_file)) > 0)
		strbuf_add(sb, buf, n);
	fclose(capture_file);
	strbuf_rtrim(sb);
}

/*
 * Renders `tmpl` over the JSON text `data` with partials from the JSON
 * object text `partials` (or none); returns the output or NULL on error,
 * with the error message in `err` when it is given.
 */
static char *render(const char *tmpl, size_t len, const char *data,
		    const char *partials, enum template_escape escape,
		    struct strbuf *err)
{
	struct template_partials loader = { load_from_object, NULL };
	struct strbuf out = STRBUF_INIT;
	struct template *t = NULL;
	json_t *ctx = json_loads(data, JSON_DECODE_ANY, NULL);
	json_t *parts = partials ? json_loads(partials, 0, NULL) : NULL;
	char *ret = NULL;

	loader.data = parts;
	if (err)
		capture_start();
	t = template_parse("t.md", tmpl, len);
	if (t && !template_render(t, ctx, escape, &loader, &out))
		ret = strbuf_detach(&out, NULL);
	if (err)
		capture_end(err);
	template_free(t);
	strbuf_release(&out);
	json_decref(ctx);
	json_decref(parts);
	return ret;
}

static void check(const char *tmpl, const char *data, const char *partials,
		  enum template_escape escape, const char *want,
		  const char *what)
{
	char *got = render(tmpl, strlen(tmpl), data, partials, escape, NULL);

	is_str(got, want, "%s", what);
	free(got);
}

static void check_error(const char *tmpl, const char *data,
			const char *partials, const char *want,
			const char *what)
{
	struct strbuf err = STRBUF_INIT;
	char *got = render(tmpl, strlen(tmpl), data, partials,
			   TEMPLATE_ESCAPE_NONE, &err);

	ok(!got, "%s fails", what);
	is_str(err.buf, want, "%s: message", what);
	free(got);
	strbuf_release(&err);
}

static int spec_case(const char *file, json_t *test)
{
	struct template_partials loader = { load_from_object, NULL };
	struct strbuf out = STRBUF_INIT;
	struct template *t = NULL;
	const char *name = json_string_value(json_object_get(test, "name"));
	const json_t *tmpl = json_object_get(test, "template");
	const char *want = json_string_value(json_object_get(test, "expected"));
	const char *got = NULL;
	int ret;

	loader.data = json_object_get(test, "partials");
	t = template_parse("spec", json_string_value(tmpl),
			   json_string_length(tmpl));
	if (t && !template_render(t, json_object_get(test, "data"),
				  TEMPLATE_ESCAPE_HTML, &loader, &out))
		got = out.buf;
	ret = is_str(got, want ? want : "", "%s: %s", file, name ? name : "?");
	template_free(t);
	strbuf_release(&out);
	return ret;
}

static int is_json(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 5 && !strcmp(d->d_name + len - 5, ".json");
}

static void spec_suite(void)
{
	const char *shared = getenv("HERALD_SHARED");
	struct dirent **names = NULL;
	char *dir;
	int n, i;

	dir = xstrfmt("%s/spec/mustache", shared && *shared ? shared : "../shared");
	n = scandir(dir, &names, is_json, alphasort);
	if (n <= 0) {
		skip("%s not found", dir);
		free(names);
		free(dir);
		return;
	}
	for (i = 0; i < n; i++) {
		char *path = xstrfmt("%s/%s", dir, names[i]->d_name);
		json_error_t jerr;
		json_t *doc = json_load_file(path, 0, &jerr);
		json_t *tests = json_object_get(doc, "tests");
		size_t k, passed = 0;

		if (strstr(names[i]->d_name, "lambdas")) {
			skip("%s: lambdas need code in the data", names[i]->d_name);
		} else if (!json_is_array(tests)) {
			ok(0, "%s: %s", path, doc ? "no tests" : jerr.text);
		} else {
			for (k = 0; k < json_array_size(tests); k++)
				passed += spec_case(names[i]->d_name,
						    json_array_get(tests, k));
			diag("%s: %zu of %zu spec cases pass", names[i]->d_name,
			     passed, json_array_size(tests));
		}
		json_decref(doc);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
}

static void test_errors(void)
{
	check_error("a\n  {{#x}}\nb {{y}}\n", "{}", NULL,
		    "herald: error: t.md:2:3: unclosed section 'x'",
		    "unclosed section");
	check_error("{{#a}}\n {{#b}}x{{/a}}\n", "{}", NULL,
		    "herald: error: t.md:2:9: closing tag 'a' does not match 'b' opened at line 2",
		    "mismatched closing tag");
	check_error("ok\n{{/a}}", "{}", NULL,
		    "herald: error: t.md:2:1: closing tag 'a' without an opening tag",
		    "closing tag without opening");
	check_error("x {{name\n", "{}", NULL,
		    "herald: error: t.md:1:3: unclosed tag", "unclosed tag");
	check_error("x\n\t{{{name}}\n", "{}", NULL,
		    "herald: error: t.md:2:2: unclosed tag",
		    "unclosed triple mustache");
	check_error("{{=<% %>=}}\n<%a b%>", "{}", NULL,
		    "herald: error: t.md:2:1: bad tag name 'a b'",
		    "name with a space, new delimiters");
	check_error("{{= <% =}}", "{}", NULL,
		    "herald: error: t.md:1:1: bad set-delimiter tag ' <% '",
		    "bad set-delimiter");
	check_error("{{ }}", "{}", NULL, "herald: error: t.md:1:1: empty tag",
		    "empty tag");
	check_error("{{>p}}", "{}", "{\"p\": \"line\\n{{#q}}\"}",
		    "herald: error: p.mustache:2:1: unclosed section 'q'",
		    "error in a partial names the partial");
}

static void test_escaping(void)
{
	const char *data = "{\"s\": \"say \\\"hi\\\"\\n\\u0001\\\\ \\t</b>\"}";
	char *got;
	json_t *back;

	check("{\"v\": \"{{s}}\"}", data, NULL, TEMPLATE_ESCAPE_JSON,
	      "{\"v\": \"say \\\"hi\\\"\\n\\u0001\\\\ \\t</b>\"}",
	      "JSON mode escapes quotes, newline, control characters");
	got = render("{\"v\": \"{{s}}\"}", 14, data, NULL, TEMPLATE_ESCAPE_JSON,
		     NULL);
	back = got ? json_loads(got, 0, NULL) : NULL;
	ok(back && !strcmp(json_string_value(json_object_get(back, "v")),
			   "say \"hi\"\n\001\\ \t</b>"),
	   "JSON mode output reads back as the same string");
	json_decref(back);
	free(got);

	data = "{\"s\": \"<script>&\\\"'\"}";
	check("{{s}}", data, NULL, TEMPLATE_ESCAPE_HTML,
	      "&lt;script&gt;&amp;&quot;&#39;", "HTML mode escapes <>&\"'");
	check("{{{s}}}|{{&s}}", data, NULL, TEMPLATE_ESCAPE_HTML,
	      "<script>&\"'|<script>&\"'", "triple mustache and & never escape");
	check("{{s}}", data, NULL, TEMPLATE_ESCAPE_NONE, "<script>&\"'",
	      "NONE mode leaves text alone");
	check("{{{s}}}", data, NULL, TEMPLATE_ESCAPE_JSON, "<script>&\"'",
	      "triple mustache is raw in JSON mode too");

	is_int(template_escape_for("feed.atom"), TEMPLATE_ESCAPE_HTML, "escape for .atom");
	is_int(template_escape_for("a/notes.HTML"), TEMPLATE_ESCAPE_HTML, "escape for .HTML");
	is_int(template_escape_for("x.htm"), TEMPLATE_ESCAPE_HTML, "escape for .htm");
	is_int(template_escape_for("sitemap.xml"), TEMPLATE_ESCAPE_HTML, "escape for .xml");
	is_int(template_escape_for("payload.json"), TEMPLATE_ESCAPE_JSON, "escape for .json");
	is_int(template_escape_for("notes.md"), TEMPLATE_ESCAPE_MARKDOWN, "escape for .md");
	is_int(template_escape_for("dir.html/notes"), TEMPLATE_ESCAPE_NONE, "escape for a dotted folder");
	is_int(template_escape_for(NULL), TEMPLATE_ESCAPE_NONE, "escape for NULL");
}

static void test_values(void)
{
	check("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	      "{\"a\": 1.21, \"b\": 100.0, \"c\": 0.1, \"d\": 1e20, \"e\": -7, \"f\": 0.30000000000000004}",
	      NULL, TEMPLATE_ESCAPE_NONE, "1.21 100 0.1 1e+20 -7 0.30000000000000004",
	      "numbers");
	check("[{{t}}|{{f}}|{{n}}|{{missing}}]",
	      "{\"t\": true, \"f\": false, \"n\": null}", NULL,
	      TEMPLATE_ESCAPE_NONE, "[true|false||]", "booleans and null");
	check("{{o}} {{a}}", "{\"o\": {\"b\": 1, \"a\": [1, \"x\"]}, \"a\": []}",
	      NULL, TEMPLATE_ESCAPE_HTML,
	      "{&quot;a&quot;:[1,&quot;x&quot;],&quot;b&quot;:1} []",
	      "objects and arrays interpolate as compact JSON");
	check("{{#s}}S{{/s}}{{#z}}Z{{/z}}{{#r}}R{{/r}}{{#o}}O{{/o}}{{^s}}!s{{/s}}",
	      "{\"s\": \"\", \"z\": 0, \"r\": 0.0, \"o\": {}}", NULL,
	      TEMPLATE_ESCAPE_NONE, "O!s", "\"\" and 0 are falsy, {} is not");
	check("{{events.1.title}}|{{events.9.title}}|{{#events}}{{title}},{{/events}}",
	      "{\"events\": [{\"title\": \"a\"}, {\"title\": \"b\"}]}", NULL,
	      TEMPLATE_ESCAPE_NONE, "b||a,b,", "array indexes in dotted names");
	check("{{x}}", "[1, 2]", NULL, TEMPLATE_ESCAPE_NONE, "",
	      "a context that is not an object");
	check("{{.}}", "\"top\"", NULL, TEMPLATE_ESCAPE_NONE, "top",
	      "implicit iterator on the root");
}

static void test_buffers(void)
{
	static const char full[] = "Hi {{name}}!{{#list}} {{.}}{{/list}}";
	const char *cuts[] = { "Hi {{", "Hi {{name", "Hi {{name}",
			       "{{#a}}x{{/a", "{{{x}}", "{{=<% %>", "{{!" };
	const char *data = "{\"name\": \"Bob\", \"list\": [1, 2]}";
	struct strbuf err = STRBUF_INIT;
	char *buf, *got;
	size_t i, len;

	/* exactly the bytes, no terminator: ASan and valgrind see any over-read */
	buf = xmalloc(sizeof(full) - 1);
	memcpy(buf, full, sizeof(full) - 1);
	got = render(buf, sizeof(full) - 1, data, NULL, TEMPLATE_ESCAPE_NONE, NULL);
	is_str(got, "Hi Bob! 1 2", "input without a NUL terminator");
	free(got);
	free(buf);

	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		len = strlen(cuts[i]);
		buf = xmalloc(len);
		memcpy(buf, cuts[i], len);
		got = render(buf, len, data, NULL, TEMPLATE_ESCAPE_NONE, &err);
		ok(!got && err.len, "unterminated input '%s' fails cleanly", cuts[i]);
		free(got);
		free(buf);
	}
	buf = xmalloc(3);
	memcpy(buf, "a{b", 3);
	got = render(buf, 3, data, NULL, TEMPLATE_ESCAPE_NONE, NULL);
	is_str(got, "a{b", "a lone brace at the end");
	free(got);
	free(buf);

	got = render("", 0, data, NULL, TEMPLATE_ESCAPE_NONE, NULL);
	is_str(got, "", "empty template");
	free(got);
	strbuf_release(&err);
}

static void test_reuse_and_failure(void)
{
	struct template *t = template_parse("r.md", "{{x}};", 6);
	struct strbuf out = STRBUF_INIT;
	json_t *a = json_pack("{s:i}", "x", 1);
	json_t *b = json_pack("{s:s}", "x", "two");
	struct template_partials loader = { load_from_object, NULL };
	json_t *parts = json_pack("{s:s}", "self", "x{{>self}}");
	struct template *rec = template_parse("rec.md", "keep{{>self}}", 13);
	struct strbuf err = STRBUF_INIT;
	const char *name;
	int ret;

	ok(t && !template_render(t, a, TEMPLATE_ESCAPE_NONE, NULL, &out) &&
	   !template_render(t, b, TEMPLATE_ESCAPE_NONE, NULL, &out) &&
	   !template_render(t, NULL, TEMPLATE_ESCAPE_NONE, NULL, &out),
	   "one parse, three renders");
	is_str(out.buf, "1;two;;", "renders append to the buffer");
	name = t ? template_name(t) : NULL;
	is_str(name, "r.md", "template_name");

	loader.data = parts;
	capture_start();
	ret = template_render(rec, NULL, TEMPLATE_ESCAPE_NONE, &loader, &out);
	capture_end(&err);
	ok(ret == -1, "infinite partial recursion fails");
	is_str(err.buf, "herald: error: self.mustache:1:2: partials nested deeper than 64 at 'self'",
	       "recursion message");
	is_str(out.buf, "1;two;;", "a failed render leaves the buffer as it was");

	check_error("{{<p}}{{$a}}{{$a}}x{{/a}}{{/a}}{{/p}}", "{}",
		    "{\"p\": \"{{$a}}{{/a}}\"}",
		    "herald: error: t.md:1:13: partials nested deeper than 64 at 'a'",
		    "a block that expands itself fails");
	check("{{>p}}", "{\"n\": [{\"n\": [{\"n\": []}]}]}",
	      "{\"p\": \"<{{#n}}{{>p}}{{/n}}>\"}", TEMPLATE_ESCAPE_NONE,
	      "<<<>>>", "bounded recursion through data works");
	check("a{{>missing}}b", "{}", NULL, TEMPLATE_ESCAPE_NONE, "ab",
	      "a missing partial renders as nothing");

	json_decref(parts);
	json_decref(a);
	json_decref(b);
	template_free(t);
	template_free(rec);
	strbuf_release(&out);
	strbuf_release(&err);
}

static void test_indentation(void)
{
	check("<ul>\n  {{>item}}\n</ul>\n", "{\"x\": \"a\\nb\"}",
	      "{\"item\": \"<li>\\n{{x}}\\n</li>\\n\"}", TEMPLATE_ESCAPE_NONE,
	      "<ul>\n  <li>\n  a\nb\n  </li>\n</ul>\n",
	      "standalone partial indents template lines, not data");
	check("  {{>outer}}\n", "{}",
	      "{\"outer\": \"o\\n  {{>inner}}\\n\", \"inner\": \"i1\\ni2\\n\"}",
	      TEMPLATE_ESCAPE_NONE, "  o\n    i1\n    i2\n",
	      "nested standalone partials add up");
	check("  {{>outer}}\n", "{}",
	      "{\"outer\": \"o {{>inner}} o\\n\", \"inner\": \"i1\\ni2\"}",
	      TEMPLATE_ESCAPE_NONE, "  o i1\n  i2 o\n",
	      "an inline partial is not indented twice");
	check("{{<layout}}\n{{$title}}Notes{{/title}}\n{{$body}}\n<p>a</p>\n  <p>b</p>\n{{/body}}\n{{/layout}}\n",
	      "{}",
	      "{\"layout\": \"<h1>{{$title}}Untitled{{/title}}</h1>\\n<main>\\n    {{$body}}\\n    {{/body}}\\n</main>\\n\"}",
	      TEMPLATE_ESCAPE_NONE,
	      "<h1>Notes</h1>\n<main>\n    <p>a</p>\n      <p>b</p>\n</main>\n",
	      "a layout re-indents the blocks it receives");
	check("{{<*kind}}{{$b}}over{{/b}}{{/*kind}}", "{\"kind\": \"p\"}",
	      "{\"p\": \"[{{$b}}default{{/b}}]\"}", TEMPLATE_ESCAPE_NONE,
	      "[over]", "a parent with a dynamic name");
}

int main(void)
{
	spec_suite();
	test_errors();
	test_escaping();
	test_values();
	test_buffers();
	test_reuse_and_failure();
	test_indentation();
	return done_testing();
}
