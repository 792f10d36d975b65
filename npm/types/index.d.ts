/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * Key of an extension field: a DNS-style domain the author controls, a slash and a name, e.g. `example.com/cost-code`. Extension keys may appear in any object and are never reported as unknown. Pattern: `^[a-z0-9-]+(\.[a-z0-9-]+)+/[A-Za-z0-9._-]+$`; the type is its nearest template literal.
 */
export type ExtensionKey = `${string}.${string}/${string}`;

/**
 * The job envelope. Unknown fields are allowed at every level and must be preserved by readers that re-serialise the document.
 * @typeParam T - The payload type: by default every registered one, each with its data's type; name an unregistered one to write it (`Job<"example.backup.v1">`: its data is any object).
 */
export interface Job<T extends string = RegisteredPayloadType> {
  /**
   * URI of the schema the document claims to follow, for editors; `https://guestkit.dev/schemas/job-v1.json` for this version.
   */
  $schema?: string | null;
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
  /**
   * Operation-specific input, typed by `payload.type`.
   */
  payload: Payload<T>;
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
  [key: ExtensionKey]: unknown;
}

/**
 * What every `Payload` has in common: `type` is T and `data` is of type M.
 */
export interface PayloadOf<T extends string, M> {
  /**
   * Payload type, `<operation>.v<N>`; must agree with the job's `operation`.
   */
  type: T;
  /**
   * Payload data, checked against the schema registered for `type`.
   */
  data: M;
  [key: ExtensionKey]: unknown;
}

/**
 * Every payload type registered in schemas/index.json, and the type of its `data`.
 */
export interface RegisteredPayloads {
  "guestkit.inspect.v1": InspectPayload;
  "guestkit.profile.v1": ProfilePayload;
  "guestkit.fix.v1": FixPayload;
  "guestkit.convert.v1": ConvertPayload;
  "guestkit.compare.v1": ComparePayload;
  "guestkit.doctor.v1": DoctorPayload;
  "guestkit.repair.v1": RepairPayload;
  "guestkit.migrate-plan.v1": MigratePlanPayload;
  "guestkit.passport.v1": PassportPayload;
  "guestkit.explore.v1": ExplorePayload;
  "guestkit.agent.evidence.v1": AgentEvidencePayload;
  "guestkit.agent.doctor.v1": AgentDoctorPayload;
  "guestkit.agent.call.v1": AgentCallPayload;
  "guestkit.agent.fix.v1": AgentFixPayload;
  "system.echo.v1": EchoPayload;
}

export type RegisteredPayloadType = keyof RegisteredPayloads;

/**
 * The `data` of a payload type with no registered schema: any object, accepted unchecked (validators warn: job.payload-type.unregistered).
 */
export type UnregisteredPayloadData = { [key: string]: unknown };

/**
 * Operation-specific input. `type` selects the schema of `data`; a type with no registered schema keeps `data` as an unchecked object (forward compatibility; validators warn about it).
 * @typeParam T - The payload type: by default every registered one, each with its data's type; name an unregistered one to write it (`Job<"example.backup.v1">`: its data is any object).
 */
export type Payload<T extends string = RegisteredPayloadType> = T extends RegisteredPayloadType
  ? PayloadOf<T, RegisteredPayloads[T]>
  : PayloadOf<T, UnregisteredPayloadData>;

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
  labels?: { [key: string]: string } | null;
  /**
   * Free-form notes (string to string).
   */
  annotations?: { [key: string]: string } | null;
  [key: ExtensionKey]: unknown;
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
   * @default 1
   */
  attempt?: number | null;
  /**
   * Most attempts the job may get, first one included.
   * @default 1
   */
  max_attempts?: number | null;
  /**
   * Time one attempt may take, in seconds. Above 86400 (24 h) is allowed with a warning.
   * @default 3600
   */
  timeout_seconds?: number | null;
  /**
   * Time after which the job must not start; not before `created_at`.
   */
  deadline?: string | null;
  /**
   * Priority from 1 to 10; higher is more urgent.
   * @default 5
   */
  priority?: number | null;
  /**
   * Whether the job may be cancelled once it runs.
   * @default true
   */
  cancellable?: boolean | null;
  [key: ExtensionKey]: unknown;
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
   * Largest disk, in GB (10^9 bytes, not GiB), the job may touch: it runs only on a worker whose `max_disk_size_gb` is at least as large. Above 100000 (100 TB) is allowed with a warning.
   */
  maximum_disk_size_gb?: number | null;
  /**
   * Whether the worker must run privileged (e.g. to attach block devices).
   */
  require_privileged?: boolean | null;
  [key: ExtensionKey]: unknown;
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
  affinity?: { [key: string]: string } | null;
  /**
   * Attribute values the worker should not have (string to array of strings).
   */
  anti_affinity?: { [key: string]: string[] } | null;
  [key: ExtensionKey]: unknown;
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
  [key: ExtensionKey]: unknown;
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
  [key: ExtensionKey]: unknown;
}

/**
 * The outcome of a job. `completed` requires `completed_at`; `failed`, `cancelled` and `timeout` require `failed_at`; `failed` also requires `error`.
 */
export interface JobResult {
  /**
   * URI of the schema the document claims to follow, for editors; `https://guestkit.dev/schemas/result-v1.json` for this version.
   */
  $schema?: string | null;
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
  /**
   * When and how the job ran.
   */
  execution_summary: ExecutionSummary;
  /**
   * Protocol 1.1. The lease of the attempt this result ends (the fencing token), where the transport does not carry it (the HTTP interface carries it in the path). A result is one attempt's: the scheduler accepts it only from the job's current lease.
   */
  lease_id?: string | null;
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
  data?: unknown;
  [key: ExtensionKey]: unknown;
}

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
  [key: ExtensionKey]: unknown;
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
  [key: ExtensionKey]: unknown;
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
  [key: ExtensionKey]: unknown;
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
  details?: { [key: string]: unknown } | null;
  /**
   * Whether the job's state allows running it again.
   */
  recoverable: boolean;
  /**
   * Whether the worker expects a retry to succeed.
   */
  retry_recommended: boolean;
  [key: ExtensionKey]: unknown;
}

/**
 * One progress report. Within an attempt of a job, `sequence` starts at 0 and increases with every event, so readers can order events and spot gaps.
 */
export interface ProgressEvent {
  /**
   * URI of the schema the document claims to follow, for editors; `https://guestkit.dev/schemas/progress-v1.json` for this version.
   */
  $schema?: string | null;
  /**
   * The job reporting progress.
   */
  job_id: string;
  /**
   * When the event happened.
   */
  timestamp: string;
  /**
   * Position of the event in the stream of its attempt, from 0: a new attempt starts again at 0.
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
  details?: { [key: string]: unknown } | null;
  /**
   * Tracing and correlation identifiers, copied from the job.
   */
  observability?: Observability | null;
  /**
   * Protocol 1.1. The attempt reporting, as its lease says (`lease-v1.json`). Workers of protocol 1.1 set it.
   */
  attempt?: number | null;
  /**
   * Protocol 1.1. The worker reporting, as its lease says. Workers of protocol 1.1 set it.
   */
  worker_id?: string | null;
  /**
   * Protocol 1.1. The lease of the attempt reporting (the fencing token), where the transport does not carry it (the HTTP interface carries it in the path).
   */
  lease_id?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * A worker's capability advertisement, sent at registration and refreshed with heartbeats.
 */
export interface WorkerRegistration {
  /**
   * URI of the schema the document claims to follow, for editors; `https://guestkit.dev/schemas/worker-v1.json` for this version.
   */
  $schema?: string | null;
  /**
   * Unique identifier of the worker.
   */
  worker_id: string;
  /**
   * Worker software version, compared with a job's `minimum_worker_version`.
   */
  version: string;
  /**
   * Host the worker runs on.
   */
  hostname: string;
  /**
   * When the worker registered.
   */
  registered_at: string;
  /**
   * What the worker can run.
   */
  capabilities: WorkerCapabilities;
  /**
   * What the worker has to run jobs with. Absent or null: it states no limit, and gets no job whose `maximum_disk_size_gb` needs one.
   */
  resources?: WorkerResources | null;
  /**
   * How the worker is set up.
   */
  configuration?: WorkerConfiguration | null;
  /**
   * The worker's current state. Absent or null: its state is unknown, and it gets no new job until a status says `ready`.
   */
  status?: WorkerStatus | null;
  [key: ExtensionKey]: unknown;
}

/**
 * What the worker can run. A job runs only on a worker that has every capability and feature it requires (exact match).
 */
export interface WorkerCapabilities {
  /**
   * Operations the worker has handlers for, e.g. `guestkit.inspect`.
   */
  operations: string[];
  /**
   * Features and capabilities the worker offers, e.g. `lvm`, `selinux`, `disk.qcow2`, `fs.ext4`.
   */
  features: string[];
  /**
   * Image formats the worker can open.
   */
  disk_formats: ("qcow2" | "raw" | "vmdk" | "vdi" | "vhdx" | "img" | "ova")[];
  /**
   * Payload types (an operation and a version) the worker reads, e.g. `guestkit.inspect.v1`, `guestkit.inspect.v2`. Absent or null: the `.v1` payload type of each of its operations, all a worker of protocol 1.0 could read.
   */
  payload_types?: string[] | null;
  [key: ExtensionKey]: unknown;
}

/**
 * What the worker has to run jobs with.
 */
export interface WorkerResources {
  /**
   * Most jobs the worker runs at once: with `status.current_jobs` as many, it takes no new job.
   */
  max_concurrent_jobs: number;
  /**
   * Largest disk the worker accepts, in GB (10^9 bytes, not GiB).
   */
  max_disk_size_gb: number;
  /**
   * Free scratch space, in GB (10^9 bytes, not GiB).
   */
  available_disk_gb: number;
  /**
   * CPU cores available to jobs.
   */
  cpu_cores: number;
  /**
   * Memory available to jobs, in GB (10^9 bytes, not GiB).
   */
  memory_gb: number;
  [key: ExtensionKey]: unknown;
}

/**
 * How the worker is set up.
 */
export interface WorkerConfiguration {
  /**
   * Whether the worker runs privileged (can attach block devices).
   */
  privileged: boolean;
  /**
   * Pool the worker belongs to.
   */
  worker_pool?: string | null;
  /**
   * Storage locations the worker reaches locally, e.g. `/mnt/vms`.
   */
  data_locality?: string[] | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The worker's current state, refreshed by heartbeats.
 */
export interface WorkerStatus {
  /**
   * Whether the worker takes jobs.
   */
  state: "ready" | "busy" | "draining" | "offline";
  /**
   * Jobs the worker is running now.
   */
  current_jobs: number;
  /**
   * When the worker last reported in.
   */
  last_heartbeat: string;
  [key: ExtensionKey]: unknown;
}

/**
 * One attempt of a job, leased to one worker until `expires_at`. A renewal returns the same lease with a later `expires_at`; a new attempt gets a new `lease_id`.
 */
export interface Lease {
  /**
   * URI of the schema the document claims to follow, for editors; `https://guestkit.dev/schemas/lease-v1.json` for this version.
   */
  $schema?: string | null;
  /**
   * The fencing token: unique among every lease of every job, never reused. The worker presents it with every heartbeat, progress event, result and release of the attempt; the scheduler refuses any message whose lease is not the job's current, unexpired one. Opaque to the worker (percent-encode it in a URL path).
   */
  lease_id: string;
  /**
   * The job leased.
   */
  job_id: string;
  /**
   * The worker holding the lease: the one that claimed the job.
   */
  worker_id: string;
  /**
   * The attempt this lease is: the job's `execution.attempt` for its first claim, one more at every later claim. The worker reports it in its progress events and in the result's `execution_summary.attempt`.
   */
  attempt: number;
  /**
   * The job's `execution.max_attempts`, for the worker's information: when `attempt` equals it, this is the last attempt.
   */
  max_attempts?: number | null;
  /**
   * When the job was claimed: the attempt's timeout counts from here.
   */
  leased_at: string;
  /**
   * When the lease ends unless renewed by a heartbeat. After it, the scheduler may return the job to the queue and refuses the lease's messages.
   */
  expires_at: string;
  /**
   * When the attempt times out: `leased_at` plus the job's `execution.timeout_seconds`, or the job's `deadline` if that is earlier. A worker stops at this instant and reports the result `timeout`.
   */
  timeout_at?: string | null;
  /**
   * How often the scheduler expects a heartbeat, in seconds; shorter than the time from a renewal to `expires_at`.
   */
  heartbeat_interval_seconds?: number | null;
  /**
   * Set once cancelling the job was requested (and allowed: the job is `cancellable`). The worker stops and reports the result `cancelled`.
   */
  cancel_requested_at?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Cancel one job.
 */
export interface CancelRequest {
  /**
   * URI of the schema the document claims to follow, for editors; `https://guestkit.dev/schemas/cancel-v1.json` for this version.
   */
  $schema?: string | null;
  /**
   * The job to cancel.
   */
  job_id: string;
  /**
   * When the cancellation was requested.
   */
  requested_at: string;
  /**
   * Who asked, as the authenticated channel names them: a claim, like `audit.submitted_by`.
   */
  requested_by?: string | null;
  /**
   * Why, for people.
   */
  reason?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * What to inspect, how deeply, and where to write the report.
 */
export interface InspectPayload {
  /**
   * The image to inspect.
   */
  image: InspectImage;
  /**
   * What the inspection covers.
   */
  options?: InspectOptions | null;
  /**
   * Where and how the report is written.
   */
  output?: InspectOutput | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The image to inspect, opened read-only unless `read_only` is false.
 */
export interface InspectImage extends ImageReference {
  /**
   * Open the image read-only.
   * @default true
   */
  read_only?: boolean | null;
}

/**
 * What the inspection covers; an absent flag leaves the choice to the worker.
 */
export interface InspectOptions {
  /**
   * Scan file contents, not only metadata (slower).
   */
  deep_scan?: boolean | null;
  /**
   * List installed packages.
   */
  include_packages?: boolean | null;
  /**
   * List system services.
   */
  include_services?: boolean | null;
  /**
   * List user accounts.
   */
  include_users?: boolean | null;
  /**
   * Report network configuration.
   */
  include_network?: boolean | null;
  /**
   * Report security settings (SELinux, AppArmor, firewall, SSH).
   */
  include_security?: boolean | null;
  /**
   * Report partitions, file systems and LVM.
   */
  include_storage?: boolean | null;
  /**
   * Detect database installations.
   */
  include_databases?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Where and how the inspection report is written.
 */
export interface InspectOutput {
  /**
   * Format of the report.
   */
  format: "json" | "yaml";
  /**
   * Path the report is written to.
   */
  destination: string;
  /**
   * Compression of the report file, e.g. `gzip`; absent or null for none.
   */
  compression?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Which image, which profiles, and how findings are reported.
 */
export interface ProfilePayload {
  /**
   * The image to profile.
   */
  image: ImageReference;
  /**
   * Profiles to evaluate; at least one.
   */
  profiles: ["security" | "compliance" | "hardening" | "performance" | "migration", ...("security" | "compliance" | "hardening" | "performance" | "migration")[]];
  /**
   * Thresholds and failure policy.
   */
  options?: ProfileOptions | null;
  /**
   * Where and how findings are written.
   */
  output?: ProfileOutput | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Thresholds and failure policy of a profile run.
 */
export interface ProfileOptions {
  /**
   * Least severity reported; findings below it are left out.
   */
  severity_threshold?: "info" | "low" | "medium" | "high" | "critical" | null;
  /**
   * Fail the job when a critical finding is found.
   */
  fail_on_critical?: boolean | null;
  /**
   * Work out how to remedy each finding.
   */
  include_remediation?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Where and how profile findings are written.
 */
export interface ProfileOutput {
  /**
   * Format of the report.
   */
  format?: "json" | "yaml" | null;
  /**
   * Path the report is written to.
   */
  destination?: string | null;
  /**
   * Write remediation steps into the report.
   */
  include_remediation?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The image to repair, the operations to run in order, and what to do on failure.
 */
export interface FixPayload {
  /**
   * The image to repair.
   */
  image: FixImage;
  /**
   * Fix operations, run in the order given; at least one.
   */
  operations: [FixOperation, ...FixOperation[]];
  /**
   * What to do when an operation fails.
   */
  execution_policy?: FixExecutionPolicy | null;
  /**
   * Where the fixed image, the log and the report go.
   */
  output?: FixOutput | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The image to repair, and whether to back it up first.
 */
export interface FixImage extends ImageReference {
  /**
   * Copy the image before changing it.
   */
  create_backup?: boolean | null;
  /**
   * Where the backup copy is written.
   */
  backup_path?: string | null;
}

/**
 * What every `FixOperation` has in common: `type` is T and `options` is of type M.
 */
export interface FixOperationOf<T extends "fsck" | "selinux_relabel" | "initramfs_regenerate", M> {
  /**
   * Which fix to run.
   */
  type: T;
  /**
   * Options of the fix, checked against the schema for `type`.
   */
  options?: M;
  [key: ExtensionKey]: unknown;
}

/**
 * One fix operation; `type` selects the schema of `options`.
 */
export type FixOperation =
  | FixOperationOf<"fsck", FsckOptions | null>
  | FixOperationOf<"selinux_relabel", SelinuxRelabelOptions | null>
  | FixOperationOf<"initramfs_regenerate", InitramfsRegenerateOptions | null>;

/**
 * Options of `fsck`: check and repair file systems.
 */
export interface FsckOptions {
  /**
   * Repair what the check finds without asking.
   */
  auto_repair?: boolean | null;
  /**
   * Only check file systems of this type, e.g. `ext4`; absent for all.
   */
  filesystem?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Options of `selinux_relabel`: restore SELinux file labels.
 */
export interface SelinuxRelabelOptions {
  /**
   * Relabel every file, not only those with a wrong label.
   */
  force?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Options of `initramfs_regenerate`: rebuild the initial RAM file system.
 */
export interface InitramfsRegenerateOptions {
  /**
   * Kernel to rebuild it for, or `auto` for the default kernel.
   */
  kernel_version?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * What to do when a fix operation fails.
 */
export interface FixExecutionPolicy {
  /**
   * Stop at the first failed operation.
   */
  stop_on_error?: boolean | null;
  /**
   * Check the repaired image before keeping the changes.
   */
  validate_before_commit?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Where the fixed image, the log and the report go.
 */
export interface FixOutput {
  /**
   * Path of the repaired image; absent to repair in place.
   */
  fixed_image?: string | null;
  /**
   * Path of the repair log.
   */
  log_path?: string | null;
  /**
   * Format of the repair report.
   */
  report_format?: "json" | "yaml" | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The source image, the image to write, and how.
 */
export interface ConvertPayload {
  /**
   * The image to convert.
   */
  source: ImageReference;
  /**
   * The image to write.
   */
  target: ConvertTarget;
  /**
   * Conversion options.
   */
  options?: ConvertOptions | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The image a conversion writes.
 */
export interface ConvertTarget {
  /**
   * Path of the image to write.
   */
  path: string;
  /**
   * Format to convert to.
   */
  format: "qcow2" | "raw" | "vmdk" | "vdi" | "vhdx" | "img" | "ova";
  /**
   * Compress the written image (formats that support it).
   */
  compression?: boolean | null;
  /**
   * Compression algorithm, e.g. `zstd` or `zlib`.
   */
  compression_type?: string | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Conversion options.
 */
export interface ConvertOptions {
  /**
   * Compare the written image with the source afterwards.
   */
  verify_after_convert?: boolean | null;
  /**
   * Keep unallocated regions sparse in the written image.
   */
  preserve_sparse?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * The two images to compare, what to compare, and where to write the differences.
 */
export interface ComparePayload {
  /**
   * The reference image.
   */
  baseline: ImageReference;
  /**
   * The image compared with the baseline.
   */
  target: ImageReference;
  /**
   * What the comparison covers.
   */
  options?: CompareOptions | null;
  /**
   * Where and how the differences are written.
   */
  output?: CompareOutput | null;
  [key: ExtensionKey]: unknown;
}

/**
 * What the comparison covers.
 */
export interface CompareOptions {
  /**
   * Compare installed packages.
   */
  compare_packages?: boolean | null;
  /**
   * Compare file contents.
   */
  compare_files?: boolean | null;
  /**
   * Compare system configuration.
   */
  compare_config?: boolean | null;
  /**
   * Ignore differences in file times.
   */
  ignore_timestamps?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * Where and how the differences are written.
 */
export interface CompareOutput {
  /**
   * Format of the report.
   */
  format?: "json" | "yaml" | null;
  /**
   * Path the report is written to.
   */
  destination?: string | null;
  /**
   * Add recommendations on how to reconcile the differences.
   */
  include_recommendations?: boolean | null;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.doctor` is given: check whether a disk image boots on a target platform, and why not.
 */
export interface DoctorPayload {
  /**
   * The disk image to work on. Upstream's handler reads `path` alone and lets libguestfs tell the format; `format` is required all the same, since schedulers match it against a worker's `disk_formats`.
   */
  image: ImageReference;
  /**
   * The platform to judge bootability for (default `kubevirt`).
   * @default "kubevirt"
   */
  target?: BootTarget;
  /**
   * Also explain: the root cause, an evidence digest and a migration briefing in the result.
   * @default false
   */
  explain?: boolean;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.repair` is given: plan, and unless a dry run apply, the repairs that make a disk image boot.
 */
export interface RepairPayload {
  /**
   * The disk image to work on. Upstream's handler reads `path` alone and lets libguestfs tell the format; `format` is required all the same, since schedulers match it against a worker's `disk_formats`.
   */
  image: ImageReference;
  /**
   * Only plan the repair (the default, `true`): the disk is changed only when this is `false`. Writers always write it.
   * @default true
   */
  dry_run?: boolean;
  /**
   * What to repair: `boot`, the only kind there is.
   * @default "boot"
   */
  fix?: "boot";
  /**
   * Add a step installing the `qemu-guest-agent` package.
   * @default false
   */
  inject_qga?: boolean;
  /**
   * Inject the zyvor guest agent; only a worker built with the agent feature can, and upstream's stock worker fails the job.
   * @default false
   */
  inject_zyvor_agent?: boolean;
  /**
   * Enable and start the injected agent's service (default `true`). Writers always write it.
   * @default true
   */
  enable_systemd?: boolean;
  /**
   * Install cloud-init and make sure `/etc/cloud/cloud.cfg` has a `network:` section.
   * @default false
   */
  fix_cloud_init_network?: boolean;
  /**
   * Add a step listing `/etc/fstab`, unless the boot report already has an fstab finding.
   * @default false
   */
  validate_fstab?: boolean;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.migrate-plan` is given: plan the migration of a disk image to a target platform.
 */
export interface MigratePlanPayload {
  /**
   * The disk image to work on. Upstream's handler reads `path` alone and lets libguestfs tell the format; `format` is required all the same, since schedulers match it against a worker's `disk_formats`.
   */
  image: ImageReference;
  /**
   * The platform to migrate to (default `kubevirt`).
   * @default "kubevirt"
   */
  target?: BootTarget;
  /**
   * Also explain: the root cause, an evidence digest and a migration briefing in the result.
   * @default false
   */
  explain?: boolean;
  /**
   * Include the fix plan that would prepare the image.
   * @default false
   */
  export_fix_plan?: boolean;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.passport` is given: issue a cutover passport: the image's readiness to move to a target platform.
 */
export interface PassportPayload {
  /**
   * The disk image to work on. Upstream's handler reads `path` alone and lets libguestfs tell the format; `format` is required all the same, since schedulers match it against a worker's `disk_formats`.
   */
  image: ImageReference;
  /**
   * The platform the passport is for (default `kubevirt`).
   * @default "kubevirt"
   */
  target?: BootTarget;
  /**
   * Add the SHA-256 of the whole image file to the passport (reads the whole file: slow).
   * @default false
   */
  content_hash?: boolean;
  /**
   * The guest agent proxy (`http://...`) to attest the running guest through; an unreachable one is recorded in the passport, not an error.
   */
  live_url?: string;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.explore` is given: look at one path of a disk image's root filesystem: list, stat or read it.
 */
export interface ExplorePayload {
  /**
   * The disk image to work on. Upstream's handler reads `path` alone and lets libguestfs tell the format; `format` is required all the same, since schedulers match it against a worker's `disk_formats`.
   */
  image: ImageReference;
  /**
   * What to do with `path` (default `ls`).
   * @default "ls"
   */
  action?: ExploreAction;
  /**
   * The path in the guest, from its root filesystem (mounted read-only; other partitions are not).
   * @default "/"
   */
  path?: string;
  [key: ExtensionKey]: unknown;
}

/**
 * What to do with the path: `ls` lists a directory, `stat` says whether it exists and what it is, `cat` reads a file (the first 256 KiB).
 */
export interface ExploreAction {
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.agent.evidence` is given: fetch live evidence from a running guest through its agent proxy.
 */
export interface AgentEvidencePayload {
  /**
   * Base URL of the guest agent's proxy (trailing slashes are ignored).
   */
  proxy_url: string;
  /**
   * Accepted for symmetry with the other agent operations; not used.
   * @default "kubevirt"
   */
  target?: BootTarget;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.agent.doctor` is given: run the doctor on a running guest through its agent proxy.
 */
export interface AgentDoctorPayload {
  /**
   * Base URL of the guest agent's proxy (trailing slashes are ignored).
   */
  proxy_url: string;
  /**
   * The platform to judge bootability for (default `kubevirt`), passed to the agent.
   * @default "kubevirt"
   */
  target?: BootTarget;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.agent.call` is given: call one method of a running guest's agent through its proxy.
 */
export interface AgentCallPayload {
  /**
   * Base URL of the guest agent's proxy (trailing slashes are ignored).
   */
  proxy_url: string;
  /**
   * The agent's RPC method, e.g. `guestkit.getCapabilities`.
   */
  method: string;
  /**
   * The method's parameters, any JSON value (absent: `null`).
   */
  params?: unknown;
  [key: ExtensionKey]: unknown;
}

/**
 * What `guestkit.agent.fix` is given: apply a fix plan to a running guest through its agent proxy.
 */
export interface AgentFixPayload {
  /**
   * Base URL of the guest agent's proxy (trailing slashes are ignored).
   */
  proxy_url: string;
  /**
   * The fix plan the agent applies (as `guestkit.repair` and `guestkit.migrate-plan` produce).
   */
  plan: FixPlan;
  /**
   * Accepted for symmetry with the other agent operations; not used.
   * @default "kubevirt"
   */
  target?: BootTarget;
  [key: ExtensionKey]: unknown;
}

/**
 * What `system.echo` is given: any members, which the worker answers with unchanged (`data.echo` of its result). Nothing in them is checked.
 */
export interface EchoPayload {
  [key: ExtensionKey]: unknown;
}

/**
 * A disk image the worker reads.
 */
export interface ImageReference {
  /**
   * Path of the image on the worker.
   */
  path: string;
  /**
   * Format of the image.
   */
  format: "qcow2" | "raw" | "vmdk" | "vdi" | "vhdx" | "img" | "ova";
  /**
   * Expected checksum of the image; the worker refuses an image that does not match.
   */
  checksum?: string | null;
  /**
   * Size of the image file in bytes; a worker whose `max_disk_size_gb` (10^9 bytes each) is smaller does not get the job.
   */
  size_bytes?: number | null;
  [key: ExtensionKey]: unknown;
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
  [key: ExtensionKey]: unknown;
}

/**
 * A platform a disk image is judged or prepared for, in lower case: `kvm` and `qemu` are one target, as are `hyperv` and `hyper-v`, and `aws`, `azure`, `gcp` and `cloud`; `generic` is any other. Upstream's handlers read free text and take an unknown name for `generic` silently; here a misspelt target is an error (docs/decisions.md).
 */
export interface BootTarget {
  [key: ExtensionKey]: unknown;
}

/**
 * How much a fix plan, or one of its operations, may harm the guest.
 */
export interface Risk {
  [key: ExtensionKey]: unknown;
}

/**
 * A plan of operations that prepare a guest (as `guestkit.repair` and `guestkit.migrate-plan` produce it and `guestkit.agent.fix` applies it).
 */
export interface FixPlan {
  /**
   * The plan format's version.
   */
  version?: string;
  /**
   * The guest the plan is for.
   */
  vm?: string;
  /**
   * When the plan was made.
   */
  generated?: string;
  /**
   * The profile that made the plan.
   */
  profile?: string;
  /**
   * The highest risk of its operations.
   */
  overall_risk?: Risk;
  /**
   * How long applying it is expected to take.
   */
  estimated_duration?: string;
  /**
   * Who made the plan and how to handle it (`author`, `review_required`, `reversible`, `description`, `tags`).
   */
  metadata?: { [key: string]: unknown };
  /**
   * The operations, applied in order of their dependencies.
   */
  operations: FixPlanOperation[];
  /**
   * What to run after the operations (checks, reboots).
   */
  post_apply?: unknown[];
  [key: ExtensionKey]: unknown;
}

/**
 * One operation of a fix plan: its `type` (`package_install`, `service_operation`, `command_exec`...) says which further members it has, which are not listed here.
 */
export interface FixPlanOperation {
  /**
   * The operation's id, which `depends_on` names.
   */
  id: string;
  /**
   * What the operation does, in snake case.
   */
  type: string;
  /**
   * Its order among operations that do not depend on each other.
   */
  priority?: unknown;
  /**
   * How much it may harm the guest.
   */
  risk?: Risk;
  /**
   * What it does, for people.
   */
  description?: string;
  /**
   * Whether `undo` can reverse it.
   */
  reversible?: boolean;
  /**
   * The ids of the operations that must come first.
   */
  depends_on?: string[];
  /**
   * How to check it worked.
   */
  validation?: unknown;
  /**
   * How to reverse it.
   */
  undo?: unknown;
  [member: string]: unknown;
}
