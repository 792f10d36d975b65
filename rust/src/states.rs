//! The job state machine (`schemas/job-states-v1.json`): which status may follow which.

use crate::report::Issue;
use crate::resources;

fn states() -> &'static serde_json::Map<String, serde_json::Value> {
    resources::state_machine()["states"].as_object().expect("states")
}

/// Whether `status` is terminal (nothing leaves it); `None` for an unknown status.
pub fn is_terminal(status: &str) -> Option<bool> {
    states()
        .get(status)
        .map(|state| state["terminal"].as_bool().unwrap_or(false))
}

/// The statuses a job in `status` may move to; empty for a terminal one, `None` for an unknown one.
pub fn allowed_transitions(status: &str) -> Option<Vec<&'static str>> {
    let listed = resources::state_machine()["transitions"].get(status)?.as_array()?;
    Some(listed.iter().filter_map(|s| s.as_str()).collect())
}

/// `None` when a job may move from `current` to `next`; otherwise the reason (rule `state.transition`).
pub fn check_transition(current: &str, next: &str) -> Option<Issue> {
    for status in [current, next] {
        if !states().contains_key(status) {
            let known: Vec<&str> = states().keys().map(String::as_str).collect();
            return Some(Issue::new(
                "state.transition",
                "",
                format!("unknown status '{status}'; expected one of {}", known.join(", ")),
            ));
        }
    }
    let allowed = allowed_transitions(current).unwrap_or_default();
    if allowed.contains(&next) {
        return None;
    }
    let why = if is_terminal(current) == Some(true) {
        format!("'{current}' is terminal: nothing leaves it")
    } else if next == current {
        "a status never moves to itself".to_owned()
    } else {
        let listed: Vec<String> = allowed.iter().map(|s| format!("'{s}'")).collect();
        format!("from '{current}' a job may move to {}", listed.join(", "))
    };
    Some(Issue::new(
        "state.transition",
        "",
        format!("a job cannot move from '{current}' to '{next}': {why}"),
    ))
}
