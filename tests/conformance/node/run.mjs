// The Node.js runner of the guestkit job protocol conformance suite.
//
// Reads the schemas through schemas/index.json and every case of ../cases/*.json, and
// checks each case that JSON Schema alone decides (kind "document", and "text" cases
// whose text is valid JSON for the package's strict decoder) with ajv in 2020-12 mode,
// strict mode on, formats asserted by ajv-formats:
//   - the verdict: a case is schema-valid when it is valid or only code-only rules reject it;
//   - the rule ids: every expected (rule, pointer) of a schema-layer rule is among ajv's
//     errors, each mapped to a rule id by the x-rule annotation beside the failing keyword
//     or the keyword's generic rule in rules-v1.json.
// Then it checks that each single-file bundle (bundles/) alone accepts the examples of its type.
// Prints one line per failure and a closing "N passed, N failed"; exits 1 on any failure.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

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
const genericRule = new Map();
for (const rule of registry.rules) for (const keyword of rule.keywords ?? []) genericRule.set(keyword, rule.id);

const escape = (key) => key.replaceAll("~", "~0").replaceAll("/", "~1");

function reported(errors) {
  const found = new Set();
  for (const error of errors ?? []) {
    const rule = error.parentSchema?.["x-rule"]?.[error.keyword] ?? genericRule.get(error.keyword);
    if (rule === undefined) continue; // applicators such as "if" restate their branch's errors
    const pointer = error.keyword === "required"
      ? `${error.instancePath}/${escape(error.params.missingProperty)}`
      : error.instancePath;
    found.add(`${rule} ${pointer}`);
  }
  return found;
}

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
for (const file of readdirSync(casesDir).filter((name) => name.endsWith(".json")).sort()) {
  for (const testCase of readJson(join(casesDir, file)).cases) {
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
    if (problems.length) {
      failed += 1;
      console.log(`FAIL ${testCase.id}: ${problems.join(", ")}`);
    } else {
      passed += 1;
    }
  }
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
    if (validate(example)) passed += 1;
    else {
      failed += 1;
      console.log(`FAIL bundle ${entry.file} rejects examples/${name}: ${ajv.errorsText(validate.errors)}`);
    }
  }
}

const ajvVersion = readJson(join(here, "node_modules", "ajv", "package.json")).version;
console.log(`ajv ${ajvVersion}: ${passed + failed} cases run, ${skipped} left to runners with the package's code-only rules`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
