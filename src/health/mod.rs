//! `/health`: the original design's JSON (status, timestamp, version, environment, uptime, memory,
//! sessions, dependencies, metrics). 200 when healthy or degraded, 503 when unhealthy, so Railway's
//! health check and `hubspot-mcp healthcheck` read the same answer.
//!
//! Reading it is cheap (a few atomics, one map count, one small `/proc` read): dependency state is
//! whatever the background checks ([`deps::Checker`], [`probes`]) last recorded, never probed on the
//! request path.

use std::time::SystemTime;

use serde_json::{json, Value};

use crate::app::App;
use crate::http::message::Reply;
use crate::mcp::session::now_ms;
use crate::obs::log::rfc3339;

pub mod deps;
pub mod probes;

pub use deps::{Board, Checker, DependencyHealth, Probe, Status};

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

/// The worst of the dependencies' statuses.
pub fn overall(deps: &[(&'static str, DependencyHealth)]) -> Status {
    deps.iter()
        .map(|(_, d)| d.status)
        .max()
        .unwrap_or(Status::Healthy)
}

/// The health report: 200 when healthy or degraded, 503 when unhealthy.
pub fn report(app: &App) -> Reply {
    let now = SystemTime::now();
    let mem = memory();
    let sessions = app.sessions.stats(now_ms());
    let m = app.metrics.snapshot();
    let deps = app.dependencies.read(app);
    let status = overall(&deps);
    let dependencies: serde_json::Map<String, Value> = deps
        .iter()
        .map(|(name, d)| (name.to_string(), d.to_json()))
        .collect();
    let body: Value = json!({
        "status": status.as_str(),
        "timestamp": rfc3339(now),
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
        "dependencies": dependencies,
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
        if status == Status::Unhealthy {
            503
        } else {
            200
        },
        body.to_string(),
    )
}
