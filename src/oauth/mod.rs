//! The built-in OAuth 2.1 authorization server (`MCP_AUTH_MODE=oauth`): an MCP client connects with
//! nothing but the server's URL, and each person signs in with their own HubSpot account.
//!
//! The flow: the client finds the metadata (RFC 9728 → RFC 8414), registers (a client ID metadata
//! document, or RFC 7591), and sends the person to `/oauth/authorize` with a PKCE S256 challenge. This
//! server shows its own consent page (it uses one HubSpot app for many clients, so HubSpot's consent alone
//! would let any site obtain a grant silently), then sends the person to HubSpot's authorize page. HubSpot
//! returns to `/oauth/callback`; the code is exchanged, introspection says who signed in, and only then
//! does this server issue its own single-use code to the client, which trades it at `/oauth/token`.
//!
//! Nothing needs a database: codes, tokens and client ids are sealed ([`seal`]) and carry what they
//! grant, including the person's HubSpot tokens (encrypted; never given to the client in the clear). The
//! [`store`] remembers only what a sealed value cannot say: used codes, each refresh family's generation
//! (a replayed refresh token revokes the family), revocations, and registration counts.
//!
//! This module reads no HTTP: `http::route` hands it a [`Request`] and writes the [`Page`] it returns.

mod clients;
pub(crate) mod form;
mod guard;
pub(crate) mod page;
mod pkce;
mod redirect;
pub(crate) mod seal;
mod store;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde_json::{json, Value};

use crate::auth::{AuthError, Principal, PrincipalId, UserGrant};
use crate::config::{Config, OAuthSettings, Secret};
use crate::hubspot::{self, oauth::App as HubSpotApp};
use clients::{Client, ClientError, Clients, TokenAuth};
use form::Form;
use seal::{number, text, texts, Kind, Payload, Sealer};
use store::Rotation;
pub(crate) use store::{GrantStore, MemoryGrants, RedisGrants};

/// Paths this module serves.
pub(crate) const AUTHORIZE_PATH: &str = "/oauth/authorize";
const CONSENT_PATH: &str = "/oauth/consent";
const CALLBACK_PATH: &str = "/oauth/callback";
const TOKEN_PATH: &str = "/oauth/token";
const REVOKE_PATH: &str = "/oauth/revoke";
const REGISTER_PATH: &str = "/oauth/register";
/// Signs a person in through HubSpot for an approval page (`?next=/approvals/<id>`).
pub(crate) const SIGNIN_PATH: &str = "/oauth/signin";
/// The cookie saying who signed in in this browser (sealed principal and expiry), read by the approval
/// pages: set at every successful sign-in, the MCP client's included.
const PERSON_COOKIE: &str = "hsmcp_person";
/// How long that sign-in lasts.
const PERSON_TTL_SECS: u64 = 8 * 3600;
/// RFC 8414 metadata, and the OpenID discovery path some clients try first or instead.
const METADATA_PATHS: [&str; 4] = [
    "/.well-known/oauth-authorization-server",
    "/.well-known/oauth-authorization-server/mcp",
    "/.well-known/openid-configuration",
    "/.well-known/openid-configuration/mcp",
];
/// The cookie that carries the consent form's CSRF token (double submit, bound to the sealed request).
const CSRF_COOKIE: &str = "hsmcp_csrf";
/// The cookie that binds HubSpot's `state` to the browser that consented: the callback needs it, so a
/// `state` (or the HubSpot link carrying it) handed to someone else signs nobody in for the client.
/// `SameSite=Lax`: it must come along on HubSpot's top-level redirect back.
const STATE_COOKIE: &str = "hsmcp_state";
/// Registrations one address may make per hour.
const REGISTRATIONS_PER_ADDRESS: u64 = 10;
/// A HubSpot access token with less than this left is refreshed before use.
const HUBSPOT_MARGIN: u64 = 60;
/// A token this instance has just refreshed is used while it has this much left (so requests that
/// waited for a refresh use its result instead of refreshing again).
const REFRESHED_MARGIN: u64 = 5;

/// Whether `path` is one of this module's (the gate routes these here in `oauth` mode).
pub(crate) fn is_oauth_path(path: &str) -> bool {
    METADATA_PATHS.contains(&path)
        || matches!(
            path,
            AUTHORIZE_PATH
                | CONSENT_PATH
                | CALLBACK_PATH
                | SIGNIN_PATH
                | TOKEN_PATH
                | REVOKE_PATH
                | REGISTER_PATH
        )
}

/// Whether the request to `path` has a body to read (the POST endpoints).
pub(crate) fn takes_body(path: &str) -> bool {
    matches!(
        path,
        CONSENT_PATH | TOKEN_PATH | REVOKE_PATH | REGISTER_PATH
    )
}

/// The parts of an HTTP request these endpoints read.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// `GET`, `POST`, ...
    pub(crate) method: &'a str,
    /// The path, without the query.
    pub(crate) path: &'a str,
    /// The query string, without `?`.
    pub(crate) query: &'a str,
    /// The body (POST).
    pub(crate) body: &'a [u8],
    /// `Content-Type`.
    pub(crate) content_type: Option<&'a str>,
    /// `Cookie`.
    pub(crate) cookie: Option<&'a str>,
    /// `Authorization` (HTTP Basic client authentication).
    pub(crate) authorization: Option<&'a str>,
    /// This server's origin as the client sees it (the issuer).
    pub(crate) issuer: String,
    /// The client's address key (per-address registration bound).
    pub(crate) client_key: &'a str,
    /// The tool profiles' names (`/mcp/<profile>` are resources a token may be asked for, beside `/mcp`).
    pub(crate) profiles: &'a [&'a str],
}

/// What to answer.
#[derive(Debug)]
pub(crate) struct Page {
    /// Status.
    pub(crate) status: u16,
    /// Content type of `body`.
    pub(crate) content_type: &'static str,
    /// The body.
    pub(crate) body: String,
    /// Extra headers.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Page {
    fn json(status: u16, v: &Value) -> Page {
        Page {
            status,
            content_type: "application/json",
            body: v.to_string(),
            headers: vec![
                ("Cache-Control", "no-store".into()),
                ("Pragma", "no-cache".into()),
            ],
        }
    }
    /// An HTML page with the pages' security headers.
    pub(crate) fn html(status: u16, body: String) -> Page {
        Page {
            status,
            content_type: "text/html; charset=utf-8",
            body,
            headers: page::SECURITY_HEADERS
                .iter()
                .map(|(k, v)| (*k, (*v).to_string()))
                .collect(),
        }
    }
    fn error_page(status: u16, title: &str, detail: &str) -> Page {
        Page::html(status, page::error(title, detail))
    }
    fn redirect(location: String) -> Page {
        let mut p = Page::html(302, String::new());
        p.headers.push(("Location", location));
        p
    }
    /// An OAuth error at the token, revocation or registration endpoint (RFC 6749 §5.2).
    fn oauth_error(status: u16, error: &str, description: &str) -> Page {
        Page::json(
            status,
            &json!({"error": error, "error_description": description}),
        )
    }
    /// Adds a header.
    pub(crate) fn with_header(mut self, k: &'static str, v: String) -> Page {
        self.headers.push((k, v));
        self
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Random bytes from the operating system (a failing CSPRNG leaves zeros, which no check accepts as a
/// secret because every sealed value is also authenticated; ids made from them would collide, so it is
/// logged).
pub(crate) fn random_bytes(buf: &mut [u8]) {
    if getrandom::fill(buf).is_err() {
        log::error!("the operating system's random source failed");
    }
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    random_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// An authorization request, from the consent page to HubSpot and back (sealed as the consent form's
/// hidden field, then as HubSpot's `state`).
#[derive(Debug, Clone)]
struct AuthRequest {
    /// client_id
    c: String,
    /// redirect_uri
    r: String,
    /// the client's state
    s: Option<String>,
    /// PKCE challenge (S256)
    ch: String,
    /// MCP scopes requested
    sc: Vec<String>,
    /// resource (RFC 8707)
    res: String,
    /// CSRF token
    x: String,
    /// our callback URL (HubSpot's redirect_uri)
    cb: String,
    /// expires (unix seconds)
    e: u64,
}

/// What a code, a refresh token and an access token carry.
#[derive(Debug, Clone)]
struct GrantData {
    /// family (every token of one sign-in)
    f: String,
    /// generation of a refresh token
    g: u64,
    /// client_id
    c: String,
    /// MCP scopes granted
    sc: Vec<String>,
    /// resource (audience)
    res: String,
    /// HubSpot hub id, user id
    hub: u64,
    uid: u64,
    /// HubSpot access token and its expiry (unix seconds), HubSpot refresh token
    hat: String,
    hexp: u64,
    hrt: String,
    /// expires (unix seconds)
    e: u64,
    /// a code's id, redirect URI and PKCE challenge
    j: Option<String>,
    r: Option<String>,
    ch: Option<String>,
}

impl Payload for AuthRequest {
    fn to_value(&self) -> Value {
        json!({"c": self.c, "r": self.r, "s": self.s, "ch": self.ch, "sc": self.sc, "res": self.res,
               "x": self.x, "cb": self.cb, "e": self.e})
    }
    fn from_value(v: &Value) -> Option<Self> {
        Some(AuthRequest {
            c: text(v, "c")?,
            r: text(v, "r")?,
            s: text(v, "s"),
            ch: text(v, "ch")?,
            sc: texts(v, "sc")?,
            res: text(v, "res")?,
            x: text(v, "x")?,
            cb: text(v, "cb")?,
            e: number(v, "e")?,
        })
    }
}

impl Payload for GrantData {
    fn to_value(&self) -> Value {
        let mut v = json!({"f": self.f, "g": self.g, "c": self.c, "sc": self.sc, "res": self.res,
            "hub": self.hub, "uid": self.uid, "hat": self.hat, "hexp": self.hexp, "hrt": self.hrt, "e": self.e});
        for (k, x) in [("j", &self.j), ("r", &self.r), ("ch", &self.ch)] {
            if let (Some(o), Some(x)) = (v.as_object_mut(), x) {
                o.insert(k.into(), Value::from(x.as_str()));
            }
        }
        v
    }
    fn from_value(v: &Value) -> Option<Self> {
        Some(GrantData {
            f: text(v, "f")?,
            g: number(v, "g").unwrap_or(0),
            c: text(v, "c")?,
            sc: texts(v, "sc")?,
            res: text(v, "res")?,
            hub: number(v, "hub")?,
            uid: number(v, "uid")?,
            hat: text(v, "hat")?,
            hexp: number(v, "hexp")?,
            hrt: text(v, "hrt")?,
            e: number(v, "e")?,
            j: text(v, "j"),
            r: text(v, "r"),
            ch: text(v, "ch"),
        })
    }
}

/// Per-family HubSpot access tokens refreshed on this instance, one refresh at a time per family.
#[derive(Debug, Default)]
struct UserTokens {
    slots: Mutex<HashMap<String, Slot>>,
}

/// One family's refreshed HubSpot token and its expiry (unix seconds); locked while it is refreshed.
type Slot = Arc<Mutex<Option<(Secret, u64)>>>;

/// Families whose refreshed tokens are kept at most.
const MAX_USER_TOKENS: usize = 10_000;

impl UserTokens {
    fn slot(&self, family: &str) -> Slot {
        let mut slots = self.slots.lock();
        if slots.len() >= MAX_USER_TOKENS && !slots.contains_key(family) {
            // Whoever is dropped refreshes again on their next call.
            slots.retain(|_, s| Arc::strong_count(s) > 1);
            if slots.len() >= MAX_USER_TOKENS {
                slots.clear();
            }
        }
        Arc::clone(slots.entry(family.to_string()).or_default())
    }
}

/// The authorization server.
pub(crate) struct AuthServer {
    s: OAuthSettings,
    app: HubSpotApp,
    hubspot: Arc<hubspot::Client>,
    sealer: Sealer,
    store: Box<dyn GrantStore>,
    clients: Clients,
    read_scopes: Vec<String>,
    write_scopes: Vec<String>,
    tokens: UserTokens,
}

impl std::fmt::Debug for AuthServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthServer").finish_non_exhaustive()
    }
}

/// Under `--demo`: the sandbox's HubSpot app and authorize page stand in for the operator's.
#[derive(Debug, Clone)]
pub(crate) struct DemoApp {
    /// The sandbox app's client id.
    pub(crate) client_id: String,
    /// Its client secret.
    pub(crate) client_secret: String,
    /// The sandbox's authorize page.
    pub(crate) authorize_url: String,
}

/// Why the authorization server cannot start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetupError(pub(crate) String);

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AuthServer {
    /// From the configuration (`oauth` mode), the HubSpot client to call HubSpot's OAuth API with, the
    /// grant store, and under `--demo` the sandbox's app (`demo_app`) and a key made for this run.
    pub(crate) fn new(
        cfg: &Config,
        hubspot: Arc<hubspot::Client>,
        store: Box<dyn GrantStore>,
        demo: Option<DemoApp>,
    ) -> Result<AuthServer, SetupError> {
        let mut s = cfg
            .oauth()
            .cloned()
            .ok_or_else(|| SetupError("MCP_AUTH_MODE is not oauth".into()))?;
        let (client_id, client_secret) = match (demo, s.client_secret.as_ref()) {
            // `--demo` without an app of the operator's: the sandbox's, and its authorize page.
            (Some(d), _) if s.client_id.is_empty() => {
                s.authorize_url = d.authorize_url;
                (d.client_id, d.client_secret)
            }
            (_, Some(secret)) => (s.client_id.clone(), secret.expose().to_string()),
            _ => return Err(SetupError("HUBSPOT_CLIENT_SECRET is not set".into())),
        };
        if s.keys.is_empty() {
            // `--demo` only (the configuration requires OAUTH_KEYS otherwise): tokens last one run.
            s.keys.push(Secret::new(random_hex(32)));
        }
        let secrets: Vec<&str> = s.keys.iter().map(Secret::expose).collect();
        let sealer =
            Sealer::new(&secrets).ok_or_else(|| SetupError("OAUTH_KEYS holds no key".into()))?;
        let extra_ca = match &s.cimd_ca_file {
            Some(p) => Some(
                std::fs::read(p)
                    .map_err(|e| SetupError(format!("OAUTH_CIMD_CA_FILE {}: {e}", p.display())))?,
            ),
            None => None,
        };
        let clients = Clients::new(s.cimd_exempt.clone(), extra_ca.as_deref())
            .map_err(|e| SetupError(format!("OAUTH_CIMD_CA_FILE: {e}")))?;
        Ok(AuthServer {
            app: HubSpotApp {
                client_id,
                client_secret: Secret::new(client_secret),
            },
            hubspot,
            sealer,
            store,
            clients,
            read_scopes: cfg.read_scopes().to_vec(),
            write_scopes: cfg.write_scopes().to_vec(),
            tokens: UserTokens::default(),
            s,
        })
    }

    /// The scopes a client may ask for (`MCP_READ_SCOPES` then `MCP_WRITE_SCOPES`).
    fn scopes_supported(&self) -> Vec<String> {
        crate::config::scope_union(&self.read_scopes, &self.write_scopes)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// Serves one of this module's paths.
    pub(crate) fn handle(&self, r: &Request<'_>) -> Page {
        let page = match (r.method, r.path) {
            ("GET" | "HEAD", p) if METADATA_PATHS.contains(&p) => {
                Page::json(200, &self.metadata(&r.issuer))
                    .with_header("Access-Control-Allow-Origin", "*".into())
            }
            ("GET" | "HEAD", AUTHORIZE_PATH) => self.authorize(r),
            ("POST", CONSENT_PATH) => self.consent(r),
            ("GET" | "HEAD", CALLBACK_PATH) => self.callback(r),
            ("GET" | "HEAD", SIGNIN_PATH) => self.signin(r),
            ("POST", TOKEN_PATH) => self.token(r),
            ("POST", REVOKE_PATH) => self.revoke(r),
            ("POST", REGISTER_PATH) => self.register(r),
            ("OPTIONS", _) => Page {
                status: 204,
                content_type: "text/plain",
                body: String::new(),
                headers: vec![
                    ("Access-Control-Allow-Origin", "*".into()),
                    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS".into()),
                    (
                        "Access-Control-Allow-Headers",
                        "Content-Type, Authorization, MCP-Protocol-Version".into(),
                    ),
                    ("Access-Control-Max-Age", "600".into()),
                ],
            },
            (_, p) => {
                let allow = if METADATA_PATHS.contains(&p)
                    || p == AUTHORIZE_PATH
                    || p == CALLBACK_PATH
                    || p == SIGNIN_PATH
                {
                    "GET, HEAD"
                } else {
                    "POST"
                };
                Page::oauth_error(
                    405,
                    "invalid_request",
                    &format!("method not allowed; use {allow}"),
                )
                .with_header("Allow", allow.into())
            }
        };
        // The token, revocation and registration endpoints are called from browsers by web clients.
        if matches!(r.path, TOKEN_PATH | REVOKE_PATH | REGISTER_PATH) {
            return page.with_header("Access-Control-Allow-Origin", "*".into());
        }
        page
    }

    /// RFC 8414 authorization server metadata.
    fn metadata(&self, issuer: &str) -> Value {
        let auth_methods = ["none", "client_secret_basic", "client_secret_post"];
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}{AUTHORIZE_PATH}"),
            "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
            "registration_endpoint": format!("{issuer}{REGISTER_PATH}"),
            "revocation_endpoint": format!("{issuer}{REVOKE_PATH}"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": auth_methods,
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "scopes_supported": self.scopes_supported(),
            "client_id_metadata_document_supported": true,
            "authorization_response_iss_parameter_supported": true,
            "service_documentation": "https://github.com/hubspot-mcp/hubspot-mcp#sign-in-with-hubspot",
        })
    }

    // ---- authorize → consent → HubSpot → callback ----

    fn authorize(&self, r: &Request<'_>) -> Page {
        let q = match Form::parse(r.query) {
            Ok(q) => q,
            Err(e) => {
                return Page::error_page(400, "Invalid authorization request", &e.to_string())
            }
        };
        let Some(client_id) = q.get("client_id") else {
            return Page::error_page(
                400,
                "Invalid authorization request",
                "client_id is missing.",
            );
        };
        let client = match self.clients.find(&self.sealer, client_id) {
            Ok(c) => c,
            Err(e) => return Page::error_page(400, "Unknown application", &e.to_string()),
        };
        let redirect_uri = match q.get("redirect_uri") {
            Some(u) if client.redirect_uris.iter().any(|reg| redirect::matches(reg, u)) => u.to_string(),
            Some(_) => {
                return Page::error_page(
                    400,
                    "Invalid redirect URI",
                    "The redirect_uri is not one this application registered; you were not sent anywhere.",
                )
            }
            None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
            None => {
                return Page::error_page(400, "Invalid authorization request", "redirect_uri is missing.")
            }
        };
        // From here on, errors go back to the client's (verified) redirect URI.
        let state = q.get("state").map(str::to_string);
        let back = |error: &str, description: &str| {
            Page::redirect(self.back_to(
                &redirect_uri,
                &r.issuer,
                &[("error", error), ("error_description", description)],
                state.as_deref(),
            ))
        };
        if q.get("response_type") != Some("code") {
            return back("unsupported_response_type", "response_type must be code");
        }
        if let Err(why) =
            pkce::check_challenge(q.get("code_challenge"), q.get("code_challenge_method"))
        {
            return back("invalid_request", why);
        }
        let mut resource = format!("{}/mcp", r.issuer);
        if let Some(res) = q.get("resource") {
            let profile = r
                .profiles
                .iter()
                .map(|p| format!("{resource}/{p}"))
                .find(|p| same_resource(res, p));
            match profile {
                Some(p) => resource = p,
                None if same_resource(res, &resource) => {}
                None => {
                    return back(
                        "invalid_target",
                        "resource must be this server's MCP endpoint (/mcp, or /mcp/<profile>)",
                    )
                }
            }
        }
        let supported = self.scopes_supported();
        let scopes: Vec<String> = match q.get("scope") {
            Some(s) => s
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            None => supported.clone(),
        };
        if let Some(bad) = scopes.iter().find(|s| !supported.contains(s)) {
            return back("invalid_scope", &format!("unknown scope {bad}"));
        }
        let csrf = random_hex(16);
        let req = AuthRequest {
            c: client.id.clone(),
            r: redirect_uri.clone(),
            s: state.clone(),
            ch: q.get("code_challenge").unwrap_or_default().to_string(),
            sc: if scopes.is_empty() { supported } else { scopes },
            res: resource,
            x: csrf.clone(),
            cb: format!("{}{CALLBACK_PATH}", r.issuer),
            e: now_secs() + self.s.code_ttl.as_secs() * 10,
        };
        let sealed = self.sealer.seal(Kind::Consent, &req);
        let access = self.describe_access(&req.sc);
        let html = page::consent(&page::Consent {
            client_name: &client.name,
            client_host: client.document_host.as_deref(),
            redirect_host: &redirect_host(&redirect_uri),
            access: &access,
            request: &sealed,
            csrf: &csrf,
            action: CONSENT_PATH,
        });
        let secure = if r.issuer.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        Page::html(200, html).with_header(
            "Set-Cookie",
            format!(
                "{CSRF_COOKIE}={csrf}; Path=/oauth; HttpOnly; SameSite=Strict; Max-Age=600{secure}"
            ),
        )
    }

    fn describe_access(&self, scopes: &[String]) -> Vec<String> {
        let write = scopes.iter().any(|s| self.write_scopes.contains(s));
        let mut out =
            vec!["Read your HubSpot CRM records, properties, pipelines and owners".to_string()];
        if write {
            out.push("Create, update and delete CRM records, associations and notes".into());
        }
        out
    }

    /// `redirect_uri` with the response parameters, `state` and `iss` (RFC 9207).
    fn back_to(
        &self,
        redirect_uri: &str,
        issuer: &str,
        params: &[(&str, &str)],
        state: Option<&str>,
    ) -> String {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(s) = state {
            all.push(("state", s));
        }
        all.push(("iss", issuer));
        redirect::with_query(redirect_uri, &all)
    }

    /// The authorization request sealed in the consent form (`Kind::Consent`) or HubSpot's `state`
    /// (`Kind::State`); an error page when it is not one this server made, or has expired.
    fn open_request(&self, kind: Kind, sealed: Option<&str>) -> Result<AuthRequest, Page> {
        let req: AuthRequest = sealed
            .and_then(|s| self.sealer.open(kind, s))
            .ok_or_else(|| {
                Page::error_page(
                    400,
                    "Invalid request",
                    "This form or sign-in response is not one this server made.",
                )
            })?;
        if req.e < now_secs() {
            return Err(Page::error_page(
                400,
                "This sign-in has expired",
                "Start again from the application.",
            ));
        }
        Ok(req)
    }

    fn consent(&self, r: &Request<'_>) -> Page {
        let refused = |detail: &str| Page::error_page(403, "Request refused", detail);
        let f = match Form::parse(&String::from_utf8_lossy(r.body)) {
            Ok(f) => f,
            Err(e) => return Page::error_page(400, "Invalid form", &e.to_string()),
        };
        let req = match self.open_request(Kind::Consent, f.get("request")) {
            Ok(r) => r,
            Err(p) => return p,
        };
        // Double submit: the form's token, the cookie's and the sealed one must agree.
        let cookie = cookie_value(r.cookie, CSRF_COOKIE);
        let form_csrf = f.get("csrf");
        if cookie.is_none()
            || form_csrf.is_none()
            || cookie != Some(req.x.as_str())
            || form_csrf != Some(req.x.as_str())
        {
            return refused(
                "The form was not submitted from this server's consent page (CSRF check failed).",
            );
        }
        if f.get("decision") != Some("allow") {
            return Page::redirect(self.back_to(
                &req.r,
                &r.issuer,
                &[
                    ("error", "access_denied"),
                    ("error_description", "the user denied access"),
                ],
                req.s.as_deref(),
            ));
        }
        // A fresh nonce, sealed in the state and set in this browser only.
        let mut req = req;
        req.x = random_hex(16);
        self.to_hubspot(
            &req,
            &r.issuer,
            Some(format!(
                "{CSRF_COOKIE}=; Path=/oauth; HttpOnly; SameSite=Strict; Max-Age=0"
            )),
        )
    }

    /// The redirect to HubSpot's authorize page for `req`, its state bound to this browser by a cookie
    /// (set after `first`, another cookie to set, if any).
    fn to_hubspot(&self, req: &AuthRequest, issuer: &str, first: Option<String>) -> Page {
        let state = self.sealer.seal(Kind::State, req);
        let secure = if issuer.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        let state_cookie = format!(
            "{STATE_COOKIE}={}; Path={CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            req.x,
            self.s.code_ttl.as_secs() * 10
        );
        let mut params = vec![
            ("client_id", self.app.client_id.as_str()),
            ("redirect_uri", req.cb.as_str()),
        ];
        let scope = self.s.scopes.join(" ");
        let optional = self.s.optional_scopes.join(" ");
        params.push(("scope", &scope));
        if !optional.is_empty() {
            params.push(("optional_scope", &optional));
        }
        params.push(("state", &state));
        let mut page = Page::redirect(redirect::with_query(&self.s.authorize_url, &params));
        if let Some(c) = first {
            page = page.with_header("Set-Cookie", c);
        }
        page.with_header("Set-Cookie", state_cookie)
    }

    fn callback(&self, r: &Request<'_>) -> Page {
        let q = match Form::parse(r.query) {
            Ok(q) => q,
            Err(e) => return Page::error_page(400, "Invalid sign-in response", &e.to_string()),
        };
        let req = match self.open_request(Kind::State, q.get("state")) {
            Ok(r) => r,
            Err(p) => return p,
        };
        // The browser that consented, and only once.
        if cookie_value(r.cookie, STATE_COOKIE) != Some(req.x.as_str()) {
            return Page::error_page(
                400,
                "Sign-in not started here",
                "This sign-in was not started in this browser. Start again from the application.",
            );
        }
        match self
            .store
            .first_use(&format!("state:{}", req.x), self.s.code_ttl * 10)
        {
            Ok(true) => {}
            Ok(false) => {
                return Page::error_page(
                    400,
                    "Sign-in already used",
                    "This sign-in response was already used. Start again from the application.",
                )
            }
            Err(e) => return Self::store_down(&e),
        }
        let back = |error: &str, description: &str| {
            Page::redirect(self.back_to(
                &req.r,
                &r.issuer,
                &[("error", error), ("error_description", description)],
                req.s.as_deref(),
            ))
        };
        if q.get("error").is_some() {
            return back("access_denied", "HubSpot sign-in was cancelled or refused");
        }
        let Some(code) = q.get("code") else {
            return back("access_denied", "HubSpot returned no code");
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let tokens = match self
            .hubspot
            .oauth_exchange(&self.app, code, &req.cb, deadline)
        {
            Ok(t) => t,
            Err(e) => {
                log::warn!(error = e.to_string(); "HubSpot code exchange failed");
                return back("server_error", "HubSpot did not accept the sign-in");
            }
        };
        let who = match self
            .hubspot
            .oauth_introspect(&self.app, &tokens.access_token, deadline)
        {
            Ok(w) => w,
            Err(e) => {
                log::warn!(error = e.to_string(); "HubSpot token introspection failed");
                return back("server_error", "HubSpot did not say who signed in");
            }
        };
        if !who.client_id.is_empty() && who.client_id != self.app.client_id {
            return back("access_denied", "the HubSpot token belongs to another app");
        }
        if !self.s.allowed_portals.is_empty() && !self.s.allowed_portals.contains(&who.hub_id) {
            log::info!(hub_id = who.hub_id; "sign-in refused: portal not in HUBSPOT_ALLOWED_PORTALS");
            return back(
                "access_denied",
                "this HubSpot account may not use this server",
            );
        }
        if !who.user_level {
            log::info!(hub_id = who.hub_id; "signed in through an account-level HubSpot app: HubSpot applies the app's access, not the user's permissions");
        }
        let person = self.person_cookie(
            &PrincipalId::hubspot_user(who.hub_id, who.user_id),
            &r.issuer,
        );
        if req.c.is_empty() && is_approval_path(&req.r) {
            // A sign-in for an approval page: who this browser is, and back to the page.
            log::info!(hub_id = who.hub_id, user_id = who.user_id; "signed in for an approval page");
            return Page::redirect(req.r.clone()).with_header("Set-Cookie", person);
        }
        // Writes only when HubSpot granted some write scope.
        let hubspot_writes = who.scopes.iter().any(|s| s.ends_with(".write"));
        let scopes: Vec<String> = req
            .sc
            .iter()
            .filter(|s| {
                hubspot_writes || !self.write_scopes.contains(s) || self.read_scopes.contains(s)
            })
            .cloned()
            .collect();
        let now = now_secs();
        let grant = GrantData {
            f: random_hex(16),
            g: 0,
            c: req.c.clone(),
            sc: scopes,
            res: req.res.clone(),
            hub: who.hub_id,
            uid: who.user_id,
            hat: tokens.access_token.expose().to_string(),
            hexp: now + tokens.expires_in,
            hrt: tokens.refresh_token.expose().to_string(),
            e: now + self.s.code_ttl.as_secs(),
            j: Some(random_hex(16)),
            r: Some(req.r.clone()),
            ch: Some(req.ch.clone()),
        };
        log::info!(hub_id = who.hub_id, user_id = who.user_id; "signed in through HubSpot");
        let code = self.sealer.seal(Kind::Code, &grant);
        Page::redirect(self.back_to(&req.r, &r.issuer, &[("code", &code)], req.s.as_deref()))
            .with_header("Set-Cookie", person)
    }

    /// The cookie naming `who` as signed in in this browser, for the approval pages only.
    fn person_cookie(&self, who: &PrincipalId, issuer: &str) -> String {
        let sealed = self.sealer.seal(
            Kind::Person,
            &json!({"p": who.as_str(), "e": now_secs() + PERSON_TTL_SECS}),
        );
        let secure = if issuer.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        format!(
            "{PERSON_COOKIE}={sealed}; Path=/approvals/; HttpOnly; SameSite=Lax; Max-Age={PERSON_TTL_SECS}{secure}"
        )
    }

    /// Who signed in in this browser (the approval pages' `Cookie` header), while it lasts.
    pub(crate) fn person(&self, cookie: Option<&str>) -> Option<String> {
        let v: Value = self
            .sealer
            .open(Kind::Person, cookie_value(cookie, PERSON_COOKIE)?)?;
        if number(&v, "e")? <= now_secs() {
            return None;
        }
        text(&v, "p")
    }

    /// `GET /oauth/signin?next=/approvals/<id>`: signs a person in through HubSpot for an approval page,
    /// with the same state binding as a client's sign-in (sealed state, this browser's cookie, once).
    fn signin(&self, r: &Request<'_>) -> Page {
        let next = Form::parse(r.query)
            .ok()
            .and_then(|q| q.get("next").map(str::to_string))
            .filter(|n| is_approval_path(n));
        let Some(next) = next else {
            return Page::error_page(
                400,
                "Invalid request",
                "Open the approval page's link again.",
            );
        };
        let req = AuthRequest {
            c: String::new(),
            r: next,
            s: None,
            ch: String::new(),
            sc: Vec::new(),
            res: String::new(),
            x: random_hex(16),
            cb: format!("{}{CALLBACK_PATH}", r.issuer),
            e: now_secs() + self.s.code_ttl.as_secs() * 10,
        };
        self.to_hubspot(&req, &r.issuer, None)
    }

    // ---- token, revocation, registration ----

    /// The client a token or revocation request authenticates as (RFC 6749 §2.3, public clients by id).
    fn authenticate_client(&self, r: &Request<'_>, f: &Form) -> Result<Client, Page> {
        let basic = r
            .authorization
            .and_then(|h| {
                h.strip_prefix("Basic ")
                    .or_else(|| h.strip_prefix("basic "))
            })
            .and_then(|b| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.split_once(':').map(|(id, secret)| {
                    (
                        form::Form::parse(&format!("a={id}&b={secret}")).ok(),
                        id.to_string(),
                        secret.to_string(),
                    )
                })
            })
            .map(|(decoded, id, secret)| match decoded {
                // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic.
                Some(d) => (
                    d.get("a").unwrap_or(&id).to_string(),
                    d.get("b").unwrap_or(&secret).to_string(),
                ),
                None => (id, secret),
            });
        let invalid = |why: &str| {
            let p = Page::oauth_error(401, "invalid_client", why);
            if r.authorization.is_some() {
                p.with_header("WWW-Authenticate", "Basic realm=\"hubspot-mcp\"".into())
            } else {
                p
            }
        };
        let (id, secret) = match (basic, f.get("client_id")) {
            (Some((id, _)), Some(form_id)) if form_id != id => {
                return Err(invalid(
                    "client_id differs between Authorization and the body",
                ))
            }
            (Some((id, secret)), _) => (id, Some(secret)),
            (None, Some(id)) => (id.to_string(), f.get("client_secret").map(str::to_string)),
            (None, None) => return Err(invalid("client_id is missing")),
        };
        let client = self
            .clients
            .find(&self.sealer, &id)
            .map_err(|e| invalid(&e.to_string()))?;
        match client.auth {
            TokenAuth::None => Ok(client),
            TokenAuth::SecretBasic | TokenAuth::SecretPost => match secret {
                Some(s) if self.sealer.verify_secret(&client.id, &s) => Ok(client),
                _ => Err(invalid("client authentication failed")),
            },
        }
    }

    fn form_body(r: &Request<'_>) -> Result<Form, Page> {
        let ct = r.content_type.unwrap_or("").to_ascii_lowercase();
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return Err(Page::oauth_error(
                400,
                "invalid_request",
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        let text = std::str::from_utf8(r.body)
            .map_err(|_| Page::oauth_error(400, "invalid_request", "the body is not UTF-8"))?;
        Form::parse(text).map_err(|e| Page::oauth_error(400, "invalid_request", &e.to_string()))
    }

    /// The form of a token or revocation request and the client it authenticates as.
    fn client_form(&self, r: &Request<'_>) -> Result<(Form, Client), Page> {
        let f = Self::form_body(r)?;
        let client = self.authenticate_client(r, &f)?;
        Ok((f, client))
    }

    fn token(&self, r: &Request<'_>) -> Page {
        let (f, client) = match self.client_form(r) {
            Ok(fc) => fc,
            Err(p) => return p,
        };
        let result = match f.get("grant_type") {
            Some("authorization_code") => self.exchange_code(&f, &client),
            Some("refresh_token") => self.refresh(&f, &client),
            Some(other) => Err(Page::oauth_error(
                400,
                "unsupported_grant_type",
                &format!("grant_type {other} is not supported (authorization_code, refresh_token)"),
            )),
            None => Err(Page::oauth_error(
                400,
                "invalid_request",
                "grant_type is missing",
            )),
        };
        result.unwrap_or_else(|p| p)
    }

    fn store_down(e: &store::StoreError) -> Page {
        log::warn!(error = e.to_string(); "grant store unavailable");
        Page::oauth_error(
            503,
            "temporarily_unavailable",
            "the grant store is unavailable; retry shortly",
        )
        .with_header("Retry-After", "2".into())
    }

    /// The code or refresh token presented in `field`, sealed as `kind`: opened, unexpired, issued to
    /// `client`, and for the same resource when the request names one (`what` names it in errors).
    fn presented(
        &self,
        f: &Form,
        field: &str,
        kind: Kind,
        client: &Client,
        what: &str,
    ) -> Result<GrantData, Page> {
        let grant_err = |d: String| Page::oauth_error(400, "invalid_grant", &d);
        let g: GrantData = f
            .get(field)
            .and_then(|c| self.sealer.open(kind, c))
            .ok_or_else(|| grant_err(format!("the {what} is invalid")))?;
        if g.e < now_secs() {
            return Err(grant_err(format!("the {what} has expired: sign in again")));
        }
        if g.c != client.id {
            return Err(grant_err(format!(
                "the {what} was issued to another client"
            )));
        }
        if let Some(res) = f.get("resource") {
            if !same_resource(res, &g.res) {
                return Err(Page::oauth_error(
                    400,
                    "invalid_target",
                    "resource differs from the grant's",
                ));
            }
        }
        Ok(g)
    }

    fn exchange_code(&self, f: &Form, client: &Client) -> Result<Page, Page> {
        let grant_err = |d: &str| Page::oauth_error(400, "invalid_grant", d);
        let code = self.presented(f, "code", Kind::Code, client, "code")?;
        if f.get("redirect_uri") != code.r.as_deref() {
            return Err(grant_err(
                "redirect_uri does not match the authorization request",
            ));
        }
        let verifier = f.get("code_verifier").ok_or_else(|| {
            Page::oauth_error(400, "invalid_request", "code_verifier is missing (PKCE)")
        })?;
        if !pkce::verify(verifier, code.ch.as_deref().unwrap_or("")) {
            return Err(grant_err("code_verifier does not match the code_challenge"));
        }
        let id = code.j.clone().unwrap_or_default();
        let ttl = self.s.refresh_ttl;
        match self.store.first_use(&id, self.s.code_ttl * 2) {
            Ok(true) => {}
            Ok(false) => {
                // A second use: whatever the first issued is revoked (RFC 6749 §4.1.2).
                if let Err(e) = self.store.revoke_family(&code.f, ttl) {
                    return Err(Self::store_down(&e));
                }
                log::warn!(hub_id = code.hub; "authorization code used twice: its grant is revoked");
                return Err(grant_err(
                    "the code was already used; the tokens it issued are revoked",
                ));
            }
            Err(e) => return Err(Self::store_down(&e)),
        }
        self.store
            .start_family(&code.f, ttl)
            .map_err(|e| Self::store_down(&e))?;
        Ok(self.issue(GrantData {
            g: 0,
            j: None,
            r: None,
            ch: None,
            ..code
        }))
    }

    fn refresh(&self, f: &Form, client: &Client) -> Result<Page, Page> {
        let grant_err = |d: &str| Page::oauth_error(400, "invalid_grant", d);
        let mut g = self.presented(
            f,
            "refresh_token",
            Kind::RefreshToken,
            client,
            "refresh token",
        )?;
        if let Some(scope) = f.get("scope") {
            let asked: Vec<String> = scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(bad) = asked.iter().find(|s| !g.sc.contains(s)) {
                return Err(Page::oauth_error(
                    400,
                    "invalid_scope",
                    &format!("scope {bad} was not granted"),
                ));
            }
            g.sc = asked;
        }
        match self.store.rotate(&g.f, g.g, self.s.refresh_ttl) {
            Ok(Rotation::Rotated) => {}
            Ok(Rotation::Replayed) => {
                log::warn!(hub_id = g.hub; "refresh token replayed: its grant is revoked");
                return Err(grant_err(
                    "the refresh token was already used; the grant is revoked: sign in again",
                ));
            }
            Ok(Rotation::Revoked) => return Err(grant_err("the grant was revoked: sign in again")),
            Err(e) => return Err(Self::store_down(&e)),
        }
        // A HubSpot access token close to expiry is renewed now, so the new access token carries a fresh one.
        if g.hexp < now_secs() + HUBSPOT_MARGIN * 5 {
            let deadline = Instant::now() + Duration::from_secs(15);
            match self
                .hubspot
                .oauth_refresh(&self.app, &Secret::new(g.hrt.clone()), deadline)
            {
                Ok(t) => {
                    g.hat = t.access_token.expose().to_string();
                    g.hexp = now_secs() + t.expires_in;
                    g.hrt = t.refresh_token.expose().to_string();
                }
                Err(e) if e.category.as_deref() == Some("invalid_grant") => {
                    let _ = self.store.revoke_family(&g.f, self.s.refresh_ttl);
                    return Err(grant_err(
                        "HubSpot no longer honours this sign-in: sign in again",
                    ));
                }
                Err(e) => {
                    // Not the client's fault: its retry with the same refresh token must not read as a replay.
                    let _ = self.store.unrotate(&g.f, g.g, self.s.refresh_ttl);
                    log::warn!(error = e.to_string(); "HubSpot token refresh failed");
                    return Err(Page::oauth_error(
                        503,
                        "temporarily_unavailable",
                        "HubSpot did not refresh the sign-in; retry shortly",
                    )
                    .with_header("Retry-After", "5".into()));
                }
            }
        }
        g.g += 1;
        Ok(self.issue(g))
    }

    /// The token response for `g` (a new access token and a refresh token of generation `g.g`).
    fn issue(&self, g: GrantData) -> Page {
        let now = now_secs();
        let access_ttl = self.s.access_ttl.as_secs();
        let access = GrantData {
            e: now + access_ttl,
            ..g.clone()
        };
        let refresh = GrantData {
            e: now + self.s.refresh_ttl.as_secs(),
            ..g
        };
        Page::json(
            200,
            &json!({
                "access_token": self.sealer.seal(Kind::AccessToken, &access),
                "token_type": "Bearer",
                "expires_in": access_ttl,
                "refresh_token": self.sealer.seal(Kind::RefreshToken, &refresh),
                "scope": access.sc.join(" "),
            }),
        )
    }

    fn revoke(&self, r: &Request<'_>) -> Page {
        let (f, client) = match self.client_form(r) {
            Ok(fc) => fc,
            Err(p) => return p,
        };
        let Some(token) = f.get("token") else {
            return Page::oauth_error(400, "invalid_request", "token is missing");
        };
        let grant: Option<GrantData> = self
            .sealer
            .open(Kind::RefreshToken, token)
            .or_else(|| self.sealer.open(Kind::AccessToken, token));
        // RFC 7009 §2.2: an invalid or unknown token is answered 200 too.
        if let Some(g) = grant.filter(|g| g.c == client.id) {
            if let Err(e) = self.store.revoke_family(&g.f, self.s.refresh_ttl) {
                return Self::store_down(&e);
            }
            self.tokens.slots.lock().remove(&g.f);
            log::info!(hub_id = g.hub; "grant revoked by its client");
        }
        Page::json(200, &json!({}))
    }

    fn register(&self, r: &Request<'_>) -> Page {
        let meta: Value = match serde_json::from_slice(r.body) {
            Ok(v) => v,
            Err(_) => {
                return Page::oauth_error(
                    400,
                    "invalid_client_metadata",
                    "the body must be a JSON object",
                )
            }
        };
        let hour = Duration::from_secs(3600);
        let too_many = || {
            log::warn!("client registration refused: over the hourly bound");
            Page::oauth_error(
                429,
                "too_many_requests",
                "too many client registrations; retry later",
            )
            .with_header("Retry-After", "3600".into())
        };
        // The overall bound first: an address is counted only while the server takes registrations.
        match self.store.count("register:all", hour) {
            Ok(n) if n > self.s.registrations_per_hour as u64 => return too_many(),
            Ok(_) => {}
            Err(e) => return Self::store_down(&e),
        }
        match self.store.count(
            &format!("register:addr:{}", address_group(r.client_key)),
            hour,
        ) {
            Ok(n) if n > REGISTRATIONS_PER_ADDRESS => return too_many(),
            Ok(_) => {}
            Err(e) => return Self::store_down(&e),
        }
        match self.clients.register(&self.sealer, &meta) {
            Ok((c, secret)) => {
                let mut out = json!({
                    "client_id": c.id,
                    "client_id_issued_at": now_secs(),
                    "client_name": c.name,
                    "redirect_uris": c.redirect_uris,
                    "token_endpoint_auth_method": c.auth.as_str(),
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                });
                if let (Some(o), Some(s)) = (out.as_object_mut(), secret) {
                    o.insert("client_secret".into(), json!(s));
                    o.insert("client_secret_expires_at".into(), json!(0));
                }
                Page::json(201, &out)
            }
            Err(ClientError::RedirectUri(d)) => Page::oauth_error(400, "invalid_redirect_uri", &d),
            Err(e) => Page::oauth_error(400, "invalid_client_metadata", &e.to_string()),
        }
    }

    // ---- /mcp ----

    /// Verifies an access token this server issued, for one of `resources` (an endpoint's own URL, and
    /// for a profile's endpoint `/mcp`'s too: `auth::accepted_resources`).
    pub(crate) fn verify(
        &self,
        authorization: Option<&str>,
        query: Option<&str>,
        resources: &[String],
    ) -> Result<Principal, AuthError> {
        if query.is_some_and(crate::auth::has_token_param) {
            return Err(AuthError::TokenInQuery);
        }
        let token = crate::auth::bearer_token(authorization)?;
        let g: GrantData = self
            .sealer
            .open(Kind::AccessToken, token)
            .ok_or(AuthError::BadSignature)?;
        // Honoured for at least its `expires_in` (whole seconds: up to one more), as clients count it.
        if g.e < now_secs() {
            return Err(AuthError::Expired);
        }
        if !resources.iter().any(|r| same_resource(&g.res, r)) {
            return Err(AuthError::WrongAudience);
        }
        match self.store.is_revoked(&g.f) {
            Ok(false) => {}
            Ok(true) => return Err(AuthError::Revoked),
            Err(e) => return Err(AuthError::Unavailable(e.to_string())),
        }
        let can_write = g.sc.iter().any(|s| self.write_scopes.contains(s));
        if !can_write && !g.sc.iter().any(|s| self.read_scopes.contains(s)) {
            return Err(AuthError::InsufficientScope {
                needed: self.read_scopes.first().cloned().unwrap_or_default(),
            });
        }
        Ok(Principal::signed_in(
            PrincipalId::hubspot_user(g.hub, g.uid),
            g.sc,
            can_write,
            g.e,
            UserGrant {
                family: g.f,
                hub_id: g.hub,
                user_id: g.uid,
                access_token: Secret::new(g.hat),
                access_expires: g.hexp,
                refresh_token: Secret::new(g.hrt),
            },
        ))
    }

    /// The HubSpot token to act as `grant` with: the one its access token carries while it lives, then one
    /// refreshed through HubSpot (one refresh at a time per family; others wait for it and use its result).
    pub(crate) fn user_token(
        &self,
        grant: &UserGrant,
        deadline: Instant,
    ) -> Result<hubspot::UserToken, AuthError> {
        let now = now_secs();
        let token = |t: &Secret| hubspot::UserToken {
            hub_id: grant.hub_id,
            access_token: t.clone(),
        };
        if grant.access_expires > now + HUBSPOT_MARGIN {
            return Ok(token(&grant.access_token));
        }
        let slot = self.tokens.slot(&grant.family);
        let mut current = slot.lock();
        if let Some((t, exp)) = current.as_ref() {
            if *exp > now + REFRESHED_MARGIN {
                return Ok(token(t));
            }
        }
        match self
            .hubspot
            .oauth_refresh(&self.app, &grant.refresh_token, deadline)
        {
            Ok(t) => {
                let exp = now_secs() + t.expires_in;
                *current = Some((t.access_token.clone(), exp));
                Ok(token(&t.access_token))
            }
            Err(e) if e.category.as_deref() == Some("invalid_grant") => {
                let _ = self.store.revoke_family(&grant.family, self.s.refresh_ttl);
                Err(AuthError::Revoked)
            }
            Err(e) => Err(AuthError::Unavailable(format!(
                "HubSpot did not refresh the sign-in: {}",
                e.message
            ))),
        }
    }
}

/// Whether two resource URIs name the same resource (a trailing slash aside).
fn same_resource(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The host of a redirect URI, as the consent page shows it.
fn redirect_host(uri: &str) -> String {
    match uri.split_once("://") {
        Some((_, rest)) => rest.split(['/', '?']).next().unwrap_or(rest).to_string(),
        None => uri.split(':').next().unwrap_or(uri).to_string(),
    }
}

/// The address a registration is counted against: an IPv4 address, or an IPv6 address's /64 (one host
/// commonly has a whole /64 to pick from).
fn address_group(client_key: &str) -> String {
    match client_key.parse::<std::net::Ipv6Addr>() {
        Ok(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => client_key.to_string(),
    }
}

/// `/approvals/<32 hex>`: the only place a sign-in for an approval page goes back to.
fn is_approval_path(p: &str) -> bool {
    p.strip_prefix("/approvals/")
        .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A cookie's value from a `Cookie` header.
pub(crate) fn cookie_value<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_a_missing_field_reads_as_nothing() {
        let g = GrantData {
            f: "fam".into(),
            g: 3,
            c: "client".into(),
            sc: vec!["hubspot.read".into()],
            res: "http://h/mcp".into(),
            hub: 7,
            uid: 9,
            hat: "at".into(),
            hexp: 100,
            hrt: "rt".into(),
            e: 200,
            j: Some("code-id".into()),
            r: None,
            ch: Some("challenge".into()),
        };
        let back = GrantData::from_value(&g.to_value()).unwrap();
        assert_eq!((back.g, back.hub, back.uid, back.e), (3, 7, 9, 200));
        assert_eq!(
            (back.j.as_deref(), back.r, back.ch.as_deref()),
            (Some("code-id"), None, Some("challenge"))
        );
        let mut v = g.to_value();
        v.as_object_mut().unwrap().remove("hrt");
        assert!(GrantData::from_value(&v).is_none());
        let r = AuthRequest {
            c: "c".into(),
            r: "r".into(),
            s: None,
            ch: "ch".into(),
            sc: vec![],
            res: "res".into(),
            x: "x".into(),
            cb: "cb".into(),
            e: 1,
        };
        let back = AuthRequest::from_value(&r.to_value()).unwrap();
        assert_eq!((back.s, back.e, back.cb.as_str()), (None, 1, "cb"));
    }

    #[test]
    fn cookies_and_hosts() {
        assert_eq!(
            cookie_value(Some("a=1; hsmcp_csrf=xyz"), CSRF_COOKIE),
            Some("xyz")
        );
        assert_eq!(cookie_value(Some("hsmcp_csrf="), CSRF_COOKIE), None);
        assert_eq!(cookie_value(None, CSRF_COOKIE), None);
        assert_eq!(redirect_host("http://127.0.0.1:5/cb?x"), "127.0.0.1:5");
        assert_eq!(address_group("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address_group("203.0.113.7"), "203.0.113.7");
        assert_eq!(redirect_host("cursor.app:/cb"), "cursor.app");
        assert!(same_resource("http://h/mcp/", "http://h/mcp"));
        assert!(!same_resource("http://h/mcp", "http://other/mcp"));
    }
}
