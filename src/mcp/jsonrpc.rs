//! JSON-RPC 2.0 envelopes: parsing client messages, writing responses, error codes.
//!
//! The envelope is parsed as a `serde_json::Value` and checked field by field (`jsonrpc`, `id`,
//! `method`, `params`), never through untagged enums, so each defect gets the right code. This is
//! the only module that writes the envelope; handlers return results or [`RpcError`]s.

use std::fmt;

use serde_json::{Map, Value};

/// JSON-RPC and MCP error codes.
pub(crate) mod code {
    /// Invalid JSON.
    pub(crate) const PARSE_ERROR: i32 = -32700;
    /// Not a valid request object.
    pub(crate) const INVALID_REQUEST: i32 = -32600;
    /// Unknown method.
    pub(crate) const METHOD_NOT_FOUND: i32 = -32601;
    /// Bad parameters.
    pub(crate) const INVALID_PARAMS: i32 = -32602;
    /// A fault of ours.
    pub(crate) const INTERNAL_ERROR: i32 = -32603;
    /// Transport-level refusals (busy, session problems) that have no code of their own.
    pub(crate) const SERVER_ERROR: i32 = -32000;
    /// Unknown or expired session (the code the official SDKs use with HTTP 404).
    pub(crate) const SESSION_NOT_FOUND: i32 = -32001;
    /// 2025 revisions: the resource named by `resources/read` does not exist.
    pub(crate) const RESOURCE_NOT_FOUND: i32 = -32002;
    /// 2026-07-28: a standard header disagrees with the body or is missing.
    pub(crate) const HEADER_MISMATCH: i32 = -32020;
    /// 2026-07-28: the requested protocol version is not supported.
    pub(crate) const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
    /// The client cancelled the request (LSP's code; MCP defines none).
    pub(crate) const REQUEST_CANCELLED: i32 = -32800;
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The code, one of `code`.
    pub code: i32,
    /// A message a person can act on.
    pub(crate) message: String,
    /// Structured detail, when the spec defines some.
    pub(crate) data: Option<Value>,
}

impl RpcError {
    /// An error with no data.
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
    /// Attaches `data`.
    pub(crate) fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
    /// -32700.
    fn parse(detail: impl fmt::Display) -> Self {
        Self::new(code::PARSE_ERROR, format!("Parse error: {detail}"))
    }
    /// -32600.
    pub(crate) fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_REQUEST, format!("Invalid request: {detail}"))
    }
    /// -32601.
    pub(crate) fn method_not_found(method: &str) -> Self {
        Self::new(
            code::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    }
    /// -32602.
    pub(crate) fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_PARAMS, format!("Invalid params: {detail}"))
    }
    /// -32603.
    pub(crate) fn internal(detail: impl fmt::Display) -> Self {
        Self::new(code::INTERNAL_ERROR, format!("Internal error: {detail}"))
    }
    /// The error object as JSON.
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), self.code.into());
        m.insert("message".into(), self.message.clone().into());
        if let Some(d) = &self.data {
            m.insert("data".into(), d.clone());
        }
        Value::Object(m)
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for RpcError {}

/// A request: it has an id and wants a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// A string or a number, echoed in the response.
    pub(crate) id: Value,
    /// The method name.
    pub(crate) method: String,
    /// The method, when this server knows it (parsed once, here).
    pub(crate) kind: Option<crate::mcp::method::Method>,
    /// The params object (`{}` when absent).
    pub(crate) params: Map<String, Value>,
}

/// A notification: no id, no response.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The method name.
    pub(crate) method: String,
    /// The params object (`{}` when absent).
    pub(crate) params: Map<String, Value>,
}

/// One client message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Wants a response.
    Request(Request),
    /// Fire and forget.
    Notification(Notification),
    /// A response to a server-initiated request (an elicitation's answer): `id` and `result` or `error`.
    Response(Value),
}

impl Message {}

/// A POST body: one message or (2025-03-26 only) a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A single JSON object.
    Single(Value),
    /// A non-empty JSON array.
    Batch(Vec<Value>),
}

/// Parses a request body. Invalid JSON is -32700; JSON that is neither an object nor a non-empty array
/// is -32600. serde_json's recursion limit (128) bounds nesting depth.
///
/// ```
/// use hubspot_mcp::mcp::jsonrpc::parse_body;
/// assert_eq!(parse_body(b"{").unwrap_err().code, -32700);
/// assert_eq!(parse_body(b"[]").unwrap_err().code, -32600);
/// assert!(parse_body(br#"{"jsonrpc":"2.0","method":"ping","id":1}"#).is_ok());
/// ```
pub fn parse_body(bytes: &[u8]) -> Result<Body, RpcError> {
    let v: Value = serde_json::from_slice(bytes).map_err(RpcError::parse)?;
    match v {
        Value::Object(_) => Ok(Body::Single(v)),
        Value::Array(a) if !a.is_empty() => Ok(Body::Batch(a)),
        Value::Array(_) => Err(RpcError::invalid_request("empty batch")),
        _ => Err(RpcError::invalid_request(
            "the body must be a JSON-RPC object",
        )),
    }
}

/// Counts the JSON values (array elements, object members, scalars) in a body as its bytes arrive, in
/// one pass and without parsing: an upper bound from the structural characters outside strings. A
/// parsed value costs tens of bytes however short its text (`[0,0,…]` is 2 bytes an element, 32 as a
/// tree), so a body's size alone does not bound its memory; this count does.
#[derive(Debug, Clone)]
pub(crate) struct ValueCounter {
    count: usize,
    max: usize,
    in_string: bool,
    escaped: bool,
}

impl ValueCounter {
    /// A counter that refuses more than `max` values.
    pub(crate) fn new(max: usize) -> Self {
        ValueCounter {
            count: 1,
            max,
            in_string: false,
            escaped: false,
        }
    }

    /// Feeds the next bytes; false once the body holds more than `max` values.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' | b'{' | b',' | b':' => {
                    self.count += 1;
                    if self.count > self.max {
                        return false;
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// The refusal for a body over the bound.
    pub(crate) fn refusal(&self) -> RpcError {
        RpcError::new(
            code::SERVER_ERROR,
            format!(
                "Payload Too Large: the body holds more than {} JSON values (MCP_MAX_JSON_VALUES)",
                self.max
            ),
        )
    }
}

/// Refuses a body that holds more than `max_values` JSON values (see `ValueCounter`).
///
/// ```
/// use hubspot_mcp::mcp::jsonrpc::check_size;
/// assert!(check_size(br#"{"a":[1,2,"x,y:[{"]}"#, 8).is_ok());
/// assert!(check_size(b"[0,0,0,0,0,0,0,0,0,0]", 8).is_err());
/// ```
pub fn check_size(bytes: &[u8], max_values: usize) -> Result<(), RpcError> {
    let mut c = ValueCounter::new(max_values);
    if c.feed(bytes) {
        Ok(())
    } else {
        Err(c.refusal())
    }
}

/// Checks one envelope. On failure returns the id to answer with (`null` when none could be read).
pub fn parse_message(v: Value) -> Result<Message, (Value, RpcError)> {
    let Value::Object(mut m) = v else {
        return Err((
            Value::Null,
            RpcError::invalid_request("a message must be a JSON object"),
        ));
    };
    let id = m.remove("id");
    let reply_id = match &id {
        Some(i @ (Value::String(_) | Value::Number(_))) => i.clone(),
        _ => Value::Null,
    };
    if m.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((
            reply_id,
            RpcError::invalid_request("\"jsonrpc\" must be \"2.0\""),
        ));
    }
    let method = match m.remove("method") {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(_) => {
            return Err((
                reply_id,
                RpcError::invalid_request("\"method\" must be a non-empty string"),
            ))
        }
        None => None,
    };
    let Some(method) = method else {
        // No method: a response (result or error) to a server request, or garbage.
        if m.contains_key("result") || m.contains_key("error") {
            if let Some(i) = id {
                m.insert("id".into(), i);
            }
            return Ok(Message::Response(Value::Object(m)));
        }
        return Err((reply_id, RpcError::invalid_request("missing \"method\"")));
    };
    let params = match m.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p,
        Some(_) => {
            return Err((
                reply_id,
                RpcError::invalid_request("\"params\" must be an object"),
            ))
        }
    };
    match id {
        None => Ok(Message::Notification(Notification { method, params })),
        Some(i @ (Value::String(_) | Value::Number(_))) => Ok(Message::Request(Request {
            id: i,
            kind: crate::mcp::method::Method::parse(&method),
            method,
            params,
        })),
        Some(_) => Err((
            Value::Null,
            RpcError::invalid_request("\"id\" must be a string or a number (not null)"),
        )),
    }
}

/// A success response with a result value, serialized straight into the reply's buffer (through
/// `Display`, `format!` would send every JSON token through the formatting machinery).
pub(crate) fn response(id: &Value, result: &Value) -> String {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    // Writing a `Value` into a `Vec` cannot fail: every key is a string, every number finite.
    let _ = serde_json::to_writer(&mut out, id);
    out.extend_from_slice(br#","result":"#);
    let _ = serde_json::to_writer(&mut out, result);
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A success response around already-serialized result JSON (the cached `tools/list` pages).
pub(crate) fn response_raw(id: &Value, raw_result: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{raw_result}}}"#)
}

/// An error response; `id` is `null` when the request's id could not be read.
pub(crate) fn error_response(id: &Value, e: &RpcError) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"error":{}}}"#, e.to_value())
}

/// An error body for a transport-level refusal (no id, as the spec allows for 4xx bodies).
pub(crate) fn error_without_id(e: &RpcError) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":null,"error":{}}}"#, e.to_value())
}

/// A notification from the server.
pub(crate) fn notification(method: &str, params: &Value) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","method":{},"params":{params}}}"#,
        Value::from(method)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> (Value, i32) {
        let (id, e) = parse_message(v).unwrap_err();
        (id, e.code)
    }

    #[test]
    fn envelopes_are_checked_field_by_field() {
        assert_eq!(
            err(json!({"id":1,"method":"ping"})),
            (json!(1), code::INVALID_REQUEST)
        );
        assert_eq!(
            err(json!({"jsonrpc":"1.0","id":"a","method":"ping"})),
            (json!("a"), code::INVALID_REQUEST)
        );
        assert_eq!(
            err(json!({"jsonrpc":"2.0","id":1,"method":7})),
            (json!(1), code::INVALID_REQUEST)
        );
        assert_eq!(
            err(json!({"jsonrpc":"2.0","id":null,"method":"ping"})),
            (Value::Null, code::INVALID_REQUEST)
        );
        assert_eq!(
            err(json!({"jsonrpc":"2.0","id":{},"method":"ping"})),
            (Value::Null, code::INVALID_REQUEST)
        );
        assert_eq!(
            err(json!({"jsonrpc":"2.0","id":2,"method":"x","params":[1]})),
            (json!(2), code::INVALID_REQUEST)
        );
        assert_eq!(
            err(json!({"jsonrpc":"2.0","id":3})),
            (json!(3), code::INVALID_REQUEST)
        );
        assert_eq!(err(json!(5)), (Value::Null, code::INVALID_REQUEST));
    }

    #[test]
    fn messages_are_classified() {
        let r = parse_message(json!({"jsonrpc":"2.0","id":"x","method":"ping"})).unwrap();
        assert!(matches!(r, Message::Request(ref q) if q.id == json!("x") && q.params.is_empty()));
        let n =
            parse_message(json!({"jsonrpc":"2.0","method":"notifications/initialized"})).unwrap();
        assert!(matches!(n, Message::Notification(_)));
        let s = parse_message(json!({"jsonrpc":"2.0","id":1,"result":{}})).unwrap();
        assert_eq!(
            s,
            Message::Response(json!({"jsonrpc": "2.0", "id": 1, "result": {}}))
        );
    }

    #[test]
    fn deep_nesting_is_a_parse_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse_body(deep.as_bytes()).unwrap_err().code,
            code::PARSE_ERROR
        );
    }

    #[test]
    fn writers_produce_valid_json() {
        let e = RpcError::invalid_params("bad \"x\"").with_data(json!({"a":1}));
        let v: Value = serde_json::from_str(&error_response(&json!(1), &e)).unwrap();
        assert_eq!(v["error"]["code"], -32602);
        assert_eq!(v["error"]["data"]["a"], 1);
        let v: Value = serde_json::from_str(&notification("n/x", &json!({"p":1}))).unwrap();
        assert_eq!(v["method"], "n/x");
    }
}
