// Compiled by `tsc --noEmit` in make test (make typecheck-ts): the generated types accept
// correct documents and reject wrong ones. Each @ts-expect-error stands on the line the
// compiler reports, and fails the build (TS2578) if that error goes away.
import type {
  ExtensionKey,
  FixOperation,
  FixPayload,
  InspectPayload,
  Job,
  JobResult,
  Payload,
  RegisteredPayloadType,
} from "../types/index.js";
import { matchWorker, type Issue, type WorkerRegistration } from "../index.js";

// ---- correct documents compile -----------------------------------------------------------

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
  metadata: { name: "weekly-scan", labels: { environment: "prod" } },
  execution: { priority: 8, max_attempts: 3 },
  // Extension keys are writable at every level; a misspelt field is not (below).
  "example.com/cost-code": "CC-4410",
};

export const fix: FixPayload = {
  image: { path: "/vms/app.qcow2", format: "qcow2", "example.com/owner": "storage-team" },
  operations: [
    { type: "fsck", options: { auto_repair: true, filesystem: "ext4" } },
    { type: "selinux_relabel", options: { force: true } },
    { type: "initramfs_regenerate" },
  ],
};

// A result's `data` is any JSON value the handler produced: an array too.
export const result: JobResult = {
  job_id: "job-01JAB3Y7X5K4M8F9W2T6ABCDEF",
  status: "completed",
  worker_id: "worker-01",
  completed_at: "2026-01-30T10:05:00Z",
  execution_summary: { started_at: "2026-01-30T10:00:05Z", duration_seconds: 295, attempt: 1 },
  data: [1, 2],
};

// A payload type index.json does not register is written by naming it: its data is any object.
export const unregistered: Job<"example.backup.v1"> = {
  ...job,
  operation: "example.backup",
  payload: { type: "example.backup.v1", data: { target: "s3://backups/web-01", retention_days: 30 } },
};

// `payload.type` narrows `payload.data` for code that reads a typed job.
export function imagePath(job: Job): string | undefined {
  if (job.payload.type === "guestkit.inspect.v1") return job.payload.data.image.path;
  if (job.payload.type === "guestkit.fix.v1") return job.payload.data.image.backup_path ?? undefined;
  return undefined;
}

export const extensionKey: ExtensionKey = "example.com/cost-code";
export type Status = JobResult["status"];
export type Registered = RegisteredPayloadType;

// ---- the seven mistakes of issue #17 do not compile --------------------------------------

// 1. A misspelt execution field.
export const typoInExecution: Job = {
  ...job,
  // @ts-expect-error: `priorty` is not a member of ExecutionPolicy
  execution: { priorty: 8 },
};

// 2. A misspelt top-level field.
export const typoAtTopLevel: Job = {
  ...job,
  // @ts-expect-error: `metdata` is not a member of Job
  metdata: { name: "weekly-scan" },
};

// 3. A wrong type inside the payload's data: `payload.type` selects InspectPayload.
export const pathNotString: Job = {
  ...job,
  payload: {
    type: "guestkit.inspect.v1",
    // @ts-expect-error: an image path is a string
    data: { image: { path: 1, format: "qcow2" } },
  },
};

// 4. A misspelt option of a fix operation: the operation's `type` selects FsckOptions.
export const typoInFixOptions: Job = {
  ...job,
  operation: "guestkit.fix",
  payload: {
    type: "guestkit.fix.v1",
    data: {
      image: { path: "/vms/app.qcow2", format: "qcow2" },
      // @ts-expect-error: `auto_repiar` is not a member of FsckOptions
      operations: [{ type: "fsck", options: { auto_repiar: true } }],
    },
  },
};

// 5. An image format outside the closed set.
export const badFormat: Job = {
  ...job,
  // @ts-expect-error: "vhd" is not an image format
  payload: { type: "guestkit.inspect.v1", data: { image: { path: "/vms/a.vhd", format: "vhd" } } },
};

// 6. A version other than "1.0".
export const badVersion: Job = {
  ...job,
  // @ts-expect-error: version is exactly "1.0"
  version: "2.0",
};

// 7. A required field left out.
// @ts-expect-error: a job needs its `kind`
export const noKind: Job = {
  version: "1.0",
  job_id: "job-01JAB3Y7X5K4M8F9W2T6ABCDEF",
  created_at: "2026-01-30T10:00:00Z",
  operation: "guestkit.inspect",
  payload: { type: "guestkit.inspect.v1", data: { ...payload } },
};

// ---- more the discrimination catches -----------------------------------------------------

// Options of one fix operation given to another.
// @ts-expect-error: `force` is a selinux_relabel option, not an fsck one
export const wrongOptions: FixOperation = { type: "fsck", options: { force: true } };

// The data of one payload type under another's name.
// @ts-expect-error: a profile payload needs `profiles`
export const wrongData: Payload = { type: "guestkit.profile.v1", data: { ...payload } };

// A misspelt payload type, unless it is named as an unregistered one.
// @ts-expect-error: "guestkit.inspct.v1" is not a registered payload type
export const typoInPayloadType: Payload = { type: "guestkit.inspct.v1", data: {} };

// An extension key needs a domain and a name: a bare name is an unknown field.
// @ts-expect-error: `cost-code` is not a member of Job
export const bareExtension: Job = { ...job, "cost-code": "CC-4410" };

// ---- matchWorker takes typed documents and gives issues --------------------------------------

const worker: WorkerRegistration = {
  worker_id: "worker-01",
  version: "0.5.2",
  hostname: "kvm-01",
  registered_at: "2026-01-30T08:00:00Z",
  capabilities: { operations: ["guestkit.inspect"], features: [], disk_formats: ["qcow2"], payload_types: ["guestkit.inspect.v2"] },
};
export const reasons: Issue[] = matchWorker(job, worker, { currentJobs: 2 });
export const upcoming: Issue[] = matchWorker({ ...job, payload: { type: "guestkit.inspect.v2", data: {} } }, worker);
// @ts-expect-error: the scheduler's count is a number
matchWorker(job, worker, { currentJobs: "2" });
