/* What the finding functions (xN in generated/schemas.h) record: each keyword a value fails.
 *
 * Findings keep the order the functions meet them. A finding inside an anyOf branch
 * names the anyOf's own finding as its parent, and the branch it came from, so Python
 * can rebuild the reference engine's error tree (an anyOf error and its context).
 */
#ifndef GUESTKIT_FINDINGS_H
#define GUESTKIT_FINDINGS_H

#include <stdint.h>
#include <stdlib.h>

typedef struct {
    uint32_t node;   /* the value the keyword failed on */
    uint32_t key;    /* additionalProperties, propertyNames: the member's name node; else 0 */
    int32_t parent;  /* the finding of the anyOf this is a branch error of; -1 at the top */
    uint16_t schema; /* SCHEMAS[schema] holds the keyword */
    uint8_t keyword; /* KEYWORDS[keyword] */
    uint8_t branch;  /* the parent anyOf's branch */
} Finding;

typedef struct {
    Finding *items;
    uint32_t count, capacity;
    int out_of_memory; /* a finding was lost: the caller must not report a partial list */
} Findings;

/* Record a finding; its index, or -1 (and out_of_memory set) when there is no room. */
static int32_t found(Findings *f, unsigned schema, unsigned keyword, uint32_t node, uint32_t key, int32_t parent,
                     unsigned branch) {
    if (f->count == f->capacity) {
        uint32_t capacity = f->capacity ? f->capacity * 2 : 16;
        Finding *items = capacity > INT32_MAX / 2 ? NULL : realloc(f->items, capacity * sizeof *items);
        if (items == NULL) {
            f->out_of_memory = 1;
            return -1;
        }
        f->items = items, f->capacity = capacity;
    }
    f->items[f->count] = (Finding){node, key, parent, (uint16_t)schema, (uint8_t)keyword, (uint8_t)branch};
    return (int32_t)f->count++;
}

#endif
