//! Diagnostics family: `echo`, a connectivity check that touches no CRM data.
//!
//! It also exercises the transport end to end (progress over SSE, cancellation, deadlines, draining on
//! shutdown) without HubSpot, which is why it takes an optional bounded delay.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::Structured;
#[cfg(test)]
use super::{Annotations, Family, ToolDef};
use super::{ToolContext, ToolError, ToolOutput, TypedTool};

/// Longest `delayMs` accepted.
const MAX_DELAY_MS: u64 = 10_000;

/// `echo`: returns its text.
pub(crate) struct Echo;

/// The arguments of [`Echo`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct EchoArgs {
    text: String,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    steps: Option<u32>,
}

impl TypedTool for Echo {
    type Args = EchoArgs;

    const NAME: &'static str = "echo";

    #[cfg(test)]
    fn def(&self) -> ToolDef {
        ToolDef {
            name: Self::NAME,
            description: "Returns text unchanged, to check the connection; reads no CRM data. delayMs waits, reporting progress in steps when asked.",
            family: Family::Diagnostics,
            annotations: Annotations::LOCAL,
            input_schema: schema_json!({
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": 100_000},
                    "delayMs": {"type": "integer", "maximum": MAX_DELAY_MS},
                    "steps": {"type": "integer", "maximum": 100}
                },
                "required": ["text"]
            }),
        }
    }

    fn run(&self, a: EchoArgs, cx: &mut ToolContext<'_>) -> Result<ToolOutput, ToolError> {
        if a.delay_ms > MAX_DELAY_MS {
            return Err(ToolError::InvalidArguments(format!(
                "delayMs must be at most {MAX_DELAY_MS}, got {}",
                a.delay_ms
            )));
        }
        if a.text.len() > 100_000 {
            return Err(ToolError::InvalidArguments(
                "text must be at most 100000 bytes".into(),
            ));
        }
        let steps = a.steps.unwrap_or(4).clamp(1, 100);
        if a.delay_ms > 0 {
            let step = Duration::from_millis(a.delay_ms) / steps;
            for i in 0..steps {
                cx.checkpoint()?;
                let wake = Instant::now() + step;
                // Sleep in slices so cancellation and the deadline are noticed promptly.
                while Instant::now() < wake {
                    cx.checkpoint()?;
                    std::thread::sleep((wake - Instant::now()).min(Duration::from_millis(20)));
                }
                cx.progress(
                    f64::from(i + 1),
                    Some(f64::from(steps)),
                    Some(&format!("step {} of {steps}", i + 1)),
                );
            }
        }
        cx.checkpoint()?;
        Ok(ToolOutput {
            structured: Some(Structured::Value(json!({ "text": a.text }))),
            text: a.text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::Tool;
    use crate::tools::{CancelToken, Services};
    use serde_json::Value;

    fn run(args: Value) -> Result<ToolOutput, ToolError> {
        let cancel = CancelToken::new();
        let svc = Services::offline();
        let mut cx = ToolContext::new(None, &cancel, Instant::now() + Duration::from_secs(5), &svc);
        Echo.call(args, &mut cx)
    }

    #[test]
    fn args_are_checked() {
        assert_eq!(run(json!({"text": "hi"})).unwrap().text, "hi");
        assert!(matches!(
            run(json!({})),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            run(json!({"text": "a", "extra": 1})),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            run(json!({"text": "a", "delayMs": 99_999})),
            Err(ToolError::InvalidArguments(_))
        ));
        assert!(matches!(
            run(json!({"text": 5})),
            Err(ToolError::InvalidArguments(_))
        ));
    }

    #[test]
    fn progress_is_reported_and_cancellation_stops_it() {
        let cancel = CancelToken::new();
        let svc = Services::offline();
        let mut seen = Vec::new();
        let mut sink = |p: f64, t: Option<f64>, _m: Option<&str>| {
            seen.push((p, t));
            true
        };
        let mut cx = ToolContext::new(
            Some(&mut sink),
            &cancel,
            Instant::now() + Duration::from_secs(5),
            &svc,
        );
        Echo.call(json!({"text": "x", "delayMs": 20, "steps": 2}), &mut cx)
            .unwrap();
        assert_eq!(seen, vec![(1.0, Some(2.0)), (2.0, Some(2.0))]);

        let cancel = CancelToken::new();
        let svc = Services::offline();
        cancel.cancel();
        let mut cx = ToolContext::new(None, &cancel, Instant::now() + Duration::from_secs(5), &svc);
        assert_eq!(
            Echo.call(json!({"text": "x", "delayMs": 50}), &mut cx),
            Err(ToolError::Cancelled)
        );
    }
}
