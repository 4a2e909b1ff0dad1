//! HTTP tests of the API: a sandbox on 127.0.0.1:0 and real requests over TCP for listing and paging,
//! reads by id and `idProperty`, writes and their validation errors, search operators and limits,
//! batches, associations, properties, owners, pipelines, account, schemas, flows and authentication.

use serde_json::{json, Value};

use super::tests_client::{T, TOKEN};

fn ids(v: &Value) -> Vec<u64> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

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
    let garbage = super::tests_client::try_send(
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

#[test]
fn batches() {
    let t = T::start();
    let read = t.post(
        "/crm/v3/objects/contacts/batch/read",
        json!({"inputs": [{"id": "101"}, {"id": "999999"}, {"id": 102}], "properties": ["email"]}),
    );
    assert_eq!(read.status, 207, "{}", read.raw);
    assert_eq!(read.body["status"], "COMPLETE");
    assert_eq!(ids(&read.body), vec![101, 102]);
    assert_eq!(read.body["numErrors"], 1);
    assert_eq!(read.body["errors"][0]["category"], "OBJECT_NOT_FOUND");
    assert_eq!(read.body["errors"][0]["context"]["ids"], json!(["999999"]));
    assert!(
        read.body["startedAt"].as_str().is_some() && read.body["completedAt"].as_str().is_some()
    );
    let by_email = t.post(
        "/crm/v3/objects/contacts/batch/read",
        json!({"idProperty": "email", "inputs": [{"id": "maria.chen@acme.example.com"}]}),
    );
    assert_eq!((by_email.status, ids(&by_email.body)), (200, vec![101]));
    let over: Vec<Value> = (0..101)
        .map(|i| json!({"id": (101 + i).to_string()}))
        .collect();
    let too_many = t.post(
        "/crm/v3/objects/contacts/batch/read",
        json!({"inputs": over}),
    );
    assert_eq!(
        (too_many.status, too_many.body["category"].as_str()),
        (400, Some("VALIDATION_ERROR"))
    );
    assert!(too_many.body["message"]
        .as_str()
        .unwrap()
        .starts_with("The maximum number of inputs supported in a batch request is 100"));
    let created = t.post(
        "/crm/v3/objects/companies/batch/create",
        json!({"inputs": [
        {"properties": {"name": "One", "domain": "one.example.com"}},
        {"properties": {"name": "Two", "domain": "two.example.com"}}]}),
    );
    assert_eq!(created.status, 201, "{}", created.raw);
    let new_ids = ids(&created.body);
    assert_eq!(new_ids.len(), 2);
    let invalid = t.post(
        "/crm/v3/objects/companies/batch/create",
        json!({"inputs": [{"properties": {"name": "ok"}}, {"properties": {"nope": 1}}]}),
    );
    assert_eq!(invalid.status, 400);
    let upd = t.post("/crm/v3/objects/companies/batch/update", json!({"inputs": [
        {"id": new_ids[0].to_string(), "properties": {"city": "Boston"}}, {"id": "777777", "properties": {"city": "X"}}]}));
    assert_eq!(upd.status, 207);
    assert_eq!(upd.body["results"][0]["properties"]["city"], "Boston");
    let ups = t.post("/crm/v3/objects/contacts/batch/upsert", json!({"inputs": [
        {"id": "maria.chen@acme.example.com", "idProperty": "email", "properties": {"jobtitle": "COO"}},
        {"id": "brand.new@example.com", "idProperty": "email", "properties": {"firstname": "Brand"}}]}));
    assert_eq!(ups.status, 200, "{}", ups.raw);
    assert_eq!(
        (
            ups.body["results"][0]["new"].as_bool(),
            ups.body["results"][1]["new"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert_eq!(
        ups.body["results"][1]["properties"]["email"],
        "brand.new@example.com"
    );
    let arch = t.post(
        "/crm/v3/objects/companies/batch/archive",
        json!({"inputs": [{"id": new_ids[0].to_string()}, {"id": "5"}]}),
    );
    assert_eq!(arch.status, 204);
    assert_eq!(
        t.get(&format!("/crm/v3/objects/companies/{}", new_ids[0]))
            .status,
        404
    );
}
