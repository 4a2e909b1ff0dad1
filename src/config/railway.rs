//! [`Railway`]: the deployment metadata Railway sets.

use super::parse::Parser;
use super::vars;

/// Railway's deployment metadata, reported by `/health` and in logs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Railway {
    /// `RAILWAY_DEPLOYMENT_ID`.
    pub(crate) deployment_id: Option<String>,
    /// `RAILWAY_ENVIRONMENT` (Railway also sets `RAILWAY_ENVIRONMENT_NAME`).
    #[expect(
        dead_code,
        reason = "kept in the configuration, not reported yet (its entry in vars.rs)"
    )]
    environment: Option<String>,
    /// `RAILWAY_SERVICE_NAME`.
    pub(crate) service_name: Option<String>,
    /// `RAILWAY_PUBLIC_DOMAIN`: allowed as a `Host` automatically.
    pub(crate) public_domain: Option<String>,
    /// `RAILWAY_PRIVATE_DOMAIN`: allowed as a `Host` automatically.
    pub(crate) private_domain: Option<String>,
}

impl Railway {
    pub(super) fn parse(p: &mut Parser<'_>) -> Railway {
        Railway {
            deployment_id: p.text(&vars::RAILWAY_DEPLOYMENT_ID),
            environment: p
                .text(&vars::RAILWAY_ENVIRONMENT)
                .or_else(|| p.text(&vars::RAILWAY_ENVIRONMENT_NAME)),
            service_name: p.text(&vars::RAILWAY_SERVICE_NAME),
            public_domain: p.text(&vars::RAILWAY_PUBLIC_DOMAIN),
            private_domain: p.text(&vars::RAILWAY_PRIVATE_DOMAIN),
        }
    }
}
