//! The Lists API (2026-03) over HTTP: create, search, get, memberships paged by record id, adds and
//! removes on a MANUAL list, a DYNAMIC list refusing both, unknown lists, HubSpot's limits.

use serde_json::{json, Value};

use crate::client::T;

fn member_ids(t: &T, list: &str, query: &str) -> (Vec<String>, Value) {
    let r = t.get(&format!("/crm/lists/2026-03/{list}/memberships{query}"));
    assert_eq!(r.status, 200, "{:?}", r.body);
    let ids = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["recordId"].as_str().unwrap().to_string())
        .collect();
    (ids, r.body)
}

#[test]
fn manual_lists_change_and_dynamic_ones_refuse() {
    let t = T::start();
    let c = t.post(
        "/crm/lists/2026-03",
        json!({"name": "VIPs", "objectTypeId": "0-1", "processingType": "MANUAL"}),
    );
    assert_eq!(c.status, 200, "{:?}", c.body);
    let l = &c.body["list"];
    assert_eq!(
        (
            l["listId"].as_str(),
            l["processingType"].as_str(),
            l["size"].as_u64()
        ),
        (Some("21"), Some("MANUAL"), Some(0))
    );
    // Names are unique; DYNAMIC needs filters; lists hold only some object types.
    for body in [
        json!({"name": "vips", "objectTypeId": "0-1", "processingType": "MANUAL"}),
        json!({"name": "D", "objectTypeId": "0-1", "processingType": "DYNAMIC"}),
        json!({"name": "N", "objectTypeId": "0-46", "processingType": "MANUAL"}),
    ] {
        assert_eq!(
            t.post("/crm/lists/2026-03", body.clone()).status,
            400,
            "{body}"
        );
    }

    let add = t.req(
        "PUT",
        "/crm/lists/2026-03/21/memberships/add",
        Some(&json!(["103", "101", "102", "7"])),
    );
    assert_eq!(add.status, 200);
    assert_eq!(
        add.body,
        json!({"recordsIdsAdded": ["103", "101", "102"], "recordIdsRemoved": [], "recordIdsMissing": ["7"]})
    );
    let (ids, body) = member_ids(&t, "21", "?limit=2");
    assert_eq!(
        (ids, &body["total"]),
        (vec!["101".to_string(), "102".to_string()], &json!(3))
    );
    assert_eq!(body["paging"]["next"]["after"], "102");
    assert_eq!(member_ids(&t, "21", "?after=102").0, ["103"]);
    let rm = t.req(
        "PUT",
        "/crm/lists/2026-03/21/memberships/remove",
        Some(&json!(["102", "104"])),
    );
    assert_eq!(rm.body["recordIdsRemoved"], json!(["102"]));
    assert_eq!(member_ids(&t, "21", "").0, ["101", "103"]);
    assert_eq!(t.get("/crm/lists/2026-03/21").body["list"]["size"], 2);

    let before = member_ids(&t, "12", "").0;
    for action in ["add", "remove"] {
        let r = t.req(
            "PUT",
            &format!("/crm/lists/2026-03/12/memberships/{action}"),
            Some(&json!(["110", "120"])),
        );
        assert_eq!(r.status, 400, "{action}");
        assert_eq!(r.body["category"], "VALIDATION_ERROR");
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains("is not a MANUAL or SNAPSHOT list"),
            "{:?}",
            r.body
        );
    }
    assert_eq!(member_ids(&t, "12", "").0, before);

    let missing = t.get("/crm/lists/2026-03/999");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["message"], "List does not exist with ID 999.");
    assert_eq!(t.get("/crm/lists/2026-03/999/memberships").status, 404);
    assert_eq!(
        t.get("/crm/lists/2026-03/11/memberships?limit=251").status,
        400
    );
}

#[test]
fn search_by_name_type_and_pages() {
    let t = T::start();
    let all = t.post("/crm/lists/2026-03/search", json!({"query": ""}));
    assert_eq!(all.body["total"], 3);
    let news = t.post("/crm/lists/2026-03/search", json!({"query": "NEWS"}));
    assert_eq!(news.body["lists"][0]["listId"], "11");
    assert_eq!(
        news.body["lists"][0]["additionalProperties"]["hs_list_size"],
        "5"
    );
    let snap = t.post(
        "/crm/lists/2026-03/search",
        json!({"processingTypes": ["SNAPSHOT"], "objectTypeId": "0-2"}),
    );
    assert_eq!(snap.body["lists"][0]["listId"], "13");
    let page = t.post("/crm/lists/2026-03/search", json!({"count": 2}));
    assert_eq!(
        (&page.body["offset"], &page.body["hasMore"]),
        (&json!(2), &json!(true))
    );
    let next = t.post(
        "/crm/lists/2026-03/search",
        json!({"count": 2, "offset": 2}),
    );
    assert_eq!(next.body["hasMore"], false);
    assert_eq!(
        t.post("/crm/lists/2026-03/search", json!({"count": 501}))
            .status,
        400
    );
}
