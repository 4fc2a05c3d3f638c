//! `check`: findings grouped by check, a mark per check, the fix under each finding, one
//! verdict line; and `check --config`, one such report per org and a total.

use super::{BOLD, DIM, GREEN, RED, YELLOW, compact_json, write_finding};
use crate::finding::CheckStatus;
use crate::report::{AssertionSource, OrgsReport, Report, count_phrase};
use crate::timefmt;
use std::fmt::Write;

/// The whole report.
pub(super) fn report(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{BOLD}jwt-preflight {}{BOLD:#} {DIM}evaluated at {}{DIM:#}",
        r.command.as_str(),
        timefmt::rfc3339(r.evaluated_at)
    );
    if let Some(a) = &r.assertion {
        let source = match a.source {
            AssertionSource::Built => "built",
            AssertionSource::File => "from file",
            AssertionSource::Stdin => "from stdin",
            AssertionSource::Received => "received",
        };
        let _ = writeln!(out, "  assertion ({source}), signature not shown:");
        match &a.header {
            Some(h) => {
                let _ = writeln!(out, "    header {}", compact_json(h));
            }
            None => {
                let _ = writeln!(out, "    header (unreadable)");
            }
        }
        match &a.claims {
            Some(c) => {
                let _ = writeln!(out, "    claims {}", compact_json(c));
            }
            None => {
                let _ = writeln!(out, "    claims (unreadable)");
            }
        }
    }
    if let Some(k) = &r.key {
        let bits = k.bits.map(|b| format!(" {b}-bit")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  key         {} ({}{bits} {})",
            k.path, k.format, k.key_type
        );
        for n in &k.notes {
            let _ = writeln!(out, "    {YELLOW}note:{YELLOW:#} {n}");
        }
    }
    if let Some(c) = &r.certificate {
        let _ = writeln!(
            out,
            "  certificate {} ({}, valid {} to {}, SHA-1 {})",
            c.path, c.subject, c.not_before, c.not_after, c.sha1_fingerprint
        );
        for n in &c.notes {
            let _ = writeln!(out, "    {YELLOW}note:{YELLOW:#} {n}");
        }
    }
    out.push('\n');
    for check in &r.checks {
        let (mark, st) = match check.status {
            CheckStatus::Pass => ("✓", GREEN),
            CheckStatus::Fail => ("✗", RED),
            CheckStatus::Warn => ("!", YELLOW),
            CheckStatus::Skip => ("-", DIM),
        };
        let _ = writeln!(
            out,
            "{st}{mark} {:<4}{st:#} {BOLD}{:<15}{BOLD:#} {DIM}{}{DIM:#}",
            check.status.as_str(),
            check.name,
            check.detail
        );
        for f in r
            .findings
            .iter()
            .filter(|f| f.rule.group.as_str() == check.name)
        {
            write_finding(&mut out, f, "    ");
        }
    }
    let (e, w, i) = r.counts();
    let verdict_style = if r.failed() { RED } else { GREEN };
    let strict = if r.strict { ", --strict" } else { "" };
    let _ = writeln!(
        out,
        "\n{verdict_style}{}{verdict_style:#}: {}{strict}",
        r.verdict().as_str().to_uppercase(),
        count_phrase(e, w, i)
    );
    out
}

/// `check --config`: each org's report under its name, then a total.
pub(super) fn orgs(o: &OrgsReport) -> String {
    let mut s = String::new();
    for (name, r) in &o.orgs {
        let _ = writeln!(s, "── org {name} ──");
        match r {
            Ok(r) => s.push_str(&report(r)),
            Err(e) => {
                let _ = writeln!(s, "could not run: {}", e.line());
            }
        }
        s.push('\n');
    }
    let ok = || o.orgs.iter().filter_map(|(_, r)| r.as_ref().ok());
    let passed = ok().filter(|r| !r.failed()).count();
    let (e, w, i) = ok().fold((0, 0, 0), |acc, r| {
        let (e, w, i) = r.counts();
        (acc.0 + e, acc.1 + w, acc.2 + i)
    });
    let not_run = match o.errors().count() {
        0 => String::new(),
        n => format!(", {n} could not run"),
    };
    for (name, why) in &o.skipped {
        let _ = writeln!(s, "{DIM}skipped org {name}: {why}{DIM:#}");
    }
    let skipped = match o.skipped.len() {
        0 => String::new(),
        n => format!(", {n} skipped"),
    };
    let _ = writeln!(
        s,
        "{}: {} orgs, {passed} passing{not_run}{skipped}; {}",
        if o.failed() { "FAIL" } else { "PASS" },
        o.orgs.len(),
        count_phrase(e, w, i)
    );
    s
}
