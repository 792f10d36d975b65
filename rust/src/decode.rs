//! Strict JSON decoding: bytes in, a JSON value and decoding issues out, under the rule ids
//! the Python package's decoder uses (`json.*` of rules-v1.json).
//!
//! serde_json does the parsing, through a visitor of ours that refuses duplicate keys and
//! nesting past the decoder's own limit, keeps where it is (the JSON Pointer of a NaN) and
//! finds integers outside 64 bits; one walk over the decoded value then checks the [`Limits`].
//! serde_json's `arbitrary_precision` would keep every number's spelling, but it is a feature
//! every crate of a build shares, and it breaks `#[serde(flatten)]` there: the one integer
//! whose spelling matters, one too large for a `u64`, is looked up in the text instead.

use std::cell::{Cell, OnceCell, RefCell};
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
}

fn failed(rule: &str, message: impl Into<String>) -> Decoded {
    Decoded {
        value: None,
        issues: vec![Issue::new(rule, "", message)],
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
    let state = State::new(data);
    let mut reader = serde_json::Deserializer::from_slice(data);
    reader.disable_recursion_limit();
    let parsed = Node { state: &state }
        .deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value));
    match parsed {
        Ok(value) => {
            let mut issues = state.found.take();
            issues.extend(check_value(&value, limits));
            Decoded {
                value: Some(value),
                issues,
            }
        }
        Err(error) => Decoded {
            value: None,
            issues: vec![classify(&error, data, &state)],
        },
    }
}

/// What the visitor knows while it reads: where it is, why it stopped if it did, and what it
/// found that does not stop it (integers outside 64 bits).
struct State<'d> {
    data: &'d [u8],
    path: RefCell<Vec<String>>,
    refusal: RefCell<Option<Issue>>,
    found: RefCell<Vec<Issue>>,
    numbers_read: Cell<usize>,
    spellings: OnceCell<Vec<&'d str>>,
}

impl<'d> State<'d> {
    fn new(data: &'d [u8]) -> Self {
        State {
            data,
            path: RefCell::default(),
            refusal: RefCell::default(),
            found: RefCell::default(),
            numbers_read: Cell::new(0),
            spellings: OnceCell::new(),
        }
    }

    /// Count a number read; its position among the text's numbers, from 0.
    fn next_number(&self) -> usize {
        let position = self.numbers_read.get();
        self.numbers_read.set(position + 1);
        position
    }

    fn integer_out_of_range(&self, spelling: &str) {
        self.found.borrow_mut().push(integer_range(spelling, self.pointer()));
    }

    fn pointer(&self) -> String {
        self.path
            .borrow()
            .iter()
            .fold(String::new(), |pointer, part| child(&pointer, part))
    }

    fn refuse<E: serde::de::Error>(&self, issue: Issue) -> E {
        let message = issue.message.clone();
        *self.refusal.borrow_mut() = Some(issue);
        E::custom(message)
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
        if self.state.path.borrow().len() + 1 > DECODER_MAX_DEPTH {
            let message =
                format!("arrays and objects are nested deeper than the decoder's limit of {DECODER_MAX_DEPTH} levels");
            return Err(self.state.refuse(Issue::new("json.depth", "", message)));
        }
        Ok(())
    }

    fn item<'de, A: SeqAccess<'de>>(&self, seq: &mut A, position: usize) -> Result<Option<Value>, A::Error> {
        self.state.path.borrow_mut().push(position.to_string());
        let item = seq.next_element_seed(*self)?;
        self.state.path.borrow_mut().pop();
        Ok(item)
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
        self.state.next_number();
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        self.state.next_number();
        if i64::try_from(value).is_err() {
            self.state.integer_out_of_range(&value.to_string());
        }
        Ok(Value::from(value))
    }

    /// A number serde_json reads as a double: one with a fraction or an exponent, or an integer
    /// beyond 64 bits (which the text then shows: only such a one is looked up).
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Value, E> {
        let position = self.state.next_number();
        if value.fract() == 0.0 && value.abs() >= crate::code_rules::INT64_BOUND {
            let spellings = self.state.spellings.get_or_init(|| number_spellings(self.state.data));
            if let Some(spelling) = spellings.get(position).filter(|s| !s.contains(['.', 'e', 'E'])) {
                self.state.integer_out_of_range(spelling);
            }
        }
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a non-finite number"))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        while let Some(item) = self.item(&mut seq, items.len())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.is_empty() {
                self.enter()?;
            }
            if members.contains_key(&key) {
                let message = format!(
                    "the key {} appears twice in one object; keep exactly one (parsers disagree on which wins)",
                    Value::String(key)
                );
                return Err(self.state.refuse(Issue::new("json.duplicate-key", "", message)));
            }
            self.state.path.borrow_mut().push(key.clone());
            let value = map.next_value_seed(self)?;
            self.state.path.borrow_mut().pop();
            members.insert(key, value);
        }
        if members.is_empty() {
            self.enter()?;
        }
        Ok(Value::Object(members))
    }
}

/// The issue a serde_json error makes, under the rule the Python decoder gives the same input.
fn classify(error: &serde_json::Error, data: &[u8], state: &State<'_>) -> Issue {
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
    if let Some(pointer) = what
        .contains("number out of range")
        .then(|| state.pointer())
        .or_else(|| non_finite_at(error, data, state))
    {
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

/// The pointer of a `NaN`, `Infinity` or `-Infinity` where serde_json stopped: JSON has no
/// such numbers, but the protocol names them (rule json.non-finite-number), as Python's decoder does.
fn non_finite_at(error: &serde_json::Error, data: &[u8], state: &State<'_>) -> Option<String> {
    let line_start = data
        .split(|b| *b == b'\n')
        .take(error.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let at = (line_start + error.column()).saturating_sub(1);
    let before = data.get(..at.min(data.len()) + 1)?;
    let token_start = before
        .iter()
        .rposition(|b| matches!(b, b':' | b'[' | b',' | b' ' | b'\n' | b'\t' | b'\r'))
        .map_or(0, |p| p + 1);
    let rest = &data[token_start..];
    [&b"NaN"[..], b"Infinity", b"-Infinity"]
        .iter()
        .any(|token| rest.starts_with(token))
        .then(|| state.pointer())
}

/// Check a decoded value: finite numbers, 64-bit integers, and the limits (Python's `check_value`,
/// in its order: a stack, so that no nesting can exhaust the call stack).
pub fn check_value(value: &Value, limits: &Limits) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut stack: Vec<(&Value, String, usize)> = vec![(value, String::new(), 1)];
    while let Some((node, pointer, depth)) = stack.pop() {
        match node {
            Value::Object(_) | Value::Array(_) => {
                if depth > limits.max_depth {
                    let message = format!(
                        "arrays and objects are nested deeper than the limit of {} levels",
                        limits.max_depth
                    );
                    issues.push(Issue::new("json.depth", pointer, message));
                    continue;
                }
                let (kind, entries) = match node {
                    Value::Object(members) => ("object", members.len()),
                    Value::Array(items) => ("array", items.len()),
                    _ => unreachable!(),
                };
                if entries > limits.max_container_entries {
                    let message = format!(
                        "this {kind} has {} entries, more than the limit of {}",
                        thousands(entries as u128),
                        thousands(limits.max_container_entries as u128)
                    );
                    issues.push(Issue::new("json.container-size", pointer.clone(), message));
                }
                if let Value::Object(members) = node {
                    for (key, item) in members {
                        let at = child(&pointer, key);
                        let length = key.chars().count();
                        if length > limits.max_string_length {
                            issues.push(long_string(&at, "key", length, limits));
                        }
                        stack.push((item, at, depth + 1));
                    }
                } else if let Value::Array(items) = node {
                    stack.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| (item, child(&pointer, &i.to_string()), depth + 1)),
                    );
                }
            }
            Value::String(text) => {
                let length = text.chars().count();
                if length > limits.max_string_length {
                    issues.push(long_string(&pointer, "string", length, limits));
                }
            }
            Value::Number(number) => issues.extend(number_issue(number, pointer)),
            Value::Bool(_) | Value::Null => {}
        }
    }
    issues
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
