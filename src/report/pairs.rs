//! Rendering `pairs`: one line per pair (human), the JSON of SPEC §4, GitHub annotations.

use super::github::{annotation, escape_data, escape_property};
use super::human::write_finding;
use super::json::tool;
use super::{SCHEMA, count_phrase};
use crate::catalog::Severity;
use crate::pairs::{FileKind, Found, PairResult, PairStatus};
use crate::text::display_path;
use crate::timefmt;
use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};
use std::fmt::Write;

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// The outcome of a `pairs` run.
#[derive(Debug, Clone)]
pub struct PairsReport {
    /// One result per pair, in input order.
    pub pairs: Vec<PairResult>,
    /// Files without a partner.
    pub unpaired: Vec<Found>,
    /// Whether warnings fail.
    pub strict: bool,
}

impl PairsReport {
    /// Whether the run fails: a mismatch, an unreadable pair, an error finding (or, under
    /// `--strict`, a warning, an unpaired file included).
    pub fn failed(&self) -> bool {
        self.pairs.iter().any(|p| p.fails(self.strict))
            || self.unreadable() > 0
            || (self.strict && !self.unpaired.is_empty())
    }

    /// How many files could not be read.
    pub fn unreadable(&self) -> usize {
        self.unpaired
            .iter()
            .filter(|f| f.kind == FileKind::Unreadable)
            .count()
    }

    /// `pass` or `fail`.
    pub fn verdict(&self) -> &'static str {
        if self.failed() { "fail" } else { "pass" }
    }
}

fn unpaired_kind(f: &Found) -> &'static str {
    match f.kind {
        FileKind::PrivateKey | FileKind::Pkcs12 => "key",
        FileKind::Certificate => "certificate",
        FileKind::Unreadable => "unreadable",
        _ => "unrecognised",
    }
}

fn unpaired_message(f: &Found) -> String {
    match f.kind {
        FileKind::Unreadable => format!(
            "{}; pairs cannot tell whether it is a key or a certificate",
            f.problem.as_deref().unwrap_or("cannot be read")
        ),
        FileKind::PrivateKey | FileKind::Pkcs12 => "a private key with no certificate beside it (same folder, or same file stem)".into(),
        FileKind::Certificate => "a certificate with no private key beside it (same folder, or same file stem)".into(),
        _ => "looks like a secret (by name or content) but is no key or certificate this tool can read".into(),
    }
}

/// One line per pair, its findings under it, then the unpaired files and a verdict.
pub fn human(r: &PairsReport) -> String {
    let mut out = String::new();
    for p in &r.pairs {
        let worst = p.findings.iter().map(|f| f.severity).max();
        let (mark, st) = match (p.status, worst) {
            (PairStatus::Match, Some(Severity::Error))
            | (PairStatus::Mismatch | PairStatus::Error, _) => ("✗", RED),
            (PairStatus::Match, Some(Severity::Warning)) => ("!", YELLOW),
            _ => ("✓", GREEN),
        };
        let cert = p.cert.as_deref().unwrap_or("(no certificate)");
        let summary = p
            .cert_summary
            .as_ref()
            .map(|(s, until)| format!("  {DIM}{s}, until {}{DIM:#}", timefmt::rfc3339(*until)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{st}{mark} {:<8}{st:#} {} + {cert}{summary}",
            p.status.as_str(),
            p.key
        );
        if let Some(e) = &p.error {
            let _ = writeln!(out, "    {RED}error:{RED:#} {e}");
        }
        for f in p
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info || r.strict)
        {
            write_finding(&mut out, f, "    ");
        }
    }
    for f in &r.unpaired {
        let (mark, st) = if f.kind == FileKind::Unreadable {
            ("✗ unreadable", RED)
        } else {
            ("! unpaired", YELLOW)
        };
        let _ = writeln!(
            out,
            "{st}{mark}{st:#} {} ({}): {}",
            display_path(&f.path),
            unpaired_kind(f),
            unpaired_message(f)
        );
    }
    let errors: usize = r
        .pairs
        .iter()
        .map(|p| {
            p.findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count()
        })
        .sum::<usize>()
        + r.unreadable();
    let warnings: usize = r
        .pairs
        .iter()
        .map(|p| {
            p.findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count()
        })
        .sum::<usize>()
        + r.unpaired.len()
        - r.unreadable();
    let infos: usize = r
        .pairs
        .iter()
        .map(|p| {
            p.findings
                .iter()
                .filter(|f| f.severity == Severity::Info)
                .count()
        })
        .sum();
    let matched = r
        .pairs
        .iter()
        .filter(|p| p.status == PairStatus::Match)
        .count();
    let st = if r.failed() { RED } else { GREEN };
    let _ = writeln!(
        out,
        "\n{st}{}{st:#}: {} pair{}, {matched} matching; {}",
        r.verdict().to_uppercase(),
        r.pairs.len(),
        if r.pairs.len() == 1 { "" } else { "s" },
        count_phrase(errors, warnings, infos)
    );
    out
}

/// The JSON of SPEC §4 for `pairs`.
pub fn to_json(r: &PairsReport) -> Value {
    json!({
        "schema": SCHEMA,
        "tool": tool(),
        "command": "pairs",
        "verdict": r.verdict(),
        "pairs": r.pairs.iter().map(|p| json!({
            "key": p.key,
            "cert": p.cert,
            "status": p.status.as_str(),
            "error": p.error,
            "findings": p.findings,
        })).collect::<Vec<_>>(),
        "unpaired": r.unpaired.iter().map(|f| json!({
            "path": display_path(&f.path),
            "kind": unpaired_kind(f),
            "message": unpaired_message(f),
        })).collect::<Vec<_>>(),
    })
}

/// GitHub annotations, each tied to the key file (or the unpaired file).
pub fn github(r: &PairsReport) -> String {
    let mut out = String::new();
    for p in &r.pairs {
        if let Some(e) = &p.error {
            let _ = writeln!(
                out,
                "::error file={},title=pair error::{}",
                escape_property(&p.key),
                escape_data(e)
            );
        }
        for f in &p.findings {
            out.push_str(&annotation(f, Some(&p.key)));
            out.push('\n');
        }
    }
    for f in &r.unpaired {
        let path = display_path(&f.path);
        let level = if f.kind == FileKind::Unreadable {
            "error"
        } else {
            "warning"
        };
        let _ = writeln!(
            out,
            "::{level} file={},title=unpaired {}::{}",
            escape_property(&path),
            unpaired_kind(f),
            escape_data(&unpaired_message(f))
        );
    }
    let _ = writeln!(
        out,
        "jwt-preflight pairs: {} ({} pair{})",
        r.verdict(),
        r.pairs.len(),
        if r.pairs.len() == 1 { "" } else { "s" }
    );
    out
}
