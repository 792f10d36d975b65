// The payload fingerprint of a job (specification, section 8): the lower-case hexadecimal SHA-256
// of the RFC 8785 (JCS) serialization of {operation, payload}, as the Python package's
// fingerprint() computes it. The serialization is the canonicalize package's.

import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { isObject } from "./values.js";

/** Numbers of this magnitude or more have no fingerprint: above 2^53 doubles skip integers. */
export const EXACT_NUMBERS = 2 ** 53;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function pointer(path) {
  return path.map((part) => `/${String(part).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** Throws unless value is JSON as JSON.parse gives it, with every number within EXACT_NUMBERS. */
function checkValue(value) {
  const stack = [[value, []]];
  while (stack.length) {
    const [node, path] = stack.pop();
    if (node === null || typeof node === "boolean") continue;
    if (typeof node === "string") {
      if (LONE_SURROGATE.test(node)) throw new TypeError(`no fingerprint: the string at ${pointer(path)} holds a lone UTF-16 surrogate, which no UTF-8 text can carry`);
    } else if (typeof node === "number") {
      if (!Number.isFinite(node)) throw new RangeError(`no fingerprint: the number at ${pointer(path)} is ${node}; expected a finite number`);
      if (Math.abs(node) >= EXACT_NUMBERS) {
        throw new RangeError(`no fingerprint: the number at ${pointer(path)} is ${node}, of magnitude 2^53 or more, where a double no ` +
          "longer holds every integer and two payloads could share a fingerprint; expected a number within +-9007199254740991 " +
          "(write larger ones as strings)");
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => stack.push([item, [...path, index]]));
    } else if (isObject(node) && [Object.prototype, null].includes(Object.getPrototypeOf(node))) {
      for (const key of Object.keys(node)) {
        if (LONE_SURROGATE.test(key)) throw new TypeError(`no fingerprint: a member name at ${pointer(path)} holds a lone UTF-16 surrogate`);
        stack.push([node[key], [...path, key]]);
      }
    } else {
      throw new TypeError(`no fingerprint: the value at ${pointer(path)} is ${typeof node === "object" ? "an object of a class" : `a ${typeof node}`}, not JSON`);
    }
  }
}

/**
 * The payload fingerprint of a parsed job: 64 lower-case hexadecimal digits. The job is not
 * validated (validate() it first). Throws when it has none: not an object with operation and
 * payload, or a value in them that JSON.parse cannot give (a lone surrogate, a non-finite number,
 * undefined) or a number of magnitude 2^53 or more.
 */
export function fingerprint(job) {
  if (typeof job === "string") throw new TypeError("no fingerprint: give the parsed job (JSON.parse(text)), not its text");
  if (!isObject(job) || !Object.hasOwn(job, "operation") || !Object.hasOwn(job, "payload")) {
    throw new TypeError("no fingerprint: expected a job, an object with the members operation and payload");
  }
  const hashed = { operation: job.operation, payload: job.payload };
  checkValue(hashed);
  return createHash("sha256").update(canonicalize(hashed), "utf8").digest("hex");
}
