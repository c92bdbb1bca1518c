#ifndef HERALD_TEMPLATE_H
#define HERALD_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "herald/strbuf.h"
#include "herald/usage.h"

/*
 * Mustache templates rendered over jansson values.
 *
 * The engine follows the Mustache spec (interpolation, sections, inverted
 * sections, comments, partials, set delimiters) plus its optional
 * inheritance ({{<parent}}, {{$block}}) and dynamic names ({{>*name}})
 * modules. Lambdas do not exist in JSON and are not supported.
 *
 * Parse once with template_parse(), render as often as needed with
 * template_render(), free with template_free().
 *
 * Values: a string renders as is, an integer in decimal, a real in the
 * shortest form that reads back the same ("1.21", "100"), true and false
 * as "true" and "false", null and missing names as nothing, and an object
 * or array as compact JSON with sorted keys. A name is looked up through
 * the context stack as the spec says; "a.b.c" descends into objects, and a
 * part made of digits indexes an array ("events.0.title").
 *
 * A section is skipped (and an inverted section rendered) when its value is
 * missing, null, false, 0, "" or an empty array. An array renders the
 * section once per element; any other value renders it once with the value
 * pushed on the context stack.
 */

/* How interpolated values are escaped. {{{x}}} and {{&x}} never are. */
enum template_escape {
	TEMPLATE_ESCAPE_NONE,	/* Markdown and plain text */
	TEMPLATE_ESCAPE_HTML,	/* & < > " ' become entities */
	TEMPLATE_ESCAPE_JSON,	/* content of a JSON string: \" \\ \n \u001f */
	/*
	 * Markdown text that shows as written and holds no live HTML: a
	 * backslash before \ ` * _ [ ] ( ) < > | ~ &, line breaks as
	 * spaces (so a value cannot start a block), for .md and .markdown.
	 */
	TEMPLATE_ESCAPE_MARKDOWN,
};

/*
 * The escaping that suits an output file name: ".html", ".htm", ".xml"
 * and ".atom" give HTML, ".json" gives JSON, ".md" and ".markdown" give
 * MARKDOWN, anything else (and NULL) NONE. The extension is compared without regard to case.
 */
enum template_escape template_escape_for(const char *filename);

/*
 * Where partials and parents come from. load() is called with the name in
 * the tag ({{>name}}, or the string a dynamic name resolves to) and must:
 *   - return LOOKUP_FOUND after appending the partial's source to `text` (it need not
 *     be NUL-terminated or valid UTF-8) and, optionally, the file name to
 *     use in error messages to `file` (the partial's name otherwise);
 *   - return LOOKUP_MISSING when there is no such partial: it renders as
 *     nothing;
 *   - return LOOKUP_ERROR after reporting an error with error(): rendering
 *     fails.
 * Both strbufs belong to the engine. `data` is passed through untouched.
 * Within one template_render() call each name is loaded and parsed once.
 * With a dynamic name ({{>*field}}) the name comes from the data, so a
 * loader that maps names to files must refuse "..", "/" and the like.
 */
struct template_partials {
	enum lookup (*load)(void *data, const char *name, struct strbuf *text,
			    struct strbuf *file);
	void *data;
};

/* Partials and parents nested deeper than this fail to render. */
#define TEMPLATE_MAX_DEPTH 64

struct template;

/*
 * Parses `len` bytes at `text`, which need not be NUL-terminated; the
 * template keeps its own copy, so `text` may be freed afterwards. `name`
 * (usually the file name) is copied too and prefixes error messages, which
 * read "NAME:LINE:COLUMN: message" with the 1-based line and byte column
 * of the offending tag.
 *
 * Returns a template the caller frees with template_free(), or NULL after
 * reporting the error with error() (unclosed or mismatched section, bad or
 * unclosed tag, bad set-delimiter tag, sections nested over 256 deep).
 */
struct template *template_parse(const char *name, const char *text,
				size_t len);

/* Frees a template; NULL is fine. */
void template_free(struct template *t);

/* The name given to template_parse(); owned by the template. */
const char *template_name(const struct template *t);

/*
 * Renders `t` with `context` as the root of the context stack, appending
 * to `out`. `context` is only read and stays the caller's. `escape` applies
 * to every {{name}} of this template and of its partials. `partials` may be
 * NULL, in which case every partial renders as nothing.
 *
 * Returns 0, or -1 after error() when a partial fails to load or parse or
 * partials nest deeper than TEMPLATE_MAX_DEPTH; on failure `out` is put
 * back to its length on entry.
 */
int template_render(const struct template *t, const json_t *context,
		    enum template_escape escape,
		    const struct template_partials *partials,
		    struct strbuf *out);

/*
 * Bounds on one rendering, whoever wrote the template: `steps` counts
 * every node rendered (a section over N items renders its nodes N times),
 * `output` the bytes appended. 0 means the default. A digest of 20,000
 * posts through the built-in templates renders within the defaults;
 * sections nested eight deep over 40 posts stop within about a second.
 */
#define TEMPLATE_MAX_STEPS 20000000ULL
#define TEMPLATE_MAX_OUTPUT ((size_t)64 << 20)
struct template_limits {
	unsigned long long steps;
	size_t output;
};

/*
 * template_render() with `limits` (NULL: the defaults). Going over one is
 * an error naming the template, line and column where rendering stopped;
 * `out` is put back as on any failure.
 */
int template_render_limited(const struct template *t, const json_t *context,
			    enum template_escape escape,
			    const struct template_partials *partials,
			    const struct template_limits *limits,
			    struct strbuf *out);

/*
 * A list the renderer asks for one element at a time, so that a digest of
 * 10,000 posts never holds every post's value at once. `placeholder` stands
 * for the list in the context: it must be an empty array and a member of
 * the root context (an object), and names the list by its identity. `nr` is the list's length; get() makes element `i` (a new
 * reference, dropped as soon as the section's pass over it is rendered).
 *
 * The list renders exactly as the array of get()'s elements would: a
 * section iterates it, calling get() once per element and pass; a truth
 * test and an inverted section read `nr`. What needs the list whole —
 * interpolating it or the object holding it ({{.}} at the root), or a dotted
 * name through it ("posts.0.title") — builds it whole once per rendering and
 * keeps it until the rendering ends.
 */
struct template_list {
	const json_t *placeholder;
	size_t nr;
	json_t *(*get)(void *data, size_t i);
	void *data;
	/*
	 * Optional, both or neither: elements whose costly members are made
	 * only when the template asks for them. A section walking the list
	 * one element at a time takes element `i` from part() instead of
	 * get(): the same object, less some members. Whenever a name is not
	 * found in it, fill(data, i, el, name) adds to `el` what get() would
	 * have held under `name` (if anything), and the name is looked up
	 * again; before `el` is interpolated whole ({{.}}), fill() is called
	 * with `name` NULL and must add everything get() would have held.
	 */
	json_t *(*part)(void *data, size_t i);
	void (*fill)(void *data, size_t i, json_t *el, const char *name);
};

/* template_render_limited() with `nr_lists` lazy lists in `context`. */
int template_render_lists(const struct template *t, const json_t *context,
			  enum template_escape escape,
			  const struct template_partials *partials,
			  const struct template_limits *limits,
			  const struct template_list *lists, size_t nr_lists,
			  struct strbuf *out);

#endif
