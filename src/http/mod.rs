//! HTTP: binding, the accept loop, the worker pool, replies and shutdown.
//!
//! Only [`server`] touches tiny_http; handlers see [`message::Req`] and return [`message::Reply`].

pub mod checks;
pub mod gzip;
pub mod message;
mod pages;
pub(crate) mod profile;
mod prometheus;
mod route;
pub mod server;
pub(crate) mod sse;
pub mod streamable;
