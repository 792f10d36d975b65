// Rules JSON Schema cannot express, one small function per rule id, as the Python
// package's code_rules.py has them. Each takes the document and returns its findings
// {rule, pointer, message}; each looks only at values of the type it expects and stays
// silent otherwise (the schema reports the wrong type).

import { commonPattern, index } from "./resources.js";
import { isObject, show } from "./values.js";

const LONG_TIMEOUT_SECONDS = 86_400;
const LARGE_DISK_GB = 100_000;
const PAYLOAD_TYPE = commonPattern("PayloadType");

const section = (document, name) => (isObject(document[name]) ? document[name] : {});
const integer = (value) => (Number.isInteger(value) ? value : undefined);

/** [payload type, the operation it names] when the payload type is well formed. */
function payloadOperation(document) {
  const type = section(document, "payload").type;
  if (typeof type !== "string" || !PAYLOAD_TYPE.test(type)) return undefined;
  return [type, type.slice(0, type.lastIndexOf("."))];
}

function payloadTypeMatchesOperation(document) {
  const named = payloadOperation(document);
  const { operation } = document;
  if (named === undefined || typeof operation !== "string" || named[1] === operation) return [];
  return [{
    rule: "job.payload-type.matches-operation",
    pointer: "/payload/type",
    message: `payload type ${show(named[0])} is for operation ${show(named[1])}, but the job's operation is ` +
      `${show(operation)}; expected ${show(`${operation}.v1`)} or another version of it`,
  }];
}

function payloadTypeRegistered(document) {
  const named = payloadOperation(document);
  if (named === undefined || named[0] in index.payloads) return [];
  const versions = Object.entries(index.payloads).filter(([, entry]) => entry.operation === named[1]).map(([name]) => name);
  return [{
    rule: "job.payload-type.unregistered",
    pointer: "/payload/type",
    message: `no schema is registered for payload type ${show(named[0])}, so payload.data is not checked ` +
      `(allowed, for forward compatibility; strict mode rejects it)${versions.length ? `; registered for ${named[1]}: ${versions.join(", ")}` : ""}`,
  }];
}

function attemptWithinMax(document) {
  const execution = section(document, "execution");
  // Absent and null both mean the schema default of 1.
  const maxGiven = execution.max_attempts !== undefined && execution.max_attempts !== null;
  const attempt = integer(execution.attempt || 1);
  const maxAttempts = integer(execution.max_attempts || 1);
  if (attempt === undefined || maxAttempts === undefined || attempt <= maxAttempts) return [];
  return [{
    rule: "execution.attempt.within-max",
    pointer: "/execution/attempt",
    message: `attempt is ${attempt} but max_attempts is ${maxAttempts}${maxGiven ? "" : " (the default)"}; ` +
      `expected an attempt of at most ${maxAttempts}, or a larger max_attempts`,
  }];
}

function timeoutNotTooLong(document) {
  const timeout = integer(section(document, "execution").timeout_seconds);
  if (timeout === undefined || timeout <= LONG_TIMEOUT_SECONDS) return [];
  return [{
    rule: "execution.timeout.long",
    pointer: "/execution/timeout_seconds",
    message: `timeout_seconds is ${timeout} (${(timeout / 3600).toFixed(1)} hours), above 24 hours; allowed, but check it is meant`,
  }];
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** [whole seconds since the epoch, fraction digits] of an RFC 3339 date-time, exactly; undefined if it is none. */
export function instant(text) {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const moment = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  moment.setUTCFullYear(year); // Date.UTC reads years 0-99 as 1900-1999
  if (year < 1 || moment.getUTCMonth() !== month - 1 || moment.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const offsetMinutes = match[8] === "Z" ? 0 : (Number(match[10]) * 60 + Number(match[11])) * (match[9] === "+" ? 1 : -1);
  return [moment.getTime() / 1000 - offsetMinutes * 60, (match[7] ?? ".").slice(1)];
}

/** Negative, zero or positive as instant `a` is before, at or after `b`. */
function compareInstants([secondsA, fractionA], [secondsB, fractionB]) {
  if (secondsA !== secondsB) return secondsA - secondsB;
  const width = Math.max(fractionA.length, fractionB.length);
  return fractionA.padEnd(width, "0").localeCompare(fractionB.padEnd(width, "0"));
}

function deadlineAfterCreation(document) {
  const created = document.created_at;
  const { deadline } = section(document, "execution");
  if (typeof created !== "string" || typeof deadline !== "string") return [];
  const [createdAt, deadlineAt] = [instant(created), instant(deadline)];
  if (createdAt === undefined || deadlineAt === undefined || compareInstants(deadlineAt, createdAt) >= 0) return [];
  return [{
    rule: "execution.deadline.after-created",
    pointer: "/execution/deadline",
    message: `deadline ${show(deadline)} is earlier than created_at ${show(created)}; expected a deadline at or after creation`,
  }];
}

function diskSizeNotTooLarge(document) {
  const size = integer(section(document, "constraints").maximum_disk_size_gb);
  if (size === undefined || size <= LARGE_DISK_GB) return [];
  return [{
    rule: "constraints.disk-size.large",
    pointer: "/constraints/maximum_disk_size_gb",
    message: `maximum_disk_size_gb is ${size.toLocaleString("en-US")} GB, above 100 TB; allowed, but check the unit is GB`,
  }];
}

function idempotencyKeyNotEmpty(document) {
  if (section(document, "execution").idempotency_key !== "") return [];
  return [{
    rule: "execution.idempotency-key.empty",
    pointer: "/execution/idempotency_key",
    message: "idempotency_key is an empty string, which means no key: a resubmission of this job runs again; " +
      "give a key, or leave the member out",
  }];
}

function leaseAttemptWithinMax(document) {
  // A lease need not state max_attempts: absent or null, there is nothing to compare.
  const [attempt, maxAttempts] = [integer(document.attempt), integer(document.max_attempts)];
  if (attempt === undefined || maxAttempts === undefined || attempt <= maxAttempts) return [];
  return [{
    rule: "lease.attempt.within-max",
    pointer: "/attempt",
    message: `attempt is ${attempt} but max_attempts is ${maxAttempts}; ` +
      "expected an attempt of at most max_attempts: no lease is granted past the job's last attempt",
  }];
}

function leaseTimesAfterLeased(document) {
  const leased = document.leased_at;
  const leasedAt = typeof leased === "string" ? instant(leased) : undefined; // the schema reports a malformed one
  if (leasedAt === undefined) return [];
  return ["expires_at", "timeout_at"].flatMap((name) => {
    const value = document[name];
    const moment = typeof value === "string" ? instant(value) : undefined;
    if (moment === undefined || compareInstants(moment, leasedAt) > 0) return [];
    return [{
      rule: "lease.times.after-leased",
      pointer: `/${name}`,
      message: `${name} ${show(value)} is not after leased_at ${show(leased)}; expected a later instant`,
    }];
  });
}

const CODE_RULES = {
  job: [
    payloadTypeMatchesOperation, payloadTypeRegistered, attemptWithinMax, timeoutNotTooLong, deadlineAfterCreation, diskSizeNotTooLarge,
    idempotencyKeyNotEmpty,
  ],
  lease: [leaseAttemptWithinMax, leaseTimesAfterLeased],
};

/** Every code-only finding for a document of `type`. */
export function codeIssues(document, type) {
  if (!isObject(document)) return [];
  return (CODE_RULES[type] ?? []).flatMap((check) => check(document));
}
