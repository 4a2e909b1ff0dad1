//! [`SessionSettings`]: how long sessions live and how many there may be.

use std::time::Duration;

use super::env::Environment;
use super::parse::Parser;
use super::vars;

/// The original design's minimum session age (5 minutes); below it only in development.
const MIN_SESSION_MAX_AGE: Duration = Duration::from_millis(300_000);

/// Session lifetime and quotas (both session stores and the reaper read them).
#[derive(Debug, Clone)]
pub(crate) struct SessionSettings {
    /// `SESSION_MAX_AGE`: a session idle this long is dropped.
    pub(crate) max_age: Duration,
    /// `SESSION_CLEANUP_INTERVAL`: how often the reaper runs.
    pub(crate) cleanup_interval: Duration,
    /// `MCP_MAX_SESSIONS`: live sessions at most.
    pub(crate) max_sessions: usize,
    /// `MCP_MAX_SESSIONS_PER_PRINCIPAL`: live sessions one principal may hold (all unauthenticated
    /// callers count as one), at most `max_sessions`.
    pub(crate) max_per_principal: usize,
}

impl SessionSettings {
    /// `auth_on`: whether bearer authentication is configured (it sets the per-principal default).
    pub(super) fn parse(
        p: &mut Parser<'_>,
        environment: Environment,
        auth_on: bool,
    ) -> SessionSettings {
        let max_age = p.millis(&vars::SESSION_MAX_AGE);
        if max_age < MIN_SESSION_MAX_AGE && environment != Environment::Development {
            p.rule(
                &vars::SESSION_MAX_AGE,
                "should be at least 5 minutes (300000 ms) outside development",
            );
        }
        let cleanup_interval = p.millis(&vars::SESSION_CLEANUP_INTERVAL);
        let max_sessions = p.count(&vars::MCP_MAX_SESSIONS);
        // With authentication each principal gets a share; without, every caller is the same one.
        let per = &vars::MCP_MAX_SESSIONS_PER_PRINCIPAL;
        let max_per_principal = p.count_or(
            per,
            if auth_on {
                max_sessions.min(per.kind.default)
            } else {
                max_sessions
            },
        );
        if max_per_principal > max_sessions {
            p.rule(
                per,
                "must be at most MCP_MAX_SESSIONS (one principal's share of all sessions)",
            );
        }
        SessionSettings {
            max_age,
            cleanup_interval,
            max_sessions,
            max_per_principal,
        }
    }
}
