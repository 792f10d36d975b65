package jobspec

import (
	"os"
	"testing"
)

// BenchmarkValidateFullJob: make bench times the same call from bench/run.py (no timed
// assertion here); go test -bench shows where the time goes.
func BenchmarkValidateFullJob(b *testing.B) {
	data, err := os.ReadFile("../examples/inspect-full.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Validate(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
