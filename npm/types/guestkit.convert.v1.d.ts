/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */

/**
 * The source image, the image to write, and how.
 */
export interface ConvertPayload {
  source: ImageReference;
  target: ConvertTarget;
  /**
   * Conversion options.
   */
  options?: ConvertOptions | null;
  [k: string]: unknown;
}
/**
 * The image to convert.
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
 * The image to write.
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
  [k: string]: unknown;
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
  [k: string]: unknown;
}
