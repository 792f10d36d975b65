//! The unknown-field lint's wording: fields no schema declares (the closed bundle's
//! `additionalProperties: false` finds them) are kept, and warned about with a "did you mean"
//! when a declared field is close, chosen exactly as Python's `difflib.get_close_matches`
//! (cutoff 0.75) chooses it.

/// The warning's message for the unknown field `key`, among the `declared` fields.
pub(crate) fn message(key: &str, declared: &[String]) -> String {
    let hint = closest(key, declared)
        .map(|close| format!("did you mean '{close}'? "))
        .unwrap_or_default();
    format!(
        "unknown field '{key}': {hint}it is kept but not checked; name extension fields with a domain prefix such as 'example.com/{key}'"
    )
}

/// The declared field most like `key` with a similarity ratio of at least 0.75, the later
/// name in sort order winning a tie (`heapq.nlargest` on (ratio, name)).
fn closest<'d>(key: &str, declared: &'d [String]) -> Option<&'d String> {
    let word: Vec<char> = key.chars().collect();
    let mut best: Option<(f64, &String)> = None;
    for name in declared {
        let candidate: Vec<char> = name.chars().collect();
        let score = ratio(&candidate, &word);
        if score >= 0.75 && best.is_none_or(|(top, top_name)| (score, name) > (top, top_name)) {
            best = Some((score, name));
        }
    }
    best.map(|(_, name)| name)
}

/// `difflib.SequenceMatcher(None, a, b).ratio()`: twice the matched characters over both lengths.
fn ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matched(a, b, 0, a.len(), 0, b.len()) as f64 / total as f64
}

/// Characters in the matching blocks of `a[alo..ahi]` and `b[blo..bhi]`: the longest match
/// (earliest on a tie), then the same on each side of it, as difflib finds them.
fn matched(a: &[char], b: &[char], alo: usize, ahi: usize, blo: usize, bhi: usize) -> usize {
    let (mut best_i, mut best_j, mut best_size) = (alo, blo, 0);
    let mut lengths = vec![0usize; b.len() + 1];
    for (i, a_char) in a.iter().enumerate().take(ahi).skip(alo) {
        let mut next = vec![0usize; b.len() + 1];
        for j in blo..bhi {
            if *a_char == b[j] {
                let k = if j > 0 { lengths[j - 1] } else { 0 } + 1;
                next[j] = k;
                if k > best_size {
                    (best_i, best_j, best_size) = (i + 1 - k, j + 1 - k, k);
                }
            }
        }
        lengths = next;
    }
    if best_size == 0 {
        return 0;
    }
    best_size
        + matched(a, b, alo, best_i, blo, best_j)
        + matched(a, b, best_i + best_size, ahi, best_j + best_size, bhi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_typo_names_the_field_meant() {
        assert_eq!(
            closest("opration", &names(&["operation", "payload"])).map(String::as_str),
            Some("operation")
        );
    }

    #[test]
    fn a_distant_name_gets_no_hint() {
        assert_eq!(closest("colour", &names(&["operation", "payload"])), None);
    }

    #[test]
    fn ratios_are_difflibs() {
        // difflib.SequenceMatcher(None, "abcd", "bcde").ratio() == 0.75
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(ratio(&chars("abcd"), &chars("bcde")), 0.75);
    }
}
