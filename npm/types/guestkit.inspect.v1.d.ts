/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * The image to inspect.
 */
export type InspectImage = ImageReference & {
  /**
   * Open the image read-only.
   */
  read_only?: boolean | null;
  [k: string]: unknown;
};

/**
 * What to inspect, how deeply, and where to write the report.
 */
export interface InspectPayload {
  image: InspectImage;
  /**
   * What the inspection covers.
   */
  options?: InspectOptions | null;
  /**
   * Where and how the report is written.
   */
  output?: InspectOutput | null;
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
  [k: string]: unknown;
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
  [k: string]: unknown;
}
