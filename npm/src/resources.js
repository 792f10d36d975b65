// The protocol's data files, read from the package folder: schemas/ and bundles/ are
// copied next to src/ by scripts/stage.mjs (run by `npm pack` and by make before tests).

import { readFileSync } from "node:fs";

const packageRoot = new URL("../", import.meta.url);
const readJson = (relative) => JSON.parse(readFileSync(new URL(relative, packageRoot), "utf8"));

export const index = readJson("schemas/index.json");
export const rulesRegistry = readJson(`schemas/${index.rules}`);
/** The keyword table: what the package knows of each JSON Schema keyword, generic rule ids included. */
export const keywordTable = readJson(`schemas/${index.keywords}`);
const common = readJson(`schemas/${index.definitions.common.file}`);

/** The document types (job, result, progress, worker). */
export const documentTypes = Object.freeze(Object.keys(index.documents));

/** The single-file schema of a document type, as in bundles/; `closed`: the variant rejecting unknown fields. */
export function bundleOf(type, { closed = false } = {}) {
  return readJson(`bundles/${index.documents[type].file.replace(/\.json$/, closed ? ".closed.bundle.json" : ".bundle.json")}`);
}

/** A definition of common-v1.json (`ImageFormat`, `PayloadType`...). */
export function commonDefinition(name) {
  return common.$defs[name];
}

/** A pattern of common-v1.json (the protocol anchors its patterns with ^ and $). */
export function commonPattern(name) {
  return new RegExp(common.$defs[name].pattern, "u");
}

/** Every rule of rules-v1.json by id. */
export const rules = new Map(rulesRegistry.rules.map((rule) => [rule.id, rule]));
