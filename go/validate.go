package jobspec

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Auto as Options.Type tells the document type from its member names (DetectType).
const Auto = "auto"

var printer = message.NewPrinter(language.English)

// Options say how to validate a document. The zero value validates a job, not strictly,
// within DefaultLimits.
type Options struct {
	// Type is "job" (the default when empty), "result", "progress", "worker", "lease",
	// "cancel", or Auto to tell it from the member names.
	Type string
	// Strict turns the warnings about unknown fields and unregistered payload types into errors.
	Strict bool
	// Limits bound decoding; zero fields take DefaultLimits'.
	Limits Limits
}

// Validate checks one protocol document, given as the bytes of its JSON text, and reports
// every error and warning with its rule id and JSON Pointer, as the Python package does:
// strict decoding, the schema (the closed bundle, whose unknown-field findings are
// warnings), the rules only code can check, and integers written as fractions. It returns
// an error only for an unknown Options.Type; bad input gives a report with errors.
func Validate(data []byte, opts Options) (Report, error) {
	docType := opts.Type
	if docType == "" {
		docType = "job"
	}
	if _, known := protocolIndex.Documents[docType]; !known && docType != Auto {
		return Report{}, fmt.Errorf("unknown document type %q; expected one of %s, %s", docType, strings.Join(DocumentTypes(), ", "), Auto)
	}
	document, issues := decode(data, opts.Limits.orDefaults())
	if len(issues) > 0 {
		if docType == Auto {
			docType = ""
		}
		return newReport(docType, issues, opts.Strict), nil
	}
	return validateDecoded(document, docType, opts.Strict)
}

func validateDecoded(document any, docType string, strict bool) (Report, error) {
	if docType == Auto {
		if _, ok := document.(map[string]any); !ok {
			return newReport("", []Issue{{"schema.type", "", fmt.Sprintf("the document is %s; expected an object", show(document))}}, strict), nil
		}
		if docType = DetectType(document); docType == "" {
			return newReport("", []Issue{{"document.type-unknown", "", fmt.Sprintf(
				"cannot tell which protocol document this is (%s): a type is told from its identifier (%s) and more than half "+
					"of its required members; give the type explicitly", documentNames(), identifierNames())}}, strict), nil
		}
	}
	check, err := checkerOf(docType)
	if err != nil {
		return Report{}, err
	}
	if check.proves(document) {
		return newReport(docType, codeIssues(document, docType), strict), nil
	}
	// Report order: schema issues by place, the code-only rules', integers written as
	// fractions, then unknown fields.
	schema, unknown := check.check(document)
	issues := slices.Concat(schema, codeIssues(document, docType))
	if hasIntegralFloat(document) {
		issues = append(issues, check.integerFormIssues(document)...)
	}
	return newReport(docType, append(issues, unknown...), strict), nil
}

// Decode reads a JSON text strictly, as Validate does: the value (map[string]any, []any,
// string, bool, nil, int64 or float64), or the decoding issues that refuse it.
func Decode(data []byte, limits Limits) (any, []Issue) {
	return decode(data, limits.orDefaults())
}
