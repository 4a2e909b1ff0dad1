//! Configuration: the environment, read once into a typed, validated [`Config`].
//!
//! Every variable is one entry of the table in [`vars`]: its name, its kind (which holds its default and
//! bounds), its rule, whether it is secret, and what it does. Parsing, `check-config`'s listing and the
//! docs/configuration.md's table ([`markdown_table`]) all come from it, so a default is written once. [`RawEnv`] holds the
//! strings; [`Config::from_raw`] reads each group of settings with small functions driven by the table
//! and reports *every* problem at once, in the table's order, each naming the variable and what is
//! expected. Names, defaults and rules follow the original design (`NODE_ENV`, `PORT`, `HOST`,
//! `SESSION_MAX_AGE`, `HUBSPOT_ACCESS_TOKEN`, `JWT_*`, ...); the knobs this server adds are prefixed
//! `MCP_`. Secret values never appear in an error, a log line or `Debug` output: they are [`Secret`]s.
//!
//! This module is a leaf: it imports nothing from the rest of the crate (the test
//! `configuration_is_a_leaf` checks), and it opens no sockets or files: `check-config` and the tests
//! call it freely.

mod access;
mod auth;
mod env;
mod error;
mod http;
mod hubspot;
mod limits;
mod obs;
mod parse;
mod railway;
mod raw;
mod redis;
mod render;
mod secret;
mod session;
mod tools;
mod toolset;
pub mod vars;

pub use auth::AuthSettings;
pub use env::{Environment, Purpose};
pub use error::{ConfigError, ConfigErrorKind, ConfigErrors};
pub use http::HttpSettings;
pub use hubspot::HubSpotSettings;
pub use limits::HttpLimits;
pub use obs::{LogFormat, ObsSettings};
pub use railway::Railway;
pub use raw::RawEnv;
pub use redis::{RedisSettings, RedisTarget, RedisUrlError};
pub use render::{markdown_table, set_variables, TABLE_END, TABLE_START};
pub use secret::Secret;
pub use session::SessionSettings;
pub use tools::ToolSettings;
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
    auth: AuthSettings,
    obs: ObsSettings,
    redis: RedisSettings,
    railway: Railway,
}

impl Config {
    /// Reads and validates the process environment.
    pub fn from_env(purpose: Purpose) -> Result<Config, ConfigErrors> {
        Self::from_raw(&RawEnv::from_process(), purpose)
    }

    /// Validates `raw`, collecting every problem before returning.
    pub fn from_raw(raw: &RawEnv, purpose: Purpose) -> Result<Config, ConfigErrors> {
        let mut p = Parser::new(raw);
        let environment = p.choice(&vars::NODE_ENV);
        let http = HttpSettings::parse(&mut p, environment);
        let auth = AuthSettings::parse(&mut p, environment, purpose, http.loopback_bind);
        let config = Config {
            environment,
            limits: HttpLimits::parse(&mut p, http.trust_proxy_hops),
            sessions: SessionSettings::parse(&mut p, environment, auth.enabled()),
            hubspot: HubSpotSettings::parse(&mut p, purpose),
            tools: ToolSettings::parse(&mut p),
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
    pub fn environment(&self) -> Environment {
        self.environment
    }
    /// Bind address and access rules (`PORT`, `HOST`, `CORS_ORIGIN`, rate limits, ...).
    pub fn http(&self) -> &HttpSettings {
        &self.http
    }
    /// The bounds on clients (`MCP_WORKERS`, timeouts, sizes, ...).
    pub fn limits(&self) -> &HttpLimits {
        &self.limits
    }
    /// Session lifetime and quotas.
    pub fn sessions(&self) -> &SessionSettings {
        &self.sessions
    }
    /// The HubSpot client's settings.
    pub fn hubspot(&self) -> &HubSpotSettings {
        &self.hubspot
    }
    /// The tools exposed and their limits.
    pub fn tools(&self) -> &ToolSettings {
        &self.tools
    }
    /// Bearer-token verification.
    pub fn auth(&self) -> &AuthSettings {
        &self.auth
    }
    /// Logs, metrics, health checks.
    pub fn obs(&self) -> &ObsSettings {
        &self.obs
    }
    /// Redis, when `REDIS_URL` is set.
    pub fn redis(&self) -> &RedisSettings {
        &self.redis
    }
    /// Railway's `RAILWAY_*` metadata.
    pub fn railway(&self) -> &Railway {
        &self.railway
    }
}

#[cfg(test)]
mod tests;
