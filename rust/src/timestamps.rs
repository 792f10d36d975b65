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
/// upper-cased text: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, the year 0 and invalid
/// calendar dates rejected, no leap second. Read byte by byte: it runs on every timestamp.
pub fn is_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?
            .iter()
            .try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let at = |i: usize, expected: &[u8]| b.get(i).is_some_and(|c| expected.contains(&c.to_ascii_uppercase()));
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let (Some(hour), Some(minute), Some(second)) = (digits(11..13), digits(14..16), digits(17..19)) else {
        return false;
    };
    if !(at(4, b"-") && at(7, b"-") && at(10, b"T") && at(13, b":") && at(16, b":")) {
        return false;
    }
    let mut i = 19;
    if at(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone_ok = if at(i, b"Z") {
        i + 1 == b.len()
    } else if at(i, b"+-") {
        let (offset_hour, offset_minute) = (digits(i + 1..i + 3), digits(i + 4..i + 6));
        i + 6 == b.len()
            && at(i + 3, b":")
            && offset_hour.is_some_and(|h| h <= 23)
            && offset_minute.is_some_and(|m| m <= 59)
    } else {
        false
    };
    zone_ok
        && year != 0
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in(i64::from(year), month)
        && hour <= 23
        && minute <= 59
        && second <= 59
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

impl Instant {
    /// This instant `seconds` later.
    pub fn plus_seconds(&self, seconds: i64) -> Instant {
        Instant {
            seconds: self.seconds + seconds,
            fraction: self.fraction.clone(),
        }
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
    fn date_times_are_rfc_3339_with_the_calendar() {
        for good in [
            "2026-01-30T10:00:00Z",
            "2024-02-29t23:59:59.5+02:00",
            "0001-01-01T00:00:00-23:59",
        ] {
            assert!(is_date_time(good), "{good}");
        }
        for bad in [
            "2026-01-30 10:00:00Z",
            "2026-02-29T10:00:00Z",
            "0000-01-01T00:00:00Z",
            "2026-01-30T23:59:60Z",
            "2026-01-30T10:00:00+0200",
            "2026-01-30T10:00:00.Z",
            "2026-01-30T10:00:00Z\n",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

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
