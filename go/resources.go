package jobspec

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// The schemas and bundles, copied below the module by `make gen` (go:embed reads no file
// outside it) and drift-checked with the rest of the generated code.
//
//go:embed schemas bundles
var files embed.FS

// Schema returns the bytes of a file of schemas/, such as "job-v1.json" or
// "payloads/guestkit.inspect.v1.json", exactly as the package ships it.
func Schema(name string) ([]byte, error) {
	return files.ReadFile(path.Join("schemas", name))
}

// Bundle returns a document type's single-file schema, as bundles/ holds it: every
// reference inside; closed, the variant that also rejects unknown fields.
func Bundle(docType string, closed bool) ([]byte, error) {
	entry, ok := protocolIndex.Documents[docType]
	if !ok {
		return nil, fmt.Errorf("unknown document type %q; expected one of %s", docType, strings.Join(DocumentTypes(), ", "))
	}
	suffix := ".bundle.json"
	if closed {
		suffix = ".closed.bundle.json"
	}
	return files.ReadFile(path.Join("bundles", strings.TrimSuffix(entry.File, ".json")+suffix))
}

type indexEntry struct {
	ID        string `json:"id"`
	File      string `json:"file"`
	Title     string `json:"title"`
	Operation string `json:"operation"`
}

type index struct {
	ProtocolVersion string                `json:"protocol_version"`
	Documents       map[string]indexEntry `json:"documents"`
	Payloads        map[string]indexEntry `json:"payloads"`
	Definitions     map[string]indexEntry `json:"definitions"`
	Rules           string                `json:"rules"`
	Keywords        string                `json:"keywords"`
	documentOrder   []string
}

// Rule is an entry of the rules registry (schemas/rules-v1.json).
type Rule struct {
	ID             string `json:"id"`
	Severity       string `json:"severity"`
	StrictSeverity string `json:"strict_severity"`
	Layer          string `json:"layer"`
	Summary        string `json:"summary"`
	Expected       string `json:"expected"`
}

var (
	protocolIndex = mustIndex()
	rulesByID     = mustRules()
	// The generic rule of each schema keyword (schemas/keywords-v1.json): `required` is
	// schema.required, `type` and `anyOf` are schema.type...
	keywordRules = mustKeywordRules()
)

func mustRead(name string) []byte {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err) // embedded: cannot fail but for a broken build
	}
	return data
}

func mustUnmarshal(data []byte, into any) {
	if err := json.Unmarshal(data, into); err != nil {
		panic(err)
	}
}

func mustIndex() *index {
	data := mustRead("schemas/index.json")
	var found index
	mustUnmarshal(data, &found)
	found.documentOrder = objectKeys(data, "documents")
	return &found
}

// objectKeys lists the member names of one top-level object member, in document order.
func objectKeys(data []byte, member string) []string {
	var raw map[string]json.RawMessage
	mustUnmarshal(data, &raw)
	decoder := json.NewDecoder(bytes.NewReader(raw[member]))
	var keys []string
	depth := 0
	for {
		token, err := decoder.Token()
		if err != nil {
			return keys
		}
		switch token := token.(type) {
		case json.Delim:
			if token == '{' || token == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && decoder.More() {
				keys = append(keys, token)
				var skip json.RawMessage
				if err := decoder.Decode(&skip); err != nil {
					panic(err)
				}
			}
		}
	}
}

func mustRules() map[string]Rule {
	var registry struct {
		Rules []Rule `json:"rules"`
	}
	mustUnmarshal(mustRead("schemas/"+protocolIndex.Rules), &registry)
	found := make(map[string]Rule, len(registry.Rules))
	for _, rule := range registry.Rules {
		found[rule.ID] = rule
	}
	return found
}

func mustKeywordRules() map[string]string {
	var table struct {
		Keywords map[string]struct {
			Rule string `json:"rule"`
		} `json:"keywords"`
	}
	mustUnmarshal(mustRead("schemas/"+protocolIndex.Keywords), &table)
	found := map[string]string{}
	for keyword, entry := range table.Keywords {
		if entry.Rule != "" {
			found[keyword] = entry.Rule
		}
	}
	return found
}

// DocumentTypes lists the document types (job, result, progress, worker, lease, cancel) in
// the index's order.
func DocumentTypes() []string {
	return append([]string(nil), protocolIndex.documentOrder...)
}

// PayloadTypes lists the registered payload types, sorted.
func PayloadTypes() []string {
	types := make([]string, 0, len(protocolIndex.Payloads))
	for name := range protocolIndex.Payloads {
		types = append(types, name)
	}
	sort.Strings(types)
	return types
}

// Rules returns the rules registry's entry of a rule id.
func Rules(id string) (Rule, bool) {
	rule, ok := rulesByID[id]
	return rule, ok
}

// ProtocolVersion is the protocol version the embedded schemas state (schemas/index.json).
func ProtocolVersion() string {
	return protocolIndex.ProtocolVersion
}
