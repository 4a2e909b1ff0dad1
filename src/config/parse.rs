//! The [`Parser`]: reads one variable of the table at a time, by its kind, and collects every problem.
//! Problems are returned in the table's order, whatever order the settings read their variables in.

use std::time::Duration;

use super::error::{ConfigError, ConfigErrorKind, ConfigErrors};
use super::raw::RawEnv;
use super::secret::Secret;
use super::vars::{self, Choice, Count, Flag, List, Millis, Port, SecretText, Text, Var};

/// Reads variables out of a [`RawEnv`] by their entry in the table.
pub(super) struct Parser<'a> {
    raw: &'a RawEnv,
    /// Each problem with the position it is reported at.
    errors: Vec<(usize, ConfigError)>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(raw: &'a RawEnv) -> Self {
        Parser {
            raw,
            errors: Vec::new(),
        }
    }

    /// Every problem found, in the table's order (problems of one variable in the order found).
    pub(super) fn finish(self) -> Result<(), ConfigErrors> {
        if self.errors.is_empty() {
            return Ok(());
        }
        // By row, then in the order found (an unstable sort on both: a stable sort's code is larger).
        let mut found: Vec<(usize, usize, ConfigError)> = self
            .errors
            .into_iter()
            .enumerate()
            .map(|(i, (at, e))| (at, i, e))
            .collect();
        found.sort_unstable_by_key(|&(at, i, _)| (at, i));
        Err(ConfigErrors(found.into_iter().map(|(_, _, e)| e).collect()))
    }

    /// A problem with `var`, reported after those of `anchor` (a rule about several variables is
    /// reported where its last one is read).
    pub(super) fn push_after<K, A>(
        &mut self,
        anchor: &Var<A>,
        var: &Var<K>,
        kind: ConfigErrorKind,
    ) {
        self.errors.push((
            vars::position(anchor.name),
            ConfigError {
                var: var.name,
                kind,
            },
        ));
    }

    pub(super) fn push<K>(&mut self, var: &Var<K>, kind: ConfigErrorKind) {
        self.push_after(var, var, kind);
    }

    pub(super) fn invalid<K>(&mut self, var: &Var<K>, expected: &'static str, got: &str) {
        self.push(
            var,
            ConfigErrorKind::Invalid {
                expected,
                got: Some(got.to_string()),
            },
        );
    }

    pub(super) fn rule<K>(&mut self, var: &Var<K>, rule: &'static str) {
        self.push(var, ConfigErrorKind::Rule(rule));
    }

    pub(super) fn missing<K>(&mut self, var: &Var<K>, why: &'static str) {
        self.push(var, ConfigErrorKind::Missing { why });
    }

    /// The value as set (trimmed; empty counts as unset).
    pub(super) fn get<K>(&self, var: &Var<K>) -> Option<&'a str> {
        self.raw.get(var.name)
    }

    fn parse_with<K, T>(
        &mut self,
        var: &Var<K>,
        expected: &'static str,
        f: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let v = self.get(var)?;
        match f(v) {
            Some(t) => Some(t),
            None => {
                self.invalid(var, expected, v);
                None
            }
        }
    }

    /// The value, or the default; never fails.
    pub(super) fn text(&self, var: &Var<Text>) -> Option<String> {
        self.get(var).or(var.kind.default).map(str::to_string)
    }

    pub(super) fn port(&mut self, var: &Var<Port>) -> u16 {
        self.parse_with(var, "a TCP port number 0-65535", |v| v.parse::<u16>().ok())
            .unwrap_or(var.kind.default)
    }

    pub(super) fn choice<T: Copy>(&mut self, var: &Var<Choice<T>>) -> T {
        self.parse_with(var, var.kind.expected, var.kind.parse)
            .unwrap_or(var.kind.default)
    }

    pub(super) fn flag(&mut self, var: &Var<Flag>) -> bool {
        self.parse_with(var, "true or false", |v| {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            }
        })
        .unwrap_or(var.kind.default)
    }

    /// Milliseconds; below the minimum is a problem (and the default is used).
    pub(super) fn millis(&mut self, var: &Var<Millis>) -> Duration {
        let Millis { default, min } = var.kind;
        let ms = self
            .parse_with(var, "a whole number of milliseconds", |v| {
                v.parse::<u64>().ok()
            })
            .unwrap_or(default);
        if ms < min {
            self.rule(var, "is below its minimum");
            return Duration::from_millis(default);
        }
        Duration::from_millis(ms)
    }

    /// A whole number; below the minimum (the default is then used) or above the maximum is a problem.
    pub(super) fn count(&mut self, var: &Var<Count>) -> usize {
        self.count_or(var, var.kind.default)
    }

    /// A [`count`](Self::count) whose default depends on other settings (the table's is the usual one).
    pub(super) fn count_or(&mut self, var: &Var<Count>, default: usize) -> usize {
        let Count { min, max, .. } = var.kind;
        let n = self
            .parse_with(var, "a whole number", |v| v.parse::<usize>().ok())
            .unwrap_or(default);
        if n < min {
            self.rule(var, "is below its minimum");
            return default;
        }
        if let Some(max) = max.filter(|m| n > m.value) {
            self.rule(var, max.message);
            return max.value;
        }
        n
    }

    /// A [`count`](Self::count) of seconds.
    pub(super) fn seconds(&mut self, var: &Var<Count>) -> Duration {
        Duration::from_secs(self.count(var) as u64)
    }

    /// A secret; too short (or with spaces, when refused) is a problem, and its value is never shown.
    pub(super) fn secret(&mut self, var: &Var<SecretText>) -> Option<Secret> {
        let s = Secret::new(self.get(var)?.to_string());
        let SecretText {
            min_len,
            no_spaces,
            short,
        } = var.kind;
        if s.expose().len() < min_len || (no_spaces && s.expose().contains(char::is_whitespace)) {
            self.rule(var, short);
        }
        Some(s)
    }

    /// The comma-separated items, each trimmed and passed through `item`, empty ones dropped; `None` when
    /// unset (a list has no default of its own here: see [`scopes`](Self::scopes)).
    pub(super) fn items<K>(
        &mut self,
        var: &Var<K>,
        item: impl Fn(&str) -> String,
    ) -> Option<Vec<String>> {
        Some(
            self.get(var)?
                .split(',')
                .map(|s| item(s.trim()))
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    /// A comma-separated list of OAuth scope tokens (RFC 6749 section 3.3: printable ASCII except space,
    /// `"` and `\`); the default when unset or invalid.
    pub(super) fn scopes(&mut self, var: &Var<List>) -> Vec<String> {
        let default = || var.kind.default.iter().map(|s| s.to_string()).collect();
        let Some(v) = self.get(var) else {
            return default();
        };
        let list: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let valid = |s: &String| {
            s.bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        };
        if list.is_empty() || !list.iter().all(valid) {
            self.invalid(
                var,
                "a comma-separated list of OAuth scopes such as hubspot.read,crm.read",
                v,
            );
            return default();
        }
        list
    }
}

/// An `http://` or `https://` URL with a host.
pub(super) fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// A URL whose host is `localhost` or a loopback address.
pub(super) fn is_loopback_url(s: &str) -> bool {
    let rest = s.strip_prefix("http://").unwrap_or(s);
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `plain http is allowed only to a loopback address` for an `http://` URL elsewhere.
pub(super) fn http_only_to_loopback(url: &str) -> bool {
    url.starts_with("http://") && !is_loopback_url(url)
}
