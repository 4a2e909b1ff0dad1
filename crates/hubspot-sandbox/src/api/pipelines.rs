//! The pipelines API: the pipelines of deals, tickets and leads, one pipeline, and its stages.

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::errors::ApiError;
use crate::store::Store;
use crate::types::Obj;

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
) -> Result<&'s crate::fixtures::Pipeline, ApiError> {
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
