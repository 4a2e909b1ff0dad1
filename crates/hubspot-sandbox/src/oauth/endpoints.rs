//! The token endpoints of HubSpot's 2026-03 OAuth API, each taking a form body with the app's
//! `client_id` and `client_secret`: `POST /oauth/2026-03/token` (grant_type `authorization_code` or
//! `refresh_token`; the same handler serves `/oauth/v3/token` and `/oauth/v1/token`),
//! `POST …/token/introspect` (`PublicAccessTokenInfoResponse`, `PublicRefreshTokenInfoResponse`, or
//! `{"active":false}`) and `POST …/token/revoke` (204).

use serde_json::{json, Value};

use super::error::OAuthError;
use super::form::Form;
use super::tokens::{base64, Found, Grant, Tokens};
use super::{json, HUB_DOMAIN, OAUTH_APP_ID};
use crate::http::{Request, Response};
use crate::time::now_ms;
use crate::types::{DEFAULT_SCOPES, PORTAL_ID};
use crate::{OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET};

/// Every parameter these endpoints read; none may repeat.
const PARAMS: [&str; 10] = [
    "grant_type",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "refresh_token",
    "code_verifier",
    "token",
    "token_type_hint",
    "access_token",
];

fn reply(r: Result<Option<Value>, OAuthError>) -> Response {
    match r {
        Ok(Some(v)) => json(200, Some(&v)),
        Ok(None) => json(204, None),
        Err(e) => json(e.status(), Some(&e.body())),
    }
}

/// The form, with the parameters `needs` present and the client authenticated.
fn authenticated(req: &Request, needs: &[&str]) -> Result<Form, OAuthError> {
    let form = Form::body(req).map_err(OAuthError::InvalidRequest)?;
    if let Some(n) = form.repeated(&PARAMS) {
        return Err(OAuthError::InvalidRequest(format!(
            "parameter {n} is repeated"
        )));
    }
    let missing = form.missing(needs);
    if !missing.is_empty() {
        return Err(OAuthError::InvalidRequest(format!(
            "missing required parameter(s): {}",
            missing.join(", ")
        )));
    }
    if form.get("client_id") != Some(OAUTH_CLIENT_ID) {
        return Err(OAuthError::UnknownClient);
    }
    if form.get("client_secret") != Some(OAUTH_CLIENT_SECRET) {
        return Err(OAuthError::BadSecret);
    }
    Ok(form)
}

/// `POST /oauth/2026-03/token`
pub(super) fn token(tokens: &Tokens, req: &Request) -> Response {
    reply(grant(tokens, req).map(Some))
}

fn grant(tokens: &Tokens, req: &Request) -> Result<Value, OAuthError> {
    let grant_type = Form::body(req)
        .map_err(OAuthError::InvalidRequest)?
        .get("grant_type")
        .map(str::to_string)
        .ok_or_else(|| {
            OAuthError::InvalidRequest("missing required parameter(s): grant_type".into())
        })?;
    let issued = match grant_type.as_str() {
        "authorization_code" => {
            let needs = ["client_id", "client_secret", "code", "redirect_uri"];
            let form = authenticated(req, &needs)?;
            tokens.exchange(
                form.get("code").unwrap_or_default(),
                form.get("redirect_uri").unwrap_or_default(),
            )?
        }
        "refresh_token" => {
            let form = authenticated(req, &["client_id", "client_secret", "refresh_token"])?;
            tokens.refresh(form.get("refresh_token").unwrap_or_default())?
        }
        _ => return Err(OAuthError::UnsupportedGrantType(grant_type)),
    };
    Ok(json!({
        "token_type": "bearer",
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "hub_id": PORTAL_ID,
        "user_id": issued.grant.user.user_id,
        "scopes": issued.grant.scopes,
        "token_use": "access_token",
    }))
}

/// The token of an introspection or revocation: `token`, or as HubSpot's v3 guide words it, a field
/// named after its kind.
fn token_param(req: &Request) -> Result<String, OAuthError> {
    let form = authenticated(req, &["client_id", "client_secret"])?;
    ["token", "access_token", "refresh_token"]
        .iter()
        .find_map(|n| form.get(n))
        .map(str::to_string)
        .ok_or_else(|| OAuthError::InvalidRequest("missing required parameter(s): token".into()))
}

/// `POST /oauth/2026-03/token/introspect`
pub(super) fn introspect(tokens: &Tokens, req: &Request) -> Response {
    reply(token_param(req).map(|token| {
        Some(match tokens.introspect(&token) {
            Found::Access {
                grant,
                expires_at,
                signatures,
            } => access_info(&token, &grant, expires_at, signatures),
            Found::Refresh(grant) => {
                let mut v = identity(&token, &grant);
                v["token_use"] = json!("refresh_token");
                v
            }
            Found::Inactive => json!({ "active": false }),
        })
    }))
}

/// The fields access and refresh tokens share.
fn identity(token: &str, g: &Grant) -> Value {
    json!({
        "active": true,
        "token": token,
        "hub_id": PORTAL_ID,
        "user_id": g.user.user_id,
        "user": g.user.email,
        "hub_domain": HUB_DOMAIN,
        "client_id": OAUTH_CLIENT_ID,
        "app_id": OAUTH_APP_ID,
        "scopes": g.scopes,
        "token_type": "Bearer",
    })
}

/// `PublicAccessTokenInfoResponse`, with a `signed_access_token` of a user-level app.
fn access_info(token: &str, g: &Grant, expires_at: i64, signatures: (String, String)) -> Value {
    let uid = g.user.user_id;
    let scope_bytes: Vec<u8> = g
        .scopes
        .iter()
        .filter_map(|s| DEFAULT_SCOPES.iter().position(|d| d == s))
        .filter_map(|i| u8::try_from(i).ok())
        .collect();
    let mut v = identity(token, g);
    v["expires_in"] = json!((expires_at - now_ms()).max(0) / 1000);
    v["token_use"] = json!("access_token");
    v["is_private_distribution"] = json!(true);
    v["signed_access_token"] = json!({
        "expiresAt": expires_at,
        "scopes": base64(g.scopes.join(" ").as_bytes()),
        "hubId": PORTAL_ID,
        "userId": uid,
        "appId": OAUTH_APP_ID,
        "signature": signatures.0,
        "scopeToScopeGroupPks": base64(&scope_bytes),
        "newSignature": signatures.1,
        "hublet": "na1",
        "trialScopes": "",
        "trialScopeToScopeGroupPks": "",
        "isUserLevel": true,
        "isPrivateDistribution": true,
        "installingUserId": uid,
        "isServiceAccount": false,
        "appInstallId": (60_000_000 + uid % 10_000_000).to_string(),
        "audience": OAUTH_CLIENT_ID,
    });
    v
}

/// `POST /oauth/2026-03/token/revoke`: 204, also for tokens it does not know (RFC 7009).
pub(super) fn revoke(tokens: &Tokens, req: &Request) -> Response {
    reply(token_param(req).map(|token| {
        tokens.revoke(&token);
        None
    }))
}
