//! Sessions through the store the configuration picks, as `initialize`, every later request, `DELETE`
//! and the reaper use it: open (a random 128-bit id and the insert with its cap and quota checks), touch
//! (a lookup that marks the session seen), and reaper passes, each among 1,000 live sessions. The memory
//! store always; the Redis store when `REDIS_URL` is set (under a prefix of this process's own, removed
//! afterwards), else skipped with a note.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use hubspot_mcp::app::App;
use hubspot_mcp::bench_support::{
    app, close_session, now_ms, open_session, reap_sessions, touch_session,
};
use hubspot_mcp::config::Purpose;
use hubspot_mcp::mcp::session::SessionId;

/// Sessions live while each bench runs (a server with some load, not an empty map).
const LIVE: usize = 1_000;
/// Sessions opened, then closed outside the clock, per round of the open bench: the store stays near
/// [`LIVE`] however many iterations criterion asks for.
const ROUND: u64 = 500;
/// `SESSION_MAX_AGE`, in milliseconds (the default: 30 minutes).
const MAX_AGE_MS: u64 = 1_800_000;

fn store(extra: &[(&str, &str)]) -> Arc<App> {
    let mut env = vec![
        ("LOG_LEVEL", "error"),
        ("MCP_MAX_SESSIONS", "1000000"),
        ("MCP_MAX_SESSIONS_PER_PRINCIPAL", "1000000"),
    ];
    env.extend_from_slice(extra);
    app(Purpose::Demo, &env).unwrap()
}

fn open_live(app: &App, n: usize) -> Vec<SessionId> {
    (0..n)
        .map(|i| {
            let who = format!("sub:user-{}", i % 50);
            open_session(app, Some(&who), now_ms()).unwrap()
        })
        .collect()
}

/// The open / touch / reap benches of one store, named `kind`.
fn bench_store(c: &mut Criterion, kind: &str, app: &Arc<App>, expiring: Option<&Arc<App>>) {
    let live = open_live(app, LIVE);
    let mut g = c.benchmark_group(format!("sessions {kind}"));
    g.bench_function(format!("open (among {LIVE})"), |b| {
        b.iter_custom(|iters| {
            let mut took = Duration::ZERO;
            let mut left = iters;
            let mut opened = Vec::with_capacity(ROUND as usize);
            while left > 0 {
                let n = left.min(ROUND);
                let start = Instant::now();
                for _ in 0..n {
                    opened.push(open_session(app, Some("sub:bench"), now_ms()).unwrap());
                }
                took += start.elapsed();
                for id in opened.drain(..) {
                    close_session(app, &id).unwrap();
                }
                left -= n;
            }
            took
        })
    });
    let mut i = 0;
    g.bench_function(format!("touch (among {LIVE})"), |b| {
        b.iter(|| {
            i = (i + 1) % live.len();
            assert!(touch_session(app, black_box(&live[i]), now_ms()).unwrap());
        })
    });
    g.bench_function(format!("reaper pass, none due (of {LIVE})"), |b| {
        b.iter(|| black_box(reap_sessions(app, now_ms())))
    });
    if let Some(exp) = expiring {
        g.bench_function(format!("reaper pass, {LIVE} due"), |b| {
            b.iter_batched(
                || {
                    open_live(exp, LIVE);
                    now_ms() + MAX_AGE_MS + 1
                },
                |later| assert_eq!(reap_sessions(exp, later), LIVE),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    for id in &live {
        let _ = close_session(app, id);
    }
    // Redis: also drops the per-principal sets the closed sessions left.
    reap_sessions(app, now_ms());
}

fn memory(c: &mut Criterion) {
    let app = store(&[]);
    let expiring = store(&[]);
    bench_store(c, "memory", &app, Some(&expiring));
}

fn redis(c: &mut Criterion) {
    let Ok(url) = std::env::var("REDIS_URL") else {
        println!("sessions redis: skipped (set REDIS_URL, e.g. redis://127.0.0.1:6379, to measure the Redis store)");
        return;
    };
    let prefix = format!("mcp-bench:{}:", std::process::id());
    let app = store(&[("REDIS_URL", &url), ("REDIS_SESSION_PREFIX", &prefix)]);
    // Expiry is Redis's TTL, not the reaper's clock: a pass with sessions due cannot be staged here
    // without waiting, so only the sweep over live sessions is measured.
    bench_store(c, "redis", &app, None);
}

criterion_group!(benches, memory, redis);
criterion_main!(benches);
