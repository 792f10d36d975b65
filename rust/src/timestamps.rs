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
