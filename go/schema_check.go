package jobspec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// unknownFieldRule is what the closed bundles' `additionalProperties: false` reports: a
// warning by default, an error under strict mode.
const unknownFieldRule = "document.unknown-field"

// checker validates one document type against its closed bundle (bundles/*.closed.bundle.json):
// one pass gives the schema's findings and the unknown fields, as the npm package does.
type checker struct {
	schema *jsonschema.Schema
	// The fast path's compiled bundle; nil when it cannot compile it.
	clean *cleanNode
	// The schema objects of the bundle by their absolute location, as the validator names them:
	// their x-rule annotations and declared properties.
	objects map[string]map[string]any
}

var (
	checkersMu sync.Mutex
	checkers   = map[string]*checker{}
)

func checkerOf(docType string) (*checker, error) {
	checkersMu.Lock()
	defer checkersMu.Unlock()
	if found, ok := checkers[docType]; ok {
		return found, nil
	}
	text, err := Bundle(docType, true)
	if err != nil {
		return nil, err
	}
	bundle, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	id := protocolIndex.Documents[docType].ID
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft2020)
	compiler.UseRegexpEngine(compilePattern)
	if err := compiler.AddResource(id, bundle); err != nil {
		return nil, err
	}
	schema, err := compiler.Compile(id)
	if err != nil {
		return nil, err
	}
	clean, _ := compileClean(bundle, id)
	found := &checker{schema: schema, clean: clean, objects: map[string]map[string]any{}}
	found.index(bundle, id, "")
	checkers[docType] = found
	return found, nil
}

// index records every schema object below node by its location as the validator names it:
// the bundle's URL and the JSON Pointer inside the bundle (the resources the bundle embeds
// under their own $id included).
func (c *checker) index(node any, base, pointer string) {
	switch node := node.(type) {
	case map[string]any:
		c.objects[base+"#"+pointer] = node
		for key, child := range node {
			c.index(child, base, pointer+"/"+pointerEscaper.Replace(key))
		}
	case []any:
		for i, child := range node {
			c.index(child, base, fmt.Sprintf("%s/%d", pointer, i))
		}
	}
}

// finding is a schema issue with what pruning and wording need.
type finding struct {
	Issue
	keyword string
	err     *jsonschema.ValidationError
}

// check gives the schema's findings on a decoded document, unknown fields apart.
func (c *checker) check(document any) (schema, unknown []Issue) {
	err := c.schema.Validate(document)
	if err == nil {
		return nil, nil
	}
	verr, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Issue{{Rule: "schema.type", Message: err.Error()}}, nil
	}
	for _, f := range c.findings(verr, document, nil) {
		if f.Rule == unknownFieldRule {
			unknown = append(unknown, f.Issue)
		} else {
			schema = append(schema, f.Issue)
		}
	}
	sort.SliceStable(schema, func(i, j int) bool { return byPosition(schema[i], schema[j]) })
	sort.SliceStable(unknown, func(i, j int) bool { return byPosition(unknown[i], unknown[j]) })
	return schema, unknown
}

func byPosition(a, b Issue) bool {
	if a.Pointer != b.Pointer {
		return a.Pointer < b.Pointer
	}
	return a.Rule < b.Rule
}

// rule is the rule id of a failing keyword: the x-rule annotation beside it, else the
// keyword's generic rule (schemas/keywords-v1.json); empty when no rule covers it.
func (c *checker) rule(location, keyword string) string {
	if annotations, ok := c.objects[location]["x-rule"].(map[string]any); ok {
		if rule, ok := annotations[keyword].(string); ok {
			return rule
		}
	}
	return keywordRules[keyword]
}

// findings maps the validator's error tree to issues: each failing keyword a rule covers
// is an issue; applicators without a rule ($ref, allOf, if/then) stand for their causes.
// A failed anyOf (a nullable section) reports the one branch meant for the value, as the
// Python package reports the deepest cause.
func (c *checker) findings(verr *jsonschema.ValidationError, document any, parentPath []string) []finding {
	path := verr.InstanceLocation
	if _, ok := verr.ErrorKind.(*kind.PropertyNames); ok {
		// The validator's propertyNames error shares its instance location with the
		// validation that goes on; the object's is the enclosing error's.
		path = parentPath
	}
	at := pointerOf(path)
	keywords := verr.ErrorKind.KeywordPath()
	keyword := ""
	if len(keywords) > 0 {
		keyword = keywords[0]
	}
	location := verr.SchemaURL
	if _, ok := verr.ErrorKind.(*kind.PropertyNames); ok {
		location = strings.TrimSuffix(location, "/propertyNames") // the error names the subschema
	}
	rule := c.rule(location, keyword)
	if _, ok := verr.ErrorKind.(*kind.AnyOf); ok && rule != "" {
		return c.anyOf(verr, document, finding{Issue{Rule: rule, Pointer: at}, keyword, verr})
	}
	if rule == "" {
		var found []finding
		for _, cause := range verr.Causes {
			found = append(found, c.findings(cause, document, path)...)
		}
		return found
	}
	one := func(pointer, message string) finding {
		return finding{Issue{Rule: rule, Pointer: pointer, Message: message}, keyword, verr}
	}
	switch k := verr.ErrorKind.(type) {
	case *kind.Required:
		found := make([]finding, 0, len(k.Missing))
		for _, name := range k.Missing {
			found = append(found, one(at+"/"+pointerEscaper.Replace(name), fmt.Sprintf("%s is missing required member '%s'", subject(at), name)))
		}
		return found
	case *kind.AdditionalProperties:
		found := make([]finding, 0, len(k.Properties))
		for _, name := range k.Properties {
			found = append(found, one(at+"/"+pointerEscaper.Replace(name), unknownFieldMessage(name, c.objects[location])))
		}
		return found
	case *kind.PropertyNames:
		return []finding{one(at+"/"+pointerEscaper.Replace(k.Property), unknownFieldMessage(k.Property, c.objects[location]))}
	}
	value := valueAt(document, path)
	found := []finding{one(at, c.message(rule, keyword, verr, value))}
	// The validator stops at a schema object's first failing type, const or enum; the
	// reference reports each of them.
	for _, later := range laterKeywords[keyword] {
		if expected, ok := c.objects[location][later]; ok && !allows(later, expected, value) {
			if laterRule := c.rule(location, later); laterRule != "" {
				found = append(found, finding{Issue{laterRule, at, fmt.Sprintf("%s is %s; expected %s", subject(at), show(value), expectation(laterRule, "another value"))}, later, verr})
			}
		}
	}
	return found
}

var laterKeywords = map[string][]string{"type": {"const", "enum"}, "const": {"enum"}}

// allows says whether a const or enum keyword's value accepts a decoded value.
func allows(keyword string, expected, value any) bool {
	if keyword == "const" {
		return sameJSON(expected, value)
	}
	items, _ := expected.([]any)
	for _, item := range items {
		if sameJSON(item, value) {
			return true
		}
	}
	return false
}

// sameJSON compares a schema's value (numbers as json.Number) with a decoded one.
func sameJSON(a, b any) bool {
	number := func(v any) (float64, bool) {
		switch v := v.(type) {
		case json.Number:
			f, err := v.Float64()
			return f, err == nil
		case int64:
			return float64(v), true
		case float64:
			return v, true
		}
		return 0, false
	}
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	switch a := a.(type) {
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

func (c *checker) anyOf(union *jsonschema.ValidationError, document any, self finding) []finding {
	var meant [][]finding
	var allowed []string
	for _, branch := range union.Causes {
		items := c.findings(branch, document, union.InstanceLocation)
		if len(items) == 0 {
			continue
		}
		mismatch := true
		for _, item := range items {
			if item.keyword != "type" || item.Pointer != self.Pointer {
				mismatch = false
				break
			}
			if k, ok := item.err.ErrorKind.(*kind.Type); ok {
				allowed = append(allowed, k.Want...)
			}
		}
		if !mismatch {
			meant = append(meant, items)
		}
	}
	if len(meant) == 1 {
		return meant[0]
	}
	value := valueAt(document, union.InstanceLocation)
	self.Message = fmt.Sprintf("%s is %s; expected %s", subject(self.Pointer), show(value), expectation(self.Rule, strings.Join(unique(allowed), " or ")))
	return []finding{self}
}

func expectation(rule, fallback string) string {
	if expected := rulesByID[rule].Expected; expected != "" {
		return expected
	}
	if fallback == "" {
		return "a value of another type"
	}
	return fallback
}

func unique(items []string) []string {
	seen := map[string]bool{}
	var kept []string
	for _, item := range items {
		if !seen[item] {
			seen[item] = true
			kept = append(kept, item)
		}
	}
	return kept
}

// message words a failing keyword: the rule's expectation when the registry states one.
func (c *checker) message(rule, keyword string, verr *jsonschema.ValidationError, value any) string {
	at := pointerOf(verr.InstanceLocation)
	if expected := rulesByID[rule].Expected; expected != "" {
		return fmt.Sprintf("%s is %s; expected %s", subject(at), show(value), expected)
	}
	switch k := verr.ErrorKind.(type) {
	case *kind.Enum:
		shown := make([]string, len(k.Want))
		for i, want := range k.Want {
			shown[i] = show(want)
		}
		return fmt.Sprintf("%s is %s; expected one of %s", subject(at), show(value), strings.Join(shown, ", "))
	case *kind.Type:
		return fmt.Sprintf("%s is %s; expected %s", subject(at), show(value), strings.Join(k.Want, " or "))
	}
	return fmt.Sprintf("%s is %s; %s", subject(at), show(value), verr.ErrorKind.LocalizedString(printer))
}

// valueAt is the value at a path of a decoded document; nil when there is none.
func valueAt(document any, path []string) any {
	value := document
	for _, step := range path {
		switch node := value.(type) {
		case map[string]any:
			value = node[step]
		case []any:
			var i int
			if _, err := fmt.Sscan(step, &i); err != nil || i < 0 || i >= len(node) {
				return nil
			}
			value = node[i]
		default:
			return nil
		}
	}
	return value
}
