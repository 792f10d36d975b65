package jobspec

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func exampleJob(t *testing.T, replace ...string) []byte {
	t.Helper()
	data, err := os.ReadFile("../examples/inspect-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer(replace...).Replace(string(data)))
}

func hasPair(issues []Issue, rule, pointer string) bool {
	return slices.ContainsFunc(issues, func(i Issue) bool { return i.Rule == rule && i.Pointer == pointer })
}

// The validator stops at a failing type; the reference also reports the enum beside it.
func TestAWrongTypedEnumValueBreaksTypeAndClosedSet(t *testing.T) {
	report, _ := Validate(exampleJob(t, `"format": "qcow2"`, `"format": 7`), Options{})
	for _, rule := range []string{"schema.type", "schema.closed-set"} {
		if !hasPair(report.Errors, rule, "/payload/data/image/format") {
			t.Errorf("no %s: %s", rule, report)
		}
	}
}

// The validator's propertyNames errors carry a location that moves on as it validates: the
// finding is placed at the enclosing object's.
func TestAnUnknownMemberNameIsReportedWhereItIs(t *testing.T) {
	job := exampleJob(t, `"kind"`, `"metadata": {"example.com/cost\n": 1}, "kind"`)
	report, _ := Validate(job, Options{})
	if !hasPair(report.Warnings, unknownFieldRule, "/metadata/example.com~1cost\n") || len(report.Warnings) != 1 {
		t.Errorf("%s", report)
	}
}
