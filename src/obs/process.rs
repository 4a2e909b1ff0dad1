//! This process as the operating system sees it: resident memory and its limit, and a monotonic
//! millisecond clock for ages and uptimes.

use std::sync::OnceLock;
use std::time::Instant;

/// Milliseconds since the first call in this process (monotonic; for ages within one process only).
pub(crate) fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    u64::try_from(START.get_or_init(Instant::now).elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Memory of this process and of its limit (the cgroup's, else the machine's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Memory {
    /// Resident bytes.
    pub(crate) used: u64,
    /// The limit in bytes.
    pub(crate) total: u64,
}

/// Reads resident memory from `/proc/self/statm` (else the cgroup's usage) and the limit from cgroup v2 /
/// v1 (else `/proc/meminfo`).
pub(crate) fn memory() -> Memory {
    let page = 4096u64;
    let used = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|pages| pages * page)
        // No /proc (an empty root without it mounted): the cgroup's own count of this container.
        .or_else(|| {
            [
                "/sys/fs/cgroup/memory.current",
                "/sys/fs/cgroup/memory/memory.usage_in_bytes",
            ]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .find_map(|s| s.trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|s| s.trim().parse::<u64>().ok())
    .find(|&n| n > 0 && n < (1 << 60));
    let total = cgroup
        .or_else(|| {
            std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
                    .map(|kb| kb * 1024)
            })
        })
        .unwrap_or(0);
    Memory { used, total }
}
