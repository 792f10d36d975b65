package jobspec

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Rules JSON Schema cannot express, one small function per rule id, as the Python package's
// code_rules.py has them. Each looks only at values of the type it expects and stays silent
// otherwise (the schema reports the wrong type).

const (
	longTimeoutSeconds = 86_400
	largeDiskGB        = 100_000
)

type codeRule func(document map[string]any) []Issue

var codeRules = map[string][]codeRule{
	"job": {
		payloadTypeMatchesOperation, payloadTypeRegistered, attemptWithinMax, timeoutNotTooLong,
		deadlineAfterCreation, diskSizeNotTooLarge, idempotencyKeyNotEmpty,
	},
	"lease": {leaseAttemptWithinMax, leaseTimesAfterLeased},
}

var payloadTypePattern = regexp.MustCompile(commonPattern("PayloadType"))

func commonPattern(name string) string {
	var common struct {
		Defs map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"$defs"`
	}
	mustUnmarshal(mustRead("schemas/"+protocolIndex.Definitions["common"].File), &common)
	return common.Defs[name].Pattern
}

func codeIssues(document any, docType string) []Issue {
	object, ok := document.(map[string]any)
	if !ok {
		return nil
	}
	var issues []Issue
	for _, rule := range codeRules[docType] {
		issues = append(issues, rule(object)...)
	}
	return issues
}

func section(document map[string]any, name string) map[string]any {
	if value, ok := document[name].(map[string]any); ok {
		return value
	}
	return map[string]any{}
}

// integer is a value as the schema reads an integer: written as one, or with a fraction or
// an exponent (2.0 is the integer 2) within 64 bits.
func integer(value any) (int64, bool) {
	switch value := value.(type) {
	case int64:
		return value, true
	case float64:
		if value == math.Trunc(value) && math.Abs(value) < 1<<63 {
			return int64(value), true
		}
	}
	return 0, false
}

// orOne is the value, or 1 where Python's `value or 1` gives 1: absent, null, false, 0, "", [], {}.
func orOne(value any) any {
	switch value := value.(type) {
	case nil:
		return int64(1)
	case bool, int64, float64, string:
		if value == false || value == int64(0) || value == float64(0) || value == "" {
			return int64(1)
		}
	case []any:
		if len(value) == 0 {
			return int64(1)
		}
	case map[string]any:
		if len(value) == 0 {
			return int64(1)
		}
	}
	return value
}

// payloadOperation is the payload type and the operation it names, when it is well formed.
func payloadOperation(document map[string]any) (string, string, bool) {
	payloadType, ok := section(document, "payload")["type"].(string)
	if !ok || !payloadTypePattern.MatchString(payloadType) {
		return "", "", false
	}
	return payloadType, payloadType[:strings.LastIndexByte(payloadType, '.')], true
}

func payloadTypeMatchesOperation(document map[string]any) []Issue {
	payloadType, named, ok := payloadOperation(document)
	operation, isString := document["operation"].(string)
	if !ok || !isString || named == operation {
		return nil
	}
	return []Issue{{"job.payload-type.matches-operation", "/payload/type", fmt.Sprintf(
		"payload type %s is for operation %s, but the job's operation is %s; expected %s or another version of it",
		show(payloadType), show(named), show(operation), show(operation+".v1"))}}
}

func payloadTypeRegistered(document map[string]any) []Issue {
	payloadType, operation, ok := payloadOperation(document)
	if _, registered := protocolIndex.Payloads[payloadType]; !ok || registered {
		return nil
	}
	var versions []string
	for _, name := range PayloadTypes() {
		if protocolIndex.Payloads[name].Operation == operation {
			versions = append(versions, name)
		}
	}
	known := ""
	if len(versions) > 0 {
		known = fmt.Sprintf("; registered for %s: %s", operation, strings.Join(versions, ", "))
	}
	return []Issue{{"job.payload-type.unregistered", "/payload/type", fmt.Sprintf(
		"no schema is registered for payload type %s, so payload.data is not checked (allowed, for forward compatibility; strict mode rejects it)%s",
		show(payloadType), known)}}
}

func attemptWithinMax(document map[string]any) []Issue {
	execution := section(document, "execution")
	attempt, attemptOK := integer(orOne(execution["attempt"]))
	most, mostOK := integer(orOne(execution["max_attempts"]))
	if !attemptOK || !mostOK || attempt <= most {
		return nil
	}
	defaulted := ""
	if execution["max_attempts"] == nil {
		defaulted = " (the default)"
	}
	return []Issue{{"execution.attempt.within-max", "/execution/attempt", fmt.Sprintf(
		"attempt is %d but max_attempts is %d%s; expected an attempt of at most %d, or a larger max_attempts", attempt, most, defaulted, most)}}
}

func timeoutNotTooLong(document map[string]any) []Issue {
	timeout, ok := integer(section(document, "execution")["timeout_seconds"])
	if !ok || timeout <= longTimeoutSeconds {
		return nil
	}
	return []Issue{{"execution.timeout.long", "/execution/timeout_seconds", fmt.Sprintf(
		"timeout_seconds is %d (%.1f hours), above 24 hours; allowed, but check it is meant", timeout, float64(timeout)/3600)}}
}

func deadlineAfterCreation(document map[string]any) []Issue {
	created, createdOK := document["created_at"].(string)
	deadline, deadlineOK := section(document, "execution")["deadline"].(string)
	if !createdOK || !deadlineOK {
		return nil
	}
	createdAt, ok1 := instant(created)
	deadlineAt, ok2 := instant(deadline)
	if !ok1 || !ok2 || deadlineAt.compare(createdAt) >= 0 {
		return nil
	}
	return []Issue{{"execution.deadline.after-created", "/execution/deadline", fmt.Sprintf(
		"deadline %s is earlier than created_at %s; expected a deadline at or after creation", show(deadline), show(created))}}
}

func diskSizeNotTooLarge(document map[string]any) []Issue {
	size, ok := integer(section(document, "constraints")["maximum_disk_size_gb"])
	if !ok || size <= largeDiskGB {
		return nil
	}
	return []Issue{{"constraints.disk-size.large", "/constraints/maximum_disk_size_gb", fmt.Sprintf(
		"maximum_disk_size_gb is %s GB, above 100 TB; allowed, but check the unit is GB", thousands64(size))}}
}

func idempotencyKeyNotEmpty(document map[string]any) []Issue {
	if key, ok := section(document, "execution")["idempotency_key"].(string); !ok || key != "" {
		return nil
	}
	return []Issue{{"execution.idempotency-key.empty", "/execution/idempotency_key",
		"idempotency_key is an empty string, which means no key: a resubmission of this job runs again; give a key, or leave the member out"}}
}

func leaseAttemptWithinMax(document map[string]any) []Issue {
	// A lease need not state max_attempts: absent or null, there is nothing to compare.
	attempt, attemptOK := integer(document["attempt"])
	most, mostOK := integer(document["max_attempts"])
	if !attemptOK || !mostOK || attempt <= most {
		return nil
	}
	return []Issue{{"lease.attempt.within-max", "/attempt", fmt.Sprintf(
		"attempt is %d but max_attempts is %d; expected an attempt of at most max_attempts: no lease is granted past the job's last attempt", attempt, most)}}
}

func leaseTimesAfterLeased(document map[string]any) []Issue {
	leased, _ := document["leased_at"].(string)
	leasedAt, ok := instant(leased) // the schema reports a malformed one
	if !ok {
		return nil
	}
	var issues []Issue
	for _, name := range []string{"expires_at", "timeout_at"} {
		value, _ := document[name].(string)
		if at, ok := instant(value); ok && at.compare(leasedAt) <= 0 {
			issues = append(issues, Issue{"lease.times.after-leased", "/" + name, fmt.Sprintf(
				"%s %s is not after leased_at %s; expected a later instant", name, show(value), show(leased))})
		}
	}
	return issues
}

func thousands64(n int64) string {
	text := strconv.FormatInt(n, 10)
	for i := len(text) - 3; i > 0 && text[i-1] != '-'; i -= 3 {
		text = text[:i] + "," + text[i:]
	}
	return text
}

var rfc3339 = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|([+-])([0-9]{2}):([0-9]{2}))$`)

// moment is an RFC 3339 date-time as an exact instant: whole seconds since the epoch and
// the digits of the fraction.
type moment struct {
	seconds  int64
	fraction string
}

// instant reads an RFC 3339 date-time exactly, as the Python package's timestamps.instant.
func instant(text string) (moment, bool) {
	m := rfc3339.FindStringSubmatch(text)
	if m == nil {
		return moment{}, false
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	year, month, day, hour, minute, second := n(1), n(2), n(3), n(4), n(5), n(6)
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if year < 1 || t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != second {
		return moment{}, false
	}
	offset := 0
	if m[8] != "Z" {
		offset = (n(10)*3600 + n(11)*60)
		if m[9] == "-" {
			offset = -offset
		}
	}
	return moment{t.Unix() - int64(offset), strings.TrimPrefix(m[7], ".")}, true
}

func (a moment) compare(b moment) int {
	if a.seconds != b.seconds {
		if a.seconds < b.seconds {
			return -1
		}
		return 1
	}
	width := max(len(a.fraction), len(b.fraction))
	return strings.Compare(a.fraction+strings.Repeat("0", width-len(a.fraction)), b.fraction+strings.Repeat("0", width-len(b.fraction)))
}
