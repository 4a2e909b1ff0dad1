//! Log output: one JSON object per line on stderr (the original design's pino shape, which Railway's log
//! view parses), or a short human line with `LOG_FORMAT=pretty`.
//!
//! Built on `log` + `env_logger` with a custom format; key-values given to the `log` macros
//! (`info!(addr:% = a; "listening")`) become JSON fields. Callers pass only values that are safe to
//! show: tokens and secrets are [`Secret`](crate::obs::redact::Secret)s, session ids go through
//! [`session_hint`](crate::obs::redact::session_hint). stdout is never written (stdio transport owns it).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use log::kv::{Key, Value, VisitSource};

use crate::config::LogFormat;

/// Static fields on every line.
#[derive(Debug, Clone)]
pub(crate) struct LogContext {
    /// `service`: the Railway service name or `hubspot-mcp`.
    pub(crate) service: String,
    /// `environment`: `NODE_ENV`.
    pub(crate) environment: &'static str,
}

/// Installs the global logger. Safe to call twice (the second call does nothing).
pub(crate) fn init(
    level: log::LevelFilter,
    format: LogFormat,
    flush_every: std::time::Duration,
    ctx: LogContext,
) {
    let mut b = env_logger::Builder::new();
    b.filter_level(level)
        // Our dependencies' own chatter (tiny_http accept errors) only at warn and above.
        .filter_module("tiny_http", log::LevelFilter::Warn)
        .target(env_logger::Target::Pipe(Box::new(
            super::log_sink::Sink::new(flush_every),
        )));
    match format {
        LogFormat::Json => {
            b.format(move |buf, record| {
                super::log_sink::urgent(record.level());
                let line = json_line(record, &ctx);
                buf.write_all(line.as_bytes())
            });
        }
        LogFormat::Pretty => {
            b.format(|buf, record| {
                super::log_sink::urgent(record.level());
                let mut kv = String::new();
                let _ = record.key_values().visit(&mut PrettyKv(&mut kv));
                writeln!(
                    buf,
                    "{} {:5} {}{}",
                    rfc3339(SystemTime::now()),
                    record.level(),
                    record.args(),
                    kv
                )
            });
        }
    }
    let _ = b.try_init();
}

/// What the worker thread serving a request knows about it: its id (added to every log line written
/// on the thread meanwhile, from any module) and the notes handlers leave for the access-log line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequestNotes {
    /// The request id (`X-Request-Id`).
    request_id: String,
    /// The JSON-RPC method, when the body was one message (a batch notes its first).
    pub(crate) rpc_method: Option<String>,
    /// The tool called.
    pub(crate) tool: Option<String>,
    /// The session's log-safe hint (never the id itself).
    pub(crate) session: Option<String>,
    /// The token's subject, when authentication is on.
    pub(crate) principal: Option<String>,
}

thread_local! {
    static CURRENT: RefCell<Option<RequestNotes>> = const { RefCell::new(None) };
}

/// Starts a request on this thread: log lines written until [`end_request`] carry `request_id`.
pub(crate) fn begin_request(request_id: &str) {
    CURRENT.with(|c| {
        *c.borrow_mut() = Some(RequestNotes {
            request_id: request_id.to_string(),
            ..RequestNotes::default()
        });
    });
}

/// Carries a request on to this thread with the notes it has so far (its head was checked on the
/// connection's thread; a worker serves the rest).
pub(crate) fn resume_request(notes: RequestNotes) {
    CURRENT.with(|c| *c.borrow_mut() = Some(notes));
}

/// Ends the request on this thread and returns its notes.
pub(crate) fn end_request() -> Option<RequestNotes> {
    CURRENT.with(|c| c.borrow_mut().take())
}

/// Adds to the current request's notes (no effect outside a request, e.g. on the stdio transport).
/// The first value noted for a field is kept.
pub(crate) fn note(f: impl FnOnce(&mut RequestNotes)) {
    CURRENT.with(|c| {
        if let Ok(mut cur) = c.try_borrow_mut() {
            if let Some(n) = cur.as_mut() {
                f(n);
            }
        }
    });
}

/// The current request's id, if this thread is serving one.
fn current_request_id() -> Option<String> {
    CURRENT.with(|c| {
        c.try_borrow()
            .ok()
            .and_then(|n| n.as_ref().map(|n| n.request_id.clone()))
    })
}

fn json_line(record: &log::Record<'_>, ctx: &LogContext) -> String {
    // Fields by borrowed name, written once into the line: the access log line of every request was a
    // `Map` of owned keys and values (33 allocations of a tool call's 580), now a handful.
    let mut m: BTreeMap<Cow<'_, str>, Field<'_>> = BTreeMap::new();
    m.insert(
        "time".into(),
        Field::Text(rfc3339(SystemTime::now()).into()),
    );
    m.insert("level".into(), Field::Text(record.level().as_str().into()));
    m.insert("msg".into(), Field::Args(record.args()));
    m.insert("service".into(), Field::Text(ctx.service.as_str().into()));
    m.insert(
        "version".into(),
        Field::Text(env!("CARGO_PKG_VERSION").into()),
    );
    m.insert("environment".into(), Field::Text(ctx.environment.into()));
    if record.level() <= log::Level::Warn || record.level() == log::Level::Trace {
        m.insert("target".into(), Field::Text(record.target().into()));
    }
    if let Some(id) = current_request_id() {
        m.insert("request_id".into(), Field::Text(id.into()));
    }
    let _ = record.key_values().visit(&mut JsonKv(&mut m));
    let mut out = Vec::with_capacity(256);
    let _ = serde_json::to_writer(&mut out, &m);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// A field's value in a JSON log line.
enum Field<'a> {
    Text(Cow<'a, str>),
    /// The message, formatted straight into the line.
    Args(&'a std::fmt::Arguments<'a>),
    /// A value given to a log macro: a number or a boolean as itself, anything else as text.
    Kv(Value<'a>),
    /// An audit line's fields, a JSON object of their own (`approval::audit`).
    Json(serde_json::Value),
}

impl serde::Serialize for Field<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Text(t) => s.serialize_str(t),
            Field::Args(a) => s.collect_str(a),
            Field::Json(v) => v.serialize(s),
            Field::Kv(v) => {
                if let Some(n) = v.to_u64() {
                    s.serialize_u64(n)
                } else if let Some(n) = v.to_i64() {
                    s.serialize_i64(n)
                } else if let Some(b) = v.to_bool() {
                    s.serialize_bool(b)
                } else if let Some(f) = v.to_f64() {
                    match serde_json::Number::from_f64(f) {
                        Some(n) => n.serialize(s),
                        None => s.serialize_unit(),
                    }
                } else {
                    s.collect_str(v)
                }
            }
        }
    }
}

struct JsonKv<'a, 'kvs>(&'a mut BTreeMap<Cow<'kvs, str>, Field<'kvs>>);

/// True for a `None` given to a log macro: such fields are left out of the line.
fn is_null(value: &Value<'_>) -> bool {
    struct Null(bool);
    impl<'v> log::kv::VisitValue<'v> for Null {
        fn visit_any(&mut self, _: Value<'_>) -> Result<(), log::kv::Error> {
            Ok(())
        }
        fn visit_null(&mut self) -> Result<(), log::kv::Error> {
            self.0 = true;
            Ok(())
        }
    }
    let mut n = Null(false);
    let _ = value.visit(&mut n);
    n.0
}

impl<'kvs> VisitSource<'kvs> for JsonKv<'_, 'kvs> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        if is_null(&value) {
            return Ok(());
        }
        if key.as_str() == "audit" {
            if let Ok(v @ serde_json::Value::Object(_)) =
                serde_json::from_str::<serde_json::Value>(&value.to_string())
            {
                self.0.insert("audit".into(), Field::Json(v));
                return Ok(());
            }
        }
        let name = match key.to_borrowed_str() {
            Some(k) => Cow::Borrowed(k),
            None => Cow::Owned(key.as_str().to_string()),
        };
        self.0.insert(name, Field::Kv(value));
        Ok(())
    }
}

struct PrettyKv<'a>(&'a mut String);

impl<'kvs> VisitSource<'kvs> for PrettyKv<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        use std::fmt::Write as _;
        if is_null(&value) {
            return Ok(());
        }
        let _ = write!(self.0, " {key}={value}");
        Ok(())
    }
}

/// Formats a time as RFC 3339 UTC with milliseconds, e.g. `2026-11-26T06:14:27.123Z`.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example that was this item's doctest (the item is crate-private now).
    #[test]
    fn rfc3339_example() {
        use std::time::{Duration, UNIX_EPOCH};
        let t = UNIX_EPOCH + Duration::from_millis(1_795_673_667_123);
        assert_eq!(rfc3339(t), "2026-11-26T06:14:27.123Z");
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    fn line(level: log::Level, kvs: &[(&str, Value<'_>)]) -> String {
        let ctx = LogContext {
            service: "svc \"quoted\"".into(),
            environment: "production",
        };
        json_line(
            &log::Record::builder()
                .args(format_args!("said \"{}\"\n", "hi"))
                .level(level)
                .target("hubspot_mcp::x")
                .key_values(&kvs)
                .build(),
            &ctx,
        )
    }

    /// One JSON object per line, keys in order, every kind of value a log macro is given written as
    /// the kind it is: numbers, booleans, text (escaped), a `None` left out, an audit object nested.
    #[test]
    fn a_json_line_holds_every_field_as_its_kind() {
        let ip = std::net::Ipv4Addr::LOCALHOST;
        let kvs = [
            ("status", Value::from(404u64)),
            ("delta", Value::from(-3i64)),
            ("ok", Value::from(true)),
            ("ratio", Value::from(0.5f64)),
            ("nan", Value::from(f64::NAN)),
            ("path", Value::from("/mcp?\"x\"\u{1}")),
            ("addr", Value::from_display(&ip)),
            ("gone", Value::null()),
            ("audit", Value::from("{\"tool\":\"t\",\"n\":1}")),
            ("version", Value::from("override")),
        ];
        let text = line(log::Level::Info, &kvs);
        assert!(
            text.ends_with("}\n") && text.matches('\n').count() == 1,
            "{text}"
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let time = v["time"].as_str().unwrap().to_string();
        assert_eq!(
            v,
            serde_json::json!({"time": time, "level": "INFO", "msg": "said \"hi\"\n",
                "service": "svc \"quoted\"", "version": "override", "environment": "production",
                "status": 404, "delta": -3, "ok": true, "ratio": 0.5, "nan": null,
                "path": "/mcp?\"x\"\u{1}", "addr": "127.0.0.1", "audit": {"tool": "t", "n": 1}})
        );
        // Keys sorted, as Railway's log view has always been given them.
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let at = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
        let mut by_position = keys.clone();
        by_position.sort_by_key(|k| at(k));
        assert_eq!(by_position, keys, "{text}");
        // An audit value that is not an object is text; warnings name their target.
        let text = line(log::Level::Warn, &[("audit", Value::from("[1]"))]);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (&v["audit"], &v["target"]),
            (&"[1]".into(), &"hubspot_mcp::x".into())
        );
    }
}
