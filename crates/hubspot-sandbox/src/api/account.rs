//! Account endpoints: daily API usage of private apps and private-app token introspection.

use serde_json::{json, Value};

use crate::api::{Ctx, Reply};
use crate::errors::{ApiError, AUTH_MESSAGE};
use crate::time::{iso_ms, now_ms, DAY_MS};
use crate::types::PORTAL_ID;

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
