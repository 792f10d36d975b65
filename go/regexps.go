package jobspec

import (
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schemas' patterns, compiled by Go's regexp (RE2: the schemas use only what RE2 and
// ECMA-262 read alike), with their verdicts on short strings remembered: member names
// (matched by every object's patternProperties and propertyNames in the closed bundles),
// payload types and enum-like values come again in every document.

const (
	rememberedLength = 64    // longer strings (paths, free text) are matched each time
	rememberedCount  = 4_096 // per pattern: a hostile stream of new names cannot grow it further
)

type rememberingRegexp struct {
	re      *regexp.Regexp
	known   sync.Map // string -> bool
	entries atomic.Int32
}

func compilePattern(pattern string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	return &rememberingRegexp{re: re}, nil
}

func (r *rememberingRegexp) MatchString(text string) bool {
	if len(text) > rememberedLength {
		return r.re.MatchString(text)
	}
	if found, ok := r.known.Load(text); ok {
		return found.(bool)
	}
	matched := r.re.MatchString(text)
	if r.entries.Add(1) <= rememberedCount {
		r.known.Store(text, matched)
	}
	return matched
}

func (r *rememberingRegexp) String() string { return r.re.String() }
