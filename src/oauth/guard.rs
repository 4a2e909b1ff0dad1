//! The address guard for outbound fetches a client controls (client ID metadata documents): a name may
//! resolve only to public unicast addresses. Loopback, private (RFC 1918, ULA), link-local (cloud metadata
//! at 169.254.169.254), CGNAT, multicast, documentation, benchmarking and reserved ranges are refused, and
//! so are IPv4-mapped and NAT64 forms of them. The check runs inside the HTTP client's resolver, on the
//! addresses it then connects to, so a name that changes its answer between check and connect (DNS
//! rebinding) gains nothing. One exact origin may be exempted outside production (tests on loopback).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Whether `ip` is a public unicast address a fetch may reach.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96): judge the embedded IPv4 address.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let o = v6.octets();
                return is_public_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] < 0x0200) // TEREDO, benchmarking, ORCHID and other IETF ranges
                || s[0] == 0x2002 // 6to4 embeds any IPv4 address
                || v6 == Ipv6Addr::from([0u8; 16])
                || (s[0..6] == [0, 0, 0, 0, 0, 0])) // IPv4-compatible (deprecated) and others under ::/96
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || o[0] == 0 // "this network"
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // CGNAT 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || o[0] >= 240) // reserved
}

/// A resolver that refuses names resolving to any non-public address (all or nothing: a name with one
/// private answer is refused, so the connector cannot fall back to it).
#[derive(Debug)]
pub(crate) struct PublicOnly {
    inner: DefaultResolver,
    /// `host:port` exempted (outside production, for tests), if any.
    exempt: Option<String>,
}

impl PublicOnly {
    /// With `exempt` as `host:port` (from an origin such as `https://127.0.0.1:8443`).
    pub(crate) fn new(exempt: Option<String>) -> PublicOnly {
        PublicOnly {
            inner: DefaultResolver::default(),
            exempt,
        }
    }
}

/// A refused address (the error the fetch reports; the address itself is logged, not carried).
#[derive(Debug)]
pub(crate) struct NotPublic;

impl fmt::Display for NotPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The address itself is not said: the error page must not answer "what does this internal name
        // resolve to?" (it is logged instead).
        f.write_str("is not a public address")
    }
}

impl std::error::Error for NotPublic {}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.inner.resolve(uri, config, timeout)?;
        let authority = uri.authority().map(|a| {
            let port = a.port_u16().unwrap_or(443);
            format!("{}:{port}", a.host())
        });
        if self.exempt.is_some() && authority == self.exempt {
            return Ok(addrs);
        }
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            log::info!(address = bad.ip().to_string(); "client ID metadata document on a non-public address refused");
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                NotPublic,
            )));
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_and_special_ranges_are_refused() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.0.8",
            "240.0.0.1",
            "192.0.2.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "2002:7f00:1::",
            "::127.0.0.1",
            "ff02::1",
        ] {
            assert!(!is_public(ip(s)), "{s} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for s in [
            "1.1.1.1",
            "104.18.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(s)), "{s} is public");
        }
    }
}
