//! The audit trail: one JSON line per HubSpot change, on the log stream (`"msg": "audit"`, the line's
//! fields under `audit`) and kept per principal for the `hubspot://audit/mine` resource. A line holds
//! who (principal, client), what (tool, effect, object, ids, count, each value before and after),
//! HubSpot's correlation ids, and what allowed it (the policy, or an approval's id). Never a token:
//! nothing here is given one; never a masked value: the HubSpot client refuses writes of masked
//! properties and strips them from what it reads.

use serde_json::{json, Value};

use crate::tools::Change;

/// URI of the resource listing the caller's own recent writes.
pub(crate) const AUDIT_URI: &str = "hubspot://audit/mine";

/// One write that was made.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    /// The principal's written id (`anonymous` without authentication).
    pub(crate) principal: &'a str,
    /// `clientInfo.name`.
    pub(crate) client: &'a str,
    /// The tool.
    pub(crate) tool: &'a str,
    /// What changed (settled with the answer's ids).
    pub(crate) change: &'a Change,
    /// HubSpot's `X-HubSpot-Correlation-Id` of each write call.
    pub(crate) correlation_ids: &'a [String],
    /// The approval that allowed it: `None` when the policy allowed it unasked.
    pub(crate) approval: Option<&'a str>,
}

/// Writes audit lines (a unit type: the log stream is global).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audit;

impl Audit {
    /// The line as JSON.
    pub(crate) fn to_json(line: &Line<'_>) -> Value {
        let mut v = json!({
            "time": crate::obs::log::rfc3339(std::time::SystemTime::now()),
            "principal": line.principal,
            "client": line.client,
            "tool": line.tool,
            "correlation_ids": line.correlation_ids,
            "approval": line.approval,
            "allowed_by": if line.approval.is_some() { "approval" } else { "policy" },
        });
        if let (Value::Object(m), Value::Object(c)) = (&mut v, line.change.to_json()) {
            m.extend(c);
        }
        v
    }

    /// Logs the line and returns its text.
    pub(crate) fn write(&self, line: &Line<'_>) -> String {
        let text = Self::to_json(line).to_string();
        log::info!(target: "audit", audit = text.as_str(); "audit");
        text
    }
}
