//! Engagements family: notes, tasks, calls, emails and meetings as CRM v3 objects (not the legacy v1
//! engagements API): create one associated with records, and list a record's engagements.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::change::{Change, Effect};
use super::common::{
    check_max, object_type, object_type_arg, render_list, render_one, trim_record,
    trim_record_owned, OWNER_ID, RECORD_ID,
};
#[cfg(test)]
use super::common::{limit_schema, object_type_schema};
use super::plan;
use super::records::default_association_type;
#[cfg(test)]
use super::untrusted::fenced_note;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::{paths, Kind, Method};

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![Box::new(CreateEngagement), Box::new(ListEngagements)]
}

/// Engagement kinds: (argument value, object type, properties read back when listing). The schemas'
/// enums (`type`, `types`) and the checks read this list.
pub(crate) const KINDS: [(&str, &str, &[&str]); 5] = [
    (
        "note",
        "notes",
        &["hs_timestamp", "hs_note_body", "hubspot_owner_id"],
    ),
    (
        "task",
        "tasks",
        &[
            "hs_timestamp",
            "hs_task_subject",
            "hs_task_body",
            "hs_task_status",
            "hs_task_priority",
            "hubspot_owner_id",
        ],
    ),
    (
        "call",
        "calls",
        &[
            "hs_timestamp",
            "hs_call_title",
            "hs_call_body",
            "hs_call_direction",
            "hs_call_duration",
            "hs_call_status",
            "hubspot_owner_id",
        ],
    ),
    (
        "email",
        "emails",
        &[
            "hs_timestamp",
            "hs_email_subject",
            "hs_email_text",
            "hs_email_direction",
            "hubspot_owner_id",
        ],
    ),
    (
        "meeting",
        "meetings",
        &[
            "hs_timestamp",
            "hs_meeting_title",
            "hs_meeting_body",
            "hs_meeting_start_time",
            "hs_meeting_end_time",
            "hubspot_owner_id",
        ],
    ),
];

/// The kinds' argument values (`note`, ...), or their object types (`notes`, ...) when `plural`.
fn kind_names(plural: bool) -> Vec<&'static str> {
    KINDS
        .iter()
        .map(|(k, p, _)| if plural { *p } else { *k })
        .collect()
}

/// `hubspot_create_engagement`.
struct CreateEngagement;

/// The arguments of [`CreateEngagement`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateArgs {
    #[serde(rename = "type")]
    kind: String,
    timestamp: Option<String>,
    owner_id: Option<String>,
    subject: Option<String>,
    body: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    direction: Option<String>,
    duration_ms: Option<u64>,
    start_time: Option<String>,
    end_time: Option<String>,
    #[serde(default)]
    associations: Vec<Target>,
    #[serde(default)]
    properties: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Target {
    object_type: String,
    id: String,
}

fn now_iso() -> String {
    crate::obs::log::rfc3339(std::time::SystemTime::now())
}

/// The HubSpot properties of an engagement from the typed arguments.
fn engagement_properties(a: &CreateArgs) -> Result<(&'static str, Map<String, Value>), ToolError> {
    let kind = KINDS
        .iter()
        .find(|(k, plural, _)| a.kind == *k || a.kind == *plural)
        .ok_or_else(|| {
            ToolError::InvalidArguments(format!(
                "type {:?} must be one of {}",
                a.kind,
                kind_names(false).join(", ")
            ))
        })?;
    let mut p = a.properties.clone();
    let mut set = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            p.insert(k.into(), v.clone().into());
        }
    };
    let need = |what: &str, v: &Option<String>| -> Result<(), ToolError> {
        match v {
            Some(s) if !s.trim().is_empty() => Ok(()),
            _ => Err(ToolError::InvalidArguments(format!(
                "a {} needs {what}",
                kind.0
            ))),
        }
    };
    match kind.0 {
        "note" => {
            need("body", &a.body)?;
            set("hs_note_body", &a.body);
        }
        "task" => {
            need("subject", &a.subject)?;
            set("hs_task_subject", &a.subject);
            set("hs_task_body", &a.body);
            set(
                "hs_task_status",
                &a.status.clone().or(Some("NOT_STARTED".into())),
            );
            set("hs_task_priority", &a.priority);
        }
        "call" => {
            set("hs_call_title", &a.subject);
            set("hs_call_body", &a.body);
            set("hs_call_direction", &a.direction);
            set(
                "hs_call_status",
                &a.status.clone().or(Some("COMPLETED".into())),
            );
            if let Some(d) = a.duration_ms {
                p.insert("hs_call_duration".into(), d.to_string().into());
            }
        }
        "email" => {
            need("subject", &a.subject)?;
            set("hs_email_subject", &a.subject);
            set("hs_email_text", &a.body);
            set(
                "hs_email_direction",
                &a.direction.clone().or(Some("EMAIL".into())),
            );
            set("hs_email_status", &a.status.clone().or(Some("SENT".into())));
        }
        _ => {
            need("subject (the meeting title)", &a.subject)?;
            need("startTime", &a.start_time)?;
            set("hs_meeting_title", &a.subject);
            set("hs_meeting_body", &a.body);
            set("hs_meeting_start_time", &a.start_time);
            set(
                "hs_meeting_end_time",
                &a.end_time.clone().or(a.start_time.clone()),
            );
        }
    }
    p.insert(
        "hs_timestamp".into(),
        a.timestamp
            .clone()
            .or(a.start_time.clone())
            .unwrap_or_else(now_iso)
            .into(),
    );
    if let Some(o) = &a.owner_id {
        p.insert(
            "hubspot_owner_id".into(),
            OWNER_ID.check("ownerId", o)?.into(),
        );
    }
    Ok((kind.1, p))
}

impl TypedTool for CreateEngagement {
    type Args = CreateArgs;

    const NAME: &'static str = "hubspot_create_engagement";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Logs a note, task, call, email or meeting on the records in associations. Needs: note body; task, email subject; meeting subject, startTime. Task status: NOT_STARTED, IN_PROGRESS, WAITING, COMPLETED, DEFERRED. Direction: call INBOUND, OUTBOUND; email EMAIL, INCOMING_EMAIL, FORWARDED_EMAIL.",
            family: Family::Engagements,
            annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "type": {"type": "string", "enum": kind_names(false)},
                "timestamp": {"type": "string", "description": "Default now; a task's due time."},
                "ownerId": OWNER_ID.schema(""),
                "subject": {"type": "string"},
                "body": {"type": "string"},
                "status": {"type": "string"},
                "priority": {"type": "string", "enum": ["LOW", "MEDIUM", "HIGH"]},
                "direction": {"type": "string"},
                "durationMs": {"type": "integer"},
                "startTime": {"type": "string"},
                "endTime": {"type": "string"},
                "associations": {"type": "array", "maxItems": 100, "items": {"type": "object", "properties": {
                    "objectType": object_type_schema(), "id": RECORD_ID.schema("")
                }, "required": ["objectType", "id"]}},
                "properties": {"type": "object"}
            }, "required": ["type"]}),
        }
    }

    fn run(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, props, targets) = check_create(&a)?;
        let mut assoc = Vec::new();
        for (to, id) in targets {
            let (category, type_id) = default_association_type(cx, ty, &to)?;
            assoc.push(json!({"to": {"id": id},
                              "types": [{"associationCategory": category, "associationTypeId": type_id}]}));
        }
        let body = json!({"properties": props, "associations": assoc});
        let rec = trim_record_owned(
            cx,
            ty,
            cx.send(
                Method::Post,
                &paths::objects(ty),
                &[],
                Some(&body),
                Kind::Write,
            )?,
        );
        let text = render_one(
            &format!(
                "Logged a {} (id {}) on {} record(s).",
                a.kind.trim_end_matches('s'),
                rec["id"],
                a.associations.len()
            ),
            &rec,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(rec)),
        })
    }

    fn plan(&self, a: CreateArgs, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, props, targets) = check_create(&a)?;
        let mut change = Change::new(Effect::Create, ty, 1);
        change.fields = plan::changes(None, None, &props);
        if !targets.is_empty() {
            let on: Vec<String> = targets.iter().map(|(t, id)| format!("{t} {id}")).collect();
            change.detail = Some(format!("Associated with {}.", on.join(", ")));
        }
        Ok(Some(change))
    }
}

/// A checked engagement: its object type, its properties, its association targets (type, id).
type Checked = (&'static str, Map<String, Value>, Vec<(String, String)>);

/// Checks an engagement before any call: its object type, its properties and its association targets
/// (their default types come from HubSpot later).
fn check_create(a: &CreateArgs) -> Result<Checked, ToolError> {
    check_max("associations", a.associations.len(), 100)?;
    let (ty, props) = engagement_properties(a)?;
    let targets = a
        .associations
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Ok((
                object_type_arg(&format!("associations[{i}].objectType"), &t.object_type)?,
                RECORD_ID.check(&format!("associations[{i}].id"), &t.id)?,
            ))
        })
        .collect::<Result<Vec<_>, ToolError>>()?;
    Ok((ty, props, targets))
}

/// `hubspot_list_engagements`.
struct ListEngagements;

/// The arguments of [`ListEngagements`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    object_type: String,
    id: String,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default = "ten")]
    limit: usize,
}

fn ten() -> usize {
    10
}

impl TypedTool for ListEngagements {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_engagements";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: concat!(
                "A record's activities, newest first; limit per type.",
                fenced_note!()
            ),
            family: Family::Engagements,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "id": RECORD_ID.schema(""),
                "types": {"type": "array", "items": {"type": "string", "enum": kind_names(true)}},
                "limit": limit_schema(100)
            }, "required": ["objectType", "id"]}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let from = object_type(&a.object_type)?;
        let id = RECORD_ID.check("id", &a.id)?;
        if !(1..=100).contains(&a.limit) {
            return Err(ToolError::InvalidArguments("limit must be 1-100".into()));
        }
        let wanted: Vec<&(&str, &str, &[&str])> = KINDS
            .iter()
            .filter(|(k, plural, _)| {
                a.types.is_empty() || a.types.iter().any(|t| t == plural || t == k)
            })
            .collect();
        if wanted.is_empty() {
            return Err(ToolError::InvalidArguments(format!(
                "types must be among {}",
                kind_names(true).join(", ")
            )));
        }
        let mut all = Vec::new();
        for (i, (_, plural, props)) in wanted.iter().enumerate() {
            cx.progress(i as f64, Some(wanted.len() as f64), Some(plural));
            let assoc = cx.get(
                &paths::associations_of(&from, &id, plural),
                &[("limit", a.limit.to_string())],
            )?;
            let ids: Vec<Value> = assoc["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("toObjectId"))
                .take(a.limit)
                .map(|i| json!({"id": match i { Value::Number(n) => n.to_string(), other => other.as_str().unwrap_or("").to_string() }}))
                .collect();
            if ids.is_empty() {
                continue;
            }
            let body = json!({"inputs": ids, "properties": props});
            let page = cx.send(
                Method::Post,
                &paths::batch(plural, "read"),
                &[],
                Some(&body),
                Kind::Read,
            )?;
            for r in page["results"].as_array().into_iter().flatten() {
                let mut t = trim_record(cx, plural, r);
                t["type"] = plural.trim_end_matches('s').into();
                all.push(t);
            }
        }
        // Newest first; activities of one timestamp in the order read (an unstable sort on both: a
        // stable sort's code is larger).
        let mut keyed: Vec<(String, usize, Value)> = all
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let ts = v
                    .pointer("/properties/hs_timestamp")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                (ts, i, v)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let all: Vec<Value> = keyed.into_iter().map(|(_, _, v)| v).collect();
        let summary = format!("{} activities on {from} {id}, newest first.", all.len());
        let text = render_list(&summary, &all, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(json!({"results": all}))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    fn props(v: Value) -> Result<(&'static str, Map<String, Value>), ToolError> {
        engagement_properties(&parse_args::<CreateArgs>(v)?)
    }

    #[test]
    fn typed_fields_map_to_hubspot_properties() {
        let (ty, p) = props(
            json!({"type": "note", "body": "Met at the fair", "timestamp": "2026-11-01T10:00:00Z"}),
        )
        .unwrap();
        assert_eq!(
            (ty, p["hs_note_body"].as_str(), p["hs_timestamp"].as_str()),
            (
                "notes",
                Some("Met at the fair"),
                Some("2026-11-01T10:00:00Z")
            )
        );
        let (ty, p) =
            props(json!({"type": "task", "subject": "Call back", "priority": "HIGH"})).unwrap();
        assert_eq!(
            (
                ty,
                p["hs_task_status"].as_str(),
                p["hs_task_priority"].as_str()
            ),
            ("tasks", Some("NOT_STARTED"), Some("HIGH"))
        );
        assert!(p["hs_timestamp"].as_str().unwrap().ends_with('Z'));
        let (_, p) = props(
            json!({"type": "meeting", "subject": "Demo", "startTime": "2026-12-01T09:00:00Z"}),
        )
        .unwrap();
        assert_eq!(p["hs_meeting_end_time"], "2026-12-01T09:00:00Z");
        assert_eq!(p["hs_timestamp"], "2026-12-01T09:00:00Z");
        assert!(
            props(json!({"type": "note"})).is_err(),
            "a note needs a body"
        );
        assert!(props(json!({"type": "fax", "body": "x"})).is_err());
        assert!(props(json!({"type": "note", "body": "x", "bogus": 1})).is_err());
        let (_, p) = props(json!({"type": "call", "durationMs": 60000, "ownerId": "7"})).unwrap();
        assert_eq!(
            (
                p["hs_call_duration"].as_str(),
                p["hubspot_owner_id"].as_str()
            ),
            (Some("60000"), Some("7"))
        );
    }
}
