package jobspec

import (
	"encoding/json"
	"testing"
)

// Every valid document of the suite reads into its struct and writes back as the same JSON
// value, unknown members included (numbers compared as values: 5.0 is written 5).
func TestRoundTripOfEveryValidCase(t *testing.T) {
	checked := 0
	for _, c := range loadCases(t) {
		if c.Kind != "document" && c.Kind != "text" || !c.Valid {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			docType := c.Type
			original, issues := Decode(c.input(t), c.limits())
			if len(issues) > 0 {
				t.Fatal(issues)
			}
			if docType == Auto {
				docType = DetectType(original)
			}
			typed, err := NewDocument(docType)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(c.input(t), Options{Type: docType, Strict: c.Strict, Limits: c.limits()}, typed); err != nil {
				t.Fatal(err)
			}
			written, err := json.Marshal(typed)
			if err != nil {
				t.Fatal(err)
			}
			again, issues := Decode(written, Limits{})
			if len(issues) > 0 {
				t.Fatalf("%s: %v", written, issues)
			}
			if !sameJSON(original, again) {
				t.Errorf("wrote %s", written)
			}
			checked++
		})
	}
	if checked == 0 {
		t.Fatal("no valid case")
	}
}

// Absent, null and a value stay apart through a round trip.
func TestNullableKeepsAbsentAndNullApart(t *testing.T) {
	for _, text := range []string{`{}`, `{"name":null}`, `{"name":"x"}`} {
		var metadata JobMetadata
		if err := json.Unmarshal([]byte(text), &metadata); err != nil {
			t.Fatal(err)
		}
		written, err := json.Marshal(metadata)
		if err != nil || string(written) != text {
			t.Errorf("%s became %s (%v)", text, written, err)
		}
	}
}
