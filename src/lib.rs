//! hubspot-mcp: HubSpot CRM for AI agents over the Model Context Protocol.
//!
//! A synchronous server: tiny_http reads each request on its connection's thread and the gate decides on
//! its head; complete requests go to a worker pool; handlers are
//! plain functions; sessions live behind `mcp::session::SessionStore`; no async runtime anywhere.
//!
//! # Layout
//! In layers, lowest first (ARCHITECTURE.md, "Layers"; `tests/layers` checks them):
//! - [`config`]: every variable, from one table, validated once into a typed `Config`.
//! - `obs` (logs, counters, histograms, the process), `cache`, [`ratelimit`], `tls` (the roots
//!   outbound TLS trusts).
//! - [`redis`]: a RESP client (pooled, TLS, pipelines sent at most once).
//! - [`auth`]: bearer tokens (HS* secret or JWKS) → `Principal`; [`hubspot`]: the HubSpot client.
//! - [`tools`]: the `Tool` trait and the registry of every tool; `catalog`: resources and prompts.
//! - [`mcp`]: JSON-RPC envelopes, the method vocabulary, revisions, sessions and their stores,
//!   dispatch, the stdio transport; it sees the server through `mcp::Host`.
//! - `health`: background dependency checks; `scaling`: scale-up / down advice.
//! - [`app`]: the parts composed.
//! - [`http`]: the front door (heads, the gate, bodies, workers), Streamable HTTP, the operators' pages.
//! - [`cli`], [`run`], [`signals`]: the command line, the commands, SIGTERM handling.
//! - `bench_support`: hooks for the criterion benches in `bench/` (hidden; above every layer).
#![warn(missing_docs)]
#![deny(unreachable_pub)]

pub mod app;
pub(crate) mod approval;
pub mod auth;
#[doc(hidden)]
pub mod bench_support;
pub(crate) mod cache;
pub(crate) mod catalog;
pub mod cli;
pub mod config;
pub(crate) mod health;
pub mod http;
pub mod hubspot;
pub mod mcp;
pub(crate) mod oauth;
pub(crate) mod obs;
pub mod ratelimit;
pub mod redis;
pub mod run;
pub(crate) mod scaling;
pub mod signals;
pub(crate) mod tls;
pub mod tools;
