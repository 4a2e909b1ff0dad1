//! JWS signature checks with `ring`, the crypto rustls already links: HS256/384/512 (HMAC),
//! RS256/384/512 (PKCS #1 v1.5) and PS256/384/512 (PSS) with keys of 2048 to 8192 bits, ES256 / ES384
//! (fixed-width `r ‖ s`, as JWS has it), EdDSA (Ed25519). jsonwebtoken keeps the keys, the algorithm
//! names and the parsing of headers and claims, and is built without a crypto backend of its own (its
//! RustCrypto one, rsa, num-bigint, p256, p384, ed25519-dalek, sha2, cost the static binary about
//! 250 KB for what ring already does: docs/performance.md). This server verifies tokens and never signs
//! one.
//!
//! The key decides the algorithms before anything here runs (`jwks.rs`, `mod.rs`); still, a key is used
//! only for its own family's algorithms, so a mismatch fails closed.

use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use ring::signature as sig;

/// True when `signature` is `alg`'s signature of `msg` under `key`.
pub(crate) fn check(alg: Algorithm, key: &DecodingKey, msg: &[u8], signature: &[u8]) -> bool {
    use Algorithm as A;
    // A key is used only for its own family's algorithms (an HMAC secret and an EC point are both bytes).
    if key.family() != alg.family() {
        return false;
    }
    let hmac = |h| match key.kind() {
        DecodingKeyKind::SecretOrDer(secret) => {
            ring::hmac::verify(&ring::hmac::Key::new(h, secret), msg, signature).is_ok()
        }
        DecodingKeyKind::RsaModulusExponent { .. } => false,
    };
    let rsa = |params: &'static sig::RsaParameters| match key.kind() {
        DecodingKeyKind::RsaModulusExponent { n, e } => sig::RsaPublicKeyComponents { n, e }
            .verify(params, msg, signature)
            .is_ok(),
        // PKCS #1 `RSAPublicKey` DER, which ring reads as such.
        DecodingKeyKind::SecretOrDer(der) => sig::UnparsedPublicKey::new(params, der)
            .verify(msg, signature)
            .is_ok(),
    };
    let raw = |algorithm: &'static dyn sig::VerificationAlgorithm| match key.kind() {
        DecodingKeyKind::SecretOrDer(public) => sig::UnparsedPublicKey::new(algorithm, public)
            .verify(msg, signature)
            .is_ok(),
        DecodingKeyKind::RsaModulusExponent { .. } => false,
    };
    match alg {
        A::HS256 => hmac(ring::hmac::HMAC_SHA256),
        A::HS384 => hmac(ring::hmac::HMAC_SHA384),
        A::HS512 => hmac(ring::hmac::HMAC_SHA512),
        A::RS256 => rsa(&sig::RSA_PKCS1_2048_8192_SHA256),
        A::RS384 => rsa(&sig::RSA_PKCS1_2048_8192_SHA384),
        A::RS512 => rsa(&sig::RSA_PKCS1_2048_8192_SHA512),
        A::PS256 => rsa(&sig::RSA_PSS_2048_8192_SHA256),
        A::PS384 => rsa(&sig::RSA_PSS_2048_8192_SHA384),
        A::PS512 => rsa(&sig::RSA_PSS_2048_8192_SHA512),
        A::ES256 => raw(&sig::ECDSA_P256_SHA256_FIXED),
        A::ES384 => raw(&sig::ECDSA_P384_SHA384_FIXED),
        A::EdDSA => raw(&sig::ED25519),
        // An algorithm a later jsonwebtoken adds: not one this server checks.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};

    /// A correct signature verifies; one flipped bit, another message, or a key of another family
    /// does not.
    fn holds(
        alg: Algorithm,
        key: &DecodingKey,
        wrong: &DecodingKey,
        sign: &dyn Fn(&[u8]) -> Vec<u8>,
    ) {
        let msg = b"eyJhbGciOiJ4In0.eyJzdWIiOiJhIn0";
        let good = sign(msg);
        assert!(check(alg, key, msg, &good), "{alg:?}: a good signature");
        let mut bad = good.clone();
        bad[good.len() / 2] ^= 1;
        assert!(!check(alg, key, msg, &bad), "{alg:?}: a flipped bit");
        assert!(
            !check(alg, key, b"other.message", &good),
            "{alg:?}: another message"
        );
        assert!(
            !check(alg, wrong, msg, &good),
            "{alg:?}: a key of another family"
        );
    }

    #[test]
    fn each_family_checks_with_ring() {
        let rng = SystemRandom::new();
        let secret = b"a secret of at least thirty-two bytes!!";
        let hmac_key = DecodingKey::from_secret(secret);
        let rsa_key = DecodingKey::from_rsa_raw_components(&[0xc3; 256], &[1, 0, 1]);
        holds(Algorithm::HS256, &hmac_key, &rsa_key, &|m| {
            ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret), m)
                .as_ref()
                .to_vec()
        });
        for (alg, signing) in [
            (Algorithm::ES256, &sig::ECDSA_P256_SHA256_FIXED_SIGNING),
            (Algorithm::ES384, &sig::ECDSA_P384_SHA384_FIXED_SIGNING),
        ] {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).unwrap();
            let pair = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng).unwrap();
            let key = DecodingKey::from_ec_der(pair.public_key().as_ref());
            holds(alg, &key, &rsa_key, &|m| {
                pair.sign(&rng, m).unwrap().as_ref().to_vec()
            });
        }
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let key = DecodingKey::from_ed_der(pair.public_key().as_ref());
        holds(Algorithm::EdDSA, &key, &rsa_key, &|m| {
            pair.sign(m).as_ref().to_vec()
        });
        // An HMAC secret is never taken as a public key (algorithm confusion).
        let sig = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret), b"m");
        assert!(!check(Algorithm::ES256, &hmac_key, b"m", sig.as_ref()));
        assert!(!check(Algorithm::RS256, &hmac_key, b"m", sig.as_ref()));
    }
}
