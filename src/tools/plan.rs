//! What write tools read and say when they describe a change before making it ([`super::Tool::plan`]):
//! the values HubSpot holds now (one GET for one record, one batch read for a batch), the properties
//! that tell a person which record an archive deletes, and the [`FieldChange`]s built from them.
//!
//! Reads only: every call here is a GET or a batch read sent as `Kind::Read`, through the request's
//! call budget and deadline ([`ToolContext::get`], [`super::batch::read_batch`]). Nothing here writes.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::change::FieldChange;
use super::common::properties_query;
use super::{ToolContext, ToolError};
use crate::hubspot::paths;

/// Properties that tell a person which record they are looking at, by object type (read before an
/// archive, so the approval shows WHAT is deleted); other types show `hs_object_id`.
const IDENTIFYING: [(&str, &[&str]); 13] = [
    ("contacts", &["firstname", "lastname", "email"]),
    ("companies", &["name", "domain"]),
    ("deals", &["dealname", "amount"]),
    ("tickets", &["subject"]),
    ("products", &["name"]),
    ("line_items", &["name"]),
    ("quotes", &["hs_title"]),
    ("leads", &["hs_lead_name"]),
    ("notes", &["hs_timestamp"]),
    ("tasks", &["hs_task_subject"]),
    ("calls", &["hs_call_title"]),
    ("emails", &["hs_email_subject"]),
    ("meetings", &["hs_meeting_title"]),
];

/// The identifying properties of object type `ty` (normalized, as `common::object_type` returns it).
pub(crate) fn identifying(ty: &str) -> Vec<String> {
    let names: &[&str] = IDENTIFYING
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(&["hs_object_id"], |(_, p)| p);
    names.iter().map(|p| (*p).to_string()).collect()
}

/// The record `key` of `ty` (its id, or with `id_property` its value of that property) with the
/// values of `properties` HubSpot holds now: one GET.
pub(crate) fn read_record(
    cx: &ToolContext<'_>,
    ty: &str,
    key: &str,
    id_property: Option<&str>,
    properties: &[String],
) -> Result<Value, ToolError> {
    let mut q: Vec<(&str, String)> = Vec::new();
    q.extend(id_property.map(|p| ("idProperty", p.to_string())));
    q.extend(properties_query(properties));
    cx.get(&paths::object(ty, key), &q)
}

/// How a record is matched to the key it was asked by: record ids as they are, unique values
/// (`idProperty`, e.g. emails, which HubSpot matches without regard to case) lower-cased.
pub(crate) fn match_key(key: &str, id_property: Option<&str>) -> String {
    match id_property {
        None | Some("hs_object_id") => key.to_string(),
        Some(_) => key.to_lowercase(),
    }
}

/// The records of a batch read by the key they were asked by ([`match_key`]): their id, or their
/// value of `id_property` (which the read must have asked for).
pub(crate) fn by_key<'v>(
    records: &'v [Value],
    id_property: Option<&str>,
) -> HashMap<String, &'v Value> {
    records
        .iter()
        .filter_map(|r| {
            let key = match id_property {
                None | Some("hs_object_id") => r.get("id")?,
                Some(p) => r.get("properties")?.get(p)?,
            };
            Some((match_key(&value_text(key), id_property), r))
        })
        .collect()
}

/// A record's id as a string (HubSpot sends strings; numbers are accepted).
pub(crate) fn record_id(record: &Value) -> Option<String> {
    record.get("id").filter(|v| !v.is_null()).map(value_text)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The values a record holds (`properties`), for [`changes`] and [`removals`].
pub(crate) fn values(record: &Value) -> Option<&Value> {
    record.get("properties")
}

/// The value `now` (an object of values: a record's [`values`], a property's definition) holds for
/// `property` (`None`: no value).
fn held(now: Option<&Value>, property: &str) -> Option<Value> {
    now?.get(property).filter(|v| !v.is_null()).cloned()
}

/// One change per entry of `values`: what `now` (the values of the thing `id` names; `None` for one not
/// created yet, which holds nothing) holds, and the value asked for.
pub(crate) fn changes(
    id: Option<&str>,
    now: Option<&Value>,
    values: &Map<String, Value>,
) -> Vec<FieldChange> {
    values
        .iter()
        .map(|(property, after)| FieldChange {
            id: id.map(str::to_string),
            property: property.clone(),
            before: held(now, property),
            after: Some(after.clone()),
        })
        .collect()
}

/// What `now` (the values of the thing `id` names) holds for each of `properties` that has a value,
/// going away (an archive).
pub(crate) fn removals(id: &str, now: Option<&Value>, properties: &[String]) -> Vec<FieldChange> {
    properties
        .iter()
        .filter_map(|property| {
            Some(FieldChange {
                id: Some(id.to_string()),
                property: property.clone(),
                before: Some(held(now, property)?),
                after: None,
            })
        })
        .collect()
}

/// Plans against the sandbox (the fake HubSpot, started in-process on loopback): every write tool
/// describes its change, reads what HubSpot holds, and writes nothing.
#[cfg(test)]
#[cfg(feature = "sandbox")]
mod tests {
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;
    use crate::tools::{CancelToken, Change, Effect, Registry, Services, Tool, ToolOutput};

    /// A sandbox and services whose HubSpot client talks to it.
    struct Hub {
        sandbox: hubspot_sandbox::Sandbox,
        services: Services,
    }

    fn hub() -> Hub {
        let sandbox = hubspot_sandbox::Sandbox::start(
            ([127, 0, 0, 1], 0).into(),
            hubspot_sandbox::SandboxOptions::default(),
        )
        .unwrap();
        let services = Services::sandbox(&sandbox).unwrap();
        Hub { sandbox, services }
    }

    fn tool(name: &str) -> Box<dyn Tool> {
        Registry::all_tools()
            .into_iter()
            .find(|t| t.def().unwrap().name == name)
            .unwrap_or_else(|| panic!("no tool {name}"))
    }

    /// Runs `f` with a fresh context on `hub`.
    fn with_cx<R>(hub: &Hub, f: impl FnOnce(&mut ToolContext<'_>) -> R) -> R {
        let cancel = CancelToken::new();
        let mut cx = ToolContext::new(
            None,
            &cancel,
            Instant::now() + Duration::from_secs(20),
            &hub.services,
        );
        f(&mut cx)
    }

    fn plan(hub: &Hub, name: &str, args: Value) -> Change {
        with_cx(hub, |cx| tool(name).plan(&args, cx))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .unwrap_or_else(|| panic!("{name}: no plan"))
    }

    fn call(hub: &Hub, name: &str, args: Value) -> (ToolOutput, Vec<String>) {
        with_cx(hub, |cx| {
            let out = tool(name).call(args, cx).unwrap();
            (out, cx.correlation_ids())
        })
    }

    /// The sandbox's request counts by `"METHOD template"`.
    fn requests(hub: &Hub) -> BTreeMap<String, u64> {
        let stats = serde_json::to_value(hub.sandbox.stats()).unwrap();
        serde_json::from_value(stats["requests"].clone()).unwrap()
    }

    /// The requests that may change something: every one but GETs and batch reads.
    fn writes(hub: &Hub) -> Vec<String> {
        requests(hub)
            .into_keys()
            .filter(|k| !k.starts_with("GET ") && !k.ends_with("/batch/read"))
            .collect()
    }

    fn field(c: &Change, id: Option<&str>, property: &str) -> (Option<Value>, Option<Value>) {
        let f = c
            .fields
            .iter()
            .find(|f| f.id.as_deref() == id && f.property == property)
            .unwrap_or_else(|| panic!("no {id:?} {property} in {c:?}"));
        (f.before.clone(), f.after.clone())
    }

    /// Valid arguments for every write tool.
    fn valid_args() -> Vec<(&'static str, Value)> {
        vec![
            (
                "hubspot_create_record",
                json!({"objectType": "contacts",
                "properties": {"firstname": "Ada", "email": "ada@example.com"},
                "associations": [{"toObjectType": "companies", "toId": "401"}]}),
            ),
            (
                "hubspot_update_record",
                json!({"objectType": "contacts", "id": "101",
                "properties": {"lifecyclestage": "lead"}}),
            ),
            (
                "hubspot_archive_record",
                json!({"objectType": "contacts", "id": "102"}),
            ),
            (
                "hubspot_batch_create",
                json!({"objectType": "deals",
                "inputs": [{"properties": {"dealname": "New deal", "amount": "10"}}]}),
            ),
            (
                "hubspot_batch_update",
                json!({"objectType": "contacts", "inputs": [
                {"id": "101", "properties": {"jobtitle": "CEO"}},
                {"id": "102", "properties": {"jobtitle": "CTO"}}]}),
            ),
            (
                "hubspot_batch_upsert",
                json!({"objectType": "contacts", "idProperty": "email", "inputs": [
                {"id": "maria.chen@acme.example.com", "properties": {"jobtitle": "CEO"}},
                {"id": "new.person@example.com", "properties": {"firstname": "New"}}]}),
            ),
            (
                "hubspot_batch_archive",
                json!({"objectType": "companies", "ids": ["401", "402"]}),
            ),
            (
                "hubspot_create_association",
                json!({"fromObjectType": "deals", "fromId": "481",
                "toObjectType": "contacts", "toId": "102", "associationTypeId": 3,
                "category": "HUBSPOT_DEFINED"}),
            ),
            (
                "hubspot_remove_association",
                json!({"fromObjectType": "contacts", "fromId": "101",
                "toObjectType": "companies", "toId": "401"}),
            ),
            (
                "hubspot_batch_create_associations",
                json!({"fromObjectType": "contacts",
                "toObjectType": "companies", "inputs": [{"fromId": "102", "toId": "401"}]}),
            ),
            (
                "hubspot_create_engagement",
                json!({"type": "note", "body": "Called about renewal",
                "associations": [{"objectType": "contacts", "id": "101"}]}),
            ),
            (
                "hubspot_create_property",
                json!({"objectType": "contacts", "name": "favorite_color",
                "label": "Favorite color", "type": "string", "fieldType": "text",
                "groupName": "contactinformation"}),
            ),
            (
                "hubspot_update_property",
                json!({"objectType": "contacts", "name": "firstname",
                "label": "Given name"}),
            ),
            (
                "hubspot_archive_property",
                json!({"objectType": "contacts", "name": "jobtitle"}),
            ),
            (
                "hubspot_create_property_group",
                json!({"objectType": "contacts", "name": "my_group",
                "label": "My group"}),
            ),
            (
                "hubspot_create_list",
                json!({"name": "Webinar guests", "objectType": "contacts"}),
            ),
            (
                "hubspot_add_list_members",
                json!({"listId": "11", "recordIds": ["106", "107"]}),
            ),
            (
                "hubspot_remove_list_members",
                json!({"listId": "11", "recordIds": ["101"]}),
            ),
        ]
    }

    /// Every tool that is not read-only plans its change (and says it writes nothing doing so); the
    /// write check below is shown to catch a write.
    #[test]
    fn every_write_tool_plans_and_writes_nothing() {
        let hub = hub();
        let args: BTreeMap<&str, Value> = valid_args().into_iter().collect();
        let mut planned = 0;
        for t in Registry::all_tools() {
            let d = t.def().unwrap();
            if d.annotations.read_only {
                assert!(!args.contains_key(d.name), "{} is read-only", d.name);
                continue;
            }
            let a = args
                .get(d.name)
                .unwrap_or_else(|| panic!("{}: add valid arguments to valid_args()", d.name));
            let change = with_cx(&hub, |cx| t.plan(a, cx));
            let change = change
                .unwrap_or_else(|e| panic!("{}: {e}", d.name))
                .unwrap_or_else(|| panic!("{}: a write tool must plan", d.name));
            assert!(change.count >= 1, "{}: {change:?}", d.name);
            assert!(!change.summary().is_empty());
            planned += 1;
        }
        assert_eq!(planned, args.len());
        assert!(hub.sandbox.stats().total > 0, "plans read");
        assert_eq!(writes(&hub), Vec::<String>::new(), "a plan wrote");
        // The check sees a write when there is one.
        call(
            &hub,
            "hubspot_update_record",
            args["hubspot_update_record"].clone(),
        );
        assert_eq!(writes(&hub), ["PATCH /crm/v3/objects/{type}/{id}"]);
    }

    #[test]
    fn an_update_shows_the_value_held_and_the_one_asked_for() {
        let hub = hub();
        let c = plan(
            &hub,
            "hubspot_update_record",
            json!({"objectType": "contact", "id": "101",
            "properties": {"lifecyclestage": "lead", "jobtitle": ""}}),
        );
        assert_eq!(
            (c.effect, c.object.as_str(), c.count),
            (Effect::Update, "contacts", 1)
        );
        assert_eq!(c.ids, ["101"]);
        assert_eq!(
            field(&c, Some("101"), "lifecyclestage"),
            (Some(json!("customer")), Some(json!("lead")))
        );
        assert_eq!(
            field(&c, Some("101"), "jobtitle"),
            (Some(json!("VP of Operations")), Some(json!("")))
        );
        // By idProperty: the change names the real record id.
        let c = plan(
            &hub,
            "hubspot_update_record",
            json!({"objectType": "contacts",
            "id": "maria.chen@acme.example.com", "idProperty": "email",
            "properties": {"phone": "+1 555"}}),
        );
        assert_eq!(c.ids, ["101"]);
        assert_eq!(
            field(&c, Some("101"), "phone"),
            (Some(json!("+1 617 555-0142")), Some(json!("+1 555")))
        );
        // The arguments are checked as the call checks them.
        let bad = with_cx(&hub, |cx| {
            tool("hubspot_update_record").plan(
                &json!({"objectType": "contacts", "id": "101",
                "properties": {}}),
                cx,
            )
        });
        assert!(
            matches!(bad, Err(ToolError::InvalidArguments(_))),
            "{bad:?}"
        );
    }

    #[test]
    fn a_batch_update_reads_once() {
        let hub = hub();
        let before = hub.sandbox.stats().total;
        let c = plan(
            &hub,
            "hubspot_batch_update",
            json!({"objectType": "contacts",
            "idProperty": "email", "inputs": [
                {"id": "maria.chen@acme.example.com", "properties": {"lifecyclestage": "lead"}},
                {"id": "elizabeth.ramirez@ironwoodmedia.example.org", "properties": {"firstname": "Liz"}},
                {"id": "nobody@example.com", "properties": {"firstname": "X"}}]}),
        );
        let r = requests(&hub);
        assert_eq!(hub.sandbox.stats().total - before, 1, "{r:?}");
        assert_eq!(r.get("POST /crm/v3/objects/{type}/batch/read"), Some(&1));
        assert_eq!(c.ids, ["101", "102"]);
        assert_eq!(c.count, 3);
        assert_eq!(
            field(&c, Some("101"), "lifecyclestage"),
            (Some(json!("customer")), Some(json!("lead")))
        );
        assert_eq!(
            field(&c, Some("102"), "firstname"),
            (Some(json!("Elizabeth")), Some(json!("Liz")))
        );
        assert!(
            c.detail
                .as_deref()
                .unwrap_or("")
                .contains("nobody@example.com"),
            "{c:?}"
        );
    }

    #[test]
    fn an_upsert_says_what_it_creates() {
        let hub = hub();
        let c = plan(&hub, "hubspot_batch_upsert", valid_args()[5].1.clone());
        assert_eq!(c.effect, Effect::Update);
        assert_eq!(c.ids, ["101"]);
        assert_eq!(
            field(&c, Some("101"), "jobtitle").0,
            Some(json!("VP of Operations"))
        );
        assert_eq!(
            field(&c, None, "email"),
            (None, Some(json!("new.person@example.com")))
        );
        assert_eq!(field(&c, None, "firstname"), (None, Some(json!("New"))));
        let d = c.detail.unwrap_or_default();
        assert!(
            d.contains("will be created") && d.contains("new.person@example.com"),
            "{d}"
        );
    }

    #[test]
    fn an_archive_shows_what_goes() {
        let hub = hub();
        let c = plan(
            &hub,
            "hubspot_archive_record",
            json!({"objectType": "contacts", "id": "101"}),
        );
        assert_eq!(
            (c.effect, c.ids.as_slice()),
            (Effect::Archive, ["101".to_string()].as_slice())
        );
        assert_eq!(
            field(&c, Some("101"), "firstname"),
            (Some(json!("Maria")), None)
        );
        assert_eq!(
            field(&c, Some("101"), "lastname"),
            (Some(json!("Chen")), None)
        );
        assert_eq!(
            field(&c, Some("101"), "email").0,
            Some(json!("maria.chen@acme.example.com"))
        );
        let before = hub.sandbox.stats().total;
        let c = plan(
            &hub,
            "hubspot_batch_archive",
            json!({"objectType": "companies",
            "ids": ["401", "402", "999999"]}),
        );
        assert_eq!(hub.sandbox.stats().total - before, 1, "one batch read");
        assert_eq!((c.count, c.ids.len()), (3, 3));
        assert_eq!(
            field(&c, Some("401"), "name").0,
            Some(json!("Acme Corporation"))
        );
        assert_eq!(
            field(&c, Some("402"), "domain").0,
            Some(json!("falconlabs.example.org"))
        );
        assert!(c.detail.unwrap_or_default().contains("999999"));
    }

    #[test]
    fn creates_associations_and_schema_changes() {
        let hub = hub();
        let c = plan(
            &hub,
            "hubspot_create_engagement",
            valid_args()[10].1.clone(),
        );
        assert_eq!((c.effect, c.object.as_str()), (Effect::Create, "notes"));
        assert_eq!(
            field(&c, None, "hs_note_body").1,
            Some(json!("Called about renewal"))
        );
        assert!(c.detail.unwrap_or_default().contains("contacts 101"));
        let c = plan(
            &hub,
            "hubspot_create_association",
            json!({"fromObjectType": "deals",
            "fromId": "481", "toObjectType": "contacts", "toId": "102",
            "associationTypeId": 101, "category": "USER_DEFINED"}),
        );
        assert_eq!(
            (c.effect, c.ids.as_slice()),
            (Effect::Associate, ["481".to_string()].as_slice())
        );
        let d = c.detail.unwrap_or_default();
        assert!(
            d.contains("contacts 102") && d.contains("Decision maker"),
            "{d}"
        );
        let c = plan(&hub, "hubspot_update_property", valid_args()[12].1.clone());
        assert_eq!(c.effect, Effect::Schema);
        assert_eq!(
            field(&c, Some("firstname"), "label"),
            (Some(json!("First Name")), Some(json!("Given name")))
        );
    }

    /// A write's correlation id is kept; reads and plans keep none.
    #[test]
    fn writes_keep_hubspots_correlation_ids() {
        let hub = hub();
        let (_, ids) = call(
            &hub,
            "hubspot_get_record",
            json!({"objectType": "contacts", "id": "101"}),
        );
        assert!(ids.is_empty(), "{ids:?}");
        let ids = with_cx(&hub, |cx| {
            tool("hubspot_batch_update")
                .plan(&valid_args()[4].1, cx)
                .unwrap();
            cx.correlation_ids()
        });
        assert!(ids.is_empty(), "{ids:?}");
        let (_, ids) = call(
            &hub,
            "hubspot_update_record",
            json!({"objectType": "contacts",
            "id": "101", "properties": {"jobtitle": "COO"}}),
        );
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert_eq!(ids[0].len(), 36, "a UUID: {ids:?}");
    }
}
