//! Bearer tokens (HS256, `JWT_SECRET`, with issuer, audience and scopes) through `auth::Verifier`, as
//! the gate of `/mcp` checks them: cold (a token not seen before: its SHA-256, a cache miss, the HMAC
//! signature with ring, the claims, the cache insert, and once the cache holds its 10,000 tokens the
//! eviction of the oldest) and cached (the digest and a cache hit).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use hubspot_mcp::auth::Verifier;
use hubspot_mcp::bench_support::verify;
use hubspot_mcp::config::{Config, Purpose, RawEnv};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

const SECRET: &str = "bench-secret-0123456789-0123456789-0123456789";
const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "hubspot-mcp";

/// An `Authorization` value carrying a fresh HS256 token; `n` makes it unique (its `jti`).
fn bearer(n: u64) -> String {
    let claims = json!({
        "sub": format!("user-{}", n % 50),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": 4_102_444_800u64,
        "iat": 1_700_000_000u64,
        "jti": n.to_string(),
        "scope": "hubspot.read hubspot.write",
    });
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    format!("Bearer {token}")
}

fn tokens(c: &mut Criterion) {
    let env = [
        ("JWT_SECRET", SECRET),
        ("JWT_ISSUER", ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
    ];
    let cfg = Config::from_raw(&RawEnv::from_pairs(env), Purpose::Demo).unwrap();
    let verifier = Verifier::from_config(&cfg)
        .unwrap()
        .expect("JWT_SECRET is set");
    let now = SystemTime::now();
    let mut g = c.benchmark_group("jwt HS256");
    let mut n = 0u64;
    g.bench_function("cold (signature checked, cached after)", |b| {
        b.iter_batched(
            || {
                n += 1;
                bearer(n)
            },
            |auth| verify(&verifier, black_box(&auth), now).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let auth = bearer(0);
    verify(&verifier, &auth, now).unwrap();
    g.bench_function("cached (digest and lookup)", |b| {
        b.iter(|| verify(&verifier, black_box(&auth), now).unwrap())
    });
    g.finish();
}

criterion_group!(benches, tokens);
criterion_main!(benches);
