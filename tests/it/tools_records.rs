use serde_json::{json, Value};

use crate::support::Crm;

fn unique_email(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}.{n}@it.example.com")
}

#[test]
fn list_pages_to_the_end_and_get_by_id_or_unique_property() {
    let crm = Crm::start(&[]);
    let (mut after, mut seen, mut pages) = (None::<String>, Vec::new(), 0);
    loop {
        let mut args =
            json!({"objectType": "contacts", "limit": 100, "properties": ["email", "firstname"]});
        if let Some(a) = &after {
            args["after"] = json!(a);
        }
        let p = crm.ok("hubspot_list_records", args);
        seen.extend(p["results"].as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 100, "paging never ended");
        match p["nextAfter"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    let total = crm.ok(
        "hubspot_search_records",
        json!({"objectType": "contacts", "limit": 1}),
    )["total"]
        .as_u64()
        .unwrap();
    assert_eq!(
        seen.len() as u64,
        total,
        "listing followed after to the end"
    );
    assert!(total >= 300);
    let mut ids: Vec<&str> = seen.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), seen.len(), "no record twice");

    let first = &seen[0];
    let id = first["id"].as_str().unwrap();
    let email = first["properties"]["email"].as_str().unwrap();
    let g = crm.ok("hubspot_get_record", json!({"objectType": "contact", "id": id, "properties": ["email"], "associations": ["companies"]}));
    assert_eq!(
        (g["id"].as_str(), g["properties"]["email"].as_str()),
        (Some(id), Some(email))
    );
    let g = crm.ok(
        "hubspot_get_record",
        json!({"objectType": "0-1", "id": email, "idProperty": "email"}),
    );
    assert_eq!(g["id"].as_str(), Some(id));
    let e = crm.err(
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": "987654321987"}),
    );
    assert!(e.contains("404") && e.contains("Hint:"), "{e}");
    let e = crm.err("hubspot_get_record", json!({"objectType": "contacts"}));
    assert!(e.contains("Invalid arguments"), "{e}");
}

#[test]
fn search_filters_sorts_and_bounded_auto_paging() {
    let crm = Crm::start(&[]);
    let some = crm.ok(
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 1, "properties": ["email"]}),
    );
    let email = some["results"][0]["properties"]["email"]
        .as_str()
        .unwrap()
        .to_string();
    let r = crm.ok("hubspot_search_records", json!({"objectType": "contacts",
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}], "properties": ["email"]}));
    assert_eq!(r["total"], 1);
    assert_eq!(
        r["results"][0]["properties"]["email"].as_str(),
        Some(email.as_str())
    );

    let sorted = crm.ok(
        "hubspot_search_records",
        json!({"objectType": "contacts", "limit": 50,
        "sorts": [{"propertyName": "email", "direction": "ASCENDING"}], "properties": ["email"]}),
    );
    let emails: Vec<String> = sorted["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["properties"]["email"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
        })
        .collect();
    let mut want = emails.clone();
    want.sort();
    assert_eq!(emails, want);

    // Auto-paging follows `after` to the end (fewer results than maxResults) ...
    let before = crm.sb.count("POST /crm/v3/objects/{type}/search");
    let all = crm.ok(
        "hubspot_search_records",
        json!({"objectType": "contacts", "maxResults": 5000, "properties": ["email"]}),
    );
    let total = all["total"].as_u64().unwrap();
    assert_eq!(all["results"].as_array().unwrap().len() as u64, total);
    assert!(all["nextAfter"].is_null());
    let calls = crm.sb.count("POST /crm/v3/objects/{type}/search") - before;
    assert_eq!(calls, total.div_ceil(200), "one search per page of 200");
    // ... and stops at maxResults, saying where to continue.
    let some = crm.ok(
        "hubspot_search_records",
        json!({"objectType": "contacts", "maxResults": 250}),
    );
    assert_eq!(some["results"].as_array().unwrap().len(), 250);
    assert!(some["nextAfter"].is_string());

    // HubSpot's limits are checked before any call.
    let before = crm.sb.count("POST /crm/v3/objects/{type}/search");
    let e = crm.err(
        "hubspot_search_records",
        json!({"objectType": "contacts", "after": "9950", "limit": 100}),
    );
    assert!(e.contains("10000"), "{e}");
    let f = json!({"propertyName": "email", "operator": "HAS_PROPERTY"});
    let e = crm.err(
        "hubspot_search_records",
        json!({"objectType": "contacts", "filterGroups": vec![json!({"filters": [f]}); 6]}),
    );
    assert!(e.contains("at most 5"), "{e}");
    assert_eq!(
        crm.sb.count("POST /crm/v3/objects/{type}/search"),
        before,
        "refused locally"
    );
}

#[test]
fn create_update_archive_and_their_errors() {
    let crm = Crm::start(&[]);
    let email = unique_email("ada");
    let c = crm.ok(
        "hubspot_create_record",
        json!({"objectType": "contacts",
        "properties": {"email": email, "firstname": "Ada", "lastname": "Lovelace"}}),
    );
    let id = c["id"].as_str().unwrap().to_string();
    assert_eq!(c["properties"]["firstname"], "Ada");

    let e = crm.err(
        "hubspot_create_record",
        json!({"objectType": "contacts", "properties": {"email": email}}),
    );
    assert!(
        e.contains("409") && e.contains(&id),
        "duplicate names the existing id: {e}"
    );
    let e = crm.err("hubspot_create_record", json!({"objectType": "contacts", "properties": {"email": unique_email("x"), "favourite_colour": "red"}}));
    assert!(
        e.contains("favourite_colour"),
        "validation names the property: {e}"
    );

    let u = crm.ok(
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": id, "properties": {"jobtitle": "Analyst"}}),
    );
    assert_eq!(u["properties"]["jobtitle"], "Analyst");
    let u = crm.ok("hubspot_update_record", json!({"objectType": "contacts", "id": email, "idProperty": "email", "properties": {"firstname": "Augusta"}}));
    assert_eq!(u["id"].as_str(), Some(id.as_str()));

    // A deal associated with the contact at creation (HubSpot's default association type).
    let d = crm.ok("hubspot_create_record", json!({"objectType": "deals",
        "properties": {"dealname": "Analytical Engine", "amount": 1000, "pipeline": "default", "dealstage": "appointmentscheduled"},
        "associations": [{"toObjectType": "contacts", "toId": id}]}));
    let g = crm.ok(
        "hubspot_get_record",
        json!({"objectType": "deals", "id": d["id"], "associations": ["contacts"]}),
    );
    assert!(
        g["associations"]["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == &json!(id)),
        "{g}"
    );

    let a = crm.ok(
        "hubspot_archive_record",
        json!({"objectType": "contacts", "id": id}),
    );
    assert!(a.as_str().unwrap().contains("Archived"));
    let e = crm.err(
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": id}),
    );
    assert!(e.contains("404"), "{e}");
    assert_eq!(crm.sb.count("DELETE /crm/v3/objects/{type}/{id}"), 1);
    let _ = Value::Null;
}
