//! The sandbox over HTTP: a sandbox on 127.0.0.1:0 per test and real requests over TCP, through the
//! crate's public API only (`Sandbox`, `SandboxOptions`, faults, stats).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod account;
mod associations;
mod auth;
mod batch;
mod bodies;
mod client;
mod faults;
mod large;
mod lists;
mod oauth;
mod properties;
mod records;
mod search;
mod transport;
