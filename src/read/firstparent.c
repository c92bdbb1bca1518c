#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "herald/range.h"
#include "herald/repo.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

/*
 * Git's commit-graph file (objects/info/commit-graph), read for just what
 * range_first_parent_at() needs: each commit's first parent and commit time, without
 * inflating and parsing 20,000 commits to walk a long history back to its
 * root. A commit the graph does not hold (made after it was written) is
 * read as before; a file that is not a graph herald understands is not used.
 */
struct graph {
	const unsigned char *map;
	size_t size;
	const unsigned char *fanout, *oids, *data;
	uint32_t nr;
};

#define GRAPH_NO_PARENT 0x70000000u
/* beyond this a time may be a negative one that git stored modulo 2^34 */
#define GRAPH_TIME_MAX (1ull << 33)

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void graph_close(struct graph *g)
{
	if (g->map)
		munmap((void *)g->map, g->size);
	memset(g, 0, sizeof(*g));
}

/* 0 with the graph mapped, -1 when there is none to use (nothing reported). */
static int graph_open(struct graph *g, git_repository *git)
{
	char *path = xstrfmt("%sobjects/info/commit-graph", git_repository_commondir(git));
	const unsigned char *p, *end;
	struct stat st;
	uint32_t i, chunks;
	int fd;

	memset(g, 0, sizeof(*g));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 8 + 12 ||
	    (uintmax_t)st.st_size > SIZE_MAX) {
		close(fd);
		return -1;
	}
	g->size = (size_t)st.st_size;
	g->map = mmap(NULL, g->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (g->map == MAP_FAILED) {
		g->map = NULL;
		return -1;
	}
	p = g->map;
	end = g->map + g->size;
	/* "CGPH", version 1, SHA-1, chunks, no base graphs */
	if (memcmp(p, "CGPH", 4) || p[4] != 1 || p[5] != 1 || p[7] != 0)
		goto fail;
	chunks = p[6];
	if ((size_t)(end - p) < 8 + 12 * ((size_t)chunks + 1))
		goto fail;
	for (i = 0; i < chunks; i++) {
		const unsigned char *c = p + 8 + 12 * i;
		uint64_t at = (uint64_t)get_be32(c + 4) << 32 | get_be32(c + 8);
		uint64_t next = (uint64_t)get_be32(c + 16) << 32 | get_be32(c + 20);

		if (at > next || next > g->size)
			goto fail;
		if (!memcmp(c, "OIDF", 4) && next - at == 256 * 4)
			g->fanout = p + at;
		else if (!memcmp(c, "OIDL", 4))
			g->oids = p + at;
		else if (!memcmp(c, "CDAT", 4))
			g->data = p + at;
		else
			continue;
		if (!memcmp(c, "OIDL", 4) && (next - at) % GIT_OID_RAWSZ)
			goto fail;
		if (!memcmp(c, "CDAT", 4) && (next - at) % (GIT_OID_RAWSZ + 16))
			goto fail;
	}
	if (!g->fanout || !g->oids || !g->data)
		goto fail;
	g->nr = get_be32(g->fanout + 255 * 4);
	/* both chunks hold nr entries */
	for (i = 0; i < chunks; i++) {
		const unsigned char *c = p + 8 + 12 * i;
		uint64_t at = (uint64_t)get_be32(c + 4) << 32 | get_be32(c + 8);
		uint64_t next = (uint64_t)get_be32(c + 16) << 32 | get_be32(c + 20);

		if ((!memcmp(c, "OIDL", 4) && next - at != (uint64_t)g->nr * GIT_OID_RAWSZ) ||
		    (!memcmp(c, "CDAT", 4) && next - at != (uint64_t)g->nr * (GIT_OID_RAWSZ + 16)))
			goto fail;
	}
	for (i = 1; i < 256; i++)
		if (get_be32(g->fanout + 4 * i) < get_be32(g->fanout + 4 * (i - 1)))
			goto fail;
	return 0;
fail:
	graph_close(g);
	return -1;
}

/* The position of commit `id` in the graph, or -1. */
static long graph_find(const struct graph *g, const git_oid *id)
{
	uint32_t lo = id->id[0] ? get_be32(g->fanout + 4 * (id->id[0] - 1)) : 0;
	uint32_t hi = get_be32(g->fanout + 4 * id->id[0]);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(g->oids + (size_t)mid * GIT_OID_RAWSZ, id->id, GIT_OID_RAWSZ);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * Walks the graph from position `pos` while the commits are newer than
 * `when`. Returns 1 with *id the first commit at or before it, 0 with *id
 * cleared when the line ends first, or -1 with *id the commit to read
 * instead (its time is not one to trust).
 */
static int graph_walk(const struct graph *g, uint32_t pos, long long when, git_oid *id)
{
	for (;;) {
		const unsigned char *d = g->data + (size_t)pos * (GIT_OID_RAWSZ + 16);
		uint64_t t = (uint64_t)(get_be32(d + 28) & 3) << 32 | get_be32(d + 32);
		uint32_t parent = get_be32(d + 20);

		git_oid_fromraw(id, g->oids + (size_t)pos * GIT_OID_RAWSZ);
		if (t >= GRAPH_TIME_MAX)
			return -1;
		if ((long long)t <= when)
			return 1;
		if (parent == GRAPH_NO_PARENT) {
			memset(id, 0, sizeof(*id));
			return 0;
		}
		if (parent >= g->nr)
			return -1; /* read this one, then follow its parent as written */
		pos = parent;
	}
}

int range_first_parent_at(git_repository *git, git_commit *to, long long when, git_commit **out)
{
	struct graph g;
	git_commit *c = NULL, *next = NULL;
	int have_graph = !graph_open(&g, git), ret = 0;
	git_oid id;

	*out = NULL;
	if (git_commit_dup(&c, to) < 0)
		return repo_error("cannot read a commit");
	while (c && (long long)git_commit_time(c) > when) {
		long pos = -1;

		next = NULL;
		if (!git_commit_parentcount(c)) {
			git_commit_free(c);
			c = NULL;
			break;
		}
		git_oid_cpy(&id, git_commit_parent_id(c, 0));
		if (have_graph)
			pos = graph_find(&g, &id);
		if (pos >= 0) {
			int found = graph_walk(&g, (uint32_t)pos, when, &id);
			if (!found) {
				git_commit_free(c);
				c = NULL;
				break;
			}
		}
		if (git_commit_lookup(&next, git, &id) < 0) {
			git_commit_free(c);
			ret = repo_error("cannot read a parent commit");
			goto out;
		}
		git_commit_free(c);
		c = next;
	}
	*out = c;
out:
	if (have_graph)
		graph_close(&g);
	return ret;
}
