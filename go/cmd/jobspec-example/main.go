// Command jobspec-example is the code a Go scheduler author copies: it builds a job of
// every payload type with the module's structs, validates each, and prints the report.
// Given files, it validates them instead (their type told from their members).
//
//	go run ./cmd/jobspec-example            # build and validate one job per payload type
//	go run ./cmd/jobspec-example FILE...    # validate documents; exit 1 if any is invalid
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	jobspec "github.com/guestkit/guestkit-job-spec/go"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(validateFiles(os.Args[1:]))
	}
	failed := false
	for _, job := range exampleJobs(time.Now()) {
		data, err := json.MarshalIndent(job, "", "  ")
		if err != nil {
			panic(err)
		}
		report, err := jobspec.Validate(data, jobspec.Options{Type: "job"})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s\n%s: %s\n", data, job.Payload.Type, report)
		failed = failed || !report.Valid
	}
	if failed {
		os.Exit(1)
	}
}

// newJob is a job envelope: the members every job has, around one payload.
func newJob(id string, now time.Time, operation string, data any) jobspec.Job {
	return jobspec.Job{
		Schema:    jobspec.Value("https://guestkit.dev/schemas/job-v1.json"),
		Version:   "1.0",
		JobID:     id,
		CreatedAt: now.UTC().Format(time.RFC3339),
		Kind:      "VMOperation",
		Operation: operation,
		Payload:   jobspec.Payload{Type: operation + ".v1", Data: data},
		Execution: jobspec.Value(jobspec.ExecutionPolicy{
			MaxAttempts:    jobspec.Value[int64](3),
			TimeoutSeconds: jobspec.Value[int64](1800),
		}),
	}
}

func image(path string, format jobspec.ImageFormat) jobspec.ImageReference {
	return jobspec.ImageReference{Path: path, Format: format}
}

// exampleJobs builds one job per payload type.
func exampleJobs(now time.Time) []jobspec.Job {
	return []jobspec.Job{
		newJob("job-inspect-0001", now, "guestkit.inspect", jobspec.InspectPayload{
			Image: jobspec.InspectImage{Path: "/vms/web-01.qcow2", Format: jobspec.ImageFormatQcow2},
		}),
		newJob("job-profile-0001", now, "guestkit.profile", jobspec.ProfilePayload{
			Image:    image("/vms/db-01.qcow2", jobspec.ImageFormatQcow2),
			Profiles: []jobspec.ProfileName{jobspec.ProfileNameSecurity, jobspec.ProfileNameHardening},
		}),
		newJob("job-fix-0001", now, "guestkit.fix", jobspec.FixPayload{
			Image:      jobspec.FixImage{Path: "/vms/app-01.qcow2", Format: jobspec.ImageFormatQcow2},
			Operations: []jobspec.FixOperation{{Type: jobspec.FixOperationTypeFsck}},
		}),
		newJob("job-convert-0001", now, "guestkit.convert", jobspec.ConvertPayload{
			Source: image("/imports/crm-01.vmdk", jobspec.ImageFormatVmdk),
			Target: jobspec.ConvertTarget{Path: "/vms/crm-01.qcow2", Format: jobspec.ImageFormatQcow2},
		}),
		newJob("job-compare-0001", now, "guestkit.compare", jobspec.ComparePayload{
			Baseline: image("/golden/web-base.qcow2", jobspec.ImageFormatQcow2),
			Target:   image("/vms/web-01.qcow2", jobspec.ImageFormatQcow2),
		}),
		newJob("job-doctor-0001", now, "guestkit.doctor", jobspec.DoctorPayload{
			Image:  image("/vms/web-01.qcow2", jobspec.ImageFormatQcow2),
			Target: jobspec.Ptr(jobspec.BootTargetKubevirt),
		}),
		// A default of true is written out: a reader that missed dry_run would change the disk.
		newJob("job-repair-0001", now, "guestkit.repair", jobspec.RepairPayload{
			Image:         image("/vms/web-01.qcow2", jobspec.ImageFormatQcow2),
			DryRun:        jobspec.Ptr(true),
			EnableSystemd: jobspec.Ptr(true),
			InjectQga:     jobspec.Ptr(true),
		}),
		newJob("job-migrate-0001", now, "guestkit.migrate-plan", jobspec.MigratePlanPayload{
			Image:         image("/imports/crm-01.vmdk", jobspec.ImageFormatVmdk),
			Target:        jobspec.Ptr(jobspec.BootTargetProxmox),
			ExportFixPlan: jobspec.Ptr(true),
		}),
		newJob("job-passport-0001", now, "guestkit.passport", jobspec.PassportPayload{
			Image:  image("/vms/web-01.qcow2", jobspec.ImageFormatQcow2),
			Target: jobspec.Ptr(jobspec.BootTargetAws),
		}),
		newJob("job-explore-0001", now, "guestkit.explore", jobspec.ExplorePayload{
			Image:  image("/vms/web-01.qcow2", jobspec.ImageFormatQcow2),
			Action: jobspec.Ptr(jobspec.ExploreActionCat),
			Path:   jobspec.Ptr("/etc/fstab"),
		}),
		newJob("job-evidence-0001", now, "guestkit.agent.evidence", jobspec.AgentEvidencePayload{
			ProxyURL: "http://10.0.0.5:8080",
		}),
		newJob("job-agentdoc-0001", now, "guestkit.agent.doctor", jobspec.AgentDoctorPayload{
			ProxyURL: "http://10.0.0.5:8080",
			Target:   jobspec.Ptr(jobspec.BootTargetKvm),
		}),
		newJob("job-agentcall-0001", now, "guestkit.agent.call", jobspec.AgentCallPayload{
			ProxyURL: "http://10.0.0.5:8080",
			Method:   "guestkit.getCapabilities",
		}),
		newJob("job-agentfix-0001", now, "guestkit.agent.fix", jobspec.AgentFixPayload{
			ProxyURL: "http://10.0.0.5:8080",
			Plan: jobspec.FixPlan{Operations: []jobspec.FixPlanOperation{
				{ID: "op-1", Type: "package_install", Extra: map[string]json.RawMessage{"packages": json.RawMessage(`["qemu-guest-agent"]`)}},
			}},
		}),
		newJob("job-echo-0001", now, "system.echo", jobspec.EchoPayload{
			Extra: map[string]json.RawMessage{"message": json.RawMessage(`"hello"`)},
		}),
	}
}

func validateFiles(paths []string) int {
	status := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		report, err := jobspec.Validate(data, jobspec.Options{Type: jobspec.Auto})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Printf("%s: %s", path, report)
		if !report.Valid {
			status = 1
		}
	}
	return status
}
