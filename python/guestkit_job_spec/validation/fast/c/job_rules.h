/* The job's code-only rules (code_rules.py), for documents the job schema already accepted:
 * whether none of them has anything to say. Each mirrors its Python function; the
 * conformance suite, run on every engine, holds them to the same verdicts. */
#ifndef GUESTKIT_JOB_RULES_H
#define GUESTKIT_JOB_RULES_H

#include "checks.h"

/* The rules below, by id, in the order of job_rules_fired's bits: the Python side checks
 * they are all of CODE_RULES["job"]. */
static const char *const JOB_RULE_IDS[] = {
    "job.payload-type.matches-operation", "job.payload-type.unregistered", "execution.attempt.within-max",
    "execution.timeout.long",             "execution.deadline.after-created", "constraints.disk-size.large",
    "execution.idempotency-key.empty",
};

#define LONG_TIMEOUT_SECONDS 86400
#define LARGE_DISK_GB 100000

/* An integer field as code_rules._integer reads it: 1 and the value for an integer, in
 * integer form or written with a fraction or an exponent (2.0, 2e0: the integer 2, as the
 * schema reads it) within int64; 0 for anything else (absent, null, 2.5, 1e300). */
static int integer_at(const Tape *t, uint32_t i, int64_t *value) {
    if (i == 0) return 0;
    const Node *n = &t->nodes[i];
    if (n->kind == K_INT) *value = n->integer;
    else if (n->kind == K_FRACTION && n->number == floor(n->number) && fabs(n->number) < 9223372036854775808.0)
        *value = (int64_t)n->number;
    else return 0;
    return 1;
}

/* The operation a payload type names (what precedes its last dot); 0 when it has no dot,
 * which the schema refused already. */
static uint32_t named_operation_length(const Tape *t, uint32_t payload_type) {
    const Node *type = &t->nodes[payload_type];
    const unsigned char *text = string_bytes(t, type);
    uint32_t dot = type->len;
    while (dot > 0 && text[dot - 1] != '.') dot--;
    return dot > 0 ? dot - 1 : 0;
}

/* job.payload-type.matches-operation, as code_rules.py: silent unless payload.type is a
 * string (the schema made it a well-formed payload type) and the operation is a string. */
static int payload_type_matches_operation(const Tape *t, uint32_t payload_type, uint32_t operation) {
    if (payload_type == 0 || t->nodes[payload_type].kind != K_STRING) return 1;
    if (operation == 0 || t->nodes[operation].kind != K_STRING) return 1;
    uint32_t named = named_operation_length(t, payload_type);
    const Node *op = &t->nodes[operation];
    return named == 0 || (named == op->len && memcmp(string_bytes(t, &t->nodes[payload_type]), string_bytes(t, op), named) == 0);
}

/* job.payload-type.unregistered: silent unless payload.type is a string that no schema is
 * registered for. */
static int payload_type_registered(const Tape *t, uint32_t payload_type) {
    if (payload_type == 0 || t->nodes[payload_type].kind != K_STRING) return 1;
    if (named_operation_length(t, payload_type) == 0) return 1;
    for (size_t k = 0; k < sizeof PAYLOAD_TYPES / sizeof *PAYLOAD_TYPES; k++)
        if (is_string(t, payload_type, PAYLOAD_TYPES[k], (uint32_t)strlen(PAYLOAD_TYPES[k]))) return 1;
    return 0;
}

/* execution.attempt.within-max: absent, null or 0 mean 1 (`or 1` in Python). */
static int attempt_within_max(const Tape *t, uint32_t execution) {
    uint32_t attempt_node = member(t, execution, "attempt"), max_node = member(t, execution, "max_attempts");
    int64_t attempt = 1, max_attempts = 1;
    int attempt_given = attempt_node && t->nodes[attempt_node].kind != K_NULL;
    int max_given = max_node && t->nodes[max_node].kind != K_NULL;
    if ((attempt_given && !integer_at(t, attempt_node, &attempt)) || (max_given && !integer_at(t, max_node, &max_attempts)))
        return 1; /* not integers: the rule stays silent */
    return (attempt ? attempt : 1) <= (max_attempts ? max_attempts : 1);
}

/* An RFC 3339 date-time as timestamps.instant reads it: upper-case T and Z, any two-digit
 * offset, a day the calendar has. The fraction is kept as its digits, so instants compare
 * exactly however many digits they carry. */
typedef struct {
    int64_t seconds; /* since the Unix epoch, offset applied */
    const unsigned char *fraction;
    uint32_t fraction_digits;
} Instant;

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years 1 to 9999). */
static int64_t days_since_epoch(int64_t year, int64_t month, int64_t day) {
    year -= month <= 2;
    int64_t era = year / 400, year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

/* 1 and the instant when the string at node i is an RFC 3339 date-time, else 0. */
static int instant_at(const Tape *t, uint32_t i, Instant *out) {
    const Node *n = &t->nodes[i];
    const unsigned char *p = string_bytes(t, n);
    uint32_t length = n->len, at = 19;
    if (length < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':') return 0;
    int year = number_at(p, 4), month = number_at(p + 5, 2), day = number_at(p + 8, 2);
    int hour = number_at(p + 11, 2), minute = number_at(p + 14, 2), second = number_at(p + 17, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour < 0 ||
        hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
        return 0;
    out->fraction = p + at;
    if (p[at] == '.') {
        out->fraction = p + ++at;
        while (at < length && is_digit(p[at])) at++;
        if (p + at == out->fraction) return 0;
    }
    out->fraction_digits = (uint32_t)(p + at - out->fraction);
    int64_t offset = 0;
    if (at + 6 == length && (p[at] == '+' || p[at] == '-') && p[at + 3] == ':') {
        int offset_hour = number_at(p + at + 1, 2), offset_minute = number_at(p + at + 4, 2);
        if (offset_hour < 0 || offset_minute < 0) return 0;
        offset = (p[at] == '+' ? 1 : -1) * (offset_hour * 3600 + offset_minute * 60);
    } else if (at + 1 != length || p[at] != 'Z') {
        return 0;
    }
    out->seconds = days_since_epoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
    return 1;
}

/* Negative, zero or positive as instant a is before, at or after b (fractions as decimals). */
static int compare_instants(const Instant *a, const Instant *b) {
    if (a->seconds != b->seconds) return a->seconds < b->seconds ? -1 : 1;
    uint32_t digits = a->fraction_digits > b->fraction_digits ? a->fraction_digits : b->fraction_digits;
    for (uint32_t k = 0; k < digits; k++) {
        unsigned char x = k < a->fraction_digits ? a->fraction[k] : '0';
        unsigned char y = k < b->fraction_digits ? b->fraction[k] : '0';
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

/* execution.deadline.after-created: silent, as in Python, unless both are strings and
 * date-times (the schema reports a malformed one). 1 when silent. */
static int deadline_after_creation(const Tape *t, uint32_t created, uint32_t deadline) {
    if (created == 0 || deadline == 0 || t->nodes[created].kind != K_STRING || t->nodes[deadline].kind != K_STRING)
        return 1;
    Instant created_at, deadline_at;
    if (!instant_at(t, created, &created_at) || !instant_at(t, deadline, &deadline_at)) return 1;
    return compare_instants(&deadline_at, &created_at) >= 0;
}

/* The job rules that have a finding, as bits in JOB_RULE_IDS order; 0 when none has. */
static unsigned job_rules_fired(const Tape *t) {
    uint32_t payload = lookup(t, 0, "payload"), execution = lookup(t, 0, "execution");
    uint32_t constraints = lookup(t, 0, "constraints"), payload_type = member(t, payload, "type");
    int64_t value;
    int silent[] = {
        payload_type_matches_operation(t, payload_type, lookup(t, 0, "operation")),
        payload_type_registered(t, payload_type),
        attempt_within_max(t, execution),
        !(integer_at(t, member(t, execution, "timeout_seconds"), &value) && value > LONG_TIMEOUT_SECONDS),
        deadline_after_creation(t, lookup(t, 0, "created_at"), member(t, execution, "deadline")),
        !(integer_at(t, member(t, constraints, "maximum_disk_size_gb"), &value) && value > LARGE_DISK_GB),
        !is_string(t, member(t, execution, "idempotency_key"), "", 0), /* an empty key means none */
    };
    _Static_assert(sizeof silent / sizeof *silent == sizeof JOB_RULE_IDS / sizeof *JOB_RULE_IDS, "a bit per rule id");
    unsigned fired = 0;
    for (unsigned k = 0; k < sizeof silent / sizeof *silent; k++) fired |= (unsigned)!silent[k] << k;
    return fired;
}

#endif
