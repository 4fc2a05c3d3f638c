//! `pairs`: one line per pair with its findings under it, the unpaired files, a verdict.

use super::{DIM, GREEN, RED, YELLOW, write_finding};
use crate::catalog::Severity;
use crate::pairs::{FileKind, PairStatus};
use crate::report::document::{unpaired_kind, unpaired_message};
use crate::report::{PairsReport, count_phrase};
use crate::text::display_path;
use crate::timefmt;
use std::fmt::Write;

/// One line per pair, its findings under it, then the unpaired files and a verdict.
pub(super) fn render(r: &PairsReport) -> String {
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
        r.verdict().as_str().to_uppercase(),
        r.pairs.len(),
        if r.pairs.len() == 1 { "" } else { "s" },
        count_phrase(errors, warnings, infos)
    );
    out
}
