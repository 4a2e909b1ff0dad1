//! hubspot-mcp: HubSpot CRM for AI agents over the Model Context Protocol.
//!
//! A synchronous server: one tiny_http accept loop hands requests to a fixed worker pool; handlers are
//! plain functions; sessions live behind [`mcp::session::SessionStore`]; no async runtime anywhere.
//!
//! # Layout
//! - [`config`]: the environment, validated once into a typed `Config`.
//! - [`cli`], [`run`], [`signals`]: the command line, the commands, SIGTERM handling.
//! - [`http`]: binding, accept loop, worker pool, routing, request checks, SSE framing.
//! - [`mcp`]: JSON-RPC envelopes, revisions, sessions, dispatch, Streamable HTTP and stdio transports.
//! - [`tools`]: the `Tool` trait and the registry of every tool.
//! - [`auth`]: bearer tokens (HS256 secret or JWKS) → `Principal`; RFC 9728 metadata.
//! - [`health`]: the `/health` report.
//! - [`obs`]: logs, redaction, counters.
//! - [`app`]: the shared state.
#![warn(missing_docs)]

pub mod app;
pub mod auth;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod health;
pub mod http;
pub mod hubspot;
pub mod mcp;
pub mod obs;
pub mod redis;
pub mod run;
pub mod sandbox;
pub mod scaling;
pub mod signals;
pub mod tools;
