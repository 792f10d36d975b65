package jobspec

import (
	"encoding/json"
	"os"
	"testing"
)

// The fingerprint vectors of the suite (tests/conformance/fingerprints.json): the digest
// and canonical text, or a refusal.
func TestFingerprintVectors(t *testing.T) {
	data, err := os.ReadFile("../tests/conformance/fingerprints.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			ID          string `json:"id"`
			Text        string `json:"text"`
			Canonical   string `json:"canonical"`
			Fingerprint string `json:"fingerprint"`
			Refused     string `json:"refused"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for _, vector := range file.Vectors {
		t.Run(vector.ID, func(t *testing.T) {
			digest, err := Fingerprint([]byte(vector.Text), Limits{})
			if vector.Refused != "" {
				if err == nil {
					t.Errorf("gave %s; expected a refusal (%s)", digest, vector.Refused)
				}
				return
			}
			if err != nil || digest != vector.Fingerprint {
				document, _ := Decode([]byte(vector.Text), Limits{})
				canonical, _ := canonicalOf(document)
				t.Errorf("gave %s (%v); expected %s\ncanonical %s\nexpected  %s", digest, err, vector.Fingerprint, canonical, vector.Canonical)
			}
		})
	}
}

func TestECMAScriptNumbers(t *testing.T) {
	for value, expected := range map[float64]string{
		1: "1", 1.5: "1.5", 0.1: "0.1", 1e-6: "0.000001", 1e-7: "1e-7", 1.25e-7: "1.25e-7", 1e20: "100000000000000000000",
		123456.789: "123456.789", -0.5: "-0.5", 4.5e15: "4500000000000000",
	} {
		if found := ecmaScriptNumber(value); found != expected {
			t.Errorf("ecmaScriptNumber(%v) = %s, expected %s", value, found, expected)
		}
	}
}
