//! `/metrics`: the Prometheus text exposition format (version 0.0.4) of every counter, gauge and
//! histogram, with the original design's metric names (`mcp_http_requests_total`,
//! `mcp_http_request_duration_seconds`, `mcp_sessions_active`, `mcp_sessions_created_total`,
//! `mcp_hubspot_api_calls_total`, `mcp_hubspot_errors_total`, `mcp_memory_usage_bytes`), the duration
//! a real histogram rather than an average, and the standard `process_*` metrics.

use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;

use crate::app::App;
use crate::health::Status;
use crate::hubspot::Kind;
use crate::obs::histogram::HistogramSnapshot;
use crate::obs::metrics::{Rejection, Route, ToolOutcome, WriteOutcome};
use crate::obs::process::now_ms;

/// The `Content-Type` of the exposition.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Builds the exposition text.
struct Out(String);

impl Out {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    /// A family with one unlabelled sample.
    fn single(&mut self, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{k}=\"{}\"", escape(v));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }

    fn histogram(&mut self, name: &str, labels: &[(&str, &str)], h: &HistogramSnapshot) {
        let bucket = format!("{name}_bucket");
        for (bound, count) in &h.buckets {
            let le = if bound.is_infinite() {
                "+Inf".to_string()
            } else {
                format_float(*bound)
            };
            let mut l: Vec<(&str, &str)> = labels.to_vec();
            l.push(("le", &le));
            self.sample(&bucket, &l, count);
        }
        self.sample(&format!("{name}_sum"), labels, format_float(h.sum));
        self.sample(&format!("{name}_count"), labels, h.count);
    }
}

/// Label values: backslash, double quote and line feed escaped (the format's only rules).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn format_float(f: f64) -> String {
    if f.is_finite() {
        let s = format!("{f}");
        if s.contains(['.', 'e']) {
            s
        } else {
            format!("{s}.0")
        }
    } else if f.is_nan() {
        "NaN".into()
    } else if f > 0.0 {
        "+Inf".into()
    } else {
        "-Inf".into()
    }
}

/// What `/proc/self` says about this process (zeros where it is absent, e.g. in an empty chroot).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct ProcessStats {
    /// User + system CPU seconds.
    cpu_seconds: f64,
    /// Resident bytes.
    resident_bytes: u64,
    /// Virtual bytes.
    virtual_bytes: u64,
    /// Threads.
    threads: u64,
    /// Open file descriptors.
    open_fds: u64,
    /// The soft limit on open file descriptors.
    max_fds: u64,
}

/// Reads [`ProcessStats`] from `/proc/self`.
fn process_stats() -> ProcessStats {
    let mut p = ProcessStats::default();
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        // Fields after the command name (which may hold spaces), counted from field 3 (state).
        if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
            let f: Vec<&str> = rest.split_whitespace().collect();
            let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            // utime 14, stime 15, num_threads 20, vsize 23, rss 24 (1-based) -> index - 3.
            let ticks = 100.0; // USER_HZ: 100 on every Linux ABI Rust targets
            p.cpu_seconds = (num(11) + num(12)) as f64 / ticks;
            p.threads = num(17);
            p.virtual_bytes = num(20);
            p.resident_bytes = num(21) * 4096;
        }
    }
    p.open_fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64);
    if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
        p.max_fds = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
    }
    p
}

/// Renders every metric of `app`.
pub(crate) fn render(app: &App) -> String {
    let mut o = Out(String::with_capacity(32 * 1024));
    let m = &app.metrics;

    o.family(
        "mcp_build_info",
        "gauge",
        "Always 1; the labels name the running build.",
    );
    o.sample(
        "mcp_build_info",
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("environment", app.config.environment().as_str()),
        ],
        1,
    );

    // HTTP.
    o.family(
        "mcp_http_requests_total",
        "counter",
        "Total number of HTTP requests, by route, method and status.",
    );
    for (route, method, status, n) in m.http_requests() {
        let status = if status == 0 {
            "other".to_string()
        } else {
            status.to_string()
        };
        o.sample(
            "mcp_http_requests_total",
            &[
                ("route", route.label()),
                ("method", method),
                ("status", &status),
            ],
            n,
        );
    }
    o.family(
        "mcp_http_request_duration_seconds",
        "histogram",
        "HTTP request duration in seconds, from the request reaching a worker to the reply sent.",
    );
    for route in Route::ALL {
        if let Some(h) = m.http_duration(route) {
            let snap = h.snapshot();
            if snap.count > 0 || route == Route::Mcp {
                o.histogram(
                    "mcp_http_request_duration_seconds",
                    &[("route", route.label())],
                    &snap,
                );
            }
        }
    }
    o.single(
        "mcp_http_requests_in_flight",
        "gauge",
        "Requests being handled by a worker now.",
        m.in_flight(),
    );
    o.single(
        "mcp_http_requests_queued",
        "gauge",
        "Requests accepted and waiting for a free worker.",
        m.queued(),
    );
    o.single(
        "mcp_workers",
        "gauge",
        "Worker threads (MCP_WORKERS): requests handled at once.",
        app.config.workers(),
    );
    o.single(
        "mcp_workers_started",
        "gauge",
        "Worker threads started so far (the pool grows on demand up to mcp_workers).",
        m.workers_started(),
    );
    o.family(
        "mcp_http_rejected_total",
        "counter",
        "Requests refused before a handler ran, by reason.",
    );
    for why in Rejection::ALL {
        o.sample(
            "mcp_http_rejected_total",
            &[("reason", why.label())],
            m.rejection_count(why),
        );
    }
    o.family(
        "mcp_write_approvals_total",
        "counter",
        "Writes at the approval gate, by what became of them (MCP_WRITE_POLICY, a person's answer).",
    );
    for w in WriteOutcome::ALL {
        o.sample(
            "mcp_write_approvals_total",
            &[("outcome", w.label())],
            m.write_count(w),
        );
    }
    o.single(
        "mcp_panics_total",
        "counter",
        "Handler panics caught and answered with an error.",
        m.panics(),
    );

    // MCP.
    o.family(
        "mcp_requests_total",
        "counter",
        "JSON-RPC messages handled, by MCP method and outcome (error: answered with a JSON-RPC error).",
    );
    for (method, ok, err) in m.rpc() {
        if ok + err == 0 {
            continue;
        }
        o.sample(
            "mcp_requests_total",
            &[("method", method), ("outcome", "ok")],
            ok,
        );
        o.sample(
            "mcp_requests_total",
            &[("method", method), ("outcome", "error")],
            err,
        );
    }
    o.family(
        "mcp_tool_calls_total",
        "counter",
        "Tool calls, by tool and outcome (error: a result with isError true).",
    );
    for t in m.tools() {
        for outcome in ToolOutcome::ALL {
            let n = t.calls.get(outcome as usize).map_or(0, |c| c.load(Relaxed));
            if n > 0 {
                o.sample(
                    "mcp_tool_calls_total",
                    &[("tool", &t.name), ("outcome", outcome.label())],
                    n,
                );
            }
        }
    }
    o.family(
        "mcp_tool_call_duration_seconds",
        "histogram",
        "Time to run a tool, HubSpot calls included.",
    );
    for t in m.tools() {
        let snap = t.duration.snapshot();
        if snap.count > 0 {
            o.histogram(
                "mcp_tool_call_duration_seconds",
                &[("tool", &t.name)],
                &snap,
            );
        }
    }

    // Sessions.
    let stats = app.sessions.stats(now_ms());
    let (created, deleted, expired) = m.sessions();
    o.single(
        "mcp_sessions_active",
        "gauge",
        "Number of active MCP sessions (open, not expired).",
        stats.total,
    );
    o.single(
        "mcp_sessions_created_total",
        "counter",
        "Total number of sessions created.",
        created,
    );
    o.family(
        "mcp_sessions_terminated_total",
        "counter",
        "Sessions ended, by reason (deleted by the client, expired after SESSION_MAX_AGE idle).",
    );
    o.sample(
        "mcp_sessions_terminated_total",
        &[("reason", "deleted")],
        deleted,
    );
    o.sample(
        "mcp_sessions_terminated_total",
        &[("reason", "expired")],
        expired,
    );

    // HubSpot.
    if let Some(h) = &app.services.hubspot {
        let s = &h.stats;
        o.single(
            "mcp_hubspot_api_calls_total",
            "counter",
            "Total number of HubSpot API calls (attempts, retries included).",
            s.requests.load(Relaxed),
        );
        o.single(
            "mcp_hubspot_errors_total",
            "counter",
            "Total number of HubSpot API calls that ended in an error (after retries).",
            s.errors.load(Relaxed),
        );
        o.single(
            "mcp_hubspot_rate_limit_hits_total",
            "counter",
            "HTTP 429 answers from HubSpot.",
            s.rate_limited.load(Relaxed),
        );
        o.single(
            "mcp_hubspot_retries_total",
            "counter",
            "HubSpot calls sent again after a 429, a 5xx or a network error.",
            s.retries.load(Relaxed),
        );
        o.single(
            "mcp_hubspot_connections_opened_total",
            "counter",
            "Connections opened to HubSpot (calls on a pooled connection open none).",
            s.connections.load(Relaxed),
        );
        o.single(
            "mcp_hubspot_dns_lookups_total",
            "counter",
            "Host lookups for HubSpot calls (addresses are cached; a call within the cache looks up nothing).",
            s.lookups.lookups(),
        );
        o.family(
            "mcp_hubspot_request_duration_seconds",
            "histogram",
            "Duration of one HubSpot HTTP exchange, by kind of call.",
        );
        for kind in Kind::ALL {
            if let Some(hist) = s.duration.get(kind as usize) {
                o.histogram(
                    "mcp_hubspot_request_duration_seconds",
                    &[("kind", kind.label())],
                    &hist.snapshot(),
                );
            }
        }
    }

    // Dependencies.
    o.family(
        "mcp_dependency_status",
        "gauge",
        "1 for the status each dependency's last background check found, 0 for the others.",
    );
    let deps = app.dependencies.read(&app.probe_deps());
    for (name, d) in &deps {
        for st in [Status::Healthy, Status::Degraded, Status::Unhealthy] {
            o.sample(
                "mcp_dependency_status",
                &[("dependency", name), ("status", st.as_str())],
                u8::from(d.status == st),
            );
        }
    }
    o.family(
        "mcp_dependency_check_duration_seconds",
        "gauge",
        "How long each dependency's last check took.",
    );
    for (name, d) in &deps {
        if let Some(t) = d.response_time {
            o.sample(
                "mcp_dependency_check_duration_seconds",
                &[("dependency", name)],
                format_float(t.as_secs_f64()),
            );
        }
    }

    // Process.
    let p = process_stats();
    o.single(
        "mcp_memory_usage_bytes",
        "gauge",
        "Current memory usage in bytes (resident set).",
        p.resident_bytes,
    );
    o.single(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        p.resident_bytes,
    );
    o.single(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        p.virtual_bytes,
    );
    o.single(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        format_float(p.cpu_seconds),
    );
    o.single(
        "process_open_fds",
        "gauge",
        "Number of open file descriptors.",
        p.open_fds,
    );
    o.single(
        "process_max_fds",
        "gauge",
        "Maximum number of open file descriptors.",
        p.max_fds,
    );
    o.single(
        "process_threads",
        "gauge",
        "Number of OS threads.",
        p.threads,
    );
    o.single(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since the Unix epoch in seconds.",
        format_float(app.started_unix),
    );
    o.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_and_label_values_follow_the_text_format() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.0025), "0.0025");
        assert_eq!(format_float(f64::INFINITY), "+Inf");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn process_stats_read_this_process() {
        let p = process_stats();
        assert!(
            p.resident_bytes > 0 && p.threads >= 1 && p.open_fds >= 3,
            "{p:?}"
        );
    }
}
