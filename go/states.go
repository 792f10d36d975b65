package jobspec

import (
	"fmt"
	"slices"
	"strings"
)

// The job state machine of schemas/job-states-v1.json.

var stateMachine = func() struct {
	order       []string
	terminal    map[string]bool
	transitions map[string][]string
} {
	data := mustRead("schemas/job-states-v1.json")
	var machine struct {
		States map[string]struct {
			Terminal bool `json:"terminal"`
		} `json:"states"`
		Transitions map[string][]string `json:"transitions"`
	}
	mustUnmarshal(data, &machine)
	terminal := map[string]bool{}
	for name, state := range machine.States {
		terminal[name] = state.Terminal
	}
	return struct {
		order       []string
		terminal    map[string]bool
		transitions map[string][]string
	}{objectKeys(data, "states"), terminal, machine.Transitions}
}()

// JobStatuses lists the job statuses in the state machine's order.
func JobStatuses() []string {
	return slices.Clone(stateMachine.order)
}

// IsTerminal says whether a job in this status is finished for good; an error for an unknown status.
func IsTerminal(status string) (bool, error) {
	terminal, ok := stateMachine.terminal[status]
	if !ok {
		return false, fmt.Errorf("unknown job status %q; expected one of %s", status, strings.Join(stateMachine.order, ", "))
	}
	return terminal, nil
}

// AllowedTransitions lists the statuses a job in this status may move to (none from a
// terminal one); an error for an unknown status.
func AllowedTransitions(status string) ([]string, error) {
	if _, err := IsTerminal(status); err != nil {
		return nil, err
	}
	return slices.Clone(stateMachine.transitions[status]), nil
}

// CheckTransition is nil when a job may move from current to next; otherwise the reason,
// under rule state.transition.
func CheckTransition(current, next string) *Issue {
	for _, status := range []string{current, next} {
		if _, known := stateMachine.terminal[status]; !known {
			return &Issue{"state.transition", "", fmt.Sprintf("unknown status '%s'; expected one of %s", status, strings.Join(stateMachine.order, ", "))}
		}
	}
	allowed := stateMachine.transitions[current]
	if slices.Contains(allowed, next) {
		return nil
	}
	var why string
	switch {
	case stateMachine.terminal[current]:
		why = fmt.Sprintf("'%s' is terminal: nothing leaves it", current)
	case next == current:
		why = "a status never moves to itself"
	default:
		why = "from '" + current + "' a job may move to " + quoted(allowed)
	}
	return &Issue{"state.transition", "", fmt.Sprintf("a job cannot move from '%s' to '%s': %s", current, next, why)}
}
