//! Field masking (`HUBSPOT_MASKED_PROPERTIES`): masked properties and their seed values appear in no
//! tool result, resource or search; filtering, sorting and free-text queries over them, and writes
//! setting them, are refused before HubSpot (the sandbox) is called.

use serde_json::{json, Value};

use crate::support::{Crm, Resp, SANDBOX_TOKEN};

const MASKED: &str =
    "contacts:phone,lifecyclestage;deals:amount;notes:hs_note_body;p24681357_projects:project_code";
/// The sandbox's custom object, by its objectTypeId (the mask names it by its other spelling).
const PROJECTS: &str = "2-3508482";

/// A call straight to the sandbox, as HubSpot (bypassing the server).
fn sandbox(crm: &Crm, method: &str, path: &str) -> Resp {
    let auth = format!("Bearer {SANDBOX_TOKEN}");
    crm.sb
        .server
        .client()
        .request(method, path, &[("Authorization", &auth)], "")
}

/// The API calls the sandbox received since the last [`forget_requests`].
fn requests(crm: &Crm) -> Vec<Value> {
    sandbox(crm, "GET", "/__sandbox/requests")
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn forget_requests(crm: &Crm) {
    assert!(sandbox(crm, "DELETE", "/__sandbox/requests").status < 300);
}

/// Values of `prop` in the sandbox's first records of `ty` (read from the sandbox itself).
fn seed_values(crm: &Crm, ty: &str, prop: &str) -> Vec<String> {
    let page = sandbox(
        crm,
        "GET",
        &format!("/crm/v3/objects/{ty}?limit=100&properties={prop}"),
    )
    .json();
    let values: Vec<String> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["properties"][prop].as_str().map(str::to_string))
        .filter(|v| !v.is_empty())
        .collect();
    assert!(!values.is_empty(), "the seed fills {ty}.{prop}");
    values
}

/// Panics when `raw` (a whole JSON-RPC answer) names one of `names` as a JSON key or string, or holds
/// one of `values`.
fn assert_clean(what: &str, raw: &str, names: &[&str], values: &[String]) {
    for n in names {
        for form in [format!("\"{n}\""), format!("\\\"{n}\\\"")] {
            assert!(!raw.contains(&form), "{what}: {n} leaked: {raw}");
        }
    }
    for v in values {
        assert!(
            !raw.contains(v.as_str()),
            "{what}: value {v:?} leaked: {raw}"
        );
    }
}

/// tools/call; the raw answer and the result.
fn call(crm: &Crm, tool: &str, args: Value) -> (String, Value) {
    let r = crm
        .mcp
        .client()
        .stateless(1, "tools/call", json!({"name": tool, "arguments": args}));
    let v = r.json();
    (r.body.clone(), v["result"].clone())
}

fn read_ok(crm: &Crm, tool: &str, args: Value) -> String {
    let (raw, result) = call(crm, tool, args.clone());
    assert_eq!(result["isError"], false, "{tool} {args}: {raw}");
    raw
}

/// A tool error naming `property` as masked; and the sandbox got no call at all.
fn refused(crm: &Crm, tool: &str, args: Value, property: &str) {
    forget_requests(crm);
    let (raw, result) = call(crm, tool, args.clone());
    assert_eq!(
        result["isError"], true,
        "{tool} {args} should be refused: {raw}"
    );
    let text = result["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains(property)
            && text.contains("masked")
            && text.contains("HUBSPOT_MASKED_PROPERTIES"),
        "{tool}: {text}"
    );
    // Only a custom type's schema may be read first (to know its other spelling): no search, no write.
    let sent: Vec<Value> = requests(crm)
        .into_iter()
        .filter(|r| {
            !(r["method"] == "GET" && r["path"].as_str().unwrap().starts_with("/crm/v3/schemas/"))
        })
        .collect();
    assert_eq!(sent, Vec::<Value>::new(), "{tool} {args} reached HubSpot");
}

#[test]
fn masked_properties_leave_no_tool_resource_or_search() {
    let crm = Crm::start(&[("HUBSPOT_MASKED_PROPERTIES", MASKED)]);
    let phones = seed_values(&crm, "contacts", "phone");
    let amounts: Vec<String> = seed_values(&crm, "deals", "amount")
        .into_iter()
        .map(|a| format!("\"amount\":\"{a}\""))
        .collect();
    let codes = seed_values(&crm, PROJECTS, "project_code");
    let contact_names = ["phone", "lifecyclestage"];

    // Records: list, get (by id and by a unique property), search, batch read, ask for them or not.
    let ask = json!(["email", "phone", "lifecyclestage", "firstname"]);
    let raw = read_ok(
        &crm,
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 100, "properties": ask}),
    );
    assert!(raw.contains("maria.chen@acme.example.com"), "{raw}");
    assert_clean("list contacts", &raw, &contact_names, &phones);
    for args in [
        json!({"objectType": "contact", "id": "101", "properties": ask}),
        json!({"objectType": "0-1", "id": "maria.chen@acme.example.com", "idProperty": "email", "properties": ask}),
        json!({"objectType": "contacts", "id": "101"}),
    ] {
        let raw = read_ok(&crm, "hubspot_get_record", args);
        assert!(raw.contains("maria.chen"), "{raw}");
        assert_clean("get contact", &raw, &contact_names, &phones);
    }
    let raw = read_ok(
        &crm,
        "hubspot_search_records",
        json!({"objectType": "contacts", "limit": 100,
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}]}),
    );
    assert_clean("search contacts", &raw, &contact_names, &phones);
    let raw = read_ok(
        &crm,
        "hubspot_batch_read",
        json!({"objectType": "contacts", "ids": ["101", "102", "103"], "properties": ask}),
    );
    assert!(raw.contains("maria.chen"), "{raw}");
    assert_clean("batch read", &raw, &contact_names, &phones);
    // Deals: `amount` is a default property; a free-text query is allowed (amount is not searched).
    let raw = read_ok(
        &crm,
        "hubspot_list_records",
        json!({"objectType": "deals", "limit": 100}),
    );
    assert!(raw.contains("dealname"), "{raw}");
    assert_clean("list deals", &raw, &["amount"], &amounts);
    let raw = read_ok(
        &crm,
        "hubspot_search_records",
        json!({"objectType": "deals", "query": "Annual", "limit": 100}),
    );
    assert_clean("search deals", &raw, &["amount"], &amounts);
    // A custom object masked under its fully qualified name, read by its objectTypeId.
    let raw = read_ok(
        &crm,
        "hubspot_list_records",
        json!({"objectType": PROJECTS, "limit": 100, "properties": ["project_name", "project_code"]}),
    );
    assert!(raw.contains("project_name"), "{raw}");
    assert_clean("list projects", &raw, &["project_code"], &codes);
    let raw = read_ok(&crm, "hubspot_get_schema", json!({"objectType": PROJECTS}));
    assert_clean("schema", &raw, &["project_code"], &codes);
    let raw = read_ok(&crm, "hubspot_list_schemas", json!({}));
    assert_clean("schemas", &raw, &["project_code"], &codes);

    // Associations and engagements (notes are records too).
    let raw = read_ok(
        &crm,
        "hubspot_list_associations",
        json!({"objectType": "contacts", "id": "101", "toObjectType": "companies"}),
    );
    assert_clean("associations", &raw, &contact_names, &phones);
    let note = sandbox(
        &crm,
        "GET",
        "/crm/v3/objects/notes?limit=1&associations=contacts&properties=hs_note_body",
    )
    .json();
    let body = note["results"][0]["properties"]["hs_note_body"]
        .as_str()
        .unwrap()
        .to_string();
    let with_note = note["results"][0]["associations"]["contacts"]["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let raw = read_ok(
        &crm,
        "hubspot_list_engagements",
        json!({"objectType": "contacts", "id": with_note, "types": ["notes"], "limit": 100}),
    );
    assert!(raw.contains("hs_timestamp"), "the note is listed: {raw}");
    assert_clean("engagements", &raw, &["hs_note_body"], &[body]);

    // Property definitions: absent from the catalog, not found one by one.
    let raw = read_ok(
        &crm,
        "hubspot_list_properties",
        json!({"objectType": "contacts"}),
    );
    assert!(
        raw.contains("\\\"email\\\"") || raw.contains("\"email\""),
        "{raw}"
    );
    assert_clean("contact properties", &raw, &contact_names, &[]);
    let raw = read_ok(
        &crm,
        "hubspot_list_properties",
        json!({"objectType": "deals"}),
    );
    assert_clean("deal properties", &raw, &["amount"], &[]);
    forget_requests(&crm);
    let (raw, result) = call(
        &crm,
        "hubspot_get_property",
        json!({"objectType": "contacts", "name": "phone"}),
    );
    assert_eq!(result["isError"], true, "{raw}");
    assert!(raw.contains("404"), "{raw}");
    assert!(
        requests(&crm).is_empty(),
        "a masked definition is not asked for"
    );

    // Resources: lists, templates, and every read.
    let c = crm.mcp.client();
    for (i, (method, params)) in [
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        (
            "resources/read",
            json!({"uri": "hubspot://properties/contacts"}),
        ),
        ("resources/read", json!({"uri": "hubspot://properties/0-1"})),
        (
            "resources/read",
            json!({"uri": "hubspot://records/contacts/101"}),
        ),
        ("resources/read", json!({"uri": "hubspot://schemas"})),
    ]
    .into_iter()
    .enumerate()
    {
        let r = c.stateless(i as i64 + 10, method, params.clone());
        assert!(
            r.json().get("result").is_some(),
            "{method} {params}: {}",
            r.body
        );
        assert_clean(
            &format!("{method} {params}"),
            &r.body,
            &contact_names,
            &phones,
        );
        assert_clean(
            &format!("{method} {params}"),
            &r.body,
            &["project_code"],
            &codes,
        );
    }
    let r = c.stateless(
        20,
        "resources/read",
        json!({"uri": "hubspot://properties/deals"}),
    );
    assert_clean("deal catalog", &r.body, &["amount"], &[]);
    let r = c.stateless(
        21,
        "resources/read",
        json!({"uri": "hubspot://records/contacts/101"}),
    );
    assert!(r.body.contains("maria.chen"), "{}", r.body);
}

#[test]
fn probing_or_writing_masked_properties_is_refused_before_hubspot() {
    let crm = Crm::start(&[("HUBSPOT_MASKED_PROPERTIES", MASKED)]);
    let search = "hubspot_search_records";
    refused(
        &crm,
        search,
        json!({"objectType": "contacts",
        "filterGroups": [{"filters": [{"propertyName": "phone", "operator": "EQ", "value": "+1 617 555-0142"}]}]}),
        "phone",
    );
    refused(
        &crm,
        search,
        json!({"objectType": "0-1", "sorts": [{"propertyName": "lifecyclestage", "direction": "ASCENDING"}]}),
        "lifecyclestage",
    );
    refused(
        &crm,
        search,
        json!({"objectType": "contacts", "properties": ["email", "phone"]}),
        "phone",
    );
    // `phone` is among the properties a free-text query searches for contacts.
    refused(
        &crm,
        search,
        json!({"objectType": "contacts", "query": "617"}),
        "phone",
    );
    refused(
        &crm,
        search,
        json!({"objectType": "deals",
        "filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GT", "value": 40000}]}]}),
        "amount",
    );
    refused(
        &crm,
        search,
        json!({"objectType": PROJECTS,
        "filterGroups": [{"filters": [{"propertyName": "project_code", "operator": "EQ", "value": "PRJ-1001"}]}]}),
        "project_code",
    );
    // Keys.
    refused(
        &crm,
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": "+1 617 555-0142", "idProperty": "phone"}),
        "phone",
    );
    refused(
        &crm,
        "hubspot_batch_read",
        json!({"objectType": "contacts", "ids": ["+1 617 555-0142"], "idProperty": "phone"}),
        "phone",
    );
    // Writes: nothing written.
    let email = "masked.write@it.example.com";
    refused(
        &crm,
        "hubspot_create_record",
        json!({"objectType": "contacts", "properties": {"email": email, "phone": "+1 555 0000"}}),
        "phone",
    );
    refused(
        &crm,
        "hubspot_update_record",
        json!({"objectType": "contacts", "id": "101", "properties": {"lifecyclestage": "other"}}),
        "lifecyclestage",
    );
    refused(
        &crm,
        "hubspot_batch_create",
        json!({"objectType": "deals", "inputs": [{"properties": {"dealname": "x", "amount": "1"}}]}),
        "amount",
    );
    refused(
        &crm,
        "hubspot_batch_update",
        json!({"objectType": "contacts", "inputs": [{"id": "101", "properties": {"phone": "1"}}]}),
        "phone",
    );
    refused(
        &crm,
        "hubspot_batch_upsert",
        json!({"objectType": "contacts", "idProperty": "email",
        "inputs": [{"id": email, "properties": {"phone": "1"}}]}),
        "phone",
    );
    let found = sandbox(
        &crm,
        "GET",
        &format!("/crm/v3/objects/contacts/{email}?idProperty=email"),
    );
    assert_eq!(found.status, 404, "nothing was written: {}", found.body);
    let maria = sandbox(
        &crm,
        "GET",
        "/crm/v3/objects/contacts/101?properties=lifecyclestage",
    )
    .json();
    assert_ne!(maria["properties"]["lifecyclestage"], "other");
    // Allowed around them: a search on other properties, a query where no masked property is searched.
    let ok = crm.ok(
        search,
        json!({"objectType": "deals", "query": "Annual", "limit": 1}),
    );
    assert!(!ok["results"].as_array().unwrap().is_empty(), "{ok}");
    crm.ok(search, json!({"objectType": "contacts",
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "maria.chen@acme.example.com"}]}]}));
}

#[test]
fn redact_shows_that_a_masked_property_exists_without_its_value() {
    let crm = Crm::start(&[
        ("HUBSPOT_MASKED_PROPERTIES", MASKED),
        ("HUBSPOT_MASK_STYLE", "redact"),
    ]);
    let phones = seed_values(&crm, "contacts", "phone");
    let g = crm.ok(
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": "101", "properties": ["email", "phone"]}),
    );
    assert_eq!(g["properties"]["phone"], "[masked]", "{g}");
    assert_eq!(g["properties"]["email"], "maria.chen@acme.example.com");
    let (raw, _) = call(
        &crm,
        "hubspot_list_records",
        json!({"objectType": "deals", "limit": 5}),
    );
    assert!(raw.contains("\\\"amount\\\":\\\"[masked]\\\""), "{raw}");
    let (raw, _) = call(
        &crm,
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 100, "properties": ["phone"]}),
    );
    assert_clean("redacted contacts", &raw, &[], &phones);
    // Probes stay refused.
    refused(
        &crm,
        "hubspot_search_records",
        json!({"objectType": "contacts", "sorts": [{"propertyName": "phone", "direction": "DESCENDING"}]}),
        "phone",
    );
}

#[test]
fn a_bad_mask_is_a_configuration_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hubspot-mcp"))
        .arg("check-config")
        .env_clear()
        .env("HUBSPOT_MASKED_PROPERTIES", "contacts:phone;widgets:x")
        .env("HUBSPOT_MASK_STYLE", "hide")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("HUBSPOT_MASKED_PROPERTIES") && text.contains("widgets:x"),
        "{text}"
    );
    assert!(text.contains("HUBSPOT_MASK_STYLE"), "{text}");
}
