//! Records over HTTP: listing and paging, reads by id and `idProperty`, creates, updates and archives with their validation errors.

use serde_json::json;

use crate::client::{ids, T, TOKEN};

#[test]
fn lists_page_to_the_end() {
    let t = T::start();
    let mut all = Vec::new();
    let mut path = "/crm/v3/objects/contacts?limit=100".to_string();
    loop {
        let r = t.get(&path);
        assert_eq!(r.status, 200, "{}", r.raw);
        assert!(r.header("X-HubSpot-RateLimit-Remaining").is_some());
        assert_eq!(
            r.header("X-HubSpot-RateLimit-Interval-Milliseconds"),
            Some("10000")
        );
        all.extend(ids(&r.body));
        match r.body["paging"]["next"]["after"].as_str() {
            Some(after) => {
                assert!(r.body["paging"]["next"]["link"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("after={after}")));
                path = format!("/crm/v3/objects/contacts?limit=100&after={after}");
            }
            None => break,
        }
    }
    assert_eq!(all, (101..=400).collect::<Vec<u64>>());
    let first = t.get("/crm/v3/objects/contacts");
    assert_eq!(first.body["results"].as_array().unwrap().len(), 10);
    let props = first.body["results"][0]["properties"].as_object().unwrap();
    let keys: Vec<&str> = props.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname"
        ]
    );
    assert!(first.body["results"][0]["createdAt"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    let custom = t.get("/crm/v3/objects/2-3508482?limit=100&properties=project_name,project_code");
    assert_eq!(ids(&custom.body).len(), 20);
    assert!(custom.body["results"][0]["properties"]["project_code"]
        .as_str()
        .unwrap()
        .starts_with("PRJ-"));
    assert_eq!(
        t.get("/crm/v3/objects/p24681357_projects?limit=1").status,
        200
    );
    assert_eq!(t.get("/crm/v3/objects/projects?limit=1").status, 200);
    assert_eq!(
        t.get("/crm/v3/objects/0-3?limit=100").body["results"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    let bad = t.get("/crm/v3/objects/foos");
    assert_eq!(
        (bad.status, bad.body["category"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert_eq!(
        bad.body["message"],
        "Unable to infer object type from: foos"
    );
}

#[test]
fn reads_by_id_and_id_property() {
    let t = T::start();
    let r = t
        .get("/crm/v3/objects/contacts/101?properties=email,jobtitle&associations=companies,deals");
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], "101");
    assert_eq!(r.body["properties"]["email"], "maria.chen@acme.example.com");
    assert_eq!(r.body["properties"]["jobtitle"], "VP of Operations");
    assert_eq!(r.body["properties"]["hs_object_id"], "101");
    let companies = &r.body["associations"]["companies"]["results"];
    assert_eq!(
        companies[0],
        json!({"id": "401", "type": "contact_to_company"})
    );
    assert_eq!(
        companies[1],
        json!({"id": "401", "type": "contact_to_company_unlabeled"})
    );
    assert!(r.body["associations"]["deals"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == "481"));
    let by_email = t.get("/crm/v3/objects/contacts/maria.chen%40acme.example.com?idProperty=email");
    assert_eq!(
        (by_email.status, by_email.body["id"].as_str()),
        (200, Some("101"))
    );
    let by_domain = t.get("/crm/v3/objects/companies/acme.example.com?idProperty=domain");
    assert_eq!(by_domain.body["properties"]["name"], "Acme Corporation");
    let missing = t.get("/crm/v3/objects/contacts/999999");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["message"],
        "Object not found.  objectId are usually numeric."
    );
    assert_eq!(missing.body["category"], "OBJECT_NOT_FOUND");
    assert_eq!(missing.body["context"]["id"][0], "999999");
    assert_eq!(missing.body["correlationId"].as_str().unwrap().len(), 36);
    assert_eq!(
        t.get("/crm/v3/objects/contacts/101?idProperty=firstname")
            .status,
        400
    );
    assert_eq!(
        t.get("/crm/v3/objects/deals/481").body["properties"]["dealstage"],
        "contractsent"
    );
}

#[test]
fn creates_updates_and_archives() {
    let t = T::start();
    let body = json!({"properties": {"email": "New.Person@Example.org", "firstname": "New", "lifecyclestage": "lead"},
        "associations": [{"to": {"id": "401"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]}]});
    let c = t.post("/crm/v3/objects/contacts", body);
    assert_eq!(c.status, 201, "{}", c.raw);
    let id = c.body["id"].as_str().unwrap().to_string();
    assert_eq!(id, "1095");
    assert_eq!(c.body["properties"]["email"], "new.person@example.org");
    assert_eq!(c.body["properties"]["hs_object_id"], "1095");
    assert!(c.body["properties"]["createdate"].as_str().is_some());
    let assoc = t.get(&format!(
        "/crm/v4/objects/contacts/{id}/associations/companies"
    ));
    assert_eq!(assoc.body["results"][0]["toObjectId"], 401);
    let u = t.req(
        "PATCH",
        &format!("/crm/v3/objects/contacts/{id}"),
        Some(&json!({"properties": {"jobtitle": "CTO", "firstname": ""}})),
    );
    assert_eq!(u.status, 200, "{}", u.raw);
    assert_eq!(u.body["properties"]["jobtitle"], "CTO");
    assert!(u.body["properties"].get("firstname").is_none());
    let by_email = t.req(
        "PATCH",
        "/crm/v3/objects/contacts/new.person%40example.org?idProperty=email",
        Some(&json!({"properties": {"lastname": "Person"}})),
    );
    assert_eq!(by_email.body["properties"]["lastname"], "Person");
    let dup = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"email": "NEW.person@example.org"}}),
    );
    assert_eq!(dup.status, 409);
    assert_eq!(
        dup.body["message"],
        format!("Contact already exists. Existing ID: {id}")
    );
    assert_eq!(dup.body["category"], "CONFLICT");
    let unknown = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"foo": "bar"}}),
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.body["category"], "VALIDATION_ERROR");
    let msg = unknown.body["message"].as_str().unwrap();
    assert!(msg.starts_with("Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"foo\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"foo\""), "{msg}");
    let bad_enum = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"lifecyclestage": "vip"}}),
    );
    assert!(bad_enum.body["message"]
        .as_str()
        .unwrap()
        .contains("INVALID_OPTION"));
    let no_name = t.post(
        "/crm/v3/objects/deals",
        json!({"properties": {"amount": "10"}}),
    );
    assert!(no_name.body["message"]
        .as_str()
        .unwrap()
        .contains("dealname"));
    let deal = t.post(
        "/crm/v3/objects/deals",
        json!({"properties": {"dealname": "X", "amount": 1200, "closedate": "2025-09-30"}}),
    );
    assert_eq!(deal.status, 201);
    assert_eq!(deal.body["properties"]["pipeline"], "default");
    assert_eq!(deal.body["properties"]["amount"], "1200");
    assert_eq!(
        deal.body["properties"]["closedate"],
        "2025-09-30T00:00:00.000Z"
    );
    let note = t.post(
        "/crm/v3/objects/notes",
        json!({"properties": {"hs_note_body": "hi"}}),
    );
    assert_eq!(note.status, 400, "engagements need hs_timestamp");
    let lead = t.post(
        "/crm/v3/objects/leads",
        json!({"properties": {"hs_lead_name": "L"}}),
    );
    assert_eq!(lead.status, 400, "leads need a primary contact");
    let bad_json = t.req("POST", "/crm/v3/objects/contacts", Some(&json!("x")));
    assert_eq!(bad_json.status, 400);
    let garbage = crate::client::try_send(
        &t.base,
        "POST",
        "/crm/v3/objects/contacts",
        Some(TOKEN),
        None,
    )
    .unwrap();
    assert_eq!(garbage.status, 400);
    assert_eq!(
        t.req("DELETE", &format!("/crm/v3/objects/contacts/{id}"), None)
            .status,
        204
    );
    assert_eq!(t.get(&format!("/crm/v3/objects/contacts/{id}")).status, 404);
    let archived = t.get(&format!("/crm/v3/objects/contacts/{id}?archived=true"));
    assert_eq!(
        (archived.status, archived.body["archived"].as_bool()),
        (200, Some(true))
    );
    assert_eq!(
        t.req("DELETE", "/crm/v3/objects/contacts/424242", None)
            .status,
        204
    );
    // Not an object id, or a dot segment: refused, never "archived".
    for path in [
        "/crm/v3/objects/contacts/abc",
        "/crm/v3/objects/contacts/%2E%2E",
        "/crm/v3/objects/contacts/..",
        "/crm/v3/objects/contacts/%2e",
    ] {
        let r = t.req("DELETE", path, None);
        assert_eq!(r.status, 404, "{path}: {}", r.raw);
    }
    let r = t.req("DELETE", "/crm/v3/objects/contacts/abc", None);
    assert_eq!(r.body["category"], "OBJECT_NOT_FOUND", "{}", r.raw);
    let again = t.post(
        "/crm/v3/objects/contacts",
        json!({"properties": {"email": "new.person@example.org"}}),
    );
    assert_eq!(
        again.status, 201,
        "an archived record's email is free again"
    );
}
