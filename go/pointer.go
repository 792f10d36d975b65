package jobspec

import (
	"slices"
	"strings"
)

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointerOf is the RFC 6901 JSON Pointer of a path of member names and item indexes.
func pointerOf(path []string) string {
	var b strings.Builder
	for _, step := range path {
		b.WriteByte('/')
		pointerEscaper.WriteString(&b, step)
	}
	return b.String()
}

// sortedKeys lists an object's member names in order: decoded objects keep no order, and
// what walks them reports in a stable one.
func sortedKeys(object map[string]any) []string {
	keys := make([]string, 0, len(object))
	for key := range object {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}
