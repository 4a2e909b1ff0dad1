//! HubSpot's error bodies: `{"status":"error","message","correlationId","category",…}` with the
//! categories, messages and extra fields (`context`, `errors`, `links`) HubSpot sends, property validation
//! errors (`Property values were not valid: [...]`), and correlation ids (UUID v4).

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Map, Value};

use crate::time::iso_ms;
use crate::types::PORTAL_ID;

/// An API error, rendered as HubSpot's error body by [`ApiError::body`].
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// HTTP status.
    pub(crate) status: u16,
    /// HubSpot's `category`.
    category: &'static str,
    /// The human-readable message.
    pub(crate) message: String,
    /// `context`, `errors` and `links`, boxed to keep `Result<_, ApiError>` small.
    extra: Option<Box<Extra>>,
}

/// The optional parts of an error body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    /// Optional `context` object.
    context: Option<Value>,
    /// Optional `errors` array.
    errors: Option<Value>,
    /// Optional `links` object.
    links: Option<Value>,
}

/// The message HubSpot sends with 401s.
pub(crate) const AUTH_MESSAGE: &str = "Authentication credentials not found. This API supports OAuth 2.0 \
authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview";

impl ApiError {
    /// An error with a status, category and message.
    pub(crate) fn new(status: u16, category: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            category,
            message: message.into(),
            extra: None,
        }
    }

    /// 400 VALIDATION_ERROR.
    pub(crate) fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "VALIDATION_ERROR", message)
    }

    /// 404 for an object id that does not exist (HubSpot's exact wording, two spaces included).
    pub(crate) fn object_not_found(id: &str) -> ApiError {
        ApiError::new(
            404,
            "OBJECT_NOT_FOUND",
            "Object not found.  objectId are usually numeric.",
        )
        .with_context(json!({ "id": [id] }))
    }

    /// 404 for other resources (properties, groups, pipelines, owners, schemas, flows).
    pub(crate) fn resource_not_found() -> ApiError {
        ApiError::new(404, "OBJECT_NOT_FOUND", "resource not found")
    }

    /// 409 CONFLICT.
    pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(409, "CONFLICT", message)
    }

    /// 401 INVALID_AUTHENTICATION.
    pub(crate) fn unauthorized() -> ApiError {
        ApiError::new(401, "INVALID_AUTHENTICATION", AUTH_MESSAGE)
    }

    /// 401 EXPIRED_AUTHENTICATION for an OAuth access token that expired at `expired_at` (epoch ms), in
    /// HubSpot's words ("The OAuth token used to make this call expired 3 minute(s) ago.") with
    /// `context["expire time"]`.
    pub(crate) fn expired_token(expired_at: i64, now: i64) -> ApiError {
        let secs = (now - expired_at).max(0) / 1000;
        let ago = match secs {
            s if s < 120 => format!("{s} second(s)"),
            s if s < 7200 => format!("{} minute(s)", s / 60),
            s if s < 172_800 => format!("{} hour(s)", s / 3600),
            s => format!("{} day(s)", s / 86_400),
        };
        ApiError::new(
            401,
            "EXPIRED_AUTHENTICATION",
            format!("The OAuth token used to make this call expired {ago} ago."),
        )
        .with_context(json!({ "expire time": [iso_ms(expired_at)] }))
    }

    /// 403 MISSING_SCOPES listing the scopes of which one is required.
    pub(crate) fn missing_scopes(required: &[&str]) -> ApiError {
        let mut e = ApiError::new(
            403,
            "MISSING_SCOPES",
            "This app hasn't been granted all required scopes to make this call. Read more about required \
             scopes here: https://developers.hubspot.com/scopes.",
        );
        let extra = e.extra_mut();
        extra.errors = Some(json!([{
            "message": "One or more of the following scopes are required.",
            "context": { "requiredScopes": required },
        }]));
        extra.links = Some(json!({ "scopes": "https://developers.hubspot.com/scopes" }));
        e
    }

    /// 400 for a body that is not the JSON the endpoint takes, worded like HubSpot's Jackson errors.
    pub(crate) fn invalid_json(err: &serde_json::Error) -> ApiError {
        ApiError::validation(format!(
            "Invalid input JSON on line {}, column {}: {}",
            err.line(),
            err.column(),
            err
        ))
    }

    /// 400 VALIDATION_ERROR for a request that carries a body where HubSpot's reference defines none
    /// (no `requestBody`, e.g. `PUT …/associations/default/{to}/{toId}`). The reference gives such
    /// operations only the shared `Error` response, whose example is this category, and documents no
    /// 415; the wording is the sandbox's own.
    pub(crate) fn unexpected_body(method: &str, template: &str) -> ApiError {
        ApiError::validation(format!(
            "Invalid input: {method} {template} takes no request body; send none (and no Content-Type)"
        ))
        .with_context(json!({ "requestBody": ["none defined"] }))
    }

    /// 400 for a JSON body of the wrong shape.
    pub(crate) fn bad_input(what: impl std::fmt::Display) -> ApiError {
        ApiError::validation(format!("Invalid input JSON on line 1, column 1: {what}"))
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Adds `context`.
    pub(crate) fn with_context(mut self, context: Value) -> ApiError {
        self.extra_mut().context = Some(context);
        self
    }

    /// HubSpot's JSON body for this error.
    pub(crate) fn body(&self, correlation_id: &str) -> Value {
        let mut m = Map::new();
        m.insert("status".into(), json!("error"));
        m.insert("message".into(), json!(self.message));
        m.insert("correlationId".into(), json!(correlation_id));
        m.insert("category".into(), json!(self.category));
        if let Some(x) = &self.extra {
            for (k, v) in [
                ("context", &x.context),
                ("errors", &x.errors),
                ("links", &x.links),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), v.clone());
                }
            }
        }
        Value::Object(m)
    }
}

/// One invalid property value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PropError {
    /// The property name.
    pub(crate) name: String,
    /// HubSpot's code: PROPERTY_DOESNT_EXIST, INVALID_OPTION, INVALID_EMAIL, …
    pub(crate) error: &'static str,
    /// The message.
    pub(crate) message: String,
}

impl PropError {
    /// A property error.
    pub(crate) fn new(name: &str, error: &'static str, message: impl Into<String>) -> PropError {
        PropError {
            name: name.to_string(),
            error,
            message: message.into(),
        }
    }

    /// `Property "foo" does not exist`.
    pub(crate) fn unknown(name: &str) -> PropError {
        PropError::new(
            name,
            "PROPERTY_DOESNT_EXIST",
            format!("Property \"{name}\" does not exist"),
        )
    }
}

/// 400 VALIDATION_ERROR: `Property values were not valid: [{"isValid":false,…}]`.
pub(crate) fn property_errors(errs: &[PropError]) -> ApiError {
    // Built by hand to keep HubSpot's key order (isValid, message, error, name, ...).
    let js = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let items: Vec<String> = errs
        .iter()
        .map(|e| {
            format!(
                "{{\"isValid\":false,\"message\":{},\"error\":{},\"name\":{},\"localizedErrorMessage\":{},\"portalId\":{PORTAL_ID}}}",
                js(&e.message),
                js(e.error),
                js(&e.name),
                js(&e.message)
            )
        })
        .collect();
    let inner = format!("[{}]", items.join(","));
    let mut err = ApiError::validation(format!("Property values were not valid: {inner}"));
    err.extra_mut().errors = Some(Value::Array(
        errs.iter()
            .map(|e| {
                json!({
                    "message": e.message,
                    "code": e.error,
                    "context": { "propertyName": [e.name] },
                })
            })
            .collect(),
    ));
    err
}

static FALLBACK: AtomicU64 = AtomicU64::new(1);

/// A UUID v4 string for `correlationId` (random; a counter if the OS has no randomness to give).
pub(crate) fn correlation_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        let n = FALLBACK.fetch_add(1, Ordering::Relaxed);
        b[..8].copy_from_slice(&n.to_le_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_are_uuid_v4() {
        let id = correlation_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(id, correlation_id());
    }

    #[test]
    fn expired_token_wording() {
        let e = ApiError::expired_token(1_000, 76_000);
        assert_eq!(e.status, 401);
        assert_eq!(
            e.message,
            "The OAuth token used to make this call expired 75 second(s) ago."
        );
        let body = e.body("x");
        assert_eq!(body["category"], "EXPIRED_AUTHENTICATION");
        assert_eq!(
            body["context"]["expire time"][0],
            "1970-01-01T00:00:01.000Z"
        );
        assert!(ApiError::expired_token(0, 5 * 3_600_000)
            .message
            .contains("expired 5 hour(s) ago"));
    }

    #[test]
    fn property_error_message_embeds_the_json_list() {
        let e = property_errors(&[PropError::unknown("foo")]);
        assert_eq!(e.status, 400);
        assert!(e
            .message
            .starts_with("Property values were not valid: [{\"isValid\":false"));
        assert!(e.message.contains("\"error\":\"PROPERTY_DOESNT_EXIST\""));
        assert!(e.message.contains("Property \\\"foo\\\" does not exist"));
        let body = e.body("x");
        assert_eq!(body["category"], "VALIDATION_ERROR");
        assert_eq!(body["errors"][0]["context"]["propertyName"][0], "foo");
    }
}
