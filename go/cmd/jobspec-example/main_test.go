package main

import (
	"encoding/json"
	"testing"
	"time"

	jobspec "github.com/guestkit/guestkit-job-spec/go"
)

// The example builds a valid job, with nothing to warn about, of every registered payload type.
func TestEveryExampleJobIsValid(t *testing.T) {
	covered := map[string]bool{}
	for _, job := range exampleJobs(time.Date(2026, 1, 30, 10, 0, 0, 0, time.UTC)) {
		data, err := json.Marshal(job)
		if err != nil {
			t.Fatal(err)
		}
		report, err := jobspec.Validate(data, jobspec.Options{Type: "job", Strict: true})
		if err != nil || !report.Valid || len(report.Warnings) > 0 {
			t.Errorf("%s: %v %s", data, err, report)
		}
		covered[job.Payload.Type] = true
	}
	for _, payloadType := range jobspec.PayloadTypes() {
		if !covered[payloadType] {
			t.Errorf("no example job of %s", payloadType)
		}
	}
}
