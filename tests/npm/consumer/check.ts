// Type-checked with `tsc --noEmit` in the empty project where the packed package was
// installed: its declarations resolve through package.json "exports" and fit real use.
import { fingerprint, validate, type Job, type Report } from "guestkit-job-spec";

const job: Job = {
  version: "1.0",
  job_id: "job-01JAB3Y7X5K4M8F9W2T6ABCDEF",
  created_at: "2026-01-30T10:00:00Z",
  kind: "VMOperation",
  operation: "guestkit.inspect",
  payload: { type: "guestkit.inspect.v1", data: { image: { path: "/vms/web-01.qcow2", format: "qcow2" } } },
};

const report: Report = validate(job, { type: "job", strict: true });
export const rules: string[] = report.errors.map((issue) => `${issue.rule} ${issue.pointer}`);

// @ts-expect-error: "jobs" is not a document type
validate(job, { type: "jobs" });

export const digest: string = fingerprint(job);
// @ts-expect-error: the text is parsed first
fingerprint("{}");
