//! HubSpot errors, keeping HubSpot's meaning: status, category, message, correlation id, and a hint a
//! model can act on (the scope to add, the id that was not found, the property that failed).

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// What went wrong, by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// HubSpot answered with an error status (4xx other than 429, or 5xx after retries).
    Api,
    /// 429 that could not be waited out within the deadline (interval limits).
    RateLimited {
        /// HubSpot's `policyName` (TEN_SECONDLY_ROLLING, SECONDLY).
        policy: String,
    },
    /// 429 DAILY: never retried; resets at midnight in the account's time zone.
    DailyLimit,
    /// No answer in time (connect, read, or the request's deadline).
    Timeout,
    /// The connection failed or broke.
    Network,
    /// HubSpot answered something that is not the JSON it documents.
    Decode,
    /// The client is not configured (no token) or cannot be built.
    Setup,
    /// Refused before any call: the request would use a property the operator masked
    /// (`HUBSPOT_MASKED_PROPERTIES`) as a filter, sort, search, key or written value.
    Masked,
}

/// A HubSpot error (boxed: it travels in `Result`s on hot paths, so it stays one pointer wide).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorDetail>);

impl std::ops::Deref for Error {
    type Target = ErrorDetail;
    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetail {
        &mut self.0
    }
}

/// What an [`Error`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    /// The kind.
    pub(crate) kind: ErrorKind,
    /// The HTTP status, when HubSpot answered.
    pub(crate) status: Option<u16>,
    /// HubSpot's `category` (OBJECT_NOT_FOUND, VALIDATION_ERROR, MISSING_SCOPES, CONFLICT, ...).
    pub(crate) category: Option<String>,
    /// HubSpot's (or our) message.
    pub(crate) message: String,
    /// HubSpot's `correlationId`, for HubSpot support.
    correlation_id: Option<String>,
    /// What to do next, in a sentence a model can follow.
    pub(crate) hint: Option<String>,
}

impl Error {
    /// An error of `kind` with a message and no HubSpot detail.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(ErrorDetail {
            kind,
            status: None,
            category: None,
            message: message.into(),
            correlation_id: None,
            hint: None,
        }))
    }

    /// Adds a hint.
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// Builds the error for a non-2xx HubSpot answer from its status and JSON body.
    pub(crate) fn from_response(status: u16, body: &Value) -> Error {
        let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        let message = s("message").unwrap_or_else(|| format!("HubSpot answered HTTP {status}"));
        let category = s("category").or_else(|| s("errorType"));
        let mut e = Error(Box::new(ErrorDetail {
            kind: ErrorKind::Api,
            status: Some(status),
            category,
            message,
            correlation_id: s("correlationId"),
            hint: None,
        }));
        e.hint = hint_for(status, e.category.as_deref(), &e.message, body);
        if status == 429 {
            let policy = s("policyName").unwrap_or_default();
            if policy == "DAILY" {
                e.kind = ErrorKind::DailyLimit;
                e.hint = Some(
                    "HubSpot's daily API limit for this account is used up; it resets at midnight in the \
                     account's time zone. This call was not retried."
                        .into(),
                );
            } else {
                e.kind = ErrorKind::RateLimited { policy };
                e.hint = Some("HubSpot's rate limit was hit and did not clear in time; retry in a few seconds.".into());
            }
        }
        e
    }

    /// True for HubSpot's 404 / OBJECT_NOT_FOUND.
    #[cfg(test)]
    fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
}

/// The hint for a HubSpot error body.
fn hint_for(status: u16, category: Option<&str>, message: &str, body: &Value) -> Option<String> {
    match (status, category) {
        (_, Some("MISSING_SCOPES")) | (403, _) => {
            let scopes = required_scopes(body);
            Some(if scopes.is_empty() {
                "The HubSpot token lacks a required scope; add it to the private app (Settings > Integrations > \
                 Private Apps > Scopes) and retry."
                    .to_string()
            } else {
                format!(
                    "The HubSpot token lacks the scope {}; add it to the private app (Settings > Integrations > \
                     Private Apps > Scopes) and retry.",
                    scopes.join(" or ")
                )
            })
        }
        (401, _) => Some(
            "The HubSpot token was rejected: check HUBSPOT_ACCESS_TOKEN (expired or revoked?)."
                .into(),
        ),
        (404, _) => Some(
            "No such record or resource: check the id and the object type (search to find ids)."
                .into(),
        ),
        (409, _) => {
            let existing = message
                .split("Existing ID:")
                .nth(1)
                .map(|s| s.trim().trim_end_matches('.').to_string());
            Some(match existing {
                Some(id) => format!(
                    "A record with that unique value already exists (id {id}); update it instead."
                ),
                None => {
                    "A conflicting record already exists; update it instead of creating it.".into()
                }
            })
        }
        (400, _) => {
            let props = invalid_properties(body, message);
            Some(if props.is_empty() {
                "HubSpot rejected the input; fix the arguments named in the message and retry."
                    .into()
            } else {
                format!(
                    "Invalid property {}; list the object's properties (hubspot_list_properties) for valid names and values.",
                    props.join(", ")
                )
            })
        }
        (500..=599, _) => Some("HubSpot had a server error; retrying later usually works.".into()),
        _ => None,
    }
}

fn required_scopes(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for e in body
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for key in ["requiredScopes", "requiredGranularScopes"] {
            for s in e
                .pointer(&format!("/context/{key}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(s) = s.as_str() {
                    if !out.iter().any(|o| o == s) {
                        out.push(s.to_string());
                    }
                }
            }
        }
    }
    out
}

/// Property names HubSpot complained about: from `errors[].context.propertyName`, from the embedded
/// `name` fields of "Property values were not valid" messages, or from `Property "x" does not exist`.
fn invalid_properties(body: &Value, message: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: &str| {
        if !s.is_empty() && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    };
    for e in body
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for p in e
            .pointer("/context/propertyName")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(p) = p.as_str() {
                push(p);
            }
        }
    }
    for part in message.split("\"name\":\"").skip(1) {
        if let Some(name) = part.split('"').next() {
            push(name);
        }
    }
    for part in message
        .split("Property \\\"")
        .skip(1)
        .chain(message.split("Property \"").skip(1))
    {
        if let Some(name) = part.split(['\\', '"']).next() {
            push(name);
        }
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, &self.kind) {
            (_, ErrorKind::Masked) => {
                f.write_str("Refused by this server, HubSpot was not called")?
            }
            (Some(s), _) => write!(f, "HubSpot error {s}")?,
            (None, _) => f.write_str("HubSpot request failed")?,
        }
        if let Some(c) = &self.category {
            write!(f, " ({c})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " Hint: {h}")?;
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " [correlationId {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Parses `Retry-After` (seconds) if present.
pub(crate) fn retry_after(value: Option<&str>) -> Option<Duration> {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(
            std::mem::size_of::<super::Error>(),
            std::mem::size_of::<usize>()
        );
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn hints_name_the_scope_the_property_and_the_existing_id() {
        let e = Error::from_response(
            403,
            &json!({"status":"error","message":"This app hasn't been granted all required scopes","correlationId":"c-1",
                "category":"MISSING_SCOPES","errors":[{"message":"x","context":{"requiredGranularScopes":["crm.objects.contacts.write"]}}]}),
        );
        let t = e.to_string();
        assert!(
            t.contains("crm.objects.contacts.write")
                && t.contains("c-1")
                && t.contains("MISSING_SCOPES"),
            "{t}"
        );

        let e = Error::from_response(
            400,
            &json!({"status":"error","category":"VALIDATION_ERROR","correlationId":"c-2",
                "message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"favcolor\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"favcolor\"}]"}),
        );
        assert!(e.hint.as_deref().unwrap().contains("favcolor"), "{e}");

        let e = Error::from_response(
            409,
            &json!({"message":"Contact already exists. Existing ID: 1234","category":"CONFLICT"}),
        );
        assert!(e.hint.as_deref().unwrap().contains("1234"));
        assert!(Error::from_response(
            404,
            &json!({"category":"OBJECT_NOT_FOUND","message":"nope"})
        )
        .is_not_found());
    }

    #[test]
    fn rate_limit_kinds() {
        let d = Error::from_response(
            429,
            &json!({"errorType":"RATE_LIMIT","policyName":"DAILY","message":"daily"}),
        );
        assert_eq!(d.kind, ErrorKind::DailyLimit);
        assert!(d.to_string().contains("not retried"));
        let t = Error::from_response(
            429,
            &json!({"errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}),
        );
        assert_eq!(
            t.kind,
            ErrorKind::RateLimited {
                policy: "TEN_SECONDLY_ROLLING".into()
            }
        );
        assert_eq!(retry_after(Some(" 3 ")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(Some("soon")), None);
    }
}
