// Independent JSON Schema implementations on the canonical schemas alone, format assertion off:
// @hyperjump/json-schema and @cfworker/json-schema. For every fair case (a document case whose
// type is given), every example and the upstream corpus (among the cases), each says valid or not;
// the schemas alone must decide as the suite expects (`valid`, or `layer: code`: only code-only
// rules refuse it). For an invalid case, the rule ids are recovered from each error as every
// runner recovers them (the x-rule beside the failing keyword, else the keyword table's generic
// rule; for `required`, the missing member computed from the instance) and must include the
// case's expected {rule, pointer} pairs. Prints one JSON report per implementation; the Python
// side (tests/conformance/implementations.py) compares them and writes docs/implementations.md.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { registerSchema, validate } from "@hyperjump/json-schema/draft-2020-12";
import { BASIC } from "@hyperjump/json-schema/experimental";
import { Validator, format as cfworkerFormats } from "@cfworker/json-schema";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "..", "..", "..");
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const index = readJson(join(root, "schemas", "index.json"));
const table = readJson(join(root, "schemas", index.keywords)).keywords;
const layerOf = new Map(readJson(join(root, "schemas", index.rules)).rules.map((rule) => [rule.id, rule.layer]));
const entries = [...Object.values(index.definitions), ...Object.values(index.documents), ...Object.values(index.payloads)];
const schemas = new Map(entries.map((entry) => [entry.id, readJson(join(root, "schemas", entry.file))]));
const versionOf = (name) => readJson(join(here, "node_modules", name, "package.json")).version;

const cases = readdirSync(join(root, "tests", "conformance", "cases"))
  .filter((name) => name.endsWith(".json"))
  .flatMap((name) => readJson(join(root, "tests", "conformance", "cases", name)).cases)
  .filter((c) => c.kind === "document" && c.type !== "auto");
const examples = readdirSync(join(root, "examples"))
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({ id: `examples/${name}`, document: readJson(join(root, "examples", name)), valid: true, layer: "schema", errors: [] }))
  .map((c) => ({ ...c, type: Object.keys(index.documents).find((t) => index.documents[t].id === c.document.$schema) }));

const unescape = (token) => token.replaceAll("~1", "/").replaceAll("~0", "~");
const escape = (key) => String(key).replaceAll("~", "~0").replaceAll("/", "~1");

/** The value a JSON Pointer names in a document. */
function at(document, pointer) {
  let node = document;
  for (const part of pointer.split("/").slice(1)) node = node?.[unescape(part)];
  return node;
}

/** The schema object a URI with a JSON Pointer fragment names, among the canonical schemas. */
function schemaAt(uri) {
  const [resource, fragment = ""] = uri.split("#");
  return at(schemas.get(resource), fragment);
}

/** {rule, pointer} pairs for one failing keyword of a schema object, at an instance location. */
function issuesOf(holder, keyword, pointer, document) {
  const rule = holder?.["x-rule"]?.[keyword] ?? table[keyword]?.rule;
  if (rule === undefined) return [];
  if (keyword !== "required") return [{ rule, pointer }];
  const value = at(document, pointer) ?? {};
  return holder.required.filter((name) => !(name in value)).map((name) => ({ rule, pointer: `${pointer}/${escape(name)}` }));
}

// --- @hyperjump/json-schema: every schema registered by its $id; format is an annotation in
// 2020-12 unless setShouldValidateFormat(true) and the formats module are loaded.
for (const schema of schemas.values()) registerSchema(structuredClone(schema));

async function hyperjump(c) {
  const output = await validate(index.documents[c.type].id, c.document, BASIC);
  const issues = (output.errors ?? []).flatMap((error) => {
    const location = error.absoluteKeywordLocation;
    const keyword = unescape(location.slice(location.lastIndexOf("/") + 1));
    const holder = schemaAt(location.slice(0, location.lastIndexOf("/")));
    return issuesOf(holder, keyword, error.instanceLocation.replace(/^#/, ""), c.document);
  });
  return { valid: output.valid, issues };
}

// --- @cfworker/json-schema: its draft is the second argument; shortCircuit false lists every
// error; it asserts every format it knows, so its format table is emptied (format off).
for (const name of Object.keys(cfworkerFormats)) delete cfworkerFormats[name];
const cfworkerValidators = new Map();

function cfworkerValidator(type) {
  if (!cfworkerValidators.has(type)) {
    const validator = new Validator(structuredClone(schemas.get(index.documents[type].id)), "2020-12", false);
    for (const [id, schema] of schemas) if (id !== index.documents[type].id) validator.addSchema(structuredClone(schema));
    cfworkerValidators.set(type, validator);
  }
  return cfworkerValidators.get(type);
}

/** The schema object a cfworker keyword location names: its path goes through each $ref it followed. */
function cfworkerHolder(type, keywordLocation) {
  let base = index.documents[type].id;
  let node = schemas.get(base);
  const parts = keywordLocation.replace(/^#/, "").split("/").slice(1, -1).map(unescape);
  for (const part of parts) {
    if (part === "$ref") {
      const target = new URL(node.$ref, base).href;
      [base] = target.split("#");
      node = schemaAt(target);
    } else node = node?.[part];
  }
  return node;
}

function cfworker(c) {
  const result = cfworkerValidator(c.type).validate(c.document);
  const issues = result.errors.flatMap((error) =>
    issuesOf(cfworkerHolder(c.type, error.keywordLocation), error.keyword, error.instanceLocation.replace(/^#/, ""), c.document),
  );
  return { valid: result.valid, issues };
}

async function judge(name, version, formats, run) {
  const report = { name, version, formats, judged: 0, agreed: 0, disagreements: [], invalid: 0, recovered: 0, unrecovered: [] };
  for (const c of [...cases, ...examples]) {
    const expected = c.valid || c.layer === "code";
    const { valid, issues } = await run(c);
    report.judged += 1;
    if (valid === expected) report.agreed += 1;
    else report.disagreements.push(c.id);
    if (expected || valid) continue;
    report.invalid += 1;
    const found = new Set(issues.map((issue) => `${issue.rule} ${issue.pointer}`));
    const schemaErrors = c.errors.filter((error) => layerOf.get(error.rule) === "schema"); // code-only rules: not theirs
    if (schemaErrors.every((error) => found.has(`${error.rule} ${error.pointer}`))) report.recovered += 1;
    else report.unrecovered.push(c.id);
  }
  return report;
}

const reports = [
  await judge("@hyperjump/json-schema", versionOf("@hyperjump/json-schema"), 'import "@hyperjump/json-schema/formats" and call setShouldValidateFormat(true)', hyperjump),
  await judge("@cfworker/json-schema", versionOf("@cfworker/json-schema"), "asserted by default; emptying its exported `format` table turns it off", cfworker),
];
console.log(JSON.stringify(reports));
