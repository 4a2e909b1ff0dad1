//! TLS for `rediss://`: rustls with ring, the build ureq already brings for HubSpot (nothing new is
//! compiled). Trusted: the same roots as HubSpot and the JWKS (`crate::tls`), Mozilla's
//! (`webpki-root-certs`, embedded) plus the operator's PEM bundle (`HUBSPOT_CA_FILE`); the certificate
//! must name the URL's host (a DNS name or an IP address SAN).

use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;

/// The client configuration: Mozilla's roots, plus every certificate of `extra_pem` (an error when it
/// holds none or a broken one, as for HubSpot).
pub fn client_config(extra_pem: Option<&[u8]>) -> Result<Arc<ClientConfig>, String> {
    let roots = crate::tls::rustls_roots(extra_pem)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The name the server's certificate must carry: an IP address or a DNS name.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_string())
        .map_err(|e| format!("{host:?} cannot be checked against a certificate: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_names() {
        assert!(client_config(None).is_ok());
        assert!(client_config(Some(b"no pem here"))
            .unwrap_err()
            .contains("no PEM certificate"));
        assert!(matches!(
            server_name("127.0.0.1"),
            Ok(ServerName::IpAddress(_))
        ));
        assert!(matches!(server_name("::1"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(
            server_name("redis.internal"),
            Ok(ServerName::DnsName(_))
        ));
        assert!(server_name("bad name!").is_err());
    }
}
