//! Dependency health: the background checks ([`deps::Checker`], [`probes`]) and the [`Board`] of their
//! last verdicts, which `/health` (`http::pages`) reads: never probed on the request path.

pub mod deps;
pub mod probes;

pub use deps::{Board, Checker, DependencyHealth, Deps, Probe, Status};

/// The worst of the dependencies' statuses.
pub fn overall(deps: &[(&'static str, DependencyHealth)]) -> Status {
    deps.iter()
        .map(|(_, d)| d.status)
        .max()
        .unwrap_or(Status::Healthy)
}
