#ifndef HERALD_HEAP_H
#define HERALD_HEAP_H

/*
 * Asks for the heap to be backed by transparent huge pages where the
 * kernel offers them (Linux with glibc; elsewhere it does nothing). Call
 * once, first thing, before the libraries allocate. Never fails: without
 * huge pages the heap is what it was.
 */
void heap_prefer_huge_pages(void);

#endif
