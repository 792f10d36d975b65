package jobspec

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Issue is one finding: the rule it breaks (an id of schemas/rules-v1.json), where (an RFC
// 6901 JSON Pointer; for a missing member, the member's), and what to do about it.
type Issue struct {
	Rule    string `json:"rule"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// Report is the outcome of validating one document, as the Python package's report has it.
type Report struct {
	// Type is the document type validated against ("job"...); empty when it could not be told.
	Type     string  `json:"type"`
	Valid    bool    `json:"valid"`
	Errors   []Issue `json:"errors"`
	Warnings []Issue `json:"warnings"`
}

// MarshalJSON writes an untold type as null, as the Python package does.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	var docType any = r.Type
	if r.Type == "" {
		docType = nil
	}
	return json.Marshal(struct {
		Type any `json:"type"`
		plain
	}{docType, plain(r)})
}

// newReport sorts issues into errors and warnings by their rule's severity in this mode,
// dropping repeats of one rule at one place.
func newReport(docType string, issues []Issue, strict bool) Report {
	report := Report{Type: docType, Errors: []Issue{}, Warnings: []Issue{}}
	seen := map[[2]string]bool{}
	for _, issue := range issues {
		key := [2]string{issue.Rule, issue.Pointer}
		if seen[key] {
			continue
		}
		seen[key] = true
		rule := rulesByID[issue.Rule]
		severity := rule.Severity
		if strict && rule.StrictSeverity != "" {
			severity = rule.StrictSeverity
		}
		if severity == "error" {
			report.Errors = append(report.Errors, issue)
		} else {
			report.Warnings = append(report.Warnings, issue)
		}
	}
	report.Valid = len(report.Errors) == 0
	return report
}

// String is the report as the command line prints it: the verdict, then one line per issue.
func (r Report) String() string {
	var b strings.Builder
	verdict := "valid"
	if !r.Valid {
		verdict = "invalid"
	}
	fmt.Fprintf(&b, "%s (%s), %s, %s\n", verdict, r.Type, counted(len(r.Errors), "error"), counted(len(r.Warnings), "warning"))
	for _, group := range []struct {
		name   string
		issues []Issue
	}{{"error", r.Errors}, {"warning", r.Warnings}} {
		for _, issue := range group.issues {
			fmt.Fprintf(&b, "  %s %s: %s [%s]\n", group.name, issue.Pointer, issue.Message, issue.Rule)
		}
	}
	return b.String()
}

// show renders a JSON value briefly and unambiguously for messages, as the Python package does.
func show(value any) string {
	switch value := value.(type) {
	case string:
		if value == "" {
			return "an empty string"
		}
		text, _ := json.Marshal(value)
		if len(text) > 60 {
			return string(text[:56]) + `..."`
		}
		return string(text)
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(value)
	case int64:
		return strconv.FormatInt(value, 10)
	case float64:
		return strconv.FormatFloat(value, 'g', -1, 64)
	case []any:
		if len(value) == 0 {
			return "an empty array"
		}
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(value)
}

// subject names the value at a pointer in a message: "the document", "'name'" or "item 3".
func subject(pointer string) string {
	if pointer == "" {
		return "the document"
	}
	last := pointer[strings.LastIndexByte(pointer, '/')+1:]
	last = strings.NewReplacer("~1", "/", "~0", "~").Replace(last)
	if _, err := strconv.Atoi(last); err == nil {
		return "item " + last
	}
	return "'" + last + "'"
}

// counted is "1 error", "2 errors".
func counted(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
