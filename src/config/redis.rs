//! [`RedisSettings`]: `REDIS_URL`, parsed once into a [`RedisTarget`], and the key prefix.

use std::fmt;

use super::error::ConfigErrorKind;
use super::parse::Parser;
use super::secret::Secret;
use super::vars;

/// Where and how to connect, from `redis[s]://[user[:password]@]host[:port][/db]`.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisTarget {
    /// `host:port`.
    pub(crate) addr: String,
    /// The host alone (brackets of an IPv6 address removed): the name a TLS certificate must carry.
    pub host: String,
    /// `rediss://`: TLS, the server's certificate checked against the roots and `host`.
    pub(crate) tls: bool,
    /// ACL user (Redis 6+), when given with a password.
    pub(crate) username: Option<String>,
    /// `AUTH` password.
    pub(crate) password: Option<Secret>,
    /// `SELECT` database.
    pub(crate) db: u32,
}

impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// Why a `REDIS_URL` cannot be used (never holds the URL: it may carry a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisUrlError(pub &'static str);

impl fmt::Display for RedisUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "REDIS_URL: {}", self.0)
    }
}

impl std::error::Error for RedisUrlError {}

/// Percent-decoding for the user and password parts.
fn pct_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl RedisTarget {
    /// Parses a `redis://` or `rediss://` (TLS) URL.
    ///
    /// ```
    /// use hubspot_mcp::config::RedisTarget;
    /// assert_eq!(RedisTarget::parse("rediss://[::1]").unwrap().host, "::1");
    /// assert!(RedisTarget::parse("http://h").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<RedisTarget, RedisUrlError> {
        let (tls, rest) = match (url.strip_prefix("rediss://"), url.strip_prefix("redis://")) {
            (Some(r), _) => (true, r),
            (None, Some(r)) => (false, r),
            (None, None) => {
                return Err(RedisUrlError(
                    "must start with redis:// (or rediss:// for TLS)",
                ))
            }
        };
        let (auth, hostpart) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (hostport, db) = match hostpart.split_once('/') {
            Some((h, d)) if !d.is_empty() => (
                h,
                d.parse::<u32>()
                    .map_err(|_| RedisUrlError("the database after / must be a number"))?,
            ),
            Some((h, _)) => (h, 0),
            None => (hostpart, 0),
        };
        // A port is given after the host, or after the `]` of a bracketed IPv6 address.
        let (host, has_port) = match hostport.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((h, after)) => (h, after.starts_with(':')),
                None => return Err(RedisUrlError("unclosed [ in the host")),
            },
            None => (
                hostport.rsplit_once(':').map_or(hostport, |(h, _)| h),
                hostport.contains(':'),
            ),
        };
        if host.is_empty() {
            return Err(RedisUrlError("no host"));
        }
        let addr = if has_port {
            hostport.to_string()
        } else {
            format!("{hostport}:6379")
        };
        let (username, password) = match auth {
            None => (None, None),
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (
                    (!u.is_empty()).then(|| pct_decode(u)),
                    Some(Secret::new(pct_decode(p))),
                ),
                None => (None, Some(Secret::new(pct_decode(a)))),
            },
        };
        Ok(RedisTarget {
            addr,
            host: host.to_string(),
            tls,
            username,
            password,
            db,
        })
    }
}

/// Redis, when `REDIS_URL` is set: sessions and the shared HubSpot budget live there.
#[derive(Debug, Clone)]
pub(crate) struct RedisSettings {
    /// `REDIS_URL`, parsed (it may hold a password: `Debug` hides it).
    pub(crate) target: Option<RedisTarget>,
    /// `REDIS_SESSION_PREFIX`: the prefix of every key.
    pub(crate) session_prefix: String,
}

impl RedisSettings {
    pub(super) fn parse(p: &mut Parser<'_>) -> RedisSettings {
        let target =
            p.secret(&vars::REDIS_URL)
                .and_then(|url| match RedisTarget::parse(url.expose()) {
                    Ok(t) => Some(t),
                    Err(_) => {
                        // The message never holds the URL (it may carry a password).
                        p.push(
                            &vars::REDIS_URL,
                            ConfigErrorKind::Invalid {
                                expected:
                                    "redis://[user:password@]host[:port][/db] (rediss:// for TLS)",
                                got: None,
                            },
                        );
                        None
                    }
                });
        RedisSettings {
            target,
            session_prefix: p.text(&vars::REDIS_SESSION_PREFIX).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole example of [`RedisTarget::parse`] (its doctest sees only the public `host`).
    #[test]
    fn parse_example() {
        let t = RedisTarget::parse("redis://default:p%40ss@redis.railway.internal:6380/2").unwrap();
        assert_eq!(
            (t.addr.as_str(), t.db, t.tls),
            ("redis.railway.internal:6380", 2, false)
        );
        assert_eq!(t.password.as_ref().map(|p| p.expose()), Some("p@ss"));
        let t = RedisTarget::parse("rediss://[::1]").unwrap();
        assert_eq!(
            (t.addr.as_str(), t.host.as_str(), t.tls),
            ("[::1]:6379", "::1", true)
        );
        assert!(RedisTarget::parse("http://h").is_err());
    }
}
