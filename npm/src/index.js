// validate(): the guestkit job protocol v1 for Node.js, on ajv and the closed single-file
// bundles. One pass of ajv gives the schema rules and the unknown-field lint; the
// code-only rules follow. Reports the rule ids the Python package and every other runner
// of the conformance suite report.

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { codeIssues } from "./code-rules.js";
import { isDateTime } from "./date-time.js";
import { bundleOf, documentTypes, index, keywordTable, rules, rulesRegistry } from "./resources.js";
import { genericRules, schemaIssues } from "./schema-issues.js";
import { closestField, UNKNOWN_FIELD_RULE } from "./unknown-fields.js";
import { isObject, show } from "./values.js";

export { documentTypes, index as protocolIndex, rulesRegistry };
export { fingerprint } from "./fingerprint.js";
export { matchWorker } from "./scheduling.js";
export { allowedTransitions, checkTrace, checkTransition, isTerminal } from "./lifecycle.js";

const AUTO = "auto";
const byKeyword = genericRules(keywordTable);
const validators = new Map();

// One Ajv per document type: the bundles embed the same shared resources under the same $ids.
function validatorOf(type) {
  if (!validators.has(type)) {
    const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addFormat("date-time", isDateTime);
    ajv.addKeyword({ keyword: "x-rule", schemaType: "object" });
    validators.set(type, ajv.compile(bundleOf(type, { closed: true })));
  }
  return validators.get(type);
}

/**
 * What tells each document type, read from its bundle: its required top-level members, and its
 * identifiers, the required members named *_id (job_id, worker_id). The rule of docs/decisions.md.
 */
const signatures = new Map(
  documentTypes.map((type) => {
    const bundle = bundleOf(type);
    const required = bundle.$defs[bundle.$ref.split("/").pop()].required;
    return [type, { required, identifiers: required.filter((name) => name.endsWith("_id")), enough: Math.floor(required.length / 2) + 1 }];
  }),
);
const identifierNames = [...new Set([...signatures.values()].flatMap((s) => s.identifiers))].sort();
const titles = Object.values(index.documents).map((entry) => entry.title.toLowerCase());
/** Every document type's name, from the index: "job document, ..., or cancel request". */
const documentNames = `${titles.slice(0, -1).join(", ")} or ${titles.at(-1)}`;

/**
 * The document type told from the member names: the type whose identifiers the document has, with
 * more than half of its required members and the largest share of them; undefined when no type
 * qualifies or two tie (never a guess).
 */
export function detectType(document) {
  if (!isObject(document)) return undefined;
  const has = (name) => Object.hasOwn(document, name);
  let best;
  let [bestFound, bestSize] = [0, 1];
  let tied = false;
  for (const [type, { required, identifiers, enough }] of signatures) {
    if (!identifiers.every(has)) continue;
    const found = required.filter(has).length;
    if (found < enough) continue;
    // found / required.length against bestFound / bestSize, exactly.
    const [mine, theirs] = [found * bestSize, bestFound * required.length];
    if (mine > theirs) [best, bestFound, bestSize, tied] = [type, found, required.length, false];
    else if (mine === theirs) tied = true;
  }
  return tied ? undefined : best;
}

function subject(pointer) {
  if (pointer === "") return "the document";
  const last = pointer.slice(pointer.lastIndexOf("/") + 1).replaceAll("~1", "/").replaceAll("~0", "~");
  return /^\d+$/.test(last) ? `item ${last}` : `'${last}'`;
}

function schemaMessage({ rule, pointer, message, error }) {
  if (rule === UNKNOWN_FIELD_RULE) {
    const name = error.params.additionalProperty ?? error.params.propertyName;
    const close = closestField(name, Object.keys(error.parentSchema.properties));
    return `unknown field '${name}': ${close ? `did you mean '${close}'? ` : ""}it is kept but not checked; ` +
      `name extension fields with a domain prefix such as 'example.com/${name}'`;
  }
  const { expected } = rules.get(rule);
  if (error.keyword === "required") return `${subject(error.instancePath)} ${message}`;
  if (expected) return `${subject(pointer)} is ${show(error.data)}; expected ${expected}`;
  if (error.keyword === "enum") return `${subject(pointer)} is ${show(error.data)}; expected one of ${error.params.allowedValues.map(show).join(", ")}`;
  return `${subject(pointer)} is ${show(error.data)}; ${message}`;
}

/**
 * Validates one protocol document (already parsed) and reports every error and warning.
 *
 * @param document the parsed JSON value
 * @param options.type "job" (default), "result", "progress", "worker", or "auto" to tell it from the fields
 * @param options.strict turn warnings about unknown fields and unregistered payload types into errors
 * @returns {{valid: boolean, type: string|null, errors: Issue[], warnings: Issue[]}}
 */
export function validate(document, { type = "job", strict = false } = {}) {
  if (type !== AUTO && !documentTypes.includes(type)) {
    throw new TypeError(`unknown document type ${JSON.stringify(type)}; expected one of ${[...documentTypes, AUTO].join(", ")}`);
  }
  let docType = type;
  if (type === AUTO) {
    docType = detectType(document);
    if (docType === undefined) {
      const [rule, message] = isObject(document)
        ? ["document.type-unknown", `cannot tell which protocol document this is (${documentNames}): ` +
          `a type is told from its identifier (${identifierNames.join(", ")}) and more than half of its required members; give the type explicitly`]
        : ["schema.type", "the document must be an object"];
      return { valid: false, type: null, errors: [{ rule, pointer: "", message }], warnings: [] };
    }
  }
  const check = validatorOf(docType);
  const found = schemaIssues(check(document) ? [] : check.errors, byKeyword).map((issue) => ({ ...issue, message: schemaMessage(issue) }));
  const report = { valid: true, type: docType, errors: [], warnings: [] };
  const seen = new Set();
  for (const { rule, pointer, message } of [...found.sort(byPosition), ...codeIssues(document, docType)]) {
    if (seen.has(`${rule} ${pointer}`)) continue;
    seen.add(`${rule} ${pointer}`);
    const entry = rules.get(rule);
    const severity = (strict && entry.strict_severity) || entry.severity;
    report[severity === "error" ? "errors" : "warnings"].push({ rule, pointer, message });
  }
  report.valid = report.errors.length === 0;
  return report;
}

function byPosition(a, b) {
  return a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}
