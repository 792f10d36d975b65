/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * The two images to compare, what to compare, and where to write the differences.
 */
export interface ComparePayload {
  baseline: ImageReference;
  target: ImageReference1;
  /**
   * What the comparison covers.
   */
  options?: CompareOptions | null;
  /**
   * Where and how the differences are written.
   */
  output?: CompareOutput | null;
  [k: string]: unknown;
}
/**
 * The reference image.
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
 * The image compared with the baseline.
 */
export interface ImageReference1 {
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
  [k: string]: unknown;
}
/**
 * Where and how the differences are written.
 */
export interface CompareOutput {
  /**
   * Format of the report.
   */
  format?: ("json" | "yaml") | null;
  /**
   * Path the report is written to.
   */
  destination?: string | null;
  /**
   * Add recommendations on how to reconcile the differences.
   */
  include_recommendations?: boolean | null;
  [k: string]: unknown;
}
