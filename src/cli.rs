//! The command line: a small hand-written parser into [`Command`].

use std::fmt;

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve MCP over HTTP (the default).
    Serve {
        /// Run against the built-in HubSpot sandbox, no token needed.
        demo: bool,
        /// `--port`, over `PORT`.
        port: Option<u16>,
        /// `--host`, over `HOST`.
        host: Option<String>,
    },
    /// Serve MCP over stdin / stdout.
    Stdio {
        /// Built-in sandbox instead of HubSpot.
        demo: bool,
        /// `--profile NAME`: serve only that tool profile's tools (as `/mcp/<profile>` does).
        profile: Option<String>,
    },
    /// Probe `/health`; exit 0 only when it answers healthy.
    Healthcheck {
        /// `--url`; defaults to `http://127.0.0.1:$PORT/health`.
        url: Option<String>,
    },
    /// Validate the environment, print every problem, exit non-zero on any.
    CheckConfig {
        /// Validate for `serve --demo` (no token required).
        demo: bool,
    },
    /// Run the built-in HubSpot sandbox alone (for tests, benches, or pointing another client at it).
    Sandbox {
        /// `--port` (default 4890; 0 picks a free one).
        port: u16,
        /// `--host` (default 127.0.0.1).
        host: String,
        /// `--token`: the bearer token it accepts (default: any).
        token: Option<String>,
    },
    /// Print docs/configuration.md's table, generated from the configuration's table (hidden: for
    /// regenerating docs/configuration.md).
    PrintConfigTable,
    /// Print the version.
    Version,
    /// Print usage.
    Help,
}

/// A command line this parser does not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n\n{USAGE}", self.0)
    }
}

impl std::error::Error for CliError {}

/// Usage text.
pub const USAGE: &str = "\
hubspot-mcp: HubSpot CRM for AI agents over the Model Context Protocol

USAGE:
    hubspot-mcp [serve] [--demo] [--port N] [--host ADDR]   serve MCP over HTTP on /mcp (default)
    hubspot-mcp stdio [--demo] [--profile NAME]             serve MCP over stdin/stdout (NAME: a tool profile)
    hubspot-mcp healthcheck [--url URL]                     exit 0 only if /health answers healthy
    hubspot-mcp check-config [--demo]                       validate the environment, list every problem
    hubspot-mcp sandbox [--port N] [--host ADDR] [--token T]  run the built-in HubSpot sandbox alone
    hubspot-mcp --version | --help

Configuration comes from the environment (PORT, HOST, NODE_ENV, LOG_LEVEL, HUBSPOT_ACCESS_TOKEN, ...);
see docs/configuration.md for every variable.";

/// Parses the arguments after the program name.
///
/// ```
/// use hubspot_mcp::cli::{parse, Command};
/// assert_eq!(parse(["serve", "--demo"]).unwrap(), Command::Serve { demo: true, port: None, host: None });
/// assert!(parse(["serve", "--port", "x"]).is_err());
/// ```
pub fn parse<I, S>(args: I) -> Result<Command, CliError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut args: Vec<String> = args.into_iter().map(Into::into).collect();
    if args
        .iter()
        .any(|a| a == "--help" || a == "-h" || a == "help")
    {
        return Ok(Command::Help);
    }
    if args
        .iter()
        .any(|a| a == "--version" || a == "-V" || a == "version")
    {
        return Ok(Command::Version);
    }
    let sub = if args.first().is_some_and(|a| !a.starts_with('-')) {
        args.remove(0)
    } else {
        "serve".to_string()
    };
    let mut it = args.into_iter();
    let mut demo = false;
    let mut port = None;
    let mut host = None;
    let mut url = None;
    let mut token = None;
    let mut profile = None;
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, CliError> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| CliError(format!("{name} needs a value")))
        };
        match (sub.as_str(), flag.as_str()) {
            ("serve" | "stdio" | "check-config", "--demo") => demo = true,
            ("serve" | "sandbox", "--port") => {
                let v = value("--port")?;
                port = Some(
                    v.parse()
                        .map_err(|_| CliError(format!("--port: expected 0-65535, got {v:?}")))?,
                );
            }
            ("serve" | "sandbox", "--host") => host = Some(value("--host")?),
            ("sandbox", "--token") => token = Some(value("--token")?),
            ("stdio", "--profile") => profile = Some(value("--profile")?),
            ("healthcheck", "--url") => url = Some(value("--url")?),
            _ => return Err(CliError(format!("unexpected argument {a:?} for `{sub}`"))),
        }
    }
    match sub.as_str() {
        "serve" => Ok(Command::Serve { demo, port, host }),
        "stdio" => Ok(Command::Stdio { demo, profile }),
        "healthcheck" => Ok(Command::Healthcheck { url }),
        "check-config" => Ok(Command::CheckConfig { demo }),
        "print-config-table" => Ok(Command::PrintConfigTable),
        "sandbox" => Ok(Command::Sandbox {
            port: port.unwrap_or(4890),
            host: host.unwrap_or_else(|| "127.0.0.1".into()),
            token,
        }),
        other => Err(CliError(format!("unknown command {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert_eq!(
            parse::<[&str; 0], &str>([]).unwrap(),
            Command::Serve {
                demo: false,
                port: None,
                host: None
            }
        );
        assert_eq!(
            parse(["--port=8080", "--host", "::1"]).unwrap(),
            Command::Serve {
                demo: false,
                port: Some(8080),
                host: Some("::1".into())
            }
        );
        assert_eq!(
            parse(["stdio"]).unwrap(),
            Command::Stdio {
                demo: false,
                profile: None
            }
        );
        assert_eq!(
            parse(["stdio", "--profile=sales", "--demo"]).unwrap(),
            Command::Stdio {
                demo: true,
                profile: Some("sales".into())
            }
        );
        assert_eq!(
            parse(["healthcheck", "--url", "http://x/health"]).unwrap(),
            Command::Healthcheck {
                url: Some("http://x/health".into())
            }
        );
        assert_eq!(
            parse(["check-config", "--demo"]).unwrap(),
            Command::CheckConfig { demo: true }
        );
        assert_eq!(
            parse(["print-config-table"]).unwrap(),
            Command::PrintConfigTable
        );
        assert!(parse(["print-config-table", "--demo"]).is_err());
        assert_eq!(parse(["serve", "--help"]).unwrap(), Command::Help);
        assert_eq!(parse(["--version"]).unwrap(), Command::Version);
        assert!(parse(["bogus"]).is_err());
        assert!(parse(["stdio", "--port", "1"]).is_err());
        assert!(parse(["serve", "--port"]).is_err());
    }
}
