/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * The outcome of a job. `completed` requires `completed_at`; `failed`, `cancelled` and `timeout` require `failed_at`; `failed` also requires `error`.
 */
export type JobResult = {
  /**
   * The job this result belongs to.
   */
  job_id: string;
  /**
   * How the job ended.
   */
  status: "completed" | "failed" | "cancelled" | "timeout";
  /**
   * The worker that ran the job.
   */
  worker_id: string;
  /**
   * When the job completed successfully.
   */
  completed_at?: string | null;
  /**
   * When the job ended without success (failed, cancelled or timed out).
   */
  failed_at?: string | null;
  execution_summary: ExecutionSummary;
  /**
   * Files the job produced.
   */
  outputs?: ResultOutputs | null;
  /**
   * Resources the job used.
   */
  metrics?: ResultMetrics | null;
  /**
   * Why the job failed; required when `status` is `failed`.
   */
  error?: ResultError | null;
  /**
   * Tracing and correlation identifiers, copied from the job.
   */
  observability?: Observability | null;
  /**
   * Free-form output of the operation's handler.
   */
  data?: {
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/**
 * When and how the job ran.
 */
export interface ExecutionSummary {
  /**
   * When the attempt started.
   */
  started_at: string;
  /**
   * How long the attempt took, in seconds.
   */
  duration_seconds: number;
  /**
   * The attempt that produced this result (1 for the first run).
   */
  attempt: number;
  /**
   * The job's idempotency key, if it had one.
   */
  idempotency_key?: string | null;
  [k: string]: unknown;
}
/**
 * Files the job produced.
 */
export interface ResultOutputs {
  /**
   * The main output, e.g. the inspection report.
   */
  primary?: string | null;
  /**
   * Other files produced, e.g. logs.
   */
  artifacts?: string[] | null;
  [k: string]: unknown;
}
/**
 * Resources the job used.
 */
export interface ResultMetrics {
  /**
   * Bytes read from disk.
   */
  disk_read_bytes: number;
  /**
   * Bytes written to disk.
   */
  disk_write_bytes: number;
  /**
   * Peak memory use, in MiB.
   */
  peak_memory_mb: number;
  /**
   * CPU time used, in seconds.
   */
  cpu_seconds: number;
  [k: string]: unknown;
}
/**
 * Why a job failed, and whether trying again may help.
 */
export interface ResultError {
  /**
   * Stable, machine-readable error code, e.g. `DISK_NOT_FOUND`.
   */
  code: string;
  /**
   * What went wrong, for people.
   */
  message: string;
  /**
   * Phase the job was in when it failed, e.g. `disk_attach`.
   */
  phase?: string | null;
  /**
   * Free-form details of the failure.
   */
  details?: {
    [k: string]: unknown;
  } | null;
  /**
   * Whether the job's state allows running it again.
   */
  recoverable: boolean;
  /**
   * Whether the worker expects a retry to succeed.
   */
  retry_recommended: boolean;
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
