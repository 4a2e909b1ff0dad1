//! What can be wrong with the environment: [`ConfigError`] for one variable, [`ConfigErrors`] for all.

use std::fmt;

/// One problem with one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable's name.
    pub(crate) var: &'static str,
    /// What is wrong with it.
    pub(crate) kind: ConfigErrorKind,
}

/// What is wrong with a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConfigErrorKind {
    /// The value does not parse; `got` is `None` for secrets, whose values are never shown.
    Invalid {
        /// What a valid value looks like.
        expected: &'static str,
        /// The value given, unless it is secret.
        got: Option<String>,
    },
    /// The variable is required here.
    Missing {
        /// Why it is required.
        why: &'static str,
    },
    /// The value parses but breaks a rule (most are the original design's production rules).
    Rule(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ConfigErrorKind::Invalid {
                expected,
                got: Some(got),
            } => write!(f, "{}: expected {expected}, got {got:?}", self.var),
            ConfigErrorKind::Invalid {
                expected,
                got: None,
            } => {
                write!(
                    f,
                    "{}: expected {expected} (value not shown: secret)",
                    self.var
                )
            }
            ConfigErrorKind::Missing { why } => write!(f, "{}: required {why}", self.var),
            ConfigErrorKind::Rule(rule) => write!(f, "{}: {rule}", self.var),
        }
    }
}

impl std::error::Error for ConfigError {}

/// All problems found in one pass over the environment, in the table's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub(crate) Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid configuration ({} problem(s)):", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
