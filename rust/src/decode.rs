//! Strict JSON decoding: bytes in, a JSON value and decoding issues out, under the rule ids
//! the Python package's decoder uses (`json.*` of rules-v1.json).
//!
//! serde_json does the parsing, through a visitor of ours that refuses duplicate keys and
//! nesting past the decoder's own limit, keeps where it is (the JSON Pointer of a NaN) and
//! finds integers outside 64 bits; one walk over the decoded value then checks the [`Limits`].
//! serde_json's `arbitrary_precision` would keep every number's spelling, but it is a feature
//! every crate of a build shares, and it breaks `#[serde(flatten)]` there: the one integer
//! whose spelling matters, one too large for a `u64`, is looked up in the text instead.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::report::{child, Issue};

/// The deepest nesting the decoder itself reads, whatever the limits say (jiter's, in Python).
pub const DECODER_MAX_DEPTH: usize = 200;

/// Upper bounds checked while decoding, each reported under its own rule id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest document, in bytes of UTF-8 (rule `json.size`).
    pub max_document_bytes: usize,
    /// Deepest nesting of arrays and objects; the top-level object is depth 1 (rule `json.depth`).
    pub max_depth: usize,
    /// Longest string or object key, in characters (rule `json.string-length`).
    pub max_string_length: usize,
    /// Most entries in one array or object (rule `json.container-size`).
    pub max_container_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_string_length: 1024 * 1024,
            max_container_entries: 100_000,
        }
    }
}

/// The outcome of decoding: the value (`None` when it could not be decoded) and the issues.
#[derive(Debug)]
pub struct Decoded {
    pub value: Option<Value>,
    pub issues: Vec<Issue>,
    /// Whether the text has a number read as a double (`json.integer-form` looks only then).
    pub(crate) has_doubles: bool,
}

fn failed(rule: &str, message: impl Into<String>) -> Decoded {
    Decoded {
        value: None,
        issues: vec![Issue::new(rule, "", message)],
        has_doubles: false,
    }
}

const BOMS: [(&[u8], &str); 3] = [
    (
        b"\xef\xbb\xbf",
        "starts with a UTF-8 byte order mark; remove it (JSON text has none)",
    ),
    (b"\xff\xfe", "starts with a UTF-16 byte order mark; save it as UTF-8"),
    (b"\xfe\xff", "starts with a UTF-16 byte order mark; save it as UTF-8"),
];

/// Decode one JSON document strictly. Never panics on bad input: every problem is an issue.
pub fn decode(data: &[u8], limits: &Limits) -> Decoded {
    if data.len() > limits.max_document_bytes {
        return failed(
            "json.size",
            format!(
                "the document has {} bytes, more than the limit of {}",
                thousands(data.len() as u128),
                thousands(limits.max_document_bytes as u128)
            ),
        );
    }
    for (bom, problem) in BOMS {
        if data.starts_with(bom) {
            return failed("json.encoding", format!("the document {problem}"));
        }
    }
    match parse(data, false, limits) {
        (Ok(value), state) => {
            let mut issues = Vec::new();
            if state.big_numbers.get() {
                // Which of them lie outside 64 bits only their spelling tells: read again, tracking.
                issues = parse(data, true, limits).1.found.take();
            }
            if state.beyond_limits.get() {
                issues.extend(check_value(&value, limits));
            }
            Decoded {
                value: Some(value),
                issues,
                has_doubles: state.doubles.get(),
            }
        }
        (Err(error), state) => Decoded {
            value: None,
            issues: vec![classify(&error, data, &state, limits)],
            has_doubles: false,
        },
    }
}

/// What a parse gives, with what the visitor knew when it ended.
type Parsed<'d> = (Result<Value, serde_json::Error>, State<'d>);

/// Parse `data` with our visitor; `track`: keep the path and the numbers' spellings, for the
/// pointer of an error or of an integer outside 64 bits (a second parse, only then: keeping
/// the path costs an allocation per member).
fn parse<'d>(data: &'d [u8], track: bool, limits: &Limits) -> Parsed<'d> {
    let spellings = if track { number_spellings(data) } else { Vec::new() };
    let state = State {
        track,
        spellings,
        limits: *limits,
        ..State::default()
    };
    let mut reader = serde_json::Deserializer::from_slice(data);
    reader.disable_recursion_limit();
    let parsed = Node { state: &state }
        .deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value));
    (parsed, state)
}

/// What the visitor knows while it reads: how deep it is, why it stopped if it did, whether it
/// read an integer that may lie outside 64 bits; and when tracking, where it is, the text's
/// numbers as spelt, how many it has read, and the integers outside 64 bits it found.
#[derive(Default)]
struct State<'d> {
    track: bool,
    /// Whether a value may break a limit: `check_value` then finds where (most documents break none).
    limits: Limits,
    beyond_limits: Cell<bool>,
    doubles: Cell<bool>,
    depth: Cell<usize>,
    path: RefCell<Vec<String>>,
    refusal: RefCell<Option<Issue>>,
    big_numbers: Cell<bool>,
    spellings: Vec<&'d str>,
    numbers_read: Cell<usize>,
    found: RefCell<Vec<Issue>>,
}

impl State<'_> {
    /// A number read: when tracking, an integer outside 64 bits among them is an issue.
    fn number(&self, maybe_big: bool, double: bool) {
        if double {
            self.doubles.set(true);
        }
        if maybe_big {
            self.big_numbers.set(true);
        }
        if self.track {
            let spelling = self.spellings.get(self.numbers_read.get()).copied().unwrap_or_default();
            self.numbers_read.set(self.numbers_read.get() + 1);
            if maybe_big && !spelling.contains(['.', 'e', 'E']) {
                self.found.borrow_mut().push(integer_range(spelling, self.pointer()));
            }
        }
    }

    fn pointer(&self) -> String {
        self.path
            .borrow()
            .iter()
            .fold(String::new(), |pointer, part| child(&pointer, part))
    }

    /// A string or key read: one of more bytes than the limit has characters may exceed it.
    fn text(&self, text: &str) {
        if text.len() > self.limits.max_string_length {
            self.beyond_limits.set(true);
        }
    }

    fn refuse<E: serde::de::Error>(&self, issue: Issue) -> E {
        let message = issue.message.clone();
        *self.refusal.borrow_mut() = Some(issue);
        E::custom(message)
    }

    fn push(&self, part: impl FnOnce() -> String) {
        if self.track {
            self.path.borrow_mut().push(part());
        }
    }

    fn pop(&self) {
        if self.track {
            self.path.borrow_mut().pop();
        }
    }
}

#[derive(Clone, Copy)]
struct Node<'s, 'd> {
    state: &'s State<'d>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Node<'_, '_> {
    /// Enter a container one level deeper, refusing past the decoder's own limit.
    fn enter<E: serde::de::Error>(&self) -> Result<(), E> {
        let depth = self.state.depth.get() + 1;
        if depth > DECODER_MAX_DEPTH {
            // Worded as Python words it: the limit given, though the decoder's own stopped it.
            let message = format!(
                "arrays and objects are nested deeper than the limit of {} levels",
                self.state.limits.max_depth
            );
            return Err(self.state.refuse(Issue::new("json.depth", "", message)));
        }
        self.state.depth.set(depth);
        if depth > self.state.limits.max_depth {
            self.state.beyond_limits.set(true);
        }
        Ok(())
    }

    fn leave(&self, entries: usize) {
        self.state.depth.set(self.state.depth.get() - 1);
        if entries > self.state.limits.max_container_entries {
            self.state.beyond_limits.set(true);
        }
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        self.state.number(false, false);
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        self.state.number(i64::try_from(value).is_err(), false);
        Ok(Value::from(value))
    }

    /// A number serde_json reads as a double: one with a fraction or an exponent, or an integer
    /// beyond 64 bits (which only the text tells apart: see `State::number`).
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Value, E> {
        self.state.number(
            value.fract() == 0.0 && value.abs() >= crate::code_rules::INT64_BOUND,
            true,
        );
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a non-finite number"))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        self.state.text(value);
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        self.state.text(&value);
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.state.push(|| items.len().to_string());
            let Some(item) = seq.next_element_seed(self)? else {
                break;
            };
            self.state.pop();
            items.push(item);
        }
        self.state.pop();
        self.leave(items.len());
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.state.text(&key);
            self.state.push(|| key.clone());
            let value = map.next_value_seed(self)?;
            self.state.pop();
            match members.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(taken) => {
                    let message = format!(
                        "the key {} appears twice in one object; keep exactly one (parsers disagree on which wins)",
                        Value::String(taken.key().clone())
                    );
                    return Err(self.state.refuse(Issue::new("json.duplicate-key", "", message)));
                }
            }
        }
        self.leave(members.len());
        Ok(Value::Object(members))
    }
}

/// The issue a serde_json error makes, under the rule the Python decoder gives the same input.
fn classify(error: &serde_json::Error, data: &[u8], state: &State<'_>, limits: &Limits) -> Issue {
    if let Some(refusal) = state.refusal.borrow_mut().take() {
        return refusal;
    }
    let what = error.to_string();
    let what = what.split(" at line ").next().unwrap_or_default();
    let place = format!(" (line {}, column {})", error.line(), error.column());
    if what.contains("trailing characters") {
        let message =
            format!("something other than whitespace follows the document{place}; expected one JSON document");
        return Issue::new("json.trailing-data", "", message);
    }
    if what.contains("surrogate") || (what.contains("hex escape") && lone_surrogate_escape(data)) {
        let message =
            format!("a string holds a lone UTF-16 surrogate escape{place}; expected a complete surrogate pair");
        return Issue::new("json.encoding", "", message);
    }
    if what.contains("unicode code point") || what.to_lowercase().contains("utf-8") {
        return Issue::new("json.encoding", "", format!("the document is not valid UTF-8{place}"));
    }
    if data.iter().all(u8::is_ascii_whitespace) {
        return Issue::new("json.syntax", "", "the document is empty; expected a JSON object");
    }
    if let Some(pointer) = non_finite_pointer(what, error, data, limits) {
        let message = "the number is NaN, Infinity or too large for a double; expected a finite number";
        return Issue::new("json.non-finite-number", pointer, message);
    }
    if error.is_eof() {
        let message = format!("the document ends too early{place}: it is truncated or a bracket is not closed");
        return Issue::new("json.syntax", "", message);
    }
    Issue::new("json.syntax", "", format!("not well-formed JSON: {what}{place}"))
}

fn lone_surrogate_escape(data: &[u8]) -> bool {
    data.windows(4).any(|w| {
        w[0] == b'\\'
            && w[1] == b'u'
            && matches!(w[2], b'd' | b'D')
            && matches!(w[3], b'8'..=b'9' | b'a'..=b'b' | b'A'..=b'B')
    })
}

/// The pointer of a `NaN`, `Infinity`, `-Infinity` or a number too large for a double (`1e400`)
/// where serde_json stopped: JSON has no such numbers, but the protocol names them (rule
/// json.non-finite-number), as Python's decoder does. The pointer comes from a second parse
/// that keeps the path.
fn non_finite_pointer(what: &str, error: &serde_json::Error, data: &[u8], limits: &Limits) -> Option<String> {
    let non_finite = what.contains("number out of range") || {
        let line_start: usize = data
            .split(|b| *b == b'\n')
            .take(error.line().saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum();
        let at = (line_start + error.column())
            .saturating_sub(1)
            .min(data.len().saturating_sub(1));
        let token_start = data[..=at]
            .iter()
            .rposition(|b| matches!(b, b':' | b'[' | b',' | b' ' | b'\n' | b'\t' | b'\r'))
            .map_or(0, |p| p + 1);
        [&b"NaN"[..], b"Infinity", b"-Infinity"]
            .iter()
            .any(|token| data[token_start..].starts_with(token))
    };
    if !non_finite {
        return None;
    }
    match parse(data, true, limits) {
        (Err(_), state) => Some(state.pointer()),
        (Ok(_), _) => None,
    }
}

/// Check a decoded value: 64-bit integers and the limits (Python's `check_value`). Nothing
/// deeper than `max_depth` is entered, so the walk's own depth is bounded by the limit.
pub fn check_value(value: &Value, limits: &Limits) -> Vec<Issue> {
    let mut issues = Vec::new();
    walk(value, &mut Vec::new(), limits, &mut issues);
    issues
}

/// A reference token of `check_value`'s walk: made into text only for an issue's pointer.
enum Token<'v> {
    Key(&'v str),
    Index(usize),
}

fn pointer_of(path: &[Token<'_>]) -> String {
    path.iter().fold(String::new(), |pointer, token| match token {
        Token::Key(key) => child(&pointer, key),
        Token::Index(i) => format!("{pointer}/{i}"),
    })
}

/// One node of `check_value`'s walk; `path` holds the reference tokens of its place, turned
/// into a pointer only for an issue (most documents have none).
fn walk<'v>(node: &'v Value, path: &mut Vec<Token<'v>>, limits: &Limits, issues: &mut Vec<Issue>) {
    let here = |path: &[Token<'v>]| pointer_of(path);
    let entries = match node {
        Value::Object(members) => members.len(),
        Value::Array(items) => items.len(),
        Value::String(text) => {
            if text.len() > limits.max_string_length && text.chars().count() > limits.max_string_length {
                issues.push(long_string(&here(path), "string", text.chars().count(), limits));
            }
            return;
        }
        Value::Number(number) => {
            issues.extend(number_issue(number, here(path)));
            return;
        }
        Value::Bool(_) | Value::Null => return,
    };
    if path.len() + 1 > limits.max_depth {
        let message = format!(
            "arrays and objects are nested deeper than the limit of {} levels",
            limits.max_depth
        );
        issues.push(Issue::new("json.depth", here(path), message));
        return;
    }
    if entries > limits.max_container_entries {
        let kind = if node.is_object() { "object" } else { "array" };
        let message = format!(
            "this {kind} has {} entries, more than the limit of {}",
            thousands(entries as u128),
            thousands(limits.max_container_entries as u128)
        );
        issues.push(Issue::new("json.container-size", here(path), message));
    }
    match node {
        Value::Object(members) => {
            for (key, item) in members {
                path.push(Token::Key(key));
                if key.len() > limits.max_string_length && key.chars().count() > limits.max_string_length {
                    issues.push(long_string(&here(path), "key", key.chars().count(), limits));
                }
                walk(item, path, limits, issues);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Token::Index(i));
                walk(item, path, limits, issues);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A number of a value built in memory outside the signed 64-bit range (decoding finds them in the text).
fn number_issue(number: &Number, pointer: String) -> Option<Issue> {
    number
        .as_u64()
        .filter(|n| i64::try_from(*n).is_err())
        .map(|n| integer_range(&n.to_string(), pointer))
}

fn integer_range(spelling: &str, pointer: String) -> Issue {
    let digits = spelling.trim_start_matches('-').len();
    let shown = if digits <= 38 {
        spelling.to_owned()
    } else {
        format!("of {} digits", thousands(digits as u128))
    };
    let message = format!(
        "the integer {shown} lies outside the signed 64-bit range; expected {} to {}",
        i64::MIN,
        i64::MAX
    );
    Issue::new("json.integer-range", pointer, message)
}

/// The spelling of every number of a JSON text, in order (strings skipped).
fn number_spellings(data: &[u8]) -> Vec<&str> {
    let (mut spellings, mut i) = (Vec::new(), 0);
    while i < data.len() {
        match data[i] {
            b'"' => {
                i += 1;
                while i < data.len() && data[i] != b'"' {
                    i += if data[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < data.len() && matches!(data[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                spellings.push(std::str::from_utf8(&data[start..i]).unwrap_or_default());
            }
            _ => i += 1,
        }
    }
    spellings
}

fn long_string(pointer: &str, what: &str, length: usize, limits: &Limits) -> Issue {
    let message = format!(
        "this {what} has {} characters, more than the limit of {}",
        thousands(length as u128),
        thousands(limits.max_string_length as u128)
    );
    Issue::new("json.string-length", pointer, message)
}

/// 1234567 -> "1,234,567", as Python's `f"{n:,}"` writes it.
pub(crate) fn thousands(number: u128) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
