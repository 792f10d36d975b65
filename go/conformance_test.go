package jobspec

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The conformance suite (tests/conformance/cases/, its format in tests/conformance/README.md):
// every case, the Go package's verdict and report against the case's.

const casesDir = "../tests/conformance/cases"

type pair struct {
	Rule    string `json:"rule"`
	Pointer string `json:"pointer"`
}

type conformanceCase struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`
	Valid      bool            `json:"valid"`
	Type       string          `json:"type"`
	Strict     bool            `json:"strict"`
	Document   json.RawMessage `json:"document"`
	Text       *string         `json:"text"`
	Base64     string          `json:"base64"`
	Limits     map[string]int  `json:"limits"`
	Errors     []pair          `json:"errors"`
	Warnings   []pair          `json:"warnings"`
	Transition struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"transition"`
	Job    json.RawMessage `json:"job"`
	Worker json.RawMessage `json:"worker"`
}

func loadCases(t *testing.T) []conformanceCase {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(casesDir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no case files in %s: %v", casesDir, err)
	}
	sort.Strings(names)
	var cases []conformanceCase
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Cases []conformanceCase `json:"cases"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases = append(cases, file.Cases...)
	}
	return cases
}

// input is the case as the bytes a scheduler receives.
func (c conformanceCase) input(t *testing.T) []byte {
	switch {
	case c.Kind == "document":
		return c.Document
	case c.Text != nil:
		return []byte(*c.Text)
	}
	data, err := base64.StdEncoding.DecodeString(c.Base64)
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	return data
}

func (c conformanceCase) limits() Limits {
	return Limits{
		MaxDocumentBytes:    c.Limits["max_document_bytes"],
		MaxDepth:            c.Limits["max_depth"],
		MaxStringLength:     c.Limits["max_string_length"],
		MaxContainerEntries: c.Limits["max_container_entries"],
	}
}

func pairsOf[T Issue | pair](issues []T) []string {
	found := make([]string, 0, len(issues))
	for _, issue := range issues {
		switch issue := any(issue).(type) {
		case Issue:
			found = append(found, issue.Rule+" at \""+issue.Pointer+"\"")
		case pair:
			found = append(found, issue.Rule+" at \""+issue.Pointer+"\"")
		}
	}
	sort.Strings(found)
	return found
}

func TestConformanceDocuments(t *testing.T) {
	for _, c := range loadCases(t) {
		if c.Kind != "document" && c.Kind != "text" {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			report, err := Validate(c.input(t), Options{Type: c.Type, Strict: c.Strict, Limits: c.limits()})
			if err != nil {
				t.Fatal(err)
			}
			if report.Valid != c.Valid {
				t.Errorf("valid = %v, expected %v", report.Valid, c.Valid)
			}
			for _, check := range []struct {
				what     string
				got      []string
				expected []string
			}{{"errors", pairsOf(report.Errors), pairsOf(c.Errors)}, {"warnings", pairsOf(report.Warnings), pairsOf(c.Warnings)}} {
				if strings.Join(check.got, "; ") != strings.Join(check.expected, "; ") {
					t.Errorf("%s: %s\nexpected: %s", check.what, strings.Join(check.got, "; "), strings.Join(check.expected, "; "))
				}
			}
		})
	}
}
