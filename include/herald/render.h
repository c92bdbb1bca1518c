#ifndef HERALD_RENDER_H
#define HERALD_RENDER_H

#include <git2.h>
#include <jansson.h>

#include "herald/strbuf.h"

struct repo;

/*
 * Finding and rendering templates. A template NAME (e.g. "digest.html") is
 * looked up in order: the file given with --template, the admin's folder
 * (`dir`, git config herald.templateDir), the work tree's
 * `.herald/templates/NAME`, the same path in the revision's tree (so bare
 * repositories work), then the built-in copy; an origin left NULL is
 * skipped. A partial {{> p}} loads `p.EXT` (EXT of the including
 * template), else `p`, from the folder of a --template file, then from the
 * same origins in the same order.
 *
 * What a push carries is never read through a symbolic link: a link (or a
 * folder that is one) in the work tree's or the tree's .herald/templates
 * is an error, not followed. Payload templates, which shape requests to
 * the admin's receivers, use a source with only `dir` set (see payload.h).
 *
 * The escape mode follows the template's file name: HTML for .html .xml
 * .atom, JSON-string for .json, none otherwise.
 */
struct template_limits;
struct template_list;
struct render_source {
	struct repo *repo;     /* may be NULL */
	git_tree *tree;        /* may be NULL */
	const char *override;  /* a template file on disk, or NULL */
	const char *dir;       /* the admin's template folder, or NULL */
	const struct template_limits *limits; /* NULL: the engine's defaults */
	/* lazy lists in the model (template_render_lists()), or none */
	const struct template_list *lists;
	size_t nr_lists;
};

/* Renders `name` with `model` appended to `out`; 0 or -1 after error(). */
int render_template(const struct render_source *src, const char *name,
		    const json_t *model, struct strbuf *out);

/*
 * Writes `data` to `path` with fileio_write_atomic() and mode 0666 less
 * the umask; "-" is stdout. 0 or -1 after error().
 */
int render_write(const char *path, const char *data, size_t len);

#endif
