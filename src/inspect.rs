//! `inspect`: decode an assertion without trusting it. Shows the header, the claims, the
//! times in UTC and relative to `now`, and the structural findings (PF1xx). Verifies nothing.

use crate::catalog::CheckGroup;
use crate::finding::Findings;
use crate::report::{self, AssertionSource, AssertionSummary, Report};
use crate::rules::time::NumericDate;
use crate::timefmt;
use crate::token::{self, Token};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::fmt::Write;

/// The time claims shown with their meaning.
const TIME_CLAIMS: [&str; 3] = ["exp", "nbf", "iat"];

/// The result of `inspect`.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The parsed token.
    pub token: Token,
    /// The report (structure findings only).
    pub report: Report,
}

/// Decodes `text` and collects PF101–PF104.
pub fn inspect(text: &str, source: AssertionSource, now: DateTime<Utc>) -> Inspection {
    let token = token::parse(text);
    let mut f = Findings::new();
    f.extend(token.findings.iter().cloned());
    f.ran(
        CheckGroup::Structure,
        format!(
            "{} segment{}",
            token.segment_count,
            if token.segment_count == 1 { "" } else { "s" }
        ),
    );
    let (checks, findings) = f.finish();
    let report = Report {
        command: "inspect",
        evaluated_at: now,
        assertion: Some(AssertionSummary::new(source, &token)),
        key: None,
        certificate: None,
        checks,
        findings,
        strict: false,
    };
    Inspection { token, report }
}

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

/// The times as JSON: `{"exp": {"value": …, "utc": …, "relative": …}}`.
fn times_json(token: &Token, now: i64) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(claims) = &token.claims {
        for c in TIME_CLAIMS {
            if let Some(v) = claims.get(c) {
                let secs = NumericDate::read(v).value();
                out.insert(
                    c.to_string(),
                    json!({
                        "value": v,
                        "utc": secs.map(timefmt::unix_rfc3339),
                        "relative": secs.map(|s| timefmt::relative(s, now)),
                    }),
                );
            }
        }
    }
    Value::Object(out)
}

/// The JSON form: the common report fields plus `times` and `verified: false`.
pub fn to_json(i: &Inspection) -> Value {
    let mut v = report::json::to_value(&i.report);
    if let Value::Object(map) = &mut v {
        map.insert(
            "times".into(),
            times_json(&i.token, i.report.evaluated_at.timestamp()),
        );
        map.insert("verified".into(), Value::Bool(false));
    }
    v
}

/// The human form.
pub fn render_human(i: &Inspection, name: &str) -> String {
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
        if s.len() > 4000 {
            report::human::compact_json(v)
        } else {
            s
        }
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
            report::human::write_finding(&mut out, f, "");
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
