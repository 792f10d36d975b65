// Reads JSON lines {job, worker, currentJobs} on stdin and writes, as one JSON array, what the
// npm package's matchWorker() says of each: [rule, pointer, message] per reason, or the message
// of the error it throws. How tests/test_npm_package.py compares it with Python's match_worker.

import { readFileSync } from "node:fs";
import { matchWorker } from "../../npm/src/index.js";

const answers = readFileSync(0, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => {
    const { job, worker, currentJobs } = JSON.parse(line);
    try {
      return matchWorker(job, worker, { currentJobs }).map(({ rule, pointer, message }) => [rule, pointer, message]);
    } catch (error) {
      return { error: `${error.name}: ${error.message}` };
    }
  });
process.stdout.write(JSON.stringify(answers));
