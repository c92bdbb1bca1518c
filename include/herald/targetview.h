#ifndef HERALD_TARGETVIEW_H
#define HERALD_TARGETVIEW_H

#include <stdio.h>

#include "herald/target.h"

/*
 * What `herald targets` prints for one target: name, kind, url as scheme
 * and host only, the event types it wants, batched/signed; the payload
 * template it uses; a warning for a secret without whsec_; and "unusable"
 * with the reason when its configuration is wrong or its payload cannot be
 * built for a sample post (a template that is missing, broken, or cannot
 * meet the platform's rules), before any push finds out. Returns 1 when
 * the target is unusable, else 0.
 */
int targetview_print(const struct target *t, FILE *out);

#endif
