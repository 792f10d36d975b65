/* What generated schema functions call: pattern automata, the date-time format, members. */
#ifndef GUESTKIT_CHECKS_H
#define GUESTKIT_CHECKS_H

#include "tape.h"

#define DEAD 0xFF
#define OTHER 128 /* every non-ASCII code point: the patterns cannot tell them apart */

/* The automaton's state after reading [p, end) from state 0: DEAD once it has failed. */
static inline unsigned run_automaton(const uint8_t (*next)[129], const unsigned char *p, const unsigned char *end) {
    unsigned state = 0;
    while (p < end) {
        unsigned char c = *p;
        unsigned symbol = c < 0x80 ? c : OTHER;
        p += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2; /* the tape checked the sequences */
        state = next[state][symbol];
        if (state == DEAD) break;
    }
    return state;
}

/* Whether the string at node i takes the automaton from state 0 to an accepting state.
 * With final_newline, a pattern ending in `$` also matches before a final "\n": the
 * reference engine searches with Python's re, whose `$` does (a schema's guard against
 * control characters then refuses the string, for the same rule, in every engine). */
static inline int matches(const Tape *t, uint32_t i, const uint8_t (*next)[129], const uint8_t *accepting,
                          int final_newline) {
    const Node *n = &t->nodes[i];
    const unsigned char *p = string_bytes(t, n), *end = p + n->len;
    unsigned state = run_automaton(next, p, end);
    if (state != DEAD && accepting[state]) return 1;
    if (!final_newline || n->len == 0 || end[-1] != '\n') return 0;
    state = run_automaton(next, p, end - 1);
    return state != DEAD && accepting[state];
}

/* Whether the string at node i has a byte flagged in bytes[] (a pattern that is one
 * character class searched for anywhere; every byte of a non-ASCII code point carries
 * the flag of OTHER). No state to carry from byte to byte. */
static int contains_any(const Tape *t, uint32_t i, const uint8_t *bytes) {
    const Node *n = &t->nodes[i];
    const unsigned char *p = string_bytes(t, n), *end = p + n->len;
    unsigned found = 0;
    for (; p < end; p++) found |= bytes[*p];
    return found != 0;
}

static int number_at(const unsigned char *p, int digits) {
    int value = 0;
    for (int i = 0; i < digits; i++) {
        if (!is_digit(p[i])) return -1;
        value = value * 10 + (p[i] - '0');
    }
    return value;
}

/* The days of a month (1-12) of the proleptic Gregorian calendar. */
static int days_in_month(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

static int upper(unsigned char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

/* The reference's date-time format (jsonschema with rfc3339-validator, on the upper-cased
 * string): YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), year not 0, a day the month has,
 * and, as its regular expression's `$` allows, one final "\n". Non-ASCII strings never
 * match: no character upper-cases to what the format needs. */
static int is_date_time(const Tape *t, uint32_t i) {
    const Node *n = &t->nodes[i];
    const unsigned char *p = string_bytes(t, n);
    size_t length = n->len, at = 19;
    if (length > 0 && p[length - 1] == '\n') length--;
    if (!n->ascii || length < 20) return 0;
    int year = number_at(p, 4), month = number_at(p + 5, 2), day = number_at(p + 8, 2);
    int hour = number_at(p + 11, 2), minute = number_at(p + 14, 2), second = number_at(p + 17, 2);
    if (p[4] != '-' || p[7] != '-' || upper(p[10]) != 'T' || p[13] != ':' || p[16] != ':') return 0;
    if (year < 1 || month < 1 || month > 12 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 59)
        return 0;
    if (day < 1 || day > days_in_month(year, month)) return 0;
    if (p[at] == '.') {
        at++;
        if (at >= length || !is_digit(p[at])) return 0;
        while (at < length && is_digit(p[at])) at++;
    }
    if (at == length - 1) return upper(p[at]) == 'Z';
    if (at + 6 != length || (p[at] != '+' && p[at] != '-') || p[at + 3] != ':') return 0;
    int offset_hour = number_at(p + at + 1, 2), offset_minute = number_at(p + at + 4, 2);
    return offset_hour >= 0 && offset_hour <= 23 && offset_minute >= 0 && offset_minute <= 59;
}

static int is_string(const Tape *t, uint32_t i, const char *text, uint32_t length) {
    const Node *n = &t->nodes[i];
    return n->kind == K_STRING && n->len == length && memcmp(string_bytes(t, n), text, length) == 0;
}

/* The value of an object's member, or 0 (the root, never a member) when it has none.
 * lookup() takes any object, the root (0) included; member() below takes the result of
 * an earlier lookup, where 0 means "missing", not "the root". */
static uint32_t lookup(const Tape *t, uint32_t object, const char *name) {
    const Node *n = &t->nodes[object];
    if (n->kind != K_OBJECT) return 0;
    uint32_t length = (uint32_t)strlen(name), key = object + 1;
    for (uint32_t m = 0; m < n->count; m++) {
        if (is_string(t, key, name, length)) return key + 1;
        key = t->nodes[key + 1].next;
    }
    return 0;
}

/* A member of a member: none when the outer one is missing (index 0). */
static uint32_t member(const Tape *t, uint32_t object, const char *name) {
    return object == 0 ? 0 : lookup(t, object, name);
}

static int always(const Tape *t, uint32_t i) { (void)t, (void)i; return 1; }

#endif
