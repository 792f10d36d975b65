// Compiled by `tsc --noEmit` in make test: the generated types accept real documents and
// reject wrong ones (each @ts-expect-error fails the build if the error goes away).
import type { FixPayload, InspectPayload, Job, JobResult } from "../types/index.js";

const payload: InspectPayload = {
  image: { path: "/vms/production-web-01.qcow2", format: "qcow2", read_only: true },
  output: { format: "json", destination: "/out/report.json" },
};

export const job: Job = {
  $schema: "https://guestkit.dev/schemas/job-v1.json",
  version: "1.0",
  job_id: "job-01JAB3Y7X5K4M8F9W2T6ABCDEF",
  created_at: "2026-01-30T10:00:00Z",
  kind: "VMOperation",
  operation: "guestkit.inspect",
  payload: { type: "guestkit.inspect.v1", data: { ...payload } },
  execution: { priority: 8, max_attempts: 3 },
  "example.com/cost-code": "CC-4410",
};

export const fix: FixPayload = {
  image: { path: "/vms/app.qcow2", format: "qcow2" },
  operations: [{ type: "fsck", options: { auto_repair: true } }],
};

// @ts-expect-error: "vhd" is not an image format
export const badFormat: InspectPayload = { image: { path: "/a.vhd", format: "vhd" } };

// @ts-expect-error: version is exactly "1.0"
export const badVersion: Job = { ...job, version: "2.0" };

// @ts-expect-error: a fix needs its operations
export const noOperations: FixPayload = { image: { path: "/a.raw", format: "raw" } };

export type Status = JobResult["status"];
