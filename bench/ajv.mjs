// The Node.js side of make bench: JSON.parse + validate on the same bytes, with plain ajv
// (2020-12, formats asserted, strict) on the canonical schemas and with the npm package's
// validate(). Prints {"ajv": microseconds per document, "npm_package": ...} as JSON.
//   node bench/ajv.mjs FILE ITERATIONS ROUNDS

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "../tests/conformance/node/node_modules/ajv/dist/2020.js";
import addFormats from "../tests/conformance/node/node_modules/ajv-formats/dist/index.js";
import { validate } from "../npm/src/index.js";

const [file, iterations, rounds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readJson = (path) => JSON.parse(readFileSync(join(root, "schemas", path), "utf8"));
const index = readJson("index.json");

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addKeyword({ keyword: "x-rule", schemaType: "object" });
for (const entry of [...Object.values(index.definitions), ...Object.values(index.documents), ...Object.values(index.payloads)]) {
  ajv.addSchema(readJson(entry.file));
}
const ajvValidate = ajv.getSchema(index.documents.job.id);
const text = readFileSync(file, "utf8");

const contenders = {
  ajv: () => ajvValidate(JSON.parse(text)),
  npm_package: () => validate(JSON.parse(text), { type: "job" }).valid,
};
const best = Object.fromEntries(Object.keys(contenders).map((name) => [name, Infinity]));
for (let round = 0; round < rounds; round += 1) {
  for (const [name, run] of Object.entries(contenders)) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i += 1) run();
    const perDocument = Number(process.hrtime.bigint() - started) / 1000 / iterations;
    best[name] = Math.min(best[name], perDocument);
  }
}
console.log(JSON.stringify(best));
