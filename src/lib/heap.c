/*
 * The heap on transparent huge pages.
 *
 * A herald command touches from one to sixty MiB of heap, and the kernel
 * maps each 4 KiB page at its first touch with a page fault. On a virtual
 * machine a fault is dear: 11 us for a fresh anonymous page on the machine
 * `make bench` runs on (about 0.25 us on bare metal), so announcing 1,000
 * posts spent 2,300 faults (25 ms) and `scan --all` of 10,000 posts 11,600
 * on memory that one 2 MiB page maps in one fault.
 *
 * glibc does this itself when told to (the glibc.malloc.hugetlb=1 tunable),
 * but a tunable is read from the environment before main() runs, and git
 * and cron start herald with theirs. So this does the same by hand, once:
 *
 *  - the heap is grown once by 30 MiB of address space (nothing is
 *    touched, so nothing is used), the 2 MiB-aligned part of it is marked
 *    MADV_HUGEPAGE, and it is given back to malloc, which keeps it (the
 *    trim threshold is above what is left free of it);
 *  - a block that is never freed fills the space below the first 2 MiB
 *    boundary, so what herald allocates next starts on a huge page;
 *  - then blocks up to 8 MiB come from the heap. glibc's default sends
 *    blocks of 128 KiB and more to mmap() and back to the kernel at free,
 *    so each costs its pages' faults again; every version of a big tree or
 *    post read from a delta chain is such a block, allocated and freed in
 *    turn (with `git gc --aggressive` packing that was a third of `scan
 *    --all`'s time, in the kernel). Kept in the heap, freed buffers are
 *    reused; the limit stays far below what one delta chain holds, so a
 *    16 MiB post still goes to mmap. The heap is trimmed past 32 MiB free.
 *
 * Where the kernel has no huge pages, or none free, the advice is ignored
 * and pages come 4 KiB at a time as before. Memory: the last huge page in
 * use is mapped whole, at most 2 MiB more than before; and what is freed
 * stays with the process (up to 64 MiB of it at the top of the heap), so a
 * long `deliver` keeps its peak until it exits.
 */
#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

#include "herald/heap.h"
#include "herald/banned.h"

#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define RESERVE ((size_t)30 << 20)
#define MMAP_THRESHOLD (8 << 20)
#define TRIM_THRESHOLD (32 << 20)

/* The filler below the first huge page, kept for the life of the process. */
static void *below_first_huge_page;

void heap_prefer_huge_pages(void)
{
	uintptr_t start, first, end;
	char *p;

	if (below_first_huge_page)
		return;
	/* while reserving, M_MMAP_THRESHOLD above RESERVE, or it is an mmap() */
	if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, 64 << 20))
		return;
	if ((p = malloc(RESERVE))) {
		start = (uintptr_t)p;
		first = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		end = (start + RESERVE) & ~(HUGE_PAGE - 1);
		if (end > first)
			(void)madvise((void *)first, end - first, MADV_HUGEPAGE);
		free(p);
		/* from the top of the heap, where `p` was: up to `first`, less a header */
		if (first - start > 64)
			below_first_huge_page = malloc(first - start - 2 * sizeof(size_t));
	}
	(void)mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	(void)mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
}

void heap_share_with_threads(void)
{
	(void)mallopt(M_ARENA_MAX, 1);
}

#else

void heap_prefer_huge_pages(void)
{
}

void heap_share_with_threads(void)
{
}

#endif
