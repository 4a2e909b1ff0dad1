//! Protocol revisions this server speaks, and what each one allows.
//!
//! Three session-based revisions (2025-03-26, 2025-06-18, 2025-11-25) share one code path; 2026-07-28 is
//! stateless (no initialize, no session, per-request `_meta`). Adding a revision is one variant here
//! plus the `match` arms the compiler then asks for.

use std::fmt;

/// A protocol revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Revision {
    /// 2025-03-26: Streamable HTTP, sessions, JSON-RPC batches.
    V2025_03_26,
    /// 2025-06-18: adds `MCP-Protocol-Version`, structured output; removes batches.
    V2025_06_18,
    /// 2025-11-25: explicit 403 on Origin, SSE polling, icons.
    V2025_11_25,
    /// 2026-07-28: stateless; `server/discover`, `_meta` version, `Mcp-Method` / `Mcp-Name`.
    V2026_07_28,
}

impl Revision {
    /// Every revision, oldest first.
    pub(crate) const ALL: [Revision; 4] = [
        Revision::V2025_03_26,
        Revision::V2025_06_18,
        Revision::V2025_11_25,
        Revision::V2026_07_28,
    ];
    /// The newest revision with `initialize` and sessions.
    pub(crate) const LATEST_SESSION: Revision = Revision::V2025_11_25;

    /// Parses a version string; `None` for anything this server does not implement.
    pub fn parse(s: &str) -> Option<Revision> {
        match s {
            "2025-03-26" => Some(Revision::V2025_03_26),
            "2025-06-18" => Some(Revision::V2025_06_18),
            "2025-11-25" => Some(Revision::V2025_11_25),
            "2026-07-28" => Some(Revision::V2026_07_28),
            _ => None,
        }
    }

    /// The version string.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Revision::V2025_03_26 => "2025-03-26",
            Revision::V2025_06_18 => "2025-06-18",
            Revision::V2025_11_25 => "2025-11-25",
            Revision::V2026_07_28 => "2026-07-28",
        }
    }

    /// True for the revisions that use `initialize` and `Mcp-Session-Id`.
    pub(crate) fn has_sessions(self) -> bool {
        self != Revision::V2026_07_28
    }

    /// True where a POST body may be a JSON-RPC batch array.
    pub(crate) fn allows_batch(self) -> bool {
        self == Revision::V2025_03_26
    }

    /// The version an `initialize` asking for `requested` is answered with: the same one when it is a
    /// session revision we speak, else our newest session revision (the spec's negotiation rule).
    pub(crate) fn negotiate(requested: &str) -> Revision {
        match Revision::parse(requested) {
            Some(r) if r.has_sessions() => r,
            _ => Revision::LATEST_SESSION,
        }
    }

    /// Every version string, newest first (for `supportedVersions` and error data).
    pub(crate) fn supported_strings() -> Vec<&'static str> {
        Revision::ALL.iter().rev().map(|r| r.as_str()).collect()
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_the_spec() {
        assert_eq!(Revision::negotiate("2025-06-18"), Revision::V2025_06_18);
        assert_eq!(Revision::negotiate("2025-03-26"), Revision::V2025_03_26);
        assert_eq!(Revision::negotiate("2024-11-05"), Revision::V2025_11_25);
        assert_eq!(Revision::negotiate("2026-07-28"), Revision::V2025_11_25);
        for r in Revision::ALL {
            assert_eq!(Revision::parse(r.as_str()), Some(r));
        }
        assert_eq!(Revision::supported_strings()[0], "2026-07-28");
    }
}
