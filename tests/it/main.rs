//! Integration tests: each starts the real `hubspot-mcp` binary on 127.0.0.1 port 0 and talks to it
//! over loopback (or stdio). One file per feature.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

/// hubspot_aggregate_records on the 25,000-deal fixture: totals equal the sandbox's own deals, the
/// search rate kept, budgets and deadlines answered with the missing windows, masked properties refused.
mod aggregate;
/// A person approves writes: elicitation on the stream, the approval page, 2026-07-28 input_required,
/// forged / reused / widened approvals, replicas on Redis, the write policy, audit lines.
mod approvals;
/// Bearer tokens (HS256, RS256 / ES256 from a loopback JWKS), scopes, session binding, metadata.
mod auth;
/// CLI: check-config, --version, --help, healthcheck, refusing bad configuration.
mod cli;
/// The front door under attack: slow heads and bodies, smuggling, early refusals, header injection,
/// DNS rebinding, JSON amplification, batches past their deadline (raw sockets, small limits).
mod front_door;
/// Attacker-style ids in every tool that takes one: refused before HubSpot, server still healthy.
mod hostile_ids;
/// HTTP rules on /mcp: Host/Origin 403, Accept 406, Content-Type 415, 413, parse and envelope errors.
mod http_rules;
/// initialize per session revision, ping, tools/list, tools/call, logging/setLevel, error codes.
mod lifecycle;
/// Limits: busy 503, slow clients, oversized headers, connection cap, handler panics.
mod limits;
/// Lists (segments): a manual list's members added, read and removed; a DYNAMIC list refusing them.
mod lists;
/// HUBSPOT_MASKED_PROPERTIES: masked properties in no tool, resource or search; probes and writes refused.
mod masking;
/// MCP_AUTH_MODE=oauth: sign-in through the sandbox's HubSpot OAuth, two users, every refusal.
mod oauth;
/// /metrics (promtool), /health from background checks, /scaling, gzip, request ids in logs.
mod observability;
/// Every path the HubSpot client builds is one the sandbox serves (its table is HubSpot's reference).
mod path_contract;
/// Tool profiles: `/mcp/<profile>`, the header, sessions bound to one, RFC 9728 per profile.
mod profiles;
/// HTTPS_PROXY / NO_PROXY for HubSpot calls (through a CONNECT proxy on loopback).
mod proxy;
/// Sessions in a real redis-server: shared by replicas, expiry, Redis down, password.
mod redis;
/// Security headers, CORS, per-client rate limits.
mod security;
/// Session rules: 400 / 404, DELETE, expiry by the reaper, the session cap.
mod sessions;
/// SIGTERM drain and exit 0, dual-stack bind.
mod shutdown;
/// 2026-07-28: server/discover, _meta, header checks, 404/405, no sessions.
mod stateless;
/// stdio transport.
mod stdio;
/// SSE progress streaming and cancellation.
mod streaming;
/// Every listed tool end to end against the sandbox.
mod tools_all;
/// HUBSPOT_READ_ONLY / HUBSPOT_TOOLSETS, tools/list pages, resources and prompts.
mod tools_catalog;
/// HubSpot failures: scopes, 429 / DAILY, 5xx, dropped writes, timeouts, batch bounds.
mod tools_errors;
/// Records: paging to the end, get, search and auto-paging, create / update / archive and their errors.
mod tools_records;
/// CRM text is data: the sandbox's injected note comes back fenced from every reader; instructions.
mod untrusted;
/// MCP-Protocol-Version header and JSON-RPC batches per revision.
mod versions;
