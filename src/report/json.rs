//! The JSON report of SPEC §4, schema 1.

use super::{Report, SCHEMA};
use crate::timefmt;
use serde_json::{Value, json};

/// `{"name":"jwt-preflight","version":…}`.
pub fn tool() -> Value {
    json!({"name": "jwt-preflight", "version": env!("CARGO_PKG_VERSION")})
}

/// The report as one JSON object, in the field order of SPEC §4.
pub fn to_value(r: &Report) -> Value {
    json!({
        "schema": SCHEMA,
        "tool": tool(),
        "command": r.command,
        "verdict": r.verdict(),
        "evaluated_at": timefmt::rfc3339(r.evaluated_at),
        "assertion": r.assertion,
        "key": r.key,
        "certificate": r.certificate,
        "checks": r.checks,
        "findings": r.findings,
    })
}

/// Pretty-printed, with a final newline.
pub fn render(r: &Report) -> String {
    to_pretty(&to_value(r))
}

/// Pretty-prints any report value, with a final newline.
pub fn to_pretty(v: &Value) -> String {
    let mut s =
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
