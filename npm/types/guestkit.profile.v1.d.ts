/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * Which image, which profiles, and how findings are reported.
 */
export interface ProfilePayload {
  image: ImageReference;
  /**
   * Profiles to evaluate; at least one.
   *
   * @minItems 1
   *
   * Items: A profile. A closed set in v1.
   */
  profiles: [
    "security" | "compliance" | "hardening" | "performance" | "migration",
    ...("security" | "compliance" | "hardening" | "performance" | "migration")[]
  ];
  /**
   * Thresholds and failure policy.
   */
  options?: ProfileOptions | null;
  /**
   * Where and how findings are written.
   */
  output?: ProfileOutput | null;
  [k: string]: unknown;
}
/**
 * The image to profile.
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
 * Thresholds and failure policy of a profile run.
 */
export interface ProfileOptions {
  /**
   * Least severity reported; findings below it are left out.
   */
  severity_threshold?: ("info" | "low" | "medium" | "high" | "critical") | null;
  /**
   * Fail the job when a critical finding is found.
   */
  fail_on_critical?: boolean | null;
  /**
   * Work out how to remedy each finding.
   */
  include_remediation?: boolean | null;
  [k: string]: unknown;
}
/**
 * Where and how profile findings are written.
 */
export interface ProfileOutput {
  /**
   * Format of the report.
   */
  format?: ("json" | "yaml") | null;
  /**
   * Path the report is written to.
   */
  destination?: string | null;
  /**
   * Write remediation steps into the report.
   */
  include_remediation?: boolean | null;
  [k: string]: unknown;
}
