//! The operators' pages: `/health` in the original design's JSON (status, timestamp, version,
//! environment, uptime, memory, sessions, dependencies, metrics; 200 when healthy or degraded, 503 when
//! unhealthy, so Railway's health check and `hubspot-mcp healthcheck` read the same answer) and
//! `/scaling`. Reading them is cheap (atomics, one map count, a small `/proc` read): dependency state is
//! whatever the background checks last recorded.

use std::time::{Instant, SystemTime};

use serde_json::{json, Value};

use crate::app::App;
use crate::health::{overall, Status};
use crate::http::message::Reply;
use crate::obs::log::rfc3339;
use crate::obs::metrics::Rejection;
use crate::obs::process::{memory, now_ms};

/// The health report: 200 when healthy or degraded, 503 when unhealthy.
pub(crate) fn health(app: &App) -> Reply {
    let now = SystemTime::now();
    let mem = memory();
    let sessions = app.sessions.stats(now_ms());
    let m = app.metrics.snapshot();
    let deps = app.dependencies.read(&app.probe_deps());
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

/// The `/scaling` body.
pub(crate) fn scaling(app: &App) -> Value {
    let mem = memory();
    let memory_percent = if mem.total > 0 {
        mem.used as f64 * 100.0 / mem.total as f64
    } else {
        0.0
    };
    let uptime = app.started.elapsed();
    let (load, advice) = app.scaling.advise(
        Instant::now(),
        app.metrics.busy_micros(),
        app.metrics.rejection_count(Rejection::Busy),
        app.config.workers(),
        memory_percent,
        uptime,
    );
    let p = app.scaling.policy();
    json!({
        "timestamp": rfc3339(SystemTime::now()),
        "metrics": {
            "memoryUsage": (memory_percent * 10.0).round() / 10.0,
            "heapUsed": mem.used,
            "heapTotal": mem.total,
            "uptime": uptime.as_secs_f64(),
            "activeSessions": app.sessions.stats(now_ms()).total,
            "workerUtilization": (load.utilisation * 1000.0).round() / 1000.0,
            "workers": app.config.workers(),
            "inFlight": app.metrics.in_flight(),
            "queued": app.metrics.queued(),
            "rejectedBusy": load.rejected_busy,
            "windowSeconds": load.window.as_secs_f64(),
            "recommendation": advice.action.as_str(),
        },
        "recommendations": { "action": advice.action.as_str(), "reason": advice.reason },
        "policy": {
            "minInstances": p.min_instances,
            "maxInstances": p.max_instances,
            "targetCPUPercent": p.target_cpu_percent,
            "targetMemoryPercent": p.target_memory_percent,
            "scaleUpCooldown": p.scale_up_cooldown.as_millis() as u64,
            "scaleDownCooldown": p.scale_down_cooldown.as_millis() as u64,
        },
    })
}
