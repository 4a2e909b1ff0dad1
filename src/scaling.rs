//! `/scaling`: the original design's scaling advice (scale up, scale down or no change, with a reason),
//! based on measured load instead of the V8 heap alone.
//!
//! Load is the worker pool's utilisation (time spent answering requests / (window x workers)), requests
//! refused because every worker was busy, and resident memory against the memory limit (the cgroup's),
//! all over a sliding window of up to five minutes built from samples taken when `/scaling` is read.
//! Railway scales replicas itself; this endpoint is advice for an operator or an external autoscaler.
//! The thresholds and cooldowns are the original design's: 70 % "CPU" (here: workers busy), 80 %
//! memory, scale up at most every 5 minutes, down at most every 10.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The original design's scaling configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Policy {
    /// Fewest replicas to run.
    pub(crate) min_instances: u32,
    /// Most replicas to run.
    pub(crate) max_instances: u32,
    /// Scale up above this worker utilisation (percent).
    pub(crate) target_cpu_percent: f64,
    /// Scale up above this share of the memory limit (percent).
    pub(crate) target_memory_percent: f64,
    /// Time between two scale-up recommendations.
    pub(crate) scale_up_cooldown: Duration,
    /// Time between two scale-down recommendations (and after start or a scale-up).
    pub(crate) scale_down_cooldown: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            min_instances: 1,
            max_instances: 10,
            target_cpu_percent: 70.0,
            target_memory_percent: 80.0,
            scale_up_cooldown: Duration::from_secs(300),
            scale_down_cooldown: Duration::from_secs(600),
        }
    }
}

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Add a replica.
    ScaleUp,
    /// Remove a replica.
    ScaleDown,
    /// Keep the count.
    NoChange,
}

impl Action {
    /// The JSON value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::ScaleUp => "scale_up",
            Action::ScaleDown => "scale_down",
            Action::NoChange => "no_change",
        }
    }
}

/// Load over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Load {
    /// Length of the window.
    pub(crate) window: Duration,
    /// Share of worker time spent on requests, 0..=1.
    pub(crate) utilisation: f64,
    /// Requests refused with 503 (every worker busy) in the window.
    pub(crate) rejected_busy: u64,
    /// Resident memory as a percentage of the limit.
    memory_percent: f64,
}

/// The advice, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Advice {
    /// What to do.
    pub(crate) action: Action,
    /// Why, in one sentence.
    pub(crate) reason: String,
}

/// Decides from `load` alone (pure; the cooldowns are applied by [`Advisor`]).
fn decide(policy: &Policy, load: &Load) -> Advice {
    let util = load.utilisation * 100.0;
    let mem = load.memory_percent;
    if load.rejected_busy > 0 {
        return Advice {
            action: Action::ScaleUp,
            reason: format!(
                "{} requests refused in the last {} s because every worker was busy",
                load.rejected_busy,
                load.window.as_secs()
            ),
        };
    }
    if util > policy.target_cpu_percent {
        return Advice {
            action: Action::ScaleUp,
            reason: format!(
                "workers busy {util:.1}% of the last {} s (target {:.0}%)",
                load.window.as_secs(),
                policy.target_cpu_percent
            ),
        };
    }
    if mem > policy.target_memory_percent {
        return Advice {
            action: Action::ScaleUp,
            reason: format!(
                "Memory usage: {mem:.1}% of the limit (target {:.0}%)",
                policy.target_memory_percent
            ),
        };
    }
    if util < policy.target_cpu_percent * 0.5 && mem < policy.target_memory_percent * 0.5 {
        return Advice {
            action: Action::ScaleDown,
            reason: format!(
                "workers busy {util:.1}% and Memory usage: {mem:.1}%, both under half their targets"
            ),
        };
    }
    Advice {
        action: Action::NoChange,
        reason: format!("workers busy {util:.1}%, Memory usage: {mem:.1}%: within targets"),
    }
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Instant,
    busy_micros: u64,
    rejected_busy: u64,
}

/// Keeps the load samples and the time of the last recommendation of each kind.
#[derive(Debug)]
pub(crate) struct Advisor {
    policy: Policy,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    samples: VecDeque<Sample>,
    last_up: Option<Instant>,
    last_down: Option<Instant>,
}

/// The longest window looked at.
const WINDOW: Duration = Duration::from_secs(300);
/// Samples closer together than this are not kept.
const SPACING: Duration = Duration::from_secs(10);

impl Advisor {
    /// An advisor starting now with no load.
    pub(crate) fn new(policy: Policy, started: Instant) -> Advisor {
        let mut samples = VecDeque::new();
        samples.push_back(Sample {
            at: started,
            busy_micros: 0,
            rejected_busy: 0,
        });
        Advisor {
            policy,
            state: Mutex::new(State {
                samples,
                last_up: None,
                last_down: None,
            }),
        }
    }

    /// The policy.
    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Records a sample (`busy_micros` and `rejected_busy` are the cumulative counters) and returns the
    /// load since the oldest sample of the window, and the advice with the cooldowns applied.
    pub(crate) fn advise(
        &self,
        now: Instant,
        busy_micros: u64,
        rejected_busy: u64,
        workers: usize,
        memory_percent: f64,
        uptime: Duration,
    ) -> (Load, Advice) {
        let mut st = self.state.lock();
        while st.samples.len() > 1
            && st
                .samples
                .get(1)
                .is_some_and(|s| now.saturating_duration_since(s.at) >= WINDOW)
        {
            st.samples.pop_front();
        }
        let oldest = st.samples.front().copied().unwrap_or(Sample {
            at: now,
            busy_micros,
            rejected_busy,
        });
        let window = now.saturating_duration_since(oldest.at);
        let capacity = window.as_secs_f64() * 1e6 * workers.max(1) as f64;
        let utilisation = if capacity > 0.0 {
            (busy_micros.saturating_sub(oldest.busy_micros) as f64 / capacity).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let load = Load {
            window,
            utilisation,
            rejected_busy: rejected_busy.saturating_sub(oldest.rejected_busy),
            memory_percent,
        };
        if st
            .samples
            .back()
            .is_none_or(|s| now.saturating_duration_since(s.at) >= SPACING)
        {
            st.samples.push_back(Sample {
                at: now,
                busy_micros,
                rejected_busy,
            });
        }
        let mut advice = decide(&self.policy, &load);
        let since = |t: Option<Instant>| t.map(|t| now.saturating_duration_since(t));
        match advice.action {
            Action::ScaleUp => {
                if let Some(ago) = since(st.last_up).filter(|d| *d < self.policy.scale_up_cooldown)
                {
                    advice = Advice {
                        action: Action::NoChange,
                        reason: format!(
                            "{}; but a scale-up was advised {} s ago (cooldown {} s)",
                            advice.reason,
                            ago.as_secs(),
                            self.policy.scale_up_cooldown.as_secs()
                        ),
                    };
                } else {
                    st.last_up = Some(now);
                }
            }
            Action::ScaleDown => {
                let recent = [since(st.last_down), since(st.last_up), Some(uptime)]
                    .into_iter()
                    .flatten()
                    .min()
                    .filter(|d| *d < self.policy.scale_down_cooldown);
                if let Some(ago) = recent {
                    advice = Advice {
                        action: Action::NoChange,
                        reason: format!(
                            "{}; but the last start or scaling advice was {} s ago (scale-down cooldown {} s)",
                            advice.reason,
                            ago.as_secs(),
                            self.policy.scale_down_cooldown.as_secs()
                        ),
                    };
                } else {
                    st.last_down = Some(now);
                }
            }
            Action::NoChange => {}
        }
        (load, advice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(util: f64, mem: f64, rejected: u64) -> Load {
        Load {
            window: Duration::from_secs(60),
            utilisation: util,
            rejected_busy: rejected,
            memory_percent: mem,
        }
    }

    #[test]
    fn thresholds_are_the_original_designs() {
        let p = Policy::default();
        assert_eq!(decide(&p, &load(0.71, 10.0, 0)).action, Action::ScaleUp);
        assert_eq!(decide(&p, &load(0.10, 81.0, 0)).action, Action::ScaleUp);
        assert_eq!(decide(&p, &load(0.0, 0.0, 1)).action, Action::ScaleUp);
        assert_eq!(decide(&p, &load(0.50, 50.0, 0)).action, Action::NoChange);
        assert_eq!(decide(&p, &load(0.10, 10.0, 0)).action, Action::ScaleDown);
        assert!(decide(&p, &load(0.10, 81.0, 0))
            .reason
            .contains("Memory usage: 81.0%"));
    }

    #[test]
    fn utilisation_is_measured_over_the_window_and_cooldowns_hold() {
        let t0 = Instant::now();
        let a = Advisor::new(Policy::default(), t0);
        let s = |secs| t0 + Duration::from_secs(secs);
        // 64 workers busy 80% of 60 s: 0.8 * 60 * 64 s of request time.
        let busy = (0.8 * 60.0 * 64.0 * 1e6) as u64;
        let (l, adv) = a.advise(s(60), busy, 0, 64, 10.0, Duration::from_secs(60));
        assert!((l.utilisation - 0.8).abs() < 1e-6, "{l:?}");
        assert_eq!(adv.action, Action::ScaleUp);
        // Still overloaded 30 s later: within the 5-minute cooldown.
        let (_, adv) = a.advise(s(90), busy * 2, 0, 64, 10.0, Duration::from_secs(90));
        assert_eq!(adv.action, Action::NoChange, "{}", adv.reason);
        assert!(adv.reason.contains("cooldown"));
        // Idle for a long time afterwards: scale down only once 10 minutes passed since the scale-up.
        let (_, adv) = a.advise(s(400), busy * 2, 0, 64, 10.0, Duration::from_secs(400));
        assert_eq!(adv.action, Action::NoChange, "{}", adv.reason);
        let (l, adv) = a.advise(s(700), busy * 2, 0, 64, 10.0, Duration::from_secs(700));
        assert!(l.utilisation < 0.01, "{l:?}");
        assert_eq!(adv.action, Action::ScaleDown, "{}", adv.reason);
    }
}
