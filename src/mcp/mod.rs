//! The Model Context Protocol: JSON-RPC envelopes, revisions, sessions, dispatch, and the two
//! transports (Streamable HTTP and stdio). The only place that knows the JSON-RPC envelope.

pub mod dispatch;
pub mod inflight;
pub mod jsonrpc;
pub mod session;
pub mod stdio;
pub mod streamable;
pub mod version;
