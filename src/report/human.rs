//! The human report: findings grouped by check, a mark per check, the fix under each
//! finding, one verdict line. Styled with anstyle; the writer (anstream) strips the styles
//! for pipes, `NO_COLOR` and `--color never`.

use super::{Report, count_phrase};
use crate::catalog::Severity;
use crate::finding::{CheckStatus, Finding};
use crate::timefmt;
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// Longest JSON shown for a header or claims, so a megabyte token does not flood the terminal.
const MAX_JSON_SHOWN: usize = 2000;

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => CYAN,
    }
}

/// A JSON object on one line, cut at [`MAX_JSON_SHOWN`] characters.
pub(crate) fn compact_json(v: &impl serde::Serialize) -> String {
    // JSON escapes C0 controls itself; DEL, C1 controls (U+009B is a CSI to some terminals)
    // and bidirectional overrides it leaves as they are.
    let s = crate::text::escape_controls(&serde_json::to_string(v).unwrap_or_default());
    if s.len() > MAX_JSON_SHOWN {
        let mut end = MAX_JSON_SHOWN;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes in all)", &s[..end], s.len())
    } else {
        s
    }
}

/// Writes one finding: the coded title, then the fix and the predicted reply, indented.
pub fn write_finding(out: &mut String, f: &Finding, indent: &str) {
    let st = severity_style(f.severity);
    let _ = writeln!(
        out,
        "{indent}{st}{}[{}]{st:#} {BOLD}{}{BOLD:#}: {}",
        f.severity, f.rule.code, f.rule.name, f.message
    );
    let _ = writeln!(out, "{indent}    {DIM}fix:{DIM:#} {}", f.fix);
    if let Some(sf) = f.rule.salesforce {
        let reply = match sf.error_description {
            Some(d) => format!("{} / {d}", sf.error),
            None => sf.error.to_string(),
        };
        let _ = writeln!(
            out,
            "{indent}    {DIM}Salesforce would answer:{DIM:#} {reply}"
        );
    }
}

/// The whole report.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{BOLD}jwt-preflight {}{BOLD:#} {DIM}evaluated at {}{DIM:#}",
        r.command,
        timefmt::rfc3339(r.evaluated_at)
    );
    if let Some(a) = &r.assertion {
        let source = match a.source {
            super::AssertionSource::Built => "built",
            super::AssertionSource::File => "from file",
            super::AssertionSource::Stdin => "from stdin",
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
        r.verdict().to_uppercase(),
        count_phrase(e, w, i)
    );
    out
}
