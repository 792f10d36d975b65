// Run in an empty project where the packed guestkit-job-spec was installed, as a
// scheduler team would use it: `node check.mjs EXAMPLES_DIR`. Exits non-zero on failure.

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { documentTypes, fingerprint, protocolIndex, rulesRegistry, validate } from "guestkit-job-spec";

const examplesDir = process.argv[2];
const examples = readdirSync(examplesDir).filter((name) => name.endsWith(".json")).sort();
assert.ok(examples.length >= 5, `examples in ${examplesDir}`);
for (const name of examples) {
  const report = validate(JSON.parse(readFileSync(join(examplesDir, name), "utf8")), { type: "auto", strict: true });
  assert.deepEqual(report.errors, [], name);
  assert.ok(documentTypes.includes(report.type), name);
}

const job = JSON.parse(readFileSync(join(examplesDir, "inspect-minimal.json"), "utf8"));
const broken = { ...job, job_id: "../etc/passwd", operation: "guestkit.fix", metadata: { nmae: "web-01" } };
const report = validate(broken);
assert.equal(report.valid, false);
const found = (issues) => issues.map(({ rule, pointer }) => `${rule} ${pointer}`);
assert.deepEqual(found(report.errors), ["job.job-id.charset /job_id", "job.payload-type.matches-operation /payload/type"]);
assert.deepEqual(found(report.warnings), ["document.unknown-field /metadata/nmae"]);
assert.match(report.warnings[0].message, /did you mean 'name'\?/);
assert.ok(found(validate(broken, { strict: true }).errors).includes("document.unknown-field /metadata/nmae"));
for (const { rule } of [...report.errors, ...report.warnings]) assert.ok(rulesRegistry.rules.some(({ id }) => id === rule), rule);

assert.throws(() => validate(job, { type: "jobs" }), TypeError);
assert.equal(validate("not a document", { type: "auto" }).errors[0].rule, "schema.type");

// The payload fingerprint, with the package's RFC 8785 dependency (canonicalize) installed from the lockfile.
const retry = { ...job, job_id: "job-01JAB3Y7X5K4M8F9W2T6RETRY1", execution: { attempt: 2, max_attempts: 3 } };
assert.match(fingerprint(job), /^[0-9a-f]{64}$/);
assert.equal(fingerprint(retry), fingerprint(job));
assert.throws(() => fingerprint({ ...job, payload: { ...job.payload, data: { n: 2 ** 53 } } }), RangeError);

// The schemas and bundles ship in the package for consumers with their own validator.
const require = createRequire(import.meta.url);
const bundle = require("guestkit-job-spec/bundles/job-v1.bundle.json");
assert.equal(bundle.$id, protocolIndex.documents.job.id);
assert.equal(require("guestkit-job-spec/schemas/index.json").protocol_version, protocolIndex.protocol_version);
console.log(`guestkit-job-spec from its tarball: ${examples.length} examples valid, rule ids and schemas as expected`);
