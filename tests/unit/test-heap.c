/*
 * heap_prefer_huge_pages(): after it, what herald allocates comes from the
 * heap, blocks of a MiB included, and lies in memory advised for huge
 * pages (where heap_huge_pages_ready_in() allows). Read back from
 * /proc/self/smaps, which names each mapping and its flags ("hg":
 * MADV_HUGEPAGE). Whether the kernel then finds a free huge
 * page depends on the machine, so that is reported, not asserted.
 *
 * heap_share_with_threads(): a thread started after it allocates from that
 * same heap, not from an arena of its own (an anonymous mapping of 64 MiB
 * that glibc makes for a thread's first malloc).
 *
 * heap_huge_pages_ready_in(): the advice is given only where a fault is
 * unlikely to stall for a huge page, decided from the texts of the kernel's
 * THP "defrag" setting and /proc/buddyinfo; and through the real path, in
 * child processes that read those texts from files, the heap carries the
 * advice or not as decided. When this machine's own files say no, the heap
 * must carry none.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/heap.h"
#include "tap.h"
#include "herald/banned.h"

struct mapping {
	char name[256];
	char flags[512];
	long anon_huge_kb;
	int found;
};

/* The mapping of /proc/self/smaps that holds `addr`. */
static void mapping_of(const void *addr, struct mapping *m)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;

	memset(m, 0, sizeof(*m));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int name_at = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &name_at) == 2 &&
		    name_at > 0) {
			if (m->found)
				break;
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			if (in) {
				m->found = 1;
				snprintf(m->name, sizeof(m->name), "%s", line + name_at);
				m->name[strcspn(m->name, "\n")] = '\0';
			}
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			snprintf(m->flags, sizeof(m->flags), "%s", line + 8);
			m->flags[strcspn(m->flags, "\n")] = '\0';
		} else if (in && !strncmp(line, "AnonHugePages:", 14)) {
			m->anon_huge_kb = atol(line + 14);
		}
	}
	fclose(f);
}

static int has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = flags;

	while ((p = strstr(p, flag))) {
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static const char *why_skip(void)
{
#if !defined(__linux__) || !defined(__GLIBC__)
	return "not Linux with glibc: heap_prefer_huge_pages() does nothing";
#endif
#if defined(__SANITIZE_ADDRESS__)
	return "AddressSanitizer owns malloc (its mallopt() refuses)";
#endif
	if (getenv("HERALD_VALGRIND"))
		return "valgrind owns malloc";
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		return "this kernel has no transparent huge pages";
	return NULL;
}

/* free blocks of orders 0..10 in one zone, as /proc/buddyinfo prints them */
#define ZONE(node, name, o9, o10)                                                                \
	"Node " #node ", zone " name "   4457   3302   2765   1910    961    703    389    167 " \
	"   134 " #o9 " " #o10 " \n"

static const char *const madv = "always defer defer+madvise [madvise] never\n";
/* a machine whose memory is full: 3 free 2 MiB blocks */
static const char *const full = ZONE(0, "DMA", 0, 0) ZONE(0, "DMA32", 0, 0) ZONE(0, "Normal", 3, 0);

/* 30 MiB (15 blocks of 2 MiB) with 4 KiB pages, as heap.c asks */
static bool ready(const char *defrag, const char *buddyinfo)
{
	return heap_huge_pages_ready_in(defrag, buddyinfo, (size_t)30 << 20, 4096);
}

static void decides(void)
{
	const char *roomy = ZONE(0, "DMA", 1, 1) ZONE(0, "DMA32", 2, 752) ZONE(0, "Normal", 21, 354);

	ok(ready(madv, roomy), "defrag madvise, and free 2 MiB blocks to spare: advise");
	ok(!ready(madv, full),
	   "defrag madvise, 3 free 2 MiB blocks for 15 wanted: do not (a fault would compact)");
	ok(!ready(madv, NULL), "defrag madvise and no /proc/buddyinfo to read: do not");
	ok(!ready("[always] defer defer+madvise madvise never", full),
	   "defrag always, memory full: do not");
	ok(!ready("always defer [defer+madvise] madvise never", full),
	   "defrag defer+madvise, memory full: do not");
	ok(ready("always [defer] defer+madvise madvise never", full),
	   "defrag defer never stalls a fault: advise even with memory full");
	ok(ready("always defer defer+madvise madvise [never]", NULL), "defrag never: advise");
	ok(ready(NULL, roomy) && !ready(NULL, full) && !ready(NULL, NULL),
	   "no defrag setting to read: /proc/buddyinfo decides");
	ok(ready(madv, ZONE(0, "DMA32", 1, 3) ZONE(0, "Normal", 4, 2)) &&
	   !ready(madv, ZONE(0, "DMA32", 1, 3) ZONE(0, "Normal", 2, 2)),
	   "an order-10 block is two of 2 MiB, and a node's zones add up: "
	   "1 + 2*3 + 4 + 2*2 = 15 is enough, 13 is not");
	ok(!ready(madv, ZONE(0, "DMA", 15, 0) ZONE(0, "Normal", 0, 0)),
	   "the DMA zone's blocks do not count (they are kept for DMA)");
	ok(!ready(madv, ZONE(0, "Normal", 15, 0) ZONE(1, "Normal", 0, 0)) &&
	   !ready(madv, ZONE(0, "Normal", 0, 0) ZONE(1, "Normal", 15, 0)) &&
	   ready(madv, ZONE(0, "Normal", 15, 0) ZONE(1, "DMA32", 7, 0) ZONE(1, "Normal", 8, 0)),
	   "every node must have them: a fault compacts its own node first");
	ok(heap_huge_pages_ready_in(madv, "Node 0, zone Normal 0 0 0 0 0 15 0 0 0\n",
				    (size_t)30 << 20, 65536) &&
	   !ready(madv, "Node 0, zone Normal 0 0 0 0 0 15 0 0 0\n"),
	   "with 64 KiB pages, order 5 is 2 MiB");
	ok(!heap_huge_pages_ready_in(madv, full, (size_t)30 << 20, 0) &&
	   !heap_huge_pages_ready_in("[defer+madvise]", ZONE(0, "Normal", 99, 99),
				     (size_t)30 << 20, (size_t)4 << 20) &&
	   !heap_huge_pages_ready_in(madv, ZONE(0, "Normal", 99, 99), (size_t)30 << 20, 3000),
	   "a page size that does not divide 2 MiB: do not");
	ok(ready(madv, "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 15\n") &&
	   !ready(madv, "Node 0, zone Normal 1 2 3\n"),
	   "a short line counts what it has");
	ok(!ready(madv, "garbage\nzone Normal 99 99 99 99 99 99 99 99 99 99 99\n\n"
			"Node x, zone Normal 99 99 99 99 99 99 99 99 99 99 99\n"
			"Node 0 zone Normal 99 99 99 99 99 99 99 99 99 99 99\n"),
	   "lines that are not buddyinfo's count nothing");
	ok(heap_huge_pages_ready_in(madv, "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 "
					  "18446744073709551615\n",
				    SIZE_MAX, 4096) &&
	   !heap_huge_pages_ready_in(madv, "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 1 1 1 1 1 1\n",
				     SIZE_MAX, 4096) &&
	   heap_huge_pages_ready_in(madv, "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
					  "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
					  "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1\n",
				    SIZE_MAX, 4096),
	   "counts and orders too big to add make enough, without overflow; 63 blocks do not");
}

/* Writes `text` to a new file under `dir`; its path (malloc()ed) or NULL. */
static char *write_file(const char *dir, const char *name, const char *text)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	FILE *f;

	if (!path)
		return NULL;
	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		free(path);
		return NULL;
	}
	return path;
}

/*
 * In a child process, heap_prefer_huge_pages() reading `defrag` and
 * `buddyinfo` from files: 0 when it advised exactly when `expect` says so,
 * and the heap's flags agree; else 1.
 */
static int child_advises(const char *defrag, const char *buddyinfo, bool expect)
{
	char dir[] = "/tmp/herald-test-heap-XXXXXX";
	char *d = mkdtemp(dir) ? write_file(dir, "defrag", defrag) : NULL;
	char *b = d ? write_file(dir, "buddyinfo", buddyinfo) : NULL;
	int status = -1, ret = 1;
	pid_t pid;

	if (b && (pid = fork()) >= 0) {
		if (!pid) {
			struct mapping m;
			bool advised;
			char *p;

			heap_read_kernel_files_from(d, b);
			advised = heap_prefer_huge_pages();
			p = malloc(100);
			mapping_of(p, &m);
			_exit(advised == expect && m.found && has_flag(m.flags, "hg") == expect ? 0 : 1);
		}
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			ret = WEXITSTATUS(status);
	}
	if (d)
		unlink(d);
	if (b)
		unlink(b);
	rmdir(dir);
	free(d);
	free(b);
	return ret;
}

static void *thread_allocates(void *arg)
{
	char **blocks = arg;

	blocks[0] = malloc(100);
	blocks[1] = malloc(1u << 20);
	if (blocks[1])
		memset(blocks[1], 2, 1u << 20);
	return NULL;
}

int main(void)
{
	char *from_thread[2] = { NULL, NULL };
	struct mapping tsmall, tbig;
	pthread_t th;
	const char *skip_reason = why_skip();
	struct mapping small, big;
	char *a, *b, *c;
	size_t i;
	bool advised;

	decides();
	if (skip_reason) {
		skip("%s", skip_reason);
		skip("%s", skip_reason);
	} else {
		ok(child_advises(madv, full, false) == 0,
		   "through the real path: defrag madvise and memory full, the heap is not advised");
		ok(child_advises("always [defer] defer+madvise madvise never", full, true) == 0,
		   "defrag defer and memory full: it is");
	}
	advised = heap_prefer_huge_pages();
	ok(heap_prefer_huge_pages() == advised, "twice is once, and says the same");
	diag("this machine: %s", advised ? "advised" : "not advised (no free 2 MiB blocks, "
						       "or a malloc that refuses)");
	a = malloc(100);
	b = malloc(1u << 20);
	c = malloc(40u << 20); /* beyond the reservation: still a working block */
	ok(a && b && c, "blocks of 100 B, 1 MiB and 40 MiB are allocated");
	if (!a || !b || !c)
		return done_testing();
	memset(b, 1, 1u << 20);
	for (i = 0; i < (40u << 20); i += 4096)
		c[i] = (char)i;
	ok(b[(1u << 20) - 1] == 1 && c[(40u << 20) - 4096] == (char)((40u << 20) - 4096),
	   "both big blocks hold what was written");
	if (skip_reason) {
		skip("%s", skip_reason);
		skip("%s", skip_reason);
		skip("%s", skip_reason);
	} else if (!advised) {
		mapping_of(a, &small);
		mapping_of(b, &big);
		diag("not advised: a fault here could stall for a huge page");
		ok(big.found && !strcmp(big.name, "[heap]"),
		   "a block of 1 MiB still comes from the heap (%s)",
		   big.found ? (*big.name ? big.name : "anonymous mapping") : "not found");
		ok(small.found && !has_flag(small.flags, "hg") && !has_flag(big.flags, "hg"),
		   "and the heap carries no huge page advice (%s)", small.flags);
	} else {
		mapping_of(a, &small);
		mapping_of(b, &big);
		ok(small.found && !strcmp(small.name, "[heap]") && has_flag(small.flags, "hg"),
		   "a small block lies on the heap, advised for huge pages (%s: %s)",
		   small.name, small.flags);
		ok(big.found && !strcmp(big.name, "[heap]"),
		   "a block of 1 MiB comes from the heap, not a mmap() of its own (%s)",
		   big.found ? (*big.name ? big.name : "anonymous mapping") : "not found");
		ok(has_flag(big.flags, "hg"), "and is advised for huge pages too (%s)", big.flags);
		diag("huge pages in that part of the heap: %ld KiB (none when the kernel "
		     "has no free one, or THP is 'never')",
		     big.anon_huge_kb);
	}
	free(a);
	free(b);
	free(c);

	heap_share_with_threads();
	ok(!pthread_create(&th, NULL, thread_allocates, from_thread) && !pthread_join(th, NULL),
	   "a thread runs after heap_share_with_threads()");
	ok(from_thread[0] && from_thread[1] && from_thread[1][12345] == 2,
	   "the thread allocates blocks of 100 B and 1 MiB and writes them");
	if (skip_reason) {
		skip("%s", skip_reason);
		skip("%s", skip_reason);
	} else {
		mapping_of(from_thread[0], &tsmall);
		mapping_of(from_thread[1], &tbig);
		ok(tsmall.found && !strcmp(tsmall.name, "[heap]") &&
		   has_flag(tsmall.flags, "hg") == advised,
		   "the thread's small block lies on the main heap, %s (%s: %s)",
		   advised ? "advised for huge pages" : "as it is",
		   tsmall.found ? (*tsmall.name ? tsmall.name : "an arena of its own") : "not found",
		   tsmall.flags);
		ok(tbig.found && !strcmp(tbig.name, "[heap]") && has_flag(tbig.flags, "hg") == advised,
		   "and so does its block of 1 MiB (%s: %s)",
		   tbig.found ? (*tbig.name ? tbig.name : "an arena of its own") : "not found",
		   tbig.flags);
	}
	free(from_thread[0]);
	free(from_thread[1]);
	return done_testing();
}
