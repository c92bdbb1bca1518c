#ifndef HERALD_LISTING_H
#define HERALD_LISTING_H

#include <stdio.h>

struct event_list;

/*
 * The table `herald scan` prints for people: one aligned row per event
 * (TYPE, PATH, TITLE cut to 48 columns, CHANGED fields), a count by type
 * and the range, written to `out`; then each broken post as
 * `path:line:column: error: message` to `err`. Text from posts is escaped
 * for the terminal and measured in display columns.
 */
void listing_print(const struct event_list *l, FILE *out, FILE *err);

#endif
