//! Sealed values: what the authorization server hands out and later reads back (tokens, codes, client ids,
//! the consent form, the state sent through HubSpot) is its JSON encrypted and authenticated under the
//! server's own key (AES-256-GCM from `ring`), so any replica, and any instance after a restart, can read it
//! with no database, and nobody else can read or forge it.
//!
//! Each value is `<kind>.<base64url(key id ‖ nonce ‖ ciphertext ‖ tag)>`. The kind is also the AEAD's
//! associated data, so a value of one kind (an authorization code) is never accepted as another (a token).
//! `OAUTH_KEYS` lists secrets, newest first: the first seals, every one opens. Rotation: put a new secret
//! first and keep the old ones until what they sealed has expired; nobody is logged out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::{hkdf, hmac};
use serde_json::Value;

/// Bytes of the key id that starts each sealed value.
const KID_LEN: usize = 4;
/// Longest sealed value read (a refresh token with a HubSpot refresh token and a few scopes is ~600).
pub(crate) const MAX_SEALED_LEN: usize = 8 * 1024;

/// What can be sealed: written as and read from a JSON value by hand (serde derives for these payloads
/// would add a deserializer per type to a binary that must stay under 5 MB; `Value`'s is linked anyway).
pub(crate) trait Payload: Sized {
    /// The value to seal.
    fn to_value(&self) -> Value;
    /// Reads it back; `None` when a field is missing or of the wrong type.
    fn from_value(v: &Value) -> Option<Self>;
}

impl Payload for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
    fn from_value(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}

/// A string field.
pub(crate) fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k)?.as_str().map(str::to_string)
}

/// A number field.
pub(crate) fn number(v: &Value, k: &str) -> Option<u64> {
    v.get(k)?.as_u64()
}

/// A list-of-strings field.
pub(crate) fn texts(v: &Value, k: &str) -> Option<Vec<String>> {
    v.get(k)?
        .as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// What a sealed value is; its name is the value's prefix and the AEAD's associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An access token for `/mcp`.
    AccessToken,
    /// A refresh token.
    RefreshToken,
    /// This server's authorization code, given to the MCP client.
    Code,
    /// A client id issued by dynamic registration (the client's metadata, sealed).
    ClientId,
    /// The consent form's hidden request.
    Consent,
    /// The `state` sent to HubSpot's authorize page and read back at the callback.
    State,
    /// A 2026-07-28 `requestState` of a write waiting for a person's approval (`approval`).
    Approval,
    /// Who signed in in this browser, for the approval pages.
    Person,
}

impl Kind {
    /// The prefix: short, and names what the value is when someone finds one in a config file.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Kind::AccessToken => "hsmcp_at",
            Kind::RefreshToken => "hsmcp_rt",
            Kind::Code => "hsmcp_code",
            Kind::ClientId => "hsmcp_client",
            Kind::Consent => "hsmcp_consent",
            Kind::State => "hsmcp_state",
            Kind::Approval => "hsmcp_approval",
            Kind::Person => "hsmcp_person",
        }
    }
}

/// One key: its id and the AEAD key.
struct Key {
    id: [u8; KID_LEN],
    aead: LessSafeKey,
}

/// Seals with the newest key, opens with any.
pub(crate) struct Sealer {
    keys: Vec<Key>,
    /// HMAC key for values derived rather than sealed (a confidential client's secret).
    mac: hmac::Key,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// HKDF output length marker for a 32-byte key.
struct Len32;
impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// 32 bytes derived from `secret` for `purpose`.
fn derive(secret: &[u8], purpose: &[u8]) -> [u8; 32] {
    let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, b"hubspot-mcp oauth keys v1");
    let prk = salt.extract(secret);
    let mut out = [0u8; 32];
    // Expanding 32 bytes of SHA-256 HKDF cannot fail (the limit is 255 * 32).
    if let Ok(okm) = prk.expand(&[purpose], Len32) {
        let _ = okm.fill(&mut out);
    }
    out
}

impl Sealer {
    /// From the secrets of `OAUTH_KEYS`, newest first (the configuration has checked there is one, long
    /// enough). `None` when the list is empty.
    pub(crate) fn new<S: AsRef<[u8]>>(secrets: &[S]) -> Option<Sealer> {
        let first = secrets.first()?;
        let mut keys = Vec::with_capacity(secrets.len());
        for s in secrets {
            let material = derive(s.as_ref(), b"aead");
            let idm = derive(s.as_ref(), b"kid");
            let mut id = [0u8; KID_LEN];
            id.copy_from_slice(&idm[..KID_LEN]);
            let unbound = UnboundKey::new(&AES_256_GCM, &material).ok()?;
            keys.push(Key {
                id,
                aead: LessSafeKey::new(unbound),
            });
        }
        let mac = hmac::Key::new(hmac::HMAC_SHA256, &derive(first.as_ref(), b"mac"));
        Some(Sealer { keys, mac })
    }

    /// Seals `value` as `kind`.
    pub(crate) fn seal<T: Payload>(&self, kind: Kind, value: &T) -> String {
        let mut buf = serde_json::to_vec(&value.to_value()).unwrap_or_default();
        let mut nonce = [0u8; NONCE_LEN];
        crate::oauth::random_bytes(&mut nonce);
        let key = &self.keys[0];
        // Sealing in place with a fresh nonce and a valid key cannot fail.
        let _ = key.aead.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(kind.prefix().as_bytes()),
            &mut buf,
        );
        let mut raw = Vec::with_capacity(KID_LEN + NONCE_LEN + buf.len());
        raw.extend_from_slice(&key.id);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&buf);
        format!("{}.{}", kind.prefix(), URL_SAFE_NO_PAD.encode(raw))
    }

    /// Opens a value sealed as `kind` by any of the keys; `None` for anything else (another kind, a
    /// forged or altered value, a key no longer listed, an oversized value).
    pub(crate) fn open<T: Payload>(&self, kind: Kind, sealed: &str) -> Option<T> {
        if sealed.len() > MAX_SEALED_LEN {
            return None;
        }
        let body = sealed.strip_prefix(kind.prefix())?.strip_prefix('.')?;
        let raw = URL_SAFE_NO_PAD.decode(body).ok()?;
        if raw.len() < KID_LEN + NONCE_LEN + AES_256_GCM.tag_len() {
            return None;
        }
        let (id, rest) = raw.split_at(KID_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let key = self.keys.iter().find(|k| k.id == id)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = ciphertext.to_vec();
        let plain = key
            .aead
            .open_in_place(nonce, Aad::from(kind.prefix().as_bytes()), &mut buf)
            .ok()?;
        T::from_value(&serde_json::from_slice::<Value>(plain).ok()?)
    }

    /// A value derived from `input` under the newest key (hex HMAC-SHA256): a confidential client's
    /// secret is derived from its id, so it needs no storage either.
    pub(crate) fn derive_secret(&self, input: &str) -> String {
        let tag = hmac::sign(&self.mac, input.as_bytes());
        tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Checks a secret made by [`Sealer::derive_secret`], in constant time.
    pub(crate) fn verify_secret(&self, input: &str, secret: &str) -> bool {
        let Some(bytes) = decode_hex(secret) else {
            return false;
        };
        hmac::verify(&self.mac, input.as_bytes(), &bytes).is_ok()
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 128 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sealer(keys: &[&str]) -> Sealer {
        Sealer::new(keys).unwrap()
    }

    #[test]
    fn round_trip_and_kind_is_bound() {
        let s = sealer(&["k1-0123456789abcdef0123456789abcdef"]);
        let v = s.seal(Kind::Code, &json!({"a": 1}));
        assert!(v.starts_with("hsmcp_code."));
        assert_eq!(s.open::<Value>(Kind::Code, &v), Some(json!({"a": 1})));
        // The same bytes presented as another kind: refused (prefix and AAD).
        let as_token = v.replacen("hsmcp_code", "hsmcp_at", 1);
        assert_eq!(s.open::<Value>(Kind::AccessToken, &as_token), None);
    }

    #[test]
    fn tampering_and_foreign_keys_are_refused() {
        let s = sealer(&["k1-0123456789abcdef0123456789abcdef"]);
        let other = sealer(&["k2-0123456789abcdef0123456789abcdef"]);
        let v = s.seal(Kind::AccessToken, &json!({"sub": "x"}));
        assert_eq!(other.open::<Value>(Kind::AccessToken, &v), None);
        let mut bytes = v.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let v = String::from_utf8(bytes).unwrap();
        assert_eq!(s.open::<Value>(Kind::AccessToken, &v), None);
        assert_eq!(s.open::<Value>(Kind::AccessToken, "hsmcp_at."), None);
        assert_eq!(s.open::<Value>(Kind::AccessToken, "hsmcp_at.!!!"), None);
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_seals_with_the_new_key() {
        let old = sealer(&["old-0123456789abcdef0123456789abcdef"]);
        let v = old.seal(Kind::RefreshToken, &json!(7));
        let rotated = sealer(&[
            "new-0123456789abcdef0123456789abcdef",
            "old-0123456789abcdef0123456789abcdef",
        ]);
        assert_eq!(
            rotated.open::<Value>(Kind::RefreshToken, &v),
            Some(json!(7))
        );
        let w = rotated.seal(Kind::RefreshToken, &json!(8));
        assert_eq!(old.open::<Value>(Kind::RefreshToken, &w), None);
        // Dropping the old key retires what it sealed.
        let only_new = sealer(&["new-0123456789abcdef0123456789abcdef"]);
        assert_eq!(only_new.open::<Value>(Kind::RefreshToken, &v), None);
    }

    #[test]
    fn derived_secrets_verify_in_constant_time_and_only_for_their_input() {
        let s = sealer(&["k1-0123456789abcdef0123456789abcdef"]);
        let secret = s.derive_secret("client-a");
        assert!(s.verify_secret("client-a", &secret));
        assert!(!s.verify_secret("client-b", &secret));
        assert!(!s.verify_secret("client-a", "zz"));
        assert!(!s.verify_secret("client-a", ""));
    }
}
