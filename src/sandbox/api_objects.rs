//! The v3 objects API: list (id cursor paging, `properties`, `associations`, `archived`), read (by id or a
//! unique `idProperty`), create (with `associations`), update, archive, search, and the batch endpoints
//! (read, create, update, upsert, archive; at most 100 inputs; 207 with `errors` on partial failure).

use std::collections::HashSet;

use serde_json::{json, Value};

use super::api::{batch_body, Ctx, Reply};
use super::assoc::{self, AssocDef, Key};
use super::errors::{property_errors, ApiError, PropError};
use super::paths::OBJECTS;
use super::search::{self, Kind};
use super::store::{PropSel, Store};
use super::types::Obj;

/// Most inputs in one batch request.
pub(crate) const MAX_BATCH: usize = 100;

fn with_assoc(ctx: &Ctx<'_>) -> Vec<Obj> {
    ctx.query
        .list("associations")
        .iter()
        .filter_map(|s| Obj::parse(s))
        .collect()
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses `associations: [{to: {id}, types: [{associationCategory, associationTypeId}]}]` of a create.
pub(crate) fn parse_assoc_inputs(
    obj: Obj,
    v: Option<&Value>,
) -> Result<Vec<(Key, &'static AssocDef)>, ApiError> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::bad_input("associations must be an array")),
    };
    let mut out = Vec::new();
    for item in items {
        let raw = scalar(item.get("to").and_then(|t| t.get("id"))).unwrap_or_default();
        let to_id = raw.parse::<u64>().map_err(|_| {
            ApiError::validation(format!(
                "Invalid association: to.id {raw:?} is not an object id"
            ))
        })?;
        let types = item
            .get("types")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if types.is_empty() {
            return Err(ApiError::validation(
                "Invalid association: types must list at least one association type",
            ));
        }
        for t in types {
            let id = t
                .get("associationTypeId")
                .and_then(Value::as_u64)
                .unwrap_or(0) as u32;
            let cat = t
                .get("associationCategory")
                .and_then(Value::as_str)
                .unwrap_or("");
            let d = assoc::find_from(obj, id)
                .filter(|d| d.category() == cat)
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "Invalid association: type {id} in category {cat} does not exist from {}",
                        obj.name()
                    ))
                })?;
            out.push(((d.to, to_id), d));
        }
    }
    Ok(out)
}

/// Checks that every association target exists.
pub(crate) fn check_targets(store: &Store, list: &[(Key, &AssocDef)]) -> Result<(), ApiError> {
    for ((to, id), _) in list {
        if store.get(*to, *id, false).is_none() {
            return Err(ApiError::validation(format!(
                "Invalid association: {} {id} does not exist",
                to.singular()
            ))
            .with_context(json!({ "ids": [id.to_string()] })));
        }
    }
    Ok(())
}

fn check_lead(obj: Obj, list: &[(Key, &AssocDef)]) -> Result<(), ApiError> {
    if obj == Obj::Leads && !list.iter().any(|(_, d)| d.id == 578) {
        return Err(ApiError::validation(
            "A lead must be created with a primary contact association (HUBSPOT_DEFINED 578)",
        ));
    }
    Ok(())
}

/// `GET /crm/v3/objects/{type}`
pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let limit = ctx.query.number("limit", 10)?.clamp(1, 100) as usize;
    let after = ctx.query.number("after", 0)?;
    let archived = ctx.query.flag("archived");
    let names = ctx.query.list("properties");
    let with = with_assoc(ctx);
    let store = ctx.shared.store.read();
    let mut live = store
        .records(obj)
        .range(after..)
        .map(|(_, r)| r)
        .filter(|r| r.archived == archived);
    let page: Vec<_> = live.by_ref().take(limit).collect();
    let next = live.next().map(|r| r.id);
    let results: Vec<Value> = page
        .into_iter()
        .map(|r| store.record_json(obj, r, PropSel::from_names(&names), &with))
        .collect();
    let mut body = json!({ "results": results });
    if let Some(n) = next {
        body["paging"] = ctx.next_page(&format!("{OBJECTS}/{}", ctx.param(0)), &n.to_string());
    }
    Ok(Reply::ok(body))
}

/// `GET /crm/v3/objects/{type}/{id}`
pub(crate) fn get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let archived = ctx.query.flag("archived");
    let names = ctx.query.list("properties");
    let store = ctx.shared.store.read();
    let id = store.resolve(obj, ctx.param(1), ctx.query.get("idProperty"), archived)?;
    let r = store
        .get(obj, id, archived)
        .ok_or_else(|| ApiError::object_not_found(ctx.param(1)))?;
    Ok(Reply::ok(store.record_json(
        obj,
        r,
        PropSel::from_names(&names),
        &with_assoc(ctx),
    )))
}

fn object_body(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    let body = ctx.json()?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(ApiError::bad_input("expected a JSON object"))
    }
}

/// `POST /crm/v3/objects/{type}`
pub(crate) fn create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let links = parse_assoc_inputs(obj, body.get("associations"))?;
    let mut store = ctx.shared.store.write();
    let changes = store.check_values(obj, body.get("properties"), None)?;
    check_targets(&store, &links)?;
    check_lead(obj, &links)?;
    let id = store.create(obj, changes, ctx.now());
    for (to, d) in links {
        store.assoc.add((obj, id), to, d);
    }
    let r = store
        .get(obj, id, false)
        .ok_or_else(|| ApiError::object_not_found(&id.to_string()))?;
    Ok(Reply::created(store.record_json(
        obj,
        r,
        PropSel::AllSet,
        &[],
    )))
}

/// `PATCH /crm/v3/objects/{type}/{id}`
pub(crate) fn update(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let body = object_body(ctx)?;
    let mut store = ctx.shared.store.write();
    let id = store.resolve(obj, ctx.param(1), ctx.query.get("idProperty"), false)?;
    let changes = store.check_values(obj, body.get("properties"), Some(id))?;
    store.update(obj, id, changes, ctx.now());
    let r = store
        .get(obj, id, false)
        .ok_or_else(|| ApiError::object_not_found(ctx.param(1)))?;
    Ok(Reply::ok(store.record_json(obj, r, PropSel::AllSet, &[])))
}

/// `DELETE /crm/v3/objects/{type}/{id}`: 204 whether or not the record existed, as HubSpot does; but an
/// id that is no object id at all (not numeric, without `idProperty`) is HubSpot's 404 OBJECT_NOT_FOUND
/// ("objectId are usually numeric"), not a success.
pub(crate) fn archive(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let id_property = ctx
        .query
        .get("idProperty")
        .filter(|p| !p.is_empty() && *p != "hs_object_id");
    if id_property.is_none() && ctx.param(1).parse::<u64>().is_err() {
        return Err(ApiError::object_not_found(ctx.param(1)));
    }
    let mut store = ctx.shared.store.write();
    if let Ok(id) = store.resolve(obj, ctx.param(1), ctx.query.get("idProperty"), false) {
        store.archive(obj, id, ctx.now());
    }
    Ok(Reply::no_content())
}

/// `POST /crm/v3/objects/{type}/search`
pub(crate) fn search(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let s = search::parse(&ctx.json()?)?;
    let store = ctx.shared.store.read();
    let kind_of = |name: &str| -> Result<Kind, ApiError> {
        store
            .prop(obj, name)
            .map(|p| Kind::of(&p.ptype))
            .ok_or_else(|| property_errors(&[PropError::unknown(name)]))
    };
    let mut groups = Vec::with_capacity(s.groups.len());
    for g in &s.groups {
        groups.push(
            g.iter()
                .map(|f| kind_of(&f.property).map(|k| (f, k)))
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    let sort = match &s.sort {
        Some((p, desc)) => Some((p.as_str(), kind_of(p)?, *desc)),
        None => None,
    };
    let searchable = obj.searchable();
    let mut hits: Vec<_> = store
        .records(obj)
        .values()
        .filter(|r| !r.archived)
        .filter(|r| {
            groups.is_empty()
                || groups.iter().any(|g| {
                    g.iter().all(|(f, k)| {
                        search::matches(f, *k, r.props.get(&f.property).map(String::as_str))
                    })
                })
        })
        .filter(|r| {
            s.query.as_deref().is_none_or(|q| {
                let values: Vec<&str> = searchable
                    .iter()
                    .filter_map(|p| r.props.get(*p).map(String::as_str))
                    .collect();
                search::matches_query(q, &values)
            })
        })
        .collect();
    if let Some((p, kind, desc)) = sort {
        hits.sort_by(|a, b| {
            search::sort_order(
                kind,
                a.props.get(p).map(String::as_str),
                b.props.get(p).map(String::as_str),
                desc,
            )
            .then(a.id.cmp(&b.id))
        });
    }
    let total = hits.len();
    let results: Vec<Value> = hits
        .iter()
        .skip(s.after)
        .take(s.limit)
        .map(|r| store.record_json(obj, r, PropSel::from_names(&s.properties), &[]))
        .collect();
    let mut body = json!({ "total": total, "results": results });
    if s.after + s.limit < total {
        body["paging"] = json!({ "next": { "after": (s.after + s.limit).to_string() } });
    }
    Ok(Reply::ok(body))
}

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
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for input in inputs {
        let raw = scalar(input.get("id")).unwrap_or_default();
        match store
            .resolve(obj, &raw, id_prop, archived)
            .ok()
            .and_then(|id| store.get(obj, id, archived))
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
