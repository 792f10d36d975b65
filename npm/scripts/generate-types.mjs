// Writes types/index.d.ts, one type for every document type and payload type of
// schemas/index.json and for each class they use, with json-schema-to-typescript.
// `--check` compares instead and exits 1 on any difference.
//
// Each schema is first dereferenced here, against the local files only: given the
// https://guestkit.dev/... references, json-schema-to-typescript would try to fetch them.

import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(here, "..", "..", "schemas");
const typesDir = join(here, "..", "types");
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

const index = readJson(join(schemasDir, "index.json"));
const entries = { ...index.documents, ...index.payloads };
const byId = new Map(
  [...Object.values(index.definitions), ...Object.values(entries)].map((e) => [e.id, readJson(join(schemasDir, e.file))]),
);

const inlined = new Map(); // one object per referenced definition, so each type is declared once

function lookup(ref, base) {
  const url = new URL(ref, base);
  const fragment = decodeURIComponent(url.hash.slice(1));
  url.hash = "";
  const documentId = url.href;
  let node = byId.get(documentId);
  if (node === undefined) throw new Error(`unresolvable reference ${ref} from ${base}`);
  for (const part of fragment.split("/").slice(1)) node = node[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  return { node, base: documentId };
}

// Inline every $ref; drop the annotations the generator does not need.
function inline(node, base) {
  if (Array.isArray(node)) return node.map((item) => inline(item, base));
  if (node === null || typeof node !== "object") return node;
  let result = {};
  for (const [key, value] of Object.entries(node)) {
    if (["$ref", "$id", "$schema", "$defs", "x-rule", "if", "then", "else", "not", "examples"].includes(key)) continue;
    result[key] = inline(value, base);
  }
  if (typeof node.$ref === "string") {
    const target = lookup(node.$ref, base);
    const key = new URL(node.$ref, base).href;
    if (!inlined.has(key)) inlined.set(key, inline(target.node, target.base));
    // A bare reference is the shared object itself; one with siblings (a description) extends it.
    result = Object.keys(result).length ? { allOf: [inlined.get(key)], ...result } : inlined.get(key);
  }
  return result;
}

const banner = "/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */";
const check = process.argv.includes("--check");
// One schema whose members are every document and payload type, so shared classes come once.
const members = {};
for (const [name, entry] of Object.entries(entries)) {
  // The file's own title names the file; its class definition's title names the type.
  const { title, description, ...root } = byId.get(entry.id);
  members[name] = inline(root, entry.id);
}
const all = { title: "GuestkitProtocolV1", type: "object", properties: members, additionalProperties: false };
const text = await compile(all, "GuestkitProtocolV1", { bannerComment: banner, additionalProperties: true, format: true });
const target = join(typesDir, "index.d.ts");
if (check) {
  const current = readdirSync(typesDir);
  let stale = current.length !== 1 || current[0] !== "index.d.ts";
  if (!stale) stale = readFileSync(target, "utf8") !== text;
  if (stale) {
    console.error("TypeScript types drifted from schemas/: run make gen");
    process.exit(1);
  }
} else {
  mkdirSync(typesDir, { recursive: true });
  for (const file of readdirSync(typesDir)) if (file !== "index.d.ts") rmSync(join(typesDir, file));
  writeFileSync(target, text);
}
