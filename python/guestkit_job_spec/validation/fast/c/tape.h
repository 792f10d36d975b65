/* The prover's strict JSON reader: bytes to a tape of nodes, or a refusal.
 *
 * It reads exactly what the strict decoder (decoding.py: jiter, then the range and limit
 * checks) accepts, to the same values: RFC 8259 JSON in valid UTF-8, no byte order mark,
 * every escape (a surrogate pair makes one code point, a lone surrogate is refused),
 * integers within int64, numbers with fractions or exponents as correctly rounded finite
 * doubles (Python's own conversion: no locale), no duplicate keys, within the limits.
 * Whatever it refuses, the strict decoder refuses too and explains; the one bug to avoid
 * is accepting, or reading differently, what the strict decoder would not.
 *
 * The tape lists values in document order; containers know their entry count and every
 * node the index just past its subtree, so schemas can look at any value any number of
 * times (anyOf, if/then) without parsing it again. An object's entries are key, value.
 * A string's bytes are the input's when it has no escape, else its decoded copy in the
 * tape's own buffer (string_bytes() tells where). Everything a call reads or writes lives
 * in its Tape: nothing is shared with another call, re-entrant or concurrent.
 */
#ifndef GUESTKIT_TAPE_H
#define GUESTKIT_TAPE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_NULL, K_FALSE, K_TRUE, K_INT, K_FRACTION, K_STRING, K_ARRAY, K_OBJECT };

typedef struct {
    uint8_t kind;
    uint8_t ascii;     /* K_STRING: only ASCII code points */
    uint8_t escaped;   /* K_STRING: start is an offset into the tape's decoded strings, not the text */
    uint32_t start;    /* K_STRING: first byte of its UTF-8; numbers: first byte of the text */
    uint32_t len;      /* K_STRING: bytes of its UTF-8; numbers: length of the text */
    uint32_t chars;    /* K_STRING: code points */
    uint32_t next;     /* index of the node after this value's subtree */
    uint32_t count;    /* containers: entries (an object's key/value pairs count once) */
    int64_t integer;   /* K_INT: the value */
    double number;     /* K_INT, K_FRACTION: the value as the decoder's float would be */
} Node;

typedef struct {
    size_t max_bytes, max_depth, max_string, max_entries;
} Limits;

/* The largest document the tape takes: node indices are int (at most size / 2 + 2 of
 * them) and string offsets uint32_t. Larger ones are refused, for the strict decoder. */
#define MAX_TAPE_BYTES ((size_t)INT32_MAX - 8)

/* The deepest nesting a caller may ask for: the strict decoder's own limit (limits.py
 * DECODER_MAX_DEPTH), which also bounds the recursion of the reader and of the schema
 * functions on the C stack. */
#define MAX_DEPTH_LIMIT 200

/* A key of an object in the tape's set of keys: nodes both; key 0 marks an empty slot (node 0
 * is the document itself, never a key). */
typedef struct {
    uint32_t object, key;
    uint64_t hash;
} SeenKey;

typedef struct {
    const unsigned char *text;
    size_t size, at;
    Node *nodes;       /* room for `capacity` nodes, then as many keys (one allocation) */
    uint32_t *keys;    /* the keys of the objects being read, innermost last */
    uint32_t used, keys_used, capacity, most; /* most: tape_capacity(size), the tape never needs more */
    Node *lent;        /* a buffer lent by the caller (its spare), never freed here */
    unsigned char *decoded; /* strings with escapes, decoded; allocated at the first escape */
    size_t decoded_used;
    SeenKey *seen;     /* the keys of large objects (see key_repeats), allocated at the first */
    size_t seen_capacity, seen_used;
    Limits limits;
    int integral_fraction; /* a number has a fraction or exponent and an integral value (5.0, 5e0): json.integer-form may apply */
} Tape;

/* What the reader's functions return besides a node index (>= 0). */
#define REFUSE (-1) /* not a JSON text within the limits: the strict decoder says why */
#define FAILED (-2) /* a Python exception is set (out of memory) */

static inline const unsigned char *string_bytes(const Tape *t, const Node *n) {
    return (n->escaped ? t->decoded : t->text) + n->start;
}

static void skip_space(Tape *t) {
    const unsigned char *p = t->text + t->at, *end = t->text + t->size; /* locals: no reloads through t */
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    t->at = (size_t)(p - t->text);
}

#define NODE_AND_KEY (sizeof(Node) + sizeof(uint32_t))

#if defined(__GNUC__) || defined(__clang__)
#define RARELY_CALLED __attribute__((noinline, cold))
#else
#define RARELY_CALLED
#endif

/* Room for twice the nodes (up to `most`): a tape starts small, so that bytes refused early
 * cost no allocation the size of the document. REFUSE when it holds `most` already: no JSON
 * text of this size has more values (unclosed brackets at the end of one that is cut short can).
 * A tape of its own is reallocated, which for large ones moves pages instead of copying them
 * (half the time of reading a dense 16 MB document went to copies and their page faults). */
static RARELY_CALLED int grow(Tape *t) {
    if (t->capacity >= t->most) return REFUSE;
    size_t capacity = (size_t)t->capacity * 2 > t->most ? t->most : (size_t)t->capacity * 2;
    int own = t->nodes != t->lent;
    Node *nodes = capacity <= t->capacity || capacity > SIZE_MAX / NODE_AND_KEY ? NULL
                  : own ? PyMem_Realloc(t->nodes, capacity * NODE_AND_KEY)
                        : PyMem_Malloc(capacity * NODE_AND_KEY);
    if (nodes == NULL) { /* t->nodes is still what it was: the caller frees it */
        PyErr_NoMemory();
        return FAILED;
    }
    uint32_t *keys = (uint32_t *)(nodes + capacity);
    if (own) {
        memmove(keys, nodes + t->capacity, t->keys_used * sizeof *keys); /* the key stack, where it was */
    } else {
        memcpy(nodes, t->nodes, t->used * sizeof *nodes);
        memcpy(keys, t->keys, t->keys_used * sizeof *keys);
    }
    t->nodes = nodes, t->keys = keys, t->capacity = (uint32_t)capacity;
    return 0;
}

/* A new node at the end of the tape, or REFUSE or FAILED. Pointers into the tape are not kept
 * across a push: it may move. */
static inline int push(Tape *t, uint8_t kind) {
    if (t->used == t->capacity) {
        int grown = grow(t);
        if (grown < 0) return grown;
    }
    Node *n = &t->nodes[t->used];
    memset(n, 0, sizeof *n); /* no field is ever read uninitialised, whatever the kind */
    n->kind = kind;
    n->start = (uint32_t)t->at;
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

/* Code points in [p, end), valid UTF-8 checked; SIZE_MAX when it is not valid. */
static size_t code_points(const unsigned char *p, const unsigned char *end) {
    size_t chars = 0;
    while (p < end) {
        size_t length = *p < 0x80 ? 1 : utf8_sequence(p, (size_t)(end - p));
        if (length == 0) return SIZE_MAX;
        p += length, chars++;
    }
    return chars;
}

static int hex_digit(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The four hex digits at p as a number, or -1. */
static long hex4(const unsigned char *p, const unsigned char *end) {
    if (end - p < 4) return -1;
    long value = 0;
    for (int k = 0; k < 4; k++) {
        int digit = hex_digit(p[k]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

static unsigned char *put_utf8(unsigned char *out, unsigned long code) {
    if (code < 0x80) *out++ = (unsigned char)code;
    else if (code < 0x800) {
        *out++ = (unsigned char)(0xC0 | (code >> 6));
        *out++ = (unsigned char)(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        *out++ = (unsigned char)(0xE0 | (code >> 12));
        *out++ = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
        *out++ = (unsigned char)(0x80 | (code & 0x3F));
    } else {
        *out++ = (unsigned char)(0xF0 | (code >> 18));
        *out++ = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
        *out++ = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
        *out++ = (unsigned char)(0x80 | (code & 0x3F));
    }
    return out;
}

/* A string with escapes, from p (just past the opening quote) to its closing quote,
 * decoded into t->decoded. No decoded string is longer than its text, so a buffer the
 * size of the document holds them all. */
static int read_escaped(Tape *t, Node *n, const unsigned char *p) {
    const unsigned char *end = t->text + t->size;
    if (t->decoded == NULL && (t->decoded = PyMem_Malloc(t->size)) == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    unsigned char *begin = t->decoded + t->decoded_used, *out = begin;
    size_t chars = 0;
    int ascii = 1;
    for (;;) {
        if (p >= end) return REFUSE;
        unsigned char c = *p;
        if (c == '"') break;
        chars++;
        if (c < 0x20) return REFUSE;
        if (c < 0x80 && c != '\\') {
            *out++ = c, p++;
            continue;
        }
        if (c >= 0x80) {
            size_t length = utf8_sequence(p, (size_t)(end - p));
            if (length == 0) return REFUSE;
            memcpy(out, p, length);
            out += length, p += length, ascii = 0;
            continue;
        }
        if (end - p < 2) return REFUSE;
        unsigned char escape = p[1];
        p += 2;
        const char *simple = strchr("\"\\/bfnrt", escape);
        if (escape != 'u') {
            if (escape == 0 || simple == NULL) return REFUSE;
            *out++ = (unsigned char)"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        long code = hex4(p, end);
        if (code < 0 || (code >= 0xDC00 && code <= 0xDFFF)) return REFUSE; /* a lone low surrogate */
        p += 4;
        if (code >= 0xD800 && code <= 0xDBFF) { /* a high surrogate needs its low half next */
            long low = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2, end) : -1;
            if (low < 0xDC00 || low > 0xDFFF) return REFUSE;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            p += 6;
        }
        if (code >= 0x80) ascii = 0;
        out = put_utf8(out, (unsigned long)code);
    }
    n->escaped = 1;
    n->start = (uint32_t)t->decoded_used;
    n->len = (uint32_t)(out - begin);
    n->chars = (uint32_t)chars;
    n->ascii = (uint8_t)ascii;
    t->decoded_used += n->len;
    t->at = (size_t)(p - t->text) + 1;
    return chars > t->limits.max_string ? REFUSE : 0;
}

static int read_string(Tape *t) {
    t->at++; /* the opening quote */
    int index = push(t, K_STRING);
    if (index < 0) return index;
    Node *n = &t->nodes[index];
    const unsigned char *p = t->text + t->at, *close = memchr(p, '"', t->size - t->at);
    if (close == NULL) return REFUSE;
    uint64_t high = 0;
    if (!plain_ascii_or_utf8(p, close, &high)) { /* an escape, or a control character (refused there) */
        int status = read_escaped(t, n, p);
        return status < 0 ? status : index;
    }
    size_t chars = high ? code_points(p, close) : (size_t)(close - p);
    if (chars == SIZE_MAX) return REFUSE;
    n->len = (uint32_t)(close - p);
    n->chars = (uint32_t)chars;
    n->ascii = !high;
    t->at = (size_t)(close - t->text) + 1;
    return chars > t->limits.max_string ? REFUSE : index;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* A number's text to a double as Python's float() reads it: correctly rounded, whatever
 * the C locale says (strtod would read "1.5" as 1 under a locale with a decimal comma).
 * FAILED with MemoryError set when the copy cannot be made. */
static int to_double(const unsigned char *text, size_t length, double *value) {
    char small[64], *copy = length < sizeof small ? small : PyMem_Malloc(length + 1);
    if (copy == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    *value = PyOS_string_to_double(copy, NULL, NULL); /* an overflow gives an infinity, no error */
    if (copy != small) PyMem_Free(copy);
    if (*value == -1.0 && PyErr_Occurred()) return FAILED;
    return 0;
}

static int read_number(Tape *t) {
    int index = push(t, K_INT);
    if (index < 0) return index;
    const unsigned char *p = t->text + t->at, *begin = p, *end = t->text + t->size;
    int negative = p < end && *p == '-';
    p += negative;
    if (p >= end || !is_digit(*p)) return REFUSE;
    uint64_t magnitude = 0;
    int too_large = 0;
    if (*p == '0') p++;
    else
        for (; p < end && is_digit(*p); p++) {
            unsigned digit = (unsigned)(*p - '0');
            if (magnitude > (UINT64_MAX - digit) / 10) too_large = 1;
            else magnitude = magnitude * 10 + digit;
        }
    int fraction = 0;
    if (p < end && *p == '.') {
        fraction = 1;
        if (++p >= end || !is_digit(*p)) return REFUSE;
        while (p < end && is_digit(*p)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        fraction = 1;
        if (++p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || !is_digit(*p)) return REFUSE;
        while (p < end && is_digit(*p)) p++;
    }
    Node *n = &t->nodes[index];
    n->len = (uint32_t)(p - begin);
    t->at = (size_t)(p - t->text);
    if (fraction) {
        n->kind = K_FRACTION;
        if (to_double(begin, n->len, &n->number) < 0) return FAILED;
        if (!isfinite(n->number)) return REFUSE; /* json.non-finite-number */
        if (n->number == floor(n->number)) t->integral_fraction = 1;
        return index;
    }
    const uint64_t most = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (too_large || magnitude > most) return REFUSE; /* json.integer-range */
    if (!negative) n->integer = (int64_t)magnitude;
    else n->integer = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
    n->number = (double)n->integer;
    return index;
}

static int same_key(const Tape *t, uint32_t a, uint32_t b) {
    const Node *x = &t->nodes[a], *y = &t->nodes[b];
    return x->len == y->len && memcmp(string_bytes(t, x), string_bytes(t, y), x->len) == 0;
}

/* Python's hash of bytes: SipHash keyed at random per process, so no set of keys can be
 * chosen to collide (public from 3.14, the same function before). */
#if PY_VERSION_HEX >= 0x030E0000
#define hash_bytes Py_HashBuffer
#else
#define hash_bytes _Py_HashBytes
#endif

#define FIRST_SEEN_CAPACITY 64

/* Twice the slots for the tape's set of keys, every key placed again. */
static RARELY_CALLED int grow_seen(Tape *t) {
    size_t capacity = t->seen_capacity == 0 ? FIRST_SEEN_CAPACITY : t->seen_capacity * 2, mask = capacity - 1;
    SeenKey *seen = capacity > SIZE_MAX / 2 / sizeof *seen ? NULL : PyMem_Calloc(capacity, sizeof *seen);
    if (seen == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    for (size_t i = 0; i < t->seen_capacity; i++) {
        if (t->seen[i].key == 0) continue;
        size_t at = t->seen[i].hash & mask;
        while (seen[at].key != 0) at = (at + 1) & mask;
        seen[at] = t->seen[i];
    }
    PyMem_Free(t->seen);
    t->seen = seen, t->seen_capacity = capacity;
    return 0;
}

/* Add an object's key to the set: 1 when the object has that key already, 0 when not, FAILED. */
static int seen_before(Tape *t, uint32_t object, uint32_t key) {
    if ((t->seen_used + 1) * 2 > t->seen_capacity && grow_seen(t) < 0) return FAILED;
    const Node *n = &t->nodes[key];
    uint64_t hash = (uint64_t)hash_bytes(string_bytes(t, n), n->len) ^ (object * 0x9E3779B97F4A7C15u);
    size_t mask = t->seen_capacity - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
        SeenKey *slot = &t->seen[at];
        if (slot->key == 0) {
            *slot = (SeenKey){.object = object, .key = key, .hash = hash};
            t->seen_used++;
            return 0;
        }
        if (slot->hash == hash && slot->object == object && same_key(t, slot->key, key)) return 1;
    }
}

/* Objects of at most this many keys compare each new key with those before it; larger ones
 * keep their keys in the tape's set. */
#define SMALL_OBJECT 16

/* Whether an object's newest key, the last on the key stack after `count` others, repeats one
 * of them: 1, 0 or FAILED. Checked as each key is read, as the strict decoder does, so a
 * duplicate is refused where it stands, not after the rest of the document is read. */
static int key_repeats(Tape *t, uint32_t object, uint32_t first_key, uint32_t count) {
    const uint32_t *keys = t->keys + first_key, key = keys[count];
    if (count < SMALL_OBJECT) {
        for (uint32_t k = 0; k < count; k++)
            if (same_key(t, keys[k], key)) return 1;
        return 0;
    }
    if (count == SMALL_OBJECT) /* the object outgrows comparing: its keys so far, all different, join the set */
        for (uint32_t k = 0; k < count; k++)
            if (seen_before(t, object, keys[k]) < 0) return FAILED;
    return seen_before(t, object, key);
}

static int read_value(Tape *t, size_t depth);

static int read_container(Tape *t, size_t depth, int object) {
    if (depth > t->limits.max_depth) return REFUSE;
    int index = push(t, object ? K_OBJECT : K_ARRAY);
    if (index < 0) return index;
    t->at++;
    unsigned char closing = object ? '}' : ']';
    uint32_t count = 0, first_key = t->keys_used; /* an index: the key stack moves when the tape grows */
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
            if (key < 0) return key;
            t->nodes[key].next = t->used;
            t->keys[t->keys_used++] = (uint32_t)key; /* a key is a node: the key stack has room for every node */
            int repeats = key_repeats(t, (uint32_t)index, first_key, count);
            if (repeats != 0) return repeats == FAILED ? FAILED : REFUSE; /* json.duplicate-key */
            skip_space(t);
            if (t->at >= t->size || t->text[t->at] != ':') return REFUSE;
            t->at++;
            skip_space(t);
        }
        int value = read_value(t, depth + 1);
        if (value < 0) return value;
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
    if (object) t->keys_used -= count;
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
    if (index >= 0) t->nodes[index].next = t->used;
    return index;
}

/* The most nodes a document of `size` bytes can make: every value but the last takes two
 * bytes at least (a character and a separator), and a key is a node too. */
static size_t tape_capacity(size_t size) { return size / 2 + 2; }

/* Read the whole document into t->nodes: 0, REFUSE or FAILED. The caller gave the tape
 * its first room, set `most` to tape_capacity(size), and checked size against MAX_TAPE_BYTES. */
static int read_document(Tape *t) {
    if (t->size > t->limits.max_bytes || t->limits.max_depth > MAX_DEPTH_LIMIT) return REFUSE;
    skip_space(t);
    int status = read_value(t, 1);
    if (status < 0) return status;
    skip_space(t);
    return t->at == t->size ? 0 : REFUSE;
}

#endif
