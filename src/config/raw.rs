//! [`RawEnv`]: the environment as strings, before any parsing.

use std::collections::BTreeMap;

/// The process environment as strings, before any parsing.
#[derive(Debug, Clone, Default)]
pub struct RawEnv {
    vars: BTreeMap<String, String>,
}

impl RawEnv {
    /// Reads the process environment (the only I/O of the configuration).
    pub(crate) fn from_process() -> Self {
        Self::from_pairs(std::env::vars())
    }

    /// Builds from explicit pairs (tests, `check-config`).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        RawEnv {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable's value; an empty value counts as unset (Railway shows unset variables as empty).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Sets a variable (used to apply CLI flags such as `--port` over the environment).
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_string(), value.to_string());
    }

    /// The names of the variables that are set (not empty), in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.vars
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, _)| k.as_str())
    }
}
