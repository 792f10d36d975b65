//! RFC 3339 timestamps: the `date-time` format as the reference engine asserts it, and the
//! exact ordering of two instants (fractional seconds of any length included).

use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(year: i64, month: u32) -> u32 {
    DAYS[(month - 1) as usize] + u32::from(month == 2 && is_leap(year))
}

/// The `date-time` format as Python's jsonschema with rfc3339-validator asserts it, on the
/// upper-cased text: the year 0 and invalid calendar dates rejected, no leap second.
pub fn is_date_time(text: &str) -> bool {
    static FORM: OnceLock<Regex> = OnceLock::new();
    let form = FORM.get_or_init(|| {
        Regex::new(r"^([0-9]{4})-(0[1-9]|1[0-2])-([0-9]{2})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$").unwrap()
    });
    let upper = text.to_uppercase();
    let Some(parts) = form.captures(&upper) else {
        return false;
    };
    let number = |i: usize| parts[i].parse::<i64>().unwrap_or(0);
    let (year, month, day) = (number(1), number(2) as u32, number(3) as u32);
    year != 0 && day >= 1 && day <= days_in(year, month)
}

/// An instant: whole seconds since the epoch, and the fraction's digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instant {
    seconds: i64,
    fraction: String,
}

impl Instant {
    /// The instant an RFC 3339 date-time names; `None` if `text` is none.
    pub fn parse(text: &str) -> Option<Instant> {
        static FORM: OnceLock<Regex> = OnceLock::new();
        let form = FORM.get_or_init(|| {
            Regex::new(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|([+-])([0-9]{2}):([0-9]{2}))$").unwrap()
        });
        let parts = form.captures(text)?;
        let number = |i: usize| parts[i].parse::<i64>().unwrap_or(0);
        let (year, month, day, hour, minute, second) =
            (number(1), number(2), number(3), number(4), number(5), number(6));
        if year < 1
            || !(1..=12).contains(&month)
            || day < 1
            || day > i64::from(days_in(year, month as u32))
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let offset = if &parts[8] == "Z" {
            0
        } else {
            (number(10) * 3600 + number(11) * 60) * if &parts[9] == "+" { 1 } else { -1 }
        };
        let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
        let fraction = parts
            .get(7)
            .map_or("", |m| &m.as_str()[1..])
            .trim_end_matches('0')
            .to_owned();
        Some(Instant { seconds, fraction })
    }
}

impl PartialOrd for Instant {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Instant {
    fn cmp(&self, other: &Self) -> Ordering {
        let width = self.fraction.len().max(other.fraction.len());
        let pad = |f: &str| format!("{f:0<width$}");
        self.seconds
            .cmp(&other.seconds)
            .then_with(|| pad(&self.fraction).cmp(&pad(&other.fraction)))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The current time, RFC 3339 in UTC with a `Z` and whole seconds (`2026-01-30T10:00:00Z`).
pub fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

/// A new ULID: 48 bits of milliseconds since the epoch, then 80 random bits, in Crockford's
/// base 32. The randomness is the standard library's (the per-process random keys of its
/// hasher, fed the time and a counter): unique identifiers, not secrets.
pub fn ulid() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let random = |salt: u64| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(now.as_nanos());
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed) ^ salt);
        hasher.finish()
    };
    let bits = (u128::from(now.as_millis() as u64 & 0xFFFF_FFFF_FFFF) << 80)
        | (u128::from(random(0) & 0xFFFF) << 64)
        | u128::from(random(1));
    (0..26)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_a_date_time() {
        assert!(is_date_time(&now()), "{}", now());
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 59, 11_016, 20_483, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }

    #[test]
    fn ulids_are_26_characters_and_differ() {
        let (a, b) = (ulid(), ulid());
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
    }
}
