//! Batch family: read, create, update, upsert and archive up to 100 records of one object type in one
//! HubSpot call.
//!
//! Every input is checked before HubSpot is called (more than 100 inputs, empty or duplicate ids, bad
//! association targets are refused with [`ToolError::InvalidArguments`]). HubSpot answers a batch that
//! partly failed with 207 and an `errors` list; such an answer is a result, reported truthfully (what
//! succeeded, what failed and why), not a tool error.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{json, Map, Value};

#[cfg(test)]
use super::associations::new_associations_schema;
use super::associations::{targets_detail, CheckedAssociation, NewAssociation};
use super::change::{Change, Effect, FieldChange};
use super::common::{
    check_max, id_property, key_kind, object_type, render_list, trim_record, IdKind, PROPERTY_NAME,
    RECORD_ID,
};
#[cfg(test)]
use super::common::{
    id_property_schema, id_schema, object_type_schema, properties_schema, values_schema,
};
use super::plan;
#[cfg(test)]
use super::untrusted::fenced_note;
use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{Tool, ToolContext, ToolError, ToolOutput, TypedTool};
use crate::hubspot::{paths, Kind, Method};

/// HubSpot's limit of inputs per batch call.
pub(crate) const BATCH_MAX: usize = 100;

/// Errors listed in a result's text (all of them are in `structuredContent`).
const TEXT_ERRORS: usize = 10;
/// Ids listed per line of a result's text.
const TEXT_IDS: usize = 10;

/// The family's tools.
pub(crate) fn tools() -> Vec<Box<dyn Tool>> {
    vec![
        Box::new(BatchRead),
        Box::new(BatchCreate),
        Box::new(BatchUpdate),
        Box::new(BatchUpsert),
        Box::new(BatchArchive),
    ]
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers (also used by the associations family's batch tool).

/// An id HubSpot sent as a string or a number, as a string.
pub(crate) fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Refuses an empty list or one over HubSpot's batch limit, before any call.
pub(crate) fn check_count(what: &str, n: usize) -> Result<(), ToolError> {
    if n == 0 {
        return Err(ToolError::InvalidArguments(format!(
            "{what} must hold at least one item (at most {BATCH_MAX})"
        )));
    }
    check_max(what, n, BATCH_MAX)
}

/// Checks a list of ids: 1-100, each of `kind` (`name(i)` names the i-th in messages).
/// Duplicates are dropped (`dedupe`) or refused.
fn check_ids(
    what: &str,
    name: impl Fn(usize) -> String,
    ids: &[String],
    kind: &IdKind,
    dedupe: bool,
) -> Result<Vec<String>, ToolError> {
    check_count(what, ids.len())?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(ids.len());
    let mut dups: Vec<String> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let id = kind.check(&name(i), id)?;
        if seen.insert(id.clone()) {
            out.push(id);
        } else if !dups.contains(&id) {
            dups.push(id);
        }
    }
    if !dups.is_empty() && !dedupe {
        return Err(ToolError::InvalidArguments(format!(
            "{what} lists these ids more than once: {}. HubSpot refuses duplicate ids in one batch; \
             merge their properties into one input each",
            dups.join(", ")
        )));
    }
    Ok(out)
}

/// HubSpot's `errors` of a batch answer, summarized: category, message and the ids concerned.
pub(crate) fn error_summaries(resp: &Value) -> Vec<Value> {
    resp.get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            let ids: Vec<Value> = e
                .pointer("/context/ids")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|id| Value::String(id_string(id)))
                .collect();
            json!({
                "category": e.get("category").and_then(Value::as_str).unwrap_or("UNKNOWN"),
                "message": e.get("message").and_then(Value::as_str).unwrap_or(""),
                "ids": ids,
            })
        })
        .collect()
}

/// HubSpot's batch `status` (COMPLETE, PENDING, ...), or COMPLETE for an empty (204) answer.
pub(crate) fn batch_status(resp: &Value) -> String {
    resp.get("status")
        .and_then(Value::as_str)
        .unwrap_or("COMPLETE")
        .to_string()
}

/// Cuts `s` to at most `n` bytes on a character boundary, marking the cut.
fn cap(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut cut = n;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &s[..cut])
}

/// A short list of ids for text: the first few, then how many more.
pub(crate) fn ids_text(ids: &[Value]) -> String {
    let shown: Vec<String> = ids
        .iter()
        .take(TEXT_IDS)
        .map(|i| cap(&id_string(i), 100))
        .collect();
    let mut t = shown.join(", ");
    if ids.len() > TEXT_IDS {
        t.push_str(&format!(" and {} more", ids.len() - TEXT_IDS));
    }
    t
}

/// The text of a batch result: the headline, the errors (at most ten, shortened), then one line per
/// item, all within `limit` characters with truthful truncation notices.
pub(crate) fn batch_text(
    headline: &str,
    errors: &[Value],
    items: &[Value],
    limit: usize,
) -> String {
    let mut summary = headline.to_string();
    if !errors.is_empty() {
        summary.push_str(&format!("\nErrors ({}):", errors.len()));
        for e in errors.iter().take(TEXT_ERRORS) {
            let ids = e["ids"].as_array().map(Vec::as_slice).unwrap_or_default();
            summary.push_str(&format!(
                "\n- {}: {}",
                e["category"].as_str().unwrap_or("UNKNOWN"),
                cap(e["message"].as_str().unwrap_or(""), 300)
            ));
            if !ids.is_empty() {
                summary.push_str(&format!(" [ids: {}]", ids_text(ids)));
            }
        }
        if errors.len() > TEXT_ERRORS {
            summary.push_str(&format!(
                "\n- … {} more errors, all in structuredContent.",
                errors.len() - TEXT_ERRORS
            ));
        }
    }
    let room = limit.saturating_sub(300).max(100);
    if summary.len() > room {
        summary = format!(
            "{}\n[Error list truncated to stay within {limit} characters; every error is in structuredContent.]",
            cap(&summary, room)
        );
    }
    render_list(&summary, items, limit)
}

/// Schema of a list of 1-100 ids.
#[cfg(test)]
fn ids_schema(item: Value) -> Value {
    json!({"type": "array", "minItems": 1, "maxItems": BATCH_MAX, "items": item})
}

/// A finished batch write or read as a tool result.
fn batch_result(
    headline: String,
    requested: usize,
    resp: &Value,
    results: Vec<Value>,
    not_found: Option<Vec<Value>>,
    limit: usize,
) -> ToolOutput {
    let errors = error_summaries(resp);
    let text = batch_text(&headline, &errors, &results, limit);
    let mut data = json!({
        "status": batch_status(resp),
        "requested": requested,
        "count": results.len(),
        "results": results,
        "errors": errors,
    });
    if let Some(nf) = not_found {
        data["notFound"] = Value::Array(nf);
    }
    ToolOutput {
        text,
        structured: Some(Structured::Value(data)),
    }
}

/// The part of a headline that reports failures: how many, and that `refused` (what became of the
/// inputs concerned).
fn failure_note(resp: &Value, refused: &str) -> String {
    let n = resp
        .get("errors")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    match n {
        0 => String::new(),
        n => format!(" {n} error(s): the batch partly failed; {refused}."),
    }
}

/// What becomes of record inputs HubSpot refused, in a headline.
const NOT_APPLIED: &str = "the inputs below under Errors were not applied";

/// Sends one HubSpot batch call (`body`, its `inputs` and any options, to `path`; HubSpot's batch
/// endpoints all take POST, named at each call so that the path contract sees the method) and returns
/// HubSpot's answer with its `results`, each shaped by `shape`.
fn send_batch(
    cx: &ToolContext<'_>,
    method: Method,
    path: &str,
    body: &Value,
    kind: Kind,
    shape: impl FnMut(&Value) -> Value,
) -> Result<(Value, Vec<Value>), ToolError> {
    let resp = cx.send(method, path, &[], Some(body), kind)?;
    let results = resp
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(shape)
        .collect();
    Ok((resp, results))
}

/// One batch write (create, update or upsert records, associate pairs), from call to result: sends
/// `inputs` to `path` (see [`send_batch`]), shapes each result HubSpot returns with `shape`, and reports
/// them under a headline of `done(results)` (what was done, e.g. `Created 3 of 4 deals`), HubSpot's
/// status and, when HubSpot refused some inputs, how many and that `refused` (see [`failure_note`]). A
/// batch that partly failed is a result, not a tool error.
pub(crate) fn batch_write(
    cx: &ToolContext<'_>,
    method: Method,
    path: &str,
    inputs: Vec<Value>,
    shape: impl FnMut(&Value) -> Value,
    done: impl FnOnce(&[Value]) -> String,
    refused: &str,
) -> Result<ToolOutput, ToolError> {
    let requested = inputs.len();
    let body = json!({ "inputs": inputs });
    let (resp, results) = send_batch(cx, method, path, &body, Kind::Write, shape)?;
    let headline = format!(
        "{} (status {}).{}",
        done(&results),
        batch_status(&resp),
        failure_note(&resp, refused)
    );
    Ok(batch_result(
        headline,
        requested,
        &resp,
        results,
        None,
        cx.services().text_limit,
    ))
}

/// One batch read (`Kind::Read`) of the records `ids` of `ty` (record ids, or with `id_property` that
/// property's values) with `properties`: HubSpot's answer and its records, trimmed.
pub(crate) fn read_batch(
    cx: &mut ToolContext<'_>,
    ty: &str,
    ids: &[String],
    id_property: Option<&str>,
    properties: &[String],
    for_model: bool,
) -> Result<(Value, Vec<Value>), ToolError> {
    let inputs: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
    let mut body = json!({"inputs": inputs, "properties": properties, "propertiesWithHistory": []});
    if let Some(p) = id_property {
        body["idProperty"] = p.into();
    }
    send_batch(
        cx,
        Method::Post,
        &paths::batch(ty, "read"),
        &body,
        Kind::Read,
        // For the model: trimmed, CRM text fenced. For a plan: the values as HubSpot holds them (what the
        // person approves and the audit line records are values, not fences).
        |r| {
            if for_model {
                trim_record(cx, ty, r)
            } else {
                r.clone()
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_batch_read`.
struct BatchRead;

/// The arguments of [`BatchRead`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ReadArgs {
    object_type: String,
    ids: Vec<String>,
    id_property: Option<String>,
    #[serde(default)]
    properties: Vec<String>,
}

impl TypedTool for BatchRead {
    type Args = ReadArgs;

    const NAME: &'static str = "hubspot_batch_read";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: concat!("Reads records of one type by id or idProperty; use instead of repeated hubspot_get_record. Lists the ids not found.", fenced_note!()),
            family: Family::Batch,
            annotations: Annotations::READ,
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "ids": ids_schema(id_schema()),
                "idProperty": id_property_schema(),
                "properties": properties_schema()
            }, "required": ["objectType", "ids"]}),
        }
    }

    fn run(&self, a: ReadArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let ty = object_type(&a.object_type)?;
        let id_property = id_property(a.id_property.as_deref())?;
        let kind = key_kind(id_property.as_deref());
        let ids = check_ids("ids", |i| format!("ids[{i}]"), &a.ids, kind, true)?;
        let (resp, results) =
            read_batch(cx, &ty, &ids, id_property.as_deref(), &a.properties, true)?;
        let not_found: Vec<Value> = resp
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|e| e["category"] == "OBJECT_NOT_FOUND")
            .flat_map(|e| {
                e.pointer("/context/ids")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|id| Value::String(id_string(&id)))
            .collect();
        let mut headline = format!(
            "Found {} of {} requested {ty} (status {}).",
            results.len(),
            ids.len(),
            batch_status(&resp)
        );
        if !not_found.is_empty() {
            headline.push_str(&format!(
                " Not found ({}): {}.",
                not_found.len(),
                ids_text(&not_found)
            ));
        }
        Ok(batch_result(
            headline,
            ids.len(),
            &resp,
            results,
            Some(not_found),
            cx.services().text_limit,
        ))
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_batch_create`.
struct BatchCreate;

/// The arguments of [`BatchCreate`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateArgs {
    object_type: String,
    inputs: Vec<CreateInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateInput {
    properties: Map<String, Value>,
    #[serde(default)]
    associations: Vec<NewAssociation>,
}

/// Checks a create's object type and every input's associations before any call.
fn check_create(a: &CreateArgs) -> Result<(String, Vec<Vec<CheckedAssociation>>), ToolError> {
    let ty = object_type(&a.object_type)?;
    check_count("inputs", a.inputs.len())?;
    let mut out = Vec::with_capacity(a.inputs.len());
    for (i, input) in a.inputs.iter().enumerate() {
        let what = format!("inputs[{i}].associations");
        check_max(&what, input.associations.len(), BATCH_MAX)?;
        let assocs = input
            .associations
            .iter()
            .enumerate()
            .map(|(j, x)| x.check(&format!("{what}[{j}]")))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(assocs);
    }
    Ok((ty, out))
}

impl TypedTool for BatchCreate {
    type Args = CreateArgs;

    const NAME: &'static str = "hubspot_batch_create";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Creates records of one type. Search first, or use hubspot_batch_upsert, to avoid duplicates. Some may fail: the result lists what was created and each error.",
            family: Family::Batch,
            annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "inputs": {"type": "array", "minItems": 1, "maxItems": BATCH_MAX,
                           "items": {"type": "object", "properties": {
                    "properties": values_schema(false),
                    "associations": new_associations_schema()
                }, "required": ["properties"]}}
            }, "required": ["objectType", "inputs"]}),
        }
    }

    fn run(&self, a: CreateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, checked) = check_create(&a)?;
        let requested = a.inputs.len();
        let mut inputs = Vec::with_capacity(requested);
        for (input, assocs) in a.inputs.into_iter().zip(checked) {
            let mut o = json!({"properties": input.properties});
            if !assocs.is_empty() {
                let mut list = Vec::with_capacity(assocs.len());
                for x in assocs {
                    list.push(x.body(cx, &ty)?);
                }
                o["associations"] = Value::Array(list);
            }
            inputs.push(o);
        }
        batch_write(
            cx,
            Method::Post,
            &paths::batch(&ty, "create"),
            inputs,
            |r| trim_record(cx, &ty, r),
            |r| format!("Created {} of {requested} {ty}", r.len()),
            NOT_APPLIED,
        )
    }

    fn plan(&self, a: CreateArgs, _cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, checked) = check_create(&a)?;
        let mut change = Change::new(Effect::Create, &ty, a.inputs.len());
        let mut linked = Vec::new();
        for (i, (input, assocs)) in a.inputs.iter().zip(&checked).enumerate() {
            change
                .fields
                .extend(plan::changes(None, None, &input.properties));
            if let Some(d) = targets_detail(assocs) {
                linked.push(format!("record {}: {d}", i + 1));
            }
        }
        change.detail = (!linked.is_empty()).then(|| linked.join(" "));
        Ok(Some(change))
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_batch_update`.
struct BatchUpdate;

/// The arguments of [`BatchUpdate`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateArgs {
    object_type: String,
    inputs: Vec<IdInput>,
    id_property: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct IdInput {
    id: String,
    properties: Map<String, Value>,
}

/// Checks id-keyed inputs (update, upsert): 1-100, ids valid and distinct, properties given when required.
fn check_id_inputs(
    inputs: &[IdInput],
    kind: &IdKind,
    need_properties: bool,
) -> Result<Vec<String>, ToolError> {
    let ids: Vec<String> = inputs.iter().map(|i| i.id.clone()).collect();
    let ids = check_ids("inputs", |i| format!("inputs[{i}].id"), &ids, kind, false)?;
    if need_properties {
        if let Some(i) = inputs.iter().position(|i| i.properties.is_empty()) {
            return Err(ToolError::InvalidArguments(format!(
                "inputs[{i}].properties must name at least one property"
            )));
        }
    }
    Ok(ids)
}

/// Checks an update's arguments before any call: `(type, idProperty, distinct keys)`.
fn check_update(a: &UpdateArgs) -> Result<(String, Option<String>, Vec<String>), ToolError> {
    let ty = object_type(&a.object_type)?;
    let id_property = id_property(a.id_property.as_deref())?;
    let ids = check_id_inputs(&a.inputs, key_kind(id_property.as_deref()), true)?;
    Ok((ty, id_property, ids))
}

/// Checks an upsert's arguments before any call: `(type, idProperty, distinct keys)`.
fn check_upsert(a: &UpsertArgs) -> Result<(String, String, Vec<String>), ToolError> {
    let ty = object_type(&a.object_type)?;
    let id_property = PROPERTY_NAME.check("idProperty", &a.id_property)?;
    let ids = check_id_inputs(&a.inputs, key_kind(Some(&id_property)), false)?;
    Ok((ty, id_property, ids))
}

impl TypedTool for BatchUpdate {
    type Args = UpdateArgs;

    const NAME: &'static str = "hubspot_batch_update";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Updates records of one type by id or idProperty, each id once; only the given properties change. Lists the records as stored and each refusal.",
            family: Family::Batch,
            annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "inputs": {"type": "array", "minItems": 1, "maxItems": BATCH_MAX,
                           "items": {"type": "object", "properties": {
                    "id": id_schema(),
                    "properties": values_schema(true)
                }, "required": ["id", "properties"]}},
                "idProperty": id_property_schema()
            }, "required": ["objectType", "inputs"]}),
        }
    }

    fn run(&self, a: UpdateArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, id_property, ids) = check_update(&a)?;
        let requested = a.inputs.len();
        let inputs: Vec<Value> = a
            .inputs
            .into_iter()
            .zip(ids)
            .map(|(i, id)| {
                let mut o = json!({"id": id, "properties": i.properties});
                if let Some(p) = &id_property {
                    o["idProperty"] = p.clone().into();
                }
                o
            })
            .collect();
        batch_write(
            cx,
            Method::Post,
            &paths::batch(&ty, "update"),
            inputs,
            |r| trim_record(cx, &ty, r),
            |r| format!("Updated {} of {requested} {ty}", r.len()),
            NOT_APPLIED,
        )
    }

    /// One batch read of the values the inputs set, by `idProperty` when given (so the change names
    /// real record ids).
    fn plan(&self, a: UpdateArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, id_property, ids) = check_update(&a)?;
        let now = read_now(cx, &ty, &a.inputs, &ids, id_property.as_deref())?;
        let mut change = Change::new(Effect::Update, &ty, a.inputs.len());
        let missing: Vec<Value> = plan_found(&mut change, &a.inputs, &ids, now)
            .into_iter()
            .map(|(_, key)| Value::String(key.clone()))
            .collect();
        if !missing.is_empty() {
            change.detail = Some(format!(
                "HubSpot has no {ty} record for {}: those inputs will fail.",
                ids_text(&missing)
            ));
        }
        Ok(Some(change))
    }
}

/// Adds to `change` each input whose record HubSpot holds (`now`, from [`read_now`]): its real id and
/// its values before and after. Returns the others, with their keys.
fn plan_found<'a>(
    change: &mut Change,
    inputs: &'a [IdInput],
    ids: &'a [String],
    now: Vec<Option<Value>>,
) -> Vec<(&'a IdInput, &'a String)> {
    let mut missing = Vec::new();
    for (input, (key, rec)) in inputs.iter().zip(ids.iter().zip(now)) {
        match rec.as_ref().and_then(|r| Some((plan::record_id(r)?, r))) {
            Some((id, r)) => {
                change
                    .fields
                    .extend(plan::changes(Some(&id), plan::values(r), &input.properties));
                change.ids.push(id);
            }
            None => missing.push((input, key)),
        }
    }
    missing
}

/// What HubSpot holds now for id-keyed inputs (update, upsert), in one batch read of every property
/// they set (and `id_property`, to match records to inputs): each input's record, `None` when HubSpot
/// has none.
fn read_now(
    cx: &mut ToolContext<'_>,
    ty: &str,
    inputs: &[IdInput],
    ids: &[String],
    id_property: Option<&str>,
) -> Result<Vec<Option<Value>>, ToolError> {
    let mut names: Vec<String> = Vec::new();
    for n in inputs
        .iter()
        .flat_map(|i| i.properties.keys())
        .chain(id_property.map(str::to_string).as_ref())
    {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    let (_, records) = read_batch(cx, ty, ids, id_property, &names, false)?;
    let found = plan::by_key(&records, id_property);
    Ok(ids
        .iter()
        .map(|k| {
            found
                .get(&plan::match_key(k, id_property))
                .map(|r| (*r).clone())
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_batch_upsert`.
struct BatchUpsert;

/// The arguments of [`BatchUpsert`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpsertArgs {
    object_type: String,
    id_property: String,
    inputs: Vec<IdInput>,
}

impl TypedTool for BatchUpsert {
    type Args = UpsertArgs;

    const NAME: &'static str = "hubspot_batch_upsert";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Creates or updates records of one type by idProperty, each value once: a match is updated, else created. The result marks each new or updated and lists refusals.",
            family: Family::Batch,
            annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "idProperty": id_property_schema(),
                "inputs": {"type": "array", "minItems": 1, "maxItems": BATCH_MAX,
                           "items": {"type": "object", "properties": {
                    "id": id_schema(),
                    "properties": values_schema(false)
                }, "required": ["id", "properties"]}}
            }, "required": ["objectType", "idProperty", "inputs"]}),
        }
    }

    fn run(&self, a: UpsertArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, id_property, ids) = check_upsert(&a)?;
        let requested = a.inputs.len();
        let inputs: Vec<Value> = a
            .inputs
            .into_iter()
            .zip(ids)
            .map(|(i, id)| json!({"id": id, "idProperty": id_property, "properties": i.properties}))
            .collect();
        let with_new = |r: &Value| {
            let mut t = trim_record(cx, &ty, r);
            if let (Some(n), Some(m)) = (r.get("new"), t.as_object_mut()) {
                m.insert("new".into(), n.clone());
            }
            t
        };
        batch_write(
            cx,
            Method::Post,
            &paths::batch(&ty, "upsert"),
            inputs,
            with_new,
            |r| {
                let created = r.iter().filter(|r| r["new"] == true).count();
                format!(
                    "Upserted {} of {requested} {ty} by {id_property}: {created} created, {} updated",
                    r.len(),
                    r.len() - created
                )
            },
            NOT_APPLIED,
        )
    }

    /// One batch read by `idProperty`: found records show their values before and after; the others
    /// will be created with the values asked for.
    fn plan(&self, a: UpsertArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, id_property, ids) = check_upsert(&a)?;
        let now = read_now(cx, &ty, &a.inputs, &ids, Some(&id_property))?;
        let mut change = Change::new(Effect::Update, &ty, a.inputs.len());
        // Keys HubSpot does not hold become new records.
        change.may_create = true;
        let mut new = Vec::new();
        for (input, key) in plan_found(&mut change, &a.inputs, &ids, now) {
            change.fields.push(FieldChange {
                id: None,
                property: id_property.clone(),
                before: None,
                after: Some(key.clone().into()),
            });
            change
                .fields
                .extend(plan::changes(None, None, &input.properties));
            new.push(Value::String(key.clone()));
        }
        change.detail = Some(format!(
            "Matched by {id_property}: {} found and updated; records not found will be created ({}{}).",
            change.ids.len(),
            new.len(),
            if new.is_empty() {
                String::new()
            } else {
                format!(": {}", ids_text(&new))
            }
        ));
        Ok(Some(change))
    }
}

// ---------------------------------------------------------------------------------------------------

/// `hubspot_batch_archive`.
struct BatchArchive;

/// The arguments of [`BatchArchive`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ArchiveArgs {
    object_type: String,
    ids: Vec<String>,
}

impl TypedTool for BatchArchive {
    type Args = ArchiveArgs;

    const NAME: &'static str = "hubspot_batch_archive";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Archives (deletes) records of one type by id, restorable for 90 days. Unknown ids are not reported. Confirm with the user first.",
            family: Family::Batch,
            annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
            input_schema: schema_json!({"type": "object", "properties": {
                "objectType": object_type_schema(),
                "ids": ids_schema(RECORD_ID.schema(""))
            }, "required": ["objectType", "ids"]}),
        }
    }

    fn run(&self, a: ArchiveArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        let (ty, ids) = check_archive(&a)?;
        let inputs: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
        let body = json!({ "inputs": inputs });
        let (resp, _) = send_batch(
            cx,
            Method::Post,
            &paths::batch(&ty, "archive"),
            &body,
            Kind::Write,
            |r| trim_record(cx, &ty, r),
        )?;
        let errors = error_summaries(&resp);
        let id_values: Vec<Value> = ids.iter().map(|i| Value::String(i.clone())).collect();
        let headline = if errors.is_empty() {
            format!(
                "HubSpot accepted the archive of {} {ty}: {}. (HubSpot does not say which ids did not exist.)",
                ids.len(),
                ids_text(&id_values)
            )
        } else {
            format!(
                "HubSpot answered the archive of {} {ty} with {} error(s); the ids under Errors were not archived.",
                ids.len(),
                errors.len()
            )
        };
        let text = batch_text(&headline, &errors, &[], cx.services().text_limit);
        Ok(ToolOutput {
            text,
            structured: Some(Structured::Value(json!({
                "status": batch_status(&resp),
                "requested": ids.len(),
                "ids": id_values,
                "errors": errors,
            }))),
        })
    }

    /// One batch read of the records' identifying properties, so the person sees what goes.
    fn plan(&self, a: ArchiveArgs, cx: &mut ToolContext<'_>) -> Result<Option<Change>, ToolError> {
        let (ty, ids) = check_archive(&a)?;
        let names = plan::identifying(&ty);
        let (_, records) = read_batch(cx, &ty, &ids, None, &names, false)?;
        let found = plan::by_key(&records, None);
        let mut change = Change::new(Effect::Archive, &ty, ids.len());
        let mut missing = Vec::new();
        for id in &ids {
            match found.get(id) {
                Some(r) => change
                    .fields
                    .extend(plan::removals(id, plan::values(r), &names)),
                None => missing.push(Value::String(id.clone())),
            }
        }
        if !missing.is_empty() {
            change.detail = Some(format!(
                "HubSpot has no {ty} record {}: archiving those changes nothing.",
                ids_text(&missing)
            ));
        }
        change.ids = ids;
        Ok(Some(change))
    }
}

/// Checks an archive's arguments before any call: `(type, distinct record ids)`.
fn check_archive(a: &ArchiveArgs) -> Result<(String, Vec<String>), ToolError> {
    let ty = object_type(&a.object_type)?;
    let ids = check_ids("ids", |i| format!("ids[{i}]"), &a.ids, &RECORD_ID, true)?;
    Ok((ty, ids))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::tools::{CancelToken, Services};

    /// Calls a tool with no HubSpot client: arguments that pass every check end in `NotConfigured`
    /// (the point where HubSpot would be called), bad ones in `InvalidArguments`.
    pub(crate) fn call(tool: &dyn Tool, args: Value) -> Result<ToolOutput, ToolError> {
        let services = Services::offline();
        let cancel = CancelToken::new();
        let mut cx = ToolContext::new(
            None,
            &cancel,
            Instant::now() + Duration::from_secs(10),
            &services,
        );
        tool.call(args, &mut cx)
    }

    pub(crate) fn invalid(r: Result<ToolOutput, ToolError>) -> String {
        match r {
            Err(ToolError::InvalidArguments(m)) => m,
            other => format!("NOT INVALID: {other:?}"),
        }
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| i.to_string()).collect()
    }

    #[test]
    fn read_checks_ids_before_calling() {
        let ok = call(
            &BatchRead,
            json!({"objectType": "contact", "ids": ids(100)}),
        );
        assert_eq!(ok, Err(ToolError::NotConfigured));
        let m = invalid(call(
            &BatchRead,
            json!({"objectType": "contacts", "ids": ids(101)}),
        ));
        assert!(m.contains("101 given") && m.contains("100"), "{m}");
        assert!(invalid(call(
            &BatchRead,
            json!({"objectType": "contacts", "ids": []})
        ))
        .contains("at least one"));
        assert!(invalid(call(
            &BatchRead,
            json!({"objectType": "contacts", "ids": ["1", " "]})
        ))
        .contains("ids[1]"));
        assert!(invalid(call(&BatchRead, json!({"objectType": "contacts"}))).contains("ids"));
        assert!(invalid(call(
            &BatchRead,
            json!({"objectType": "contacts", "ids": ["1"], "bogus": 1})
        ))
        .contains("bogus"));
        assert!(
            !invalid(call(&BatchRead, json!({"objectType": "a/b", "ids": ["1"]})))
                .starts_with("NOT")
        );
        // Duplicates are harmless for a read: dropped.
        assert_eq!(
            call(
                &BatchRead,
                json!({"objectType": "contacts", "ids": ["1", "1"], "idProperty": "email"})
            ),
            Err(ToolError::NotConfigured)
        );
    }

    #[test]
    fn create_checks_inputs_and_associations_before_calling() {
        let one = json!({"properties": {"email": "a@b.c"}});
        assert_eq!(
            call(
                &BatchCreate,
                json!({"objectType": "contacts", "inputs": vec![one.clone(); 100]})
            ),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &BatchCreate,
            json!({"objectType": "contacts", "inputs": vec![one.clone(); 101]})
        ))
        .contains("101 given"));
        assert!(invalid(call(
            &BatchCreate,
            json!({"objectType": "contacts", "inputs": []})
        ))
        .contains("at least one"));
        assert!(invalid(call(
            &BatchCreate,
            json!({"objectType": "contacts", "inputs": [{}]})
        ))
        .contains("properties"));
        assert!(invalid(call(
            &BatchCreate,
            json!({"objectType": "contacts", "inputs": [{"properties": {}, "extra": 1}]})
        ))
        .contains("extra"));
        let assoc = |a: Value| json!({"objectType": "deals", "inputs": [{"properties": {}, "associations": [a]}]});
        assert_eq!(
            call(
                &BatchCreate,
                assoc(json!({"toObjectType": "company", "toId": "9", "associationTypeId": 5}))
            ),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &BatchCreate,
            assoc(json!({"toObjectType": "x y", "toId": "9"}))
        ))
        .contains("toObjectType"));
        assert!(invalid(call(
            &BatchCreate,
            assoc(json!({"toObjectType": "companies", "toId": ""}))
        ))
        .contains("toId"));
        assert!(invalid(call(
            &BatchCreate,
            assoc(json!({"toObjectType": "companies", "toId": "9", "category": "USER_DEFINED"}))
        ))
        .contains("only with associationTypeId"));
        assert!(invalid(call(&BatchCreate, assoc(json!({"toObjectType": "companies", "toId": "9", "associationTypeId": 5, "category": "MINE"})))).contains("category"));
        let many = json!({"objectType": "deals", "inputs": [{"properties": {},
            "associations": vec![json!({"toObjectType": "companies", "toId": "9", "associationTypeId": 5}); 101]}]});
        assert!(invalid(call(&BatchCreate, many)).contains("inputs[0].associations"));
    }

    #[test]
    fn update_and_upsert_check_before_calling() {
        let input = |id: &str| json!({"id": id, "properties": {"firstname": "A"}});
        let inputs: Vec<Value> = (0..100).map(|i| input(&i.to_string())).collect();
        assert_eq!(
            call(
                &BatchUpdate,
                json!({"objectType": "contacts", "inputs": inputs})
            ),
            Err(ToolError::NotConfigured)
        );
        let over: Vec<Value> = (0..101).map(|i| input(&i.to_string())).collect();
        assert!(invalid(call(
            &BatchUpdate,
            json!({"objectType": "contacts", "inputs": over.clone()})
        ))
        .contains("101 given"));
        assert!(invalid(call(
            &BatchUpsert,
            json!({"objectType": "contacts", "idProperty": "email", "inputs": over})
        ))
        .contains("101 given"));
        assert!(invalid(call(
            &BatchUpdate,
            json!({"objectType": "contacts", "inputs": [input("1"), input("1")]})
        ))
        .contains("more than once"));
        assert!(invalid(call(
            &BatchUpdate,
            json!({"objectType": "contacts", "inputs": [{"id": "1", "properties": {}}]})
        ))
        .contains("at least one property"));
        assert!(invalid(call(
            &BatchUpdate,
            json!({"objectType": "contacts", "inputs": [{"id": "1"}]})
        ))
        .contains("properties"));
        assert!(invalid(call(
            &BatchUpdate,
            json!({"objectType": "contacts", "inputs": [input("1")], "idProperty": ""})
        ))
        .contains("idProperty"));
        assert!(invalid(call(
            &BatchUpsert,
            json!({"objectType": "contacts", "inputs": [input("a@b.c")]})
        ))
        .contains("idProperty"));
        assert!(invalid(call(&BatchUpsert, json!({"objectType": "contacts", "idProperty": "email", "inputs": [input("a"), input("a")]}))).contains("more than once"));
        assert!(invalid(call(
            &BatchUpdate,
            json!({"objectType": "contacts", "inputs": [input("1"), input(" ")]})
        ))
        .contains("inputs[1].id"));
        assert_eq!(
            call(
                &BatchUpsert,
                json!({"objectType": "contacts", "idProperty": "email", "inputs": [{"id": "a@b.c", "properties": {}}]})
            ),
            Err(ToolError::NotConfigured)
        );
    }

    #[test]
    fn archive_checks_before_calling() {
        assert_eq!(
            call(
                &BatchArchive,
                json!({"objectType": "deals", "ids": ids(100)})
            ),
            Err(ToolError::NotConfigured)
        );
        assert!(invalid(call(
            &BatchArchive,
            json!({"objectType": "deals", "ids": ids(101)})
        ))
        .contains("101 given"));
        assert!(invalid(call(
            &BatchArchive,
            json!({"objectType": "deals", "ids": ids(1), "idProperty": "x"})
        ))
        .contains("idProperty"));
    }

    /// One request the mock HubSpot received: method, path with query, JSON body (Null when none).
    pub(crate) type Seen = (String, String, Value);

    /// Runs `f` against a mock HubSpot on 127.0.0.1 that answers `answers` (status, body; 204 sends no
    /// body) in order, and returns `f`'s result with the requests it received, followed by one
    /// `("PROGRESS", message, [progress, total])` entry per progress report.
    pub(crate) fn with_hubspot<R>(
        answers: Vec<(u16, Value)>,
        f: impl FnOnce(&mut ToolContext<'_>) -> R,
    ) -> (R, Vec<Seen>) {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind a mock HubSpot");
        let addr = server.server_addr().to_string();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for (status, body) in answers {
                let Ok(Some(mut req)) = server.recv_timeout(Duration::from_secs(5)) else {
                    break;
                };
                let mut raw = String::new();
                let _ = req.as_reader().read_to_string(&mut raw);
                let parsed = serde_json::from_str(&raw).unwrap_or(Value::Null);
                seen.push((req.method().to_string(), req.url().to_string(), parsed));
                let text = if status == 204 {
                    String::new()
                } else {
                    body.to_string()
                };
                let resp = tiny_http::Response::from_string(text).with_status_code(status);
                let _ = req.respond(resp);
            }
            seen
        });
        let client = crate::hubspot::Client::new(crate::hubspot::Settings {
            base_url: format!("http://{addr}"),
            token: crate::obs::redact::Secret::new("test-token".into()),
            rate: 1000,
            search_rate: 100,
            connect_timeout: Duration::from_secs(2),
            call_timeout: Duration::from_secs(5),
            pool: 2,
            max_retries: 0,
            extra_ca_pem: None,
            shared_budget: None,
            masking: None,
        })
        .expect("client");
        let mut services = Services::offline();
        services.hubspot = Some(std::sync::Arc::new(client));
        let cancel = CancelToken::new();
        let mut reports: Vec<Seen> = Vec::new();
        let mut record = |p: f64, total: Option<f64>, m: Option<&str>| {
            reports.push(("PROGRESS".into(), m.unwrap_or("").into(), json!([p, total])));
            true
        };
        let mut cx = ToolContext::new(
            Some(&mut record),
            &cancel,
            Instant::now() + Duration::from_secs(10),
            &services,
        );
        let r = f(&mut cx);
        let mut seen = handle.join().expect("mock HubSpot thread");
        seen.extend(reports);
        (r, seen)
    }

    #[test]
    fn read_sends_hubspots_shape_and_reports_missing_ids() {
        let answer = json!({"status": "COMPLETE", "numErrors": 1,
            "results": [{"id": "11", "properties": {"email": "a@b.c", "firstname": null}, "archived": false}],
            "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some CONTACT objects",
                        "context": {"ids": ["x@y.z"]}}]});
        let (out, seen) = with_hubspot(vec![(207, answer)], |cx| {
            BatchRead.call(
                json!({"objectType": "contact", "ids": ["a@b.c", "x@y.z", "a@b.c"], "idProperty": "email",
                       "properties": ["email"]}),
                cx,
            )
        });
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].0, "POST");
        assert_eq!(seen[0].1, "/crm/v3/objects/contacts/batch/read");
        assert_eq!(
            seen[0].2,
            json!({"inputs": [{"id": "a@b.c"}, {"id": "x@y.z"}], "properties": ["email"],
                   "propertiesWithHistory": [], "idProperty": "email"})
        );
        let out = match out {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        let s = out
            .structured
            .map(Structured::into_value)
            .unwrap_or_default();
        assert_eq!(s["notFound"], json!(["x@y.z"]));
        assert_eq!(s["count"], 1);
        assert!(
            out.text.starts_with(
                "Found 1 of 2 requested contacts (status COMPLETE). Not found (1): x@y.z."
            ),
            "{}",
            out.text
        );
    }

    #[test]
    fn writes_send_hubspots_shapes() {
        let (out, seen) = with_hubspot(
            vec![
                (
                    200,
                    json!({"results": [{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": null},
                                         {"category": "USER_DEFINED", "typeId": 9, "label": "Main"}]}),
                ),
                (
                    201,
                    json!({"status": "COMPLETE", "results": [{"id": "1", "properties": {"dealname": "A"}}]}),
                ),
            ],
            |cx| {
                BatchCreate.call(
                    json!({"objectType": "deal", "inputs": [{"properties": {"dealname": "A"},
                           "associations": [{"toObjectType": "company", "toId": "7"},
                                            {"toObjectType": "company", "toId": "8", "associationTypeId": 9}]}]}),
                    cx,
                )
            },
        );
        assert!(out.is_ok(), "{out:?}");
        assert_eq!(seen[0].1, "/crm/v4/associations/deals/companies/labels");
        assert_eq!(seen[1].1, "/crm/v3/objects/deals/batch/create");
        assert_eq!(
            seen[1].2,
            json!({"inputs": [{"properties": {"dealname": "A"}, "associations": [
                {"to": {"id": "7"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]},
                {"to": {"id": "8"}, "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": 9}]}]}]})
        );

        let (out, seen) = with_hubspot(
            vec![(
                200,
                json!({"status": "COMPLETE", "results": [{"id": "1", "new": true, "properties": {}},
                                                                {"id": "2", "new": false, "properties": {}}]}),
            )],
            |cx| {
                BatchUpsert.call(
                    json!({"objectType": "contacts", "idProperty": "email",
                           "inputs": [{"id": "a@b.c", "properties": {"firstname": "A"}}, {"id": "d@e.f", "properties": {}}]}),
                    cx,
                )
            },
        );
        assert_eq!(seen[0].1, "/crm/v3/objects/contacts/batch/upsert");
        assert_eq!(
            seen[0].2["inputs"][0],
            json!({"id": "a@b.c", "idProperty": "email", "properties": {"firstname": "A"}})
        );
        let text = out.map(|o| o.text).unwrap_or_default();
        assert!(text.contains("1 created, 1 updated"), "{text}");

        let (out, seen) = with_hubspot(
            vec![(
                207,
                json!({"status": "COMPLETE", "results": [{"id": "1", "properties": {"x": "1"}}],
                              "errors": [{"category": "VALIDATION_ERROR", "message": "Property values were not valid",
                                          "context": {"ids": ["2"]}}]}),
            )],
            |cx| {
                BatchUpdate.call(
                    json!({"objectType": "contacts", "inputs": [{"id": "1", "properties": {"x": "1"}},
                                                                {"id": "2", "properties": {"x": "bad"}}]}),
                    cx,
                )
            },
        );
        assert_eq!(seen[0].1, "/crm/v3/objects/contacts/batch/update");
        assert_eq!(
            seen[0].2["inputs"][1],
            json!({"id": "2", "properties": {"x": "bad"}})
        );
        let out = out.unwrap_or_else(|e| ToolOutput {
            text: e.to_string(),
            structured: None,
        });
        assert!(
            out.text.starts_with("Updated 1 of 2 contacts") && out.text.contains("partly failed"),
            "{}",
            out.text
        );
        assert_eq!(
            out.structured
                .map(Structured::into_value)
                .unwrap_or_default()["errors"][0]["ids"],
            json!(["2"])
        );

        let (out, seen) = with_hubspot(vec![(204, Value::Null)], |cx| {
            BatchArchive.call(json!({"objectType": "tickets", "ids": ["5", "6"]}), cx)
        });
        assert_eq!(
            (seen[0].0.as_str(), seen[0].1.as_str()),
            ("POST", "/crm/v3/objects/tickets/batch/archive")
        );
        assert_eq!(seen[0].2, json!({"inputs": [{"id": "5"}, {"id": "6"}]}));
        assert_eq!(
            out.ok()
                .and_then(|o| o.structured)
                .map(Structured::into_value)
                .unwrap_or_default()["ids"],
            json!(["5", "6"])
        );
    }

    #[test]
    fn partial_failures_are_reported_truthfully() {
        let resp = json!({"status": "COMPLETE", "numErrors": 1,
            "results": [{"id": "1", "properties": {"email": "a@b.c", "phone": null}}],
            "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND",
                        "message": "Could not get some CONTACT objects, they may be deleted or not exist.",
                        "context": {"ids": ["2", 3]}}]});
        let out = batch_result(
            "Found 1 of 3 requested contacts.".into(),
            3,
            &resp,
            vec![crate::tools::common::tests::with_cx(|cx| {
                trim_record(cx, "contacts", &resp["results"][0])
            })],
            None,
            20_000,
        );
        let s = out
            .structured
            .map(Structured::into_value)
            .unwrap_or_default();
        assert_eq!(s["count"], 1);
        assert_eq!(s["requested"], 3);
        assert_eq!(s["errors"][0]["ids"], json!(["2", "3"]));
        assert_eq!(
            s["results"][0],
            json!({"id": "1", "properties": {"email": "a@b.c"}})
        );
        assert!(out.text.contains("OBJECT_NOT_FOUND") && out.text.contains("[ids: 2, 3]"));
        assert!(failure_note(&resp, NOT_APPLIED).contains("1 error"));
        assert!(failure_note(&json!({"results": []}), NOT_APPLIED).is_empty());
        assert_eq!(batch_status(&Value::Null), "COMPLETE");
    }

    #[test]
    fn text_stays_within_the_limit() {
        let errors: Vec<Value> = (0..50)
            .map(|i| json!({"category": "VALIDATION_ERROR", "message": "x".repeat(1000), "ids": ids(100), "n": i}))
            .collect();
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "pad": "y".repeat(100)}))
            .collect();
        let t = batch_text("Headline.", &errors, &items, 2000);
        assert!(t.len() <= 2600, "{}", t.len());
        assert!(t.contains("truncated") || t.contains("Truncated"));
        let t = batch_text("Headline.", &errors[..2], &[], 20_000);
        assert!(t.contains("and 90 more") && t.contains("Errors (2)"));
    }
}
