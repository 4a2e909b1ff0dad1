//! The clients the authorization server knows, with no table of its own: a client registered dynamically
//! (RFC 7591) gets a client id that is its own metadata sealed ([`Kind::ClientId`]), and a client that uses
//! a client ID metadata document has an https URL as its id, whose JSON names it and its redirect URIs;
//! that document is fetched under strict guards (https only, public addresses only, no redirects, 5 KiB,
//! 5 s) and cached.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde_json::Value;

use super::guard::PublicOnly;
use super::redirect;
use super::seal::{number, text, texts, Kind, Payload, Sealer};

/// Largest metadata document read (the draft's recommendation).
const MAX_DOCUMENT_BYTES: u64 = 5 * 1024;
/// Time a document fetch may take, in all.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Documents cached at most; how long one is trusted when it says nothing (and the bounds on what it says).
const CACHE_CAP: usize = 1024;
const CACHE_DEFAULT: Duration = Duration::from_secs(3600);
const CACHE_MIN: Duration = Duration::from_secs(60);
const CACHE_MAX: Duration = Duration::from_secs(24 * 3600);
/// Redirect URIs one client may have at most; characters of a client name shown.
const MAX_REDIRECTS: usize = 10;
const MAX_NAME: usize = 100;

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenAuth {
    /// A public client (native apps, browser apps, CIMD clients): PKCE alone.
    None,
    /// A secret in HTTP Basic.
    SecretBasic,
    /// A secret in the form body.
    SecretPost,
}

impl TokenAuth {
    /// Reads the RFC 7591 name (`None` for a method this server does not support).
    pub(crate) fn parse(s: &str) -> Option<TokenAuth> {
        [
            TokenAuth::None,
            TokenAuth::SecretBasic,
            TokenAuth::SecretPost,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
    /// The RFC 7591 name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TokenAuth::None => "none",
            TokenAuth::SecretBasic => "client_secret_basic",
            TokenAuth::SecretPost => "client_secret_post",
        }
    }
}

/// A client, however it came to be known.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    /// Its client id.
    pub(crate) id: String,
    /// The name it gives (shown on the consent page, marked as the client's own claim).
    pub(crate) name: String,
    /// Its redirect URIs.
    pub(crate) redirect_uris: Vec<String>,
    /// How it authenticates.
    pub(crate) auth: TokenAuth,
    /// For a metadata-document client: the host of its client id (shown on the consent page).
    pub(crate) document_host: Option<String>,
}

/// What a dynamically registered client id seals.
#[derive(Debug, Clone)]
struct Registered {
    n: String,
    r: Vec<String>,
    a: TokenAuth,
    t: u64,
}

impl Payload for Registered {
    fn to_value(&self) -> Value {
        serde_json::json!({"n": self.n, "r": self.r, "a": self.a.as_str(), "t": self.t})
    }
    fn from_value(v: &Value) -> Option<Self> {
        Some(Registered {
            n: text(v, "n")?,
            r: texts(v, "r")?,
            a: TokenAuth::parse(&text(v, "a")?)?,
            t: number(v, "t")?,
        })
    }
}

/// Why a client cannot be used or registered; the text is for `error_description` / the error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClientError {
    /// The client id is not one this server issued or a fetchable metadata document.
    Unknown(String),
    /// A metadata document could not be used (fetch refused or failed, bad content).
    Document(String),
    /// Registration metadata is invalid (RFC 7591 `invalid_client_metadata`).
    Metadata(String),
    /// A redirect URI is invalid (RFC 7591 `invalid_redirect_uri`).
    RedirectUri(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Unknown(s)
            | ClientError::Document(s)
            | ClientError::Metadata(s)
            | ClientError::RedirectUri(s) => f.write_str(s),
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Checks a registration's (or a document's) redirect URIs.
fn redirect_uris(v: Option<&Value>) -> Result<Vec<String>, ClientError> {
    let list = v.and_then(Value::as_array).ok_or_else(|| {
        ClientError::RedirectUri("redirect_uris is required: a non-empty array of URIs".into())
    })?;
    if list.is_empty() || list.len() > MAX_REDIRECTS {
        return Err(ClientError::RedirectUri(format!(
            "redirect_uris must hold 1 to {MAX_REDIRECTS} URIs"
        )));
    }
    list.iter()
        .map(|u| {
            let u = u.as_str().ok_or_else(|| {
                ClientError::RedirectUri("each redirect URI must be a string".into())
            })?;
            redirect::check_registrable(u).map_err(ClientError::RedirectUri)?;
            Ok(u.to_string())
        })
        .collect()
}

fn client_name(v: &Value, fallback: &str) -> String {
    let name: String = v
        .get("client_name")
        .and_then(Value::as_str)
        .unwrap_or(fallback)
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect();
    if name.trim().is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

/// Registers and finds clients.
pub(crate) struct Clients {
    agent: ureq::Agent,
    cache: Mutex<HashMap<String, (Client, Instant)>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clients").finish_non_exhaustive()
    }
}

impl Clients {
    /// `exempt`: one `host:port` allowed although not public (tests); `extra_ca`: PEM trusted besides
    /// Mozilla's roots for documents only (tests).
    pub(crate) fn new(exempt: Option<String>, extra_ca: Option<&[u8]>) -> Result<Clients, String> {
        let roots = crate::tls::ureq_roots(extra_ca)?;
        let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(true)
            .tls_config(tls)
            .proxy(None)
            .max_redirects(0)
            .timeout_global(Some(FETCH_TIMEOUT))
            .timeout_resolve(Some(Duration::from_secs(2)))
            .max_idle_connections(0)
            .user_agent(concat!("hubspot-mcp/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicOnly::new(exempt),
        );
        Ok(Clients {
            agent,
            cache: Mutex::default(),
        })
    }

    /// Registers a client from RFC 7591 metadata; returns it and, for a confidential client, its secret.
    pub(crate) fn register(
        &self,
        sealer: &Sealer,
        meta: &Value,
    ) -> Result<(Client, Option<String>), ClientError> {
        if !meta.is_object() {
            return Err(ClientError::Metadata(
                "the body must be a JSON object".into(),
            ));
        }
        let r = redirect_uris(meta.get("redirect_uris"))?;
        let method = meta
            .get("token_endpoint_auth_method")
            .and_then(Value::as_str);
        let auth = match method.map(|m| (m, TokenAuth::parse(m))) {
            None => TokenAuth::None,
            Some((_, Some(a))) => a,
            Some((other, None)) => {
                return Err(ClientError::Metadata(format!(
                    "token_endpoint_auth_method {other:?} is not supported (none, client_secret_basic, client_secret_post)"
                )))
            }
        };
        if let Some(grants) = meta.get("grant_types").and_then(Value::as_array) {
            if let Some(g) = grants
                .iter()
                .filter_map(Value::as_str)
                .find(|g| !matches!(*g, "authorization_code" | "refresh_token"))
            {
                return Err(ClientError::Metadata(format!(
                    "grant type {g:?} is not supported (authorization_code, refresh_token)"
                )));
            }
        }
        if let Some(types) = meta.get("response_types").and_then(Value::as_array) {
            if types.iter().any(|t| t.as_str() != Some("code")) {
                return Err(ClientError::Metadata(
                    "only the response type \"code\" is supported".into(),
                ));
            }
        }
        let reg = Registered {
            n: client_name(meta, "Unnamed client"),
            r,
            a: auth,
            t: now_secs(),
        };
        let id = sealer.seal(Kind::ClientId, &reg);
        let secret = (auth != TokenAuth::None).then(|| sealer.derive_secret(&id));
        Ok((
            Client {
                id,
                name: reg.n,
                redirect_uris: reg.r,
                auth,
                document_host: None,
            },
            secret,
        ))
    }

    /// The client `client_id` names: a sealed registration, or an https metadata document.
    pub(crate) fn find(&self, sealer: &Sealer, client_id: &str) -> Result<Client, ClientError> {
        if client_id.starts_with(Kind::ClientId.prefix()) {
            let reg: Registered = sealer.open(Kind::ClientId, client_id).ok_or_else(|| {
                ClientError::Unknown("unknown client_id (not one this server registered)".into())
            })?;
            return Ok(Client {
                id: client_id.to_string(),
                name: reg.n,
                redirect_uris: reg.r,
                auth: reg.a,
                document_host: None,
            });
        }
        if client_id.starts_with("https://") {
            return self.document(client_id);
        }
        Err(ClientError::Unknown(
            "unknown client_id: register at the registration_endpoint, or use an https URL of a client ID metadata document".into(),
        ))
    }

    fn document(&self, url: &str) -> Result<Client, ClientError> {
        let now = Instant::now();
        if let Some((c, until)) = self.cache.lock().get(url) {
            if *until > now {
                return Ok(c.clone());
            }
        }
        let (client, ttl) = self.fetch(url)?;
        let mut cache = self.cache.lock();
        if cache.len() >= CACHE_CAP {
            cache.retain(|_, (_, t)| *t > now);
            if cache.len() >= CACHE_CAP {
                cache.clear();
            }
        }
        cache.insert(url.to_string(), (client.clone(), now + ttl));
        Ok(client)
    }

    fn fetch(&self, url: &str) -> Result<(Client, Duration), ClientError> {
        let bad = |why: String| {
            ClientError::Document(format!("client ID metadata document {url}: {why}"))
        };
        let parsed: ureq::http::Uri = url.parse().map_err(|_| bad("not a valid URL".into()))?;
        let path = parsed.path();
        if parsed.scheme_str() != Some("https")
            || path.is_empty()
            || path == "/"
            || url.contains('#')
            || path.split('/').any(|s| s == "." || s == "..")
            || parsed.authority().is_some_and(|a| a.as_str().contains('@'))
        {
            return Err(bad(
                "the client id must be an https URL with a path, no fragment, no credentials"
                    .into(),
            ));
        }
        let mut resp = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| bad(fetch_error(&e)))?;
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            return Err(bad(format!(
                "answered {status}: redirects are not followed"
            )));
        }
        if status != 200 {
            return Err(bad(format!("answered {status}")));
        }
        let max_age = resp
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(',')
                    .find_map(|d| d.trim().strip_prefix("max-age="))
                    .and_then(|n| n.parse::<u64>().ok())
            });
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_vec()
            .map_err(|e| bad(fetch_error(&e)))?;
        let doc: Value = serde_json::from_slice(&body).map_err(|_| bad("is not JSON".into()))?;
        if doc.get("client_id").and_then(Value::as_str) != Some(url) {
            return Err(bad(
                "its client_id must equal the URL it is served from".into()
            ));
        }
        match doc
            .get("token_endpoint_auth_method")
            .and_then(Value::as_str)
        {
            None | Some("none") => {}
            Some(m) => {
                return Err(bad(format!(
                "token_endpoint_auth_method {m:?} is not supported for metadata documents (none)"
            )))
            }
        }
        let redirect_uris =
            redirect_uris(doc.get("redirect_uris")).map_err(|e| bad(e.to_string()))?;
        let host = parsed.host().unwrap_or_default().to_string();
        let ttl = max_age
            .map(Duration::from_secs)
            .unwrap_or(CACHE_DEFAULT)
            .clamp(CACHE_MIN, CACHE_MAX);
        Ok((
            Client {
                id: url.to_string(),
                name: client_name(&doc, &host),
                redirect_uris,
                auth: TokenAuth::None,
                document_host: Some(host),
            },
            ttl,
        ))
    }
}

/// A fetch failure in words (the guard's refusal named as such).
fn fetch_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            format!("refused: the host {io}")
        }
        ureq::Error::Timeout(_) => "took longer than 5 s".into(),
        ureq::Error::BodyExceedsLimit(_) => "is larger than 5 KiB".into(),
        // Which network error it was (refused, reset, TLS) is logged, not shown: the page must not be a
        // port scanner.
        other => {
            log::info!(error = other.to_string(); "client ID metadata document fetch failed");
            "could not be fetched".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sealer() -> Sealer {
        Sealer::new(&["test-key-0123456789abcdef0123456789abcdef"]).unwrap()
    }

    #[test]
    fn registered_clients_need_no_storage() {
        let clients = Clients::new(None, None).unwrap();
        let s = sealer();
        let (c, secret) = clients
            .register(
                &s,
                &json!({"client_name": "Claude", "redirect_uris": ["http://127.0.0.1/cb"]}),
            )
            .unwrap();
        assert!(secret.is_none());
        let found = clients.find(&s, &c.id).unwrap();
        assert_eq!(found.name, "Claude");
        assert_eq!(found.redirect_uris, vec!["http://127.0.0.1/cb"]);
        let (c2, secret) = clients
            .register(
                &s,
                &json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "client_secret_post"}),
            )
            .unwrap();
        assert!(s.verify_secret(&c2.id, &secret.unwrap()));
        assert!(clients.find(&s, "hsmcp_client.forged").is_err());
        assert!(clients.find(&s, "random").is_err());
    }

    #[test]
    fn bad_registrations_are_refused() {
        let clients = Clients::new(None, None).unwrap();
        let s = sealer();
        for meta in [
            json!({}),
            json!({"redirect_uris": []}),
            json!({"redirect_uris": ["http://evil.example/cb"]}),
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]}),
            json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            json!([1]),
        ] {
            assert!(clients.register(&s, &meta).is_err(), "{meta}");
        }
    }

    #[test]
    fn documents_on_private_addresses_or_plain_http_are_refused_before_any_byte() {
        let clients = Clients::new(None, None).unwrap();
        let s = sealer();
        for url in [
            "https://127.0.0.1:9/client.json",
            "https://localhost:9/client.json",
            "https://10.0.0.1/client.json",
            "https://[::1]:9/client.json",
            "https://169.254.169.254/latest/meta-data",
            "https://user@example.com/client.json",
            "https://example.com/",
        ] {
            let e = clients.find(&s, url).unwrap_err();
            assert!(matches!(e, ClientError::Document(_)), "{url}: {e}");
        }
        assert!(clients.find(&s, "http://example.com/client.json").is_err());
    }
}
