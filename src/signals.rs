//! SIGTERM / SIGINT → one message on a channel. Installed first thing in `main`, before any thread
//! exists: as PID 1 in a container a process without a handler ignores SIGTERM, and a handler installed
//! late may leave a window in which the default action kills the process mid-request.

use crossbeam_channel::{bounded, Receiver};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Installs the handlers; the receiver gets `()` on the first SIGTERM or SIGINT. A second signal
/// while draining exits at once with status 130 (the operator insists).
pub fn install() -> std::io::Result<Receiver<()>> {
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    let (tx, rx) = bounded(1);
    std::thread::Builder::new()
        .name("signals".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let mut seen = 0;
            for sig in signals.forever() {
                seen += 1;
                if seen == 1 {
                    log::info!(signal = sig; "signal received: shutting down");
                    let _ = tx.try_send(());
                } else {
                    log::warn!(signal = sig; "second signal: exiting now");
                    std::process::exit(130);
                }
            }
        })?;
    Ok(rx)
}
