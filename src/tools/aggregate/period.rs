//! Time for aggregates, in UTC and without dependencies: reading HubSpot's date values (epoch
//! milliseconds, `2024-12-31`, `2024-12-31T10:00:00Z`, `…00.000Z`, `…+02:00`), the calendar periods a
//! value falls in (UTC day, ISO week from Monday, month, quarter) with their labels and bounds, and ISO
//! 8601 text for the bounds of a window.

use serde::Deserialize;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Interval {
    /// A UTC day: `2024-12-31`.
    Day,
    /// An ISO week, Monday to Sunday (UTC): `2025-W01`.
    Week,
    /// A UTC month: `2024-12`.
    Month,
    /// A UTC quarter: `2024-Q4`.
    Quarter,
}

impl Interval {
    /// Every interval's name, in the schema's order.
    #[cfg(test)]
    pub(super) const NAMES: [&'static str; 4] = ["day", "week", "month", "quarter"];

    /// Its name, as the argument spells it.
    pub(super) fn name(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Quarter => "quarter",
        }
    }

    /// The first millisecond of the period holding `ms`.
    pub(super) fn start(self, ms: i64) -> i64 {
        let day = ms.div_euclid(DAY_MS);
        let first = match self {
            Interval::Day => day,
            // 1970-01-01 was a Thursday: Monday is 3 days before it.
            Interval::Week => day - (day + 3).rem_euclid(7),
            Interval::Month => {
                let (y, m, _) = civil_from_days(day);
                days_from_civil(y, m, 1)
            }
            Interval::Quarter => {
                let (y, m, _) = civil_from_days(day);
                days_from_civil(y, m - (m - 1) % 3, 1)
            }
        };
        first * DAY_MS
    }

    /// The first millisecond of the period after the one holding `ms` (the tests walk periods with it).
    #[cfg(test)]
    pub(super) fn next(self, ms: i64) -> i64 {
        let start = self.start(ms);
        match self {
            Interval::Day => start + DAY_MS,
            Interval::Week => start + 7 * DAY_MS,
            Interval::Month | Interval::Quarter => {
                let (y, m, _) = civil_from_days(start.div_euclid(DAY_MS));
                let m = m + if self == Interval::Month { 1 } else { 3 };
                let (y, m) = if m > 12 { (y + 1, m - 12) } else { (y, m) };
                days_from_civil(y, m, 1) * DAY_MS
            }
        }
    }

    /// The name of the period holding `ms`.
    pub(super) fn label(self, ms: i64) -> String {
        let day = ms.div_euclid(DAY_MS);
        let (y, m, d) = civil_from_days(day);
        match self {
            Interval::Day => format!("{y:04}-{m:02}-{d:02}"),
            Interval::Week => {
                // The ISO week-year is the year of the week's Thursday.
                let thursday = self.start(ms).div_euclid(DAY_MS) + 3;
                let (wy, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(wy, 1, 1)) / 7 + 1;
                format!("{wy:04}-W{week:02}")
            }
            Interval::Month => format!("{y:04}-{m:02}"),
            Interval::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm; the sandbox has its
/// own copy in `crates/hubspot-sandbox/src/time.rs`: the server never links the sandbox's code, and the
/// sandbox is written apart from the client, so the two share no module).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `2024-12-31T00:00:00.000Z`, as HubSpot writes a date-time.
pub(super) fn iso(ms: i64) -> String {
    let day = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(day);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// A run of ASCII digits as a number (`None` for anything else, or more than 9 digits).
fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A HubSpot date value as epoch milliseconds: digits (epoch ms, as filters take them), a date
/// (`2024-12-31`: midnight UTC) or a date-time with `Z` or an offset; `None` for anything else.
pub(super) fn parse_instant(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    if !unsigned.is_empty() && unsigned.len() <= 16 && unsigned.bytes().all(|b| b.is_ascii_digit())
    {
        return s.parse().ok();
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (
        digits(parts.next()?)?,
        digits(parts.next()?)?,
        digits(parts.next()?)?,
    );
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) || y > 9999 {
        return None;
    }
    let day_ms = days_from_civil(y, m as u32, d as u32) * DAY_MS;
    let Some(time) = time else {
        return Some(day_ms);
    };
    let (clock, offset_min) = match time.strip_suffix(['Z', 'z']) {
        Some(c) => (c, 0),
        None => match time.rfind(['+', '-']) {
            Some(i) => {
                let zone = time.get(i + 1..)?.replace(':', "");
                let sign = if time.get(i..=i) == Some("-") { -1 } else { 1 };
                let (hh, mm) = (digits(zone.get(..2)?)?, digits(zone.get(2..)?).unwrap_or(0));
                (time.get(..i)?, sign * (hh * 60 + mm))
            }
            None => (time, 0),
        },
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (clock, None),
    };
    let mut f = hms.split(':');
    let h = digits(f.next()?)?;
    let mi = digits(f.next()?)?;
    let sec = f.next().map(digits).unwrap_or(Some(0))?;
    if f.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let millis = match frac {
        None => 0,
        Some(x) => {
            // Milliseconds: the first three digits (HubSpot keeps no finer time).
            let kept: String = x.chars().take(3).collect();
            if !x.bytes().all(|b| b.is_ascii_digit()) || kept.is_empty() {
                return None;
            }
            digits(&format!("{kept:0<3}"))?
        }
    };
    Some(day_ms + ((h * 60 + mi - offset_min) * 60 + sec) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        parse_instant(s).unwrap()
    }

    #[test]
    fn hubspot_date_values_are_read() {
        assert_eq!(at("2024-12-31T00:00:00.000Z"), 1_735_603_200_000);
        assert_eq!(at("2024-12-31T00:00:00Z"), 1_735_603_200_000);
        assert_eq!(at("2024-12-31"), 1_735_603_200_000);
        assert_eq!(at("1735603200000"), 1_735_603_200_000);
        assert_eq!(at("2024-12-31T02:00:00+02:00"), 1_735_603_200_000);
        assert_eq!(at("2024-12-30T19:00:00-0500"), 1_735_603_200_000);
        assert_eq!(at("2024-12-31T00:00:00.5Z"), 1_735_603_200_500);
        assert_eq!(at("2024-12-31T00:00:00.123456Z"), 1_735_603_200_123);
        assert_eq!(at("1969-12-31T23:59:59.999Z"), -1);
        for bad in [
            "",
            "x",
            "2024-13-01",
            "2024-12-31T25:00Z",
            "2024-12",
            "12/31/2024",
            "1e12",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        assert_eq!(iso(1_735_603_200_123), "2024-12-31T00:00:00.123Z");
        assert_eq!(iso(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn periods_start_end_and_are_named_in_utc() {
        let ms = at("2024-12-31T23:59:59.999Z");
        let cases = [
            (Interval::Day, "2024-12-31", "2024-12-31", "2025-01-01"),
            // 2024-12-31 is a Tuesday of ISO week 2025-W01 (which starts Monday 2024-12-30).
            (Interval::Week, "2025-W01", "2024-12-30", "2025-01-06"),
            (Interval::Month, "2024-12", "2024-12-01", "2025-01-01"),
            (Interval::Quarter, "2024-Q4", "2024-10-01", "2025-01-01"),
        ];
        for (n, (i, label, start, next)) in cases.into_iter().enumerate() {
            assert_eq!(i.name(), Interval::NAMES[n]);
            assert_eq!(i.label(ms), label, "{i:?}");
            assert_eq!(i.start(ms), at(start), "{i:?}");
            assert_eq!(i.next(ms), at(next), "{i:?}");
            // The bounds belong to the right periods.
            assert_eq!(i.label(i.start(ms)), label);
            assert_eq!(i.label(i.next(ms) - 1), label);
            assert_ne!(i.label(i.next(ms)), label);
        }
        assert_eq!(
            Interval::Quarter.label(at("2024-03-31T23:59:59.999Z")),
            "2024-Q1"
        );
        assert_eq!(Interval::Quarter.label(at("2024-04-01")), "2024-Q2");
        assert_eq!(Interval::Week.label(at("2021-01-03")), "2020-W53");
        assert_eq!(Interval::Week.label(at("2021-01-04")), "2021-W01");
        assert_eq!(Interval::Month.next(at("2024-02-10")), at("2024-03-01"));
        assert_eq!(Interval::Day.label(-1), "1969-12-31");
    }

    #[test]
    fn every_period_of_four_years_tiles_time() {
        // Walking period by period never skips or repeats a millisecond, and labels never repeat.
        for i in [
            Interval::Day,
            Interval::Week,
            Interval::Month,
            Interval::Quarter,
        ] {
            let mut t = i.start(at("2022-01-01"));
            let mut seen = std::collections::BTreeSet::new();
            while t < at("2026-01-01") {
                let next = i.next(t);
                assert!(next > t);
                assert_eq!(i.start(next - 1), t, "{i:?} {}", iso(t));
                assert!(seen.insert(i.label(t)), "{i:?} {}", i.label(t));
                t = next;
            }
        }
    }
}
