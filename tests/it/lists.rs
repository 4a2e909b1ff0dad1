//! Lists (segments) end to end against the sandbox (run as its own process, like HubSpot): a manual list
//! created, three contacts added, read back, one removed; a DYNAMIC list refusing manual membership
//! changes with HubSpot's error and keeping its members; search and get; arguments refused before any
//! call; `HUBSPOT_TOOLSETS=lists`.

use serde_json::{json, Value};

use crate::support::Crm;

const ADD: &str = "PUT /crm/lists/2026-03/{listId}/memberships/add";
const REMOVE: &str = "PUT /crm/lists/2026-03/{listId}/memberships/remove";

/// Every record id of a list, following `after` to the end.
fn members(crm: &Crm, list: &str) -> Vec<String> {
    let (mut out, mut after) = (Vec::new(), None::<String>);
    loop {
        let mut args = json!({"listId": list, "limit": 2});
        if let Some(a) = &after {
            args["after"] = a.clone().into();
        }
        let page = crm.ok("hubspot_list_memberships", args);
        for m in page["results"].as_array().unwrap() {
            assert!(m["membershipTimestamp"].is_string(), "{m}");
            out.push(m["recordId"].as_str().unwrap().to_string());
        }
        match page["nextAfter"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => return out,
        }
    }
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn a_manual_list_takes_three_contacts_and_gives_one_back() {
    let crm = Crm::start(&[]);
    let list = crm.ok(
        "hubspot_create_list",
        json!({"name": "Webinar guests", "objectType": "contact"}),
    );
    assert_eq!(
        (
            list["processingType"].as_str(),
            list["objectType"].as_str(),
            list["size"].as_u64()
        ),
        (Some("MANUAL"), Some("contacts"), Some(0)),
        "{list}"
    );
    let id = list["listId"].as_str().unwrap().to_string();
    assert_eq!(members(&crm, &id), Vec::<String>::new());

    let added = crm.ok(
        "hubspot_add_list_members",
        json!({"listId": id, "recordIds": ["122", "120", "121"]}),
    );
    let mut got = strings(&added["added"]);
    got.sort();
    assert_eq!(got, ["120", "121", "122"], "{added}");
    assert!(strings(&added["missing"]).is_empty(), "{added}");
    assert_eq!(members(&crm, &id), ["120", "121", "122"]);
    assert_eq!(crm.ok("hubspot_get_list", json!({"listId": id}))["size"], 3);
    // Adding again changes nothing; an unknown record is reported missing.
    let again = crm.ok(
        "hubspot_add_list_members",
        json!({"listId": id, "recordIds": ["120", "99999"]}),
    );
    assert!(strings(&again["added"]).is_empty(), "{again}");
    assert_eq!(strings(&again["missing"]), ["99999"], "{again}");

    let removed = crm.ok(
        "hubspot_remove_list_members",
        json!({"listId": id, "recordIds": ["121"]}),
    );
    assert_eq!(strings(&removed["removed"]), ["121"], "{removed}");
    assert_eq!(members(&crm, &id), ["120", "122"]);
    assert_eq!(
        (crm.sb.count(ADD), crm.sb.count(REMOVE)),
        (2, 1),
        "one HubSpot call per change"
    );
}

#[test]
fn a_dynamic_list_refuses_manual_membership_changes() {
    let crm = Crm::start(&[]);
    let list = crm.ok("hubspot_get_list", json!({"listId": "12"}));
    assert_eq!(list["processingType"], "DYNAMIC", "{list}");
    let before = members(&crm, "12");
    assert_eq!(before, ["110", "111", "112"]);
    for (tool, ids) in [
        ("hubspot_add_list_members", ["101"]),
        ("hubspot_remove_list_members", ["110"]),
    ] {
        let e = crm.err(tool, json!({"listId": "12", "recordIds": ids}));
        assert!(
            e.contains("400") && e.contains("is not a MANUAL or SNAPSHOT list"),
            "{tool}: {e}"
        );
    }
    // HubSpot answered (the refusal is HubSpot's), and nothing changed.
    assert_eq!((crm.sb.count(ADD), crm.sb.count(REMOVE)), (1, 1));
    assert_eq!(members(&crm, "12"), before);
    assert_eq!(
        crm.ok("hubspot_get_list", json!({"listId": "12"}))["size"],
        3
    );
}

#[test]
fn search_get_and_arguments_refused_before_any_call() {
    let crm = Crm::start(&[]);
    let found = crm.ok("hubspot_search_lists", json!({"query": "newsletter"}));
    assert_eq!(found["total"], 1, "{found}");
    let l = &found["results"][0];
    assert_eq!(
        (
            l["listId"].as_str(),
            l["processingType"].as_str(),
            l["size"].as_u64()
        ),
        (Some("11"), Some("MANUAL"), Some(5)),
        "{found}"
    );
    let dynamic = crm.ok(
        "hubspot_search_lists",
        json!({"processingTypes": ["DYNAMIC"]}),
    );
    let ids: Vec<&str> = dynamic["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["listId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["12"], "{dynamic}");
    let companies = crm.ok(
        "hubspot_search_lists",
        json!({"objectType": "companies", "limit": 1}),
    );
    assert_eq!(companies["results"][0]["objectType"], "companies");
    assert_eq!(companies["nextOffset"], Value::Null);
    let page = crm.ok("hubspot_search_lists", json!({"limit": 1}));
    assert_eq!(page["nextOffset"], 1, "{page}");

    let got = crm.ok("hubspot_get_list", json!({"listId": "11"}));
    assert_eq!(
        (got["name"].as_str(), got["size"].as_u64()),
        (Some("Newsletter subscribers"), Some(5))
    );
    let e = crm.err("hubspot_get_list", json!({"listId": "999"}));
    assert!(
        e.contains("404") && e.contains("List does not exist"),
        "{e}"
    );

    // Refused by the server, before HubSpot: bad ids, no ids, a DYNAMIC create, a type without lists.
    for (tool, args) in [
        (
            "hubspot_add_list_members",
            json!({"listId": "11", "recordIds": ["101", "a/b"]}),
        ),
        (
            "hubspot_add_list_members",
            json!({"listId": "11", "recordIds": []}),
        ),
        (
            "hubspot_remove_list_members",
            json!({"listId": "..", "recordIds": ["101"]}),
        ),
        (
            "hubspot_create_list",
            json!({"name": "x", "objectType": "contacts", "processingType": "DYNAMIC"}),
        ),
        (
            "hubspot_create_list",
            json!({"name": "x", "objectType": "notes"}),
        ),
    ] {
        crm.err(tool, args);
    }
    assert_eq!(crm.sb.count(ADD) + crm.sb.count(REMOVE), 0);
    assert_eq!(crm.sb.count("POST /crm/lists/2026-03"), 0);
}

#[test]
fn the_lists_toolset_alone() {
    let crm = Crm::start(&[("HUBSPOT_TOOLSETS", "lists")]);
    let mut names = crm.tool_names();
    names.sort();
    assert_eq!(
        names,
        [
            "hubspot_add_list_members",
            "hubspot_create_list",
            "hubspot_get_list",
            "hubspot_list_memberships",
            "hubspot_remove_list_members",
            "hubspot_search_lists",
        ]
    );
}
