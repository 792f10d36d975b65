/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * A worker's capability advertisement, sent at registration and refreshed with heartbeats.
 */
export interface WorkerRegistration {
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
  capabilities: WorkerCapabilities;
  /**
   * What the worker has to run jobs with.
   */
  resources?: WorkerResources | null;
  /**
   * How the worker is set up.
   */
  configuration?: WorkerConfiguration | null;
  /**
   * The worker's current state.
   */
  status?: WorkerStatus | null;
  [k: string]: unknown;
}
/**
 * What the worker can run.
 */
export interface WorkerCapabilities {
  /**
   * Operations the worker has handlers for, e.g. `guestkit.inspect`.
   *
   * Items: Namespaced operation name, `<tool>.<operation>[.<variant>]`: two or more dot-separated segments, each a lowercase letter followed by lowercase letters, digits, '-' or '_'. Examples: `guestkit.inspect`, `guestkit.migrate-plan`, `guestkit.agent.call`.
   */
  operations: string[];
  /**
   * Features and capabilities the worker offers, e.g. `lvm`, `selinux`, `disk.qcow2`, `fs.ext4`.
   */
  features: string[];
  /**
   * Image formats the worker can open.
   *
   * Items: Disk image format. A closed set in v1: a new format comes with a new payload version.
   */
  disk_formats: ("qcow2" | "raw" | "vmdk" | "vdi" | "vhdx" | "img" | "ova")[];
  [k: string]: unknown;
}
/**
 * What the worker has to run jobs with.
 */
export interface WorkerResources {
  /**
   * Most jobs the worker runs at once.
   */
  max_concurrent_jobs: number;
  /**
   * Largest disk, in GB, the worker accepts.
   */
  max_disk_size_gb: number;
  /**
   * Free scratch space, in GB.
   */
  available_disk_gb: number;
  /**
   * CPU cores available to jobs.
   */
  cpu_cores: number;
  /**
   * Memory available to jobs, in GB.
   */
  memory_gb: number;
  [k: string]: unknown;
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
  [k: string]: unknown;
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
  [k: string]: unknown;
}
