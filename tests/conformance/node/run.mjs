// The Node.js runner of the guestkit job protocol conformance suite.
//
// Reads the schemas through schemas/index.json and every case of ../cases/*.json. First
// the npm package's validate() (npm/src, on the bundles) takes every case it can judge:
// each document case, and each text case whose text JSON.parse reads like the package's
// strict decoder (but for how it writes an integer, json.integer-form): the verdict must
// match and every expected (rule, pointer), errors and warnings alike, must be reported; and its matchWorker() takes every match case, alike.
// Then plain ajv on the canonical schemas checks each
// case that JSON Schema alone decides (kind "document", and "text" cases
// whose text is valid JSON for the package's strict decoder) with ajv in 2020-12 mode,
// strict mode on, formats asserted by ajv-formats:
//   - the verdict: a case is schema-valid when it is valid or only code-only rules reject it;
//   - the rule ids: every expected (rule, pointer) of a schema-layer rule is among ajv's
//     errors, each mapped to a rule id by the package's mappedErrors() (the x-rule
//     annotation beside the failing keyword, else the keyword's generic rule).
// Then it checks that each single-file bundle (bundles/) alone accepts the examples of its type,
// and runs the fingerprint vectors (../fingerprints.json) through the npm package's fingerprint().
// Prints one line per failure and a closing "N passed, N failed"; exits 1 on any failure.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { checkTrace, checkTransition, fingerprint, matchWorker, validate as packageValidate } from "../../../npm/src/index.js";
import { genericRules, mappedErrors } from "../../../npm/src/schema-issues.js";

const here = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(here, "..", "..", "..", "schemas");
const casesDir = join(here, "..", "cases");
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

const index = readJson(join(schemasDir, "index.json"));
const registry = readJson(join(schemasDir, index.rules));

const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addKeyword({ keyword: "x-rule", schemaType: "object" });
const entries = [...Object.values(index.definitions), ...Object.values(index.documents), ...Object.values(index.payloads)];
for (const entry of entries) ajv.addSchema(readJson(join(schemasDir, entry.file)));

const layerOf = new Map(registry.rules.map((rule) => [rule.id, rule.layer]));
const byKeyword = genericRules(readJson(join(schemasDir, index.keywords)));

const reported = (errors) => new Set(mappedErrors(errors, byKeyword).map(({ rule, pointer }) => `${rule} ${pointer}`));

function documentOf(testCase) {
  if (testCase.kind === "document") return testCase.document;
  return JSON.parse(testCase.text);
}

const runnable = (testCase) =>
  testCase.type !== "auto" &&
  (testCase.kind === "document" || (testCase.kind === "text" && "text" in testCase && testCase.layer === "schema"));

let passed = 0;
let failed = 0;
let skipped = 0;
const record = (id, problems) => {
  if (problems.length) {
    failed += 1;
    console.log(`FAIL ${id}: ${problems.join(", ")}`);
  } else {
    passed += 1;
  }
};
const cases = readdirSync(casesDir)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .flatMap((file) => readJson(join(casesDir, file)).cases);

// The npm package: full reports, code-only rules and warnings included.
const missing = (expected, issues) => {
  const found = new Set(issues.map(({ rule, pointer }) => `${rule} ${pointer}`));
  return expected.filter(({ rule, pointer }) => !found.has(`${rule} ${pointer}`)).map(({ rule, pointer }) => `${rule} at "${pointer}"`);
};
// json.integer-form needs the text: JSON.parse reads 5.0 and 5 as the same number.
const textOnly = (testCase) => testCase.warnings.some(({ rule }) => rule === "json.integer-form");
let packageRun = 0;
for (const testCase of cases.filter((c) => c.kind === "document" || (c.kind === "text" && "text" in c && c.layer === "schema" && !textOnly(c)))) {
  packageRun += 1;
  const report = packageValidate(documentOf(testCase), { type: testCase.type, strict: testCase.strict });
  const problems = [];
  if (report.valid !== testCase.valid) problems.push(`validate() says ${report.valid ? "valid" : "invalid"}`);
  for (const lost of missing(testCase.errors, report.errors)) problems.push(`validate() misses error ${lost}`);
  for (const lost of missing(testCase.warnings, report.warnings)) problems.push(`validate() misses warning ${lost}`);
  record(`${testCase.id} (npm package)`, problems);
}

// The npm package's matchWorker(): every match case, its verdict and every expected (rule, pointer).
let matchRun = 0;
for (const testCase of cases.filter((c) => c.kind === "match")) {
  matchRun += 1;
  const reasons = matchWorker(testCase.job, testCase.worker);
  const problems = [];
  if ((reasons.length === 0) !== testCase.valid) problems.push(`matchWorker() says ${reasons.length ? "no match" : "match"}`);
  for (const lost of missing(testCase.errors, reasons)) problems.push(`matchWorker() misses ${lost}`);
  record(`${testCase.id} (npm package)`, problems);
}

// The npm package's state machine and lifecycle checker: every transition and trace case, the
// exact issues expected (a trace reports the first step that breaks a rule, and only it).
let lifecycleRun = 0;
for (const testCase of cases.filter((c) => c.kind === "transition" || c.kind === "trace")) {
  lifecycleRun += 1;
  const issues = testCase.kind === "trace" ? checkTrace(testCase) : [checkTransition(testCase.transition.from, testCase.transition.to)].filter(Boolean);
  const found = issues.map(({ rule, pointer }) => `${rule} at "${pointer}"`).sort();
  const expected = testCase.errors.map(({ rule, pointer }) => `${rule} at "${pointer}"`).sort();
  const problems = [];
  if ((issues.length === 0) !== testCase.valid) problems.push(`the npm package says ${issues.length ? "invalid" : "valid"}`);
  if (testCase.kind === "trace" ? found.join("; ") !== expected.join("; ") : missing(testCase.errors, issues).length) {
    problems.push(`reports ${found.join("; ") || "nothing"}, expected ${expected.join("; ") || "nothing"}`);
  }
  record(`${testCase.id} (npm package)`, problems);
}

// Plain ajv on the canonical, multi-file schemas, as a scheduler with its own ajv would use them.
for (const testCase of cases) {
  if (!runnable(testCase)) {
    skipped += 1;
    continue;
  }
  const validate = ajv.getSchema(index.documents[testCase.type].id);
  const schemaValid = validate(documentOf(testCase));
  const expectedValid = testCase.valid || testCase.layer === "code";
  const problems = [];
  if (schemaValid !== expectedValid) problems.push(`ajv says ${schemaValid ? "valid" : "invalid"}`);
  if (!schemaValid) {
    const found = reported(validate.errors);
    for (const { rule, pointer } of testCase.errors) {
      if (layerOf.get(rule) === "schema" && !found.has(`${rule} ${pointer}`)) {
        problems.push(`missing ${rule} at "${pointer}" (ajv: ${[...found].join("; ")})`);
      }
    }
  }
  record(testCase.id, problems);
}
// The single-file bundles (make gen) must stand alone: each is the only schema its ajv holds.
const examplesDir = join(here, "..", "..", "..", "examples");
const bundlesDir = join(here, "..", "..", "..", "bundles");
for (const entry of Object.values(index.documents)) {
  const alone = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(alone);
  alone.addKeyword({ keyword: "x-rule", schemaType: "object" });
  const validate = alone.compile(readJson(join(bundlesDir, entry.file.replace(".json", ".bundle.json"))));
  for (const name of readdirSync(examplesDir).filter((n) => n.endsWith(".json")).sort()) {
    const example = readJson(join(examplesDir, name));
    if (example.$schema !== entry.id) continue;
    const problems = validate(example) ? [] : [`rejected: ${ajv.errorsText(validate.errors)}`];
    record(`bundle ${entry.file} on examples/${name}`, problems);
  }
}

// The fingerprint vectors: the text through JSON.parse, then fingerprint(). JSON.parse keeps the
// last of two equal keys where the protocol refuses the text, so the duplicate-key vectors are left
// to runners with a strict decoder; every other refusal must come from JSON.parse or fingerprint().
const vectors = readJson(join(here, "..", "fingerprints.json")).vectors;
let vectorsLeft = 0;
for (const vector of vectors) {
  if (vector.rule === "json.duplicate-key") {
    vectorsLeft += 1;
    continue;
  }
  let digest;
  let refusal;
  try {
    digest = fingerprint(JSON.parse(vector.text));
  } catch (error) {
    refusal = error;
  }
  const problems = [];
  if (vector.refused && refusal === undefined) problems.push(`fingerprint() gave ${digest}; expected a refusal (${vector.refused})`);
  if (!vector.refused && digest !== vector.fingerprint) problems.push(`fingerprint() gave ${digest ?? refusal}; expected ${vector.fingerprint}`);
  record(vector.id, problems);
}
console.log(`fingerprint(): ${vectors.length - vectorsLeft} vectors, leaving ${vectorsLeft} (duplicate keys) to runners with a strict decoder`);

const ajvVersion = readJson(join(here, "node_modules", "ajv", "package.json")).version;
console.log(`ajv ${ajvVersion}: the npm package's validate() judged ${packageRun} cases, its matchWorker() ${matchRun}, ` +
  `its checkTransition() and checkTrace() ${lifecycleRun}; plain ajv ${cases.length - skipped}, ` +
  `leaving ${skipped} (raw bytes, transitions, traces, matches) to runners with the package's decoder and code-only rules`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
