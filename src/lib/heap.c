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
 * Where the kernel has no huge pages the advice is ignored and pages come
 * 4 KiB at a time as before. Where it has none free, the advice would cost:
 * under the kernel's default THP "defrag" setting (madvise; also always and
 * defer+madvise) a fault in an advised region that finds no free 2 MiB
 * block on its node reclaims and compacts memory first, in the faulting
 * process, which on a busy server whose memory is full of page cache can
 * take milliseconds: a stall in a hook. So under those settings (or when
 * the setting cannot be read) herald advises only when /proc/buddyinfo
 * shows, on every node, free 2 MiB blocks for the whole reservation outside
 * the DMA zone (heap_huge_pages_ready_in()). That is a snapshot: it makes a
 * stall unlikely, not impossible (another process may take the blocks
 * first, a memory cgroup near its limit reclaims within itself). Under
 * defer or never no fault waits, and it always advises.
 *
 * Memory: the last huge page in use is mapped whole, at most 2 MiB more
 * than before; and what is freed stays with the process (up to 64 MiB of
 * it at the top of the heap), so a long `deliver` keeps its peak until it
 * exits.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

#include "herald/heap.h"
#include "herald/banned.h"

/* The word in brackets of a sysfs choice ("always [madvise] never"), and its length. */
static size_t chosen(const char *text, const char **word)
{
	const char *open = text ? strchr(text, '[') : NULL;
	const char *close = open ? strchr(open, ']') : NULL;

	*word = open ? open + 1 : "";
	return close ? (size_t)(close - open - 1) : 0;
}

/* Parses an unsigned number at *p (after spaces), moving past it; false when none. */
static bool number(const char **p, unsigned long long *n)
{
	char *end;

	while (**p == ' ')
		(*p)++;
	if (**p < '0' || **p > '9')
		return false;
	*n = strtoull(*p, &end, 10);
	*p = end;
	return true;
}

bool heap_huge_pages_ready_in(const char *defrag, const char *buddyinfo, size_t bytes,
			      size_t page_size)
{
	const size_t huge = (size_t)2 << 20;
	const unsigned long long need = bytes / huge + (bytes % huge != 0);
	unsigned long long node = 0, have = 0, n;
	const char *word, *line, *next;
	size_t len = chosen(defrag, &word);
	unsigned huge_order = 0, order;
	bool any = false;

	/* a setting under which a fault never waits */
	if (len == 5 && (!strncmp(word, "defer", 5) || !strncmp(word, "never", 5)))
		return true;
	if (!buddyinfo || !page_size || page_size > huge || huge % page_size)
		return false;
	while ((page_size << huge_order) < huge)
		huge_order++;
	/*
	 * "Node 0, zone   Normal   n0 n1 ... n10": free blocks of page_size <<
	 * order, a node's zones on consecutive lines. A fault takes its huge
	 * page from its own node first (and compacts there), so every node
	 * must have them; the DMA zone's are kept for DMA.
	 */
	for (line = buddyinfo; *line; line = next) {
		const char *eol = strchr(line, '\n');
		const char *p = line, *name;
		unsigned long long this_node;

		next = eol ? eol + 1 : line + strlen(line);
		if (strncmp(p, "Node", 4))
			continue;
		p += 4;
		if (!number(&p, &this_node) || *p != ',')
			continue;
		p++;
		while (*p == ' ')
			p++;
		if (strncmp(p, "zone", 4))
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		name = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		if (any && this_node != node) {
			if (have < need)
				return false;
			have = 0;
		}
		node = this_node;
		any = true;
		if (p - name == 3 && !strncmp(name, "DMA", 3))
			continue;
		/* a block of huge_order + k is 2^k free 2 MiB blocks; count up to `need` */
		for (order = 0; have < need && number(&p, &n); order++) {
			unsigned k;

			if (order < huge_order || !n)
				continue;
			k = order - huge_order;
			if (k >= 64 || n > (need - have) >> k)
				have = need;
			else
				have += n << k;
		}
	}
	return any && have >= need;
}

#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define RESERVE ((size_t)30 << 20)
#define MMAP_THRESHOLD (8 << 20)
#define TRIM_THRESHOLD (32 << 20)

/* The filler below the first huge page, kept for the life of the process. */
static void *below_first_huge_page;

/* The files huge_pages_ready() reads (tests name others). */
static const char *defrag_file = "/sys/kernel/mm/transparent_hugepage/defrag";
static const char *buddyinfo_file = "/proc/buddyinfo";

void heap_read_kernel_files_from(const char *defrag, const char *buddyinfo)
{
	defrag_file = defrag;
	buddyinfo_file = buddyinfo;
}

/*
 * The small file `path` read into `buf` (NUL-terminated, cut to fit), or
 * NULL. No stdio: it runs while the reservation is held, and allocates
 * nothing.
 */
static const char *read_small(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* heap_huge_pages_ready_in() on this machine's files (or the test's). */
static bool huge_pages_ready(void)
{
	char defrag[256], buddy[8192];
	long page = sysconf(_SC_PAGESIZE);

	return heap_huge_pages_ready_in(read_small(defrag_file, defrag, sizeof(defrag)),
					read_small(buddyinfo_file, buddy, sizeof(buddy)), RESERVE,
					page > 0 ? (size_t)page : 0);
}

/* Was the reservation advised for huge pages? */
static bool advised;

bool heap_prefer_huge_pages(void)
{
	uintptr_t start, first, end;
	char *p;

	if (below_first_huge_page)
		return advised;
	/* while reserving, M_MMAP_THRESHOLD above RESERVE, or it is an mmap() */
	if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, 64 << 20))
		return false;
	if ((p = malloc(RESERVE))) {
		start = (uintptr_t)p;
		first = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		end = (start + RESERVE) & ~(HUGE_PAGE - 1);
		if (end > first && huge_pages_ready())
			advised = !madvise((void *)first, end - first, MADV_HUGEPAGE);
		free(p);
		/* from the top of the heap, where `p` was: up to `first`, less a header */
		if (first - start > 64)
			below_first_huge_page = malloc(first - start - 2 * sizeof(size_t));
	}
	(void)mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	(void)mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
	return advised;
}

void heap_share_with_threads(void)
{
	(void)mallopt(M_ARENA_MAX, 1);
}

#else

void heap_read_kernel_files_from(const char *defrag, const char *buddyinfo)
{
	(void)defrag;
	(void)buddyinfo;
}

bool heap_prefer_huge_pages(void)
{
	return false;
}

void heap_share_with_threads(void)
{
}

#endif
