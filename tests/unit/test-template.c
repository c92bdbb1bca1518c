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

/*
 * Lazy lists for tests: every array member of a root object becomes a
 * template_list whose get() hands out its elements. With `copies`, each
 * element is a deep copy of its own (so a renderer that kept one after
 * dropping it is a use after free for ASan); else the element itself with
 * one more reference, so the test can see which are still held.
 */
struct lazy_src {
	json_t *items;
	int copies;
	size_t gets;
	size_t held, max_held; /* handed out and not yet dropped, at a get() */
};

struct lazy_ctx {
	json_t *root;		/* with the placeholders */
	struct template_list lists[8];
	struct lazy_src srcs[8];
	size_t nr;
};

static size_t lazy_held(const struct lazy_src *src)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(src->items); i++)
		n += json_array_get(src->items, i)->refcount > 1;
	return n;
}

static json_t *lazy_get_test(void *data, size_t i)
{
	struct lazy_src *src = data;
	json_t *v = json_array_get(src->items, i);

	src->gets++;
	if (src->copies)
		return json_deep_copy(v);
	src->held = lazy_held(src);
	if (src->held > src->max_held)
		src->max_held = src->held;
	return json_incref(v);
}

/* Makes `data`'s root arrays lazy; 0 when there are none (or it is no object). */
static size_t lazy_open(struct lazy_ctx *c, const json_t *data, int copies)
{
	const char *key;
	json_t *v;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(data))
		return 0;
	c->root = json_copy((json_t *)data);
	json_object_foreach((json_t *)data, key, v) {
		json_t *placeholder;

		if (!json_is_array(v) || c->nr == ARRAY_SIZE(c->lists))
			continue;
		placeholder = json_array();
		c->srcs[c->nr].items = v;
		c->srcs[c->nr].copies = copies;
		c->lists[c->nr].placeholder = placeholder;
		c->lists[c->nr].nr = json_array_size(v);
		c->lists[c->nr].get = lazy_get_test;
		c->lists[c->nr].data = &c->srcs[c->nr];
		json_object_set_new(c->root, key, placeholder);
		c->nr++;
	}
	return c->nr;
}

static void lazy_close(struct lazy_ctx *c)
{
	json_decref(c->root);
	memset(c, 0, sizeof(*c));
}

static int spec_case_lazy(const char *file, json_t *test)
{
	struct template_partials loader = { load_from_object, NULL };
	struct strbuf out = STRBUF_INIT;
	struct template *t = NULL;
	struct lazy_ctx c;
	const char *name = json_string_value(json_object_get(test, "name"));
	const json_t *tmpl = json_object_get(test, "template");
	const char *want = json_string_value(json_object_get(test, "expected"));
	const char *got = NULL;
	int ret;

	if (!lazy_open(&c, json_object_get(test, "data"), 1)) {
		lazy_close(&c);
		return -1;
	}
	loader.data = json_object_get(test, "partials");
	t = template_parse("spec", json_string_value(tmpl),
			   json_string_length(tmpl));
	if (t && !template_render_lists(t, c.root, TEMPLATE_ESCAPE_HTML, &loader,
					NULL, c.lists, c.nr, &out))
		got = out.buf;
	ret = is_str(got, want ? want : "", "%s: %s (its lists lazy)", file,
		     name ? name : "?");
	template_free(t);
	strbuf_release(&out);
	lazy_close(&c);
	return ret;
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
		size_t k, passed = 0, lazy = 0, lazy_passed = 0;

		if (strstr(names[i]->d_name, "lambdas")) {
			skip("%s: lambdas need code in the data", names[i]->d_name);
		} else if (!json_is_array(tests)) {
			ok(0, "%s: %s", path, doc ? "no tests" : jerr.text);
		} else {
			for (k = 0; k < json_array_size(tests); k++) {
				int r;

				passed += spec_case(names[i]->d_name,
						    json_array_get(tests, k));
				/* again, its lists given one element at a time */
				r = spec_case_lazy(names[i]->d_name,
						   json_array_get(tests, k));
				lazy += r >= 0;
				lazy_passed += r > 0;
			}
			diag("%s: %zu of %zu spec cases pass; %zu of the %zu with lists "
			     "pass with them lazy", names[i]->d_name, passed,
			     json_array_size(tests), lazy_passed, lazy);
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

/*
 * Renders `tmpl` over the JSON text `data` with its root arrays lazy (their
 * elements lent, so `c` tells what was asked for and what is still held);
 * the output, or NULL on error. `c` stays open for the caller to look at.
 */
static char *render_lazy(struct lazy_ctx *c, const char *tmpl, const char *data,
			 const char *partials, enum template_escape escape)
{
	struct template_partials loader = { load_from_object, NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	json_t *ctx = json_loads(data, 0, NULL);
	json_t *parts = partials ? json_loads(partials, 0, NULL) : NULL;
	struct template *t = template_parse("t.md", tmpl, strlen(tmpl));
	char *ret = NULL;

	loader.data = parts;
	lazy_open(c, ctx, 0);
	capture_start();
	if (t && !template_render_lists(t, c->root, escape, &loader, NULL,
					c->lists, c->nr, &out))
		ret = strbuf_detach(&out, NULL);
	capture_end(&err);
	template_free(t);
	strbuf_release(&out);
	strbuf_release(&err);
	json_decref(parts);
	/* the sources' arrays live in ctx: one reference more, held by c->root's copy */
	json_decref(ctx);
	return ret;
}

/* Nothing handed out is still held once the rendering is over. */
static int lazy_all_dropped(const struct lazy_ctx *c)
{
	size_t k;

	for (k = 0; k < c->nr; k++)
		if (lazy_held(&c->srcs[k]))
			return 0;
	return 1;
}

static void test_lazy(void)
{
	struct lazy_ctx c;
	char *got, *want;

	got = render_lazy(&c, "{{#a}}<{{n}}>{{/a}}", "{\"a\": [{\"n\": 1}, {\"n\": 2}, {\"n\": 3}]}",
			  NULL, TEMPLATE_ESCAPE_NONE);
	is_str(got, "<1><2><3>", "a section iterates a lazy list");
	ok(c.srcs[0].gets == 3 && c.srcs[0].max_held == 0 && lazy_all_dropped(&c),
	   "each element asked for once, and dropped before the next (%zu gets, %zu held at most)",
	   c.srcs[0].gets, c.srcs[0].max_held);
	free(got);
	lazy_close(&c);

	got = render_lazy(&c, "{{#a}}{{#b}}{{x}}{{n}}{{^last}},{{/last}}{{/b}};{{/a}}",
			  "{\"a\": [{\"x\": \"p\"}, {\"x\": \"q\"}],"
			  " \"b\": [{\"n\": 1}, {\"n\": 2, \"last\": true}]}",
			  NULL, TEMPLATE_ESCAPE_NONE);
	is_str(got, "p1,p2;q1,q2;", "nested sections over two lazy lists see both contexts");
	ok(c.srcs[0].gets + c.srcs[1].gets == 6 && lazy_all_dropped(&c),
	   "the inner list is asked for once per outer element");
	free(got);
	lazy_close(&c);

	got = render_lazy(&c, "{{#a}}{{#a}}{{.}}{{/a}}|{{/a}}", "{\"a\": [[1], [2], [3]]}",
			  NULL, TEMPLATE_ESCAPE_NONE);
	is_str(got, "[1][2][3]|[1][2][3]|[1][2][3]|", "a lazy list nested in itself");
	/*
	 * Walked inside its own walk, the list is made whole once (3 gets
	 * besides the outer walk's 3), so a runaway nesting costs what it
	 * costs on any list and the step limit stops it as fast (t0029).
	 */
	ok(c.srcs[0].gets == 6 && lazy_all_dropped(&c),
	   "walked inside its own walk, it is made whole once (%zu gets), and all dropped at the end",
	   c.srcs[0].gets);
	free(got);
	lazy_close(&c);

	got = render_lazy(&c, "{{^a}}none{{/a}}{{#a}}x{{/a}}{{^b}}no b{{/b}}.",
			  "{\"a\": [], \"b\": [0]}", NULL, TEMPLATE_ESCAPE_NONE);
	is_str(got, "none.", "an inverted section over an empty lazy list renders; a section does not");
	ok(!c.srcs[0].gets && !c.srcs[1].gets, "truth is the length: no element made");
	free(got);
	lazy_close(&c);

	{
		static const char tmpl[] = "{{a}} {{{a}}} {{a.1.n}} {{#a.0}}{{n}}{{/a.0}} {{#a}}{{n}}{{/a}}";
		static const char data[] = "{\"a\": [{\"n\": \"<1>\"}, {\"n\": 2}]}";

		got = render_lazy(&c, tmpl, data, NULL, TEMPLATE_ESCAPE_HTML);
		want = render(tmpl, strlen(tmpl), data, NULL, TEMPLATE_ESCAPE_HTML, NULL);
	}
	is_str(got, want ? want : "?", "interpolated and indexed, a lazy list is the list");
	ok(c.srcs[0].gets == 2 && lazy_all_dropped(&c),
	   "made whole once, for the rest of the rendering (%zu gets)", c.srcs[0].gets);
	free(got);
	free(want);
	lazy_close(&c);

	got = render_lazy(&c, "{{.}}|{{#o}}{{.}}{{/o}}", "{\"a\": [1, 2], \"o\": {\"k\": 1}, \"s\": \"x\"}",
			  NULL, TEMPLATE_ESCAPE_NONE);
	is_str(got, "{\"a\":[1,2],\"o\":{\"k\":1},\"s\":\"x\"}|{\"k\":1}",
	       "the root dumped holds its lazy list whole");
	free(got);
	lazy_close(&c);

	got = render_lazy(&c, "{{>*l}}{{#a}}{{>*p}}{{/a}}", "{\"a\": [{\"p\": \"q\"}], \"l\": []}",
			  "{\"q\": \"[{{#l}}x{{/l}}{{^l}}empty{{/l}}]\", \"l\": \"no\"}",
			  TEMPLATE_ESCAPE_NONE);
	is_str(got, "[empty]", "a lazy list names no partial; a partial sees it through the stack");
	free(got);
	lazy_close(&c);

	/* a failure halfway drops what it holds and keeps no output */
	got = render_lazy(&c, "{{#a}}{{n}}{{#bad}}{{>nope}}{{/bad}}{{/a}}",
			  "{\"a\": [{\"n\": 1}, {\"n\": 2, \"bad\": true}]}",
			  "{\"nope\": \"{{#x}}\"}", TEMPLATE_ESCAPE_NONE);
	ok(!got && lazy_all_dropped(&c), "a partial that fails mid-list: an error, nothing held");
	lazy_close(&c);
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
	test_lazy();
	return done_testing();
}
