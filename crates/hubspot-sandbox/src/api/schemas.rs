//! The schemas API: the custom object's schema.

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::assoc;
use crate::errors::ApiError;
use crate::properties::Property;
use crate::store::Store;
use crate::types::{Obj, CUSTOM_FQN, CUSTOM_TYPE_ID, PORTAL_ID};

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
