//! The Lists API (2026-03): create a list, search lists by name, read one, read its members (paged by
//! record id with `after`), add and remove members of MANUAL and SNAPSHOT lists.

use std::collections::btree_map::Entry;

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::errors::ApiError;
use crate::lists::List;
use crate::types::Obj;

/// 404 for a list id that names no list.
fn not_found(id: &str) -> ApiError {
    ApiError::new(
        404,
        "OBJECT_NOT_FOUND",
        format!("List does not exist with ID {id}."),
    )
    .with_context(json!({ "listId": [id] }))
}

/// The list of path parameter 0 (404 when none).
fn find<'a>(lists: &'a [List], raw: &str) -> Result<&'a List, ApiError> {
    lists
        .iter()
        .find(|l| l.id.to_string() == raw)
        .ok_or_else(|| not_found(raw))
}

/// The object types lists can hold: contacts, companies, deals, tickets and custom objects, by
/// objectTypeId (the Lists API takes ids; names are accepted as HubSpot's other APIs do).
fn list_object(raw: &str) -> Result<Obj, ApiError> {
    Obj::parse(raw)
        .filter(|o| {
            matches!(
                o,
                Obj::Contacts | Obj::Companies | Obj::Deals | Obj::Tickets | Obj::Projects
            )
        })
        .ok_or_else(|| {
            ApiError::validation(format!("Lists are not supported for object type {raw}"))
        })
}

/// `POST /crm/lists/2026-03` (`name`, `objectTypeId`, `processingType`; DYNAMIC needs `filterBranch`)
pub(crate) fn create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let body = ctx.json()?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::trim);
    let name = text("name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::validation("name is required"))?;
    let obj = list_object(
        text("objectTypeId").ok_or_else(|| ApiError::validation("objectTypeId is required"))?,
    )?;
    let pt = match text("processingType") {
        Some("MANUAL") => "MANUAL",
        Some("SNAPSHOT") => "SNAPSHOT",
        Some("DYNAMIC") if body.get("filterBranch").is_some_and(Value::is_object) => "DYNAMIC",
        Some("DYNAMIC") => {
            return Err(ApiError::validation(
                "A filterBranch is required for lists with processingType DYNAMIC",
            ))
        }
        _ => {
            return Err(ApiError::validation(
                "processingType must be one of MANUAL, SNAPSHOT, DYNAMIC",
            ))
        }
    };
    let now = ctx.now();
    let mut store = ctx.shared.store.write();
    if store
        .lists
        .iter()
        .any(|l| l.name.eq_ignore_ascii_case(name))
    {
        return Err(ApiError::validation(format!(
            "A list with the name '{name}' already exists."
        )));
    }
    let list = List {
        id: store.next_list_id,
        name: name.to_string(),
        object_type_id: obj.type_id().to_string(),
        processing_type: pt,
        version: 1,
        created: now,
        updated: now,
        members: Default::default(),
    };
    store.next_list_id += 1;
    let out = json!({ "list": list.json() });
    store.lists.push(list);
    Ok(Reply::ok(out))
}

/// `POST /crm/lists/2026-03/search` (`query` on the name, `processingTypes`, `listIds`,
/// `objectTypeId`, `offset`, `count` ≤ 500)
pub(crate) fn search(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let body = ctx.json()?;
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .map(|q| q.trim().to_lowercase())
        .unwrap_or_default();
    let strings = |k: &str| -> Vec<String> {
        body.get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let (types, ids) = (strings("processingTypes"), strings("listIds"));
    let object = body.get("objectTypeId").and_then(Value::as_str);
    let offset = body.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
    let count = match body.get("count").and_then(Value::as_u64).unwrap_or(20) {
        c @ 1..=500 => c as usize,
        c => {
            return Err(ApiError::validation(format!(
                "count must be between 1 and 500, got {c}"
            )))
        }
    };
    let store = ctx.shared.store.read();
    let hits: Vec<&List> = store
        .lists
        .iter()
        .filter(|l| query.is_empty() || l.name.to_lowercase().contains(&query))
        .filter(|l| types.is_empty() || types.iter().any(|t| t == l.processing_type))
        .filter(|l| ids.is_empty() || ids.contains(&l.id.to_string()))
        .filter(|l| object.is_none_or(|o| o == l.object_type_id))
        .collect();
    let page: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(count)
        .map(|l| l.search_json())
        .collect();
    let next = offset + page.len();
    Ok(Reply::ok(json!({
        "lists": page,
        "offset": next,
        "hasMore": next < hits.len(),
        "total": hits.len(),
    })))
}

/// `GET /crm/lists/2026-03/{listId}`
pub(crate) fn get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let store = ctx.shared.store.read();
    let list = find(&store.lists, ctx.param(0))?;
    Ok(Reply::ok(json!({ "list": list.json() })))
}

/// `GET /crm/lists/2026-03/{listId}/memberships` (`after` a record id, `limit` ≤ 250, default 100),
/// ascending by record id.
pub(crate) fn memberships(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let limit = match ctx.query.number("limit", 100)? {
        l @ 1..=250 => l as usize,
        l => {
            return Err(ApiError::validation(format!(
                "limit must be between 1 and 250, got {l}"
            )))
        }
    };
    let after = ctx.query.number("after", 0)?;
    let store = ctx.shared.store.read();
    let list = find(&store.lists, ctx.param(0))?;
    let rest: Vec<(&u64, &i64)> = list.members.range(after.saturating_add(1)..).collect();
    let results: Vec<Value> = rest
        .iter()
        .take(limit)
        .map(|(id, at)| {
            json!({"recordId": id.to_string(), "membershipTimestamp": crate::time::iso_ms(**at)})
        })
        .collect();
    let mut body = json!({ "results": results, "total": list.members.len() });
    if rest.len() > limit {
        if let Some((last, _)) = rest.get(limit - 1) {
            body["paging"] = ctx.next_page(&last.to_string());
        }
    }
    Ok(Reply::ok(body))
}

/// The record ids of a membership body (a JSON array of strings).
fn record_ids(ctx: &Ctx<'_>) -> Result<Vec<String>, ApiError> {
    let body = ctx.json()?;
    let items = body
        .as_array()
        .ok_or_else(|| ApiError::bad_input("expected an array of record ids"))?;
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(ApiError::bad_input("expected an array of record ids")),
        })
        .collect()
}

/// `PUT /crm/lists/2026-03/{listId}/memberships/add` and `…/remove`: MANUAL and SNAPSHOT lists only;
/// ids of records that do not exist (or that the change would not touch) come back as missing.
fn change(ctx: &Ctx<'_>, add: bool) -> Result<Reply, ApiError> {
    let ids = record_ids(ctx)?;
    let now = ctx.now();
    let mut store = ctx.shared.store.write();
    let raw = ctx.param(0);
    let idx = store
        .lists
        .iter()
        .position(|l| l.id.to_string() == raw)
        .ok_or_else(|| not_found(raw))?;
    let obj = Obj::parse(&store.lists[idx].object_type_id);
    if !store.lists[idx].manual() {
        return Err(ApiError::validation(format!(
            "List {raw} has processing type {} and is not a MANUAL or SNAPSHOT list: its memberships \
             cannot be changed manually.",
            store.lists[idx].processing_type
        )));
    }
    let exists = |id: u64| obj.is_some_and(|o| store.get(o, id, false).is_some());
    let parsed: Vec<(String, Option<u64>)> = ids
        .into_iter()
        .map(|s| {
            let n = s.parse::<u64>().ok().filter(|n| exists(*n));
            (s, n)
        })
        .collect();
    let list = &mut store.lists[idx];
    let (mut changed, mut missing) = (Vec::new(), Vec::new());
    for (raw_id, id) in parsed {
        match id {
            None => missing.push(raw_id),
            Some(n) if add => {
                // An existing member is ignored: it keeps the time it joined.
                if let Entry::Vacant(e) = list.members.entry(n) {
                    e.insert(now);
                    changed.push(n.to_string());
                }
            }
            Some(n) => {
                if list.members.remove(&n).is_some() {
                    changed.push(n.to_string());
                }
            }
        }
    }
    if !changed.is_empty() {
        list.version += 1;
        list.updated = now;
    }
    let (added, removed) = if add {
        (changed, Vec::new())
    } else {
        (Vec::new(), changed)
    };
    Ok(Reply::ok(json!({
        "recordsIdsAdded": added,
        "recordIdsRemoved": removed,
        "recordIdsMissing": missing,
    })))
}

/// `PUT /crm/lists/2026-03/{listId}/memberships/add`
pub(crate) fn add(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    change(ctx, true)
}

/// `PUT /crm/lists/2026-03/{listId}/memberships/remove`
pub(crate) fn remove(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    change(ctx, false)
}
