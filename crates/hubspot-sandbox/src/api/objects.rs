//! The v3 objects API: list (id cursor paging, `properties`, `associations`, `archived`), read (by id or a
//! unique `idProperty`), create (with `associations`), update, archive and search; and the helpers the
//! batch endpoints (`batch.rs`) share with them. List, read and search show only the records the caller
//! sees (`visibility`: a user with "owned records only" sees her own).

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::assoc::{self, AssocDef, Key};
use crate::errors::{property_errors, ApiError, PropError};
use crate::search::{self, Kind};
use crate::store::{PropSel, Store};
use crate::types::Obj;

fn with_assoc(ctx: &Ctx<'_>) -> Vec<Obj> {
    ctx.query
        .list("associations")
        .iter()
        .filter_map(|s| Obj::parse(s))
        .collect()
}

pub(crate) fn scalar(v: Option<&Value>) -> Option<String> {
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

pub(crate) fn check_lead(obj: Obj, list: &[(Key, &AssocDef)]) -> Result<(), ApiError> {
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
    let sight = ctx.visibility.sight(&store, obj);
    let mut live = store
        .records(obj)
        .range(after..)
        .map(|(_, r)| r)
        .filter(|r| r.archived == archived && sight.sees(r));
    let page: Vec<_> = live.by_ref().take(limit).collect();
    let next = live.next().map(|r| r.id);
    let results: Vec<Value> = page
        .into_iter()
        .map(|r| store.record_json(obj, r, PropSel::from_names(&names), &with))
        .collect();
    let mut body = json!({ "results": results });
    if let Some(n) = next {
        body["paging"] = ctx.next_page(&n.to_string());
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
    let sight = ctx.visibility.sight(&store, obj);
    let r = store
        .get(obj, id, archived)
        .filter(|r| sight.sees(r))
        .ok_or_else(|| ApiError::object_not_found(ctx.param(1)))?;
    Ok(Reply::ok(store.record_json(
        obj,
        r,
        PropSel::from_names(&names),
        &with_assoc(ctx),
    )))
}

pub(crate) fn object_body(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
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
    let sight = ctx.visibility.sight(&store, obj);
    let mut hits: Vec<_> = store
        .records(obj)
        .values()
        .filter(|r| !r.archived && sight.sees(r))
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
    match sort {
        // Records are kept in id order, and `hs_object_id` is the id: no sort needed (paging a large
        // account by id is what this sort is for).
        Some(("hs_object_id", _, false)) => {}
        Some(("hs_object_id", _, true)) => hits.reverse(),
        Some((p, kind, desc)) => {
            // Each value parsed once, not at every comparison. Ties end on the (unique) id: the order
            // is total, so an unstable sort gives the same result.
            let mut keyed: Vec<_> = hits
                .into_iter()
                .map(|r| {
                    (
                        search::sort_key(kind, r.props.get(p).map(String::as_str)),
                        r,
                    )
                })
                .collect();
            keyed.sort_unstable_by(|(ka, a), (kb, b)| {
                search::key_order(ka, kb, desc).then(a.id.cmp(&b.id))
            });
            hits = keyed.into_iter().map(|(_, r)| r).collect();
        }
        None => {}
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
