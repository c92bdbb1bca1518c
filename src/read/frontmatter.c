#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "herald/frontmatter.h"
#include "herald/strbuf.h"
#include "herald/toml.h"
#include "herald/usage.h"
#include "herald/utf8.h"
#include "herald/banned.h"

/*
 * The top-level keys' positions, in the order read, their names in one
 * buffer: a JSON object of [line, column] arrays was a third of the
 * allocations of a parse. A key read twice has its last position.
 */
struct key_position {
	size_t name; /* offset in `names` */
	int line, column;
	int quoted;  /* the value was a quoted scalar (or tagged !!str) */
};

struct frontmatter_positions {
	unsigned refs;
	struct key_position *v;
	size_t nr, alloc;
	struct strbuf names;
};

static void positions_add(struct frontmatter *fm, const char *key, int line, int column)
{
	struct frontmatter_positions *p = fm->positions;

	if (!p) {
		p = fm->positions = xcalloc(1, sizeof(*p));
		p->refs = 1;
		strbuf_init(&p->names, 0);
	}
	ALLOC_GROW(p->v, p->nr + 1, p->alloc);
	p->v[p->nr++] = (struct key_position){ p->names.len, line, column, 0 };
	strbuf_add(&p->names, key, strlen(key) + 1);
}

static struct key_position *positions_find(const struct frontmatter *fm, const char *key)
{
	const struct frontmatter_positions *p = fm->positions;
	size_t i;

	for (i = p ? p->nr : 0; i-- > 0;)
		if (!strcmp(p->names.buf + p->v[i].name, key))
			return &p->v[i];
	return NULL;
}

static void positions_release(struct frontmatter_positions *p)
{
	if (!p || --p->refs)
		return;
	free(p->v);
	strbuf_release(&p->names);
	free(p);
}

void frontmatter_init(struct frontmatter *fm)
{
	memset(fm, 0, sizeof(*fm));
}

void frontmatter_release(struct frontmatter *fm)
{
	size_t i;

	json_decref(fm->data);
	positions_release(fm->positions);
	for (i = 0; i < fm->nr_problems; i++)
		free(fm->problems[i].message);
	free(fm->problems);
	frontmatter_init(fm);
}

static void copy(struct frontmatter *dst, const struct frontmatter *src, bool deep)
{
	size_t i;

	*dst = *src;
	dst->data = src->data && deep ? json_deep_copy(src->data) : json_incref(src->data);
	if (src->data && !dst->data)
		die("out of memory copying front matter");
	/* read only once parsed: shared */
	if (dst->positions)
		dst->positions->refs++;
	dst->problems = NULL;
	dst->alloc_problems = 0;
	ALLOC_GROW(dst->problems, src->nr_problems, dst->alloc_problems);
	for (i = 0; i < src->nr_problems; i++) {
		dst->problems[i] = src->problems[i];
		dst->problems[i].message = xstrdup(src->problems[i].message);
	}
}

void frontmatter_copy(struct frontmatter *dst, const struct frontmatter *src)
{
	copy(dst, src, true);
}

void frontmatter_share(struct frontmatter *dst, const struct frontmatter *src)
{
	copy(dst, src, false);
}

__attribute__((format(printf, 5, 6)))
static int add_problem(struct frontmatter *fm, int is_error, int line,
		       int column, const char *fmt, ...)
{
	struct frontmatter_problem *p;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(fm->problems, fm->nr_problems + 1, fm->alloc_problems);
	p = &fm->problems[fm->nr_problems++];
	p->line = line;
	p->column = column;
	p->is_error = is_error;
	p->message = strbuf_detach(&sb, NULL);
	if (is_error)
		fm->invalid = 1;
	return -1;
}

const struct frontmatter_problem *frontmatter_first_error(const struct frontmatter *fm)
{
	size_t i;

	for (i = 0; i < fm->nr_problems; i++)
		if (fm->problems[i].is_error)
			return &fm->problems[i];
	return NULL;
}

static int word_in(const json_t *v, const char *const *words)
{
	const char *s;
	char num[32];

	if (json_is_true(v))
		return !strcmp(words[0], "true");
	if (json_is_false(v))
		return !strcmp(words[0], "false");
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
	} else {
		return 0;
	}
	for (; *words; words++)
		if (!strcasecmp(s, *words))
			return 1;
	return 0;
}

int frontmatter_key_position(const struct frontmatter *fm, const char *key,
			     int *line, int *column)
{
	const struct key_position *pos = positions_find(fm, key);

	*line = *column = 0;
	if (!pos)
		return -1;
	*line = pos->line;
	*column = pos->column;
	return 0;
}

int frontmatter_value_quoted(const struct frontmatter *fm, const char *key)
{
	const struct key_position *pos = positions_find(fm, key);

	return pos && pos->quoted;
}

int frontmatter_truthy(const json_t *v)
{
	static const char *const words[] = { "true", "yes", "on", "1", NULL };
	return v && word_in(v, words);
}

int frontmatter_falsy(const json_t *v)
{
	static const char *const words[] = { "false", "no", "off", "0", NULL };
	return v && word_in(v, words);
}

/* ---- YAML to JSON, through libyaml's event parser ---- */

struct anchor {
	char *name;
	json_t *value;
	size_t nodes;
};

struct frame {
	json_t *node;     /* object or array being filled */
	char *anchor;     /* anchor to define when the node ends */
	size_t nodes_at_start;
	json_t *key;      /* pending key (a string), objects only */
	int key_line, key_col;
	int key_is_merge; /* the pending key is a plain `<<` */
	json_t *merged;   /* keys that came from `<<`, so no duplicate warning */
};

struct yaml_builder {
	struct frontmatter *fm;
	int line0; /* file line of the YAML text's first line */
	struct frame stack[FRONTMATTER_MAX_DEPTH + 1];
	int depth;
	struct anchor *anchors;
	size_t nr_anchors, alloc_anchors;
	size_t nodes;
	int aliased; /* an alias has been expanded */
	json_t *root;
};

static int mark_line(struct yaml_builder *b, yaml_mark_t m)
{
	return b->line0 + (int)m.line;
}

static int mark_col(yaml_mark_t m)
{
	return (int)m.column + 1;
}

static int is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int is_float_text(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		s++, digits++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits++;
	} else if (*s != 'e' && *s != 'E') {
		return 0;
	}
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return !*s;
}

/*
 * The contract's typing: plain true/false are booleans, plain numbers are
 * numbers, plain null/~/empty is null; quoted values, dates and everything
 * else are strings.
 */
static json_t *scalar_value(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;

	if (tag && !strcmp(tag, YAML_STR_TAG))
		return json_stringn(s, len);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    memchr(s, '\0', len))
		return json_stringn(s, len);
	if (!len || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return json_null();
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return json_true();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return json_false();
	if (is_int_text(s)) {
		char *end;
		long long n;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (!errno && !*end)
			return json_integer(n);
		return json_stringn(s, len);
	}
	if (is_float_text(s))
		return json_real(strtod(s, NULL));
	return json_stringn(s, len);
}

static struct anchor *find_anchor(struct yaml_builder *b, const char *name)
{
	size_t i;

	for (i = b->nr_anchors; i > 0; i--)
		if (!strcmp(b->anchors[i - 1].name, name))
			return &b->anchors[i - 1];
	return NULL;
}

static void define_anchor(struct yaml_builder *b, const char *name,
			  json_t *value, size_t nodes)
{
	struct anchor *a = find_anchor(b, name);

	if (!a) {
		ALLOC_GROW(b->anchors, b->nr_anchors + 1, b->alloc_anchors);
		a = &b->anchors[b->nr_anchors++];
		a->name = xstrdup(name);
	} else {
		json_decref(a->value);
	}
	a->value = json_incref(value);
	a->nodes = nodes;
}

static void merge_into(struct frame *f, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v) {
		if (json_object_get(f->node, k))
			continue;
		json_object_set(f->node, k, v);
		if (!f->merged)
			f->merged = json_object();
		json_object_set_new(f->merged, k, json_true());
	}
}

/* Places a finished value (a new reference) into its parent. */
static int place(struct yaml_builder *b, json_t *value, yaml_mark_t m)
{
	struct frame *f;

	if (!value)
		return add_problem(b->fm, 1, mark_line(b, m), mark_col(m),
				   "value is not valid UTF-8 text");
	if (!b->depth) {
		json_decref(b->root);
		b->root = value;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (json_is_array(f->node))
		return json_array_append_new(f->node, value) ? -1 : 0;
	if (!f->key) {
		/* a key: it must be a scalar */
		char num[64];
		const char *k = NULL;

		if (json_is_string(value))
			k = json_string_value(value);
		else if (json_is_null(value))
			k = "null";
		else if (json_is_true(value))
			k = "true";
		else if (json_is_false(value))
			k = "false";
		else if (json_is_integer(value)) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(value));
			k = num;
		} else if (json_is_real(value)) {
			snprintf(num, sizeof(num), "%.17g", json_real_value(value));
			k = num;
		}
		if (!k) {
			json_decref(value);
			return add_problem(b->fm, 1, mark_line(b, m), mark_col(m),
					   "a mapping key must be a plain value, not a list or mapping");
		}
		if (json_is_string(value)) {
			f->key = value; /* read as a C string, as a copy of it would be */
		} else {
			f->key = json_string(k);
			json_decref(value);
		}
		f->key_line = mark_line(b, m);
		f->key_col = mark_col(m);
		if (b->depth == 1)
			positions_add(b->fm, json_string_value(f->key), f->key_line, f->key_col);
		return 0;
	}
	if (f->key_is_merge) {
		size_t i;
		json_t *v;

		if (json_is_object(value)) {
			merge_into(f, value);
		} else if (json_is_array(value)) {
			json_array_foreach(value, i, v)
				if (json_is_object(v))
					merge_into(f, v);
		}
		json_decref(value);
	} else {
		const char *k = json_string_value(f->key);
		if (json_object_get(f->node, k) &&
		    !(f->merged && json_object_get(f->merged, k)))
			add_problem(b->fm, 0, f->key_line, f->key_col,
				    "duplicate key '%s' (the last one wins)", k);
		if (f->merged)
			json_object_del(f->merged, k);
		json_object_set_new(f->node, k, value);
	}
	json_decref(f->key);
	f->key = NULL;
	f->key_is_merge = 0;
	return 0;
}

static int count_node(struct yaml_builder *b, size_t n, yaml_mark_t m)
{
	b->nodes += n;
	if (b->nodes > FRONTMATTER_MAX_NODES)
		return add_problem(b->fm, 1, mark_line(b, m), mark_col(m),
				   b->aliased ? "front matter expands to more than %d values through its aliases (an alias bomb?)"
					      : "front matter holds more than %d values",
				   FRONTMATTER_MAX_NODES);
	return 0;
}

static int push(struct yaml_builder *b, json_t *node, const yaml_char_t *anchor,
		yaml_mark_t m)
{
	struct frame *f;

	if (b->depth >= FRONTMATTER_MAX_DEPTH) {
		json_decref(node);
		return add_problem(b->fm, 1, mark_line(b, m), mark_col(m),
				   "front matter is nested deeper than %d levels",
				   FRONTMATTER_MAX_DEPTH);
	}
	if (count_node(b, 1, m) < 0) {
		json_decref(node);
		return -1;
	}
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node;
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	f->nodes_at_start = b->nodes - 1;
	return 0;
}

static int pop(struct yaml_builder *b, yaml_mark_t m)
{
	struct frame f = b->stack[--b->depth];
	int ret;

	if (f.key) {
		/* a key with no value cannot happen with libyaml; be safe */
		json_decref(f.key);
	}
	json_decref(f.merged);
	if (f.anchor) {
		define_anchor(b, f.anchor, f.node, b->nodes - f.nodes_at_start);
		free(f.anchor);
	}
	ret = place(b, f.node, m);
	return ret;
}

static void builder_release(struct yaml_builder *b)
{
	size_t i;

	while (b->depth > 0) {
		struct frame *f = &b->stack[--b->depth];
		json_decref(f->node);
		json_decref(f->key);
		json_decref(f->merged);
		free(f->anchor);
	}
	for (i = 0; i < b->nr_anchors; i++) {
		free(b->anchors[i].name);
		json_decref(b->anchors[i].value);
	}
	free(b->anchors);
	json_decref(b->root);
}

static int is_merge_key(struct yaml_builder *b, const yaml_event_t *ev)
{
	struct frame *f;

	if (!b->depth)
		return 0;
	f = &b->stack[b->depth - 1];
	return json_is_object(f->node) && !f->key &&
	       ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       ev->data.scalar.length == 2 &&
	       !memcmp(ev->data.scalar.value, "<<", 2);
}

static int handle_event(struct yaml_builder *b, yaml_event_t *ev)
{
	yaml_mark_t m = ev->start_mark;

	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		json_t *v;
		if (count_node(b, 1, m) < 0)
			return -1;
		if (is_merge_key(b, ev)) {
			struct frame *f = &b->stack[b->depth - 1];
			f->key = json_string("<<");
			f->key_is_merge = 1;
			f->key_line = mark_line(b, m);
			f->key_col = mark_col(m);
			return 0;
		}
		v = scalar_value(ev);
		/* a top-level value written quoted (or tagged !!str) is never a YAML timestamp */
		if (b->depth == 1 && b->stack[0].key && b->fm->positions &&
		    (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		     (ev->data.scalar.tag && !strcmp((const char *)ev->data.scalar.tag, YAML_STR_TAG)))) {
			const char *key = json_string_value(b->stack[0].key);
			struct key_position *pos = positions_find(b->fm, key);
			if (pos)
				pos->quoted = 1;
		}
		if (v && ev->data.scalar.anchor)
			define_anchor(b, (const char *)ev->data.scalar.anchor, v, 1);
		return place(b, v, m);
	}
	case YAML_ALIAS_EVENT: {
		struct anchor *a = find_anchor(b, (const char *)ev->data.alias.anchor);
		if (!a)
			return add_problem(b->fm, 1, mark_line(b, m), mark_col(m),
					   "alias '*%s' names no anchor defined before it",
					   (const char *)ev->data.alias.anchor);
		b->aliased = 1;
		if (count_node(b, a->nodes, m) < 0)
			return -1;
		return place(b, json_incref(a->value), m);
	}
	case YAML_SEQUENCE_START_EVENT:
		return push(b, json_array(), ev->data.sequence_start.anchor, m);
	case YAML_MAPPING_START_EVENT:
		return push(b, json_object(), ev->data.mapping_start.anchor, m);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return pop(b, m);
	default:
		return 0;
	}
}

static const char *yaml_problem_text(const yaml_parser_t *p)
{
	return p->problem ? p->problem : "cannot read YAML";
}

int frontmatter_parse_yaml(struct frontmatter *fm, const char *text, size_t len,
			   int first_line, json_t **out)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct yaml_builder b;
	int ret = 0, docs = 0, done = 0;
	size_t bad;

	*out = NULL;
	if (!utf8_valid(text, len, &bad)) {
		int line = first_line, col = 1;
		size_t i;
		for (i = 0; i < bad; i++) {
			if (text[i] == '\n')
				line++, col = 1;
			else if (((unsigned char)text[i] & 0xc0) != 0x80)
				col++;
		}
		return add_problem(fm, 1, line, col, "front matter is not valid UTF-8");
	}
	memset(&b, 0, sizeof(b));
	b.fm = fm;
	b.line0 = first_line;
	if (!yaml_parser_initialize(&parser))
		die("out of memory initialising libyaml");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t m = parser.problem_mark;
			if (m.index < len && text[m.index] == '\t')
				ret = add_problem(fm, 1, b.line0 + (int)m.line,
						  (int)m.column + 1,
						  "a tab cannot indent YAML; use spaces");
			else if (parser.context)
				ret = add_problem(fm, 1, b.line0 + (int)m.line,
						  (int)m.column + 1, "%s %s that starts at line %d, column %d",
						  yaml_problem_text(&parser), parser.context,
						  b.line0 + (int)parser.context_mark.line,
						  (int)parser.context_mark.column + 1);
			else
				ret = add_problem(fm, 1, b.line0 + (int)m.line,
						  (int)m.column + 1, "%s",
						  yaml_problem_text(&parser));
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			ret = add_problem(fm, 1, mark_line(&b, ev.start_mark),
					  mark_col(ev.start_mark),
					  "front matter holds more than one YAML document");
			yaml_event_delete(&ev);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = handle_event(&b, &ev);
		yaml_event_delete(&ev);
		if (ret < 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (!ret) {
		*out = b.root;
		b.root = NULL;
	}
	builder_release(&b);
	return ret;
}

/* ---- finding the block ---- */

/* The end of the line starting at `p` (the '\n' or `end`). */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

/* Is [p, e) exactly `delim` followed by blanks (and a CR)? */
static int is_delim_line(const char *p, const char *e, const char *delim)
{
	size_t n = strlen(delim);

	if ((size_t)(e - p) < n || memcmp(p, delim, n))
		return 0;
	for (p += n; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

static int is_blank_line(const char *p, const char *e)
{
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

static int parse_json_block(struct frontmatter *fm, const char *p,
			    const char *end, int line)
{
	json_error_t jerr;
	json_t *v;
	size_t bad;

	v = json_loadb(p, (size_t)(end - p) > FRONTMATTER_MAX_BYTES ?
			   FRONTMATTER_MAX_BYTES : (size_t)(end - p),
		       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
	if (!v && strstr(jerr.text, "duplicate")) {
		/* read it again, accepting duplicates (the last wins), and warn */
		add_problem(fm, 0, line + jerr.line - 1, jerr.column, "%s", jerr.text);
		v = json_loadb(p, (size_t)(end - p) > FRONTMATTER_MAX_BYTES ?
				   FRONTMATTER_MAX_BYTES : (size_t)(end - p),
			       JSON_DISABLE_EOF_CHECK, &jerr);
	}
	if (!v) {
		if (!utf8_valid(p, (size_t)(end - p), &bad) && bad < (size_t)jerr.position + 4)
			return add_problem(fm, 1, line + jerr.line - 1,
					   jerr.column > 0 ? jerr.column : 1,
					   "front matter is not valid UTF-8");
		return add_problem(fm, 1, line + jerr.line - 1,
				   jerr.column > 0 ? jerr.column : 1,
				   "invalid JSON front matter: %s", jerr.text);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return add_problem(fm, 1, line, 1, "front matter must be a mapping");
	}
	fm->data = v;
	fm->body_offset = jerr.position;
	return 0;
}

/*
 * A block between an opening line [p, e) and a closing line `close` or
 * `alt`, read as YAML or TOML (fm->format says which).
 */
static int parse_delimited(struct frontmatter *fm, const char *buf,
			   const char *p, const char *e, const char *end,
			   int line, const char *close, const char *alt)
{
	const char *start = e < end ? e + 1 : end;
	int open_line = line;
	json_t *data = NULL;

	for (p = start, line++; p < end; p = e + 1, line++) {
		e = line_end(p, end);
		if (is_delim_line(p, e, close) || is_delim_line(p, e, alt))
			break;
		if ((size_t)(p - start) > FRONTMATTER_MAX_BYTES)
			return add_problem(fm, 1, open_line, 1,
					   "front matter is larger than 1 MiB");
		if (e >= end) {
			p = end;
			break;
		}
	}
	if (p >= end)
		return add_problem(fm, 1, open_line, 1,
				   "front matter opened here is never closed (no '%s' line)",
				   close);
	if ((size_t)(p - start) > FRONTMATTER_MAX_BYTES)
		return add_problem(fm, 1, open_line, 1,
				   "front matter is larger than 1 MiB");
	if (fm->format == FRONTMATTER_TOML) {
		struct toml_error terr;
		if (toml_parse(start, (size_t)(p - start), 0, &data, &terr) < 0)
			return add_problem(fm, 1, open_line + terr.line,
					   terr.column, "%s", terr.message);
	} else if (frontmatter_parse_yaml(fm, start, (size_t)(p - start),
					  open_line + 1, &data) < 0) {
		return -1;
	}
	if (!data) {
		data = json_object();
	} else if (!json_is_object(data)) {
		json_decref(data);
		return add_problem(fm, 1, open_line + 1, 1,
				   "front matter must be a mapping of keys to values");
	}
	fm->data = data;
	fm->body_offset = (size_t)((e < end ? e + 1 : end) - buf);
	return 0;
}

enum lookup frontmatter_parse(struct frontmatter *fm, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *e;
	int line = 1;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	/* blank lines before the opening delimiter */
	for (;;) {
		if (p >= end)
			return LOOKUP_MISSING;
		e = line_end(p, end);
		if (!is_blank_line(p, e))
			break;
		if (e >= end)
			return LOOKUP_MISSING;
		p = e + 1;
		line++;
	}
	if (*p == '{') {
		fm->format = FRONTMATTER_JSON;
		if (parse_json_block(fm, p, end, line) < 0)
			return LOOKUP_ERROR;
		fm->body_offset += (size_t)(p - buf);
		return LOOKUP_FOUND;
	}
	if (is_delim_line(p, e, "+++")) {
		fm->format = FRONTMATTER_TOML;
		return parse_delimited(fm, buf, p, e, end, line, "+++", "+++") < 0 ?
			       LOOKUP_ERROR : LOOKUP_FOUND;
	}
	if (!is_delim_line(p, e, "---"))
		return LOOKUP_MISSING;
	fm->format = FRONTMATTER_YAML;
	return parse_delimited(fm, buf, p, e, end, line, "---", "...") < 0 ? LOOKUP_ERROR :
									     LOOKUP_FOUND;
}
