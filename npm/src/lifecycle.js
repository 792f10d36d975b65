// The job state machine (schemas/job-states-v1.json) and the lifecycle of protocol 1.1
// (docs/job-protocol-v1.md, section 15), checked on traces: the same checker as Python's
// guestkit_job_spec.validation.lifecycle, case for case (tests/conformance/cases/lifecycle.json).
// A trace is what happened to one job, step by step (tests/conformance/README.md, "Traces").

import { instant } from "./code-rules.js";
import { fingerprint } from "./fingerprint.js";
import { index } from "./resources.js";
import { readFileSync } from "node:fs";

const machine = JSON.parse(readFileSync(new URL(`../schemas/${index.state_machine}`, import.meta.url), "utf8"));

const WORKER_MESSAGES = new Set(["heartbeat", "progress", "result", "release"]);
const REFUSABLE = new Set([...WORKER_MESSAGES, "cancel", "resubmit"]);
const REPEATABLE = new Set(["result", "release"]); // sent again, unchanged, when the answer was lost
const MESSAGES = new Set(["submit", ...REFUSABLE, "claim", "expire", "timeout", "deadline"]);
const ENDS_LEASE = new Set(["queued", "completed", "failed", "cancelled", "timeout"]);

function known(status) {
  if (!(status in machine.states)) {
    throw new RangeError(`unknown job status ${JSON.stringify(status)}; expected one of ${Object.keys(machine.states).join(", ")}`);
  }
  return status;
}

/** Whether a job in `status` is finished for good; a RangeError for an unknown status. */
export function isTerminal(status) {
  return machine.states[known(status)].terminal;
}

/** The statuses a job in `status` may move to; empty for a terminal one; a RangeError for an unknown one. */
export function allowedTransitions(status) {
  return [...machine.transitions[known(status)]];
}

/** null when a job may move from `current` to `next`; otherwise the reason (rule state.transition). */
export function checkTransition(current, next) {
  for (const status of [current, next]) {
    if (!(status in machine.states)) {
      return { rule: "state.transition", pointer: "", message: `unknown status '${status}'; expected one of ${Object.keys(machine.states).join(", ")}` };
    }
  }
  const allowed = machine.transitions[current];
  if (allowed.includes(next)) return null;
  let why;
  if (machine.states[current].terminal) why = `'${current}' is terminal: nothing leaves it`;
  else if (next === current) why = "a status never moves to itself";
  else why = `from '${current}' a job may move to ${allowed.map((s) => `'${s}'`).join(", ")}`;
  return { rule: "state.transition", pointer: "", message: `a job cannot move from '${current}' to '${next}': ${why}` };
}

// Instants as exact [whole seconds, fraction digits], compared as the deadline rule compares them.
function at(text, what) {
  const moment = typeof text === "string" ? instant(text) : undefined;
  if (moment === undefined) throw new TypeError(`${what} is not an RFC 3339 date-time: ${JSON.stringify(text)}`);
  return moment;
}
function compare([secondsA, fractionA], [secondsB, fractionB]) {
  if (secondsA !== secondsB) return secondsA - secondsB;
  const width = Math.max(fractionA.length, fractionB.length);
  const [a, b] = [fractionA.padEnd(width, "0"), fractionB.padEnd(width, "0")];
  return a < b ? -1 : a > b ? 1 : 0;
}
const object = (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? value : {});
function member(container, name, type) {
  const value = container[name];
  const ok = type === "int" ? Number.isInteger(value) : typeof value === type;
  if (!ok) throw new TypeError(`a trace step needs ${name} (${type}); found ${JSON.stringify(value)}`);
  return value;
}
// Values in messages as Python's repr shows them, so both checkers say the same words.
const shown = (value) => (typeof value === "string" ? `'${value}'` : JSON.stringify(value));
const orDefault = (value, fallback) => (value === undefined || value === null ? fallback : value);
const breach = (rule, message) => ({ rule, message });
// The job's idempotency scope and key (section 8): no key when it is absent, null or empty.
function scopeOf(job) {
  const key = object(job.execution).idempotency_key;
  return [object(job.metadata).namespace ?? null, typeof key === "string" && key !== "" ? key : null];
}
const sameScope = ([namespaceA, keyA], [namespaceB, keyB]) => namespaceA === namespaceB && keyA === keyB;
// Two JSON values alike (the documents of a repeated message).
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && same(a[key], b[key]));
}

class Job {
  constructor(job) {
    const execution = object(job.execution);
    this.jobId = member(job, "job_id", "string");
    this.scope = scopeOf(job);
    if (this.scope[1] !== null) {
      try {
        this.fingerprint = fingerprint(job);
      } catch (error) {
        throw new TypeError(`a job with an idempotency key and ${error.message} is refused at submission (section 8)`);
      }
    }
    this.maxAttempts = orDefault(execution.max_attempts, 1);
    this.timeoutSeconds = orDefault(execution.timeout_seconds, 3600);
    this.cancellable = execution.cancellable !== false;
    this.deadlineAt = orDefault(execution.deadline, null) === null ? null : at(execution.deadline, "execution.deadline");
    this.status = "queued";
    this.lastAttempt = orDefault(execution.attempt, 1) - 1;
    this.lease = null;
    this.sequence = null;
    this.cancelRequested = false;
    this.ended = new Map(); // lease id -> [the result or release that ended it, its document]
  }

  breach(step, now) {
    const kind = step.message;
    if (this.repeats(step)) return null;
    const mismatch = this.mismatch(step);
    if (mismatch !== null) return mismatch;
    if (kind === "resubmit") return this.resubmit(step);
    if (kind === "cancel" && this.status === "cancelled") return null; // asked again: already done
    if (isTerminal(this.status)) return breach("state.transition", `the job is ${this.status}: ${kind} cannot change it`);
    if (WORKER_MESSAGES.has(kind)) return this.fenced(step, now) ?? this[kind](step, now);
    return this[kind](step, now);
  }

  /** Whether the message is the result or release that ended its lease, sent again unchanged: accepted again, it changes nothing. */
  repeats(step) {
    const ended = REPEATABLE.has(step.message) ? this.ended.get(step.lease_id) : undefined;
    return ended !== undefined && ended[0] === step.message && same(ended[1], step.document);
  }

  /** A document about another job than the message's, or a body naming another lease than the one it is sent under. */
  mismatch(step) {
    const kind = step.message;
    if (!["progress", "result", "cancel"].includes(kind)) return null; // a release carries no document
    const document = object(step.document);
    if ("job_id" in document && document.job_id !== this.jobId) {
      return breach("lifecycle.message.mismatch", `the ${kind} is about job ${shown(document.job_id)}, not ${shown(this.jobId)}`);
    }
    const sentUnder = kind === "cancel" ? null : member(step, "lease_id", "string");
    if (sentUnder !== null && document.lease_id !== undefined && document.lease_id !== null && document.lease_id !== sentUnder) {
      return breach("lifecycle.message.mismatch", `the ${kind} names lease ${shown(document.lease_id)} and is sent under lease ${shown(sentUnder)}`);
    }
    return null;
  }

  resubmit(step) {
    const job = object(step.document);
    const scope = scopeOf(job);
    if (scope[1] !== null) {
      let again;
      try {
        again = fingerprint(job);
      } catch {
        return breach("lifecycle.submission.no-fingerprint", "the job carries a key and has no fingerprint");
      }
      if (sameScope(scope, this.scope)) {
        return again === this.fingerprint ? null : breach("lifecycle.submission.conflict", `idempotency key ${shown(scope[1])} is recorded with another payload fingerprint`);
      }
    }
    if (job.job_id === this.jobId) return breach("lifecycle.submission.job-id-taken", `job id ${shown(this.jobId)} is another submission's`);
    throw new TypeError("a resubmit shares the job's idempotency key and scope, or its job id");
  }

  fenced(step, now) {
    const leaseId = member(step, "lease_id", "string");
    const lease = this.lease;
    if (lease === null || lease.leaseId !== leaseId) {
      const held = lease ? `lease '${lease.leaseId}'` : "no lease";
      return breach("lifecycle.lease.fenced", `lease '${leaseId}' is not the job's current lease (${held})`);
    }
    if (compare(now, lease.expiresAt) >= 0) return breach("lifecycle.lease.fenced", `lease '${leaseId}' expired before this ${step.message}`);
    const document = object(step.document);
    const attempt = "attempt" in document ? document.attempt : object(document.execution_summary).attempt;
    const named = [["lease_id", document.lease_id, lease.leaseId], ["worker_id", document.worker_id, lease.workerId], ["attempt", attempt, lease.attempt]];
    for (const [name, given, held] of named) {
      if (given !== undefined && given !== null && given !== held) {
        return breach("lifecycle.lease.fenced", `the ${step.message} names ${name} ${shown(given)}; the lease's is ${shown(held)}`);
      }
    }
    return null;
  }

  claim(step, now) {
    const lease = object(step.document);
    const issue = checkTransition(this.status, "assigned");
    if (issue !== null) return breach(issue.rule, `a claim while the job is ${this.status}: ${issue.message}`);
    const attempt = member(lease, "attempt", "int");
    if (attempt !== this.lastAttempt + 1) {
      return breach("lifecycle.attempt.sequence", `the claim is attempt ${attempt}; the next attempt is ${this.lastAttempt + 1}`);
    }
    if (attempt > this.maxAttempts) return breach("lifecycle.attempts.exhausted", `attempt ${attempt} is past max_attempts ${this.maxAttempts}`);
    if (this.deadlineAt !== null && compare(now, this.deadlineAt) >= 0) return breach("lifecycle.deadline", "the job is claimed at or after its deadline");
    return null;
  }

  heartbeat() {
    return null;
  }

  progress(step) {
    const sequence = member(object(step.document), "sequence", "int");
    if (this.sequence === null && sequence !== 0) {
      return breach("lifecycle.progress.sequence", `the attempt's first progress event has sequence ${sequence}`);
    }
    if (this.sequence !== null && sequence <= this.sequence) {
      return breach("lifecycle.progress.sequence", `sequence ${sequence} does not increase on the previous ${this.sequence}`);
    }
    return null;
  }

  result(step) {
    const status = member(object(step.document), "status", "string");
    const issue = checkTransition(this.status, status);
    return issue === null ? null : breach(issue.rule, `a ${status} result while the job is ${this.status}: ${issue.message}`);
  }

  release() {
    return null;
  }

  cancel() {
    if ((this.status === "assigned" || this.status === "running") && !this.cancellable) {
      return breach("lifecycle.cancel.not-cancellable", `the job is ${this.status} and its execution.cancellable is false`);
    }
    return null;
  }

  expire(step, now) {
    const lease = this.held(step);
    return compare(now, lease.expiresAt) < 0 ? breach("lifecycle.lease.live", `lease '${lease.leaseId}' is taken back before its expires_at`) : null;
  }

  timeout(step, now) {
    const lease = this.held(step);
    const due = [lease.leasedAt[0] + this.timeoutSeconds, lease.leasedAt[1]];
    return compare(now, due) < 0 ? breach("lifecycle.timeout", `the attempt is timed out before timeout_seconds (${this.timeoutSeconds}) passed`) : null;
  }

  deadline(step, now) {
    return this.deadlineAt === null || compare(now, this.deadlineAt) < 0
      ? breach("lifecycle.deadline", "the job is timed out for its deadline before the deadline")
      : null;
  }

  held(step) {
    const leaseId = member(step, "lease_id", "string");
    if (this.lease === null || this.lease.leaseId !== leaseId) {
      throw new TypeError(`the scheduler's ${step.message} names lease '${leaseId}', not the current lease`);
    }
    return this.lease;
  }

  /** [the status the protocol prescribes after an accepted message, the rule a trace saying otherwise breaks]. */
  outcome(step, now) {
    const kind = step.message;
    if (kind === "claim") return ["assigned", "lifecycle.status"];
    if (kind === "heartbeat" || kind === "resubmit" || this.repeats(step)) return [this.status, "lifecycle.status"];
    if (kind === "progress") return ["running", "lifecycle.status"];
    if (kind === "cancel") return [this.status === "queued" ? "cancelled" : this.status, "lifecycle.status"];
    if (kind === "deadline") return ["timeout", "lifecycle.status"];
    if (kind === "result") {
      const document = object(step.document);
      const status = document.status;
      if (status === "completed" || status === "cancelled") return [status, "lifecycle.status"];
      const error = object(document.error);
      const recoverable = error.recoverable === true && error.retry_recommended === true;
      return this.againOr(status, now, status === "timeout" || recoverable);
    }
    if (this.cancelRequested && kind !== "timeout") return ["cancelled", "lifecycle.status"];
    return this.againOr(kind === "timeout" ? "timeout" : "failed", now, true);
  }

  againOr(final, now, retryable) {
    if (this.cancelRequested) return [final, "lifecycle.retry.not-allowed"];
    if (this.lease.attempt >= this.maxAttempts) return [final, "lifecycle.attempts.exhausted"];
    if (!retryable) return [final, "lifecycle.retry.not-allowed"];
    if (this.deadlineAt !== null && compare(now, this.deadlineAt) >= 0) return ["timeout", "lifecycle.deadline"];
    return ["queued", "lifecycle.retry.required"];
  }

  apply(step, status) {
    const kind = step.message;
    if (kind === "claim") {
      const lease = object(step.document);
      this.lease = {
        leaseId: member(lease, "lease_id", "string"),
        workerId: member(lease, "worker_id", "string"),
        attempt: member(lease, "attempt", "int"),
        leasedAt: at(lease.leased_at, "leased_at"),
        expiresAt: at(lease.expires_at, "expires_at"),
      };
      this.lastAttempt = this.lease.attempt;
      this.sequence = null;
    } else if (kind === "heartbeat") {
      this.lease.expiresAt = at(object(step.document).expires_at, "expires_at");
    } else if (kind === "progress") {
      this.sequence = object(step.document).sequence;
    } else if (kind === "cancel" && status !== "cancelled") {
      this.cancelRequested = true;
    } else if (REPEATABLE.has(kind)) {
      this.ended.set(step.lease_id, [kind, step.document]);
    }
    if (status !== this.status && ENDS_LEASE.has(status)) {
      this.lease = null;
      this.sequence = null;
    }
    this.status = status;
  }
}

/**
 * The first step of `trace` (an object with `steps`, or the steps) that breaks a rule of the
 * lifecycle, as one issue pointing at it (`/steps/<i>`); an empty array when none does. Throws a
 * TypeError when `trace` is not a well-formed trace (a broken test, not a broken protocol).
 */
export function checkTrace(trace) {
  const steps = Array.isArray(trace) ? trace : trace.steps;
  if (!Array.isArray(steps) || steps.length === 0 || object(steps[0]).message !== "submit") {
    throw new TypeError("a trace starts with the job's submit step");
  }
  let job = null;
  let previous = null;
  for (const [index, raw] of steps.entries()) {
    const step = object(raw);
    const kind = step.message;
    const status = member(step, "status", "string");
    if (!MESSAGES.has(kind)) throw new TypeError(`step ${index}: unknown message ${JSON.stringify(kind)}; expected one of ${[...MESSAGES].sort().join(", ")}`);
    const now = at(step.at, `step ${index}: at`);
    if (previous !== null && compare(now, previous) < 0) throw new TypeError(`step ${index}: at goes back in time`);
    previous = now;
    const pointer = `/steps/${index}`;
    if (kind === "submit") {
      if (job !== null) throw new TypeError(`step ${index}: a trace has one submit, its first step`);
      job = new Job(object(step.document));
      if (status !== "queued") return [{ rule: "lifecycle.status", pointer, message: `a submitted job is queued, not ${status}` }];
      continue;
    }
    const refused = step.refused;
    if (refused !== undefined && refused !== null && !REFUSABLE.has(kind)) throw new TypeError(`step ${index}: the scheduler's own ${kind} cannot be refused`);
    const found = job.breach(step, now);
    if (refused !== undefined && refused !== null) {
      if (found === null || found.rule !== refused) {
        const why = found ? `it breaks ${found.rule}` : "it breaks no rule";
        return [{ rule: "lifecycle.refusal", pointer, message: `the ${kind} was refused under ${refused}, but ${why}` }];
      }
      if (status !== job.status) return [{ rule: "lifecycle.status", pointer, message: `a refused ${kind} leaves the job ${job.status}, not ${status}` }];
      continue;
    }
    if (found !== null) return [{ rule: found.rule, pointer, message: `step ${index} (${kind}) accepted: ${found.message}` }];
    const [expected, rule] = job.outcome(step, now);
    if (status !== expected) return [{ rule, pointer, message: `after this ${kind} the job is ${expected}, not ${status}` }];
    job.apply(step, status);
  }
  return [];
}
