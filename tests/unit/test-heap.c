/*
 * heap_prefer_huge_pages(): after it, what herald allocates comes from the
 * heap, blocks of a MiB included, and lies in memory advised for huge
 * pages. Read back from /proc/self/smaps, which names each mapping and its
 * flags ("hg": MADV_HUGEPAGE). Whether the kernel then finds a free huge
 * page depends on the machine, so that is reported, not asserted.
 *
 * heap_share_with_threads(): a thread started after it allocates from that
 * same heap, not from an arena of its own (an anonymous mapping of 64 MiB
 * that glibc makes for a thread's first malloc).
 *
 * heap_huge_pages_ready_in(): the advice is given only where no fault can
 * stall for a huge page, decided from the texts of the kernel's THP
 * "defrag" setting and /proc/buddyinfo. When this machine's say no, the
 * heap must carry no advice.
 */
#include <pthread.h>
#include <stdint.h>
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
#define ZONE(name, o9, o10) \
	"Node 0, zone " name "   4457   3302   2765   1910    961    703    389    167    134 " \
	#o9 " " #o10 " \n"

static void decides(void)
{
	const char *madv = "always defer defer+madvise [madvise] never\n";
	const size_t want = (size_t)30 << 20; /* 15 blocks of 2 MiB */
	const char *roomy = ZONE("DMA", 1, 1) ZONE("DMA32", 2, 752) ZONE("Normal", 21, 354);
	const char *full = ZONE("DMA", 0, 0) ZONE("DMA32", 0, 0) ZONE("Normal", 3, 0);

	ok(heap_huge_pages_ready_in(NULL, NULL, want),
	   "no THP defrag setting (no THP): advising is free");
	ok(heap_huge_pages_ready_in(madv, roomy, want),
	   "defrag madvise, and free 2 MiB blocks to spare: advise");
	ok(!heap_huge_pages_ready_in(madv, full, want),
	   "defrag madvise, 3 free 2 MiB blocks for 15 wanted: do not (a fault would compact)");
	ok(!heap_huge_pages_ready_in(madv, NULL, want),
	   "defrag madvise and no /proc/buddyinfo to read: do not");
	ok(!heap_huge_pages_ready_in("[always] defer defer+madvise madvise never", full, want),
	   "defrag always, memory full: do not");
	ok(!heap_huge_pages_ready_in("always defer [defer+madvise] madvise never", full, want),
	   "defrag defer+madvise, memory full: do not");
	ok(heap_huge_pages_ready_in("always [defer] defer+madvise madvise never", full, want),
	   "defrag defer never stalls a fault: advise even with memory full");
	ok(heap_huge_pages_ready_in("always defer defer+madvise madvise [never]", NULL, want),
	   "defrag never: advise");
	/* an order-10 block is two of 2 MiB; zones and nodes add up */
	ok(heap_huge_pages_ready_in(madv, ZONE("DMA32", 1, 3) ZONE("Normal", 4, 2), want) &&
	   !heap_huge_pages_ready_in(madv, ZONE("DMA32", 1, 3) ZONE("Normal", 2, 2), want),
	   "orders 9 and 10 of every zone count: 1 + 2*3 + 4 + 2*2 = 15 is enough, 13 is not");
	ok(heap_huge_pages_ready_in(madv, ZONE("Normal", 15, 0) "Node 1, zone Normal 0\n", want) &&
	   !heap_huge_pages_ready_in(madv, "Node 0, zone Normal 1 2 3\n", want),
	   "a short line counts what it has");
	ok(!heap_huge_pages_ready_in(madv, "garbage\nzone\n\n zone x y z 99 99 99 99 99 99 99 99 99 99",
				     want),
	   "text that is not buddyinfo counts nothing");
	ok(!heap_huge_pages_ready_in(madv, "Node 0, zone Normal 0 0 0 0 0 0 0 0 0 0 "
				     "18446744073709551615 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "
				     "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "
				     "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n", 1ull << 62),
	   "counts too big to add, and more orders than a kernel has, do not overflow");
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
		ok(heap_huge_pages_ready() == false,
		   "not advised because a fault here could stall for a huge page");
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
		     "has no free one, or THP is 'never')", big.anon_huge_kb);
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
