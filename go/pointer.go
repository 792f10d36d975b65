package jobspec

import "strings"

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
