//! Log output: one JSON object per line on stderr (the original design's pino shape, which Railway's log
//! view parses), or a short human line with `LOG_FORMAT=pretty`.
//!
//! Built on `log` + `env_logger` with a custom format; key-values given to the `log` macros
//! (`info!(addr:% = a; "listening")`) become JSON fields. Callers pass only values that are safe to
//! show: tokens and secrets are [`Secret`](crate::obs::redact::Secret)s, session ids go through
//! [`session_hint`](crate::obs::redact::session_hint). stdout is never written (stdio transport owns it).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use log::kv::{Key, Value, VisitSource};

use crate::config::LogFormat;

/// Static fields on every line.
#[derive(Debug, Clone)]
pub struct LogContext {
    /// `service`: the Railway service name or `hubspot-mcp`.
    pub service: String,
    /// `environment`: `NODE_ENV`.
    pub environment: &'static str,
}

/// Installs the global logger. Safe to call twice (the second call does nothing).
pub fn init(level: log::LevelFilter, format: LogFormat, ctx: LogContext) {
    let mut b = env_logger::Builder::new();
    b.filter_level(level)
        // Our dependencies' own chatter (tiny_http accept errors) only at warn and above.
        .filter_module("tiny_http", log::LevelFilter::Warn)
        .target(env_logger::Target::Stderr);
    match format {
        LogFormat::Json => {
            b.format(move |buf, record| {
                let line = json_line(record, &ctx);
                buf.write_all(line.as_bytes())
            });
        }
        LogFormat::Pretty => {
            b.format(|buf, record| {
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

fn json_line(record: &log::Record<'_>, ctx: &LogContext) -> String {
    let mut m = serde_json::Map::new();
    m.insert("time".into(), rfc3339(SystemTime::now()).into());
    m.insert("level".into(), record.level().as_str().into());
    m.insert("msg".into(), record.args().to_string().into());
    m.insert("service".into(), ctx.service.clone().into());
    m.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    m.insert("environment".into(), ctx.environment.into());
    if record.level() <= log::Level::Warn || record.level() == log::Level::Trace {
        m.insert("target".into(), record.target().into());
    }
    let _ = record.key_values().visit(&mut JsonKv(&mut m));
    let mut s = serde_json::Value::Object(m).to_string();
    s.push('\n');
    s
}

struct JsonKv<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl<'kvs> VisitSource<'kvs> for JsonKv<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        let v = if let Some(n) = value.to_u64() {
            n.into()
        } else if let Some(n) = value.to_i64() {
            n.into()
        } else if let Some(b) = value.to_bool() {
            b.into()
        } else if let Some(f) = value.to_f64() {
            serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        } else {
            value.to_string().into()
        };
        self.0.insert(key.as_str().to_string(), v);
        Ok(())
    }
}

struct PrettyKv<'a>(&'a mut String);

impl<'kvs> VisitSource<'kvs> for PrettyKv<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        use std::fmt::Write as _;
        let _ = write!(self.0, " {key}={value}");
        Ok(())
    }
}

/// Formats a time as RFC 3339 UTC with milliseconds, e.g. `2026-11-26T06:14:27.123Z`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_millis(1_795_673_667_123);
/// assert_eq!(hubspot_mcp::obs::log::rfc3339(t), "2026-11-26T06:14:27.123Z");
/// ```
pub fn rfc3339(t: SystemTime) -> String {
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
