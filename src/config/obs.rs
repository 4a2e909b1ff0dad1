//! [`ObsSettings`]: logs, metrics and the background health checks.

use std::time::Duration;

use super::env::Environment;
use super::parse::Parser;
use super::secret::Secret;
use super::vars;

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogFormat {
    /// One JSON object per line (the default; Railway's log view parses it).
    Json,
    /// `time LEVEL msg k=v` for people at a terminal.
    Pretty,
}

impl LogFormat {
    /// The value as written in `LOG_FORMAT`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LogFormat::Json => "json",
            LogFormat::Pretty => "pretty",
        }
    }

    /// Parses `LOG_FORMAT` (`text` means pretty).
    pub(crate) fn parse(v: &str) -> Option<LogFormat> {
        match v {
            "json" => Some(LogFormat::Json),
            "pretty" | "text" => Some(LogFormat::Pretty),
            _ => None,
        }
    }
}

/// Parses `LOG_LEVEL`, in any case (`warning`, `off`, `silent` too).
pub(crate) fn parse_level(v: &str) -> Option<log::LevelFilter> {
    match v.to_ascii_lowercase().as_str() {
        "error" => Some(log::LevelFilter::Error),
        "warn" | "warning" => Some(log::LevelFilter::Warn),
        "info" => Some(log::LevelFilter::Info),
        "debug" => Some(log::LevelFilter::Debug),
        "trace" => Some(log::LevelFilter::Trace),
        "off" | "silent" => Some(log::LevelFilter::Off),
        _ => None,
    }
}

/// A level as `LOG_LEVEL` writes it.
pub(crate) fn level_name(level: log::LevelFilter) -> &'static str {
    match level {
        log::LevelFilter::Off => "off",
        log::LevelFilter::Error => "error",
        log::LevelFilter::Warn => "warn",
        log::LevelFilter::Info => "info",
        log::LevelFilter::Debug => "debug",
        log::LevelFilter::Trace => "trace",
    }
}

/// Logs, metrics and health checks.
#[derive(Debug, Clone)]
pub(crate) struct ObsSettings {
    /// `LOG_LEVEL`.
    pub(crate) log_level: log::LevelFilter,
    /// `LOG_FORMAT`.
    pub(crate) log_format: LogFormat,
    /// `LOG_FLUSH_INTERVAL_MS`: how often batched log lines are written.
    pub(crate) log_flush_interval: Duration,
    /// `METRICS_ENABLED`.
    pub(crate) metrics_enabled: bool,
    /// `METRICS_TOKEN`: when set, `/metrics` and `/scaling` require `Authorization: Bearer <it>`.
    pub(crate) metrics_token: Option<Secret>,
    /// `HEALTH_CHECK_ENABLED`: background dependency checks.
    pub(crate) health_check_enabled: bool,
    /// `HEALTH_CHECK_INTERVAL_MS`: time between two rounds of dependency checks.
    pub(crate) health_check_interval: Duration,
}

impl ObsSettings {
    pub(super) fn parse(p: &mut Parser<'_>, environment: Environment) -> ObsSettings {
        let log_level = p.choice(&vars::LOG_LEVEL);
        if environment.is_production() && log_level >= log::LevelFilter::Debug {
            p.rule(&vars::LOG_LEVEL, "must not be debug or trace in production");
        }
        ObsSettings {
            log_level,
            log_format: p.choice(&vars::LOG_FORMAT),
            log_flush_interval: {
                let d = p.millis(&vars::LOG_FLUSH_INTERVAL_MS);
                if d > Duration::from_secs(10) {
                    p.rule(&vars::LOG_FLUSH_INTERVAL_MS, "must be at most 10000");
                }
                d
            },
            metrics_enabled: p.flag(&vars::METRICS_ENABLED),
            health_check_enabled: p.flag(&vars::HEALTH_CHECK_ENABLED),
            health_check_interval: p.millis(&vars::HEALTH_CHECK_INTERVAL_MS),
            metrics_token: p.secret(&vars::METRICS_TOKEN),
        }
    }
}
