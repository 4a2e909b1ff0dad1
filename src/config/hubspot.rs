//! [`HubSpotSettings`]: how the HubSpot client reaches HubSpot.

use std::path::PathBuf;
use std::time::Duration;

use super::env::Purpose;
use super::masking::Masking;
use super::oauth::AuthMode;
use super::parse::{http_only_to_loopback, is_http_url, Parser};
use super::secret::Secret;
use super::vars;

/// Which account the built-in sandbox is seeded with (`HUBSPOT_SANDBOX_SEED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SandboxSeed {
    /// The demo account: a few hundred records of every object type.
    Demo,
    /// The demo account plus deals up to 25,000, shaped to reach every limit of HubSpot's search.
    Large,
}

impl SandboxSeed {
    /// The value `HUBSPOT_SANDBOX_SEED` takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SandboxSeed::Demo => "demo",
            SandboxSeed::Large => "large",
        }
    }

    /// Reads `HUBSPOT_SANDBOX_SEED`.
    pub(crate) fn parse(v: &str) -> Option<SandboxSeed> {
        match v.to_ascii_lowercase().as_str() {
            "demo" => Some(SandboxSeed::Demo),
            "large" => Some(SandboxSeed::Large),
            _ => None,
        }
    }
}

/// The HubSpot client's settings.
#[derive(Debug, Clone)]
pub(crate) struct HubSpotSettings {
    /// `HUBSPOT_ACCESS_TOKEN`; required by `serve` unless `--demo`.
    pub(crate) token: Option<Secret>,
    /// `HUBSPOT_API_BASE_URL`, without a trailing slash.
    pub(crate) api_base_url: String,
    /// `HUBSPOT_RATE_LIMIT`: HubSpot requests per second at most.
    pub(crate) rate_limit: u32,
    /// `HUBSPOT_SEARCH_RATE_LIMIT`: search requests per second.
    pub(crate) search_rate_limit: u32,
    /// `HUBSPOT_TIMEOUT_MS`: one HubSpot attempt waits at most this.
    pub(crate) timeout: Duration,
    /// `HUBSPOT_MAX_RETRIES`: retries after the first attempt.
    pub(crate) max_retries: u32,
    /// `HUBSPOT_CA_FILE`: a PEM bundle of extra CAs (for HubSpot and the JWKS); read at start.
    pub(crate) ca_file: Option<PathBuf>,
    /// `HUBSPOT_MASKED_PROPERTIES` and `HUBSPOT_MASK_STYLE`: what the client never lets out.
    pub(crate) masking: Masking,
    /// `HUBSPOT_SANDBOX_SEED`: the built-in sandbox's account (`--demo`, `sandbox`).
    pub(crate) sandbox_seed: SandboxSeed,
    /// `HUBSPOT_SANDBOX_SEARCH_RATE_LIMIT`: searches per second the built-in sandbox answers.
    pub(crate) sandbox_search_rate_limit: u32,
}

impl HubSpotSettings {
    pub(super) fn parse(p: &mut Parser<'_>, purpose: Purpose, mode: AuthMode) -> HubSpotSettings {
        let token = p.secret(&vars::HUBSPOT_ACCESS_TOKEN);
        // In `oauth` mode each caller brings their own HubSpot token; the private-app token is optional.
        if token.is_none() && purpose == Purpose::Serve && mode != AuthMode::OAuth {
            p.missing(
                &vars::HUBSPOT_ACCESS_TOKEN,
                "to reach HubSpot (a private app token, pat-…); use `serve --demo` to try the built-in sandbox",
            );
        }
        let api_base_url = p
            .text(&vars::HUBSPOT_API_BASE_URL)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        if !is_http_url(&api_base_url) {
            p.invalid(&vars::HUBSPOT_API_BASE_URL, "an http(s) URL", &api_base_url);
        } else if http_only_to_loopback(&api_base_url) {
            p.rule(
                &vars::HUBSPOT_API_BASE_URL,
                "plain http is allowed only to a loopback address; use https",
            );
        }
        HubSpotSettings {
            token,
            api_base_url,
            rate_limit: p.count(&vars::HUBSPOT_RATE_LIMIT) as u32,
            search_rate_limit: p.count(&vars::HUBSPOT_SEARCH_RATE_LIMIT) as u32,
            timeout: p.millis(&vars::HUBSPOT_TIMEOUT_MS),
            max_retries: p.count(&vars::HUBSPOT_MAX_RETRIES) as u32,
            ca_file: p.text(&vars::HUBSPOT_CA_FILE).map(PathBuf::from),
            masking: Masking::parse(p),
            sandbox_seed: p.choice(&vars::HUBSPOT_SANDBOX_SEED),
            sandbox_search_rate_limit: p.count(&vars::HUBSPOT_SANDBOX_SEARCH_RATE_LIMIT) as u32,
        }
    }
}
