//! HTTP: binding, the accept loop, the worker pool, replies and shutdown.
//!
//! Only [`server`] touches tiny_http; handlers see [`message::Req`] and return [`message::Reply`].

pub mod checks;
pub mod gzip;
pub mod message;
pub mod pages;
pub mod prometheus;
pub mod route;
pub mod server;
pub mod sse;
pub mod streamable;
