/* The lease's code-only rules (code_rules.py), for leases the schema already accepted, as
 * job_rules.h does for jobs, whose readers of integers and instants they share. */
#ifndef GUESTKIT_LEASE_RULES_H
#define GUESTKIT_LEASE_RULES_H

#include "job_rules.h"

/* The rules below, by id, in the order of lease_rules_fired's bits: the Python side checks
 * they are all of CODE_RULES["lease"]. */
static const char *const LEASE_RULE_IDS[] = {"lease.attempt.within-max", "lease.times.after-leased"};

/* lease.attempt.within-max: silent unless both are integers (max_attempts absent or null: not stated). */
static int lease_attempt_within_max(const Tape *t) {
    int64_t attempt, max_attempts;
    if (!integer_at(t, lookup(t, 0, "attempt"), &attempt) || !integer_at(t, lookup(t, 0, "max_attempts"), &max_attempts))
        return 1;
    return attempt <= max_attempts;
}

/* lease.times.after-leased: silent for an instant that is absent, null or not a date-time. */
static int lease_time_after_leased(const Tape *t, const Instant *leased_at, const char *name) {
    uint32_t i = lookup(t, 0, name);
    Instant moment;
    if (i == 0 || t->nodes[i].kind != K_STRING || !instant_at(t, i, &moment)) return 1;
    return compare_instants(&moment, leased_at) > 0;
}

/* The lease rules that have a finding, as bits in LEASE_RULE_IDS order; 0 when none has. */
static unsigned lease_rules_fired(const Tape *t) {
    uint32_t leased = lookup(t, 0, "leased_at");
    Instant leased_at;
    int dated = leased != 0 && t->nodes[leased].kind == K_STRING && instant_at(t, leased, &leased_at);
    int silent[] = {
        lease_attempt_within_max(t),
        !dated || (lease_time_after_leased(t, &leased_at, "expires_at") &&
                   lease_time_after_leased(t, &leased_at, "timeout_at")),
    };
    _Static_assert(sizeof silent / sizeof *silent == sizeof LEASE_RULE_IDS / sizeof *LEASE_RULE_IDS, "a bit per rule id");
    unsigned fired = 0;
    for (unsigned k = 0; k < sizeof silent / sizeof *silent; k++) fired |= (unsigned)!silent[k] << k;
    return fired;
}

#endif
