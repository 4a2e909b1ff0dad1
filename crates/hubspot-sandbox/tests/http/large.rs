//! The large fixture (`Dataset::Large`, 25,000 deals) over HTTP: HubSpot's 10,000-result cap as HubSpot
//! applies it (a `total` past it, pages up to it, a 400 beyond it), the shapes the fixture promises, the
//! ways past the cap (a range of a date, an instant read by id), and searches fast enough to page it.

use std::time::{Duration, Instant};

use hubspot_sandbox::{Dataset, SandboxOptions};
use serde_json::{json, Value};

use crate::client::{T, TOKEN};

fn large() -> T {
    T::with(SandboxOptions {
        token: Some(TOKEN.into()),
        dataset: Dataset::Large,
        search_per_second: 100_000,
        ..SandboxOptions::default()
    })
}

const WON: &str = "closedwon";
/// The instant more than 10,000 won deals closed at.
const BULK: &str = "2024-12-31T00:00:00.000Z";

fn won(extra: &[Value]) -> Value {
    let mut filters = vec![json!({"propertyName": "dealstage", "operator": "EQ", "value": WON})];
    filters.extend_from_slice(extra);
    json!([{ "filters": filters }])
}

fn search(t: &T, body: Value) -> (u16, Value) {
    let r = t.post("/crm/v3/objects/deals/search", body);
    (r.status, r.body)
}

#[test]
fn the_cap_is_applied_as_hubspot_applies_it() {
    let t = large();
    let (status, first) = search(&t, json!({"filterGroups": won(&[]), "limit": 200}));
    assert_eq!(status, 200);
    let total = first["total"].as_u64().unwrap();
    assert!(
        total > 10_000,
        "the total is the true count past the cap: {total}"
    );
    // Pages reach the 10,000th result and no further.
    let (status, last) = search(
        &t,
        json!({"filterGroups": won(&[]), "limit": 200, "after": "9800"}),
    );
    assert_eq!(status, 200);
    assert_eq!(last["results"].as_array().unwrap().len(), 200);
    assert_eq!(last["paging"]["next"]["after"], "10000");
    let (status, one) = search(
        &t,
        json!({"filterGroups": won(&[]), "limit": 1, "after": "9999"}),
    );
    assert_eq!((status, one["results"].as_array().unwrap().len()), (200, 1));
    for (after, limit) in [("10000", 1), ("9999", 2), ("9900", 200)] {
        let (status, e) = search(
            &t,
            json!({"filterGroups": won(&[]), "limit": limit, "after": after}),
        );
        assert_eq!(
            (status, e["category"].as_str()),
            (400, Some("VALIDATION_ERROR")),
            "after {after} limit {limit}: {e}"
        );
    }
}

#[test]
fn past_the_cap_by_date_range_and_by_id() {
    let t = large();
    let count = |extra: &[Value]| {
        let (s, b) = search(&t, json!({"filterGroups": won(extra), "limit": 1}));
        assert_eq!(s, 200, "{b}");
        b["total"].as_u64().unwrap()
    };
    let all = count(&[]);
    let at_bulk = count(&[json!({"propertyName": "closedate", "operator": "EQ", "value": BULK})]);
    assert!(at_bulk > 10_000, "{at_bulk} won deals at one instant");
    let before = count(&[json!({"propertyName": "closedate", "operator": "LT", "value": BULK})]);
    let after = count(&[json!({"propertyName": "closedate", "operator": "GT", "value": BULK})]);
    let unset = count(&[json!({"propertyName": "closedate", "operator": "NOT_HAS_PROPERTY"})]);
    assert!(unset > 0 && before > 0 && after > 0);
    assert_eq!(before + at_bulk + after + unset, all);
    // The instant, read by id: every page after the last id seen, to the end, each deal once.
    let mut seen = std::collections::BTreeSet::new();
    let mut last = 0u64;
    loop {
        let (s, page) = search(
            &t,
            json!({"filterGroups": won(&[
                json!({"propertyName": "closedate", "operator": "BETWEEN", "value": BULK, "highValue": BULK}),
                json!({"propertyName": "hs_object_id", "operator": "GT", "value": last.to_string()}),
            ]), "limit": 200, "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": ["amount"]}),
        );
        assert_eq!(s, 200);
        let ids: Vec<u64> = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending ids");
        for id in &ids {
            assert!(*id > last && seen.insert(*id));
        }
        match ids.last() {
            Some(l) if page.get("paging").is_some() => last = *l,
            _ => break,
        }
    }
    assert_eq!(seen.len() as u64, at_bulk);
}

#[test]
fn searches_over_25000_deals_are_fast_enough_to_page() {
    let t = large();
    let bodies = [
        json!({"filterGroups": won(&[]), "limit": 200,
               "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
               "properties": ["amount", "closedate", "hubspot_owner_id"]}),
        json!({"filterGroups": won(&[json!({"propertyName": "closedate", "operator": "HAS_PROPERTY"})]),
               "limit": 1, "after": "9999", "sorts": [{"propertyName": "closedate", "direction": "ASCENDING"}],
               "properties": ["closedate"]}),
    ];
    for body in bodies {
        let start = Instant::now();
        for _ in 0..5 {
            assert_eq!(search(&t, body.clone()).0, 200);
        }
        let each = start.elapsed() / 5;
        eprintln!("search over 25,000 deals: {each:?}");
        // Generous for a debug build on a busy machine; a release build answers in a few ms.
        assert!(each < Duration::from_millis(1500), "{each:?}");
    }
}
