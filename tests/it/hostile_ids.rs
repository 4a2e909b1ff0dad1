//! Attacker-style ids (security issue #9): every tool that takes an id, found from `tools/list` so that a
//! new tool is covered, is called with dot segments (plain and percent-encoded), slashes, empty values,
//! huge numbers and control characters in each of its id arguments. Each call must be a tool error that
//! names the argument, HubSpot (the sandbox, which counts every request it receives) must receive
//! nothing, and afterwards the server is still healthy and a good call still succeeds.

use serde_json::{json, Value};

use crate::support::{Crm, SANDBOX_TOKEN};

const HUGE: &str = "99999999999999999999999999";

/// What an attacker (or a confused model) puts where an id goes.
const HOSTILE: [&str; 20] = [
    ".",
    "..",
    "...",
    "%2e%2e",
    "%2E%2e",
    ".%2e",
    "a/b",
    "../../x",
    "..\\..",
    "1/../2",
    "",
    " ",
    HUGE,
    "18446744073709551616",
    "1\u{0}",
    "\u{7}",
    "1\r\nX-Injected: 1",
    "1?x=1",
    "1#x",
    "é",
];

/// Values a unique property (`idProperty`, e.g. an email) may legitimately hold: sent encoded, never as a
/// dot segment, so they are not hostile there.
const FINE_AS_UNIQUE_VALUE: [&str; 5] = [HUGE, "18446744073709551616", "1?x=1", "1#x", "é"];

/// Argument names that carry an id of some kind (records, owners, pipelines, flows, properties, object
/// types, idProperty).
fn id_like(key: &str) -> bool {
    matches!(
        key,
        "id" | "ids" | "idProperty" | "name" | "objectType" | "recordIds"
    ) || key.ends_with("Id")
        || key.ends_with("ObjectType")
}

/// Slots named like ids that are free text sent only in a JSON body, never in a path: a list's display
/// name (`a/b` or `é` are fine list names).
const NOT_IDS: [(&str, &str); 1] = [("hubspot_create_list", "/name")];

/// JSON pointers of every string-valued id argument in an input schema, nested arrays of objects
/// included (`/inputs/0/associations/0/toId`).
fn slots(schema: &Value, at: &str, out: &mut Vec<String>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, sub) in props {
        let p = format!("{at}/{k}");
        let ty = sub["type"].as_str().unwrap_or("");
        match ty {
            "string" if id_like(k) => out.push(p),
            "array" => match sub["items"]["type"].as_str() {
                Some("string") if id_like(k) => out.push(format!("{p}/0")),
                Some("object") => slots(&sub["items"], &format!("{p}/0"), out),
                _ => {}
            },
            "object" => slots(sub, &p, out),
            _ => {}
        }
    }
}

/// Valid arguments of every tool that takes an id, with every optional id argument present (nested
/// arrays hold one element) so that each slot can be replaced. A tool missing here fails the test.
fn base_args(tool: &str) -> Option<Value> {
    let assoc = json!([{"toObjectType": "companies", "toId": "1"}]);
    Some(match tool {
        "hubspot_list_records" => json!({"objectType": "contacts"}),
        "hubspot_get_record" => json!({"objectType": "contacts", "id": "1"}),
        "hubspot_search_records" => json!({"objectType": "contacts"}),
        "hubspot_aggregate_records" => json!({"objectType": "contacts"}),
        "hubspot_create_record" => {
            json!({"objectType": "contacts", "properties": {"firstname": "X"}, "associations": assoc})
        }
        "hubspot_update_record" => {
            json!({"objectType": "contacts", "id": "1", "properties": {"firstname": "X"}})
        }
        "hubspot_archive_record" => json!({"objectType": "contacts", "id": "1"}),
        "hubspot_batch_read" => json!({"objectType": "contacts", "ids": ["1"]}),
        "hubspot_batch_create" => json!({"objectType": "contacts", "inputs": [
            {"properties": {"firstname": "X"}, "associations": assoc}]}),
        "hubspot_batch_update" => json!({"objectType": "contacts", "inputs": [
            {"id": "1", "properties": {"firstname": "X"}}]}),
        "hubspot_batch_upsert" => {
            json!({"objectType": "contacts", "idProperty": "email", "inputs": [
            {"id": "x@example.com", "properties": {"firstname": "X"}}]})
        }
        "hubspot_batch_archive" => json!({"objectType": "contacts", "ids": ["1"]}),
        "hubspot_list_associations" => {
            json!({"objectType": "contacts", "id": "1", "toObjectType": "companies"})
        }
        "hubspot_create_association" | "hubspot_remove_association" => json!({
            "fromObjectType": "contacts", "fromId": "1", "toObjectType": "companies", "toId": "2"}),
        "hubspot_list_association_labels" => {
            json!({"fromObjectType": "contacts", "toObjectType": "companies"})
        }
        "hubspot_batch_create_associations" => json!({"fromObjectType": "contacts",
            "toObjectType": "companies", "inputs": [{"fromId": "1", "toId": "2"}]}),
        "hubspot_create_engagement" => json!({"type": "note", "body": "x", "ownerId": "1",
            "associations": [{"objectType": "contacts", "id": "1"}]}),
        "hubspot_list_engagements" => json!({"objectType": "contacts", "id": "1"}),
        "hubspot_get_owner" => json!({"id": "1", "idProperty": "id"}),
        "hubspot_list_pipelines" => json!({"objectType": "deals"}),
        "hubspot_get_pipeline" => json!({"objectType": "deals", "pipelineId": "default"}),
        "hubspot_list_properties" | "hubspot_list_property_groups" | "hubspot_get_schema" => {
            json!({"objectType": "contacts"})
        }
        "hubspot_get_property" | "hubspot_archive_property" => {
            json!({"objectType": "contacts", "name": "email"})
        }
        "hubspot_update_property" => {
            json!({"objectType": "contacts", "name": "email", "label": "Email"})
        }
        "hubspot_create_property" => json!({"objectType": "contacts", "name": "it_hostile",
            "label": "X", "type": "string", "fieldType": "text", "groupName": "contactinformation"}),
        "hubspot_create_property_group" => {
            json!({"objectType": "contacts", "name": "it_hostile", "label": "X"})
        }
        "hubspot_get_workflow" => json!({"id": "1"}),
        "hubspot_record_link" => json!({"objectType": "contacts", "id": "1"}),
        "hubspot_search_lists" => json!({"objectType": "contacts"}),
        "hubspot_get_list" | "hubspot_list_memberships" => json!({"listId": "11"}),
        "hubspot_create_list" => json!({"name": "it_hostile", "objectType": "contacts"}),
        "hubspot_add_list_members" | "hubspot_remove_list_members" => {
            json!({"listId": "11", "recordIds": ["101"]})
        }
        _ => return None,
    })
}

/// Sets the value at `ptr`; its parent must exist (an object gets the key, an array its element).
fn set(args: &mut Value, ptr: &str, v: &str) -> bool {
    let (parent, leaf) = ptr.rsplit_once('/').unwrap();
    match args.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(leaf.to_string(), v.into());
            true
        }
        Some(Value::Array(a)) => match leaf.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
            Some(x) => {
                *x = v.into();
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// `/inputs/0/associations/0/toId` → `inputs[0].associations[0].toId`, as the tools name arguments.
fn label(ptr: &str) -> String {
    let mut out = String::new();
    for part in ptr.split('/').skip(1) {
        if part.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// Every tool, following `tools/list` pages.
fn all_tools(crm: &Crm) -> Vec<Value> {
    let mut tools = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let r = crm.mcp.client().stateless(1, "tools/list", params).json();
        tools.extend(r["result"]["tools"].as_array().unwrap().iter().cloned());
        match r["result"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return tools,
        }
    }
}

fn sandbox_total(crm: &Crm) -> u64 {
    crm.sb.stats()["total"].as_u64().unwrap_or(0)
}

fn healthy_and_serving(crm: &Crm) {
    let h = crm.mcp.client().request("GET", "/health", &[], "");
    assert_eq!(h.status, 200, "{h:?}");
    let before = sandbox_total(crm);
    let page = crm.ok(
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 1}),
    );
    let id = page["results"][0]["id"].as_str().unwrap().to_string();
    let rec = crm.ok(
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": id}),
    );
    assert_eq!(rec["id"], id.as_str());
    assert_eq!(sandbox_total(crm) - before, 2, "good calls reach HubSpot");
}

#[test]
fn hostile_ids_are_refused_before_hubspot_in_every_tool() {
    // Well over a thousand calls from one client: lift the per-client limit.
    let crm = Crm::start(&[("RATE_LIMIT_MAX", "100000")]);
    let tools = all_tools(&crm);
    assert!(tools.len() >= 30, "{}", tools.len());
    let before = sandbox_total(&crm);
    let (mut missing, mut tried, mut with_ids) = (Vec::new(), 0, 0);
    for t in &tools {
        let name = t["name"].as_str().unwrap();
        let mut found = Vec::new();
        slots(&t["inputSchema"], "", &mut found);
        if found.is_empty() {
            continue;
        }
        with_ids += 1;
        let Some(base) = base_args(name) else {
            missing.push(name.to_string());
            continue;
        };
        for slot in found
            .iter()
            .filter(|s| !NOT_IDS.contains(&(name, s.as_str())))
        {
            // Under an idProperty, the ids are that property's values (an email, a domain).
            let unique = base.get("idProperty").is_some_and(|p| p != "id")
                && (slot.ends_with("/id") || slot.starts_with("/ids/"));
            for v in HOSTILE {
                if unique && FINE_AS_UNIQUE_VALUE.contains(&v) {
                    continue;
                }
                let mut args = base.clone();
                assert!(
                    set(&mut args, slot, v),
                    "{name}: base_args has no place for {slot}; add it so the slot is exercised"
                );
                let r = crm.call(name, args.clone());
                let text = r["content"][0]["text"].as_str().unwrap_or("");
                assert_eq!(r["isError"], true, "{name} accepted {slot} = {v:?}: {text}");
                let arg = label(slot);
                assert!(
                    text.contains(&format!("{arg} "))
                        && (text.contains("not valid") || text.contains("must be")),
                    "{name} {slot} = {v:?}: the error should name {arg} and its shape: {text}"
                );
                tried += 1;
            }
        }
    }
    assert!(
        missing.is_empty(),
        "tools that take ids but have no hostile-test arguments (add them to base_args): {missing:?}"
    );
    assert!(
        with_ids >= 30 && tried > 1000,
        "{with_ids} tools, {tried} calls"
    );
    assert_eq!(
        sandbox_total(&crm),
        before,
        "HubSpot (the sandbox) received a request for a hostile id: {}",
        crm.sb.stats()
    );
    healthy_and_serving(&crm);
}

#[test]
fn hostile_cursors_and_numbers_are_refused_without_overflow() {
    let crm = Crm::start(&[]);
    let before = sandbox_total(&crm);
    for after in [
        u64::MAX.to_string(),
        (u64::MAX - 100).to_string(),
        HUGE.to_string(),
        "10000".into(),
        "-1".into(),
        "1e9".into(),
        "abc".into(),
        "..".into(),
        "".into(),
    ] {
        for extra in [json!({"limit": 200}), json!({"maxResults": 10000})] {
            let mut args = json!({"objectType": "contacts", "after": after});
            args.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let e = crm.err("hubspot_search_records", args);
            assert!(e.contains("after"), "{after}: {e}");
        }
    }
    for (tool, args) in [
        (
            "hubspot_list_records",
            json!({"objectType": "contacts", "after": "1\n2"}),
        ),
        (
            "hubspot_list_records",
            json!({"objectType": "contacts", "after": ".."}),
        ),
        ("hubspot_list_owners", json!({"after": "\u{0}"})),
        ("hubspot_list_workflows", json!({"after": "a b"})),
        (
            "hubspot_list_records",
            json!({"objectType": "contacts", "limit": 4294967295u64}),
        ),
        (
            "hubspot_search_records",
            json!({"objectType": "contacts", "maxResults": u64::MAX}),
        ),
        (
            "hubspot_list_associations",
            json!({"objectType": "contacts", "id": "1", "toObjectType": "companies", "maxResults": 4294967295u64}),
        ),
        (
            "hubspot_list_engagements",
            json!({"objectType": "contacts", "id": "1", "limit": u64::MAX}),
        ),
    ] {
        let r = crm.call(tool, args.clone());
        assert_eq!(r["isError"], true, "{tool} {args}: {r}");
    }
    assert_eq!(sandbox_total(&crm), before, "{}", crm.sb.stats());
    // A search cursor just under the cap still works: one page, clipped to the cap.
    let r = crm.ok(
        "hubspot_search_records",
        json!({"objectType": "contacts", "after": "9999", "maxResults": 50}),
    );
    assert!(r["results"].as_array().unwrap().is_empty(), "{r}");
    healthy_and_serving(&crm);
}

#[test]
fn hostile_record_uris_name_no_resource() {
    let crm = Crm::start(&[]);
    let before = sandbox_total(&crm);
    for uri in [
        "hubspot://records/contacts/..",
        "hubspot://records/contacts/.",
        "hubspot://records/contacts/%2e%2e",
        "hubspot://records/contacts/",
        "hubspot://records/contacts/a@b.c",
        "hubspot://records/contacts/99999999999999999999999999",
        "hubspot://records/../1",
        "hubspot://records/contacts/../../x",
        "hubspot://properties/..",
        "hubspot://pipelines/%2E%2E",
    ] {
        let r = crm
            .mcp
            .client()
            .stateless(1, "resources/read", json!({"uri": uri}))
            .json();
        assert!(r.get("result").is_none(), "{uri}: {r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not found"),
            "{uri}: {r}"
        );
    }
    assert_eq!(sandbox_total(&crm), before, "{}", crm.sb.stats());
    healthy_and_serving(&crm);
}

#[test]
fn the_sandbox_refuses_dot_segments_and_non_numeric_ids_like_hubspot() {
    let crm = Crm::start(&[]);
    let auth = format!("Bearer {SANDBOX_TOKEN}");
    let c = crm.sb.server.client();
    for (method, path, status) in [
        ("DELETE", "/crm/v3/objects/contacts/..", 404),
        ("DELETE", "/crm/v3/objects/contacts/%2E%2E", 404),
        ("DELETE", "/crm/v3/objects/contacts/.", 404),
        ("DELETE", "/crm/v3/objects/contacts/abc", 404),
        ("GET", "/crm/v3/objects/contacts/..", 404),
        ("GET", "/crm/v3/objects/contacts/%2e%2e", 404),
        ("PATCH", "/crm/v3/objects/contacts/..", 404),
        ("GET", "/crm/v3/owners/..", 404),
        ("GET", "/automation/v4/flows/%2E%2E", 404),
        ("DELETE", "/crm/v3/objects/contacts/424242", 204),
    ] {
        let r = c.request(method, path, &[("Authorization", &auth)], "");
        assert_eq!(r.status, status, "{method} {path}: {r:?}");
    }
    // Every one of them was received, and counted (unmatched ones under "(no route)").
    assert_eq!(sandbox_total(&crm), 10, "{}", crm.sb.stats());
}
