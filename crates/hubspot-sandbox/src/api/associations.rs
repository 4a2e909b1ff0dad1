//! The v4 associations API: list a record's associations to one object type (paged, with each pair's
//! types and labels), create the default or labelled associations, delete them, list the labels between
//! two object types, and the batch create / associate-default / read / archive endpoints.

use serde_json::{json, Value};

use crate::api::{batch_body, Ctx, Reply};
use crate::assoc::{self, AssocDef};
use crate::errors::ApiError;
use crate::store::Store;
use crate::types::Obj;

/// Most inputs in one association batch create, associate-default or archive request.
const MAX_ASSOC_BATCH: usize = 1000;
/// Most inputs in one association batch read (HubSpot lowered it to 100 in 2024).
const MAX_ASSOC_READ: usize = 100;

fn id_of(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .map_err(|_| ApiError::object_not_found(raw))
}

fn exists(store: &Store, obj: Obj, id: u64) -> Result<(), ApiError> {
    match store.get(obj, id, false) {
        Some(_) => Ok(()),
        None => Err(ApiError::object_not_found(&id.to_string())),
    }
}

fn spec(from: u64, to: u64, category: &str, type_id: u32) -> Value {
    json!({
        "from": { "id": from.to_string() },
        "to": { "id": to.to_string() },
        "associationSpec": { "associationCategory": category, "associationTypeId": type_id },
    })
}

fn labels_between(store: &Store, from: Obj, id: u64, to: Obj, to_id: u64) -> Value {
    let labels: Vec<&str> = store
        .assoc
        .types_between((from, id), (to, to_id))
        .into_iter()
        .filter_map(|t| assoc::find(from, to, t).and_then(|d| d.label))
        .collect();
    json!({
        "fromObjectTypeId": from.type_id(),
        "fromObjectId": id,
        "toObjectTypeId": to.type_id(),
        "toObjectId": to_id,
        "labels": labels,
    })
}

/// Parses `[{associationCategory, associationTypeId}]` for the pair `from → to`.
fn parse_types(from: Obj, to: Obj, v: Option<&Value>) -> Result<Vec<&'static AssocDef>, ApiError> {
    let items = v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if items.is_empty() {
        return Err(ApiError::bad_input(
            "expected a non-empty array of association types",
        ));
    }
    items
        .iter()
        .map(|t| {
            let id = t
                .get("associationTypeId")
                .and_then(Value::as_u64)
                .unwrap_or(0) as u32;
            let cat = t
                .get("associationCategory")
                .and_then(Value::as_str)
                .unwrap_or("");
            assoc::find(from, to, id)
                .filter(|d| d.category() == cat)
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "association type {id} in category {cat} is not valid from {} to {}",
                        from.name(),
                        to.name()
                    ))
                })
        })
        .collect()
}

/// `GET /crm/v4/objects/{from}/{id}/associations/{to}`
pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let (from, to) = (ctx.obj(0)?, ctx.obj(2)?);
    let id = id_of(ctx.param(1))?;
    let limit = ctx.query.number("limit", 500)?.clamp(1, 500) as usize;
    let after = ctx.query.number("after", 0)? as usize;
    let store = ctx.shared.store.read();
    exists(&store, from, id)?;
    let targets = store.assoc.targets((from, id), to);
    let results: Vec<Value> = targets
        .iter()
        .skip(after)
        .take(limit)
        .map(|(tid, ids)| json!({ "toObjectId": tid, "associationTypes": assoc::v4_types(from, to, ids) }))
        .collect();
    let mut body = json!({ "results": results });
    if after + limit < targets.len() {
        body["paging"] = ctx.next_page(&(after + limit).to_string());
    }
    Ok(Reply::ok(body))
}

/// `PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}`
pub(crate) fn put_default(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let (from, to) = (ctx.obj(0)?, ctx.obj(2)?);
    let (id, to_id) = (id_of(ctx.param(1))?, id_of(ctx.param(3))?);
    let d = assoc::default_type(from, to).ok_or_else(|| {
        ApiError::validation(format!(
            "{} cannot be associated with {}",
            from.name(),
            to.name()
        ))
    })?;
    let mut store = ctx.shared.store.write();
    exists(&store, from, id)?;
    exists(&store, to, to_id)?;
    store.assoc.add((from, id), (to, to_id), d);
    let results = vec![
        spec(id, to_id, d.category(), d.id),
        spec(to_id, id, d.category(), d.inverse),
    ];
    Ok(Reply::ok(batch_body(started, results, Vec::new())))
}

/// `PUT /crm/v4/objects/{from}/{id}/associations/{to}/{toId}` with `[{associationCategory, associationTypeId}]`.
pub(crate) fn put_labels(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let (from, to) = (ctx.obj(0)?, ctx.obj(2)?);
    let (id, to_id) = (id_of(ctx.param(1))?, id_of(ctx.param(3))?);
    let body = ctx.json()?;
    let types = parse_types(from, to, Some(&body))?;
    let mut store = ctx.shared.store.write();
    exists(&store, from, id)?;
    exists(&store, to, to_id)?;
    for d in types {
        store.assoc.add((from, id), (to, to_id), d);
    }
    Ok(Reply::created(labels_between(&store, from, id, to, to_id)))
}

/// `DELETE /crm/v4/objects/{from}/{id}/associations/{to}/{toId}`: removes every association of the pair.
pub(crate) fn delete(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let (from, to) = (ctx.obj(0)?, ctx.obj(2)?);
    let (id, to_id) = (id_of(ctx.param(1))?, id_of(ctx.param(3))?);
    ctx.shared
        .store
        .write()
        .assoc
        .remove_pair((from, id), (to, to_id));
    Ok(Reply::no_content())
}

/// `GET /crm/v4/associations/{from}/{to}/labels`
pub(crate) fn labels(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let (from, to) = (ctx.obj(0)?, ctx.obj(1)?);
    let results: Vec<Value> = assoc::between(from, to).map(AssocDef::v4_json).collect();
    Ok(Reply::ok(json!({ "results": results })))
}

fn inputs(ctx: &Ctx<'_>, max: usize) -> Result<Vec<Value>, ApiError> {
    let body = ctx.json()?;
    let inputs = body
        .get("inputs")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::bad_input("Missing required creator property 'inputs'"))?;
    if inputs.len() > max {
        return Err(ApiError::validation(format!(
            "The maximum number of inputs supported in a batch request is {max}. Please reduce the number \
             of items and try again"
        )));
    }
    Ok(inputs)
}

fn input_id(v: &Value, key: &str) -> String {
    match v.get(key).and_then(|x| x.get("id")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn missing_error(ids: Vec<String>) -> Vec<Value> {
    if ids.is_empty() {
        return Vec::new();
    }
    vec![json!({
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": "One or more objects of this batch do not exist.",
        "context": { "ids": ids },
        "errors": [],
        "links": {},
    })]
}

/// Both ends of a batch input, if both exist.
fn ends(
    store: &Store,
    from: Obj,
    to: Obj,
    input: &Value,
    missing: &mut Vec<String>,
) -> Option<(u64, u64)> {
    let (a, b) = (input_id(input, "from"), input_id(input, "to"));
    let ok = |obj: Obj, raw: &str| {
        raw.parse::<u64>()
            .ok()
            .filter(|id| store.get(obj, *id, false).is_some())
    };
    match (ok(from, &a), ok(to, &b)) {
        (Some(x), Some(y)) => Some((x, y)),
        (x, y) => {
            if x.is_none() {
                missing.push(a);
            }
            if y.is_none() {
                missing.push(b);
            }
            None
        }
    }
}

/// `POST /crm/v4/associations/{from}/{to}/batch/create`
pub(crate) fn batch_create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let (from, to) = (ctx.obj(0)?, ctx.obj(1)?);
    let inputs = inputs(ctx, MAX_ASSOC_BATCH)?;
    let planned = inputs
        .iter()
        .map(|i| parse_types(from, to, i.get("types")).map(|t| (i, t)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut store = ctx.shared.store.write();
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for (input, types) in planned {
        if let Some((a, b)) = ends(&store, from, to, input, &mut missing) {
            for d in types {
                store.assoc.add((from, a), (to, b), d);
            }
            results.push(labels_between(&store, from, a, to, b));
        }
    }
    let errors = missing_error(missing);
    let status = if errors.is_empty() { 201 } else { 207 };
    Ok(Reply {
        status,
        body: Some(batch_body(started, results, errors)),
    })
}

/// `POST /crm/v4/associations/{from}/{to}/batch/associate/default`
pub(crate) fn batch_default(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let (from, to) = (ctx.obj(0)?, ctx.obj(1)?);
    let d = assoc::default_type(from, to).ok_or_else(|| {
        ApiError::validation(format!(
            "{} cannot be associated with {}",
            from.name(),
            to.name()
        ))
    })?;
    let inputs = inputs(ctx, MAX_ASSOC_BATCH)?;
    let mut store = ctx.shared.store.write();
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for input in &inputs {
        if let Some((a, b)) = ends(&store, from, to, input, &mut missing) {
            store.assoc.add((from, a), (to, b), d);
            results.push(spec(a, b, d.category(), d.id));
        }
    }
    let errors = missing_error(missing);
    let status = if errors.is_empty() { 200 } else { 207 };
    Ok(Reply {
        status,
        body: Some(batch_body(started, results, errors)),
    })
}

/// `POST /crm/v4/associations/{from}/{to}/batch/read`
pub(crate) fn batch_read(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let started = ctx.now();
    let (from, to) = (ctx.obj(0)?, ctx.obj(1)?);
    let inputs = inputs(ctx, MAX_ASSOC_READ)?;
    let store = ctx.shared.store.read();
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for input in &inputs {
        let raw = match input.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match raw
            .parse::<u64>()
            .ok()
            .filter(|id| store.get(from, *id, false).is_some())
        {
            Some(id) => {
                let to_list: Vec<Value> = store
                    .assoc
                    .targets((from, id), to)
                    .iter()
                    .map(|(tid, ids)| json!({ "toObjectId": tid, "associationTypes": assoc::v4_types(from, to, ids) }))
                    .collect();
                results.push(json!({ "from": { "id": raw }, "to": to_list }));
            }
            None => missing.push(raw),
        }
    }
    let errors = missing_error(missing);
    let status = if errors.is_empty() { 200 } else { 207 };
    Ok(Reply {
        status,
        body: Some(batch_body(started, results, errors)),
    })
}

/// `POST /crm/v4/associations/{from}/{to}/batch/archive` with `[{from: {id}, to: [{id}]}]`: 204.
pub(crate) fn batch_archive(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let (from, to) = (ctx.obj(0)?, ctx.obj(1)?);
    let inputs = inputs(ctx, MAX_ASSOC_BATCH)?;
    let mut store = ctx.shared.store.write();
    for input in &inputs {
        let Ok(a) = input_id(input, "from").parse::<u64>() else {
            continue;
        };
        let targets = input
            .get("to")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for t in targets {
            let raw = match t.get("id") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => continue,
            };
            if let Ok(b) = raw.parse::<u64>() {
                store.assoc.remove_pair((from, a), (to, b));
            }
        }
    }
    Ok(Reply::no_content())
}
