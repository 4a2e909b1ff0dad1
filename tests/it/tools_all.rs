//! Every listed tool, called end to end through the real binary against the sandbox (run as its own
//! process, like HubSpot). The last assertion fails when a tool is added without being exercised here.

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::support::Crm;

struct Tracker<'a> {
    crm: &'a Crm,
    called: Mutex<BTreeSet<String>>,
}

impl Tracker<'_> {
    fn ok(&self, tool: &str, args: Value) -> Value {
        self.called.lock().unwrap().insert(tool.to_string());
        self.crm.ok(tool, args)
    }
    fn text(&self, tool: &str, args: Value) -> String {
        self.called.lock().unwrap().insert(tool.to_string());
        let r = self.crm.call(tool, args.clone());
        assert_eq!(r["isError"], false, "{tool} {args}: {r}");
        r["content"][0]["text"].as_str().unwrap().to_string()
    }
}

fn ids(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn uniq(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}{n}")
}

#[test]
fn every_tool_end_to_end() {
    let crm = Crm::start(&[]);
    let t = Tracker {
        crm: &crm,
        called: Mutex::new(BTreeSet::new()),
    };

    // Records (errors and paging in tools_records.rs).
    let contacts = t.ok(
        "hubspot_list_records",
        json!({"objectType": "contacts", "limit": 3, "properties": ["email"]}),
    );
    let contact = ids(&contacts)[0].clone();
    let companies = t.ok(
        "hubspot_search_records",
        json!({"objectType": "companies", "limit": 3}),
    );
    let company = ids(&companies)[0].clone();
    let by_stage = t.ok(
        "hubspot_aggregate_records",
        json!({"objectType": "deals", "property": "amount", "groupBy": "dealstage"}),
    );
    assert_eq!(
        (&by_stage["complete"], &by_stage["records"]),
        (&json!(true), &json!(120)),
        "{by_stage}"
    );
    t.ok(
        "hubspot_get_record",
        json!({"objectType": "contacts", "id": contact}),
    );
    let made = t.ok("hubspot_create_record", json!({"objectType": "tickets", "properties": {"subject": "Printer on fire", "hs_pipeline": "0", "hs_pipeline_stage": "1"}}));
    let ticket = made["id"].as_str().unwrap().to_string();
    t.ok("hubspot_update_record", json!({"objectType": "tickets", "id": ticket, "properties": {"hs_ticket_priority": "HIGH"}}));

    // Batch.
    let created = t.ok(
        "hubspot_batch_create",
        json!({"objectType": "companies", "inputs": [
        {"properties": {"name": uniq("Batch A "), "domain": format!("{}.example.com", uniq("a"))}},
        {"properties": {"name": uniq("Batch B ")}}]}),
    );
    let new_ids = ids(&created);
    assert_eq!(new_ids.len(), 2);
    let read = t.ok("hubspot_batch_read", json!({"objectType": "companies", "ids": [new_ids[0], new_ids[1], "987654321987"], "properties": ["name"]}));
    assert_eq!(read["results"].as_array().unwrap().len(), 2);
    assert!(
        read["notFound"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "987654321987"),
        "{read}"
    );
    t.ok("hubspot_batch_update", json!({"objectType": "companies", "inputs": [{"id": new_ids[0], "properties": {"city": "Lyon"}}]}));
    let email = format!("{}@upsert.example.com", uniq("u"));
    let up = t.ok("hubspot_batch_upsert", json!({"objectType": "contacts", "idProperty": "email", "inputs": [{"id": email, "properties": {"firstname": "Up"}}]}));
    assert_eq!(up["results"].as_array().unwrap().len(), 1);
    t.ok(
        "hubspot_batch_archive",
        json!({"objectType": "companies", "ids": [new_ids[1]]}),
    );

    // Associations.
    let labels = t.ok(
        "hubspot_list_association_labels",
        json!({"fromObjectType": "contacts", "toObjectType": "companies"}),
    );
    assert!(!labels["results"].as_array().unwrap().is_empty());
    t.ok("hubspot_create_association", json!({"fromObjectType": "tickets", "fromId": ticket, "toObjectType": "contacts", "toId": contact}));
    let listed = t.ok(
        "hubspot_list_associations",
        json!({"objectType": "tickets", "id": ticket, "toObjectType": "contacts"}),
    );
    assert!(
        listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["toObjectId"] == json!(contact)),
        "{listed}"
    );
    t.ok("hubspot_remove_association", json!({"fromObjectType": "tickets", "fromId": ticket, "toObjectType": "contacts", "toId": contact}));
    let listed = t.ok(
        "hubspot_list_associations",
        json!({"objectType": "tickets", "id": ticket, "toObjectType": "contacts"}),
    );
    assert!(!listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["toObjectId"] == json!(contact)));
    t.ok("hubspot_batch_create_associations", json!({"fromObjectType": "tickets", "toObjectType": "companies", "inputs": [{"fromId": ticket, "toId": company}]}));

    // Engagements.
    t.ok("hubspot_create_engagement", json!({"type": "note", "body": "Called about the printer.", "associations": [{"objectType": "tickets", "id": ticket}]}));
    let acts = t.ok(
        "hubspot_list_engagements",
        json!({"objectType": "tickets", "id": ticket}),
    );
    assert!(
        acts["results"]
            .as_array()
            .unwrap()
            .iter()
            // Free text comes back fenced as record content (src/tools/untrusted.rs).
            .any(|a| a["properties"]["hs_note_body"]
                .as_str()
                .is_some_and(|b| b.starts_with("<record-content object=\"notes\"")
                    && b.ends_with("\nCalled about the printer.\n</record-content>"))),
        "{acts}"
    );

    t.ok(
        "hubspot_archive_record",
        json!({"objectType": "tickets", "id": ticket}),
    );

    // Properties, schemas, owners, pipelines, workflows, account.
    let props = t.ok("hubspot_list_properties", json!({"objectType": "contacts"}));
    assert!(props.to_string().contains("lifecyclestage"));
    t.ok(
        "hubspot_get_property",
        json!({"objectType": "contacts", "name": "lifecyclestage"}),
    );
    let pname = uniq("it_prop_");
    t.ok("hubspot_create_property", json!({"objectType": "contacts", "name": pname, "label": "IT prop", "type": "string", "fieldType": "text", "groupName": "contactinformation"}));
    // The property list was cached above; creating a property invalidates it.
    let again = t.ok(
        "hubspot_list_properties",
        json!({"objectType": "contacts", "query": pname}),
    );
    assert!(
        again.to_string().contains(&pname),
        "cache invalidated after create: {again}"
    );
    t.ok(
        "hubspot_update_property",
        json!({"objectType": "contacts", "name": pname, "label": "IT property"}),
    );
    t.ok(
        "hubspot_archive_property",
        json!({"objectType": "contacts", "name": pname}),
    );
    t.ok(
        "hubspot_list_property_groups",
        json!({"objectType": "contacts"}),
    );
    t.ok(
        "hubspot_create_property_group",
        json!({"objectType": "contacts", "name": uniq("it_group_"), "label": "IT group"}),
    );
    let schemas = t.ok("hubspot_list_schemas", json!({}));
    let custom = schemas.to_string();
    let custom_id = custom
        .split("\"2-")
        .nth(1)
        .map(|r| format!("2-{}", r.split('"').next().unwrap()))
        .expect("a custom object");
    t.ok("hubspot_get_schema", json!({"objectType": custom_id}));
    let owners = t.ok("hubspot_list_owners", json!({}));
    let owner = owners.to_string();
    let owner_id = owner
        .split("\"id\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    t.ok("hubspot_get_owner", json!({"id": owner_id}));
    t.ok("hubspot_list_pipelines", json!({"objectType": "deals"}));
    t.ok(
        "hubspot_get_pipeline",
        json!({"objectType": "deals", "pipelineId": "default"}),
    );
    let flows = t.ok("hubspot_list_workflows", json!({}));
    let flow = flows.to_string();
    let flow_id = flow
        .split("\"id\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    t.ok("hubspot_get_workflow", json!({"id": flow_id}));
    // Lists (the whole story and the DYNAMIC refusal in lists.rs).
    t.ok("hubspot_search_lists", json!({"query": "newsletter"}));
    let list = t.ok(
        "hubspot_create_list",
        json!({"name": uniq("IT list "), "objectType": "contacts"}),
    );
    let list_id = list["listId"].as_str().unwrap().to_string();
    t.ok("hubspot_get_list", json!({"listId": list_id}));
    t.ok(
        "hubspot_add_list_members",
        json!({"listId": list_id, "recordIds": [contact]}),
    );
    t.ok("hubspot_list_memberships", json!({"listId": list_id}));
    t.ok(
        "hubspot_remove_list_members",
        json!({"listId": list_id, "recordIds": [contact]}),
    );
    t.ok("hubspot_whoami", json!({}));
    t.ok("hubspot_api_usage", json!({}));
    let link = t.text(
        "hubspot_record_link",
        json!({"objectType": "contacts", "id": contact}),
    );
    assert!(link.contains(&format!("/record/0-1/{contact}")), "{link}");
    assert_eq!(t.text("echo", json!({"text": "bye"})), "bye");

    let listed: BTreeSet<String> = crm.tool_names().into_iter().collect();
    let called = t.called.lock().unwrap().clone();
    let untested: Vec<_> = listed.difference(&called).collect();
    assert!(
        untested.is_empty(),
        "tools not exercised end to end: {untested:?}"
    );
}
