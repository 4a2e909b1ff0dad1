//! What every outbound TLS connection trusts, defined once: Mozilla's roots (embedded, so an air-gapped
//! host needs no `/etc/ssl`), plus the operator's PEM bundle (`HUBSPOT_CA_FILE`: a corporate TLS proxy,
//! a private token issuer, a private Redis). HubSpot and the JWKS (ureq) and `rediss://` (rustls) all
//! take their roots from here.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// The certificates of the operator's bundle; an error (naming `HUBSPOT_CA_FILE`) when it holds a broken
/// one or none.
fn extra_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("HUBSPOT_CA_FILE: {e}"))?;
    if certs.is_empty() {
        return Err("HUBSPOT_CA_FILE holds no PEM certificate".into());
    }
    Ok(certs)
}

/// Mozilla's roots plus `extra_pem`'s, for ureq (HubSpot, the JWKS). Always given as certificates from
/// `webpki-root-certs` (borrowed, not copied): ureq's own copy of the roots (`webpki-roots`, its
/// `rustls-webpki-roots` feature) is left out of the build, so the binary carries Mozilla's roots once. ureq
/// turns them into trust anchors on its first TLS connection, once per agent.
pub(crate) fn ureq_roots(extra_pem: Option<&[u8]>) -> Result<ureq::tls::RootCerts, String> {
    let extra = match extra_pem {
        Some(pem) => extra_certs(pem)?,
        None => Vec::new(),
    };
    let certs: Vec<ureq::tls::Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| ureq::tls::Certificate::from_der(c.as_ref()))
        .chain(
            extra
                .iter()
                .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned()),
        )
        .collect();
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

/// Mozilla's roots plus `extra_pem`'s, for rustls (`rediss://`).
pub(crate) fn rustls_roots(extra_pem: Option<&[u8]>) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    if let Some(pem) = extra_pem {
        for cert in extra_certs(pem)? {
            roots
                .add(cert)
                .map_err(|e| format!("HUBSPOT_CA_FILE: {e}"))?;
        }
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extra_bundle_is_added_to_the_embedded_roots() {
        let pem = include_bytes!("../tests/fixtures/extra-ca.pem");
        match ureq_roots(Some(pem)) {
            Ok(ureq::tls::RootCerts::Specific(certs)) => assert_eq!(
                certs.len(),
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() + 1
            ),
            _ => panic!("expected the embedded roots plus one"),
        }
        // Without a bundle: Mozilla's roots alone, from the one copy in the binary.
        match ureq_roots(None) {
            Ok(ureq::tls::RootCerts::Specific(certs)) => {
                assert_eq!(certs.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len())
            }
            _ => panic!("expected the embedded roots"),
        }
        assert_eq!(
            rustls_roots(Some(pem)).map(|r| r.len()).ok(),
            Some(rustls_roots(None).map(|r| r.len()).unwrap_or(0) + 1)
        );
        let e = ureq_roots(Some(b"not a certificate"))
            .err()
            .unwrap_or_default();
        assert!(e.contains("HUBSPOT_CA_FILE"), "{e}");
        let broken = b"-----BEGIN CERTIFICATE-----\nzz\n-----END CERTIFICATE-----\n";
        let e = rustls_roots(Some(broken)).err().unwrap_or_default();
        assert!(e.contains("HUBSPOT_CA_FILE"), "{e}");
    }
}
