// Reads JSON lines, one job each, on stdin and writes, as one JSON array, the npm package's
// fingerprint() of each, or {refused: message} where it throws: how tests/test_npm_package.py
// compares the JavaScript fingerprint with the Python one.

import { readFileSync } from "node:fs";
import { fingerprint } from "../../npm/src/index.js";

const digests = readFileSync(0, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => {
    try {
      return fingerprint(JSON.parse(line));
    } catch (error) {
      return { refused: error.message };
    }
  });
process.stdout.write(JSON.stringify(digests));
