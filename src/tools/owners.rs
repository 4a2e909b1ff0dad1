//! Owners family: the users (and queues) that records can be assigned to, trimmed for a model. Plain
//! listings and single owners read through the metadata cache (`owners:list:{limit}:{archived}`,
//! `owners:{idProperty}:{id}`); filtered or later pages are read live.

use serde::Deserialize;
#[cfg(test)]
use serde_json::json;
use serde_json::{Map, Value};

#[cfg(test)]
use super::common::{after_schema, limit_schema};
use super::common::{next_after, page_result, render_one, CURSOR, OWNER_ID};
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::paths;

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![Box::new(ListOwners), Box::new(GetOwner)]
}

/// Largest page HubSpot serves.
const MAX_LIMIT: u32 = 500;

/// An owner trimmed: id, email, names, userId, team names, and `archived` when set.
fn trim_owner(o: &Value) -> Value {
    let mut m = Map::new();
    for k in ["id", "email", "firstName", "lastName", "userId"] {
        if let Some(v) = o.get(k).filter(|v| !v.is_null() && v.as_str() != Some("")) {
            m.insert(k.into(), v.clone());
        }
    }
    if let Some(t) = o
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| *t != "PERSON")
    {
        m.insert("type".into(), t.into());
    }
    let teams: Vec<Value> = o["teams"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").cloned())
        .collect();
    if !teams.is_empty() {
        m.insert("teams".into(), Value::Array(teams));
    }
    if o["archived"] == Value::Bool(true) {
        m.insert("archived".into(), true.into());
    }
    Value::Object(m)
}

/// `hubspot_list_owners`.
struct ListOwners;

/// The arguments of [`ListOwners`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    email: Option<String>,
    #[serde(default = "hundred")]
    limit: u32,
    after: Option<String>,
    #[serde(default)]
    archived: bool,
}

fn hundred() -> u32 {
    100
}

fn check_list(a: &ListArgs) -> Result<(), ToolError> {
    if !(1..=MAX_LIMIT).contains(&a.limit) {
        return Err(ToolError::InvalidArguments(format!(
            "limit must be 1-{MAX_LIMIT}"
        )));
    }
    if let Some(e) = &a.email {
        let e = e.trim();
        if e.is_empty() || e.len() > 254 || !e.contains('@') {
            return Err(ToolError::InvalidArguments(
                "email must be one full email address (user@example.com)".into(),
            ));
        }
    }
    if let Some(x) = &a.after {
        CURSOR.check("after", x)?;
    }
    Ok(())
}

impl TypedTool for ListOwners {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_owners";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Users records can be assigned to: id (a record's hubspot_owner_id), email, name, teams.",
            family: Family::Owners,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "email": {"type": "string"},
                "limit": limit_schema(MAX_LIMIT.into()),
                "after": after_schema(),
                "archived": {"type": "boolean"}
            }}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        check_list(&a)?;
        let mut q = vec![
            ("limit", a.limit.to_string()),
            ("archived", a.archived.to_string()),
        ];
        let page = match (&a.email, &a.after) {
            (None, None) => cx
                .cached_get(
                    &format!("owners:list:{}:{}", a.limit, a.archived),
                    paths::OWNERS,
                    &q,
                )?
                .as_ref()
                .clone(),
            _ => {
                q.extend(a.email.as_ref().map(|e| ("email", e.trim().to_string())));
                q.extend(a.after.as_ref().map(|x| ("after", x.trim().to_string())));
                cx.get(paths::OWNERS, &q)?
            }
        };
        let results: Vec<Value> = page["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(trim_owner)
            .collect();
        let mut out = page_result(
            "owners",
            results,
            None,
            next_after(&page),
            cx.services().text_limit,
        );
        if a.email.is_some() && out.text.starts_with("0 owners") {
            out.text = format!(
                "No {}owner has that email.\n{}",
                if a.archived { "archived " } else { "active " },
                out.text
            );
        }
        Ok(out)
    }
}

/// `hubspot_get_owner`.
struct GetOwner;

/// The arguments of [`GetOwner`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    id: String,
    #[serde(default = "id_property")]
    id_property: String,
}

/// What `hubspot_get_owner`'s id may be (the schema's enum and the check); the first is the default.
const ID_PROPERTIES: [&str; 2] = ["id", "userId"];

fn id_property() -> String {
    ID_PROPERTIES[0].into()
}

fn check_get(a: &GetArgs) -> Result<(String, &str), ToolError> {
    let id = OWNER_ID.check("id", &a.id)?;
    match a.id_property.as_str() {
        p if ID_PROPERTIES.contains(&p) => Ok((id, p)),
        other => Err(ToolError::InvalidArguments(format!(
            "idProperty {other:?} must be {}",
            ID_PROPERTIES.join(" or ")
        ))),
    }
}

impl TypedTool for GetOwner {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_owner";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Reads one owner by owner id, or by userId.",
            family: Family::Owners,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "id": OWNER_ID.schema(""),
                "idProperty": {"type": "string", "enum": ID_PROPERTIES}
            }, "required": ["id"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (id, prop) = check_get(&a)?;
        let owner = cx.cached_get(
            &format!("owners:{prop}:{id}"),
            &paths::owner(&id),
            &[("idProperty", prop.to_string())],
        )?;
        let o = trim_owner(&owner);
        let text = render_one(&format!("Owner {}.", o["id"]), &o, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(o)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    #[test]
    fn owners_are_trimmed() {
        let page = json!({"results": [
            {"id": "41629779", "email": "ana@example.com", "type": "PERSON", "firstName": "Ana", "lastName": "Lopez",
             "userId": 9586504, "userIdIncludingInactive": 9586504, "createdAt": "2019-12-25T13:01:35.228Z",
             "updatedAt": "2023-08-22T13:40:26.790Z", "archived": false,
             "teams": [{"id": "368389", "name": "Sales EMEA", "primary": true}, {"id": "9", "name": "Onboarding", "primary": false}]},
            {"id": "5", "email": "", "type": "QUEUE", "firstName": "", "lastName": "", "archived": true, "teams": []}
        ], "paging": {"next": {"after": "2", "link": "https://api.hubapi.com/crm/v3/owners?after=2"}}});
        let r = page["results"].as_array().unwrap();
        assert_eq!(
            trim_owner(&r[0]),
            json!({"id": "41629779", "email": "ana@example.com", "firstName": "Ana", "lastName": "Lopez",
                   "userId": 9586504, "teams": ["Sales EMEA", "Onboarding"]})
        );
        assert_eq!(
            trim_owner(&r[1]),
            json!({"id": "5", "type": "QUEUE", "archived": true})
        );
        assert_eq!(next_after(&page).as_deref(), Some("2"));
    }

    #[test]
    fn args_are_checked() {
        let list = |v: Value| check_list(&parse_args::<ListArgs>(v)?);
        assert!(list(json!({})).is_ok());
        assert!(list(json!({"limit": 500, "email": "a@b.co"})).is_ok());
        assert!(list(json!({"limit": 501})).is_err());
        assert!(list(json!({"limit": 0})).is_err());
        assert!(list(json!({"email": "bob"})).is_err());
        assert!(list(json!({"teams": true})).is_err());
        let get = |v: Value| -> Result<(String, String), ToolError> {
            let a = parse_args::<GetArgs>(v)?;
            check_get(&a).map(|(i, p)| (i, p.to_string()))
        };
        assert_eq!(
            get(json!({"id": " 123 "})).unwrap(),
            ("123".into(), "id".into())
        );
        assert_eq!(
            get(json!({"id": "9", "idProperty": "userId"})).unwrap().1,
            "userId"
        );
        assert!(get(json!({"id": "9", "idProperty": "email"})).is_err());
        assert!(get(json!({"id": "ana@example.com"})).is_err());
        for bad in [
            ".",
            "..",
            "%2e%2e",
            "a/b",
            "",
            " ",
            "\u{0}1",
            "99999999999999999999",
        ] {
            let e = get(json!({"id": bad})).unwrap_err().to_string();
            assert!(
                e.contains("id") && e.contains("numeric owner id"),
                "{bad:?}: {e}"
            );
        }
        assert!(list(json!({"after": "a\nb"})).is_err());
        assert!(list(json!({"after": ""})).is_err());
    }
}
