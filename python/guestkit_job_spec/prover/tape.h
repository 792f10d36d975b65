/* The prover's strict JSON reader: bytes to a tape of nodes, or a refusal.
 *
 * It accepts a subset of what the strict decoder accepts, and only where both engines
 * decode the same value: RFC 8259 JSON in valid UTF-8, no byte order mark, within the
 * limits, no duplicate keys, and strings without backslash escapes, numbers without
 * exponents and with at most 18 digits. Anything else is refused (the caller then asks
 * the other engines, which explain it or accept it). Refusing is always safe here;
 * accepting something the strict decoder would not is the one bug to avoid.
 *
 * The tape lists values in document order; containers know their entry count and every
 * node the index just past its subtree, so schemas can look at any value any number of
 * times (anyOf, if/then) without parsing it again. An object's entries are key, value.
 */
#ifndef GUESTKIT_TAPE_H
#define GUESTKIT_TAPE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_NULL, K_FALSE, K_TRUE, K_INT, K_FRACTION, K_STRING, K_ARRAY, K_OBJECT };

typedef struct {
    uint8_t kind;
    uint8_t ascii;     /* K_STRING: only ASCII bytes */
    uint32_t start;    /* K_STRING: first byte after the quote; numbers: first byte */
    uint32_t len;      /* K_STRING: bytes between the quotes; numbers: length of the text */
    uint32_t chars;    /* K_STRING: code points */
    uint32_t next;     /* index of the node after this value's subtree */
    uint32_t count;    /* containers: entries (an object's key/value pairs count once) */
    int64_t integer;   /* K_INT: the value */
    double number;     /* K_INT, K_FRACTION: the value as the decoder's float would be */
} Node;

typedef struct {
    size_t max_bytes, max_depth, max_string, max_entries;
} Limits;

typedef struct {
    const unsigned char *text;
    size_t size, at;
    Node *nodes;
    uint32_t used, capacity;
    uint32_t *keys; /* the keys of the objects being read, innermost last */
    uint32_t keys_used;
    Limits limits;
} Tape;

#define REFUSE (-1)

static void skip_space(Tape *t) {
    const unsigned char *p = t->text + t->at, *end = t->text + t->size; /* locals: no reloads through t */
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    t->at = (size_t)(p - t->text);
}

static int push(Tape *t, uint8_t kind) {
    if (t->used == t->capacity) return REFUSE;
    Node *n = &t->nodes[t->used];
    n->kind = kind; /* the reader fills in what each kind uses */
    n->start = (uint32_t)t->at;
    n->count = 0;
    return (int)t->used++;
}

/* Length of the UTF-8 sequence at p (lead byte >= 0x80), or 0 if it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t utf8_sequence(const unsigned char *p, size_t left) {
    unsigned char c = p[0];
    unsigned char low = 0x80, high = 0xBF;
    size_t length;
    if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        if (c == 0xE0) low = 0xA0;
        if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        if (c == 0xF0) low = 0x90;
        if (c == 0xF4) high = 0x8F;
    } else return 0;
    if (left < length || p[1] < low || p[1] > high) return 0;
    for (size_t i = 2; i < length; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return length;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Whether [p, end) has no backslash and no control character, eight bytes at a time
 * (SWAR); *high collects the bytes' top bits: non-zero when some byte is not ASCII. */
static int plain_ascii_or_utf8(const unsigned char *p, const unsigned char *end, uint64_t *high) {
    uint64_t bad = 0, top = 0;
    for (; end - p >= 8; p += 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        /* Exact existence tests (Bit Twiddling Hacks): a byte below 0x20, a byte equal to '\\'. */
        uint64_t backslash_zeroed = word ^ (ONES * '\\');
        bad |= ((word - ONES * 0x20) & ~word & HIGHS) | ((backslash_zeroed - ONES) & ~backslash_zeroed & HIGHS);
        top |= word;
    }
    for (; p < end; p++) {
        bad |= *p < 0x20 || *p == '\\';
        top |= *p;
    }
    *high = top & HIGHS;
    return bad == 0;
}

static int read_string(Tape *t) {
    t->at++; /* the opening quote */
    int index = push(t, K_STRING);
    if (index == REFUSE) return REFUSE;
    const unsigned char *p = t->text + t->at, *close = memchr(p, '"', t->size - t->at);
    if (close == NULL) return REFUSE;
    uint64_t high = 0;
    if (!plain_ascii_or_utf8(p, close, &high)) return REFUSE; /* escapes: the strict decoder's; controls: invalid */
    size_t chars = (size_t)(close - p);
    if (high) {
        chars = 0;
        for (const unsigned char *q = p; q < close; chars++) {
            size_t length = *q < 0x80 ? 1 : utf8_sequence(q, (size_t)(close - q));
            if (length == 0) return REFUSE;
            q += length;
        }
    }
    Node *n = &t->nodes[index];
    n->len = (uint32_t)(close - p);
    n->chars = (uint32_t)chars;
    n->ascii = !high;
    t->at = (size_t)(close - t->text) + 1;
    return chars > t->limits.max_string ? REFUSE : index;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int read_number(Tape *t) {
    int index = push(t, K_INT);
    if (index == REFUSE) return REFUSE;
    const unsigned char *p = t->text + t->at, *begin = p, *end = t->text + t->size;
    int negative = p < end && *p == '-';
    p += negative;
    if (p >= end || !is_digit(*p)) return REFUSE;
    int64_t integer = 0;
    size_t digits = 0;
    if (*p == '0') p++, digits++;
    else
        for (; p < end && is_digit(*p) && digits <= 18; p++, digits++) integer = integer * 10 + (*p - '0');
    int fraction = p < end && *p == '.';
    if (fraction) {
        if (++p >= end || !is_digit(*p)) return REFUSE;
        while (p < end && is_digit(*p)) p++, digits++;
    }
    /* Exponents and more than 18 digits (int64 holds 18; big ints stay with the strict decoder). */
    if (digits > 18 || (p < end && (*p == 'e' || *p == 'E'))) return REFUSE;
    Node *n = &t->nodes[index];
    n->len = (uint32_t)(p - begin);
    t->at = (size_t)(p - t->text);
    if (fraction) {
        char text[24]; /* sign, 18 digits, point, NUL */
        memcpy(text, begin, n->len);
        text[n->len] = '\0';
        n->kind = K_FRACTION;
        n->number = strtod(text, NULL); /* correctly rounded, as Python's float() */
    } else {
        n->integer = negative ? -integer : integer;
        n->number = (double)n->integer;
    }
    return index;
}

static int same_key(const Tape *t, uint32_t a, uint32_t b) {
    const Node *x = &t->nodes[a], *y = &t->nodes[b];
    return x->len == y->len && memcmp(t->text + x->start, t->text + y->start, x->len) == 0;
}

static const Tape *sorting_tape; /* qsort has no context argument in C99; the GIL serializes calls */

static int key_order(const void *a, const void *b) {
    const Node *x = &sorting_tape->nodes[*(const uint32_t *)a], *y = &sorting_tape->nodes[*(const uint32_t *)b];
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return memcmp(sorting_tape->text + x->start, sorting_tape->text + y->start, x->len);
}

/* Whether an object's keys (node indices) are all different. */
static int keys_distinct(const Tape *t, uint32_t *keys, uint32_t count) {
    if (count <= 16) {
        for (uint32_t i = 1; i < count; i++)
            for (uint32_t j = 0; j < i; j++)
                if (same_key(t, keys[i], keys[j])) return 0;
        return 1;
    }
    sorting_tape = t;
    qsort(keys, count, sizeof *keys, key_order);
    for (uint32_t i = 1; i < count; i++)
        if (same_key(t, keys[i], keys[i - 1])) return 0;
    return 1;
}

static int read_value(Tape *t, size_t depth);

static int read_container(Tape *t, size_t depth, int object) {
    if (depth > t->limits.max_depth) return REFUSE;
    int index = push(t, object ? K_OBJECT : K_ARRAY);
    if (index == REFUSE) return REFUSE;
    t->at++;
    unsigned char closing = object ? '}' : ']';
    uint32_t count = 0, *keys = t->keys + t->keys_used;
    skip_space(t);
    if (t->at < t->size && t->text[t->at] == closing) {
        t->at++;
        return index;
    }
    for (;;) {
        if (count == t->limits.max_entries) return REFUSE;
        if (object) {
            if (t->at >= t->size || t->text[t->at] != '"') return REFUSE;
            int key = read_string(t);
            if (key == REFUSE) return REFUSE;
            t->nodes[key].next = t->used;
            keys[count] = (uint32_t)key; /* a key is a node: the key stack has room for every node */
            t->keys_used++;
            skip_space(t);
            if (t->at >= t->size || t->text[t->at] != ':') return REFUSE;
            t->at++;
            skip_space(t);
        }
        if (read_value(t, depth + 1) == REFUSE) return REFUSE;
        count++;
        skip_space(t);
        if (t->at >= t->size) return REFUSE;
        if (t->text[t->at] == ',') {
            t->at++;
            skip_space(t);
            continue;
        }
        if (t->text[t->at] != closing) return REFUSE;
        t->at++;
        break;
    }
    if (object) {
        if (!keys_distinct(t, keys, count)) return REFUSE;
        t->keys_used -= count;
    }
    t->nodes[index].count = count;
    return index;
}

static int read_literal(Tape *t, const char *word, uint8_t kind) {
    size_t length = strlen(word);
    if (t->size - t->at < length || memcmp(t->text + t->at, word, length) != 0) return REFUSE;
    int index = push(t, kind);
    t->at += length;
    return index;
}

static int read_value(Tape *t, size_t depth) {
    if (t->at >= t->size) return REFUSE;
    int index;
    switch (t->text[t->at]) {
    case '{': index = read_container(t, depth, 1); break;
    case '[': index = read_container(t, depth, 0); break;
    case '"': index = read_string(t); break;
    case 't': index = read_literal(t, "true", K_TRUE); break;
    case 'f': index = read_literal(t, "false", K_FALSE); break;
    case 'n': index = read_literal(t, "null", K_NULL); break;
    default: index = read_number(t);
    }
    if (index != REFUSE) t->nodes[index].next = t->used;
    return index;
}

/* Read the whole document into t->nodes; 0 on success, REFUSE otherwise. The caller has
 * refused documents over max_bytes already, before allocating their tape. */
static int read_document(Tape *t) {
    skip_space(t);
    if (read_value(t, 1) == REFUSE) return REFUSE;
    skip_space(t);
    return t->at == t->size ? 0 : REFUSE;
}

#endif
