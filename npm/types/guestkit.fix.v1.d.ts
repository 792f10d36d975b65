/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * The image to repair.
 */
export type FixImage = ImageReference & {
  /**
   * Copy the image before changing it.
   */
  create_backup?: boolean | null;
  /**
   * Where the backup copy is written.
   */
  backup_path?: string | null;
  [k: string]: unknown;
};
/**
 * One fix operation; `type` selects the schema of `options`.
 */
export type FixOperation = unknown &
  unknown &
  unknown & {
    /**
     * Which fix to run.
     */
    type: "fsck" | "selinux_relabel" | "initramfs_regenerate";
    /**
     * Options of the fix, checked against the schema for `type`.
     */
    options?: {
      [k: string]: unknown;
    } | null;
    [k: string]: unknown;
  } & {
    /**
     * Which fix to run.
     */
    type: "fsck" | "selinux_relabel" | "initramfs_regenerate";
    /**
     * Options of the fix, checked against the schema for `type`.
     */
    options?: {
      [k: string]: unknown;
    } | null;
    [k: string]: unknown;
  };

/**
 * The image to repair, the operations to run in order, and what to do on failure.
 */
export interface FixPayload {
  image: FixImage;
  /**
   * Fix operations, run in the order given; at least one.
   *
   * @minItems 1
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
  [k: string]: unknown;
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
   * Size of the image in bytes.
   */
  size_bytes?: number | null;
  [k: string]: unknown;
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
  [k: string]: unknown;
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
  report_format?: ("json" | "yaml") | null;
  [k: string]: unknown;
}
