//! `inspect`: header and claims pretty-printed, the times in UTC and relative to now, the
//! signature's length (never its value), the structural findings.

use super::{compact_json, write_finding};
use crate::inspect::{Inspection, TIME_CLAIMS};
use crate::rules::time::NumericDate;
use crate::timefmt;
use serde_json::Value;
use std::fmt::Write;

/// One time claim, explained: "2026-06-01T12:02:50Z, in 2m 50s".
fn describe_time(claim: &str, v: &Value, now: i64) -> String {
    match NumericDate::read(v).value() {
        Some(secs) => {
            let rel = timefmt::relative(secs, now);
            let rel = if claim == "exp" && secs <= now {
                format!(
                    "expired {}",
                    rel.trim_end_matches(" ago").to_string() + " ago"
                )
            } else {
                rel
            };
            format!("{}, {rel}", timefmt::unix_rfc3339(secs))
        }
        None => "not a number of seconds".to_string(),
    }
}

/// The human form.
pub(super) fn render(i: &Inspection) -> String {
    let name = &i.name;
    let now = i.report.evaluated_at.timestamp();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{name}: decoded WITHOUT verifying anything (no signature, key or certificate was checked)\n"
    );
    let pretty = |v: &crate::token::Object| {
        // JSON escapes C0 controls inside strings; DEL, C1 controls and bidirectional
        // overrides are escaped here, line by line (the pretty layout's own line breaks stay).
        let s = serde_json::to_string_pretty(v)
            .unwrap_or_default()
            .lines()
            .map(crate::text::escape_controls)
            .collect::<Vec<_>>()
            .join("\n");
        if s.len() > 4000 { compact_json(v) } else { s }
    };
    match &i.token.header {
        Some(h) => {
            let _ = writeln!(out, "header\n{}\n", indent(&pretty(h)));
        }
        None => {
            let _ = writeln!(out, "header: unreadable\n");
        }
    }
    match &i.token.claims {
        Some(c) => {
            let _ = writeln!(out, "claims\n{}", indent(&pretty(c)));
            for claim in TIME_CLAIMS {
                if let Some(v) = c.get(claim) {
                    let _ = writeln!(out, "  {claim} {}", describe_time(claim, v, now));
                }
            }
            out.push('\n');
        }
        None => {
            let _ = writeln!(out, "claims: unreadable\n");
        }
    }
    match &i.token.signature {
        Some(s) => {
            let _ = writeln!(
                out,
                "signature: {} bytes (not shown, not verified)",
                s.len()
            );
        }
        None => {
            let _ = writeln!(out, "signature: unreadable");
        }
    }
    let _ = writeln!(
        out,
        "times relative to {}",
        timefmt::rfc3339(i.report.evaluated_at)
    );
    if i.report.findings.is_empty() {
        let _ = writeln!(out, "\nstructure: no findings");
    } else {
        out.push('\n');
        for f in &i.report.findings {
            write_finding(&mut out, f, "");
        }
    }
    out
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
