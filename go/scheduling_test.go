package jobspec

import (
	"strings"
	"testing"
)

// A new user passed the module's structs to MatchWorker and got "no handler for ”": it took
// them for empty documents. Structs now match as their documents do.
func TestMatchWorkerTakesTheModulesStructs(t *testing.T) {
	job := Job{
		Version: "1.0", JobID: "job-match-0001", CreatedAt: "2026-01-30T10:00:00Z", Kind: "VMOperation",
		Operation: "guestkit.doctor",
		Payload: Payload{Type: "guestkit.doctor.v1", Data: DoctorPayload{
			Image: ImageReference{Path: "/vms/a.qcow2", Format: ImageFormatQcow2},
		}},
	}
	worker := WorkerRegistration{
		WorkerID: "worker-1",
		Capabilities: WorkerCapabilities{
			Operations:  []string{"guestkit.doctor"},
			DiskFormats: []ImageFormat{ImageFormatQcow2},
		},
	}
	reasons := MatchWorker(job, &worker, nil)
	if len(reasons) != 1 || reasons[0].Rule != "scheduling.worker.not-ready" {
		t.Fatalf("a worker with no status: want only scheduling.worker.not-ready, got %v", reasons)
	}
}

func TestMatchWorkerRefusesWhatIsNeitherADocumentNorAStruct(t *testing.T) {
	defer func() {
		if message, _ := recover().(string); !strings.Contains(message, "give a decoded document") {
			t.Fatalf("want a panic that says what to give, got %q", message)
		}
	}()
	MatchWorker("job.json", map[string]any{}, nil)
}
