//! Everything besides records and associations: properties and property groups (list, read, create,
//! update, archive), the custom object's schema, owners, pipelines and stages, account API usage, private
//! app token introspection, and workflows (automation v4 flows, read-only).

use serde_json::{json, Value};

use super::api::{Ctx, Reply};
use super::assoc;
use super::errors::{ApiError, AUTH_MESSAGE};
use super::paths::{FLOWS, OWNERS};
use super::props::{Group, Property};
use super::store::Store;
use super::time::{iso_ms, now_ms, DAY_MS};
use super::types::{Obj, CUSTOM_FQN, CUSTOM_TYPE_ID, PORTAL_ID};

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

fn schema_json(store: &Store) -> Value {
    let obj = Obj::Projects;
    let created = "2023-05-04T10:00:00.000Z";
    let associations: Vec<Value> = assoc::all()
        .iter()
        .filter(|d| d.from == obj && d.label.is_none() && !d.user_defined)
        .map(|d| {
            json!({
                "id": d.id.to_string(),
                "fromObjectTypeId": obj.type_id(),
                "toObjectTypeId": d.to.type_id(),
                "name": format!("{}_to_{}", obj.name(), d.to.name()),
                "createdAt": created,
                "updatedAt": created,
            })
        })
        .collect();
    json!({
        "id": CUSTOM_TYPE_ID.trim_start_matches("2-"),
        "objectTypeId": CUSTOM_TYPE_ID,
        "name": obj.name(),
        "fullyQualifiedName": CUSTOM_FQN,
        "labels": { "singular": "Project", "plural": "Projects" },
        "description": "Customer projects delivered after a deal closes.",
        "primaryDisplayProperty": "project_name",
        "secondaryDisplayProperties": ["project_code", "status"],
        "searchableProperties": obj.searchable(),
        "requiredProperties": obj.required(),
        "properties": store.props[obj.idx()].iter().filter(|p| !p.archived).map(Property::json).collect::<Vec<_>>(),
        "associations": associations,
        "metaType": "PORTAL_SPECIFIC",
        "portalId": PORTAL_ID,
        "archived": false,
        "createdAt": created,
        "updatedAt": created,
        "createdByUserId": 9_100_001,
        "updatedByUserId": 9_100_001,
    })
}

/// `GET /crm/v3/schemas`
pub(crate) fn schemas(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let store = ctx.shared.store.read();
    Ok(Reply::ok(json!({ "results": [schema_json(&store)] })))
}

/// `GET /crm/v3/schemas/{objectType}` (the custom object only, as HubSpot's schemas API).
pub(crate) fn schema(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    if Obj::parse(ctx.param(0)) != Some(Obj::Projects) {
        return Err(ApiError::resource_not_found());
    }
    let store = ctx.shared.store.read();
    Ok(Reply::ok(schema_json(&store)))
}

/// `GET /crm/v3/owners` (`email`, `limit` ≤ 500, `after`, `archived`)
pub(crate) fn owners(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let email = ctx.query.get("email").filter(|e| !e.is_empty());
    let limit = ctx.query.number("limit", 100)?.clamp(1, 500) as usize;
    let after = ctx.query.number("after", 0)? as usize;
    let archived = ctx.query.flag("archived");
    let store = ctx.shared.store.read();
    let all: Vec<_> = store
        .owners
        .iter()
        .filter(|o| o.archived == archived && email.is_none_or(|e| o.email.eq_ignore_ascii_case(e)))
        .collect();
    let results: Vec<Value> = all
        .iter()
        .skip(after)
        .take(limit)
        .map(|o| o.json())
        .collect();
    let mut body = json!({ "results": results });
    if after + limit < all.len() {
        body["paging"] = ctx.next_page(OWNERS, &(after + limit).to_string());
    }
    Ok(Reply::ok(body))
}

/// `GET /crm/v3/owners/{ownerId}` (`idProperty=id|userId`, `archived`)
pub(crate) fn owner(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let raw = ctx.param(0);
    let by_user = match ctx.query.get("idProperty").unwrap_or("id") {
        "id" => false,
        "userId" => true,
        other => {
            return Err(ApiError::validation(format!(
                "idProperty must be id or userId, got {other}"
            )))
        }
    };
    let archived = ctx.query.flag("archived");
    let store = ctx.shared.store.read();
    store
        .owners
        .iter()
        .find(|o| {
            o.archived == archived && (if by_user { o.user_id } else { o.id }).to_string() == raw
        })
        .map(|o| Reply::ok(o.json()))
        .ok_or_else(ApiError::resource_not_found)
}

fn pipeline_obj(ctx: &Ctx<'_>) -> Result<Obj, ApiError> {
    let obj = ctx.obj(0)?;
    match obj {
        Obj::Deals | Obj::Tickets | Obj::Leads => Ok(obj),
        _ => Err(ApiError::validation(format!(
            "Pipelines are not supported for object type {}",
            obj.name()
        ))),
    }
}

/// `GET /crm/v3/pipelines/{type}`
pub(crate) fn pipelines(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = pipeline_obj(ctx)?;
    let store = ctx.shared.store.read();
    let results: Vec<Value> = store.pipelines_of(obj).map(|p| p.json()).collect();
    Ok(Reply::ok(json!({ "results": results })))
}

fn find_pipeline<'s>(
    store: &'s Store,
    obj: Obj,
    id: &str,
) -> Result<&'s super::fixtures::Pipeline, ApiError> {
    store.pipelines_of(obj).find(|p| p.id == id).ok_or_else(|| {
        ApiError::new(
            404,
            "OBJECT_NOT_FOUND",
            format!("Unable to find pipeline {id}"),
        )
    })
}

/// `GET /crm/v3/pipelines/{type}/{pipelineId}`
pub(crate) fn pipeline(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = pipeline_obj(ctx)?;
    let store = ctx.shared.store.read();
    Ok(Reply::ok(find_pipeline(&store, obj, ctx.param(1))?.json()))
}

/// `GET /crm/v3/pipelines/{type}/{pipelineId}/stages`
pub(crate) fn stages(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let obj = pipeline_obj(ctx)?;
    let store = ctx.shared.store.read();
    let p = find_pipeline(&store, obj, ctx.param(1))?;
    let results: Vec<Value> = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| s.json(i))
        .collect();
    Ok(Reply::ok(json!({ "results": results })))
}

/// `GET /account-info/v3/api-usage/daily/private-apps`
pub(crate) fn api_usage(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let now = now_ms();
    let limiter = &ctx.shared.limiter;
    Ok(Reply::ok(json!({ "results": [{
        "name": "private-apps-api-calls-daily",
        "usageLimit": limiter.limits().daily,
        "currentUsage": limiter.daily_total(),
        "collectedAt": iso_ms(now),
        "fetchStatus": "SUCCESS",
        "resetsAt": iso_ms((now.div_euclid(DAY_MS) + 1) * DAY_MS),
    }]})))
}

/// `POST /oauth/v2/private-apps/get/access-token-info` with `{tokenKey}`.
pub(crate) fn token_info(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let body = ctx.json()?;
    let key = body
        .get("tokenKey")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::bad_input("Missing required creator property 'tokenKey'"))?;
    if !ctx.shared.token_ok(key) {
        return Err(ApiError::new(401, "INVALID_AUTHENTICATION", AUTH_MESSAGE));
    }
    Ok(Reply::ok(json!({
        "userId": 9_100_001,
        "hubId": PORTAL_ID,
        "appId": 3_041_567,
        "scopes": ctx.shared.effective_scopes(),
    })))
}

/// `GET /automation/v4/flows` (`limit`, `after`)
pub(crate) fn flows(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let limit = ctx.query.number("limit", 100)?.clamp(1, 100) as usize;
    let after = ctx.query.number("after", 0)? as usize;
    let store = ctx.shared.store.read();
    let results: Vec<Value> = store
        .flows
        .iter()
        .skip(after)
        .take(limit)
        .map(super::fixtures::flow_listing)
        .collect();
    let mut body = json!({ "results": results });
    if after + limit < store.flows.len() {
        body["paging"] = ctx.next_page(FLOWS, &(after + limit).to_string());
    }
    Ok(Reply::ok(body))
}

/// `GET /automation/v4/flows/{flowId}`
pub(crate) fn flow(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.param(0);
    let store = ctx.shared.store.read();
    store
        .flows
        .iter()
        .find(|f| f.get("id").and_then(Value::as_str) == Some(id))
        .map(|f| Reply::ok(f.clone()))
        .ok_or_else(ApiError::resource_not_found)
}
