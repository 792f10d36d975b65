// Reads JSON lines {document, type, strict} on stdin and writes, as one JSON array, the
// npm package's validate() report of each: how tests/test_npm_package.py compares the
// JavaScript validator with the Python one on every conformance case.

import { readFileSync } from "node:fs";
import { validate } from "../../npm/src/index.js";

const pairs = (issues) => issues.map(({ rule, pointer }) => [rule, pointer]);
const reports = readFileSync(0, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => {
    const { document, type, strict } = JSON.parse(line);
    const report = validate(document, { type, strict });
    return { valid: report.valid, type: report.type, errors: pairs(report.errors), warnings: pairs(report.warnings) };
  });
process.stdout.write(JSON.stringify(reports));
