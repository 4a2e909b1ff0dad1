//! The v3 batch endpoints of the objects API: read, create, update, upsert and archive (at most 100
//! inputs; 207 with `errors` on partial failure). Batch read treats a record the caller does not see
//! (`visibility`) as a missing one.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::api::objects::{check_lead, check_targets, object_body, parse_assoc_inputs, scalar};
use crate::api::{batch_body, Ctx, Reply};
use crate::errors::ApiError;
use crate::store::PropSel;
use crate::types::Obj;

/// Most inputs in one batch request.
pub(crate) const MAX_BATCH: usize = 100;

/// The `inputs` array of a batch body, at most 100 long.
pub(crate) fn batch_inputs(body: &Value) -> Result<&[Value], ApiError> {
    let inputs = body
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_input("Missing required creator property 'inputs'"))?;
    if inputs.len() > MAX_BATCH {
        return Err(ApiError::validation(format!(
            "The maximum number of inputs supported in a batch request is {MAX_BATCH}. Please reduce the \
             number of items and try again"
        )));
    }
    Ok(inputs)
}

fn duplicates(ids: &[String]) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    match ids.iter().find(|id| !seen.insert(id.to_ascii_lowercase())) {
        Some(dup) => Err(ApiError::validation(format!(
            "Duplicate IDs found in batch input: [{dup}]"
        ))),
        None => Ok(()),
    }
}

fn not_found_error(obj: Obj, ids: Vec<String>) -> Vec<Value> {
    if ids.is_empty() {
        return Vec::new();
    }
    vec![json!({
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": format!(
            "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.",
            obj.upper()
        ),
        "context": { "ids": ids },
        "errors": [],
        "links": {},
    })]
}

fn status_for(errors: &[Value], ok: u16) -> u16 {
    if errors.is_empty() {
        ok
    } else {
        207
    }
}

/// `POST /crm/v3/objects/{type}/batch/read`
pub(crate) fn batch_read(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let inputs = batch_inputs(&body)?;
    let id_prop = body.get("idProperty").and_then(Value::as_str);
    let names: Vec<String> = body
        .get("properties")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let archived = ctx.query.flag("archived");
    let store = ctx.shared.store.read();
    if let Some(p) = id_prop {
        store.check_id_property(obj, p)?;
    }
    let sight = ctx.visibility.sight(&store, obj);
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for input in inputs {
        let raw = scalar(input.get("id")).unwrap_or_default();
        match store
            .resolve(obj, &raw, id_prop, archived)
            .ok()
            .and_then(|id| store.get(obj, id, archived))
            .filter(|r| sight.sees(r))
        {
            Some(r) => results.push(store.record_json(obj, r, PropSel::from_names(&names), &[])),
            None => missing.push(raw),
        }
    }
    let errors = not_found_error(obj, missing);
    Ok(Reply {
        status: status_for(&errors, 200),
        body: Some(batch_body(started, results, errors)),
    })
}

/// `POST /crm/v3/objects/{type}/batch/create`: all or nothing on validation errors.
pub(crate) fn batch_create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let inputs = batch_inputs(&body)?;
    let mut store = ctx.shared.store.write();
    let mut planned = Vec::with_capacity(inputs.len());
    let mut seen = HashSet::new();
    for input in inputs {
        let links = parse_assoc_inputs(obj, input.get("associations"))?;
        let changes = store.check_values(obj, input.get("properties"), None)?;
        check_targets(&store, &links)?;
        check_lead(obj, &links)?;
        for (k, v) in &changes {
            let unique = store.prop(obj, k).is_some_and(|p| p.has_unique_value);
            if let (true, Some(v)) = (unique, v) {
                if !seen.insert((k.clone(), v.to_ascii_lowercase())) {
                    return Err(ApiError::validation(format!(
                        "Duplicate value in batch input for unique property {k}: {v}"
                    )));
                }
            }
        }
        planned.push((changes, links));
    }
    let now = ctx.now();
    let mut results = Vec::with_capacity(planned.len());
    for (changes, links) in planned {
        let id = store.create(obj, changes, now);
        for (to, d) in links {
            store.assoc.add((obj, id), to, d);
        }
        if let Some(r) = store.get(obj, id, false) {
            results.push(store.record_json(obj, r, PropSel::AllSet, &[]));
        }
    }
    Ok(Reply::created(batch_body(started, results, Vec::new())))
}

/// `POST /crm/v3/objects/{type}/batch/update`: unknown ids are reported in `errors` (207).
pub(crate) fn batch_update(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let inputs = batch_inputs(&body)?;
    let ids: Vec<String> = inputs
        .iter()
        .map(|i| scalar(i.get("id")).unwrap_or_default())
        .collect();
    duplicates(&ids)?;
    let mut store = ctx.shared.store.write();
    let mut planned = Vec::new();
    let mut missing = Vec::new();
    for (input, raw) in inputs.iter().zip(ids) {
        let id_prop = input.get("idProperty").and_then(Value::as_str);
        if let Some(p) = id_prop {
            store.check_id_property(obj, p)?;
        }
        match store.resolve(obj, &raw, id_prop, false) {
            Ok(id) => planned.push((
                id,
                store.check_values(obj, input.get("properties"), Some(id))?,
            )),
            Err(_) => missing.push(raw),
        }
    }
    let now = ctx.now();
    let mut results = Vec::with_capacity(planned.len());
    for (id, changes) in planned {
        store.update(obj, id, changes, now);
        if let Some(r) = store.get(obj, id, false) {
            results.push(store.record_json(obj, r, PropSel::AllSet, &[]));
        }
    }
    let errors = not_found_error(obj, missing);
    Ok(Reply {
        status: status_for(&errors, 200),
        body: Some(batch_body(started, results, errors)),
    })
}

/// `POST /crm/v3/objects/{type}/batch/upsert`: updates the record whose `idProperty` equals `id`, or
/// creates one with that value; each result carries `new`.
pub(crate) fn batch_upsert(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let inputs = batch_inputs(&body)?;
    let ids: Vec<String> = inputs
        .iter()
        .map(|i| scalar(i.get("id")).unwrap_or_default())
        .collect();
    duplicates(&ids)?;
    let mut store = ctx.shared.store.write();
    let mut planned = Vec::with_capacity(inputs.len());
    for (input, raw) in inputs.iter().zip(ids) {
        let prop = input
            .get("idProperty")
            .or_else(|| body.get("idProperty"))
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_input("Missing required creator property 'idProperty'"))?
            .to_string();
        if prop == "hs_object_id" {
            return Err(ApiError::validation(
                "Upsert needs a unique property other than hs_object_id as idProperty",
            ));
        }
        store.check_id_property(obj, &prop)?;
        match store.find_by(obj, &prop, &raw, None) {
            Some(id) => planned.push((
                Some(id),
                store.check_values(obj, input.get("properties"), Some(id))?,
            )),
            None => {
                let mut props = input
                    .get("properties")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                if let Some(m) = props.as_object_mut() {
                    m.insert(prop.clone(), json!(raw));
                }
                planned.push((None, store.check_values(obj, Some(&props), None)?));
            }
        }
    }
    let now = ctx.now();
    let mut results = Vec::with_capacity(planned.len());
    for (existing, changes) in planned {
        let (id, new) = match existing {
            Some(id) => {
                store.update(obj, id, changes, now);
                (id, false)
            }
            None => (store.create(obj, changes, now), true),
        };
        if let Some(r) = store.get(obj, id, false) {
            let mut v = store.record_json(obj, r, PropSel::AllSet, &[]);
            v["new"] = json!(new);
            results.push(v);
        }
    }
    Ok(Reply::ok(batch_body(started, results, Vec::new())))
}

/// `POST /crm/v3/objects/{type}/batch/archive`: 204.
pub(crate) fn batch_archive(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let inputs = batch_inputs(&body)?;
    let mut store = ctx.shared.store.write();
    let now = ctx.now();
    for input in inputs {
        let raw = scalar(input.get("id")).unwrap_or_default();
        if let Ok(id) = store.resolve(obj, &raw, None, false) {
            store.archive(obj, id, now);
        }
    }
    Ok(Reply::no_content())
}
