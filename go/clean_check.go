package jobspec

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fast path: most documents a scheduler receives are valid and name no unknown field.
// cleanCheck proves that of a document with the closed bundle's own keywords, compiled
// once into plain structs and checked without allocating; when it cannot (the document
// has a problem, or a keyword it does not know), the validator (santhosh-tekuri/
// jsonschema) words the report. The conformance runner holds the two to the same verdict
// on every case (TestCleanCheckAgreesWithTheValidator), as the Python package holds its
// prover to its reference engine.

type jsonType uint8

const (
	typeNull jsonType = 1 << iota
	typeBoolean
	typeInteger
	typeNumber
	typeString
	typeArray
	typeObject
)

var typeNames = map[string]jsonType{
	"null": typeNull, "boolean": typeBoolean, "integer": typeInteger, "number": typeNumber | typeInteger,
	"string": typeString, "array": typeArray, "object": typeObject,
}

type limit struct {
	set     bool
	integer bool
	whole   int64
	value   float64
}

type patternNode struct {
	re   jsonschema.Regexp
	node *cleanNode
}

type cleanNode struct {
	never               bool // the schema false
	types               jsonType
	constValue          any
	hasConst            bool
	enum                []any
	pattern             jsonschema.Regexp
	minLength           int
	maxLength           int
	minimum, maximum    limit
	minItems            int
	required            []string
	properties          map[string]*cleanNode
	patternProperties   []patternNode
	additional          *cleanNode
	propertyNames       *cleanNode
	items               *cleanNode
	ref                 *cleanNode
	anyOf, allOf        []*cleanNode
	not, ifs, then, els *cleanNode
}

// ignoredKeywords are annotations: they never decide validity (format included, as the
// package leaves format to the schemas' patterns).
var ignoredKeywords = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true, "deprecated": true, "x-rule": true, "format": true,
}

type cleanCompiler struct {
	resources map[string]any // by $id
	compiled  map[string]*cleanNode
}

// compileClean compiles a bundle for the fast path; an error when it uses a keyword the
// fast path does not know (the validator then takes every document).
func compileClean(bundle any, id string) (*cleanNode, error) {
	c := &cleanCompiler{resources: map[string]any{}, compiled: map[string]*cleanNode{}}
	c.collect(bundle, id)
	return c.ref(id, id)
}

func (c *cleanCompiler) collect(node any, base string) {
	switch node := node.(type) {
	case map[string]any:
		if id, ok := node["$id"].(string); ok {
			base = id
			c.resources[id] = node
		}
		for _, child := range node {
			c.collect(child, base)
		}
	case []any:
		for _, child := range node {
			c.collect(child, base)
		}
	}
}

func (c *cleanCompiler) ref(ref, base string) (*cleanNode, error) {
	if strings.HasPrefix(ref, "#") {
		ref = base + ref
	}
	if found, ok := c.compiled[ref]; ok {
		return found, nil
	}
	resource, fragment, _ := strings.Cut(ref, "#")
	target, ok := c.resources[resource]
	if !ok {
		return nil, fmt.Errorf("unresolved $ref %s", ref)
	}
	if fragment != "" {
		for _, step := range strings.Split(strings.TrimPrefix(fragment, "/"), "/") {
			step = strings.NewReplacer("~1", "/", "~0", "~").Replace(step)
			object, ok := target.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("unresolved $ref %s", ref)
			}
			target = object[step]
		}
	}
	node := &cleanNode{}
	c.compiled[ref] = node // before compiling: references may be recursive
	return node, c.fill(node, target, resource)
}

func (c *cleanCompiler) compile(schema any, base string) (*cleanNode, error) {
	node := &cleanNode{}
	return node, c.fill(node, schema, base)
}

func (c *cleanCompiler) compileAll(items any, base string) ([]*cleanNode, error) {
	list, _ := items.([]any)
	nodes := make([]*cleanNode, len(list))
	for i, item := range list {
		var err error
		if nodes[i], err = c.compile(item, base); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

func (c *cleanCompiler) fill(node *cleanNode, schema any, base string) error {
	node.maxLength = -1 // none
	if accept, ok := schema.(bool); ok {
		node.never = !accept
		return nil
	}
	object, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("not a schema: %v", schema)
	}
	if id, ok := object["$id"].(string); ok {
		base = id
	}
	var err error
	for keyword, value := range object {
		switch keyword {
		case "type":
			names, isList := value.([]any)
			if !isList {
				names = []any{value}
			}
			for _, name := range names {
				node.types |= typeNames[fmt.Sprint(name)]
			}
		case "const":
			node.constValue, node.hasConst = value, true
		case "enum":
			node.enum, _ = value.([]any)
		case "pattern":
			node.pattern, err = compilePattern(fmt.Sprint(value))
		case "minLength":
			node.minLength, err = countOf(value)
		case "maxLength":
			node.maxLength, err = countOf(value)
		case "minItems":
			node.minItems, err = countOf(value)
		case "minimum":
			node.minimum, err = limitOf(value)
		case "maximum":
			node.maximum, err = limitOf(value)
		case "required":
			for _, name := range value.([]any) {
				node.required = append(node.required, fmt.Sprint(name))
			}
		case "properties":
			node.properties = map[string]*cleanNode{}
			for name, property := range value.(map[string]any) {
				if node.properties[name], err = c.compile(property, base); err != nil {
					return err
				}
			}
		case "patternProperties":
			for pattern, property := range value.(map[string]any) {
				re, err := compilePattern(pattern)
				if err != nil {
					return err
				}
				compiled, err := c.compile(property, base)
				if err != nil {
					return err
				}
				node.patternProperties = append(node.patternProperties, patternNode{re, compiled})
			}
		case "additionalProperties":
			node.additional, err = c.compile(value, base)
		case "propertyNames":
			node.propertyNames, err = c.compile(value, base)
		case "items":
			node.items, err = c.compile(value, base)
		case "$ref":
			node.ref, err = c.ref(fmt.Sprint(value), base)
		case "anyOf":
			node.anyOf, err = c.compileAll(value, base)
		case "allOf":
			node.allOf, err = c.compileAll(value, base)
		case "not":
			node.not, err = c.compile(value, base)
		case "if":
			node.ifs, err = c.compile(value, base)
		case "then":
			node.then, err = c.compile(value, base)
		case "else":
			node.els, err = c.compile(value, base)
		default:
			if !ignoredKeywords[keyword] {
				return fmt.Errorf("keyword %q is not known to the fast path", keyword)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func countOf(value any) (int, error) {
	number, ok := value.(json.Number)
	if !ok {
		return 0, fmt.Errorf("not a count: %v", value)
	}
	n, err := number.Int64()
	return int(n), err
}

func limitOf(value any) (limit, error) {
	number, ok := value.(json.Number)
	if !ok {
		return limit{}, fmt.Errorf("not a number: %v", value)
	}
	f, err := number.Float64()
	if err != nil {
		return limit{}, err
	}
	whole, wholeErr := number.Int64()
	return limit{set: true, integer: wholeErr == nil, whole: whole, value: f}, nil
}

// exceeded is whether value is below the limit (above it, when sign is -1).
func (l limit) exceeded(value any, sign int) bool {
	if !l.set {
		return false
	}
	var c int
	switch v := value.(type) {
	case int64:
		if l.integer {
			c = cmp.Compare(v, l.whole)
		} else {
			c = cmp.Compare(float64(v), l.value)
		}
	case float64:
		c = cmp.Compare(v, l.value)
	default:
		return false
	}
	return c*sign < 0
}

func typeOf(value any) jsonType {
	switch v := value.(type) {
	case nil:
		return typeNull
	case bool:
		return typeBoolean
	case int64:
		return typeInteger
	case float64:
		if v == math.Trunc(v) && !math.IsInf(v, 0) {
			return typeInteger
		}
		return typeNumber
	case string:
		return typeString
	case []any:
		return typeArray
	case map[string]any:
		return typeObject
	}
	return 0
}

// valid says whether value satisfies the node.
func (n *cleanNode) valid(value any) bool {
	if n.never {
		return false
	}
	if n.types != 0 && typeOf(value)&n.types == 0 {
		return false
	}
	if n.hasConst && !sameJSON(n.constValue, value) {
		return false
	}
	if n.enum != nil && !allows("enum", n.enum, value) {
		return false
	}
	if n.ref != nil && !n.ref.valid(value) {
		return false
	}
	switch v := value.(type) {
	case string:
		if n.pattern != nil && !n.pattern.MatchString(v) {
			return false
		}
		if n.minLength > 0 || n.maxLength >= 0 {
			length := utf8.RuneCountInString(v)
			if length < n.minLength || n.maxLength >= 0 && length > n.maxLength {
				return false
			}
		}
	case int64, float64:
		if n.minimum.exceeded(v, 1) || n.maximum.exceeded(v, -1) {
			return false
		}
	case []any:
		if len(v) < n.minItems {
			return false
		}
		if n.items != nil {
			for _, item := range v {
				if !n.items.valid(item) {
					return false
				}
			}
		}
	case map[string]any:
		if !n.validObject(v) {
			return false
		}
	}
	for _, branch := range n.allOf {
		if !branch.valid(value) {
			return false
		}
	}
	if n.anyOf != nil {
		matched := false
		for _, branch := range n.anyOf {
			if branch.valid(value) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if n.not != nil && n.not.valid(value) {
		return false
	}
	if n.ifs != nil {
		if n.ifs.valid(value) {
			return n.then == nil || n.then.valid(value)
		}
		return n.els == nil || n.els.valid(value)
	}
	return true
}

func (n *cleanNode) validObject(object map[string]any) bool {
	for _, name := range n.required {
		if _, ok := object[name]; !ok {
			return false
		}
	}
	if n.properties == nil && n.patternProperties == nil && n.additional == nil && n.propertyNames == nil {
		return true
	}
	for name, member := range object {
		if n.propertyNames != nil && !n.propertyNames.valid(name) {
			return false
		}
		evaluated := false
		if property, ok := n.properties[name]; ok {
			evaluated = true
			if !property.valid(member) {
				return false
			}
		}
		for _, p := range n.patternProperties {
			if p.re.MatchString(name) {
				evaluated = true
				if !p.node.valid(member) {
					return false
				}
			}
		}
		if !evaluated && n.additional != nil && !n.additional.valid(member) {
			return false
		}
	}
	return true
}

// proves says the fast path finds the document valid, with no unknown field and no integer
// written as a fraction: only the code-only rules can then speak.
func (c *checker) proves(document any) bool {
	return c.clean != nil && c.clean.valid(document) && !hasIntegralFloat(document)
}
