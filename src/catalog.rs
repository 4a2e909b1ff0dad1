//! MCP resources and prompts: HubSpot's property catalogs, pipelines, owners and schemas as readable
//! resources (plus templates for any object type and single records), and prompts for common CRM work.
//! Plain data in, plain data out: `mcp::dispatch` wraps it in JSON-RPC.

use serde_json::{json, Value};

use crate::hubspot::paths;
use crate::tools::common::{object_type, trim_record_owned, RECORD_ID};
use crate::tools::untrusted::fenced_note;
use crate::tools::{ToolContext, ToolError};

/// Fixed resources: (uri, name, description).
const RESOURCES: [(&str, &str, &str); 8] = [
    (
        "hubspot://properties/contacts",
        "Contact properties",
        "Every contact property: name, label, type, options.",
    ),
    (
        "hubspot://properties/companies",
        "Company properties",
        "Every company property: name, label, type, options.",
    ),
    (
        "hubspot://properties/deals",
        "Deal properties",
        "Every deal property: name, label, type, options.",
    ),
    (
        "hubspot://properties/tickets",
        "Ticket properties",
        "Every ticket property: name, label, type, options.",
    ),
    (
        "hubspot://pipelines/deals",
        "Deal pipelines",
        "Deal pipelines and their stages (dealstage values).",
    ),
    (
        "hubspot://pipelines/tickets",
        "Ticket pipelines",
        "Ticket pipelines and stages (hs_pipeline_stage values).",
    ),
    (
        "hubspot://owners",
        "Owners",
        "Users who can own records: id, name, email.",
    ),
    (
        "hubspot://schemas",
        "Custom object schemas",
        "Custom object types of the account.",
    ),
];

/// The `resources/list` entries.
pub(crate) fn resources() -> Vec<Value> {
    RESOURCES
        .iter()
        .map(|(uri, name, desc)| json!({"uri": uri, "name": name, "title": name, "description": desc, "mimeType": "application/json"}))
        .collect()
}

/// The `resources/templates/list` entries.
pub(crate) fn templates() -> Vec<Value> {
    vec![
        json!({"uriTemplate": "hubspot://properties/{objectType}", "name": "Properties of an object type",
               "description": "The property catalog of any object type, custom ones included.", "mimeType": "application/json"}),
        json!({"uriTemplate": "hubspot://pipelines/{objectType}", "name": "Pipelines of an object type",
               "description": "Pipelines and stages of deals, tickets or another pipelined type.", "mimeType": "application/json"}),
        json!({"uriTemplate": "hubspot://records/{objectType}/{id}", "name": "One record",
               "description": concat!("One CRM record with its default properties.", fenced_note!()), "mimeType": "application/json"}),
    ]
}

/// Why a resource cannot be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The URI names no resource of this server.
    NotFound(String),
    /// HubSpot failed (or the tool layer refused).
    Tool(ToolError),
}

impl From<ToolError> for ReadError {
    fn from(e: ToolError) -> Self {
        ReadError::Tool(e)
    }
}

/// Reads a resource: its JSON text.
pub(crate) fn read(uri: &str, cx: &ToolContext<'_>) -> Result<String, ReadError> {
    let rest = uri
        .strip_prefix("hubspot://")
        .ok_or_else(|| ReadError::NotFound(uri.to_string()))?;
    let parts: Vec<&str> = rest.split('/').collect();
    let ty = |s: &str| object_type(s).map_err(|_| ReadError::NotFound(uri.to_string()));
    let value: Value = match parts.as_slice() {
        ["properties", t] => {
            let t = ty(t)?;
            let v = cx.cached_get(&format!("props:{t}"), &paths::properties(&t), &[])?;
            let props: Vec<Value> = v["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["hidden"] != true)
                .map(|p| {
                    let mut o = json!({"name": p["name"], "label": p["label"], "type": p["type"], "fieldType": p["fieldType"]});
                    if let Some(opts) = p["options"].as_array().filter(|o| !o.is_empty()) {
                        o["options"] = opts.iter().map(|x| x["value"].clone()).collect();
                    }
                    o
                })
                .collect();
            json!({"objectType": t, "properties": props})
        }
        ["pipelines", t] => {
            let t = ty(t)?;
            (*cx.cached_get(&format!("pipelines:{t}"), &paths::pipelines(&t), &[])?).clone()
        }
        ["owners"] => {
            (*cx.cached_get("owners:all", paths::OWNERS, &[("limit", "500".into())])?).clone()
        }
        ["schemas"] => (*cx.cached_get("schemas", paths::SCHEMAS, &[])?).clone(),
        ["records", t, id] => {
            // A record URI names a record by its numeric id: anything else names no resource, and
            // HubSpot is not asked.
            let t = ty(t)?;
            let id = RECORD_ID
                .check("id", id)
                .map_err(|_| ReadError::NotFound(uri.to_string()))?;
            // Fenced like a tool's records; `trim_record_owned` marks `cx` when it fenced free text (the
            // caller's context is where a write policy reads it).
            trim_record_owned(cx, &t, cx.get(&paths::object(&t, &id), &[])?)
        }
        _ => return Err(ReadError::NotFound(uri.to_string())),
    };
    Ok(value.to_string())
}

/// A prompt: name, title, description, arguments (name, description, required), and its template.
struct Prompt {
    /// Name.
    name: &'static str,
    /// Title.
    title: &'static str,
    /// Description.
    description: &'static str,
    /// Arguments: (name, description, required).
    arguments: &'static [(&'static str, &'static str, bool)],
    /// Text with `{arg}` placeholders.
    template: &'static str,
}

/// The prompts.
const PROMPTS: [Prompt; 4] = [
    Prompt {
        name: "account_brief",
        title: "Account brief",
        description: "A one-page brief on a company: contacts, open deals, recent activity, next steps.",
        arguments: &[("company", "Company name or domain", true)],
        template: "Write a one-page brief on the company \"{company}\" from HubSpot. Find it with \
            hubspot_search_records (objectType companies, query \"{company}\"); if several match, say which you chose. \
            Then list its contacts and deals with hubspot_list_associations, read open deals with hubspot_get_record, \
            and its latest activities with hubspot_list_engagements. Report: who they are, key contacts with roles, \
            open deals with stage, amount and close date, the last five interactions, risks, and proposed next steps. \
            Quote record ids so the user can check them.",
    },
    Prompt {
        name: "pipeline_review",
        title: "Deal pipeline review",
        description: "Reviews open deals in a pipeline: stuck, overdue or unowned deals.",
        arguments: &[("pipeline", "Pipeline id or label (default: the default pipeline)", false)],
        template: "Review the deal pipeline \"{pipeline}\" in HubSpot. Get its stages with hubspot_list_pipelines \
            (objectType deals). For each open stage, search deals with hubspot_search_records (filters pipeline EQ \
            the pipeline id, dealstage EQ the stage id), sorted by closedate. Flag deals whose closedate has passed, \
            deals without an owner (hubspot_owner_id NOT_HAS_PROPERTY) and deals not modified for 30 days \
            (hs_lastmodifieddate). Summarize totals per stage and list the flagged deals with ids and owners.",
    },
    Prompt {
        name: "log_meeting_notes",
        title: "Log meeting notes",
        description: "Logs notes from a meeting with a contact and creates follow-up tasks.",
        arguments: &[
            ("email", "The contact's email address", true),
            ("notes", "What was discussed and agreed", true),
        ],
        template: "Log these meeting notes in HubSpot for the contact with email {email}. Find the contact with \
            hubspot_get_record (objectType contacts, idProperty email); if none exists, ask before creating one. Log \
            a note with hubspot_create_engagement (type note) associated with the contact and its primary company. \
            For every action item, create a task (type task) with a clear subject and a due date. Notes:\n{notes}",
    },
    Prompt {
        name: "find_duplicates",
        title: "Find duplicate records",
        description: "Looks for likely duplicate contacts or companies and proposes merges, without changing data.",
        arguments: &[("objectType", "contacts or companies", true)],
        template: "Look for likely duplicate {objectType} in HubSpot without changing anything. Use \
            hubspot_search_records sorted by name (or email / domain), compare neighbours, and list groups of \
            probable duplicates with their ids and the fields that match or differ. Do not archive or merge \
            anything; propose which record to keep and why.",
    },
];

/// The `prompts/list` entries.
pub(crate) fn prompts() -> Vec<Value> {
    PROMPTS
        .iter()
        .map(|p| {
            json!({"name": p.name, "title": p.title, "description": p.description,
                   "arguments": p.arguments.iter().map(|(n, d, r)| json!({"name": n, "description": d, "required": r})).collect::<Vec<_>>()})
        })
        .collect()
}

/// Renders prompt `name` with `args`; `Err` names what is wrong (unknown prompt, missing argument).
pub(crate) fn get_prompt(
    name: &str,
    args: &serde_json::Map<String, Value>,
) -> Result<Value, String> {
    let p = PROMPTS.iter().find(|p| p.name == name).ok_or_else(|| {
        format!(
            "unknown prompt {name:?}; prompts/list names them: {}",
            PROMPTS.map(|p| p.name).join(", ")
        )
    })?;
    let mut text = p.template.to_string();
    for (arg, _, required) in p.arguments {
        let v = args
            .get(*arg)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let v = match (v, required) {
            (Some(v), _) => v.to_string(),
            (None, true) => return Err(format!("prompt {name} needs the argument {arg:?}")),
            (None, false) => "default".to_string(),
        };
        text = text.replace(&format!("{{{arg}}}"), &v);
    }
    Ok(
        json!({"description": p.description, "messages": [{"role": "user", "content": {"type": "text", "text": text}}]}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_render_and_check_arguments() {
        let mut a = serde_json::Map::new();
        assert!(get_prompt("account_brief", &a)
            .unwrap_err()
            .contains("company"));
        a.insert("company".into(), "Northwind".into());
        let p = get_prompt("account_brief", &a).unwrap();
        let text = p["messages"][0]["content"]["text"].as_str().unwrap();
        assert!(text.contains("\"Northwind\"") && !text.contains("{company}"));
        assert!(get_prompt("pipeline_review", &serde_json::Map::new()).is_ok());
        assert!(get_prompt("nope", &a).is_err());
        assert_eq!(prompts().len(), 4);
        assert!(resources()
            .iter()
            .all(|r| r["uri"].as_str().unwrap().starts_with("hubspot://")));
    }

    #[test]
    fn hostile_record_uris_name_no_resource_and_ask_nothing() {
        use crate::tools::{CancelToken, Services};
        use std::time::{Duration, Instant};
        let cancel = CancelToken::new();
        // Offline: any HubSpot call would fail as NotConfigured (ReadError::Tool), not NotFound.
        let svc = Services::offline();
        let cx = ToolContext::new(None, &cancel, Instant::now() + Duration::from_secs(5), &svc);
        for uri in [
            "hubspot://records/contacts/..",
            "hubspot://records/contacts/.",
            "hubspot://records/contacts/%2e%2e",
            "hubspot://records/contacts/",
            "hubspot://records/contacts/a@b.c",
            "hubspot://records/contacts/99999999999999999999999",
            "hubspot://records/contacts/1\u{0}",
            "hubspot://records/../1",
            "hubspot://records/contacts/../../x",
            "hubspot://properties/..",
            "hubspot://pipelines/%2e%2e",
        ] {
            assert!(
                matches!(read(uri, &cx), Err(ReadError::NotFound(_))),
                "{uri}"
            );
        }
        assert!(matches!(
            read("hubspot://records/contacts/51", &cx),
            Err(ReadError::Tool(ToolError::NotConfigured))
        ));
    }
}
