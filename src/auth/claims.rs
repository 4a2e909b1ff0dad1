//! The pure parts of a token: the JOSE header read before any key is chosen, the registered claims
//! (`exp`, `nbf`, `iss`, `aud`, `sub`), the scope claims (`scope`, `scp`), and what the scopes grant.
//!
//! Nothing here verifies a signature or does I/O: [`super::Verifier`] calls these around
//! the signature check (`crypto.rs`, with ring), which checks the signature only (its own time checks read the system clock,
//! ours take `now` from the caller so they can be tested).

use serde_json::{Map, Value};

use super::AuthError;

/// Longest `kid` / `alg` value echoed back in an error (they come from the client).
const ECHO_MAX: usize = 64;

/// A value from the token, safe to put in an error message and a `WWW-Authenticate` quoted string:
/// printable ASCII without `"` or `\`, at most [`ECHO_MAX`] characters.
pub(crate) fn echo(s: &str) -> String {
    s.chars()
        .take(ECHO_MAX)
        .map(|c| match c {
            ' ' | '!' | '#'..='[' | ']'..='~' => c,
            _ => '?',
        })
        .collect()
}

/// Decodes unpadded base64url (RFC 7515 section 2), as JWT segments are written. `None` on any other byte
/// or an impossible length.
///
/// ```
/// # use hubspot_mcp::auth::claims::b64url_decode;
/// assert_eq!(b64url_decode("eyJhbGciOiJub25lIn0").as_deref(), Some(&br#"{"alg":"none"}"#[..]));
/// assert_eq!(b64url_decode("a+b/"), None);
/// ```
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
}

/// What the verifier needs from the JOSE header before it picks a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHeader {
    /// `alg` as written (checked against the key's allowlist later).
    pub(crate) alg: String,
    /// `kid`, when present.
    pub(crate) kid: Option<String>,
}

/// Splits a compact JWS into its three segments and reads the header. Refuses anything that is not
/// `header.payload.signature` in base64url, a header that is not a JSON object with a string `alg`, and
/// a header with `crit` (no extension is understood here, so RFC 7515 section 4.1.11 says refuse).
pub fn parse_header(token: &str) -> Result<TokenHeader, AuthError> {
    let mut parts = token.split('.');
    let (Some(h), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed(
            "expected a JWT: three base64url segments separated by dots".into(),
        ));
    };
    let bytes = b64url_decode(h)
        .ok_or_else(|| AuthError::Malformed("the header is not base64url".into()))?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes)
        .map_err(|_| AuthError::Malformed("the header is not a JSON object".into()))?;
    let alg = match header.get("alg") {
        Some(Value::String(a)) => a.clone(),
        _ => return Err(AuthError::Malformed("the header has no `alg`".into())),
    };
    if header.contains_key("crit") {
        return Err(AuthError::Malformed(
            "the header lists critical extensions (`crit`), which are not supported".into(),
        ));
    }
    let kid = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(AuthError::Malformed("`kid` is not a string".into())),
    };
    Ok(TokenHeader { alg, kid })
}

/// The claim a principal's identity comes from, in order of precedence. A user's `sub` and a client's
/// `client_id` / `azp` are different namespaces: the same text under two of them names two principals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum SubjectClaim {
    /// `sub` (RFC 7519): the user, or whatever the issuer makes the subject.
    Sub,
    /// `client_id` (RFC 9068, RFC 8693): the client of a client-credentials token without `sub`.
    ClientId,
    /// `azp` (OpenID Connect): the authorized party, when neither of the others is there.
    Azp,
}

impl SubjectClaim {
    /// Every kind, in the order a token is searched.
    const ALL: [SubjectClaim; 3] = [SubjectClaim::Sub, SubjectClaim::ClientId, SubjectClaim::Azp];

    /// The claim's name, which is also the prefix of a [`PrincipalId`].
    fn as_str(self) -> &'static str {
        match self {
            SubjectClaim::Sub => "sub",
            SubjectClaim::ClientId => "client_id",
            SubjectClaim::Azp => "azp",
        }
    }
}

/// Who a principal is: the claim its identity comes from and that claim's (non-empty) value, written
/// `claim:value` (`sub:alice`, `client_id:alice`). Two ids are equal only when both parts are, so
/// principals named by different claims never share sessions, session quotas or rate limits. This
/// written form is the key everywhere (session owner in every store, rate-limit key, the access log's
/// `principal`); it holds a claim value, never token text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PrincipalId {
    claim: SubjectClaim,
    key: Box<str>,
}

impl PrincipalId {
    /// The id of `value` under `claim`; `None` for an empty value (it would name nobody).
    pub(crate) fn new(claim: SubjectClaim, value: &str) -> Option<PrincipalId> {
        if value.is_empty() {
            return None;
        }
        Some(PrincipalId {
            claim,
            key: format!("{}:{value}", claim.as_str()).into_boxed_str(),
        })
    }

    /// A person signed in through HubSpot (`oauth` mode): `sub:hubspot:<hub id>:<user id>`.
    pub(crate) fn hubspot_user(hub_id: u64, user_id: u64) -> PrincipalId {
        PrincipalId {
            claim: SubjectClaim::Sub,
            key: format!("sub:hubspot:{hub_id}:{user_id}").into_boxed_str(),
        }
    }

    /// Reads the written form back (from a session store); `None` unless it starts with a known claim,
    /// a colon and a non-empty value.
    pub(crate) fn parse(key: &str) -> Option<PrincipalId> {
        let (claim, value) = key.split_once(':')?;
        let claim = SubjectClaim::ALL
            .into_iter()
            .find(|c| c.as_str() == claim)?;
        PrincipalId::new(claim, value)
    }

    /// The written form, `claim:value`.
    pub(crate) fn as_str(&self) -> &str {
        &self.key
    }

    /// The claim the identity comes from.
    #[cfg(test)]
    fn claim(&self) -> SubjectClaim {
        self.claim
    }

    /// The claim's value.
    #[cfg(test)]
    fn value(&self) -> &str {
        self.key
            .get(self.claim.as_str().len() + 1..)
            .unwrap_or_default()
    }
}

impl std::fmt::Display for PrincipalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key)
    }
}

impl std::fmt::Debug for PrincipalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrincipalId({:?})", &*self.key)
    }
}

/// The principal a payload names: the first of `sub`, `client_id`, `azp` that is present (and not
/// null) decides, and must be a non-empty string. No fallback past a present but unusable claim (an
/// empty or numeric `sub` falling back to the shared `client_id` would merge every user of a client).
fn principal_of(obj: &Map<String, Value>) -> Option<PrincipalId> {
    let (claim, v) = SubjectClaim::ALL
        .into_iter()
        .find_map(|c| match obj.get(c.as_str()) {
            None | Some(Value::Null) => None,
            Some(v) => Some((c, v)),
        })?;
    PrincipalId::new(claim, v.as_str()?)
}

/// The claims this server reads, taken from a verified payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Claims {
    /// The principal: `sub`, else `client_id`, else `azp` (client-credential tokens often carry no
    /// `sub`), with the claim kept in the id. `None` when the token names no usable one
    /// ([`super::Verifier::verify`] refuses it with [`AuthError::NoSubject`]).
    pub(crate) subject: Option<PrincipalId>,
    /// `exp` (required: a token that never expires could never leave the verified-token cache).
    pub(crate) exp: u64,
    /// `nbf`.
    nbf: Option<u64>,
    /// `iss`.
    iss: Option<String>,
    /// `aud`, a string or an array of strings.
    aud: Vec<String>,
    /// The union of `scope` (space-separated) and `scp` (array, or space-separated string).
    pub(crate) scopes: Vec<String>,
    /// Whether `scope` or `scp` was present at all (even empty).
    has_scope_claim: bool,
}

impl Claims {
    /// Reads the claims from a payload; wrong types are [`AuthError::Malformed`].
    pub(crate) fn from_value(v: &Value) -> Result<Claims, AuthError> {
        let Some(obj) = v.as_object() else {
            return Err(AuthError::Malformed(
                "the payload is not a JSON object".into(),
            ));
        };
        let exp = match obj.get("exp") {
            None | Some(Value::Null) => {
                return Err(AuthError::Malformed("the token has no `exp` claim".into()))
            }
            Some(v) => numeric_date(v, "exp")?,
        };
        let nbf = match obj.get("nbf") {
            None | Some(Value::Null) => None,
            Some(v) => Some(numeric_date(v, "nbf")?),
        };
        let iss = optional_string(obj, "iss")?;
        let aud = match obj.get("aud") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => string_list(v, "aud", false)?,
        };
        let subject = principal_of(obj);
        let mut scopes = Vec::new();
        let mut has_scope_claim = false;
        for name in ["scope", "scp"] {
            match obj.get(name) {
                None | Some(Value::Null) => {}
                Some(v) => {
                    has_scope_claim = true;
                    for s in string_list(v, name, true)? {
                        if !scopes.contains(&s) {
                            scopes.push(s);
                        }
                    }
                }
            }
        }
        Ok(Claims {
            subject,
            exp,
            nbf,
            iss,
            aud,
            scopes,
            has_scope_claim,
        })
    }

    /// `exp` and `nbf` against `now` (unix seconds) with `leeway` seconds of clock skew either way.
    pub(crate) fn check_time(&self, now: u64, leeway: u64) -> Result<(), AuthError> {
        if now > self.exp.saturating_add(leeway) {
            return Err(AuthError::Expired);
        }
        if self.nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
            return Err(AuthError::NotYetValid);
        }
        Ok(())
    }

    /// `iss` must equal `issuer` and `aud` must contain `audience`, when those are configured.
    pub(crate) fn check_iss_aud(
        &self,
        issuer: Option<&str>,
        audience: Option<&str>,
    ) -> Result<(), AuthError> {
        if let Some(want) = issuer {
            // Compare without a trailing slash: issuers are written both ways.
            let norm = |s: &str| s.trim_end_matches('/').to_string();
            if self.iss.as_deref().map(norm) != Some(norm(want)) {
                return Err(AuthError::WrongIssuer);
            }
        }
        if let Some(want) = audience {
            if !self.aud.iter().any(|a| a == want) {
                return Err(AuthError::WrongAudience);
            }
        }
        Ok(())
    }
}

fn numeric_date(v: &Value, name: &str) -> Result<u64, AuthError> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0 && *f < u64::MAX as f64)
                    .map(|f| f as u64)
            })
            .ok_or_else(|| AuthError::Malformed(format!("`{name}` is not a valid NumericDate"))),
        _ => Err(AuthError::Malformed(format!(
            "`{name}` is not a number of seconds"
        ))),
    }
}

fn optional_string(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, AuthError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AuthError::Malformed(format!("`{name}` is not a string"))),
    }
}

/// A string or an array of strings; `split` also splits strings on whitespace (scope claims).
fn string_list(v: &Value, name: &str, split: bool) -> Result<Vec<String>, AuthError> {
    let bad = || AuthError::Malformed(format!("`{name}` is not a string or an array of strings"));
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if split {
            out.extend(s.split_whitespace().map(str::to_string));
        } else {
            out.push(s.to_string());
        }
    };
    match v {
        Value::String(s) => push(s),
        Value::Array(items) => {
            for item in items {
                push(item.as_str().ok_or_else(bad)?);
            }
        }
        _ => return Err(bad()),
    }
    Ok(out)
}

/// What the scopes allow: `(can_read, can_write)`. A write scope implies read. A token with no scope claim
/// at all may read and write unless `require` (`MCP_REQUIRE_SCOPES`); a token that has one gets only what
/// it names.
pub(crate) fn grant(
    claims: &Claims,
    read_scopes: &[String],
    write_scopes: &[String],
    require: bool,
) -> (bool, bool) {
    if !claims.has_scope_claim && !require {
        return (true, true);
    }
    let has = |wanted: &[String]| claims.scopes.iter().any(|s| wanted.contains(s));
    let can_write = has(write_scopes);
    (can_write || has(read_scopes), can_write)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    /// The example that was this item's doctest (the item is crate-private now).
    #[test]
    fn principal_id_example() {
        let user = PrincipalId::new(SubjectClaim::Sub, "alice").unwrap();
        let client = PrincipalId::new(SubjectClaim::ClientId, "alice").unwrap();
        assert_ne!(user, client);
        assert_eq!(client.as_str(), "client_id:alice");
        assert_eq!(PrincipalId::parse("client_id:alice"), Some(client));
        assert_eq!(PrincipalId::parse("alice"), None);
        assert_eq!(PrincipalId::new(SubjectClaim::Sub, ""), None);
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for s in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "{\"alg\":\"RS256\",\"kid\":\"k-1\"}",
        ] {
            assert_eq!(b64url_decode(&b64(s)).unwrap(), s.as_bytes(), "{s}");
        }
        assert_eq!(b64url_decode("a"), None);
        assert_eq!(b64url_decode("ab=="), None, "padding is not base64url");
    }

    #[test]
    fn header_needs_three_segments_alg_and_no_crit() {
        let h = b64(r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#);
        assert_eq!(
            parse_header(&format!("{h}.e30.c2ln")).unwrap(),
            TokenHeader {
                alg: "ES256".into(),
                kid: Some("k1".into())
            }
        );
        for bad in [
            "abc".to_string(),
            format!("{h}.e30"),
            format!("{h}.e30.x.y"),
            format!("{}.e30.x", b64("[1]")),
            format!("{}.e30.x", b64(r#"{"typ":"JWT"}"#)),
            format!("{}.e30.x", b64(r#"{"alg":"RS256","crit":["exp"]}"#)),
            format!("{}.e30.x", b64(r#"{"alg":"RS256","kid":7}"#)),
            "!!!.e30.x".to_string(),
        ] {
            assert!(
                matches!(parse_header(&bad), Err(AuthError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn claims_read_scope_and_scp_and_need_exp() {
        let c = Claims::from_value(&json!({
            "sub": "user-1", "exp": 2000, "nbf": 1000.4, "iss": "https://idp", "aud": ["a", "b"],
            "scope": "hubspot.read  openid", "scp": ["hubspot.write", "openid"]
        }))
        .unwrap();
        assert_eq!(
            c.subject.as_ref().map(PrincipalId::as_str),
            Some("sub:user-1")
        );
        assert_eq!((c.exp, c.nbf), (2000, Some(1000)));
        assert_eq!(c.aud, ["a", "b"]);
        assert_eq!(c.scopes, ["hubspot.read", "openid", "hubspot.write"]);
        assert!(c.has_scope_claim);

        let c = Claims::from_value(&json!({"client_id": "svc", "exp": 5, "scp": "a b"})).unwrap();
        assert_eq!(
            (c.subject.as_ref().map(PrincipalId::as_str), c.scopes.len()),
            (Some("client_id:svc"), 2)
        );

        for bad in [
            json!({"sub": "x"}),
            json!({"exp": "soon"}),
            json!({"exp": -1}),
            json!({"exp": 1, "aud": 3}),
            json!({"exp": 1, "scope": ["ok", 1]}),
            json!({"exp": 1, "iss": false}),
            json!([1]),
        ] {
            assert!(
                matches!(Claims::from_value(&bad), Err(AuthError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_subject_keeps_its_claim_and_must_be_a_non_empty_string() {
        let id = |v: Value| {
            let mut v = v;
            v["exp"] = json!(5);
            Claims::from_value(&v).unwrap().subject
        };
        let sub = PrincipalId::new(SubjectClaim::Sub, "alice").unwrap();
        let client = PrincipalId::new(SubjectClaim::ClientId, "alice").unwrap();
        let azp = PrincipalId::new(SubjectClaim::Azp, "alice").unwrap();
        assert_eq!(
            id(json!({"sub": "alice", "client_id": "svc"})),
            Some(sub.clone())
        );
        assert_eq!(
            id(json!({"client_id": "alice", "azp": "x"})),
            Some(client.clone())
        );
        assert_eq!(id(json!({"sub": null, "azp": "alice"})), Some(azp.clone()));
        // The same text under different claims names different principals, in every form.
        assert!(sub != client && client != azp && sub != azp);
        assert_ne!(sub.to_string(), client.to_string());
        assert_eq!(
            (client.claim(), client.value()),
            (SubjectClaim::ClientId, "alice")
        );
        // None at all, empty, or not a string: no principal (and no fallback past a bad `sub`).
        for bad in [
            json!({}),
            json!({"sub": ""}),
            json!({"sub": 42, "client_id": "svc"}),
            json!({"sub": "", "client_id": "svc"}),
            json!({"client_id": ["svc"]}),
            json!({"azp": true}),
        ] {
            assert_eq!(id(bad.clone()), None, "{bad}");
        }
        // The written form reads back; anything else does not.
        let odd = PrincipalId::new(SubjectClaim::Sub, "a:b \"c\"").unwrap();
        assert_eq!(PrincipalId::parse(odd.as_str()), Some(odd.clone()));
        assert_eq!(odd.value(), "a:b \"c\"");
        for bad in ["alice", "sub:", ":alice", "iss:alice", "SUB:alice", ""] {
            assert_eq!(PrincipalId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn time_checks_allow_the_leeway_and_no_more() {
        let c = Claims {
            exp: 1000,
            nbf: Some(900),
            ..Claims::default()
        };
        assert_eq!(c.check_time(1030, 30), Ok(()));
        assert_eq!(c.check_time(1031, 30), Err(AuthError::Expired));
        assert_eq!(c.check_time(870, 30), Ok(()));
        assert_eq!(c.check_time(869, 30), Err(AuthError::NotYetValid));
        let far = Claims {
            exp: u64::MAX,
            ..Claims::default()
        };
        assert_eq!(far.check_time(u64::MAX, 30), Ok(()));
    }

    #[test]
    fn issuer_and_audience_when_configured() {
        let c = Claims {
            iss: Some("https://idp.example.com/".into()),
            aud: vec!["x".into(), "hubspot-mcp".into()],
            ..Claims::default()
        };
        assert_eq!(c.check_iss_aud(None, None), Ok(()));
        assert_eq!(
            c.check_iss_aud(Some("https://idp.example.com"), Some("hubspot-mcp")),
            Ok(())
        );
        assert_eq!(
            c.check_iss_aud(Some("https://evil.example.com"), None),
            Err(AuthError::WrongIssuer)
        );
        assert_eq!(
            c.check_iss_aud(None, Some("other")),
            Err(AuthError::WrongAudience)
        );
        assert_eq!(
            Claims::default().check_iss_aud(Some("https://idp.example.com"), None),
            Err(AuthError::WrongIssuer)
        );
    }

    #[test]
    fn scopes_grant_read_and_write() {
        let r = vec!["hubspot.read".to_string()];
        let w = vec!["hubspot.write".to_string(), "crm.admin".to_string()];
        let with = |scopes: &[&str]| Claims {
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            has_scope_claim: true,
            ..Claims::default()
        };
        assert_eq!(grant(&Claims::default(), &r, &w, false), (true, true));
        assert_eq!(grant(&Claims::default(), &r, &w, true), (false, false));
        assert_eq!(
            grant(&with(&["hubspot.read"]), &r, &w, false),
            (true, false)
        );
        assert_eq!(grant(&with(&["crm.admin"]), &r, &w, true), (true, true));
        assert_eq!(grant(&with(&["openid"]), &r, &w, false), (false, false));
        assert_eq!(grant(&with(&[]), &r, &w, false), (false, false));
    }

    #[test]
    fn echo_keeps_quoted_strings_safe() {
        assert_eq!(echo("k\"1\\\n✓"), "k?1???");
        assert_eq!(echo(&"x".repeat(100)).len(), ECHO_MAX);
    }
}
