/* The job's code-only rules (code_rules.py), for documents the job schema already accepted:
 * whether none of them has anything to say. Each mirrors its Python function; the
 * conformance suite, run on every engine, holds them to the same verdicts. */
#ifndef GUESTKIT_JOB_RULES_H
#define GUESTKIT_JOB_RULES_H

#include "checks.h"

/* The rules below, by id: the Python side checks they are all of CODE_RULES["job"]. */
static const char *const JOB_RULE_IDS[] = {
    "job.payload-type.matches-operation", "job.payload-type.unregistered", "execution.attempt.within-max",
    "execution.timeout.long",             "execution.deadline.after-created", "constraints.disk-size.large",
};

#define LONG_TIMEOUT_SECONDS 86400
#define LARGE_DISK_GB 100000

/* An integer field as code_rules._integer reads it: 1 and the value for a JSON integer,
 * 0 for anything else (absent, null, or a number with a fraction part, even 2.0). */
static int integer_at(const Tape *t, uint32_t i, int64_t *value) {
    if (i == 0 || t->nodes[i].kind != K_INT) return 0;
    *value = t->nodes[i].integer;
    return 1;
}

/* job.payload-type.matches-operation and job.payload-type.unregistered, as code_rules.py:
 * silent unless payload.type is a string (the schema made it a well-formed payload type),
 * and the operation compared only when it is a string. 1 when both rules are silent. */
static int payload_type_fits(const Tape *t, uint32_t payload_type, uint32_t operation) {
    if (payload_type == 0 || t->nodes[payload_type].kind != K_STRING) return 1;
    const Node *type = &t->nodes[payload_type];
    const unsigned char *text = string_bytes(t, type);
    uint32_t dot = type->len;
    while (dot > 0 && text[dot - 1] != '.') dot--;
    if (dot == 0) return 1; /* not a payload type: the schema refused it already */
    if (operation != 0 && t->nodes[operation].kind == K_STRING) {
        const Node *op = &t->nodes[operation];
        if (dot - 1 != op->len || memcmp(text, string_bytes(t, op), op->len) != 0) return 0;
    }
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

/* execution.deadline.after-created, only where text comparison decides it (both UTC and
 * different before the fraction); -1 when the exact instants are needed. Silent, as in
 * Python, unless both are strings. */
static int deadline_after_creation(const Tape *t, uint32_t created, uint32_t deadline) {
    if (created == 0 || deadline == 0 || t->nodes[created].kind != K_STRING || t->nodes[deadline].kind != K_STRING)
        return 1;
    const Node *c = &t->nodes[created], *d = &t->nodes[deadline];
    if (c->len < 20 || d->len < 20) return -1;
    const unsigned char *ct = string_bytes(t, c), *dt = string_bytes(t, d);
    if (ct[c->len - 1] == 'Z' && dt[d->len - 1] == 'Z' && memcmp(dt, ct, 19) > 0) return 1;
    return -1;
}

/* 1 when no job code rule has a finding, 0 when one has, -1 when only Python can tell. */
static int job_rules_silent(const Tape *t) {
    uint32_t payload = lookup(t, 0, "payload"), execution = lookup(t, 0, "execution");
    uint32_t constraints = lookup(t, 0, "constraints");
    int64_t value;
    if (!payload_type_fits(t, member(t, payload, "type"), lookup(t, 0, "operation"))) return 0;
    if (!attempt_within_max(t, execution)) return 0;
    if (integer_at(t, member(t, execution, "timeout_seconds"), &value) && value > LONG_TIMEOUT_SECONDS) return 0;
    if (integer_at(t, member(t, constraints, "maximum_disk_size_gb"), &value) && value > LARGE_DISK_GB) return 0;
    return deadline_after_creation(t, lookup(t, 0, "created_at"), member(t, execution, "deadline"));
}

#endif
