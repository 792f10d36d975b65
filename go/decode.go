package jobspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Limits bound what decoding accepts, each checked under its own rule id. The zero value of
// a field means its default (DefaultLimits).
type Limits struct {
	MaxDocumentBytes    int // largest document, in bytes of UTF-8 (json.size)
	MaxDepth            int // deepest nesting of arrays and objects, the top-level value being 1 (json.depth)
	MaxStringLength     int // longest string or member name, in characters (json.string-length)
	MaxContainerEntries int // most entries in one array or object (json.container-size)
}

// DefaultLimits are the Python package's defaults: every realistic document fits.
var DefaultLimits = Limits{MaxDocumentBytes: 16 << 20, MaxDepth: 64, MaxStringLength: 1 << 20, MaxContainerEntries: 100_000}

// decoderMaxDepth is the reference decoder's own nesting limit (jiter reads 201 levels and
// refuses the 202nd), beyond which the text is refused outright rather than checked
// against Limits.MaxDepth.
const decoderMaxDepth = 201

func (l Limits) orDefaults() Limits {
	pick := func(value, fallback int) int {
		if value > 0 {
			return value
		}
		return fallback
	}
	return Limits{
		MaxDocumentBytes:    pick(l.MaxDocumentBytes, DefaultLimits.MaxDocumentBytes),
		MaxDepth:            pick(l.MaxDepth, DefaultLimits.MaxDepth),
		MaxStringLength:     pick(l.MaxStringLength, DefaultLimits.MaxStringLength),
		MaxContainerEntries: pick(l.MaxContainerEntries, DefaultLimits.MaxContainerEntries),
	}
}

// A decoded JSON value is one of: map[string]any (an object), []any, string, bool, nil,
// int64 (a number written as an integer) or float64 (any other number).

var boms = []struct {
	prefix  string
	problem string
}{
	{"\xef\xbb\xbf", "starts with a UTF-8 byte order mark; remove it (JSON text has none)"},
	{"\xff\xfe", "starts with a UTF-16 byte order mark; save it as UTF-8"},
	{"\xfe\xff", "starts with a UTF-16 byte order mark; save it as UTF-8"},
}

// nonFinite are the literals the reference decoder reads as numbers, to report under
// json.non-finite-number rather than as a syntax error.
var nonFinite = []string{"NaN", "Infinity", "-Infinity"}

// decode reads one JSON text strictly, as the Python package's decoder does: its issues
// are either one issue of the text as a whole (syntax, duplicate key, encoding, trailing
// data, nesting beyond the decoder) with no value, or every value-level issue found
// (ranges and limits) beside the value.
func decode(data []byte, limits Limits) (any, []Issue) {
	if len(data) > limits.MaxDocumentBytes {
		return nil, []Issue{{Rule: "json.size", Message: fmt.Sprintf(
			"the document has %s bytes, more than the limit of %s", thousands(len(data)), thousands(limits.MaxDocumentBytes))}}
	}
	for _, bom := range boms {
		if bytes.HasPrefix(data, []byte(bom.prefix)) {
			return nil, []Issue{{Rule: "json.encoding", Message: "the document " + bom.problem}}
		}
	}
	if len(strings.TrimLeft(string(data), " \t\r\n")) == 0 {
		return nil, []Issue{{Rule: "json.syntax", Message: "the document is empty; expected a JSON object"}}
	}
	// A NaN or Infinity the tokenizer refuses is read again as 1e999, a number no double
	// holds, which the value checks report where it stands.
	for {
		value, issues, err := read(data, limits)
		if err == nil {
			return value, issues
		}
		var syntax *jsontext.SyntacticError
		if errors.As(err, &syntax) {
			if at := int(syntax.ByteOffset); at < len(data) {
				if literal := nonFiniteAt(data[at:]); literal != "" {
					data = append(append(append([]byte(nil), data[:at]...), "1e999"...), data[at+len(literal):]...)
					continue
				}
			}
		}
		return nil, []Issue{textIssue(err, data)}
	}
}

func nonFiniteAt(rest []byte) string {
	for _, literal := range nonFinite {
		if bytes.HasPrefix(rest, []byte(literal)) {
			return literal
		}
	}
	return ""
}

type depthError struct{}

func (depthError) Error() string { return "nesting beyond the decoder's limit" }

type trailingError struct{ offset int64 }

func (trailingError) Error() string { return "trailing data" }

// read decodes the text with the tokenizer, which refuses duplicate names, invalid UTF-8,
// lone surrogate escapes and malformed JSON; the value checks follow.
func read(data []byte, limits Limits) (any, []Issue, error) {
	decoder := decoders.Get().(*jsontext.Decoder)
	defer decoders.Put(decoder)
	// From a bytes.Buffer the tokenizer reads the bytes in place, copying nothing.
	decoder.Reset(bytes.NewBuffer(data))
	r := reader{decoder: decoder, limits: limits}
	value, err := r.value(1)
	if err != nil {
		return nil, nil, err
	}
	offset := decoder.InputOffset()
	if len(strings.TrimLeft(string(data[offset:]), " \t\r\n")) > 0 {
		return nil, nil, trailingError{offset}
	}
	return value, r.issues, nil
}

// Tokenizers are reused: each holds buffers worth keeping between documents.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(bytes.NewBuffer(nil)) }}

type reader struct {
	decoder *jsontext.Decoder
	limits  Limits
	issues  []Issue
	// The place being read, step by step: a member name, or an item's index (the name
	// unused); a pointer is written only for an issue.
	names   []string
	indexes []int
}

func (r *reader) issue(rule string, message string) {
	r.issues = append(r.issues, Issue{Rule: rule, Pointer: r.pointer(), Message: message})
}

func (r *reader) pointer() string {
	path := make([]string, len(r.names))
	for i, name := range r.names {
		path[i] = name
		if r.indexes[i] >= 0 {
			path[i] = strconv.Itoa(r.indexes[i])
		}
	}
	return pointerOf(path)
}

func (r *reader) enter(name string, index int) {
	r.names = append(r.names, name)
	r.indexes = append(r.indexes, index)
}

func (r *reader) leave() {
	r.names, r.indexes = r.names[:len(r.names)-1], r.indexes[:len(r.indexes)-1]
}

func (r *reader) value(depth int) (any, error) {
	token, err := r.decoder.ReadToken()
	if err != nil {
		return nil, err
	}
	switch token.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return token.Bool(), nil
	case '"':
		text := token.String()
		if n := utf8.RuneCountInString(text); n > r.limits.MaxStringLength {
			r.issue("json.string-length", longString("string", n, r.limits))
		}
		return text, nil
	case '0':
		return r.number(token.String()), nil
	case '{', '[':
		if depth > decoderMaxDepth {
			return nil, depthError{}
		}
		// Beyond MaxDepth the container is reported and read on, its insides unchecked.
		deep := depth > r.limits.MaxDepth
		if deep {
			r.issue("json.depth", fmt.Sprintf("arrays and objects are nested deeper than the limit of %d levels", r.limits.MaxDepth))
		}
		value, err := r.container(token.Kind(), depth, deep)
		if err != nil {
			return nil, err
		}
		return value, nil
	}
	return nil, fmt.Errorf("unexpected token %v", token)
}

func (r *reader) container(kind jsontext.Kind, depth int, deep bool) (any, error) {
	var object map[string]any
	var array []any
	checked := r.issues
	for count := 0; ; count++ {
		if r.decoder.PeekKind() == '}' || r.decoder.PeekKind() == ']' {
			if _, err := r.decoder.ReadToken(); err != nil {
				return nil, err
			}
			if deep {
				r.issues = checked // the insides of a container too deep are not checked
			} else if count > r.limits.MaxContainerEntries {
				what := "array"
				if kind == '{' {
					what = "object"
				}
				r.issue("json.container-size", fmt.Sprintf("this %s has %s entries, more than the limit of %s",
					what, thousands(count), thousands(r.limits.MaxContainerEntries)))
			}
			if kind == '{' {
				if object == nil {
					object = map[string]any{}
				}
				return object, nil
			}
			if array == nil {
				array = []any{}
			}
			return array, nil
		}
		if kind == '[' {
			r.enter("", count)
			item, err := r.value(depth + 1)
			r.leave()
			if err != nil {
				return nil, err
			}
			array = append(array, item)
			continue
		}
		name, err := r.decoder.ReadToken()
		if err != nil {
			return nil, err
		}
		key := name.String()
		r.enter(key, -1)
		if n := utf8.RuneCountInString(key); n > r.limits.MaxStringLength {
			r.issue("json.string-length", longString("key", n, r.limits))
		}
		item, err := r.value(depth + 1)
		r.leave()
		if err != nil {
			return nil, err
		}
		if object == nil {
			object = map[string]any{}
		}
		object[key] = item
	}
}

// number reads an integer (no fraction, no exponent) into an int64 and any other number
// into a float64, reporting integers beyond 64 bits and numbers beyond a double.
func (r *reader) number(text string) any {
	if !strings.ContainsAny(text, ".eE") {
		value, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			r.issue("json.integer-range", fmt.Sprintf(
				"the integer %s lies outside the signed 64-bit range; expected %d to %d", describeBig(text), int64(math.MinInt64), int64(math.MaxInt64)))
			return float64(0)
		}
		return value
	}
	value, err := strconv.ParseFloat(text, 64)
	if err != nil && math.IsInf(value, 0) {
		r.issue("json.non-finite-number", "the number is NaN, Infinity or too large for a double; expected a finite number")
	}
	return value
}

func describeBig(text string) string {
	digits := strings.TrimLeft(text, "-")
	if len(digits) <= 39 {
		return text
	}
	return "of " + thousands(len(digits)) + " digits"
}

func longString(what string, length int, limits Limits) string {
	return fmt.Sprintf("this %s has %s characters, more than the limit of %s", what, thousands(length), thousands(limits.MaxStringLength))
}

// textIssue words a refusal of the text as a whole under its rule id.
func textIssue(err error, data []byte) Issue {
	var syntax *jsontext.SyntacticError
	where := ""
	offset := int64(-1)
	if errors.As(err, &syntax) {
		offset = syntax.ByteOffset
	}
	var trailing trailingError
	if errors.As(err, &trailing) {
		offset = trailing.offset
	}
	if offset >= 0 && offset <= int64(len(data)) {
		line := bytes.Count(data[:offset], []byte("\n")) + 1
		column := int(offset) - bytes.LastIndexByte(data[:offset], '\n')
		where = fmt.Sprintf(" (line %d, column %d)", line, column)
	}
	switch {
	case errors.As(err, &trailing):
		return Issue{Rule: "json.trailing-data", Message: "something other than whitespace follows the document" + where + "; expected one JSON document"}
	case errors.Is(err, depthError{}):
		return Issue{Rule: "json.depth", Message: fmt.Sprintf("arrays and objects are nested deeper than the decoder's limit of %d levels", decoderMaxDepth)}
	case errors.Is(err, jsontext.ErrDuplicateName):
		return Issue{Rule: "json.duplicate-key", Message: "a key appears twice in one object" + where + "; keep exactly one (parsers disagree on which wins)"}
	case strings.Contains(err.Error(), "surrogate") || strings.Contains(err.Error(), "invalid escape sequence `\\ud") || strings.Contains(err.Error(), "invalid escape sequence `\\uD"):
		return Issue{Rule: "json.encoding", Message: "a string holds a lone UTF-16 surrogate escape" + where + "; expected a complete surrogate pair"}
	case strings.Contains(err.Error(), "invalid UTF-8"):
		return Issue{Rule: "json.encoding", Message: "the document is not valid UTF-8" + where}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Issue{Rule: "json.syntax", Message: "the document ends too early" + where + ": it is truncated or a bracket is not closed"}
	}
	return Issue{Rule: "json.syntax", Message: "not well-formed JSON: " + err.Error()}
}

func thousands(n int) string {
	text := strconv.Itoa(n)
	for i := len(text) - 3; i > 0 && text[i-1] != '-'; i -= 3 {
		text = text[:i] + "," + text[i:]
	}
	return text
}
