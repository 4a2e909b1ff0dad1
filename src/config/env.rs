//! What the configuration is for: the deployment [`Environment`] (`NODE_ENV`) and the command's [`Purpose`].

/// Deployment environment (`NODE_ENV`). Production turns on the strict rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Environment {
    /// `development` (the default): loopback-friendly, lenient.
    Development,
    /// `staging`: production rules for sessions, lenient for the rest.
    Staging,
    /// `production`: every rule of the original design applies.
    Production,
}

impl Environment {
    /// The value as written in `NODE_ENV`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }

    /// Parses `NODE_ENV` (`dev` and `prod` are accepted too).
    pub(crate) fn parse(v: &str) -> Option<Environment> {
        match v {
            "development" | "dev" => Some(Environment::Development),
            "staging" => Some(Environment::Staging),
            "production" | "prod" => Some(Environment::Production),
            _ => None,
        }
    }

    /// True for production, where every rule applies.
    pub(crate) fn is_production(self) -> bool {
        self == Environment::Production
    }
}

/// What the configuration is validated for: some variables are only needed by some commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `serve` against a real HubSpot account: a token is required.
    Serve,
    /// `serve --demo`: the built-in sandbox stands in for HubSpot, no token needed.
    Demo,
    /// `stdio`: a desktop client on the same machine; HTTP settings are not used.
    Stdio,
}
