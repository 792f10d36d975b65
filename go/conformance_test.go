package jobspec

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
	Steps  json.RawMessage `json:"steps"`
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

// TestConformanceDocuments: the verdict of every document and text case, and every
// expected (rule, pointer) among the report's, errors and warnings alike, as every runner
// checks. A case lists what a report holds at least; with GUESTKIT_REFERENCE_REPORTS naming
// the Python package's reports of the cases (make conformance writes them with
// tests/conformance/reports.py), the report must also hold exactly Python's pairs.
func TestConformanceDocuments(t *testing.T) {
	reference := referenceReports(t)
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
				got      []Issue
				expected []pair
			}{{"error", report.Errors, c.Errors}, {"warning", report.Warnings, c.Warnings}} {
				if missing := missingPairs(check.got, check.expected); len(missing) > 0 {
					t.Errorf("misses %s %s; reports %s", check.what, strings.Join(missing, ", "), strings.Join(pairsOf(check.got), "; "))
				}
			}
			if python, ok := reference[c.ID]; ok {
				got := [2]string{strings.Join(pairsOf(report.Errors), "; "), strings.Join(pairsOf(report.Warnings), "; ")}
				expected := [2]string{strings.Join(pairsOf(python.pairs(python.Errors)), "; "), strings.Join(pairsOf(python.pairs(python.Warnings)), "; ")}
				if got != expected {
					t.Errorf("differs from the Python package's report:\n  Go:     %s | %s\n  Python: %s | %s", got[0], got[1], expected[0], expected[1])
				}
				// The unknown-field warnings, "did you mean" included, word for word.
				for _, issue := range slices.Concat(python.Errors, python.Warnings) {
					if issue.Rule == unknownFieldRule && !slices.Contains(slices.Concat(report.Errors, report.Warnings), Issue{issue.Rule, issue.Pointer, issue.Message}) {
						t.Errorf("no unknown-field issue %q at %s", issue.Message, issue.Pointer)
					}
				}
			}
		})
	}
	if reference != nil {
		t.Logf("every report compared with the Python package's, pair for pair")
	}
}

type referenceIssue struct {
	pair
	Message string `json:"message"`
}

type referenceReport struct {
	Errors   []referenceIssue `json:"errors"`
	Warnings []referenceIssue `json:"warnings"`
}

// pairs drops the messages.
func (r referenceReport) pairs(issues []referenceIssue) []pair {
	found := make([]pair, len(issues))
	for i, issue := range issues {
		found[i] = issue.pair
	}
	return found
}

func referenceReports(t *testing.T) map[string]referenceReport {
	path := os.Getenv("GUESTKIT_REFERENCE_REPORTS")
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var reports map[string]referenceReport
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	return reports
}

// missingPairs lists the expected pairs a report lacks.
func missingPairs(got []Issue, expected []pair) []string {
	found := map[pair]bool{}
	for _, issue := range got {
		found[pair{issue.Rule, issue.Pointer}] = true
	}
	var missing []string
	for _, p := range expected {
		if !found[p] {
			missing = append(missing, p.Rule+" at \""+p.Pointer+"\"")
		}
	}
	return missing
}

// decoded is a case member as Decode gives it.
func decoded(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	value, issues := Decode(raw, Limits{})
	if len(issues) > 0 {
		t.Fatalf("cannot decode %s: %v", raw, issues)
	}
	return value
}

func TestConformanceTransitions(t *testing.T) {
	for _, c := range loadCases(t) {
		if c.Kind != "transition" {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			var issues []Issue
			if issue := CheckTransition(c.Transition.From, c.Transition.To); issue != nil {
				issues = append(issues, *issue)
			}
			expectExactly(t, c, issues)
		})
	}
}

func TestConformanceMatches(t *testing.T) {
	for _, c := range loadCases(t) {
		if c.Kind != "match" {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			expectExactly(t, c, MatchWorker(decoded(t, c.Job), decoded(t, c.Worker), nil))
		})
	}
}

// expectExactly requires the verdict and exactly the case's (rule, pointer) pairs.
func expectExactly(t *testing.T, c conformanceCase, issues []Issue) {
	t.Helper()
	if (len(issues) == 0) != c.Valid {
		t.Errorf("valid = %v, expected %v", len(issues) == 0, c.Valid)
	}
	if got, expected := strings.Join(pairsOf(issues), "; "), strings.Join(pairsOf(c.Errors), "; "); got != expected {
		t.Errorf("reports %s, expected %s", got, expected)
	}
}

// The fast path proves a document clean exactly when the validator finds neither a schema
// issue nor an unknown field in it (checked on every document and text case).
func TestCleanCheckAgreesWithTheValidator(t *testing.T) {
	for _, c := range loadCases(t) {
		if c.Kind != "document" && c.Kind != "text" || c.Type == Auto {
			continue
		}
		document, issues := Decode(c.input(t), c.limits())
		if len(issues) > 0 {
			continue
		}
		check, err := checkerOf(c.Type)
		if err != nil || check.clean == nil {
			t.Fatalf("%s: no fast path for %s: %v", c.ID, c.Type, err)
		}
		schema, unknown := check.check(document)
		if clean := len(schema)+len(unknown) == 0; check.clean.valid(document) != clean {
			t.Errorf("%s: the fast path says %v, the validator finds %v %v", c.ID, !clean, schema, unknown)
		}
	}
}

func TestConformanceTraces(t *testing.T) {
	for _, c := range loadCases(t) {
		if c.Kind != "trace" {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			issues, err := CheckTrace(decoded(t, c.Steps))
			if err != nil {
				t.Fatal(err)
			}
			expectExactly(t, c, issues)
		})
	}
}
