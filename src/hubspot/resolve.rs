//! Name resolution and connection counting for the HubSpot agent (issue #14).
//!
//! ureq resolves the host on every call, even one that then reuses a pooled connection, and with a
//! resolve timeout its default resolver spawns a thread per lookup (musl keeps no DNS cache: against
//! HubSpot each was also a DNS query). [`CachingResolver`] keeps each host's addresses for
//! [`TTL`]: within it a call resolves nothing and starts no thread; past it one caller refreshes in a
//! background thread while the others keep the known addresses; after a network failure
//! ([`CachingResolver::forget`]) the next call resolves afresh. [`CountingConnector`] counts the
//! connections actually opened (`mcp_hubspot_connections_opened_total`), so pooling shows.

use std::collections::HashMap;
use std::fmt;
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};

/// How long resolved addresses are used before they are refreshed (in the background).
pub(crate) const TTL: Duration = Duration::from_secs(60);
/// Hosts remembered at most (HubSpot's API host, a proxy: a handful in practice).
const MAX_HOSTS: usize = 32;

/// One host's addresses.
#[derive(Clone)]
struct Entry {
    addrs: ResolvedSocketAddrs,
    at: Instant,
    refreshing: bool,
}

/// A resolver that caches, shared by the agent and the client (to [`forget`](Self::forget)).
#[derive(Clone, Default)]
pub(crate) struct CachingResolver {
    hosts: Arc<Mutex<HashMap<String, Entry>>>,
    /// Lookups made (cold, refreshes and after failures), for tests and benches.
    lookups: Arc<AtomicU64>,
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingResolver").finish_non_exhaustive()
    }
}

impl CachingResolver {
    /// Drops what is known of every host: the next call to each resolves afresh (after a connection
    /// failed, the address may be the cause).
    pub(crate) fn forget(&self) {
        self.hosts.lock().clear();
    }

    /// Lookups made so far.
    pub(crate) fn lookups(&self) -> u64 {
        self.lookups.load(Relaxed)
    }

    /// Resolves `target` (`host:port`) within `limit`: one thread for the lookup, since the system
    /// resolver takes no timeout.
    fn lookup(&self, target: &str, limit: Duration) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.lookups.fetch_add(1, Relaxed);
        let (tx, rx) = mpsc::sync_channel(1);
        let name = target.to_string();
        std::thread::Builder::new()
            .name("dns".into())
            .spawn(move || {
                let _ = tx.send(name.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
            })
            .map_err(ureq::Error::Io)?;
        let found = match rx.recv_timeout(limit) {
            Ok(r) => r.map_err(ureq::Error::Io)?,
            Err(_) => return Err(ureq::Error::HostNotFound),
        };
        let mut out =
            ResolvedSocketAddrs::from_fn(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
        for a in found.into_iter().take(16) {
            out.push(a);
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }

    fn store(&self, target: &str, addrs: &ResolvedSocketAddrs) {
        let mut hosts = self.hosts.lock();
        if hosts.len() >= MAX_HOSTS && !hosts.contains_key(target) {
            if let Some(oldest) = hosts
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            {
                hosts.remove(&oldest);
            }
        }
        hosts.insert(
            target.to_string(),
            Entry {
                addrs: addrs.clone(),
                at: Instant::now(),
                refreshing: false,
            },
        );
    }
}

/// `host:port` of a URI, with the scheme's default port.
fn target_of(uri: &Uri) -> Option<String> {
    let host = uri.host()?;
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })?;
    Some(if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        _config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let target = target_of(uri).ok_or(ureq::Error::HostNotFound)?;
        let cached = {
            let mut hosts = self.hosts.lock();
            match hosts.get_mut(&target) {
                Some(e) if e.at.elapsed() < TTL => return Ok(e.addrs.clone()),
                // Stale: one caller refreshes in the background, everyone goes on with these.
                Some(e) => {
                    let first = !e.refreshing;
                    e.refreshing = true;
                    Some((e.addrs.clone(), first))
                }
                None => None,
            }
        };
        match cached {
            Some((addrs, refresh)) => {
                if refresh {
                    let me = self.clone();
                    let t = target.clone();
                    let _ = std::thread::Builder::new()
                        .name("dns-refresh".into())
                        .spawn(move || match me.lookup(&t, Duration::from_secs(5)) {
                            Ok(fresh) => me.store(&t, &fresh),
                            Err(_) => {
                                // Keep the old addresses; try again on a later call.
                                if let Some(e) = me.hosts.lock().get_mut(&t) {
                                    e.refreshing = false;
                                }
                            }
                        });
                }
                Ok(addrs)
            }
            None => {
                let limit = match *timeout.after {
                    d if d > Duration::ZERO => d.min(Duration::from_secs(10)),
                    _ => Duration::from_secs(10),
                };
                let addrs = self.lookup(&target, limit)?;
                self.store(&target, &addrs);
                Ok(addrs)
            }
        }
    }
}

/// ureq's default connector (TCP, then rustls for https), counting each connection it opens.
#[derive(Debug)]
pub(crate) struct CountingConnector {
    inner: DefaultConnector,
    opened: Arc<AtomicU64>,
}

impl CountingConnector {
    pub(crate) fn new(opened: Arc<AtomicU64>) -> CountingConnector {
        CountingConnector {
            inner: DefaultConnector::default(),
            opened,
        }
    }
}

impl Connector<()> for CountingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let out = self.inner.connect(details, chained)?;
        if out.is_some() {
            self.opened.fetch_add(1, Relaxed);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = |u: &str| target_of(&u.parse::<Uri>().unwrap());
        assert_eq!(
            t("https://api.hubapi.com/crm"),
            Some("api.hubapi.com:443".into())
        );
        assert_eq!(t("http://127.0.0.1:8080/x"), Some("127.0.0.1:8080".into()));
        assert_eq!(t("http://[::1]:9/x"), Some("[::1]:9".into()));
    }

    #[test]
    fn a_host_is_looked_up_once_within_its_ttl() {
        let r = CachingResolver::default();
        let uri: Uri = "http://localhost:9/x".parse().unwrap();
        let cfg = Config::default();
        for _ in 0..50 {
            let a = r.resolve(&uri, &cfg, NextTimeout::default()).unwrap();
            assert!(!a.is_empty());
        }
        assert_eq!(r.lookups(), 1);
        r.forget();
        r.resolve(&uri, &cfg, NextTimeout::default()).unwrap();
        assert_eq!(r.lookups(), 2);
    }
}
