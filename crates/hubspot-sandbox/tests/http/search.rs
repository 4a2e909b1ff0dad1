//! CRM search over HTTP: every operator, the free-text query, sorting, and HubSpot's limits.

use serde_json::{json, Value};

use crate::client::{ids, T};

fn search(t: &T, obj: &str, body: Value) -> Value {
    let r = t.post(&format!("/crm/v3/objects/{obj}/search"), body);
    assert_eq!(r.status, 200, "{}", r.raw);
    assert!(
        r.header("X-HubSpot-RateLimit-Remaining").is_none(),
        "search carries no rate-limit headers"
    );
    r.body
}

fn one(prop: &str, op: &str, extra: Value) -> Value {
    let mut f = json!({"propertyName": prop, "operator": op});
    f.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"filterGroups": [{"filters": [f]}], "limit": 200, "properties": [prop]})
}

#[test]
fn searches_with_every_operator() {
    let t = T::fast();
    let total = |obj: &str, body: Value| search(&t, obj, body)["total"].as_u64().unwrap();
    let eq = search(
        &t,
        "contacts",
        one(
            "email",
            "EQ",
            json!({"value": "MARIA.CHEN@acme.example.com"}),
        ),
    );
    assert_eq!(
        (eq["total"].as_u64(), eq["results"][0]["id"].as_str()),
        (Some(1), Some("101"))
    );
    assert_eq!(
        total(
            "contacts",
            one(
                "email",
                "NEQ",
                json!({"value": "maria.chen@acme.example.com"})
            )
        ),
        299
    );
    let big = total("deals", one("amount", "GT", json!({"value": "100000"})));
    let small = total("deals", one("amount", "LTE", json!({"value": 100000})));
    assert_eq!(big + small, 120);
    assert!(big > 0 && small > 0);
    assert_eq!(
        total("deals", one("amount", "LT", json!({"value": "0"}))),
        0
    );
    assert_eq!(
        total("deals", one("amount", "GTE", json!({"value": "48000"})))
            + total("deals", one("amount", "LT", json!({"value": "48000"}))),
        120
    );
    let between = total(
        "contacts",
        one(
            "createdate",
            "BETWEEN",
            json!({"value": "2023-01-01", "highValue": "2025-07-01T00:00:00Z"}),
        ),
    );
    assert_eq!(between, 300);
    assert_eq!(
        total(
            "contacts",
            one("createdate", "LT", json!({"value": 1_672_531_200_000_i64}))
        ),
        0
    );
    let inn = total(
        "contacts",
        one(
            "lifecyclestage",
            "IN",
            json!({"values": ["customer", "lead"]}),
        ),
    );
    let not_in = total(
        "contacts",
        one(
            "lifecyclestage",
            "NOT_IN",
            json!({"values": ["customer", "lead"]}),
        ),
    );
    assert_eq!(inn + not_in, 300);
    let has = total(
        "contacts",
        one("hubspot_owner_id", "HAS_PROPERTY", json!({})),
    );
    let has_not = total(
        "contacts",
        one("hubspot_owner_id", "NOT_HAS_PROPERTY", json!({})),
    );
    assert_eq!(has + has_not, 300);
    assert!(has > 200);
    let acme = search(
        &t,
        "contacts",
        one(
            "email",
            "CONTAINS_TOKEN",
            json!({"value": "*@acme.example.com"}),
        ),
    );
    assert!(acme["total"].as_u64().unwrap() >= 1);
    assert!(acme["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["properties"]["email"]
            .as_str()
            .unwrap()
            .ends_with("@acme.example.com")));
    let not_acme = total(
        "contacts",
        one(
            "email",
            "NOT_CONTAINS_TOKEN",
            json!({"value": "*@acme.example.com"}),
        ),
    );
    assert_eq!(acme["total"].as_u64().unwrap() + not_acme, 300);
    // OR of groups, AND within a group.
    let or = json!({"filterGroups": [
        {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": "101"}]},
        {"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": "102"},
                     {"propertyName": "hs_object_id", "operator": "LT", "value": "102"}]},
        {"filters": [{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": "103", "highValue": "104"}]}]});
    assert_eq!(ids(&search(&t, "contacts", or)), vec![101, 103, 104]);
    let q = search(&t, "contacts", json!({"query": "maria.chen@acme"}));
    assert_eq!(q["results"][0]["id"], "101");
    let q2 = search(&t, "companies", json!({"query": "acme"}));
    assert!(ids(&q2).contains(&401));
    let sorted = search(
        &t,
        "deals",
        json!({"sorts": [{"propertyName": "amount", "direction": "DESCENDING"}], "limit": 200, "properties": ["amount"]}),
    );
    let amounts: Vec<f64> = sorted["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["amount"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(
        sorted["results"][0]["properties"]["hs_object_id"]
            .as_str()
            .map(str::len),
        Some(3)
    );
    let page = search(&t, "contacts", json!({"limit": 7, "after": "14"}));
    assert_eq!(
        (
            page["total"].as_u64(),
            page["paging"]["next"]["after"].as_str()
        ),
        (Some(300), Some("21"))
    );
    assert_eq!(ids(&page), (115..122).collect::<Vec<u64>>());
    let last = search(&t, "contacts", json!({"limit": 100, "after": 200}));
    assert!(last.get("paging").is_none());
}

#[test]
fn search_limits_are_enforced() {
    let t = T::fast();
    let f = json!({"propertyName": "email", "operator": "HAS_PROPERTY"});
    let group = |n: usize| json!({"filters": vec![f.clone(); n]});
    let status = |body: Value| t.post("/crm/v3/objects/contacts/search", body).status;
    assert_eq!(status(json!({"filterGroups": vec![group(1); 5]})), 200);
    assert_eq!(status(json!({"filterGroups": vec![group(1); 6]})), 400);
    assert_eq!(status(json!({"filterGroups": [group(6)]})), 200);
    assert_eq!(status(json!({"filterGroups": [group(7)]})), 400);
    assert_eq!(
        status(json!({"filterGroups": [group(6), group(6), group(6), group(1)]})),
        400
    );
    assert_eq!(status(json!({"limit": 201})), 400);
    let cap = t.post(
        "/crm/v3/objects/contacts/search",
        json!({"after": "9950", "limit": 100}),
    );
    assert_eq!(
        (cap.status, cap.body["category"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(status(json!({"after": "9900", "limit": 100})), 200);
    let unknown = t.post(
        "/crm/v3/objects/contacts/search",
        one("nope", "EQ", json!({"value": "x"})),
    );
    assert_eq!(unknown.status, 400);
    let between = t.post(
        "/crm/v3/objects/deals/search",
        one("amount", "BETWEEN", json!({"value": "1"})),
    );
    assert!(between.body["message"]
        .as_str()
        .unwrap()
        .contains("highValue"));
}
