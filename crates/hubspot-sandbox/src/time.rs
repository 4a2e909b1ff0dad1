//! Time helpers without dependencies: the clock in epoch milliseconds, ISO 8601 formatting as HubSpot
//! writes it (`2024-01-15T10:00:00.000Z`), `YYYY-MM-DD` dates, and a lenient parser for the
//! forms HubSpot accepts in property values and search filters (epoch milliseconds or ISO 8601).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// The wall clock in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
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

/// Epoch milliseconds of a UTC date and time.
pub(crate) fn ms_of(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * DAY_MS
        + i64::from(h) * 3_600_000
        + i64::from(mi) * 60_000
        + i64::from(s) * 1000
}

/// `2024-01-15T10:00:00.000Z`
pub(crate) fn iso_ms(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// `2024-01-15` (the UTC day of `ms`).
pub(crate) fn iso_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses epoch milliseconds (`1700000000000`), a date (`2024-01-15`, midnight UTC) or a date-time
/// (`2024-01-15T10:00`, `…:00Z`, `…:00.123Z`, `…:00+02:00`, `…:00+0200`, a space instead of `T`).
pub(crate) fn parse_instant(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('-') {
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return rest.parse::<i64>().ok().map(|v| -v);
        }
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok();
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let y: i64 = i64::from(num(parts.next()?)?);
    let mo = num(parts.next()?)?;
    let d = num(parts.next()?)?;
    if parts.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || y > 9999 {
        return None;
    }
    let Some(time) = time else {
        return Some(ms_of(y, mo, d, 0, 0, 0));
    };
    // Split off the zone: Z, +hh:mm, -hh:mm, +hhmm.
    let (clock, offset_min) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let zone = time.get(i + 1..)?.replace(':', "");
        let sign = if time.get(i..i + 1) == Some("-") {
            -1
        } else {
            1
        };
        let hh = i64::from(num(zone.get(..2)?)?);
        let mm = if zone.len() > 2 {
            i64::from(num(zone.get(2..)?)?)
        } else {
            0
        };
        (time.get(..i)?, sign * (hh * 60 + mm))
    } else {
        (time, 0)
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, b),
        None => (clock, ""),
    };
    let mut hp = hms.split(':');
    let h = num(hp.next()?)?;
    let mi = num(hp.next()?)?;
    let sec = match hp.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let millis = if frac.is_empty() {
        0
    } else {
        let f: String = frac.chars().chain("000".chars()).take(3).collect();
        i64::from(num(&f)?)
    };
    Some(ms_of(y, mo, d, h, mi, sec) + millis - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        let ms = ms_of(2024, 1, 15, 10, 5, 7) + 123;
        assert_eq!(iso_ms(ms), "2024-01-15T10:05:07.123Z");
        assert_eq!(parse_instant("2024-01-15T10:05:07.123Z"), Some(ms));
        assert_eq!(parse_instant(&ms.to_string()), Some(ms));
        assert_eq!(
            parse_instant("2024-01-15"),
            Some(ms_of(2024, 1, 15, 0, 0, 0))
        );
        assert_eq!(parse_instant("2024-01-15T12:05:07.123+02:00"), Some(ms));
        assert_eq!(parse_instant("2024-01-15 10:05:07.123Z"), Some(ms));
        assert_eq!(parse_instant("2024-01-15T10:05Z"), Some(ms - 7123));
        assert_eq!(iso_date(ms), "2024-01-15");
        assert_eq!(parse_instant("not a date"), None);
        assert_eq!(parse_instant("2024-13-01"), None);
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
    }
}
