//! The large fixture ([`crate::Dataset::Large`]): the demo account plus deals up to [`LARGE_DEALS`] in
//! all, shaped so that an aggregation over them meets every one of HubSpot's search limits:
//!
//! - more than 10,000 closed-won deals (`dealstage` `closedwon`): past the 10,000 results one search
//!   can reach;
//! - more than 10,000 of them closed at one exact instant ([`BULK_CLOSE`], a year-end import): no time
//!   window can split them, so they can only be read page by page by record id;
//! - some deals without a `closedate` (won and not won), and some without an `amount`;
//! - the ten active owners, and some deals with no owner;
//! - amounts with two, one or no decimals (`1234.56`, `99.5`, `1200`), as HubSpot stores them.
//!
//! Deterministic for a seed; records are added after the demo ones (ids from the demo's next id on), so
//! the demo's anchors are unchanged.

use crate::fixtures::{FIRST_OWNER_ID, RENEWALS_PIPELINE};
use crate::seed::{base, count, words as w, Props, Rng, Seeder};
use crate::time::{iso_ms, ms_of, DAY_MS};
use crate::types::Obj;

/// Deals in the large fixture, the demo's included.
pub(crate) const LARGE_DEALS: u64 = 25_000;

/// The instant more than 10,000 won deals closed at: 2024-12-31T00:00:00.000Z.
pub(crate) const BULK_CLOSE: i64 = 1_735_603_200_000;

/// The open and lost stages of the default pipeline (its won stage is `closedwon`).
const OTHER_STAGES: [&str; 6] = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedlost",
];

/// The Renewals pipeline's stages.
const RENEWAL_STAGES: [&str; 5] = ["87263452", "87263453", "87263454", "87263455", "87263456"];

/// An amount in cents as HubSpot writes a number: no trailing zeros after the point.
fn amount_text(cents: i64) -> String {
    let (units, frac) = (cents / 100, cents % 100);
    match frac {
        0 => units.to_string(),
        f if f % 10 == 0 => format!("{units}.{}", f / 10),
        f => format!("{units}.{f:02}"),
    }
}

impl Seeder {
    /// Adds deals after the demo's until there are [`LARGE_DEALS`], shaped as the module says.
    pub(crate) fn large_deals(&mut self, seed: u64) {
        // A generator of its own, so the demo data stays what it is for this seed.
        let mut rng = Rng::new(seed ^ 0x1A26_E0DE_A15B_u64);
        let first = self.s.next_id;
        let extra = LARGE_DEALS - count(Obj::Deals);
        let companies = count(Obj::Companies);
        let span_start = ms_of(2023, 1, 1, 0, 0, 0);
        let span_end = ms_of(2025, 6, 30, 0, 0, 0);
        for k in 0..extra {
            let id = first + k;
            let created = rng.range(span_start, span_end);
            let updated = (created + rng.range(0, 30 * DAY_MS)).min(span_end);
            let company = base(Obj::Companies) + rng.below(companies);
            let cname = self.company_prop(company, "name");
            // Five in twelve: won in the year-end import; two in twelve: won on a day of their own;
            // the rest open, lost or in the Renewals pipeline.
            let (pipeline, stage, close) = match k % 12 {
                0..=4 => ("default", "closedwon", Some(BULK_CLOSE)),
                5 | 6 => (
                    "default",
                    "closedwon",
                    (!rng.chance(8)).then(|| created + rng.range(DAY_MS, 180 * DAY_MS)),
                ),
                7 => (
                    RENEWALS_PIPELINE,
                    rng.pick(&RENEWAL_STAGES),
                    (!rng.chance(3)).then(|| created + rng.range(DAY_MS, 365 * DAY_MS)),
                ),
                _ => (
                    "default",
                    rng.pick(&OTHER_STAGES),
                    (!rng.chance(3)).then(|| created + rng.range(DAY_MS, 365 * DAY_MS)),
                ),
            };
            let mut p: Props = vec![
                (
                    "dealname",
                    format!("{cname} - {} #{}", rng.pick(w::DEAL_KINDS), k + 1),
                ),
                ("pipeline", pipeline.into()),
                ("dealstage", stage.into()),
                (
                    "dealtype",
                    rng.pick(&["newbusiness", "existingbusiness"]).into(),
                ),
            ];
            let cents = rng.range(5_000, 50_000_000);
            let amount = match rng.below(20) {
                // One in twenty has no amount.
                0 => None,
                1..=3 => Some(cents - cents % 100),
                4..=5 => Some(cents - cents % 10),
                _ => Some(cents),
            };
            if let Some(c) = amount {
                p.push(("amount", amount_text(c)));
            }
            if let Some(c) = close {
                p.push(("closedate", iso_ms(c)));
            }
            if !rng.chance(4) {
                p.push((
                    "hubspot_owner_id",
                    (FIRST_OWNER_ID + rng.below(10)).to_string(),
                ));
            }
            self.put(Obj::Deals, id, created, updated, p);
            self.link((Obj::Deals, id), (Obj::Companies, company), 5);
        }
        self.s.next_id = first + extra;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::seeded_with;
    use crate::Dataset;

    #[test]
    fn amounts_are_written_as_hubspot_writes_numbers() {
        assert_eq!(amount_text(123_456), "1234.56");
        assert_eq!(amount_text(9_950), "99.5");
        assert_eq!(amount_text(120_000), "1200");
        assert_eq!(amount_text(5_007), "50.07");
        assert_eq!(BULK_CLOSE, ms_of(2024, 12, 31, 0, 0, 0));
    }

    #[test]
    fn the_large_fixture_has_every_shape_it_promises() {
        let s = seeded_with(42, Dataset::Large);
        let deals = s.records(Obj::Deals);
        assert_eq!(deals.len() as u64, LARGE_DEALS);
        let get = |r: &crate::store::Record, k: &str| r.props.get(k).cloned();
        let won: Vec<_> = deals
            .values()
            .filter(|r| get(r, "dealstage").as_deref() == Some("closedwon"))
            .collect();
        assert!(won.len() > 10_000, "{}", won.len());
        let bulk = iso_ms(BULK_CLOSE);
        let at_bulk = won
            .iter()
            .filter(|r| get(r, "closedate").as_deref() == Some(bulk.as_str()))
            .count();
        assert_eq!(at_bulk, 10_369, "5 in 12 of the 24,880 added deals");
        assert!(won.iter().any(|r| get(r, "closedate").is_none()));
        assert!(deals.values().any(|r| get(r, "amount").is_none()));
        assert!(deals
            .values()
            .any(|r| get(r, "amount").is_some_and(|a| a.contains('.'))));
        let owners: std::collections::BTreeSet<_> = deals
            .values()
            .filter_map(|r| get(r, "hubspot_owner_id"))
            .collect();
        assert_eq!(owners.len(), 10);
        // Every value is one the property accepts, as it would have been stored.
        for r in deals.values().skip(count(Obj::Deals) as usize) {
            for (k, v) in &r.props {
                let p = s.prop(Obj::Deals, k).unwrap();
                assert_eq!(
                    p.normalize(v).unwrap().as_deref(),
                    Some(v.as_str()),
                    "{k}={v}"
                );
            }
        }
        // The demo's records are the demo's.
        let demo = seeded_with(42, Dataset::Demo);
        assert_eq!(
            demo.records(Obj::Deals).get(&481).map(|r| &r.props),
            deals.get(&481).map(|r| &r.props)
        );
        assert_eq!(s.next_id, demo.next_id + LARGE_DEALS - count(Obj::Deals));
    }
}
