// matchWorker(): whether a worker registration can run a job (specification, section 9), as
// the Python package's match_worker (python/guestkit_job_spec/typed/scheduling.py) decides
// it: the same reasons, in the same order, with the same rule ids, pointers and messages.
// tests/test_npm_package.py holds the two to each other on every conformance match case.

import { commonDefinition } from "./resources.js";
import { isObject } from "./values.js";

/** Bytes in a GB: every *_gb member of the protocol counts decimal gigabytes, never GiB. */
const GB = 1_000_000_000n;
const IMAGE_FORMATS = new Set(commonDefinition("ImageFormat").enum);

const section = (document, name) => (isObject(document[name]) ? document[name] : {});
const list = (value) => (Array.isArray(value) ? value : []);
const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const quoted = (names) => [...names].map((name) => `'${name}'`).join(", ");
const count = (items, one, many) => `${items.length} ${items.length === 1 ? one : many}`;

/** Required names the worker lacks, in the order required, each once (exact match). */
function missingNames(required, available) {
  const offered = new Set(available);
  return [...new Set(required.filter((name) => !offered.has(name)))];
}

/** size > limit GB, exactly for integers (JavaScript's doubles lose bytes beyond 2^53). */
function exceedsGb(size, limit) {
  if (Number.isInteger(size) && Number.isInteger(limit)) return BigInt(size) > BigInt(limit) * GB;
  return size > limit * Number(GB);
}

const bytesOf = (limit) => (Number.isInteger(limit) ? (BigInt(limit) * GB).toString() : String(limit * Number(GB)));

/** [pointer, image reference] of every image reference (an object with a path and an image format) in a payload. */
function* images(value, pointer) {
  if (isObject(value)) {
    if (typeof value.path === "string" && IMAGE_FORMATS.has(value.format)) yield [pointer, value];
    for (const [key, item] of Object.entries(value)) yield* images(item, `${pointer}/${key}`);
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* images(item, `${pointer}/${i}`);
  }
}

/** The payload types a worker reads: those it lists, or the v1 of each of its operations. */
function payloadTypesRead(capabilities, operations) {
  const listed = capabilities.payload_types;
  return Array.isArray(listed) ? listed : operations.map((operation) => `${operation}.v1`);
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Negative, zero or positive as semantic version `a` precedes, equals or follows `b` (build metadata ignored). */
export function compareVersions(a, b) {
  const [x, y] = [SEMVER.exec(a), SEMVER.exec(b)];
  if (x === null || y === null) throw new TypeError(`not a semantic version: ${JSON.stringify(x === null ? a : b)}`);
  for (let k = 1; k <= 3; k++) {
    const [p, q] = [BigInt(x[k]), BigInt(y[k])];
    if (p !== q) return p < q ? -1 : 1;
  }
  if (x[4] === undefined || y[4] === undefined) return (x[4] === undefined) - (y[4] === undefined); // a release follows its pre-releases
  const [left, right] = [x[4].split("."), y[4].split(".")];
  for (let k = 0; k < Math.min(left.length, right.length); k++) {
    const [p, q] = [left[k], right[k]];
    const [pNumeric, qNumeric] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pNumeric && qNumeric && BigInt(p) !== BigInt(q)) return BigInt(p) < BigInt(q) ? -1 : 1;
    if (pNumeric !== qNumeric) return pNumeric ? -1 : 1; // numeric identifiers come first
    if (!pNumeric && p !== q) return p < q ? -1 : 1;
  }
  return left.length - right.length;
}

/**
 * Every reason `worker` cannot run `job`; empty when it can. Both are parsed documents,
 * assumed valid. Pointers refer to the job ("" for the worker as a whole: its state and load).
 *
 * @param options.currentJobs the jobs the worker runs now as the scheduler counts them (its placements
 *   since the worker's last heartbeat included); by default the registration's status.current_jobs
 * @returns {{rule: string, pointer: string, message: string}[]}
 */
export function matchWorker(job, worker, { currentJobs } = {}) {
  if (currentJobs !== undefined && currentJobs !== null && !(Number.isInteger(currentJobs) && currentJobs >= 0)) {
    throw new TypeError(`currentJobs is a count of jobs, an integer of at least 0; got ${JSON.stringify(currentJobs)}`);
  }
  const issues = [];
  const issue = (rule, pointer, message) => issues.push({ rule, pointer, message });
  const [constraints, routing] = [section(job, "constraints"), section(job, "routing")];
  const [capabilities, configuration] = [section(worker, "capabilities"), section(worker, "configuration")];
  const [limits, status] = [section(worker, "resources"), section(worker, "status")];
  const [operations, features] = [list(capabilities.operations), list(capabilities.features)];
  const { operation } = job;
  const payload = section(job, "payload");

  if (!operations.includes(operation)) {
    issue("scheduling.operation.unsupported", "/operation",
      `the worker has no handler for '${operation}'; it runs ${quoted(operations) || "nothing"}`);
  } else if (!payloadTypesRead(capabilities, operations).includes(payload.type)) {
    const reads = quoted(payloadTypesRead(capabilities, operations).filter((type) => type.startsWith(`${operation}.v`)));
    const listed = Array.isArray(capabilities.payload_types);
    issue("scheduling.payload-type.unsupported", "/payload/type",
      `the worker reads ${reads || "no payload type"} of '${operation}', not '${payload.type}'` +
      (listed ? "" : " (it lists no payload_types: it reads the v1 of each operation it runs)"));
  }
  const lackingCapabilities = missingNames(list(constraints.required_capabilities), [...operations, ...features]);
  if (lackingCapabilities.length) {
    issue("scheduling.capability.missing", "/constraints/required_capabilities",
      `the worker lacks ${count(lackingCapabilities, "required capability", "required capabilities")}: ${quoted(lackingCapabilities)}`);
  }
  const lackingFeatures = missingNames(list(constraints.required_features), features);
  if (lackingFeatures.length) {
    issue("scheduling.feature.missing", "/constraints/required_features",
      `the worker lacks ${count(lackingFeatures, "required feature", "required features")}: ${quoted(lackingFeatures)}`);
  }
  const formats = list(capabilities.disk_formats);
  const found = [...images(payload, "/payload")];
  for (const [pointer, image] of found) {
    if (!formats.includes(image.format)) {
      issue("scheduling.disk-format.unsupported", `${pointer}/format`,
        `the worker cannot open ${image.format} images; it opens ${quoted(formats) || "none"}`);
    }
  }
  const pools = list(constraints.allowed_worker_pools);
  const pool = configuration.worker_pool ?? null;
  if (pools.length && !pools.includes(pool)) {
    issue("scheduling.worker-pool.not-allowed", "/constraints/allowed_worker_pools",
      `the worker is in ${pool === null ? "no pool" : `pool '${pool}'`}; the job allows ${quoted(pools)}`);
  }
  if (constraints.require_privileged && !configuration.privileged) {
    issue("scheduling.privileged.required", "/constraints/require_privileged", "the job requires a privileged worker; this one is not");
  }
  const minimum = constraints.minimum_worker_version;
  if (minimum && compareVersions(worker.version ?? "0.0.0", minimum) < 0) {
    issue("scheduling.worker-version.too-old", "/constraints/minimum_worker_version",
      `the worker runs version ${worker.version}; the job needs ${minimum} or later`);
  }
  const limit = limits.max_disk_size_gb ?? null;
  const size = constraints.maximum_disk_size_gb ?? null;
  if (size !== null && limit === null) {
    issue("scheduling.disk-size.too-large", "/constraints/maximum_disk_size_gb",
      `the job may touch disks of ${size} GB; the worker states no max_disk_size_gb (it sends no resources), so nothing shows it accepts them`);
  } else if (size !== null && size > limit) {
    issue("scheduling.disk-size.too-large", "/constraints/maximum_disk_size_gb",
      `the job may touch disks of ${size} GB; the worker accepts at most ${limit} GB`);
  }
  for (const [pointer, image] of limit === null ? [] : found) {
    if (isNumber(image.size_bytes) && exceedsGb(image.size_bytes, limit)) {
      issue("scheduling.disk-size.too-large", `${pointer}/size_bytes`,
        `the image is ${image.size_bytes} bytes; the worker accepts disks of at most ${limit} GB (${bytesOf(limit)} bytes)`);
    }
  }
  const pinned = routing.worker_id ?? null;
  if (pinned !== null && pinned !== worker.worker_id) {
    issue("scheduling.worker.pinned-elsewhere", "/routing/worker_id", `the job is pinned to worker '${pinned}', not '${worker.worker_id}'`);
  }
  const state = status.state ?? null;
  if (state === null) {
    issue("scheduling.worker.not-ready", "",
      "the worker sends no status, so its state is unknown: it takes new jobs only when its status says ready");
  } else if (state !== "ready") {
    issue("scheduling.worker.not-ready", "", `the worker is ${state}: it takes new jobs only when ready`);
  }
  const running = currentJobs ?? status.current_jobs;
  const most = limits.max_concurrent_jobs;
  if (isNumber(running) && isNumber(most) && running >= most) {
    issue("scheduling.worker.at-capacity", "", `the worker runs ${running} jobs and at most ${most} at once: it takes a new one when one ends`);
  }
  return issues;
}
