//! An approval a person is asked for through the approval page (or URL elicitation): what it allows, to
//! whom, until when, and where it stands. Plain data, written as JSON for the Redis ledger.

use serde_json::{json, Value};

/// Where an approval stands. Each moves forward only (`Pending` → `Approved` / `Rejected`,
/// `Approved` → `Used`), by compare-and-set in the ledger: an approval allows one write, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Waiting for the person.
    Pending,
    /// The person said yes; not used yet.
    Approved,
    /// The person said no.
    Rejected,
    /// It allowed its write.
    Used,
}

impl Status {
    /// Its name in the ledger.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Used => "used",
        }
    }
    /// Reads a name back.
    pub(crate) fn parse(s: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Approved,
            Status::Rejected,
            Status::Used,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One approval asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    /// 128 random bits as hex: the page's address and the id the model retries with.
    pub(crate) id: String,
    /// The principal it was asked for (`anonymous` without authentication).
    pub(crate) principal: String,
    /// The tool.
    pub(crate) tool: String,
    /// SHA-256 of the tool's exact arguments ([`super::digest`]).
    pub(crate) digest: String,
    /// What the person reads ([`crate::tools::Change::summary`]).
    pub(crate) summary: String,
    /// Token the page's form must send back (and its cookie hold).
    pub(crate) csrf: String,
    /// When it lapses, in Unix milliseconds.
    pub(crate) expires_ms: u64,
}

impl Record {
    /// As stored.
    pub(crate) fn to_json(&self) -> String {
        json!({
            "id": self.id, "principal": self.principal, "tool": self.tool, "digest": self.digest,
            "summary": self.summary, "csrf": self.csrf, "expires_ms": self.expires_ms,
        })
        .to_string()
    }
    /// Reads a stored record; `None` when a field is missing.
    pub(crate) fn from_json(s: &str) -> Option<Record> {
        let v: Value = serde_json::from_str(s).ok()?;
        let t = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Record {
            id: t("id")?,
            principal: t("principal")?,
            tool: t("tool")?,
            digest: t("digest")?,
            summary: t("summary")?,
            csrf: t("csrf")?,
            expires_ms: v.get("expires_ms")?.as_u64()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let r = Record {
            id: "a".into(),
            principal: "sub:x".into(),
            tool: "t".into(),
            digest: "d".into(),
            summary: "s\nline".into(),
            csrf: "c".into(),
            expires_ms: 5,
        };
        assert_eq!(Record::from_json(&r.to_json()), Some(r));
        assert_eq!(Status::parse("used"), Some(Status::Used));
        assert_eq!(Status::parse("x"), None);
    }
}
