// Writes types/<type>.d.ts for every document type and payload type of schemas/index.json,
// with json-schema-to-typescript. `--check` compares instead and exits 1 on any difference.
//
// Each schema is first dereferenced here, against the local files only: given the
// https://guestkit.dev/... references, json-schema-to-typescript would try to fetch them.

import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
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
    result = { ...inline(target.node, target.base), ...result };
  }
  return result;
}

const banner = "/* Generated from schemas/ by npm/scripts/generate-types.mjs (make gen). Do not edit. */";
const check = process.argv.includes("--check");
const written = new Map();
for (const [name, entry] of Object.entries(entries)) {
  // The file's own title names the file; its class definition's title names the type.
  const { title, description, ...root } = byId.get(entry.id);
  const schema = inline(root, entry.id);
  const typeName = name.replace(/(^|[.-])([a-z0-9])/g, (_, __, c) => c.toUpperCase());
  const text = await compile(schema, typeName, { bannerComment: banner, additionalProperties: true, format: true });
  written.set(`${name}.d.ts`, text);
}
if (check) {
  const stale = [...written].filter(([file, text]) => {
    try {
      return readFileSync(join(typesDir, file), "utf8") !== text;
    } catch {
      return true;
    }
  });
  const extra = readdirSync(typesDir).filter((file) => !written.has(file));
  if (stale.length || extra.length) {
    console.error(`TypeScript types drifted from schemas/ (${[...stale.map(([f]) => f), ...extra].join(", ")}): run make gen`);
    process.exit(1);
  }
} else {
  mkdirSync(typesDir, { recursive: true });
  for (const [file, text] of written) writeFileSync(join(typesDir, file), text);
}
