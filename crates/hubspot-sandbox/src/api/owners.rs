//! The owners API: list (by `email`, paged) and read (by `id` or `userId`).

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::errors::ApiError;

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
        body["paging"] = ctx.next_page(&(after + limit).to_string());
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
