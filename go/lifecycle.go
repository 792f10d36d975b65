package jobspec

import (
	"fmt"
	"slices"
	"strings"
)

// The lifecycle of protocol 1.1 (docs/job-protocol-v1.md, section 15), checked on traces
// (tests/conformance/README.md, "Traces"): the checker of the Python package's
// validation.lifecycle and the npm package's checkTrace, case for case.

var (
	workerMessages = []string{"heartbeat", "progress", "result", "release"}
	refusable      = append(slices.Clone(workerMessages), "cancel", "resubmit")
	repeatable     = []string{"result", "release"} // sent again, unchanged, when the answer was lost
	traceMessages  = append(slices.Clone(refusable), "submit", "claim", "expire", "timeout", "deadline")
	endsLease      = []string{"queued", "completed", "failed", "cancelled", "timeout"}
)

// malformed is a trace that is not well formed: an error of the test, not a verdict.
type malformed string

func (m malformed) Error() string { return string(m) }

func object(value any) map[string]any {
	if found, ok := value.(map[string]any); ok {
		return found
	}
	return map[string]any{}
}

func stringMember(container map[string]any, name string) string {
	value, ok := container[name].(string)
	if !ok {
		panic(malformed(fmt.Sprintf("a trace step needs %s (string); found %s", name, show(container[name]))))
	}
	return value
}

func intMember(container map[string]any, name string) int64 {
	value, ok := integer(container[name])
	if !ok {
		panic(malformed(fmt.Sprintf("a trace step needs %s (int); found %s", name, show(container[name]))))
	}
	return value
}

func momentOf(value any, what string) moment {
	text, _ := value.(string)
	found, ok := instant(text)
	if !ok {
		panic(malformed(fmt.Sprintf("%s is not an RFC 3339 date-time: %s", what, show(value))))
	}
	return found
}

// shown renders a value as Python's repr does, so that every checker says the same words.
func shown(value any) string {
	if text, ok := value.(string); ok {
		return "'" + text + "'"
	}
	return show(value)
}

func orDefault(value any, fallback int64) int64 {
	if found, ok := integer(value); ok {
		return found
	}
	return fallback
}

type breach struct{ rule, message string }

type lease struct {
	leaseID, workerID   string
	attempt             int64
	leasedAt, expiresAt moment
}

// traceJob is what the scheduler knows of the job while a trace is replayed.
type traceJob struct {
	jobID                       string
	scope                       [2]any // metadata.namespace and the idempotency key (nil: none)
	fingerprint                 string
	maxAttempts, timeoutSeconds int64
	cancellable                 bool
	deadlineAt                  *moment
	status                      string
	lastAttempt                 int64
	lease                       *lease
	sequence                    *int64
	cancelRequested             bool
	ended                       map[string]endedBy // lease id -> the result or release that ended it
}

type endedBy struct {
	message  string
	document any
}

// scopeOf is a job's idempotency scope and key (section 8): no key when it is absent, null or empty.
func scopeOf(job map[string]any) [2]any {
	var key any
	if text, ok := object(job["execution"])["idempotency_key"].(string); ok && text != "" {
		key = text
	}
	return [2]any{object(job["metadata"])["namespace"], key}
}

func newTraceJob(job map[string]any) *traceJob {
	execution := object(job["execution"])
	t := &traceJob{
		jobID:          stringMember(job, "job_id"),
		scope:          scopeOf(job),
		ended:          map[string]endedBy{},
		maxAttempts:    orDefault(execution["max_attempts"], 1),
		timeoutSeconds: orDefault(execution["timeout_seconds"], 3600),
		cancellable:    execution["cancellable"] != false,
		status:         "queued",
		lastAttempt:    orDefault(execution["attempt"], 1) - 1,
	}
	if execution["deadline"] != nil {
		deadline := momentOf(execution["deadline"], "execution.deadline")
		t.deadlineAt = &deadline
	}
	if t.scope[1] != nil {
		found, err := fingerprintOf(job)
		if err != nil {
			panic(malformed(fmt.Sprintf("a job with an idempotency key and %s is refused at submission (section 8)", err)))
		}
		t.fingerprint = found
	}
	return t
}

// repeats says whether the message is the result or release that ended its lease, sent
// again unchanged (a worker that lost the answer retries): accepted again, it changes nothing.
func (t *traceJob) repeats(step map[string]any) bool {
	kind, _ := step["message"].(string)
	if !slices.Contains(repeatable, kind) {
		return false
	}
	leaseID, _ := step["lease_id"].(string)
	ended, ok := t.ended[leaseID]
	return ok && ended.message == kind && sameJSON(ended.document, step["document"])
}

// mismatch is a client's or worker's document about another job than the message's, or a
// body naming another lease than the one it is sent under (the URL path).
func (t *traceJob) mismatch(step map[string]any) *breach {
	kind := step["message"].(string)
	if !slices.Contains([]string{"progress", "result", "cancel"}, kind) {
		return nil // a release carries no document
	}
	document := object(step["document"])
	if jobID, named := document["job_id"]; named && jobID != t.jobID {
		return &breach{"lifecycle.message.mismatch", fmt.Sprintf("the %s is about job %s, not %s", kind, shown(jobID), shown(t.jobID))}
	}
	if kind == "cancel" {
		return nil
	}
	sentUnder := stringMember(step, "lease_id")
	if named := document["lease_id"]; named != nil && named != sentUnder {
		return &breach{"lifecycle.message.mismatch", fmt.Sprintf("the %s names lease %s and is sent under lease %s", kind, shown(named), shown(sentUnder))}
	}
	return nil
}

func (t *traceJob) resubmit(step map[string]any) *breach {
	job := object(step["document"])
	scope := scopeOf(job)
	if scope[1] != nil {
		again, err := fingerprintOf(job)
		if err != nil {
			return &breach{"lifecycle.submission.no-fingerprint", "the job carries a key and has no fingerprint"}
		}
		if scope == t.scope {
			if again != t.fingerprint {
				return &breach{"lifecycle.submission.conflict", fmt.Sprintf("idempotency key %s is recorded with another payload fingerprint", shown(scope[1]))}
			}
			return nil
		}
	}
	if job["job_id"] == t.jobID {
		return &breach{"lifecycle.submission.job-id-taken", fmt.Sprintf("job id %s is another submission's", shown(t.jobID))}
	}
	panic(malformed("a resubmit shares the job's idempotency key and scope, or its job id"))
}

func (t *traceJob) breach(step map[string]any, now moment) *breach {
	kind := step["message"].(string)
	if t.repeats(step) {
		return nil
	}
	if found := t.mismatch(step); found != nil {
		return found
	}
	if kind == "resubmit" {
		return t.resubmit(step)
	}
	if kind == "cancel" && t.status == "cancelled" {
		return nil // asked again: already done
	}
	if terminal, _ := IsTerminal(t.status); terminal {
		return &breach{"state.transition", fmt.Sprintf("the job is %s: %s cannot change it", t.status, kind)}
	}
	if slices.Contains(workerMessages, kind) {
		if found := t.fenced(step, now); found != nil {
			return found
		}
	}
	switch kind {
	case "claim":
		return t.claim(step, now)
	case "progress":
		return t.progress(step)
	case "result":
		status := stringMember(object(step["document"]), "status")
		if issue := CheckTransition(t.status, status); issue != nil {
			return &breach{issue.Rule, fmt.Sprintf("a %s result while the job is %s: %s", status, t.status, issue.Message)}
		}
	case "cancel":
		if (t.status == "assigned" || t.status == "running") && !t.cancellable {
			return &breach{"lifecycle.cancel.not-cancellable", fmt.Sprintf("the job is %s and its execution.cancellable is false", t.status)}
		}
	case "expire":
		held := t.held(step)
		if now.compare(held.expiresAt) < 0 {
			return &breach{"lifecycle.lease.live", fmt.Sprintf("lease '%s' is taken back before its expires_at", held.leaseID)}
		}
	case "timeout":
		held := t.held(step)
		due := moment{held.leasedAt.seconds + t.timeoutSeconds, held.leasedAt.fraction}
		if now.compare(due) < 0 {
			return &breach{"lifecycle.timeout", fmt.Sprintf("the attempt is timed out before timeout_seconds (%d) passed", t.timeoutSeconds)}
		}
	case "deadline":
		if t.deadlineAt == nil || now.compare(*t.deadlineAt) < 0 {
			return &breach{"lifecycle.deadline", "the job is timed out for its deadline before the deadline"}
		}
	}
	return nil // heartbeat and release break nothing once fenced
}

func (t *traceJob) fenced(step map[string]any, now moment) *breach {
	kind := step["message"].(string)
	leaseID := stringMember(step, "lease_id")
	if t.lease == nil || t.lease.leaseID != leaseID {
		held := "no lease"
		if t.lease != nil {
			held = fmt.Sprintf("lease '%s'", t.lease.leaseID)
		}
		return &breach{"lifecycle.lease.fenced", fmt.Sprintf("lease '%s' is not the job's current lease (%s)", leaseID, held)}
	}
	if now.compare(t.lease.expiresAt) >= 0 {
		return &breach{"lifecycle.lease.fenced", fmt.Sprintf("lease '%s' expired before this %s", leaseID, kind)}
	}
	document := object(step["document"])
	attempt, named := document["attempt"]
	if !named {
		attempt = object(document["execution_summary"])["attempt"]
	}
	for _, check := range []struct {
		name        string
		given, held any
	}{{"lease_id", document["lease_id"], t.lease.leaseID}, {"worker_id", document["worker_id"], t.lease.workerID}, {"attempt", attempt, t.lease.attempt}} {
		if check.given != nil && !sameJSON(check.given, check.held) {
			return &breach{"lifecycle.lease.fenced", fmt.Sprintf("the %s names %s %s; the lease's is %s", kind, check.name, shown(check.given), shown(check.held))}
		}
	}
	return nil
}

func (t *traceJob) claim(step map[string]any, now moment) *breach {
	document := object(step["document"])
	if issue := CheckTransition(t.status, "assigned"); issue != nil {
		return &breach{issue.Rule, fmt.Sprintf("a claim while the job is %s: %s", t.status, issue.Message)}
	}
	attempt := intMember(document, "attempt")
	if attempt != t.lastAttempt+1 {
		return &breach{"lifecycle.attempt.sequence", fmt.Sprintf("the claim is attempt %d; the next attempt is %d", attempt, t.lastAttempt+1)}
	}
	if attempt > t.maxAttempts {
		return &breach{"lifecycle.attempts.exhausted", fmt.Sprintf("attempt %d is past max_attempts %d", attempt, t.maxAttempts)}
	}
	if t.deadlineAt != nil && now.compare(*t.deadlineAt) >= 0 {
		return &breach{"lifecycle.deadline", "the job is claimed at or after its deadline"}
	}
	return nil
}

func (t *traceJob) progress(step map[string]any) *breach {
	sequence := intMember(object(step["document"]), "sequence")
	if t.sequence == nil && sequence != 0 {
		return &breach{"lifecycle.progress.sequence", fmt.Sprintf("the attempt's first progress event has sequence %d", sequence)}
	}
	if t.sequence != nil && sequence <= *t.sequence {
		return &breach{"lifecycle.progress.sequence", fmt.Sprintf("sequence %d does not increase on the previous %d", sequence, *t.sequence)}
	}
	return nil
}

// held is the current lease, which a scheduler's own message must name.
func (t *traceJob) held(step map[string]any) *lease {
	leaseID := stringMember(step, "lease_id")
	if t.lease == nil || t.lease.leaseID != leaseID {
		panic(malformed(fmt.Sprintf("the scheduler's %v names lease '%s', not the current lease", step["message"], leaseID)))
	}
	return t.lease
}

// outcome is the status the protocol prescribes after an accepted message, and the rule a
// trace saying otherwise breaks.
func (t *traceJob) outcome(step map[string]any, now moment) (string, string) {
	kind := step["message"].(string)
	if kind == "heartbeat" || kind == "resubmit" || t.repeats(step) {
		return t.status, "lifecycle.status"
	}
	switch kind {
	case "claim":
		return "assigned", "lifecycle.status"
	case "progress":
		return "running", "lifecycle.status"
	case "cancel":
		if t.status == "queued" {
			return "cancelled", "lifecycle.status"
		}
		return t.status, "lifecycle.status"
	case "deadline":
		return "timeout", "lifecycle.status"
	case "result":
		document := object(step["document"])
		status, _ := document["status"].(string)
		if status == "completed" || status == "cancelled" {
			return status, "lifecycle.status"
		}
		failure := object(document["error"])
		recoverable := failure["recoverable"] == true && failure["retry_recommended"] == true
		return t.againOr(status, now, status == "timeout" || recoverable)
	case "timeout":
		return t.againOr("timeout", now, true)
	default: // expire, release
		if t.cancelRequested {
			return "cancelled", "lifecycle.status"
		}
		return t.againOr("failed", now, true)
	}
}

func (t *traceJob) againOr(final string, now moment, retryable bool) (string, string) {
	switch {
	case t.cancelRequested:
		return final, "lifecycle.retry.not-allowed"
	case t.lease.attempt >= t.maxAttempts:
		return final, "lifecycle.attempts.exhausted"
	case !retryable:
		return final, "lifecycle.retry.not-allowed"
	case t.deadlineAt != nil && now.compare(*t.deadlineAt) >= 0:
		return "timeout", "lifecycle.deadline"
	}
	return "queued", "lifecycle.retry.required"
}

func (t *traceJob) apply(step map[string]any, status string) {
	document := object(step["document"])
	switch step["message"] {
	case "claim":
		t.lease = &lease{
			leaseID:   stringMember(document, "lease_id"),
			workerID:  stringMember(document, "worker_id"),
			attempt:   intMember(document, "attempt"),
			leasedAt:  momentOf(document["leased_at"], "leased_at"),
			expiresAt: momentOf(document["expires_at"], "expires_at"),
		}
		t.lastAttempt, t.sequence = t.lease.attempt, nil
	case "heartbeat":
		t.lease.expiresAt = momentOf(document["expires_at"], "expires_at")
	case "progress":
		sequence := intMember(document, "sequence")
		t.sequence = &sequence
	case "cancel":
		if status != "cancelled" {
			t.cancelRequested = true
		}
	case "result", "release":
		t.ended[stringMember(step, "lease_id")] = endedBy{step["message"].(string), step["document"]}
	}
	if status != t.status && slices.Contains(endsLease, status) {
		t.lease, t.sequence = nil, nil
	}
	t.status = status
}

// CheckTrace replays a trace (a decoded object with "steps", or the steps) and reports the
// first step that breaks a rule of the lifecycle, as one issue pointing at it
// ("/steps/<i>"); none when no step does. The error says the trace is not well formed (a
// broken test, not a broken protocol).
func CheckTrace(trace any) (issues []Issue, err error) {
	defer func() {
		if found := recover(); found != nil {
			problem, ok := found.(malformed)
			if !ok {
				panic(found)
			}
			issues, err = nil, problem
		}
	}()
	steps, isList := trace.([]any)
	if !isList {
		steps, _ = object(trace)["steps"].([]any)
	}
	if len(steps) == 0 || object(steps[0])["message"] != "submit" {
		return nil, malformed("a trace starts with the job's submit step")
	}
	var job *traceJob
	var previous *moment
	for index, raw := range steps {
		step := object(raw)
		kind, _ := step["message"].(string)
		status := stringMember(step, "status")
		if !slices.Contains(traceMessages, kind) {
			sorted := slices.Sorted(slices.Values(traceMessages))
			return nil, malformed(fmt.Sprintf("step %d: unknown message %s; expected one of %s", index, show(step["message"]), strings.Join(sorted, ", ")))
		}
		now := momentOf(step["at"], fmt.Sprintf("step %d: at", index))
		if previous != nil && now.compare(*previous) < 0 {
			return nil, malformed(fmt.Sprintf("step %d: at goes back in time", index))
		}
		previous = &now
		pointer := fmt.Sprintf("/steps/%d", index)
		if kind == "submit" {
			if job != nil {
				return nil, malformed(fmt.Sprintf("step %d: a trace has one submit, its first step", index))
			}
			job = newTraceJob(object(step["document"]))
			if status != "queued" {
				return []Issue{{"lifecycle.status", pointer, "a submitted job is queued, not " + status}}, nil
			}
			continue
		}
		refused, isRefused := step["refused"].(string)
		if isRefused && !slices.Contains(refusable, kind) {
			return nil, malformed(fmt.Sprintf("step %d: the scheduler's own %s cannot be refused", index, kind))
		}
		found := job.breach(step, now)
		if isRefused {
			if found == nil || found.rule != refused {
				why := "it breaks no rule"
				if found != nil {
					why = "it breaks " + found.rule
				}
				return []Issue{{"lifecycle.refusal", pointer, fmt.Sprintf("the %s was refused under %s, but %s", kind, refused, why)}}, nil
			}
			if status != job.status {
				return []Issue{{"lifecycle.status", pointer, fmt.Sprintf("a refused %s leaves the job %s, not %s", kind, job.status, status)}}, nil
			}
			continue
		}
		if found != nil {
			return []Issue{{found.rule, pointer, fmt.Sprintf("step %d (%s) accepted: %s", index, kind, found.message)}}, nil
		}
		if expected, rule := job.outcome(step, now); status != expected {
			return []Issue{{rule, pointer, fmt.Sprintf("after this %s the job is %s, not %s", kind, expected, status)}}, nil
		}
		job.apply(step, status)
	}
	return nil, nil
}
