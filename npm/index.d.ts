// The guestkit job protocol v1 for TypeScript: the generated document and payload types,
// and the declarations of src/index.js (written by hand; src/ is plain JavaScript).

export * from "./types/index.js";
import type { Job, WorkerRegistration } from "./types/index.js";

/** The protocol's document types. */
export type DocumentType = "job" | "result" | "progress" | "worker" | "lease" | "cancel";

/** One finding: the rule it breaks (rules-v1.json), where (RFC 6901 JSON Pointer), and what to do. */
export interface Issue {
  rule: string;
  pointer: string;
  message: string;
}

/** The outcome of validating one document. `valid` is true when there are no errors. */
export interface Report {
  valid: boolean;
  /** The type validated against; null when `type: "auto"` could not tell it. */
  type: DocumentType | null;
  errors: Issue[];
  warnings: Issue[];
}

export interface ValidateOptions {
  /** The document type; "auto" tells it from the document's fields. Default "job". */
  type?: DocumentType | "auto";
  /** Turn the warnings about unknown fields and unregistered payload types into errors. Default false. */
  strict?: boolean;
}

/**
 * Validates one parsed protocol document: the schema rules, the code-only rules and the
 * unknown-field lint, reported with the rule ids every runner of the conformance suite
 * reports. Never throws on a bad document; throws a TypeError on an unknown `type` option.
 */
export function validate(document: unknown, options?: ValidateOptions): Report;

/**
 * The document type told from the member names: the type whose identifiers (`job_id`, `worker_id`) the
 * document has, with more than half of its required members and the largest share of them; undefined
 * when no type qualifies or two tie (never a guess).
 */
export function detectType(document: unknown): DocumentType | undefined;

export const documentTypes: readonly DocumentType[];

/**
 * The payload fingerprint of a parsed job (specification, section 8): the lower-case hexadecimal
 * SHA-256 of the RFC 8785 (JCS) serialization of `{operation, payload}`, 64 digits. Members outside
 * them do not count; unknown members inside `payload` and `null` values do. The job is not validated.
 * Throws a TypeError when it is no object with `operation` and `payload` (a string included: parse it
 * first) or holds what JSON.parse cannot give, a RangeError for a number of magnitude 2^53 or more.
 */
export function fingerprint(job: object): string;

export interface RegisteredSchema {
  id: string;
  file: string;
  stability: "stable" | "experimental" | "deprecated";
}

/** schemas/index.json: every document and payload type and the file of its schema. */
export const protocolIndex: {
  protocol_version: string;
  base_uri: string;
  documents: Record<DocumentType, RegisteredSchema & { title: string; direction: string }>;
  payloads: Record<string, RegisteredSchema & { operation: string; version: number }>;
};

export interface Rule {
  id: string;
  severity: "error" | "warning";
  strict_severity?: "error" | "warning";
  layer: "schema" | "code";
  applies_to: string[];
  summary: string;
  expected?: string;
}

/** schemas/rules-v1.json: every rule id the package reports. */
export const rulesRegistry: { rules: Rule[] };

export interface MatchOptions {
  /**
   * The jobs the worker runs now as the scheduler counts them (its placements since the worker's
   * last heartbeat included); by default the registration's `status.current_jobs`.
   */
  currentJobs?: number | null;
}

/**
 * Every reason `worker` cannot run `job` (specification, section 9); empty when it can: the
 * Python package's `match_worker`, with the same rule ids (`scheduling.*`), pointers (into the
 * job; `""` for the worker's state and load) and messages. Both documents are assumed valid.
 * Throws a TypeError when `currentJobs` is not an integer of at least 0.
 */
export function matchWorker(job: Job<string>, worker: WorkerRegistration, options?: MatchOptions): Issue[];

/** A job status of schemas/job-states-v1.json. */
export type JobStatusName = "pending" | "queued" | "assigned" | "running" | "completed" | "failed" | "cancelled" | "timeout";

/** Whether a job in `status` is finished for good; a RangeError for an unknown status. */
export function isTerminal(status: JobStatusName): boolean;

/** The statuses a job in `status` may move to; empty for a terminal one; a RangeError for an unknown one. */
export function allowedTransitions(status: JobStatusName): JobStatusName[];

/** null when a job may move from `current` to `next`; otherwise the reason (rule state.transition). */
export function checkTransition(current: string, next: string): Issue | null;

/** A message a scheduler handled (docs/job-protocol-v1.md, section 15). */
export type TraceMessage =
  | "submit" | "claim" | "heartbeat" | "progress" | "result" | "release" | "cancel" | "expire" | "timeout" | "deadline";

/** One step of a lifecycle trace (tests/conformance/README.md, "Traces"). */
export interface TraceStep {
  /** When the scheduler handled the message (its clock), RFC 3339. */
  at: string;
  message: TraceMessage;
  /** The lease a worker message is sent under, or that the scheduler takes back (expire, timeout). */
  lease_id?: string;
  /** The document the message carries: job, lease, progress event, result or cancel request. */
  document?: Record<string, unknown>;
  /** The scheduler refused the message under this rule id; the status is unchanged. */
  refused?: string;
  /** The job's status after the step. */
  status: JobStatusName;
}

/**
 * The first step of a trace that breaks a rule of the lifecycle, as one issue pointing at it
 * (`/steps/<i>`); an empty array when none does. Throws a TypeError on a malformed trace.
 */
export function checkTrace(trace: { steps: TraceStep[] } | TraceStep[]): Issue[];
