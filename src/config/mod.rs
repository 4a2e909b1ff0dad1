//! Configuration: the environment, read once into a typed, validated [`Config`].
//!
//! Every variable is one entry of the table in `vars`: its name, its kind (which holds its default and
//! bounds), its rule, whether it is secret, and what it does. Parsing, `check-config`'s listing and the
//! docs/configuration.md's table ([`markdown_table`]) all come from it, so a default is written once. [`RawEnv`] holds the
//! strings; [`Config::from_raw`] reads each group of settings with small functions driven by the table
//! and reports *every* problem at once, in the table's order, each naming the variable and what is
//! expected. Names, defaults and rules follow the original design (`NODE_ENV`, `PORT`, `HOST`,
//! `SESSION_MAX_AGE`, `HUBSPOT_ACCESS_TOKEN`, `JWT_*`, ...); the knobs this server adds are prefixed
//! `MCP_`. Secret values never appear in an error, a log line or `Debug` output: they are `Secret`s.
//!
//! This module is a leaf: it imports nothing from the rest of the crate (the test
//! `configuration_is_a_leaf` checks), and it opens no sockets or files: `check-config` and the tests
//! call it freely.

mod access;
mod approval;
mod auth;
mod env;
mod error;
mod http;
mod hubspot;
mod limits;
mod masking;
mod oauth;
pub(crate) mod object_types;
mod obs;
mod parse;
mod profiles;
mod railway;
mod raw;
mod redis;
mod render;
mod secret;
mod session;
mod tools;
mod toolset;
pub(crate) mod vars;

pub(crate) use approval::{ApprovalSettings, PolicyRule, Selector};
pub use approval::{WriteAction, WriteKind};
pub(crate) use auth::AuthSettings;
pub(crate) use env::Environment;
pub use env::Purpose;
pub(crate) use error::{ConfigError, ConfigErrorKind, ConfigErrors};
pub(crate) use http::HttpSettings;
pub(crate) use hubspot::{HubSpotSettings, SandboxSeed};
pub(crate) use limits::HttpLimits;
#[cfg(test)]
pub(crate) use masking::masking_for_tests;
pub(crate) use masking::{MaskStyle, Masking};
pub use oauth::AuthMode;
pub(crate) use oauth::OAuthSettings;
pub(crate) use obs::{LogFormat, ObsSettings};
pub(crate) use profiles::{ProfileItem, ProfileSpec};
pub(crate) use railway::Railway;
pub use raw::RawEnv;
pub(crate) use redis::RedisSettings;
pub use redis::RedisTarget;
pub use render::markdown_table;
pub(crate) use render::set_variables;
pub(crate) use secret::Secret;
pub(crate) use session::SessionSettings;
pub(crate) use tools::ToolSettings;
pub use toolset::Toolset;

use parse::Parser;

/// The validated configuration: one group of settings per consumer.
#[derive(Debug, Clone)]
pub struct Config {
    environment: Environment,
    http: HttpSettings,
    limits: HttpLimits,
    sessions: SessionSettings,
    hubspot: HubSpotSettings,
    tools: ToolSettings,
    approvals: ApprovalSettings,
    auth: AuthSettings,
    obs: ObsSettings,
    redis: RedisSettings,
    railway: Railway,
}

impl Config {
    /// Reads and validates the process environment.
    pub(crate) fn from_env(purpose: Purpose) -> Result<Config, ConfigErrors> {
        Self::from_raw(&RawEnv::from_process(), purpose)
    }

    /// Validates `raw`, collecting every problem before returning.
    pub fn from_raw(raw: &RawEnv, purpose: Purpose) -> Result<Config, ConfigErrors> {
        let mut p = Parser::new(raw);
        let environment = p.choice(&vars::NODE_ENV);
        let http = HttpSettings::parse(&mut p, environment);
        let auth = AuthSettings::parse(&mut p, environment, purpose, http.loopback_bind);
        let limits = HttpLimits::parse(&mut p, http.trust_proxy_hops);
        let limits_timeout = limits.request_timeout;
        let config = Config {
            environment,
            limits,
            sessions: SessionSettings::parse(&mut p, environment, auth.enabled()),
            hubspot: HubSpotSettings::parse(&mut p, purpose, auth.mode),
            tools: ToolSettings::parse(&mut p),
            approvals: ApprovalSettings::parse(&mut p, limits_timeout),
            obs: ObsSettings::parse(&mut p, environment),
            redis: RedisSettings::parse(&mut p),
            railway: Railway::parse(&mut p),
            http,
            auth,
        };
        p.finish()?;
        Ok(config)
    }

    /// `NODE_ENV`.
    pub(crate) fn environment(&self) -> Environment {
        self.environment
    }
    /// The write policy and the bounds of asking a person.
    pub(crate) fn approvals(&self) -> &ApprovalSettings {
        &self.approvals
    }
    /// Railway's `RAILWAY_*` metadata.
    pub(crate) fn railway(&self) -> &Railway {
        &self.railway
    }
}

/// `read` then `write`, each scope once, in order.
pub(crate) fn scope_union<'a>(read: &'a [String], write: &'a [String]) -> Vec<&'a str> {
    let mut all: Vec<&str> = Vec::new();
    for s in read.iter().chain(write) {
        if !all.contains(&s.as_str()) {
            all.push(s);
        }
    }
    all
}

#[cfg(test)]
mod tests;
