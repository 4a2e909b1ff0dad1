//! The properties API: properties and property groups of an object type (list, read, create, update,
//! archive).

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::errors::ApiError;
use crate::properties::{Group, Property};
use crate::store::Store;
use crate::time::iso_ms;
use crate::types::Obj;

fn group_names(store: &Store, obj: Obj) -> Vec<String> {
    store.groups[obj.idx()]
        .iter()
        .filter(|g| !g.archived)
        .map(|g| g.name.clone())
        .collect()
}

fn no_property(name: &str) -> ApiError {
    ApiError::new(
        404,
        "OBJECT_NOT_FOUND",
        format!("Unable to find property {name}"),
    )
}

/// `GET /crm/v3/properties/{type}`
pub(crate) fn prop_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let archived = ctx.query.flag("archived");
    let only = ctx.query.list("properties");
    let store = ctx.shared.store.read();
    let results: Vec<Value> = store.props[obj.idx()]
        .iter()
        .filter(|p| p.archived == archived && (only.is_empty() || only.contains(&p.name)))
        .map(Property::json)
        .collect();
    Ok(Reply::ok(json!({ "results": results })))
}

/// `GET /crm/v3/properties/{type}/{propertyName}`
pub(crate) fn prop_get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let name = ctx.param(1);
    let archived = ctx.query.flag("archived");
    let store = ctx.shared.store.read();
    store.props[obj.idx()]
        .iter()
        .find(|p| p.name == name && p.archived == archived)
        .map(|p| Reply::ok(p.json()))
        .ok_or_else(|| no_property(name))
}

/// `POST /crm/v3/properties/{type}`
pub(crate) fn prop_create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let body = ctx.json()?;
    let mut store = ctx.shared.store.write();
    let p = Property::from_create(&body, &group_names(&store, obj), &iso_ms(ctx.now()))?;
    if store.props[obj.idx()].iter().any(|x| x.name == p.name) {
        return Err(ApiError::new(
            409,
            "OBJECT_ALREADY_EXISTS",
            format!("Property named '{}' already exists.", p.name),
        ));
    }
    let json = p.json();
    store.props[obj.idx()].push(p);
    Ok(Reply::created(json))
}

/// `PATCH /crm/v3/properties/{type}/{propertyName}`
pub(crate) fn prop_update(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let name = ctx.param(1);
    let body = ctx.json()?;
    let mut store = ctx.shared.store.write();
    let groups = group_names(&store, obj);
    let now = iso_ms(ctx.now());
    let p = store.props[obj.idx()]
        .iter_mut()
        .find(|p| p.name == name && !p.archived)
        .ok_or_else(|| no_property(name))?;
    p.apply_patch(&body, &groups, &now)?;
    Ok(Reply::ok(p.json()))
}

/// `DELETE /crm/v3/properties/{type}/{propertyName}`: archives a custom property; HubSpot-defined ones
/// cannot be deleted.
pub(crate) fn prop_delete(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let name = ctx.param(1);
    let mut store = ctx.shared.store.write();
    let now = iso_ms(ctx.now());
    let p = store.props[obj.idx()]
        .iter_mut()
        .find(|p| p.name == name && !p.archived)
        .ok_or_else(|| no_property(name))?;
    if p.hubspot_defined {
        return Err(ApiError::validation(format!(
            "{name} is a HubSpot-defined property and cannot be deleted"
        )));
    }
    p.archived = true;
    p.archived_at = Some(now.clone());
    p.updated_at = now;
    Ok(Reply::no_content())
}

/// `GET /crm/v3/properties/{type}/groups`
pub(crate) fn group_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let store = ctx.shared.store.read();
    let results: Vec<Value> = store.groups[obj.idx()]
        .iter()
        .filter(|g| !g.archived)
        .map(Group::json)
        .collect();
    Ok(Reply::ok(json!({ "results": results })))
}

/// `GET /crm/v3/properties/{type}/groups/{groupName}`
pub(crate) fn group_get(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let name = ctx.param(1);
    let store = ctx.shared.store.read();
    store.groups[obj.idx()]
        .iter()
        .find(|g| g.name == name && !g.archived)
        .map(|g| Reply::ok(g.json()))
        .ok_or_else(|| {
            ApiError::new(
                404,
                "OBJECT_NOT_FOUND",
                format!("Unable to find property group {name}"),
            )
        })
}

/// `POST /crm/v3/properties/{type}/groups`
pub(crate) fn group_create(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = ctx.obj(0)?;
    let g = Group::from_create(&ctx.json()?)?;
    let mut store = ctx.shared.store.write();
    if store.groups[obj.idx()].iter().any(|x| x.name == g.name) {
        return Err(ApiError::new(
            409,
            "OBJECT_ALREADY_EXISTS",
            format!("Property group named '{}' already exists.", g.name),
        ));
    }
    let json = g.json();
    store.groups[obj.idx()].push(g);
    Ok(Reply::created(json))
}
