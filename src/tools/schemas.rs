//! Schemas family: the account's custom objects (list) and one object's definition (get), trimmed for a
//! model. Both read through the metadata cache (`schemas`, `schema:{type}`).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::args::NoArgs;
use super::common::{object_type, render_list, render_one, STANDARD_TYPES};
use super::properties::{select_properties, PropertyFilter};
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::paths;

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![Box::new(ListSchemas), Box::new(GetSchema)]
}

/// The cached list of custom object schemas (`GET /crm/v3/schemas`, key `schemas`).
pub(crate) fn cached_schemas(cx: &ToolContext<'_>) -> Result<std::sync::Arc<Value>, ToolError> {
    cx.cached_get("schemas", paths::SCHEMAS, &[("archived", "false".into())])
}

/// A standard object type's name for an objectTypeId (`0-1` → `contacts`), if it is one.
pub(crate) fn standard_name(type_id: &str) -> Option<&'static str> {
    STANDARD_TYPES
        .iter()
        .find(|(_, id)| *id == type_id)
        .map(|(name, _)| *name)
}

fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.get(*k).filter(|v| !v.is_null()) {
            to.insert((*k).into(), v.clone());
        }
    }
}

/// The fields of an object's definition kept in a list ([`trim_schema_summary`]) and with the whole
/// definition ([`trim_schema`]).
const SUMMARY_FIELDS: [&str; 7] = [
    "objectTypeId",
    "name",
    "fullyQualifiedName",
    "labels",
    "primaryDisplayProperty",
    "requiredProperties",
    "searchableProperties",
];

/// One custom object in a list: ids, names, labels, display and required/searchable properties, and how
/// many properties it has.
fn trim_schema_summary(s: &Value) -> Value {
    let mut m = Map::new();
    copy(s, &mut m, &SUMMARY_FIELDS);
    if let Some(p) = s.get("properties").and_then(Value::as_array) {
        m.insert("propertyCount".into(), p.len().into());
    }
    if s["archived"] == Value::Bool(true) {
        m.insert("archived".into(), true.into());
    }
    Value::Object(m)
}

/// An association definition: id, name, and the object types at each end (named when standard).
fn trim_association(a: &Value) -> Value {
    let mut m = Map::new();
    copy(
        a,
        &mut m,
        &["id", "name", "fromObjectTypeId", "toObjectTypeId"],
    );
    for (k, out) in [("fromObjectTypeId", "from"), ("toObjectTypeId", "to")] {
        if let Some(n) = a[k].as_str().and_then(standard_name) {
            m.insert(out.into(), n.into());
        }
    }
    Value::Object(m)
}

/// One object's definition: the summary fields, its properties trimmed like `hubspot_list_properties`
/// (hidden ones left out and counted), and its association definitions.
fn trim_schema(s: &Value) -> Value {
    let mut m = Map::new();
    copy(s, &mut m, &SUMMARY_FIELDS);
    copy(s, &mut m, &["description", "secondaryDisplayProperties"]);
    let list: &[Value] = s["properties"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let (props, hidden) = select_properties(list, &PropertyFilter::default());
    m.insert("properties".into(), Value::Array(props));
    if hidden > 0 {
        m.insert("hiddenPropertiesOmitted".into(), hidden.into());
    }
    let assoc: Vec<Value> = s["associations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(trim_association)
        .collect();
    m.insert("associations".into(), Value::Array(assoc));
    Value::Object(m)
}

/// `hubspot_list_schemas`.
struct ListSchemas;

impl TypedTool for ListSchemas {
    type Args = NoArgs;

    const NAME: &'static str = "hubspot_list_schemas";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Lists custom object types: objectTypeId (2-…), names, labels, primary, required and searchable properties. Use to find the objectType of a non-standard object.",
            family: Family::Schemas,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {}, "additionalProperties": false}),
        }
    }

    fn run(&self, _: NoArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let all = cached_schemas(cx)?;
        let results: Vec<Value> = all["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(trim_schema_summary)
            .collect();
        let summary = if results.is_empty() {
            "No custom objects in this account (standard objects such as contacts, companies, deals and \
             tickets need no schema)."
                .to_string()
        } else {
            format!(
                "{} custom objects. Use objectTypeId (or fullyQualifiedName) as objectType.",
                results.len()
            )
        };
        let text = render_list(&summary, &results, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(json!({ "results": results }))),
        })
    }
}

/// `hubspot_get_schema`.
struct GetSchema;

/// The arguments of [`GetSchema`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    object_type: String,
}

impl TypedTool for GetSchema {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_schema";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Reads one custom object's definition: labels, primary, required and searchable properties, properties (hidden left out), associations. For standard objects use hubspot_list_properties.",
            family: Family::Schemas,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": {"type": "string", "description": "2-… id or fullyQualifiedName (hubspot_list_schemas)."}
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let s = cx.cached_get(&format!("schema:{ty}"), &paths::schema(&ty), &[])?;
        let trimmed = trim_schema(&s);
        let n = trimmed["properties"].as_array().map_or(0, Vec::len);
        let text = render_one(
            &format!(
                "Schema of {ty} ({}): {n} visible properties, {} association definitions.",
                s["objectTypeId"].as_str().unwrap_or("?"),
                trimmed["associations"].as_array().map_or(0, Vec::len)
            ),
            &trimmed,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(trimmed)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    fn sample() -> Value {
        json!({
            "id": "123456", "objectTypeId": "2-3508482", "name": "cars", "fullyQualifiedName": "p7878787_cars",
            "labels": {"singular": "Car", "plural": "Cars"}, "description": "Cars we sell",
            "primaryDisplayProperty": "model", "secondaryDisplayProperties": ["make"],
            "requiredProperties": ["year", "make", "model"], "searchableProperties": ["model", "make"],
            "archived": false, "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-02-01T00:00:00Z",
            "metaType": "PORTAL_SPECIFIC", "portalId": 7878787,
            "properties": [
                {"name": "model", "label": "Model", "type": "string", "fieldType": "text", "groupName": "car_information",
                 "description": "", "options": [], "hidden": false, "hasUniqueValue": false, "displayOrder": -1},
                {"name": "condition", "label": "Condition", "type": "enumeration", "fieldType": "select",
                 "groupName": "car_information", "description": "New or used",
                 "options": [{"label": "New", "value": "new", "hidden": false}, {"label": "Used", "value": "used", "hidden": false}]},
                {"name": "hs_object_source", "label": "Record source", "type": "string", "fieldType": "text",
                 "groupName": "car_information", "description": "", "options": [], "hidden": true}
            ],
            "associations": [
                {"id": "105", "name": "car_to_contact", "fromObjectTypeId": "2-3508482", "toObjectTypeId": "0-1",
                 "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z"}
            ]
        })
    }

    #[test]
    fn schemas_are_trimmed() {
        let s = sample();
        let sum = trim_schema_summary(&s);
        assert_eq!(sum["propertyCount"], 3);
        assert_eq!(sum["fullyQualifiedName"], "p7878787_cars");
        assert!(sum.get("createdAt").is_none() && sum.get("properties").is_none());
        let full = trim_schema(&s);
        assert_eq!(full["properties"].as_array().unwrap().len(), 2);
        assert_eq!(full["hiddenPropertiesOmitted"], 1);
        assert_eq!(
            full["properties"][1]["options"],
            json!([{"value": "new", "label": "New"}, {"value": "used", "label": "Used"}])
        );
        assert_eq!(
            full["associations"][0],
            json!({"id": "105", "name": "car_to_contact", "fromObjectTypeId": "2-3508482",
                   "toObjectTypeId": "0-1", "to": "contacts"})
        );
        assert!(full.get("metaType").is_none());
    }

    #[test]
    fn args_are_strict() {
        assert!(parse_args::<NoArgs>(json!({})).is_ok());
        assert!(parse_args::<NoArgs>(json!({"x": 1})).is_err());
        assert!(parse_args::<GetArgs>(json!({"objectType": "2-1"})).is_ok());
        assert!(parse_args::<GetArgs>(json!({})).is_err());
        assert_eq!(standard_name("0-3"), Some("deals"));
        assert_eq!(standard_name("2-3"), None);
    }
}
