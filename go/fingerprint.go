package jobspec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The payload fingerprint of a job (specification, section 8), as the Python package's
// fingerprint computes it: the lower-case hex SHA-256 of the RFC 8785 (JCS) serialization
// of {"operation", "payload"} as decoded. tests/conformance/fingerprints.json pins it.

// exactNumbers: numbers of this magnitude or more have no fingerprint (above 2^53 doubles
// skip integers, so two payloads could share one).
const exactNumbers = 1 << 53

// Fingerprint gives the payload fingerprint of a job's JSON text, read by the strict decoder
// (Limits{} for the defaults); an error when the job has none.
func Fingerprint(data []byte, limits Limits) (string, error) {
	document, issues := decode(data, limits.orDefaults())
	if len(issues) > 0 {
		where := ""
		if issues[0].Pointer != "" {
			where = " at " + issues[0].Pointer
		}
		return "", fmt.Errorf("no fingerprint: %s (%s%s)", issues[0].Message, issues[0].Rule, where)
	}
	return fingerprintOf(document)
}

// fingerprintOf gives the fingerprint of a decoded job.
func fingerprintOf(document any) (string, error) {
	canonical, err := canonicalOf(document)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256(canonical)
	return hex.EncodeToString(digest[:]), nil
}

// canonicalOf is the JCS text of a decoded job's {"operation", "payload"}.
func canonicalOf(document any) ([]byte, error) {
	job, ok := document.(map[string]any)
	operation, hasOperation := job["operation"]
	payload, hasPayload := job["payload"]
	if !ok || !hasOperation || !hasPayload {
		return nil, errors.New("no fingerprint: expected a job, an object with the members operation and payload")
	}
	var out bytes.Buffer
	err := writeCanonical(&out, map[string]any{"operation": operation, "payload": payload}, nil)
	return out.Bytes(), err
}

func writeCanonical(out *bytes.Buffer, value any, path []string) error {
	switch v := value.(type) {
	case nil:
		out.WriteString("null")
	case bool:
		out.WriteString(strconv.FormatBool(v))
	case string:
		writeCanonicalString(out, v)
	case int64:
		if v >= exactNumbers || v <= -exactNumbers {
			return tooLarge(path, strconv.FormatInt(v, 10))
		}
		out.WriteString(strconv.FormatInt(v, 10))
	case float64:
		if math.Abs(v) >= exactNumbers {
			return tooLarge(path, strconv.FormatFloat(v, 'g', -1, 64))
		}
		out.WriteString(ecmaScriptNumber(v))
	case []any:
		out.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := writeCanonical(out, item, append(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		// JCS orders members by their names' UTF-16 code units.
		slices.SortFunc(keys, func(a, b string) int { return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b))) })
		out.WriteByte('{')
		for i, key := range keys {
			if i > 0 {
				out.WriteByte(',')
			}
			writeCanonicalString(out, key)
			out.WriteByte(':')
			if err := writeCanonical(out, v[key], append(path, key)); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	default:
		return fmt.Errorf("no fingerprint: the value at %s is a %T, not JSON", pointerOf(path), value)
	}
	return nil
}

func tooLarge(path []string, number string) error {
	return fmt.Errorf("no fingerprint: the number at %s is %s, of magnitude 2**53 or more, where a double no longer holds "+
		"every integer and two payloads could share a fingerprint; expected a number within +-9007199254740991 "+
		"(write larger ones as strings)", pointerOf(path), number)
}

// writeCanonicalString writes a string as JCS does (JSON.stringify's escaping).
func writeCanonicalString(out *bytes.Buffer, text string) {
	out.WriteByte('"')
	for _, r := range text {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(out, `\u%04x`, r)
			} else {
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}

// ecmaScriptNumber writes a double as ECMAScript's Number.prototype.toString does (JCS's
// number form): the shortest digits that read back, in plain notation from 1e-6 to below 1e21.
func ecmaScriptNumber(v float64) string {
	if v == 0 {
		return "0"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	digits := strings.Replace(mantissa, ".", "", 1)
	e, _ := strconv.Atoi(exponent)
	n := e + 1 // the value is 0.digits x 10^n
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	exp := strconv.Itoa(n - 1)
	if n-1 >= 0 {
		exp = "+" + exp
	}
	if k == 1 {
		return sign + digits + "e" + exp
	}
	return sign + digits[:1] + "." + digits[1:] + "e" + exp
}
