//! The automation v4 flows API (workflows), read-only: list and read.

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::errors::ApiError;

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
        .map(crate::fixtures::flow_listing)
        .collect();
    let mut body = json!({ "results": results });
    if after + limit < store.flows.len() {
        body["paging"] = ctx.next_page(&(after + limit).to_string());
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
