//! `/health`: the original design's JSON (status, timestamp, version, environment, uptime, memory,
//! sessions, dependencies, metrics). 200 when healthy or degraded, 503 when unhealthy, so Railway's
//! health check and `hubspot-mcp healthcheck` read the same answer.
//!
//! Reading it is cheap (a few atomics, one map count, one small `/proc` read): dependency state is
//! whatever the background checks last recorded, never probed on the request path.

use std::time::SystemTime;

use serde_json::{json, Value};

use crate::app::App;
use crate::http::message::Reply;
use crate::mcp::session::now_ms;
use crate::obs::log::rfc3339;

/// Memory of this process and of its limit (the cgroup's, else the machine's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Resident bytes.
    pub used: u64,
    /// The limit in bytes.
    pub total: u64,
}

/// Reads resident memory from `/proc/self/statm` and the limit from cgroup v2 / v1 or `/proc/meminfo`.
pub fn memory() -> Memory {
    let page = 4096u64;
    let used = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * page);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|s| s.trim().parse::<u64>().ok())
    .find(|&n| n > 0 && n < (1 << 60));
    let total = cgroup
        .or_else(|| {
            std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
                    .map(|kb| kb * 1024)
            })
        })
        .unwrap_or(0);
    Memory { used, total }
}

/// The health report.
pub fn report(app: &App) -> Reply {
    let now = SystemTime::now();
    let mem = memory();
    let sessions = app.sessions.stats(now_ms());
    let m = app.metrics.snapshot();
    let checked = rfc3339(now);
    let auth = if app.config.jwt_secret().is_some() || app.config.jwks_uri().is_some() {
        json!({"status": "healthy", "lastChecked": checked, "detail": "bearer tokens verified"})
    } else {
        json!({"status": "healthy", "lastChecked": checked, "detail": "authentication off"})
    };
    let hubspot = json!({
        "status": "healthy",
        "lastChecked": checked,
        "detail": if app.config.hubspot_token().is_some() { "token configured" } else { "demo mode: built-in sandbox" },
    });
    let deps = [&hubspot, &auth];
    let status = if deps.iter().any(|d| d["status"] == "unhealthy") {
        "unhealthy"
    } else if deps.iter().any(|d| d["status"] == "degraded") {
        "degraded"
    } else {
        "healthy"
    };
    let body: Value = json!({
        "status": status,
        "timestamp": checked,
        "version": env!("CARGO_PKG_VERSION"),
        "environment": app.config.environment().as_str(),
        "uptime": app.started.elapsed().as_secs_f64(),
        "memory": {
            "used": mem.used,
            "free": mem.total.saturating_sub(mem.used),
            "total": mem.total,
            "percentage": (mem.used * 100).checked_div(mem.total).unwrap_or(0),
        },
        "sessions": { "total": sessions.total, "active": sessions.active, "idle": sessions.idle },
        "dependencies": { "hubspot": hubspot, "auth": auth },
        "metrics": {
            "requestCount": m.requests,
            "errorCount": m.errors,
            "averageResponseTime": m.average_ms,
        },
        "deployment": {
            "id": app.config.railway().deployment_id,
            "service": app.config.railway().service_name,
        },
    });
    Reply::json(
        if status == "unhealthy" { 503 } else { 200 },
        body.to_string(),
    )
}
