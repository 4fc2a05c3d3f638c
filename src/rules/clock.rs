//! PF601–PF603: the local clock against the login server's `Date` header. The measurement is
//! made by the command layer; this module only judges it.

use crate::catalog::{CheckGroup, Code, Severity};
use crate::finding::{Finding, Findings};
use crate::timefmt;

/// Above this many seconds behind, a slow clock is worth a warning even when the assertion
/// still arrives valid.
pub const BEHIND_WARN_SECS: i64 = 60;
/// Below this, a fast clock is within the `Date` header's one-second resolution plus network
/// jitter and is not reported.
pub const AHEAD_NOTE_SECS: i64 = 5;

/// What `--clock-check` found.
#[derive(Debug, Clone, PartialEq)]
pub enum ClockReading {
    /// The server's time minus the local time, in seconds, corrected for half the round trip:
    /// positive when the local clock is behind.
    Measured {
        /// The URL asked.
        url: String,
        /// Server minus local, seconds.
        skew_secs: i64,
        /// The round trip, in milliseconds.
        rtt_ms: u64,
    },
    /// No usable `Date` header.
    Unknown {
        /// The URL asked.
        url: String,
        /// Why: offline, proxy, TLS failure, no or malformed header.
        reason: String,
    },
}

/// Judges a clock reading. `remaining` is how many seconds the assertion has left before exp
/// by the local clock (its lifetime when just built), when known.
pub fn evaluate(reading: &ClockReading, remaining: Option<i64>, out: &mut Findings) {
    match reading {
        ClockReading::Unknown { url, reason } => {
            out.ran(CheckGroup::Clock, format!("asked {url}"));
            out.push(Finding::new(
                Code::PF603,
                format!(
                    "could not read the time from {url}: {reason}; clock skew cannot be ruled out"
                ),
            ));
        }
        ClockReading::Measured {
            url,
            skew_secs,
            rtt_ms,
        } => {
            out.ran(
                CheckGroup::Clock,
                format!("{url} answered in {rtt_ms} ms; skew {skew_secs:+} s (server minus local)"),
            );
            let skew = *skew_secs;
            if skew > 0 {
                behind(skew, remaining, out);
            } else if -skew > AHEAD_NOTE_SECS {
                out.push(Finding::new(Code::PF602,
                    format!(
                        "the local clock is {} s ({}) ahead of the login server: harmless for exp, but nbf or iat would be in the server's future",
                        -skew,
                        timefmt::duration(skew)
                    ),
                ));
            }
        }
    }
}

fn behind(skew: i64, remaining: Option<i64>, out: &mut Findings) {
    let by = format!("{skew} s ({})", timefmt::duration(skew));
    match remaining {
        Some(left) if skew >= left => out.push(
            Finding::new(Code::PF601,
                format!(
                    "the local clock is {by} behind the login server, more than the assertion's {left} s of life: Salesforce will see it expire {} it arrives",
                    if skew == left { "just as".to_string() } else { format!("{} before", timefmt::duration(skew - left)) }
                ),
            )
            .with_severity(Severity::Error),
        ),
        _ if skew > BEHIND_WARN_SECS => {
            let left = remaining
                .map(|l| format!("; the assertion arrives with only {} s of its {l} s left", l - skew))
                .unwrap_or_default();
            out.push(Finding::new(Code::PF601,
                format!("the local clock is {by} behind the login server{left}"),
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(skew: i64, remaining: Option<i64>) -> Vec<(String, Severity)> {
        let mut f = Findings::new();
        evaluate(
            &ClockReading::Measured {
                url: "https://x".into(),
                skew_secs: skew,
                rtt_ms: 10,
            },
            remaining,
            &mut f,
        );
        f.findings()
            .iter()
            .map(|x| (x.code().to_string(), x.severity))
            .collect()
    }

    #[test]
    fn thresholds() {
        assert_eq!(judge(0, Some(180)), vec![]);
        assert_eq!(judge(30, Some(180)), vec![]);
        assert_eq!(
            judge(90, Some(180)),
            vec![("PF601".into(), Severity::Warning)]
        );
        assert_eq!(
            judge(600, Some(180)),
            vec![("PF601".into(), Severity::Error)]
        );
        assert_eq!(
            judge(-600, Some(180)),
            vec![("PF602".into(), Severity::Info)]
        );
        assert_eq!(judge(-3, Some(180)), vec![]);
    }

    #[test]
    fn message_says_how_early_it_expires() {
        let mut f = Findings::new();
        evaluate(
            &ClockReading::Measured {
                url: "u".into(),
                skew_secs: 370,
                rtt_ms: 1,
            },
            Some(180),
            &mut f,
        );
        assert!(
            f.findings()[0]
                .message
                .contains("expire 3m 10s before it arrives"),
            "{}",
            f.findings()[0].message
        );
    }
}
