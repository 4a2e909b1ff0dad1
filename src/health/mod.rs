//! Dependency health: the background checks ([`deps::Checker`], [`probes`]) and the [`Board`] of their
//! last verdicts, which `/health` (`http::pages`) reads: never probed on the request path.

mod deps;
pub(crate) mod probes;

pub(crate) use deps::{Board, Checker, DependencyHealth, Deps, Probe, Status};

/// The worst of the dependencies' statuses.
pub(crate) fn overall(deps: &[(&'static str, DependencyHealth)]) -> Status {
    deps.iter()
        .map(|(_, d)| d.status)
        .max()
        .unwrap_or(Status::Healthy)
}
