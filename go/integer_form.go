package jobspec

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// json.integer-form: an integer the text writes with a fraction or an exponent (5.0, 5e0),
// valid since protocol 1.0 but refused by decoders that read integers into integer types
// (encoding/json into an int64), so the package warns wherever the schema wants an
// integer. Decoding gives such a number as a float64 of integral value (an integer written
// as one is an int64), so only documents holding one are looked at.

const integerFormRule = "json.integer-form"

// integerFormIssues asks the schema where it wants an integer by validating the document
// once more with each integral float64 made 0.5: a `type` that then fails, naming integer,
// is one that allows integers but not numbers.
func (c *checker) integerFormIssues(document any) []Issue {
	places := map[string]float64{}
	probe := withHalves(document, nil, places)
	if len(places) == 0 {
		return nil
	}
	err, _ := c.schema.Validate(probe).(*jsonschema.ValidationError)
	var issues []Issue
	seen := map[string]bool{}
	var visit func(*jsonschema.ValidationError)
	visit = func(verr *jsonschema.ValidationError) {
		if k, ok := verr.ErrorKind.(*kind.Type); ok && slices.Contains(k.Want, "integer") {
			at := pointerOf(verr.InstanceLocation)
			if value, ok := places[at]; ok && !seen[at] {
				seen[at] = true
				issues = append(issues, Issue{integerFormRule, at, integerFormMessage(at, value)})
			}
		}
		for _, cause := range verr.Causes {
			visit(cause)
		}
	}
	if err != nil {
		visit(err)
	}
	slices.SortFunc(issues, func(a, b Issue) int {
		if byPosition(a, b) {
			return -1
		}
		return 1
	})
	return issues
}

// withHalves copies value with every integral float64 replaced by 0.5, recording where.
func withHalves(value any, path []string, places map[string]float64) any {
	switch value := value.(type) {
	case map[string]any:
		copied := make(map[string]any, len(value))
		for key, item := range value {
			copied[key] = withHalves(item, append(path[:len(path):len(path)], key), places)
		}
		return copied
	case []any:
		copied := make([]any, len(value))
		for i, item := range value {
			copied[i] = withHalves(item, append(path[:len(path):len(path)], strconv.Itoa(i)), places)
		}
		return copied
	case float64:
		if value == math.Trunc(value) && !math.IsInf(value, 0) {
			places[pointerOf(path)] = value
			return 0.5
		}
	}
	return value
}

func hasIntegralFloat(value any) bool {
	switch value := value.(type) {
	case map[string]any:
		for _, item := range value {
			if hasIntegralFloat(item) {
				return true
			}
		}
	case []any:
		for _, item := range value {
			if hasIntegralFloat(item) {
				return true
			}
		}
	case float64:
		return value == math.Trunc(value) && !math.IsInf(value, 0)
	}
	return false
}

func integerFormMessage(pointer string, value float64) string {
	written := "no 64-bit integer holds it"
	if math.Abs(value) < 1<<63 {
		written = fmt.Sprintf("write it %d", int64(value))
	}
	return subject(pointer) + " is an integer written with a fraction or an exponent; valid, but decoders that read integers " +
		"into integer types (Go's encoding/json, Rust's serde_json) refuse it: " + written
}
