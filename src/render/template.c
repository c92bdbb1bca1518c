#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "herald/strbuf.h"
#include "herald/template.h"
#include "herald/usage.h"
#include "herald/banned.h"

/*
 * The parser cuts the source into lines and decides for each line whether
 * it is "standalone" (only whitespace and one tag that prints nothing, or
 * one of the pairs the inheritance spec allows), in which case the whole
 * line disappears. Every other line starts with a NODE_LINE that carries
 * its leading whitespace: that is where a standalone partial's indentation
 * is inserted and where a re-indented block's own indentation is removed,
 * so rendering never has to rewrite text to indent it.
 */

#define MAX_NESTING 256

enum node_type {
	NODE_TEXT,
	NODE_LINE,	/* start of a template line; text is its indentation */
	NODE_VAR,	/* {{name}} */
	NODE_RAW,	/* {{{name}}} and {{&name}} */
	NODE_SECTION,	/* {{#name}} */
	NODE_INVERTED,	/* {{^name}} */
	NODE_PARTIAL,	/* {{>name}} */
	NODE_PARENT,	/* {{<name}} */
	NODE_BLOCK,	/* {{$name}} */
};

struct node {
	enum node_type type;
	struct node *next;
	struct node *kids;

	/* NODE_TEXT and NODE_LINE: bytes inside the template's copy */
	const char *text;
	size_t len;
	int blank;		/* NODE_LINE: nothing but the line end follows */

	char *name;		/* as written; "*x" for a dynamic name */
	char *path;		/* the name to look up, split at dots by NULs */
	size_t nparts;		/* 0 for "." */
	int dynamic;
	const struct template *owner;
	int line, col;

	/*
	 * A standalone partial, parent or block: the whitespace before the
	 * tag. A standalone block uses instead the indentation of its content
	 * when it has some, and `dedent` is how much of it every content line
	 * loses before the block is re-indented where it is expanded.
	 */
	int standalone;
	const char *indent;
	size_t indent_len;
	size_t dedent;
	size_t dmin;		/* while parsing a block */
	const char *dws;
};

struct template {
	char *name;
	char *src;
	size_t len;
	struct node *root;
};

#define TOK_TEXT 0
#define TOK_VAR 'v'

struct token {
	int kind;		/* TOK_TEXT, TOK_VAR or the tag's sigil */
	size_t start, end;	/* the text, or the whole tag */
	size_t nstart, nend;	/* the tag's trimmed name */
	int dynamic;
	int line, col;
};

struct nest {
	struct node *node;
	struct node **tail;
};

struct parser {
	struct template *t;
	const char *src;
	size_t len, pos;
	const char *otag, *ctag;
	size_t olen, clen;
	/* line counting, done lazily up to `counted` */
	size_t counted, line_off;
	int line;
	struct token *toks;
	size_t ntoks, atoks;
	struct nest *open;
	size_t nopen, aopen;
	struct node **tail;
};

static void node_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		node_free(n->kids);
		free(n->name);
		free(n->path);
		free(n);
		n = next;
	}
}

void template_free(struct template *t)
{
	if (!t)
		return;
	node_free(t->root);
	free(t->name);
	free(t->src);
	free(t);
}

const char *template_name(const struct template *t)
{
	return t->name;
}

enum template_escape template_escape_for(const char *filename)
{
	static const char *const html[] = { ".html", ".htm", ".xml", ".atom" };
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	size_t i;

	if (!dot || strchr(dot, '/'))
		return TEMPLATE_ESCAPE_NONE;
	for (i = 0; i < ARRAY_SIZE(html); i++)
		if (!strcasecmp(dot, html[i]))
			return TEMPLATE_ESCAPE_HTML;
	if (!strcasecmp(dot, ".json"))
		return TEMPLATE_ESCAPE_JSON;
	if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
		return TEMPLATE_ESCAPE_MARKDOWN;
	return TEMPLATE_ESCAPE_NONE;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Line and column (both 1-based) of `off`; offsets only ever grow. */
static void parser_where(struct parser *p, size_t off, int *line, int *col)
{
	for (; p->counted < off; p->counted++) {
		if (p->src[p->counted] == '\n') {
			p->line++;
			p->line_off = p->counted + 1;
		}
	}
	*line = p->line;
	*col = (int)(off - p->line_off + 1);
}

/*
 * Offset of the closing delimiter at or after `from`; with `pre`, of the
 * first one right after the character `pre` (as in "}}}" or "=}}").
 */
static size_t parser_find_close(struct parser *p, size_t from, int pre)
{
	size_t at = pre ? from + 1 : from;
	const char *hit;

	while (at <= p->len) {
		hit = memmem(p->src + at, p->len - at, p->ctag, p->clen);
		if (!hit)
			return SIZE_MAX;
		at = (size_t)(hit - p->src);
		if (!pre || p->src[at - 1] == pre)
			return at;
		at++;
	}
	return SIZE_MAX;
}

static struct token *parser_add_token(struct parser *p, int kind,
				      size_t start, size_t end)
{
	struct token *tok;

	ALLOC_GROW(p->toks, p->ntoks + 1, p->atoks);
	tok = &p->toks[p->ntoks++];
	memset(tok, 0, sizeof(*tok));
	tok->kind = kind;
	tok->start = start;
	tok->end = end;
	return tok;
}

static int parser_set_delimiters(struct parser *p, size_t start, size_t end,
				 int line, int col)
{
	const char *s = p->src;
	size_t a, b, c, d, e;

	for (a = start; a < end && is_space(s[a]); a++)
		;
	for (b = a; b < end && !is_space(s[b]); b++)
		;
	for (c = b; c < end && is_space(s[c]); c++)
		;
	for (d = c; d < end && !is_space(s[d]); d++)
		;
	for (e = d; e < end && is_space(s[e]); e++)
		;
	if (a == b || c == d || e != end || memchr(s + a, '=', b - a) ||
	    memchr(s + c, '=', d - c))
		return error("%s:%d:%d: bad set-delimiter tag '%.*s'",
			     p->t->name, line, col, (int)(end - start),
			     s + start);
	p->otag = s + a;
	p->olen = b - a;
	p->ctag = s + c;
	p->clen = d - c;
	return 0;
}

/* Lexes the tag that starts at p->pos and adds it to the line. */
static int parser_lex_tag(struct parser *p)
{
	const char *s = p->src;
	size_t start = p->pos, q = start + p->olen, close, end, a, b, i;
	int sigil = q < p->len ? s[q] : 0;
	int pre = 0, line, col, dynamic = 0;
	struct token *tok;

	parser_where(p, start, &line, &col);
	if (sigil == '{')
		pre = '}';
	else if (sigil == '=')
		pre = '=';
	close = q < p->len ? parser_find_close(p, q, pre) : SIZE_MAX;
	if (close == SIZE_MAX)
		return error("%s:%d:%d: unclosed tag", p->t->name, line, col);
	end = close + p->clen;

	a = q;
	b = pre ? close - 1 : close;
	if (sigil && strchr("{&#^/!=><$", sigil))
		a++;
	else
		sigil = TOK_VAR;

	if (sigil == '=') {
		p->pos = end;
		tok = parser_add_token(p, sigil, start, end);
		tok->line = line;
		tok->col = col;
		return parser_set_delimiters(p, a, b, line, col);
	}

	while (a < b && is_space(s[a]))
		a++;
	while (b > a && is_space(s[b - 1]))
		b--;
	if (sigil != '!') {
		if (a < b && s[a] == '*' && strchr("></", sigil)) {
			dynamic = 1;
			for (a++; a < b && is_space(s[a]); a++)
				;
		}
		if (a == b)
			return error("%s:%d:%d: empty tag", p->t->name, line,
				     col);
		for (i = a; i < b; i++)
			if (is_space(s[i]) || !s[i])
				return error("%s:%d:%d: bad tag name '%.*s'",
					     p->t->name, line, col,
					     (int)(b - a), s + a);
	}

	p->pos = end;
	tok = parser_add_token(p, sigil, start, end);
	tok->nstart = a;
	tok->nend = b;
	tok->dynamic = dynamic;
	tok->line = line;
	tok->col = col;
	return 0;
}

/* Reads tokens up to and including the next newline outside tags. */
static int parser_lex_line(struct parser *p)
{
	const char *s = p->src;
	const char *nl = NULL;
	int searched = 0;

	p->ntoks = 0;
	while (p->pos < p->len) {
		const char *open;
		size_t stop;

		/*
		 * Delimiters hold no whitespace, so a tag opens before the
		 * line end or not at all: searching only the line keeps long
		 * templates linear.
		 */
		if (!searched || (nl && (size_t)(nl - s) < p->pos)) {
			nl = memchr(s + p->pos, '\n', p->len - p->pos);
			searched = 1;
		}
		stop = nl ? (size_t)(nl - s) : p->len;
		open = memmem(s + p->pos, stop - p->pos, p->otag, p->olen);
		if (!open) {
			stop = nl ? stop + 1 : p->len;
			parser_add_token(p, TOK_TEXT, p->pos, stop);
			p->pos = stop;
			return 0;
		}
		stop = (size_t)(open - s);
		if (stop > p->pos)
			parser_add_token(p, TOK_TEXT, p->pos, stop);
		p->pos = stop;
		if (parser_lex_tag(p) < 0)
			return -1;
	}
	return 0;
}

static struct nest *parser_top(struct parser *p)
{
	return p->nopen ? &p->open[p->nopen - 1] : NULL;
}

static void parser_append(struct parser *p, struct node *n)
{
	struct nest *top = parser_top(p);
	struct node ***tail = top ? &top->tail : &p->tail;

	**tail = n;
	*tail = &n->next;
}

/* Records a line's indentation for the blocks being parsed. */
static void parser_note_indent(struct parser *p, const char *ws, size_t len)
{
	size_t i;

	for (i = 0; i < p->nopen; i++) {
		struct node *n = p->open[i].node;

		if (n->type == NODE_BLOCK && len < n->dmin) {
			n->dmin = len;
			n->dws = ws;
		}
	}
}

static struct node *node_new(struct parser *p, enum node_type type)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->owner = p->t;
	n->dmin = SIZE_MAX;
	return n;
}

static void parser_add_text(struct parser *p, size_t start, size_t end)
{
	struct node *n;

	if (start == end)
		return;
	n = node_new(p, NODE_TEXT);
	n->text = p->src + start;
	n->len = end - start;
	parser_append(p, n);
}

/* The tag's name as written, "*x" for a dynamic name; the caller frees it. */
static char *token_name(const struct parser *p, const struct token *tok)
{
	size_t len = tok->nend - tok->nstart, star = tok->dynamic ? 1 : 0;
	char *name = xmalloc(star + len + 1);

	name[0] = '*';
	memcpy(name + star, p->src + tok->nstart, len);
	name[star + len] = '\0';
	return name;
}

static int token_is(const struct parser *p, const struct token *tok,
		    const char *name)
{
	size_t len = tok->nend - tok->nstart;

	if (tok->dynamic && *name++ != '*')
		return 0;
	return strlen(name) == len && !memcmp(name, p->src + tok->nstart, len);
}

static void node_set_name(struct parser *p, struct node *n,
			  const struct token *tok)
{
	size_t len = tok->nend - tok->nstart, i;

	n->name = token_name(p, tok);
	n->dynamic = tok->dynamic;
	n->line = tok->line;
	n->col = tok->col;
	if (len == 1 && p->src[tok->nstart] == '.')
		return;
	n->path = xstrndup(p->src + tok->nstart, len);
	n->nparts = 1;
	for (i = 0; i < len; i++) {
		if (n->path[i] == '.') {
			n->path[i] = '\0';
			n->nparts++;
		}
	}
}

static int parser_close(struct parser *p, const struct token *tok)
{
	struct nest *top = parser_top(p);
	struct node *n = top ? top->node : NULL;
	char *name;
	int ret;

	if (n && token_is(p, tok, n->name)) {
		if (n->type == NODE_BLOCK && n->standalone &&
		    n->dmin != SIZE_MAX) {
			n->indent = n->dws;
			n->indent_len = n->dedent = n->dmin;
		}
		p->nopen--;
		return 0;
	}
	name = token_name(p, tok);
	if (!n)
		ret = error("%s:%d:%d: closing tag '%s' without an opening tag",
			    p->t->name, tok->line, tok->col, name);
	else
		ret = error("%s:%d:%d: closing tag '%s' does not match '%s' opened at line %d",
			    p->t->name, tok->line, tok->col, name, n->name,
			    n->line);
	free(name);
	return ret;
}

/*
 * Adds one tag to the tree; a standalone tag brings the whitespace that
 * preceded it on its line.
 */
static int parser_emit_tag(struct parser *p, const struct token *tok,
			   int standalone, const char *ws, size_t wslen)
{
	static const enum node_type types[] = {
		['#'] = NODE_SECTION, ['^'] = NODE_INVERTED, ['<'] = NODE_PARENT,
		['$'] = NODE_BLOCK, ['>'] = NODE_PARTIAL, ['&'] = NODE_RAW,
		['{'] = NODE_RAW, [TOK_VAR] = NODE_VAR,
	};
	struct node *n;

	if (tok->kind == '/') {
		if (parser_close(p, tok) < 0)
			return -1;
		if (standalone)
			parser_note_indent(p, ws, wslen);
		return 0;
	}
	if (standalone)
		parser_note_indent(p, ws, wslen);
	if (tok->kind == '!' || tok->kind == '=')
		return 0;

	n = node_new(p, types[tok->kind]);
	node_set_name(p, n, tok);
	if (standalone) {
		n->standalone = 1;
		n->indent = ws;
		n->indent_len = wslen;
	}
	parser_append(p, n);
	if (n->type == NODE_SECTION || n->type == NODE_INVERTED ||
	    n->type == NODE_PARENT || n->type == NODE_BLOCK) {
		if (p->nopen >= MAX_NESTING)
			return error("%s:%d:%d: sections nested deeper than %d",
				     p->t->name, tok->line, tok->col,
				     MAX_NESTING);
		ALLOC_GROW(p->open, p->nopen + 1, p->aopen);
		p->open[p->nopen].node = n;
		p->open[p->nopen].tail = &n->kids;
		p->nopen++;
	}
	return 0;
}

static int tag_prints_nothing(int kind)
{
	return kind && strchr("#^/!=><$", kind);
}

/* Does `len` bytes at `s` hold only blanks, then maybe a line end? */
static int blank_to_eol(const char *s, size_t len)
{
	if (len && s[len - 1] == '\n') {
		len--;
		if (len && s[len - 1] == '\r')
			len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	return !len;
}

static int same_name(const struct parser *p, const struct token *a,
		     const struct token *b)
{
	return a->dynamic == b->dynamic &&
	       a->nend - a->nstart == b->nend - b->nstart &&
	       !memcmp(p->src + a->nstart, p->src + b->nstart,
		       a->nend - a->nstart);
}

/* Is the innermost open node a block named like `blk`, in a parent named like `par`? */
static int closes_block_in_parent(const struct parser *p,
				  const struct token *blk,
				  const struct token *par)
{
	const struct node *b, *q;

	if (p->nopen < 2)
		return 0;
	b = p->open[p->nopen - 1].node;
	q = p->open[p->nopen - 2].node;
	return b->type == NODE_BLOCK && q->type == NODE_PARENT &&
	       token_is(p, blk, b->name) && token_is(p, par, q->name);
}

/*
 * Two tags may share a standalone line: a parent with its end, a parent
 * with its first block, a last block's end with its parent's end, and a
 * block with its end. The last keeps its line end (spec pull 131).
 */
static int standalone_pair(const struct parser *p, const struct token *a,
			   const struct token *b, int *keep_eol)
{
	*keep_eol = 0;
	if (a->kind == '<' && b->kind == '/' && same_name(p, a, b))
		return 1;
	if (a->kind == '<' && b->kind == '$')
		return 1;
	if (a->kind == '/' && b->kind == '/' && closes_block_in_parent(p, a, b))
		return 1;
	if (a->kind == '$' && b->kind == '/' && same_name(p, a, b)) {
		*keep_eol = 1;
		return 1;
	}
	return 0;
}

static int parser_emit_line(struct parser *p)
{
	const struct token *tk = p->toks;
	size_t n = p->ntoks, a, b, i, wslen = 0;
	const char *ws = p->src;
	int standalone = 0, keep_eol = 0;
	struct node *line;

	if (!n)
		return 0;
	a = tk[0].kind == TOK_TEXT ? 1 : 0;
	b = n > a && tk[n - 1].kind == TOK_TEXT ? n - 1 : n;
	if (a) {
		ws = p->src + tk[0].start;
		while (wslen < tk[0].end - tk[0].start && is_blank(ws[wslen]))
			wslen++;
	}

	if ((!a || wslen == tk[0].end - tk[0].start) &&
	    (b == n || blank_to_eol(p->src + tk[b].start,
				    tk[b].end - tk[b].start))) {
		if (b - a == 1)
			standalone = tag_prints_nothing(tk[a].kind);
		else if (b - a == 2)
			standalone = tag_prints_nothing(tk[a].kind) &&
				     tag_prints_nothing(tk[a + 1].kind) &&
				     standalone_pair(p, &tk[a], &tk[a + 1],
						     &keep_eol);
	}

	if (standalone) {
		for (i = a; i < b; i++)
			if (parser_emit_tag(p, &tk[i], 1, ws, wslen) < 0)
				return -1;
		if (keep_eol && b < n) {
			size_t end = tk[b].end, start = end;

			if (start > tk[b].start && p->src[start - 1] == '\n')
				start--;
			if (start > tk[b].start && p->src[start - 1] == '\r')
				start--;
			parser_add_text(p, start, end);
		}
		return 0;
	}

	line = node_new(p, NODE_LINE);
	line->text = ws;
	line->len = wslen;
	line->blank = n == 1 && a && blank_to_eol(p->src + tk[0].start,
						  tk[0].end - tk[0].start);
	parser_append(p, line);
	if (!line->blank)
		parser_note_indent(p, ws, wslen);
	for (i = 0; i < n; i++) {
		if (tk[i].kind == TOK_TEXT)
			parser_add_text(p, tk[i].start + (i ? 0 : wslen),
					tk[i].end);
		else if (parser_emit_tag(p, &tk[i], 0, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

struct template *template_parse(const char *name, const char *text, size_t len)
{
	struct template *t = xcalloc(1, sizeof(*t));
	struct template *ret = NULL;
	struct parser p = { 0 };

	t->name = xstrdup(name);
	t->src = xmalloc(len + 1);
	if (len)
		memcpy(t->src, text, len);
	t->src[len] = '\0';
	t->len = len;

	p.t = t;
	p.src = t->src;
	p.len = len;
	p.otag = "{{";
	p.olen = 2;
	p.ctag = "}}";
	p.clen = 2;
	p.line = 1;
	p.tail = &t->root;

	while (p.pos < p.len)
		if (parser_lex_line(&p) < 0 || parser_emit_line(&p) < 0)
			goto out;
	if (p.nopen) {
		struct node *n = p.open[p.nopen - 1].node;

		error("%s:%d:%d: unclosed section '%s'", t->name, n->line,
		      n->col, n->name);
		goto out;
	}
	ret = t;
	t = NULL;
out:
	free(p.toks);
	free(p.open);
	template_free(t);
	return ret;
}

/* Rendering */

struct cached {
	char *name;
	struct template *t;	/* NULL: no such partial */
};

struct render {
	struct strbuf *out;
	size_t base;
	enum template_escape escape;
	const struct template_partials *partials;
	const json_t **stack;
	size_t nstack, astack;
	const struct node **frames;	/* parents being expanded */
	size_t nframes, aframes;
	struct cached *cache;
	size_t ncache, acache;
	struct strbuf indent;
	size_t strip;
	int depth;
	unsigned long long steps, max_steps;
	size_t max_output;
	const struct node *at;	/* the last tag rendered, for errors */
	const struct template_list *lists;
	size_t nlists;
	json_t **whole;		/* lists[k] made whole, once needed */
	int *busy;		/* lists[k] is being walked one element at a time */
	struct part *parts;	/* elements from part() being rendered, innermost last */
	size_t nparts, aparts;
};

/* An element a list's part() made, which fill() completes on demand. */
struct part {
	json_t *el;
	const struct template_list *list;
	size_t i;
};

static int render_limits(struct render *r, const struct node *n);

static int render_nodes(struct render *r, const struct node *n);

static void add_escaped(struct strbuf *sb, const char *s, size_t len,
			enum template_escape escape)
{
	size_t i, run = 0;

	switch (escape) {
	case TEMPLATE_ESCAPE_JSON:
		strbuf_add_json_escaped(sb, s, len);
		return;
	case TEMPLATE_ESCAPE_HTML:
		for (i = 0; i < len; i++) {
			const char *ent;

			switch (s[i]) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&#39;"; break;
			default: continue;
			}
			strbuf_add(sb, s + run, i - run);
			strbuf_addstr(sb, ent);
			run = i + 1;
		}
		strbuf_add(sb, s + run, len - run);
		return;
	case TEMPLATE_ESCAPE_MARKDOWN:
		/*
		 * Pushed titles land in CHANGELOG.md files that GitHub and
		 * sites render: "<img onerror>" must show as text, and a
		 * "[x](javascript:…)" as brackets.
		 */
		for (i = 0; i < len; i++) {
			if (s[i] == '\n' || s[i] == '\r') {
				strbuf_add(sb, s + run, i - run);
				strbuf_addch(sb, ' ');
				run = i + 1;
			} else if (s[i] && strchr("\\`*_[]()<>|~&", s[i])) {
				strbuf_add(sb, s + run, i - run);
				strbuf_addch(sb, '\\');
				run = i;
			}
		}
		strbuf_add(sb, s + run, len - run);
		return;
	case TEMPLATE_ESCAPE_NONE:
		break;
	}
	strbuf_add(sb, s, len);
}

/* The shortest %g form that reads back as the same double. */
static void format_real(char *buf, size_t size, double d)
{
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, size, "%.17g", d);
}

static json_t *lazy_dumpable(struct render *r, const json_t *v);

/* The part() element `v` is, or NULL. */
static const struct part *part_of(const struct render *r, const json_t *v)
{
	size_t k;

	for (k = r->nparts; k-- > 0;)
		if (r->parts[k].el == v)
			return &r->parts[k];
	return NULL;
}

/* Member `name` of the object `v` on the stack, filled in first when `v` is a part() element. */
static const json_t *member(const struct render *r, const json_t *v, const char *name)
{
	const json_t *m = json_object_get(v, name);
	const struct part *p;

	if (m || !r->nparts || !(p = part_of(r, v)))
		return m;
	p->list->fill(p->list->data, p->i, p->el, name);
	return json_object_get(v, name);
}

static void render_value(struct render *r, const json_t *v,
			 enum template_escape escape)
{
	char buf[64];
	char *dump;

	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		add_escaped(r->out, json_string_value(v), json_string_length(v),
			    escape);
		return;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		break;
	case JSON_REAL:
		format_real(buf, sizeof(buf), json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_addstr(r->out, "true");
		return;
	case JSON_FALSE:
		strbuf_addstr(r->out, "false");
		return;
	case JSON_NULL:
		return;
	case JSON_OBJECT:
	case JSON_ARRAY: {
		json_t *whole = lazy_dumpable(r, v);

		dump = json_dumps(whole, JSON_COMPACT | JSON_SORT_KEYS |
					     JSON_ENCODE_ANY);
		json_decref(whole);
		if (dump)
			add_escaped(r->out, dump, strlen(dump), escape);
		free(dump);
		return;
	}
	}
	strbuf_addstr(r->out, buf);
}

/* The index of the lazy list `v` stands for, or -1. */
static long lazy_index(const struct render *r, const json_t *v)
{
	size_t k;

	if (!r->nlists || !json_is_array(v) || json_array_size(v))
		return -1;
	for (k = 0; k < r->nlists; k++)
		if (r->lists[k].placeholder == v)
			return (long)k;
	return -1;
}

/* List `k` as one array, made on first need and kept until the rendering ends. */
static const json_t *lazy_whole(struct render *r, size_t k)
{
	const struct template_list *l = &r->lists[k];
	size_t i;

	if (!r->whole[k]) {
		r->whole[k] = json_array();
		for (i = 0; i < l->nr; i++)
			json_array_append_new(r->whole[k], l->get(l->data, i));
	}
	return r->whole[k];
}

/* `v`, or the whole list it stands for. */
static const json_t *lazy_resolve(struct render *r, const json_t *v)
{
	long k = lazy_index(r, v);

	return k < 0 ? v : lazy_whole(r, (size_t)k);
}

/*
 * What interpolating `v` dumps: itself, the whole list it stands for, or
 * (an object holding lazy lists: the root) a copy holding them whole.
 * A new reference.
 */
static json_t *lazy_dumpable(struct render *r, const json_t *v)
{
	json_t *copy = NULL, *m;
	const struct part *p;
	const char *key;
	long k;

	if (r->nparts && (p = part_of(r, v)))
		p->list->fill(p->list->data, p->i, p->el, NULL);
	v = lazy_resolve(r, v);
	if (!r->nlists || !json_is_object(v))
		return json_incref((json_t *)v);
	json_object_foreach((json_t *)v, key, m) {
		if ((k = lazy_index(r, m)) < 0)
			continue;
		if (!copy)
			copy = json_copy((json_t *)v);
		json_object_set(copy, key, (json_t *)lazy_whole(r, (size_t)k));
	}
	return copy ? copy : json_incref((json_t *)v);
}

static int truthy(const json_t *v)
{
	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return 1;
	}
}

static const json_t *child(const json_t *v, const char *part)
{
	size_t i = 0;
	const char *p;

	if (json_is_object(v))
		return json_object_get(v, part);
	if (!json_is_array(v) || !*part || strlen(part) > 9)
		return NULL;
	for (p = part; *p; p++) {
		if (*p < '0' || *p > '9')
			return NULL;
		i = i * 10 + (size_t)(*p - '0');
	}
	return json_array_get(v, i);
}

/*
 * The value of a name, through the context stack; a lazy list is returned
 * as its placeholder (the caller decides how much of it to make), unless a
 * dotted name goes through it.
 */
static const json_t *lookup(struct render *r, const struct node *n)
{
	const char *part = n->path;
	const json_t *v = NULL;
	size_t i;

	if (!r->nstack)
		return NULL;
	if (!n->nparts)
		return r->stack[r->nstack - 1];
	for (i = r->nstack; i-- > 0 && !v;)
		if (json_is_object(r->stack[i]))
			v = member(r, r->stack[i], part);
	for (i = 1; v && i < n->nparts; i++) {
		part += strlen(part) + 1;
		v = child(lazy_resolve(r, v), part);
	}
	return v;
}

static void render_push(struct render *r, const json_t *v)
{
	ALLOC_GROW(r->stack, r->nstack + 1, r->astack);
	r->stack[r->nstack++] = v;
}

/* Is `v` (maybe a lazy list) true for a section? */
static int render_truthy(const struct render *r, const json_t *v)
{
	long k = lazy_index(r, v);

	return k < 0 ? truthy(v) : r->lists[k].nr > 0;
}

/* A section over a lazy list not made whole: one element at a time. */
static int render_lazy(struct render *r, const struct node *n,
		       const struct template_list *l)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < l->nr && !ret; i++) {
		json_t *el;

		if (render_limits(r, n) < 0)
			return -1;
		if (l->part && l->fill) {
			el = l->part(l->data, i);
			ALLOC_GROW(r->parts, r->nparts + 1, r->aparts);
			r->parts[r->nparts++] = (struct part){ el, l, i };
		} else {
			el = l->get(l->data, i);
		}
		render_push(r, el);
		ret = render_nodes(r, n->kids);
		r->nstack--;
		if (l->part && l->fill)
			r->nparts--;
		json_decref(el);
	}
	return ret;
}

static int render_section(struct render *r, const struct node *n)
{
	const json_t *v = lookup(r, n);
	long k = lazy_index(r, v);
	size_t i;
	int ret = 0;

	if (!render_truthy(r, v))
		return 0;
	/*
	 * A list walked inside its own walk ({{#posts}}{{#posts}}…) is made
	 * whole instead: each step then costs what it costs on any list, so
	 * the step limit stops a runaway template as fast as it always did.
	 */
	if (k >= 0 && !r->whole[k] && !r->busy[k]) {
		r->busy[k]++;
		ret = render_lazy(r, n, &r->lists[k]);
		r->busy[k]--;
		return ret;
	}
	v = lazy_resolve(r, v);
	if (!json_is_array(v)) {
		render_push(r, v);
		ret = render_nodes(r, n->kids);
		r->nstack--;
		return ret;
	}
	for (i = 0; i < json_array_size(v) && !ret; i++) {
		/* an empty section over a list is work too */
		if (render_limits(r, n) < 0)
			return -1;
		render_push(r, json_array_get(v, i));
		ret = render_nodes(r, n->kids);
		r->nstack--;
	}
	return ret;
}

/* Loads and parses a partial once per render; *t is NULL when there is none. */
static int render_load(struct render *r, const char *name,
		       const struct template **t)
{
	struct strbuf text = STRBUF_INIT, file = STRBUF_INIT;
	struct template *parsed = NULL;
	size_t i;
	enum lookup found = LOOKUP_MISSING;
	int ret = 0;

	for (i = 0; i < r->ncache; i++) {
		if (!strcmp(r->cache[i].name, name)) {
			*t = r->cache[i].t;
			return 0;
		}
	}
	if (r->partials && r->partials->load)
		found = r->partials->load(r->partials->data, name, &text, &file);
	if (found == LOOKUP_ERROR) {
		ret = -1;
		goto out;
	}
	if (found == LOOKUP_FOUND) {
		parsed = template_parse(file.len ? file.buf : name, text.buf,
					text.len);
		if (!parsed) {
			ret = -1;
			goto out;
		}
	}
	ALLOC_GROW(r->cache, r->ncache + 1, r->acache);
	r->cache[r->ncache].name = xstrdup(name);
	r->cache[r->ncache].t = parsed;
	r->ncache++;
	*t = parsed;
out:
	strbuf_release(&text);
	strbuf_release(&file);
	return ret;
}

static int render_enter(struct render *r, const struct node *n)
{
	if (r->depth >= TEMPLATE_MAX_DEPTH)
		return error("%s:%d:%d: partials nested deeper than %d at '%s'",
			     n->owner->name, n->line, n->col,
			     TEMPLATE_MAX_DEPTH, n->name);
	r->depth++;
	return 0;
}

/*
 * Indentation, relative to the code around it, of a standalone tag: what
 * the enclosing re-indented block strips from its lines is stripped here too.
 */
static void render_indent(struct render *r, const char *ws, size_t len)
{
	size_t skip = r->strip < len ? r->strip : len;

	strbuf_add(&r->indent, ws + skip, len - skip);
}

/* {{>name}} and {{<name}}...{{/name}} */
static int render_partial(struct render *r, const struct node *n)
{
	const struct template *t = NULL;
	const char *name = n->name;
	size_t indent = r->indent.len, strip = r->strip;
	int ret;

	if (n->dynamic) {
		const json_t *v = lookup(r, n);

		if (!json_is_string(v))
			return 0;
		name = json_string_value(v);
	}
	if (render_load(r, name, &t) < 0)
		return -1;
	if (!t)
		return 0;
	if (render_enter(r, n) < 0)
		return -1;
	if (n->standalone)
		render_indent(r, n->indent, n->indent_len);
	r->strip = 0;
	if (n->type == NODE_PARENT) {
		ALLOC_GROW(r->frames, r->nframes + 1, r->aframes);
		r->frames[r->nframes++] = n;
	}
	ret = render_nodes(r, t->root);
	if (n->type == NODE_PARENT)
		r->nframes--;
	r->depth--;
	strbuf_setlen(&r->indent, indent);
	r->strip = strip;
	return ret;
}

/* The outermost parent's argument for block `name` wins. */
static const struct node *render_find_block(const struct render *r,
					    const char *name)
{
	const struct node *k;
	size_t i;

	for (i = 0; i < r->nframes; i++)
		for (k = r->frames[i]->kids; k; k = k->next)
			if (k->type == NODE_BLOCK && !strcmp(k->name, name))
				return k;
	return NULL;
}

static int render_block(struct render *r, const struct node *n)
{
	const struct node *arg = render_find_block(r, n->name);
	size_t indent = r->indent.len, strip = r->strip;
	int ret;

	if (render_enter(r, n) < 0)
		return -1;
	if (n->standalone)
		render_indent(r, n->indent, n->indent_len);
	/* default content inside a line keeps the surrounding strip */
	if (arg)
		r->strip = arg->dedent;
	else if (n->standalone)
		r->strip = n->dedent;
	ret = render_nodes(r, arg ? arg->kids : n->kids);
	r->depth--;
	strbuf_setlen(&r->indent, indent);
	r->strip = strip;
	return ret;
}

/*
 * A template may come from someone who wants herald to run forever or fill
 * the disk: sections nested eight deep over 40 posts are 40^8 renderings.
 * Every node rendered is a step; steps and output both have a ceiling.
 */
static int render_limits(struct render *r, const struct node *n)
{
	/* text has no position of its own: name the tag around it */
	if (n->line)
		r->at = n;
	else if (r->at)
		n = r->at;
	if (++r->steps > r->max_steps)
		return error("%s:%d:%d: rendering stopped after %llu steps: "
			     "sections nest too deep over too many items",
			     n->owner->name, n->line ? n->line : 1, n->col ? n->col : 1,
			     r->max_steps);
	if (r->out->len - r->base > r->max_output)
		return error("%s:%d:%d: rendering stopped: the output is over %zu bytes",
			     n->owner->name, n->line ? n->line : 1, n->col ? n->col : 1,
			     r->max_output);
	return 0;
}

static int render_nodes(struct render *r, const struct node *n)
{
	struct strbuf *out = r->out;
	size_t skip;

	for (; n; n = n->next) {
		if (render_limits(r, n) < 0)
			return -1;
		switch (n->type) {
		case NODE_TEXT:
			strbuf_add(out, n->text, n->len);
			break;
		case NODE_LINE:
			/* only at the start of an output line: an inline partial's first line is not one */
			if (r->indent.len &&
			    (out->len == r->base || out->buf[out->len - 1] == '\n'))
				strbuf_add(out, r->indent.buf, r->indent.len);
			skip = r->strip < n->len ? r->strip : n->len;
			strbuf_add(out, n->text + skip, n->len - skip);
			break;
		case NODE_VAR:
			render_value(r, lookup(r, n), r->escape);
			break;
		case NODE_RAW:
			render_value(r, lookup(r, n), TEMPLATE_ESCAPE_NONE);
			break;
		case NODE_SECTION:
			if (render_section(r, n) < 0)
				return -1;
			break;
		case NODE_INVERTED:
			if (!render_truthy(r, lookup(r, n)) && render_nodes(r, n->kids) < 0)
				return -1;
			break;
		case NODE_PARTIAL:
		case NODE_PARENT:
			if (render_partial(r, n) < 0)
				return -1;
			break;
		case NODE_BLOCK:
			if (render_block(r, n) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int template_render(const struct template *t, const json_t *context,
		    enum template_escape escape,
		    const struct template_partials *partials,
		    struct strbuf *out)
{
	return template_render_limited(t, context, escape, partials, NULL, out);
}

int template_render_limited(const struct template *t, const json_t *context,
			    enum template_escape escape,
			    const struct template_partials *partials,
			    const struct template_limits *limits,
			    struct strbuf *out)
{
	return template_render_lists(t, context, escape, partials, limits,
				     NULL, 0, out);
}

int template_render_lists(const struct template *t, const json_t *context,
			  enum template_escape escape,
			  const struct template_partials *partials,
			  const struct template_limits *limits,
			  const struct template_list *lists, size_t nr_lists,
			  struct strbuf *out)
{
	struct render r = { 0 };
	size_t i;
	int ret;

	r.max_steps = limits && limits->steps ? limits->steps : TEMPLATE_MAX_STEPS;
	r.max_output = limits && limits->output ? limits->output : TEMPLATE_MAX_OUTPUT;
	r.out = out;
	r.base = out->len;
	r.escape = escape;
	r.partials = partials;
	r.lists = lists;
	r.nlists = nr_lists;
	r.whole = nr_lists ? xcalloc(nr_lists, sizeof(*r.whole)) : NULL;
	r.busy = nr_lists ? xcalloc(nr_lists, sizeof(*r.busy)) : NULL;
	strbuf_init(&r.indent, 0);
	if (context)
		render_push(&r, context);

	ret = render_nodes(&r, t->root);
	if (!ret && out->len - r.base > r.max_output)
		ret = error("%s: rendering stopped: the output is over %zu bytes",
			    t->name, r.max_output);
	if (ret < 0)
		strbuf_setlen(out, r.base);

	for (i = 0; i < r.ncache; i++) {
		free(r.cache[i].name);
		template_free(r.cache[i].t);
	}
	free(r.cache);
	for (i = 0; i < r.nlists; i++)
		json_decref(r.whole[i]);
	free(r.whole);
	free(r.busy);
	free(r.parts);
	free(r.stack);
	free(r.frames);
	strbuf_release(&r.indent);
	return ret;
}
