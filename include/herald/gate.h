#ifndef HERALD_GATE_H
#define HERALD_GATE_H

#include <stdio.h>

struct setup;
struct ref_update;

/*
 * The pre-receive gate: lints the posts one pushed update of a watched
 * branch changes (and a changed .herald.yml), writing each finding to
 * `out` as `file:line:column: level: message`; returns the number of
 * errors, a push it cannot read counting as one. Which paths are posts
 * comes from the branch as it was before the push (its old tip, else its
 * baseline, else HEAD) as well as from the pushed tree, so a push that also
 * rewrites .herald.yml cannot take its broken post out of the gate.
 */
unsigned long gate_update(struct setup *st, const struct ref_update *u, FILE *out);

#endif
