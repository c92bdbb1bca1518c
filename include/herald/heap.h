#ifndef HERALD_HEAP_H
#define HERALD_HEAP_H

/*
 * Asks for the heap to be backed by transparent huge pages where the
 * kernel offers them (Linux with glibc; elsewhere it does nothing). Call
 * once, first thing, before the libraries allocate. Never fails: without
 * huge pages the heap is what it was.
 */
void heap_prefer_huge_pages(void);

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
