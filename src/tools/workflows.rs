//! Workflows family (read-only): list workflows and summarize one workflow's definition (automation v4,
//! which HubSpot still marks beta). Workflow definitions change outside this server, so nothing is cached.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

#[cfg(test)]
use super::common::{after_schema, limit_schema};
use super::common::{next_after, page_result, render_one, CURSOR, FLOW_ID};
use super::schemas::standard_name;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::paths;

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![Box::new(ListWorkflows), Box::new(GetWorkflow)]
}

/// Property names listed in an enrollment summary, at most.
const MAX_SUMMARY_NAMES: usize = 30;

/// Names of built-in action types whose `actionTypeId` HubSpot documents; others are shown by id.
const ACTION_NAMES: [(&str, &str); 4] = [
    ("0-1", "delay"),
    ("0-35", "delay until a date"),
    ("0-9", "in-app notification"),
    ("0-13", "static list membership"),
];

/// A workflow in a list: id, name, isEnabled, flowType, objectTypeId (and the standard type's name),
/// revisionId, updatedAt.
fn trim_listing(f: &Value) -> Value {
    let mut m = Map::new();
    for k in [
        "id",
        "name",
        "isEnabled",
        "flowType",
        "objectTypeId",
        "revisionId",
        "updatedAt",
    ] {
        if let Some(v) = f.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    if let Some(n) = f["objectTypeId"].as_str().and_then(standard_name) {
        m.insert("objectType".into(), n.into());
    }
    Value::Object(m)
}

/// What an enrollment criteria tree uses: filter count, property names, event type ids.
#[derive(Debug, Default)]
struct Walk {
    filters: usize,
    properties: Vec<String>,
    events: Vec<String>,
}

fn walk(v: &Value, w: &mut Walk) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(fs)) = m.get("filters") {
                w.filters += fs.len();
                for p in fs.iter().filter_map(|f| f["property"].as_str()) {
                    if !w.properties.iter().any(|x| x == p) {
                        w.properties.push(p.to_string());
                    }
                }
            }
            if let Some(e) = m.get("eventTypeId").and_then(Value::as_str) {
                if !w.events.iter().any(|x| x == e) {
                    w.events.push(e.to_string());
                }
            }
            for x in m.values() {
                walk(x, w);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| walk(x, w)),
        _ => {}
    }
}

/// A summary of `enrollmentCriteria`: type, re-enrollment, filter count, the properties and event types it
/// looks at.
fn enrollment_summary(c: &Value) -> Value {
    if !c.is_object() {
        return json!({"type": "NONE"});
    }
    let mut w = Walk::default();
    walk(c, &mut w);
    let mut m = Map::new();
    m.insert("type".into(), c["type"].clone());
    for k in ["shouldReEnroll", "unEnrollObjectsNotMeetingCriteria"] {
        if let Some(v) = c.get(k).filter(|v| v.is_boolean()) {
            m.insert(k.into(), v.clone());
        }
    }
    m.insert("filterCount".into(), w.filters.into());
    if !w.properties.is_empty() {
        let n = w.properties.len();
        w.properties.truncate(MAX_SUMMARY_NAMES);
        m.insert("properties".into(), json!(w.properties));
        if n > MAX_SUMMARY_NAMES {
            m.insert(
                "propertiesNote".into(),
                format!("{MAX_SUMMARY_NAMES} of {n} properties shown").into(),
            );
        }
    }
    if !w.events.is_empty() {
        m.insert("eventTypeIds".into(), json!(w.events));
    }
    Value::Object(m)
}

/// What one action is: the branch type, or `SINGLE_CONNECTION` actions by their `actionTypeId` (named
/// when documented).
fn action_kind(a: &Value) -> String {
    let ty = a["type"].as_str().unwrap_or("UNKNOWN");
    if ty != "SINGLE_CONNECTION" {
        return ty.to_string();
    }
    match a["actionTypeId"].as_str() {
        Some(id) => match ACTION_NAMES.iter().find(|(i, _)| *i == id) {
            Some((_, name)) => format!("{id} ({name})"),
            None => id.to_string(),
        },
        None => ty.to_string(),
    }
}

/// A workflow definition summarized: identity, state, object type, enrollment summary, action count and
/// how many actions of each type.
fn summarize_flow(f: &Value) -> Value {
    let mut m = Map::new();
    for k in [
        "id",
        "name",
        "description",
        "isEnabled",
        "type",
        "flowType",
        "objectTypeId",
        "revisionId",
        "createdAt",
        "updatedAt",
    ] {
        if let Some(v) = f.get(k).filter(|v| !v.is_null() && v.as_str() != Some("")) {
            m.insert(k.into(), v.clone());
        }
    }
    if let Some(n) = f["objectTypeId"].as_str().and_then(standard_name) {
        m.insert("objectType".into(), n.into());
    }
    m.insert(
        "enrollment".into(),
        enrollment_summary(&f["enrollmentCriteria"]),
    );
    let actions: &[Value] = f["actions"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for a in actions {
        *by_type.entry(action_kind(a)).or_default() += 1;
    }
    m.insert("actionCount".into(), actions.len().into());
    m.insert("actionTypes".into(), json!(by_type));
    Value::Object(m)
}

/// `hubspot_list_workflows`.
struct ListWorkflows;

/// The arguments of [`ListWorkflows`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    #[serde(default = "fifty")]
    limit: u32,
    after: Option<String>,
}

fn fifty() -> u32 {
    50
}

impl TypedTool for ListWorkflows {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_workflows";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Lists workflows: id, name, enabled, flowType, object type, last update; details with hubspot_get_workflow. This server cannot change workflows.",
            family: Family::Workflows,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "limit": limit_schema(100),
                "after": after_schema()
            }}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        if !(1..=100).contains(&a.limit) {
            return Err(ToolError::InvalidArguments("limit must be 1-100".into()));
        }
        let mut q = vec![("limit", a.limit.to_string())];
        if let Some(x) = a.after {
            q.push(("after", CURSOR.check("after", &x)?));
        }
        let page = cx.get(paths::FLOWS, &q)?;
        let results: Vec<Value> = page["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(trim_listing)
            .collect();
        Ok(page_result(
            "workflows",
            results,
            None,
            next_after(&page),
            cx.services().text_limit,
        ))
    }
}

/// `hubspot_get_workflow`.
struct GetWorkflow;

/// The arguments of [`GetWorkflow`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    id: String,
}

impl TypedTool for GetWorkflow {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_workflow";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Summarizes one workflow: name, enabled, type, object type, enrollment triggers and actions by type; the full definition is in structuredContent.",
            family: Family::Workflows,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "id": FLOW_ID.schema("From hubspot_list_workflows.")
            }, "required": ["id"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let id = FLOW_ID.check("id", &a.id)?;
        let flow = cx.get(&paths::flow(&id), &[])?;
        let summary = summarize_flow(&flow);
        let text = render_one(
            &format!(
                "Workflow {id}: {} ({}), {} actions.",
                summary["name"].as_str().unwrap_or("unnamed"),
                if summary["isEnabled"] == Value::Bool(true) {
                    "enabled"
                } else {
                    "disabled"
                },
                summary["actionCount"]
            ),
            &summary,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(flow)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    const FLOW: &str = r#"{
        "id": "585051946", "isEnabled": true, "flowType": "WORKFLOW", "revisionId": "7",
        "name": "New form submission workflow", "createdAt": "2024-06-07T17:27:08.101Z",
        "updatedAt": "2024-06-07T17:31:11.263Z", "startActionId": "1", "nextAvailableActionId": "4",
        "type": "CONTACT_FLOW", "objectTypeId": "0-1", "canEnrollFromSalesforce": false,
        "timeWindows": [], "blockedDates": [], "customProperties": {}, "dataSources": [], "suppressionListIds": [],
        "actions": [
            {"type": "SINGLE_CONNECTION", "actionId": "1", "actionTypeVersion": 0, "actionTypeId": "0-13",
             "connection": {"edgeType": "STANDARD", "nextActionId": "2"}, "fields": {"operation": "ADD", "list_id": "178"}},
            {"type": "SINGLE_CONNECTION", "actionId": "2", "actionTypeVersion": 0, "actionTypeId": "0-1",
             "connection": {"edgeType": "STANDARD", "nextActionId": "3"}, "fields": {"delta": "1", "time_unit": "DAYS"}},
            {"type": "LIST_BRANCH", "actionId": "3", "listBranches": [], "defaultBranchName": "None met"},
            {"type": "SINGLE_CONNECTION", "actionId": "4", "actionTypeVersion": 0, "actionTypeId": "0-9",
             "fields": {"user_ids": ["2620022"], "delivery_method": "APP", "subject": "New form submission"}}
        ],
        "enrollmentCriteria": {
            "type": "LIST_BASED", "shouldReEnroll": false, "unEnrollObjectsNotMeetingCriteria": false,
            "listFilterBranch": {"filterBranchType": "OR", "filterBranchOperator": "OR", "filters": [],
                "filterBranches": [{"filterBranchType": "AND", "filterBranchOperator": "AND", "filterBranches": [],
                    "filters": [
                        {"filterType": "PROPERTY", "property": "lifecyclestage",
                         "operation": {"operationType": "MULTISTRING", "operator": "IS_EQUAL_TO", "values": ["lead"]}},
                        {"filterType": "PROPERTY", "property": "country",
                         "operation": {"operationType": "MULTISTRING", "operator": "IS_EQUAL_TO", "values": ["France"]}},
                        {"filterType": "PROPERTY", "property": "lifecyclestage",
                         "operation": {"operationType": "ALL_PROPERTY", "operator": "IS_KNOWN"}}
                    ]}]},
            "reEnrollmentTriggersFilterBranches": []
        }
    }"#;

    fn flow() -> Value {
        serde_json::from_str(FLOW).unwrap()
    }

    #[test]
    fn flows_are_summarized() {
        let s = summarize_flow(&flow());
        assert_eq!(s["objectType"], "contacts");
        assert_eq!(s["actionCount"], 4);
        assert_eq!(
            s["actionTypes"],
            json!({"0-1 (delay)": 1, "0-13 (static list membership)": 1, "0-9 (in-app notification)": 1, "LIST_BRANCH": 1})
        );
        assert_eq!(
            s["enrollment"],
            json!({"type": "LIST_BASED", "shouldReEnroll": false, "unEnrollObjectsNotMeetingCriteria": false,
                   "filterCount": 3, "properties": ["lifecyclestage", "country"]})
        );
        assert!(s.get("actions").is_none() && s.get("timeWindows").is_none());
        let ev = enrollment_summary(&json!({"type": "EVENT_BASED", "shouldReEnroll": true,
            "eventFilterBranches": [{"filterBranches": [], "filters": [], "eventTypeId": "4-1639801",
                                     "operator": "HAS_COMPLETED", "filterBranchType": "UNIFIED_EVENTS"}],
            "listMembershipFilterBranches": []}));
        assert_eq!(ev["eventTypeIds"], json!(["4-1639801"]));
        assert_eq!(ev["filterCount"], 0);
        assert_eq!(enrollment_summary(&Value::Null), json!({"type": "NONE"}));
    }

    #[test]
    fn listings_are_trimmed_and_args_checked() {
        let l = trim_listing(
            &json!({"id": "1", "name": "W", "isEnabled": false, "flowType": "WORKFLOW",
            "objectTypeId": "0-3", "revisionId": "2", "createdAt": "x", "updatedAt": "y", "uuid": "u"}),
        );
        assert_eq!(
            l,
            json!({"id": "1", "name": "W", "isEnabled": false, "flowType": "WORKFLOW", "objectTypeId": "0-3",
                   "revisionId": "2", "updatedAt": "y", "objectType": "deals"})
        );
        assert!(parse_args::<ListArgs>(json!({"limit": 10, "after": "abc"})).is_ok());
        assert!(parse_args::<ListArgs>(json!({"archived": true})).is_err());
        assert!(parse_args::<GetArgs>(json!({"id": "585051946"})).is_ok());
        assert!(parse_args::<GetArgs>(json!({"flowId": "1"})).is_err());
    }
}
