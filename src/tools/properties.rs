//! Properties family: list properties (trimmed to what a model needs), read one in full, create, update
//! and archive properties, list and create property groups.
//!
//! Reads go through the metadata cache (`props:{type}`, `props:{type}:{name}`, `prop-groups:{type}`);
//! every successful write invalidates what it changed (and the cached schemas, for custom objects, whose
//! schemas embed their properties).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::change::{Change, Effect};
#[cfg(test)]
use super::common::object_type_schema;
use super::common::{object_type, render_list, render_one, PROPERTY_NAME};
use super::plan;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::{paths, Kind, Method};

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(ListProperties),
        Box::new(GetProperty),
        Box::new(CreateProperty),
        Box::new(UpdateProperty),
        Box::new(ArchiveProperty),
        Box::new(ListPropertyGroups),
        Box::new(CreatePropertyGroup),
    ]
}

/// Characters of a property's description kept in lists.
const DESCRIPTION_CHARS: usize = 200;
/// Options shown per enumeration property in lists (`hubspot_get_property` shows all).
const OPTIONS_SHOWN: usize = 50;
/// Most options accepted for one property.
const MAX_OPTIONS: usize = 5_000;
/// Longest property or group name accepted.
const MAX_NAME: usize = 100;

/// HubSpot's property data types.
const TYPES: [&str; 6] = [
    "string",
    "number",
    "date",
    "datetime",
    "enumeration",
    "bool",
];

/// The `fieldType`s HubSpot documents for a data `type` (empty for an unknown type).
fn field_types_for(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" => &["text", "textarea", "phonenumber", "html", "file"],
        "number" => &["number"],
        "date" | "datetime" => &["date"],
        "enumeration" => &["select", "radio", "checkbox", "booleancheckbox"],
        "bool" => &["booleancheckbox"],
        _ => &[],
    }
}

/// Every fieldType of [`field_types_for`] over [`TYPES`], once each (the schema's enum).
#[cfg(test)]
fn all_field_types() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    for ft in TYPES.iter().flat_map(|t| field_types_for(t)) {
        if !all.contains(ft) {
            all.push(ft);
        }
    }
    all
}

/// `s` cut to `max` characters, with `…` when something was cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// A HubSpot property trimmed for a model: name, label, type, fieldType, groupName, a short description,
/// the options of enumerations (values only when labels equal values; at most [`OPTIONS_SHOWN`]), and the
/// flags that matter only when set (hasUniqueValue, calculated, readOnly, hidden, externalOptions).
fn trim_property(p: &Value) -> Value {
    let mut m = Map::new();
    for k in ["name", "label", "type", "fieldType", "groupName"] {
        if let Some(v) = p.get(k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    if let Some(d) = p
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        m.insert("description".into(), cut(d, DESCRIPTION_CHARS).into());
    }
    if p["type"] == "enumeration" {
        let opts: &[Value] = p["options"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let plain = opts.iter().all(|o| o["label"] == o["value"]);
        let shown: Vec<Value> = opts
            .iter()
            .take(OPTIONS_SHOWN)
            .map(|o| {
                if plain {
                    o["value"].clone()
                } else {
                    json!({"value": o["value"], "label": o["label"]})
                }
            })
            .collect();
        if !shown.is_empty() {
            m.insert("options".into(), Value::Array(shown));
        }
        if opts.len() > OPTIONS_SHOWN {
            m.insert(
                "optionsNote".into(),
                format!(
                    "{OPTIONS_SHOWN} of {} options shown; hubspot_get_property lists them all",
                    opts.len()
                )
                .into(),
            );
        }
    }
    if let Some(r) = p.get("referencedObjectType").and_then(Value::as_str) {
        m.insert("referencedObjectType".into(), r.into());
    }
    let flag = |v: &Value| v == &Value::Bool(true);
    for k in ["hasUniqueValue", "calculated", "externalOptions", "hidden"] {
        if flag(&p[k]) {
            m.insert(k.into(), true.into());
        }
    }
    if flag(&p["modificationMetadata"]["readOnlyValue"]) {
        m.insert("readOnly".into(), true.into());
    }
    Value::Object(m)
}

/// Which properties a list keeps.
#[derive(Debug, Default)]
pub(crate) struct PropertyFilter<'a> {
    /// Only this group.
    group_name: Option<&'a str>,
    /// Keep hidden properties.
    include_hidden: bool,
    /// Case-insensitive substring of the name or the label.
    query: Option<&'a str>,
}

/// Filters and trims `list`; also returns how many hidden properties were left out.
pub(crate) fn select_properties(list: &[Value], f: &PropertyFilter<'_>) -> (Vec<Value>, usize) {
    let q = f.query.map(str::to_lowercase);
    let mut hidden = 0;
    let mut out = Vec::new();
    for p in list {
        if p["archived"] == Value::Bool(true) {
            continue;
        }
        if f.group_name
            .is_some_and(|g| p["groupName"].as_str() != Some(g))
        {
            continue;
        }
        if let Some(q) = &q {
            let hit = |k: &str| p[k].as_str().is_some_and(|s| s.to_lowercase().contains(q));
            if !hit("name") && !hit("label") {
                continue;
            }
        }
        if p["hidden"] == Value::Bool(true) && !f.include_hidden {
            hidden += 1;
            continue;
        }
        out.push(trim_property(p));
    }
    (out, hidden)
}

/// Checks a property or group name being created: lowercase letters, digits and underscores, starting
/// with a letter, at most [`MAX_NAME`] characters.
fn check_new_name(what: &str, name: &str) -> Result<(), ToolError> {
    let ok = (1..=MAX_NAME).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ToolError::InvalidArguments(format!(
            "{what} {name:?} is not valid: use lowercase letters, digits and underscores, starting with a \
             letter, at most {MAX_NAME} characters (e.g. \"contract_end_date\")"
        )))
    }
}

fn check_text(what: &str, s: &str, max: usize) -> Result<(), ToolError> {
    if s.trim().is_empty() || s.chars().count() > max {
        return Err(ToolError::InvalidArguments(format!(
            "{what} must be 1-{max} characters"
        )));
    }
    Ok(())
}

/// Drops cached property metadata of `ty` after a successful write.
fn invalidate_props(cx: &ToolContext<'_>, ty: &str) {
    cx.invalidate(&format!("props:{ty}"));
    if !super::common::STANDARD_TYPES
        .iter()
        .any(|(name, _)| *name == ty)
    {
        // Custom object schemas embed their properties: `schemas` and `schema:{type}`.
        cx.invalidate("schema");
    }
}

/// Sends a property definition (create or update) of `ty`, drops the cached metadata it changes, and
/// reports the property HubSpot returns under `summary` (trimmed in the text, whole in
/// `structuredContent`).
fn write_property(
    cx: &mut ToolContext<'_>,
    method: Method,
    path: &str,
    body: &Value,
    ty: &str,
    summary: &str,
) -> Result<ToolOutput, ToolError> {
    let prop = cx.send(method, path, &[], Some(body), Kind::Write)?;
    invalidate_props(cx, ty);
    let text = render_one(summary, &trim_property(&prop), cx.services().text_limit);
    Ok(ToolOutput {
        text,
        structured: Some(Structured::Value(prop)),
    })
}

#[cfg(test)]
fn option_schema() -> Value {
    json!({"type": "array", "maxItems": MAX_OPTIONS, "items": {"type": "object", "properties": {
        "label": {"type": "string"},
        "value": {"type": "string", "description": "Stored in records."},
        "displayOrder": {"type": "integer"},
        "hidden": {"type": "boolean"}
    }, "required": ["label", "value"]}})
}

/// `hubspot_list_properties`.
struct ListProperties;

/// The arguments of [`ListProperties`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ListArgs {
    object_type: String,
    group_name: Option<String>,
    #[serde(default)]
    include_hidden: bool,
    query: Option<String>,
}

impl TypedTool for ListProperties {
    type Args = ListArgs;

    const NAME: &'static str = "hubspot_list_properties";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Lists an object type's properties: name, label, type, fieldType, group, options. Use before writing or searching records, for exact names and option values (records hold values, not labels).",
            family: Family::Properties,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "groupName": {"type": "string"},
                "includeHidden": {"type": "boolean"},
                "query": {"type": "string", "description": "Part of the name or label, any case."}
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: ListArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        if let Some(g) = &a.group_name {
            check_text("groupName", g, MAX_NAME)?;
        }
        if let Some(q) = &a.query {
            check_text("query", q, 100)?;
        }
        let all = cx.cached_get(
            &format!("props:{ty}"),
            &paths::properties(&ty),
            &[("archived", "false".into())],
        )?;
        let list: &[Value] = all["results"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let filter = PropertyFilter {
            group_name: a.group_name.as_deref(),
            include_hidden: a.include_hidden,
            query: a.query.as_deref().map(str::trim),
        };
        let (results, hidden) = select_properties(list, &filter);
        let mut summary = format!("{} {ty} properties", results.len());
        if a.group_name.is_some() || a.query.is_some() {
            summary.push_str(&format!(" matching the filters (of {} in all)", list.len()));
        }
        summary.push('.');
        if hidden > 0 {
            summary.push_str(&format!(
                " {hidden} hidden ones left out (includeHidden=true shows them)."
            ));
        }
        summary.push_str(" Set enumeration properties to an option's value.");
        let text = render_list(&summary, &results, cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(json!({
                "objectType": ty, "count": results.len(), "hiddenOmitted": hidden, "results": results
            }))),
        })
    }
}

/// `hubspot_get_property`.
struct GetProperty;

/// The arguments of [`GetProperty`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GetArgs {
    object_type: String,
    name: String,
}

impl TypedTool for GetProperty {
    type Args = GetArgs;

    const NAME: &'static str = "hubspot_get_property";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Reads one property in full: every option, description, group, flags. Use when hubspot_list_properties cut it, or before updating options.",
            family: Family::Properties,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "name": PROPERTY_NAME.schema("Internal name (e.g. lifecyclestage).")
            }, "required": ["objectType", "name"]}),
        }
    }

    fn run(&self, a: GetArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let name = PROPERTY_NAME.check("name", &a.name)?;
        // The cached list holds every property in full: use it when it is there.
        let listed = cx
            .services()
            .cache
            .get(&format!("props:{ty}"), std::time::Instant::now())
            .and_then(|all| {
                all["results"]
                    .as_array()
                    .and_then(|r| r.iter().find(|p| p["name"] == name).cloned())
            });
        let prop = match listed {
            Some(p) => p,
            None => cx
                .cached_get(
                    &format!("props:{ty}:{name}"),
                    &paths::property(&ty, &name),
                    &[],
                )?
                .as_ref()
                .clone(),
        };
        let text = render_one(
            &format!("Property {name} of {ty}."),
            &prop,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(prop)),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OptionArg {
    label: String,
    value: String,
    display_order: Option<i32>,
    hidden: Option<bool>,
}

/// Checks options and builds HubSpot's option list (every option gets `displayOrder` and `hidden`).
fn options_body(opts: &[OptionArg]) -> Result<Value, ToolError> {
    if opts.len() > MAX_OPTIONS {
        return Err(ToolError::InvalidArguments(format!(
            "{} options given; at most {MAX_OPTIONS} are accepted",
            opts.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(opts.len());
    for (i, o) in opts.iter().enumerate() {
        check_text(&format!("options[{i}].label"), &o.label, 255)?;
        check_text(&format!("options[{i}].value"), &o.value, 255)?;
        if !seen.insert(o.value.as_str()) {
            return Err(ToolError::InvalidArguments(format!(
                "options[{i}].value {:?} is repeated; option values must be unique",
                o.value
            )));
        }
        let order = o
            .display_order
            .unwrap_or_else(|| i32::try_from(i).unwrap_or(i32::MAX));
        out.push(json!({
            "label": o.label, "value": o.value, "displayOrder": order, "hidden": o.hidden.unwrap_or(false)
        }));
    }
    Ok(Value::Array(out))
}

/// `hubspot_create_property`.
struct CreateProperty;

/// The arguments of [`CreateProperty`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateArgs {
    object_type: String,
    name: String,
    label: String,
    r#type: String,
    field_type: String,
    group_name: String,
    description: Option<String>,
    #[serde(default)]
    options: Vec<OptionArg>,
    has_unique_value: Option<bool>,
}

/// Checks a create request against HubSpot's documented type / fieldType rules; returns the lowercased
/// `(type, fieldType)`.
fn check_create(a: &CreateArgs) -> Result<(String, String), ToolError> {
    let bad = |m: String| Err(ToolError::InvalidArguments(m));
    check_new_name("name", &a.name)?;
    check_text("label", &a.label, 255)?;
    check_text("groupName", &a.group_name, MAX_NAME)?;
    let ty = a.r#type.trim().to_ascii_lowercase();
    let ft = a.field_type.trim().to_ascii_lowercase();
    if !TYPES.contains(&ty.as_str()) {
        return bad(format!(
            "type {:?} is not one of {}",
            a.r#type,
            TYPES.join(", ")
        ));
    }
    let allowed = field_types_for(&ty);
    if !allowed.contains(&ft.as_str()) {
        return bad(format!(
            "fieldType {:?} does not go with type {ty}; use {}",
            a.field_type,
            allowed.join(" or ")
        ));
    }
    match ty.as_str() {
        "enumeration" if a.options.is_empty() => {
            return bad(
                "type enumeration needs options: [{label, value}, ...] (the values records store)"
                    .into(),
            )
        }
        "enumeration" | "bool" => {}
        _ if !a.options.is_empty() => {
            return bad(format!(
                "options apply only to enumeration (and bool) properties, not to type {ty}"
            ))
        }
        _ => {}
    }
    if a.has_unique_value == Some(true)
        && !matches!(
            (ty.as_str(), ft.as_str()),
            ("string", "text") | ("number", "number")
        )
    {
        return bad("hasUniqueValue is available only for single-line text (string/text) and number (number/number) properties".into());
    }
    Ok((ty, ft))
}

impl TypedTool for CreateProperty {
    type Args = CreateArgs;

    const NAME: &'static str = "hubspot_create_property";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Creates a custom property on an object type; only when hubspot_list_properties has none that fits. type → fieldType: string → text, textarea, phonenumber, html, file; number → number; date/datetime → date; enumeration (with options) → select, radio, checkbox, booleancheckbox; bool → booleancheckbox. groupName: from hubspot_list_property_groups.",
            family: Family::Properties,
            annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "Permanent."},
                "label": {"type": "string"},
                "type": {"type": "string", "enum": TYPES},
                "fieldType": {"type": "string", "enum": all_field_types()},
                "groupName": {"type": "string"},
                "description": {"type": "string"},
                "options": option_schema(),
                "hasUniqueValue": {"type": "boolean", "description": "Require unique values (string/text or number only; permanent)."}
            }, "required": ["objectType", "name", "label", "type", "fieldType", "groupName"]}),
        }
    }

    fn run(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, body) = create_body(&a)?;
        write_property(
            cx,
            Method::Post,
            &paths::properties(&ty),
            &Value::Object(body),
            &ty,
            &format!("Created property {} on {ty}.", a.name),
        )
    }

    fn plan(&self, a: CreateArgs, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, body) = create_body(&a)?;
        Ok(Some(definition_change(&ty, &a.name, None, &body)))
    }
}

/// Checks a create and builds HubSpot's definition of the property: `(object type, body)`.
fn create_body(a: &CreateArgs) -> Result<(String, Map<String, Value>), ToolError> {
    let ty = object_type(&a.object_type)?;
    let (data_type, field_type) = check_create(a)?;
    let mut body = Map::new();
    body.insert("name".into(), a.name.clone().into());
    body.insert("label".into(), a.label.trim().into());
    body.insert("type".into(), data_type.into());
    body.insert("fieldType".into(), field_type.into());
    body.insert("groupName".into(), a.group_name.trim().into());
    if let Some(d) = &a.description {
        body.insert("description".into(), d.clone().into());
    }
    if !a.options.is_empty() {
        body.insert("options".into(), options_body(&a.options)?);
    }
    if let Some(u) = a.has_unique_value {
        body.insert("hasUniqueValue".into(), u.into());
    }
    Ok((ty, body))
}

/// A schema change of `name` (a property or a group of `ty`): each field of `body` with what the
/// definition `now` holds (`None`: a new definition).
fn definition_change(
    ty: &str,
    name: &str,
    now: Option<&Value>,
    body: &Map<String, Value>,
) -> Change {
    let mut change = Change::new(Effect::Schema, ty, 1);
    change.fields = plan::changes(Some(name), now, body);
    change.ids.push(name.to_string());
    change
}

/// `hubspot_update_property`.
struct UpdateProperty;

/// The arguments of [`UpdateProperty`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateArgs {
    object_type: String,
    name: String,
    label: Option<String>,
    description: Option<String>,
    group_name: Option<String>,
    options: Option<Vec<OptionArg>>,
    hidden: Option<bool>,
}

/// Checks an update and builds what it sends: `(object type, property name, changed fields)`.
fn update_body(a: &UpdateArgs) -> Result<(String, String, Map<String, Value>), ToolError> {
    let ty = object_type(&a.object_type)?;
    let name = PROPERTY_NAME.check("name", &a.name)?;
    let mut body = Map::new();
    if let Some(l) = &a.label {
        check_text("label", l, 255)?;
        body.insert("label".into(), l.trim().into());
    }
    if let Some(d) = &a.description {
        body.insert("description".into(), d.clone().into());
    }
    if let Some(g) = &a.group_name {
        check_text("groupName", g, MAX_NAME)?;
        body.insert("groupName".into(), g.trim().into());
    }
    if let Some(o) = &a.options {
        if o.is_empty() {
            return Err(ToolError::InvalidArguments(
                "options must list at least one option: it replaces the property's whole option list".into(),
            ));
        }
        body.insert("options".into(), options_body(o)?);
    }
    if let Some(h) = a.hidden {
        body.insert("hidden".into(), h.into());
    }
    if body.is_empty() {
        return Err(ToolError::InvalidArguments(
            "nothing to change: give label, description, groupName, options or hidden".into(),
        ));
    }
    Ok((ty, name, body))
}

impl TypedTool for UpdateProperty {
    type Args = UpdateArgs;

    const NAME: &'static str = "hubspot_update_property";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Changes a property's label, description, group, options or hidden flag. options REPLACES the whole list: send the current ones (hubspot_get_property) plus the new. Renaming a value does not rewrite records. HubSpot-defined properties allow few changes.",
            family: Family::Properties,
            annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "name": PROPERTY_NAME.schema(""),
                "label": {"type": "string"},
                "description": {"type": "string", "description": "Empty clears it."},
                "groupName": {"type": "string"},
                "options": option_schema(),
                "hidden": {"type": "boolean"}
            }, "required": ["objectType", "name"]}),
        }
    }

    fn run(&self, a: UpdateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, name, body) = update_body(&a)?;
        write_property(
            cx,
            Method::Patch,
            &paths::property(&ty, &name),
            &Value::Object(body),
            &ty,
            &format!("Updated property {name} of {ty}."),
        )
    }

    /// Reads the definition as HubSpot holds it now (not the cache: it may be older).
    fn plan(&self, a: UpdateArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, name, body) = update_body(&a)?;
        let now = cx.get(&paths::property(&ty, &name), &[])?;
        Ok(Some(definition_change(&ty, &name, Some(&now), &body)))
    }
}

/// `hubspot_archive_property`.
struct ArchiveProperty;

/// The arguments of [`ArchiveProperty`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ArchiveArgs {
    object_type: String,
    name: String,
}

impl TypedTool for ArchiveProperty {
    type Args = ArchiveArgs;

    const NAME: &'static str = "hubspot_archive_property";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Archives (deletes) a custom property: its values leave records, views, reports and forms; workflows using it may break. An admin can restore it. Confirm with the user first.",
            family: Family::Properties,
            annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "name": PROPERTY_NAME.schema("")
            }, "required": ["objectType", "name"]}),
        }
    }

    fn run(&self, a: ArchiveArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, name) = check_archive(&a)?;
        cx.send(
            Method::Delete,
            &paths::property(&ty, &name),
            &[],
            None,
            Kind::Write,
        )?;
        invalidate_props(cx, &ty);
        Ok(ToolOutput {
            text: format!("Archived property {name} of {ty}."),
            structured: None,
        })
    }

    /// Reads the definition, so the person sees which property goes (and what kind of values with it).
    fn plan(&self, a: ArchiveArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, name) = check_archive(&a)?;
        let now = cx.get(&paths::property(&ty, &name), &[])?;
        let mut change = Change::new(Effect::Schema, &ty, 1);
        let shown = ["label", "type", "fieldType", "groupName"].map(String::from);
        change.fields = plan::removals(&name, Some(&now), &shown);
        change.detail = Some(format!(
            "Archive property {name} of {ty}: its values disappear from every {ty} record."
        ));
        change.ids.push(name);
        Ok(Some(change))
    }
}

/// Checks an archive's arguments before any call: `(object type, property name)`.
fn check_archive(a: &ArchiveArgs) -> Result<(String, String), ToolError> {
    Ok((
        object_type(&a.object_type)?,
        PROPERTY_NAME.check("name", &a.name)?,
    ))
}

/// A property group trimmed: name, label, displayOrder.
fn trim_group(g: &Value) -> Value {
    json!({"name": g["name"], "label": g["label"], "displayOrder": g["displayOrder"]})
}

/// `hubspot_list_property_groups`.
struct ListPropertyGroups;

/// The arguments of [`ListPropertyGroups`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GroupsArgs {
    object_type: String,
}

impl TypedTool for ListPropertyGroups {
    type Args = GroupsArgs;

    const NAME: &'static str = "hubspot_list_property_groups";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Lists an object type's property groups (name, label), for groupName in property tools.",
            family: Family::Properties,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema()
            }, "required": ["objectType"]}),
        }
    }

    fn run(&self, a: GroupsArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let all = cx.cached_get(
            &format!("prop-groups:{ty}"),
            &paths::property_groups(&ty),
            &[],
        )?;
        let results: Vec<Value> = all["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|g| g["archived"] != Value::Bool(true))
            .map(trim_group)
            .collect();
        let text = render_list(
            &format!("{} property groups of {ty}.", results.len()),
            &results,
            cx.services().text_limit,
        );
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(
                json!({"objectType": ty, "results": results}),
            )),
        })
    }
}

/// `hubspot_create_property_group`.
struct CreatePropertyGroup;

/// The arguments of [`CreatePropertyGroup`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateGroupArgs {
    object_type: String,
    name: String,
    label: String,
    display_order: Option<i32>,
}

impl TypedTool for CreatePropertyGroup {
    type Args = CreateGroupArgs;

    const NAME: &'static str = "hubspot_create_property_group";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Creates a property group (a section of properties) on an object type, when hubspot_list_property_groups has none that fits.",
            family: Family::Properties,
            annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "label": {"type": "string"},
                "displayOrder": {"type": "integer", "description": "Lowest first; -1: last."}
            }, "required": ["objectType", "name", "label"]}),
        }
    }

    fn run(&self, a: CreateGroupArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, body) = group_body(&a)?;
        let group = cx.send(
            Method::Post,
            &paths::property_groups(&ty),
            &[],
            Some(&Value::Object(body)),
            Kind::Write,
        )?;
        cx.invalidate(&format!("prop-groups:{ty}"));
        let trimmed = trim_group(&group);
        Ok(ToolOutput {
            text: render_one(
                &format!("Created property group {} on {ty}.", a.name),
                &trimmed,
                cx.services().text_limit,
            ),
            structured: Some(Structured::Value(group)),
        })
    }

    fn plan(
        &self,
        a: CreateGroupArgs,
        _cx: &mut ToolContext<'_>,
    ) -> Result<Option<Change>, ToolError> {
        let (ty, body) = group_body(&a)?;
        let mut change = definition_change(&ty, &a.name, None, &body);
        change.detail = Some(format!("A new property group {} of {ty}.", a.name));
        Ok(Some(change))
    }
}

/// Checks a group and builds HubSpot's definition of it: `(object type, body)`.
fn group_body(a: &CreateGroupArgs) -> Result<(String, Map<String, Value>), ToolError> {
    let ty = object_type(&a.object_type)?;
    check_new_name("name", &a.name)?;
    check_text("label", &a.label, 255)?;
    let mut body = Map::new();
    body.insert("name".into(), a.name.clone().into());
    body.insert("label".into(), a.label.trim().into());
    if let Some(o) = a.display_order {
        body.insert("displayOrder".into(), o.into());
    }
    Ok((ty, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::parse_args;

    fn sample() -> Value {
        let many: Vec<Value> = (0..60)
            .map(|i| json!({"label": format!("Country {i}"), "value": format!("c{i}"), "displayOrder": i, "hidden": false}))
            .collect();
        json!({"results": [
            {"name": "email", "label": "Email", "type": "string", "fieldType": "text", "groupName": "contactinformation",
             "description": "A contact's email address", "options": [], "hidden": false, "hasUniqueValue": false,
             "displayOrder": -1, "formField": true, "calculated": false, "externalOptions": false, "hubspotDefined": true,
             "modificationMetadata": {"archivable": false, "readOnlyDefinition": true, "readOnlyValue": false},
             "createdAt": "2019-08-06T02:41:52.177Z", "updatedAt": "2024-01-01T00:00:00Z"},
            {"name": "lifecyclestage", "label": "Lifecycle Stage", "type": "enumeration", "fieldType": "radio",
             "groupName": "contactinformation", "description": "The qualification of contacts to sales readiness. ".repeat(10),
             "options": [{"label": "Subscriber", "value": "subscriber", "displayOrder": 0, "hidden": false},
                         {"label": "Lead", "value": "lead", "displayOrder": 1, "hidden": false}],
             "hidden": false, "calculated": false, "externalOptions": false,
             "modificationMetadata": {"archivable": false, "readOnlyDefinition": true, "readOnlyValue": false}},
            {"name": "yes_no", "label": "Yes/No", "type": "enumeration", "fieldType": "select", "groupName": "custom",
             "description": "", "options": [{"label": "a", "value": "a", "hidden": false}, {"label": "b", "value": "b", "hidden": false}]},
            {"name": "country_pick", "label": "Country pick", "type": "enumeration", "fieldType": "select",
             "groupName": "custom", "description": "", "options": many},
            {"name": "hs_object_id", "label": "Record ID", "type": "number", "fieldType": "number",
             "groupName": "contactinformation", "description": "", "options": [], "hidden": false, "calculated": true,
             "hasUniqueValue": true, "modificationMetadata": {"archivable": false, "readOnlyDefinition": true, "readOnlyValue": true}},
            {"name": "hs_secret_thing", "label": "Secret", "type": "string", "fieldType": "text",
             "groupName": "contactinformation", "description": "", "options": [], "hidden": true},
            {"name": "hubspot_owner_id", "label": "Contact owner", "type": "enumeration", "fieldType": "select",
             "groupName": "sales_properties", "description": "", "options": [], "externalOptions": true,
             "referencedObjectType": "OWNER"}
        ]})
    }

    #[test]
    fn properties_are_trimmed() {
        let s = sample();
        let list = s["results"].as_array().unwrap();
        let email = trim_property(&list[0]);
        assert_eq!(
            email,
            json!({"name": "email", "label": "Email", "type": "string", "fieldType": "text",
                   "groupName": "contactinformation", "description": "A contact's email address"})
        );
        let stage = trim_property(&list[1]);
        assert_eq!(
            stage["options"],
            json!([{"value": "subscriber", "label": "Subscriber"}, {"value": "lead", "label": "Lead"}])
        );
        assert!(stage["description"].as_str().unwrap().ends_with('…'));
        assert_eq!(
            stage["description"].as_str().unwrap().chars().count(),
            DESCRIPTION_CHARS + 1
        );
        assert_eq!(
            trim_property(&list[2])["options"],
            json!(["a", "b"]),
            "plain values"
        );
        let many = trim_property(&list[3]);
        assert_eq!(many["options"].as_array().unwrap().len(), OPTIONS_SHOWN);
        assert!(many["optionsNote"].as_str().unwrap().contains("of 60"));
        let id = trim_property(&list[4]);
        assert_eq!(id["calculated"], true);
        assert_eq!(id["readOnly"], true);
        assert_eq!(id["hasUniqueValue"], true);
        let owner = trim_property(&list[6]);
        assert_eq!(owner["externalOptions"], true);
        assert_eq!(owner["referencedObjectType"], "OWNER");
        assert!(owner.get("options").is_none());
    }

    #[test]
    fn properties_are_filtered() {
        let s = sample();
        let list = s["results"].as_array().unwrap();
        let (all, hidden) = select_properties(list, &PropertyFilter::default());
        assert_eq!((all.len(), hidden), (6, 1));
        let (with_hidden, h) = select_properties(
            list,
            &PropertyFilter {
                include_hidden: true,
                ..Default::default()
            },
        );
        assert_eq!((with_hidden.len(), h), (7, 0));
        assert_eq!(with_hidden[5]["hidden"], true);
        let (q, _) = select_properties(
            list,
            &PropertyFilter {
                query: Some("LIFECYCLE"),
                ..Default::default()
            },
        );
        assert_eq!(q.len(), 1);
        let (by_label, _) = select_properties(
            list,
            &PropertyFilter {
                query: Some("record id"),
                ..Default::default()
            },
        );
        assert_eq!(by_label[0]["name"], "hs_object_id");
        let (g, _) = select_properties(
            list,
            &PropertyFilter {
                group_name: Some("custom"),
                ..Default::default()
            },
        );
        assert_eq!(g.len(), 2);
    }

    fn create(v: Value) -> Result<(String, String), ToolError> {
        let mut v = v;
        v["objectType"] = "contacts".into();
        v["label"] = "A label".into();
        v["groupName"] = "contactinformation".into();
        check_create(&parse_args::<CreateArgs>(v)?)
    }

    #[test]
    fn create_is_checked_locally() {
        assert_eq!(
            create(json!({"name": "nick_name", "type": "string", "fieldType": "text"})).unwrap(),
            ("string".into(), "text".into())
        );
        assert!(create(json!({"name": "Nick", "type": "string", "fieldType": "text"})).is_err());
        assert!(create(json!({"name": "1st", "type": "string", "fieldType": "text"})).is_err());
        assert!(create(json!({"name": "a-b", "type": "string", "fieldType": "text"})).is_err());
        assert!(create(json!({"name": "x", "type": "text", "fieldType": "text"})).is_err());
        assert!(create(json!({"name": "x", "type": "bool", "fieldType": "checkbox"})).is_err());
        assert!(
            create(json!({"name": "x", "type": "bool", "fieldType": "booleancheckbox"})).is_ok()
        );
        assert!(
            create(json!({"name": "x", "type": "enumeration", "fieldType": "select"})).is_err(),
            "enumeration needs options"
        );
        assert!(create(
            json!({"name": "x", "type": "enumeration", "fieldType": "select",
                              "options": [{"label": "A", "value": "a"}]})
        )
        .is_ok());
        assert!(
            create(json!({"name": "x", "type": "number", "fieldType": "number",
                              "options": [{"label": "A", "value": "a"}]}))
            .is_err()
        );
        assert!(create(json!({"name": "x", "type": "date", "fieldType": "text"})).is_err());
        assert!(create(json!({"name": "x", "type": "datetime", "fieldType": "date"})).is_ok());
        assert!(create(
            json!({"name": "x", "type": "string", "fieldType": "textarea", "hasUniqueValue": true})
        )
        .is_err());
        assert!(create(
            json!({"name": "x", "type": "number", "fieldType": "number", "hasUniqueValue": true})
        )
        .is_ok());
        assert!(
            create(json!({"name": "x", "type": "string", "fieldType": "text", "bogus": 1}))
                .is_err()
        );
        assert!(create(json!({"name": "x", "type": "STRING", "fieldType": "Text"})).is_ok());
    }

    #[test]
    fn options_and_updates_are_checked() {
        let opts: Vec<OptionArg> =
            serde_json::from_value(json!([{"label": "A", "value": "a"}, {"label": "B", "value": "b", "hidden": true, "displayOrder": 7}]))
                .unwrap();
        assert_eq!(
            options_body(&opts).unwrap(),
            json!([{"label": "A", "value": "a", "displayOrder": 0, "hidden": false},
                   {"label": "B", "value": "b", "displayOrder": 7, "hidden": true}])
        );
        let dup: Vec<OptionArg> = serde_json::from_value(
            json!([{"label": "A", "value": "a"}, {"label": "B", "value": "a"}]),
        )
        .unwrap();
        assert!(options_body(&dup).is_err());
        let upd = |v: Value| update_body(&parse_args::<UpdateArgs>(v)?).map(|(_, _, b)| b);
        assert!(
            upd(json!({"objectType": "deals", "name": "x"})).is_err(),
            "nothing to change"
        );
        assert!(upd(json!({"objectType": "deals", "name": "x", "options": []})).is_err());
        assert_eq!(
            upd(json!({"objectType": "deals", "name": "x", "label": " New ", "hidden": true}))
                .unwrap(),
            *json!({"label": "New", "hidden": true}).as_object().unwrap()
        );
        assert!(parse_args::<CreateGroupArgs>(
            json!({"objectType": "deals", "name": "g", "label": "G", "x": 1})
        )
        .is_err());
        assert!(check_new_name("name", "my_group_2").is_ok());
        assert!(check_new_name("name", &"a".repeat(101)).is_err());
        assert_eq!(cut("héllo", 3), "hél…");
        assert_eq!(cut("hé", 3), "hé");
    }
}
