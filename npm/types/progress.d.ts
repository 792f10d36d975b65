/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * One progress report. Within a job, `sequence` starts at 0 and increases with every event, so readers can order events and spot gaps.
 */
export interface ProgressEvent {
  /**
   * The job reporting progress.
   */
  job_id: string;
  /**
   * When the event happened.
   */
  timestamp: string;
  /**
   * Position of the event in the job's stream, from 0.
   */
  sequence: number;
  /**
   * Phase the job is in. Standard guestkit phases: `validation`, `disk_attach`, `disk_inspection`, `os_detection`, `package_scan`, `service_scan`, `security_scan`, `result_generation`, `cleanup`; other tools may add their own.
   */
  phase: string;
  /**
   * What is happening, for people.
   */
  message: string;
  /**
   * Overall progress, 0 to 100.
   */
  progress_percent?: number | null;
  /**
   * Free-form details of the event.
   */
  details?: {
    [k: string]: unknown;
  } | null;
  /**
   * Tracing and correlation identifiers, copied from the job.
   */
  observability?: Observability | null;
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
