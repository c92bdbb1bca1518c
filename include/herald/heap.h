#ifndef HERALD_HEAP_H
#define HERALD_HEAP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Asks for the heap to be backed by transparent huge pages where the
 * kernel offers them (Linux with glibc; elsewhere it does nothing). Call
 * once, first thing, before the libraries allocate. Never fails: without
 * huge pages the heap is what it was. True when the heap was advised for
 * huge pages (as heap_huge_pages_ready_in() below allows on this machine's
 * files), false when not.
 */
bool heap_prefer_huge_pages(void);

/*
 * Would advising huge pages be unlikely to stall herald? True when the
 * kernel's THP "defrag" setting (defer or never) never makes a fault wait
 * for one, or when /proc/buddyinfo shows enough free 2 MiB blocks on every
 * node, outside the DMA zone, for the heap's reservation; false otherwise
 * (also where the files cannot be read). A snapshot: see heap.c. It
 * decides from the texts of the two files (NULL for one that cannot be
 * read), the bytes wanted and the page size; heap_prefer_huge_pages()
 * advises only when it says yes on this machine's files.
 */
bool heap_huge_pages_ready_in(const char *defrag, const char *buddyinfo, size_t bytes,
			      size_t page_size);

/* For tests: heap_prefer_huge_pages() reads these files instead of the kernel's. */
void heap_read_kernel_files_from(const char *defrag, const char *buddyinfo);

/*
 * Threads started after this allocate from the main heap (and so from its
 * huge pages) instead of an arena of their own, whose pages fault in 4 KiB
 * at a time: for a thread that stands in for a waiting main thread, as the
 * hook's scan under its deadline does (one-commit scan of a 10,000-post
 * flat folder: 400 faults, 4 ms fewer). Not for threads that allocate side
 * by side: they would queue on one lock (lint's parsers took twice the
 * CPU). Call before the process starts its first thread.
 */
void heap_share_with_threads(void);

#endif
