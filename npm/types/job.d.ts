/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * Operation-specific input, typed by `payload.type`.
 */
export type Payload = {
  /**
   * Payload type, `<operation>.v<N>`; must agree with the job's `operation`.
   */
  type: string;
  /**
   * Payload data, checked against the schema registered for `type`.
   */
  data: {
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/**
 * The job envelope. Unknown fields are allowed at every level and must be preserved by readers that re-serialise the document.
 */
export interface Job {
  /**
   * Protocol version; exactly `1.0`.
   */
  version: "1.0";
  /**
   * Unique identifier of the job.
   */
  job_id: string;
  /**
   * When the job was created.
   */
  created_at: string;
  /**
   * Kind of document; exactly `VMOperation`.
   */
  kind: "VMOperation";
  /**
   * What the worker is asked to do.
   */
  operation: string;
  payload: Payload;
  /**
   * Names, labels and annotations for people and tools.
   */
  metadata?: JobMetadata | null;
  /**
   * Retry, timeout and priority policy.
   */
  execution?: ExecutionPolicy | null;
  /**
   * What a worker must offer to run the job.
   */
  constraints?: Constraints | null;
  /**
   * Where the job should or should not run.
   */
  routing?: Routing | null;
  /**
   * Tracing and correlation identifiers.
   */
  observability?: Observability | null;
  /**
   * Who submitted the job, from where, and how they were authorised.
   */
  audit?: Audit | null;
  [k: string]: unknown;
}
/**
 * Names, labels and annotations. Labels are for selection and grouping; annotations carry free text for people and tools, and extension data under keys such as `example.com/cost-code`.
 */
export interface JobMetadata {
  /**
   * Human-readable name of the job.
   */
  name?: string | null;
  /**
   * Namespace the job belongs to, e.g. an environment or tenant.
   */
  namespace?: string | null;
  /**
   * Labels for selection and grouping (string to string).
   */
  labels?: {
    [k: string]: string;
  } | null;
  /**
   * Free-form notes (string to string).
   */
  annotations?: {
    [k: string]: string;
  } | null;
  [k: string]: unknown;
}
/**
 * How the job is run: retries, timeout, deadline, priority. `attempt` must not exceed `max_attempts` (checked in code: rule execution.attempt.within-max).
 */
export interface ExecutionPolicy {
  /**
   * Key that makes resubmission safe: a worker that already ran a job with the same key and payload returns the earlier result.
   */
  idempotency_key?: string | null;
  /**
   * Attempt the submitter starts at (normally 1). The attempt actually run is reported in the result's `execution_summary.attempt`.
   */
  attempt?: number | null;
  /**
   * Most attempts the job may get, first one included.
   */
  max_attempts?: number | null;
  /**
   * Time one attempt may take, in seconds. Above 86400 (24 h) is allowed with a warning.
   */
  timeout_seconds?: number | null;
  /**
   * Time after which the job must not start; not before `created_at`.
   */
  deadline?: string | null;
  /**
   * Priority from 1 to 10; higher is more urgent.
   */
  priority?: number | null;
  /**
   * Whether the job may be cancelled once it runs.
   */
  cancellable?: boolean | null;
  [k: string]: unknown;
}
/**
 * What a worker must offer to run the job. Capabilities and features match exactly.
 */
export interface Constraints {
  /**
   * Capabilities the worker must have, e.g. `guestkit.inspect`, `disk.qcow2`, `fs.ext4`.
   */
  required_capabilities?: string[] | null;
  /**
   * Features the worker must have, e.g. `lvm`, `selinux`.
   */
  required_features?: string[] | null;
  /**
   * Worker pools the job may run in; absent means any pool.
   */
  allowed_worker_pools?: string[] | null;
  /**
   * Lowest worker version (semantic version) that may run the job.
   */
  minimum_worker_version?: string | null;
  /**
   * Largest disk, in GB, the job may touch. Above 100000 (100 TB) is allowed with a warning.
   */
  maximum_disk_size_gb?: number | null;
  /**
   * Whether the worker must run privileged (e.g. to attach block devices).
   */
  require_privileged?: boolean | null;
  [k: string]: unknown;
}
/**
 * Placement hints and pins.
 */
export interface Routing {
  /**
   * Run only on this worker.
   */
  worker_id?: string | null;
  /**
   * Preferred worker pool.
   */
  worker_pool?: string | null;
  /**
   * Attributes the worker should have (string to string), e.g. `disk_locality: /mnt/vms`.
   */
  affinity?: {
    [k: string]: string;
  } | null;
  /**
   * Attribute values the worker should not have (string to array of strings).
   */
  anti_affinity?: {
    [k: string]: string[];
  } | null;
  [k: string]: unknown;
}
/**
 * Tracing and correlation identifiers. W3C trace-context form (32 hex digits for a trace, 16 for a span) is recommended, not required.
 */
export interface Observability {
  /**
   * Distributed trace the job belongs to.
   */
  trace_id?: string | null;
  /**
   * Span of this job within the trace.
   */
  span_id?: string | null;
  /**
   * Span that caused this job.
   */
  parent_span_id?: string | null;
  /**
   * Identifier shared by related jobs, e.g. a batch.
   */
  correlation_id?: string | null;
  [k: string]: unknown;
}
/**
 * Who submitted the job and how they were authorised.
 */
export interface Audit {
  /**
   * Identity that submitted the job.
   */
  submitted_by?: string | null;
  /**
   * Where the job was submitted from, e.g. an address.
   */
  submitted_from?: string | null;
  /**
   * How the submitter was authorised.
   */
  authorization?: Authorization | null;
  [k: string]: unknown;
}
/**
 * How the submitter was authorised; both fields are required once the object is present.
 */
export interface Authorization {
  /**
   * Authorisation method, e.g. `bearer_token`.
   */
  method: string;
  /**
   * Authorised subject, e.g. a service account.
   */
  subject: string;
  [k: string]: unknown;
}
