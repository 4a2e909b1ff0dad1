//! The windows an aggregate reads, as pure data: which records a window selects (the filter it adds to
//! every filter group of the search), how it is split when HubSpot's 10,000-result cap would cut it,
//! where its reading stands, and how a window left unread is named.
//!
//! A search reaches at most 10,000 results however it is paged. So the records with the split property
//! (a date) are read in ranges of it: a range whose total is over the cap is cut before its cap-th value
//! (found by one search, see [`cut`]), so that the first piece fits, at a period boundary when one lies
//! there (so an unread range names whole periods), until every range fits; an instant that holds the
//! cap or more is read page by page by record id (`hs_object_id` ascending, `GT` the last id seen),
//! which no cap limits. The records
//! without the split property are one more window, read by id as well; without a split property the
//! whole selection is one window read by id.

use serde_json::{json, Value};

use super::period::{iso, Interval};

/// Which records a window selects, besides the search's own filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Window {
    /// Every record with a value of the split property (its range not yet known).
    Set,
    /// Records whose split property is in `lo..=hi` (epoch milliseconds).
    Range {
        /// First instant.
        lo: i64,
        /// Last instant.
        hi: i64,
    },
    /// Records without a value of the split property.
    Unset,
    /// Every selected record (no split property).
    All,
}

/// Where the reading of a window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cursor {
    /// Nothing read yet.
    Start,
    /// Read by offset, this many results read (the window fits under the cap).
    Offset(u64),
    /// Read by record id: every record up to this id read.
    AfterId(u64),
}

/// A window and where its reading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Task {
    /// What it selects.
    pub(super) window: Window,
    /// How far it is read.
    pub(super) cursor: Cursor,
    /// Its total as HubSpot gave it on its first page (`None` before).
    pub(super) total: Option<u64>,
    /// Results read in it so far.
    pub(super) read: u64,
    /// The highest record id read in it.
    pub(super) last_id: Option<u64>,
}

impl Task {
    /// A window not read yet.
    pub(super) fn new(window: Window) -> Task {
        Task {
            window,
            cursor: Cursor::Start,
            total: None,
            read: 0,
            last_id: None,
        }
    }
}

impl Window {
    /// The filters this window adds to every filter group, for the split property `prop`.
    pub(super) fn filters(self, prop: &str) -> Vec<Value> {
        match self {
            Window::Set => vec![json!({"propertyName": prop, "operator": "HAS_PROPERTY"})],
            Window::Range { lo, hi } => vec![json!({
                "propertyName": prop, "operator": "BETWEEN",
                "value": lo.to_string(), "highValue": hi.to_string()
            })],
            Window::Unset => vec![json!({"propertyName": prop, "operator": "NOT_HAS_PROPERTY"})],
            Window::All => Vec::new(),
        }
    }

    /// True when the window is read by record id from its start (it may hold more than the cap).
    pub(super) fn by_id(self) -> bool {
        matches!(self, Window::Unset | Window::All)
    }

    /// The window in words, e.g. `closedate 2024-10-01T00:00:00.000Z to 2024-12-31T23:59:59.999Z`.
    pub(super) fn describe(self, prop: Option<&str>) -> String {
        let p = prop.unwrap_or("hs_object_id");
        match self {
            Window::Set => format!("{p} set"),
            Window::Range { lo, hi } if lo == hi => format!("{p} = {}", iso(lo)),
            Window::Range { lo, hi } => format!("{p} {} to {}", iso(lo), iso(hi)),
            Window::Unset => format!("{p} unset"),
            Window::All => "all selected records".into(),
        }
    }

    /// The periods a window covers, as a label or `first..last`; `none` for records without the date,
    /// `all` when the range is not known.
    pub(super) fn periods(self, interval: Option<Interval>) -> Option<String> {
        let i = interval?;
        Some(match self {
            Window::Range { lo, hi } => {
                let (a, b) = (i.label(lo), i.label(hi));
                if a == b {
                    a
                } else {
                    format!("{a}..{b}")
                }
            }
            Window::Unset => "none".into(),
            Window::Set | Window::All => "all".into(),
        })
    }
}

/// How to cut an over-cap range `lo..=hi`, given `q`, the value at the cap-th position of its records
/// in ascending order (one search: sorted by the property, `after` the cap less one, one result). Every
/// record before `q` is among the first cap less one, so the first piece, `lo` up to before `q`, fits
/// under the cap; when a period boundary lies between `lo` and `q` the cut is made there instead (the
/// first piece then holds whole periods, and still fits). When `q` is `lo` itself, the instant `lo` holds
/// the cap or more: it becomes a window of its own (read by id), and the rest another. The pieces, in
/// time order, cover `lo..=hi` exactly; `None` when the range is one instant.
pub(super) fn cut(lo: i64, hi: i64, q: i64, interval: Option<Interval>) -> Option<[Window; 2]> {
    if hi <= lo {
        return None;
    }
    let q = q.clamp(lo, hi);
    let at = if q == lo {
        lo + 1
    } else {
        interval
            .map(|i| i.start(q))
            .filter(|b| *b > lo && *b <= q)
            .unwrap_or(q)
    };
    Some([
        Window::Range { lo, hi: at - 1 },
        Window::Range { lo: at, hi },
    ])
}

#[cfg(test)]
mod tests {
    use super::super::period::parse_instant;
    use super::*;

    fn at(s: &str) -> i64 {
        parse_instant(s).unwrap()
    }

    fn range(w: Window) -> (i64, i64) {
        match w {
            Window::Range { lo, hi } => (lo, hi),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_range_is_cut_before_the_cap_th_value_at_a_period_boundary_when_one_is_between() {
        let (lo, hi) = (at("2024-01-05"), at("2025-06-30"));
        let q = at("2024-12-31");
        // A quarter boundary between lo and q: cut there.
        let [a, b] = cut(lo, hi, q, Some(Interval::Quarter)).unwrap();
        assert_eq!(range(a), (lo, at("2024-10-01") - 1));
        assert_eq!(range(b), (at("2024-10-01"), hi));
        // No interval: cut at q itself.
        let [a, b] = cut(lo, hi, q, None).unwrap();
        assert_eq!((range(a), range(b)), ((lo, q - 1), (q, hi)));
        // q's period starts at lo or before: cut at q.
        let lo2 = at("2024-10-01");
        let [a, _] = cut(lo2, hi, q, Some(Interval::Quarter)).unwrap();
        assert_eq!(range(a), (lo2, q - 1));
        // q is lo: that instant holds the cap or more, and becomes a window of its own.
        let [a, b] = cut(q, hi, q, Some(Interval::Month)).unwrap();
        assert_eq!((range(a), range(b)), ((q, q), (q + 1, hi)));
        assert_eq!(cut(q, q, q, None), None);
    }

    #[test]
    fn cutting_again_and_again_ends_in_pieces_that_tile_the_range() {
        // Whatever q each search gives, the pieces cover lo..=hi once, and every cut makes progress.
        let (lo, hi) = (1_000_i64, 1_200_i64);
        let mut pieces = Vec::new();
        let mut rest = Some((lo, hi));
        let mut n = 0u64;
        while let Some((a, b)) = rest {
            n += 1;
            // A made-up "cap-th value": anywhere in the range, lo itself every third time.
            let q = if n.is_multiple_of(3) {
                a
            } else {
                a + (n * 37 % 50) as i64
            };
            match cut(a, b, q, Some(Interval::Day)) {
                None => {
                    pieces.push((a, b));
                    rest = None;
                }
                Some([first, second]) => {
                    let ((x, y), (z, w)) = (range(first), range(second));
                    assert!(
                        x == a && y + 1 == z && w == b && x <= y && z <= w,
                        "{a}..{b} q={q}"
                    );
                    pieces.push((x, y));
                    rest = Some((z, w));
                }
            }
        }
        assert_eq!(pieces.first().map(|p| p.0), Some(lo));
        assert_eq!(pieces.last().map(|p| p.1), Some(hi));
        assert!(pieces.windows(2).all(|w| w[0].1 + 1 == w[1].0));
        // q past the range is taken as its end.
        let [a, b] = cut(10, 20, 99, None).unwrap();
        assert_eq!((range(a), range(b)), ((10, 19), (20, 20)));
    }

    #[test]
    fn windows_filter_and_describe_themselves() {
        let r = Window::Range {
            lo: at("2024-10-01"),
            hi: at("2024-12-31T23:59:59.999Z"),
        };
        assert_eq!(
            r.filters("closedate"),
            vec![json!({"propertyName": "closedate", "operator": "BETWEEN",
                        "value": "1727740800000", "highValue": "1735689599999"})]
        );
        assert_eq!(
            r.describe(Some("closedate")),
            "closedate 2024-10-01T00:00:00.000Z to 2024-12-31T23:59:59.999Z"
        );
        assert_eq!(
            r.periods(Some(Interval::Quarter)).as_deref(),
            Some("2024-Q4")
        );
        assert_eq!(
            r.periods(Some(Interval::Month)).as_deref(),
            Some("2024-10..2024-12")
        );
        assert_eq!(r.periods(None), None);
        let one = Window::Range { lo: 7, hi: 7 };
        assert_eq!(one.describe(Some("d")), "d = 1970-01-01T00:00:00.007Z");
        assert_eq!(
            Window::Unset.filters("closedate")[0]["operator"],
            "NOT_HAS_PROPERTY"
        );
        assert!(Window::All.filters("x").is_empty());
        assert!(Window::Unset.by_id() && Window::All.by_id() && !r.by_id());
        assert_eq!(
            Window::Unset.periods(Some(Interval::Day)).as_deref(),
            Some("none")
        );
    }
}
