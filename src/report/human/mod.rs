//! For people: styled with anstyle, which the writer (anstream) strips for pipes, `NO_COLOR`
//! and `--color never`. One file per family of documents; this one holds what they share and
//! the small documents.

mod check;
mod explain;
mod inspect;
mod pairs;
pub(crate) mod serve;

use super::{Document, Generated, Signed};
use crate::catalog::{Rule, Severity};
use crate::finding::Finding;
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

pub(super) const BOLD: Style = Style::new().bold();
pub(super) const DIM: Style = Style::new().dimmed();
pub(super) const RED: Style = AnsiColor::Red.on_default().bold();
pub(super) const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub(super) const GREEN: Style = AnsiColor::Green.on_default().bold();
pub(super) const CYAN: Style = AnsiColor::Cyan.on_default();

/// Longest JSON shown for a header or claims, so a megabyte token does not flood the terminal.
const MAX_JSON_SHOWN: usize = 2000;

/// The document for people (what goes to stdout; see [`notes`] for stderr).
pub fn render(doc: &Document) -> String {
    match doc {
        Document::Check(r) => check::report(r),
        Document::Orgs(o) => check::orgs(o),
        Document::Inspect(i) => inspect::render(i),
        Document::Pairs(p) => pairs::render(p),
        Document::Rule(rule) => rule_explanation(rule),
        Document::Replies(r) => explain::render(&r.explanation),
        Document::Rules(rules) => rule_list(rules),
        Document::Signed(s) => signed(s),
        Document::Generated(g) => generated(g),
        Document::Script(s) => s.clone(),
        Document::Serve(e) => serve::render(e),
        // Why nothing ran goes to stderr (`report::stderr_lines`); stdout stays empty.
        Document::Failure(_) => String::new(),
    }
}

pub(super) fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => CYAN,
    }
}

/// A JSON object on one line, cut at [`MAX_JSON_SHOWN`] characters.
pub(super) fn compact_json(v: &impl serde::Serialize) -> String {
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

/// `error / description`, or the error alone.
fn reply_text(sf: &crate::catalog::SalesforceReply) -> String {
    match sf.error_description {
        Some(d) => format!("{} / {d}", sf.error),
        None => sf.error.to_string(),
    }
}

/// Writes one finding: the coded title, then the fix and the predicted reply, indented.
pub(super) fn write_finding(out: &mut String, f: &Finding, indent: &str) {
    let st = severity_style(f.severity);
    let _ = writeln!(
        out,
        "{indent}{st}{}[{}]{st:#} {BOLD}{}{BOLD:#}: {}",
        f.severity, f.rule.code, f.rule.name, f.message
    );
    let _ = writeln!(out, "{indent}    {DIM}fix:{DIM:#} {}", f.fix);
    // Only an error is a rejection the evidence supports; for the rest, say what Salesforce
    // answers if it does enforce the rule.
    if let Some(sf) = f.rule.salesforce {
        let lead = match f.severity {
            Severity::Error => "Salesforce would answer:",
            _ => "if Salesforce enforces this, it answers:",
        };
        let _ = writeln!(out, "{indent}    {DIM}{lead}{DIM:#} {}", reply_text(&sf));
    }
}

/// `rules`: one line per rule.
fn rule_list(rules: &[Rule]) -> String {
    let mut s = String::new();
    for r in rules {
        let _ = writeln!(
            s,
            "{}  {:<27} {:<7}  {:<11}  {}",
            r.code,
            r.name,
            r.severity.as_str(),
            r.evidence.as_str(),
            r.summary
        );
    }
    s
}

/// `explain CODE`.
fn rule_explanation(rule: &Rule) -> String {
    let reply = rule.salesforce.map(|s| reply_text(&s)).unwrap_or_else(|| {
        "none: Salesforce does not reject this, or nobody has seen what it answers".into()
    });
    format!(
        "{} {} ({})\n\n  When: {}\n  Why:  {}\n  Fix:  {}\n  Salesforce answers: {}\n  Evidence: {}: {}\n",
        rule.code,
        rule.name,
        rule.severity,
        rule.summary,
        rule.why,
        rule.fix,
        reply,
        rule.evidence,
        rule.source
    )
}

/// `sign`: the assertion, or the request built around it.
fn signed(s: &Signed) -> String {
    match &s.request {
        None => format!("{}\n", s.token),
        Some(req) => format!(
            "POST {url}\nContent-Type: application/x-www-form-urlencoded\n\n{body}\n\n# ready to run (sends the request):\ncurl -sS -X POST '{url}' -H 'Content-Type: application/x-www-form-urlencoded' --data '{body}'\n",
            url = req.url,
            body = req.body
        ),
    }
}

/// `keygen`: what was written, and what to do next.
fn generated(g: &Generated) -> String {
    let (k, c) = (&g.key_path, &g.cert_path);
    format!(
        "wrote {k} (RSA {} bits, unencrypted PKCS#8, mode 0600)\nwrote {c} (self-signed, SHA-256, {}, valid {} days)\n\nNext:\n  1. Upload {c} to the connected app (Setup → App Manager → your app → Edit → Use digital signatures).\n  2. Keep {k} out of the repository: store it as a CI secret, and add it to .gitignore.\n  3. Check the pair and the login before deploying:\n     jwt-preflight check --key {k} --cert {c} --client-id <consumer key> --username <user> --login-url <https://…>\n",
        g.bits,
        crate::text::escape_controls(&g.subject),
        g.days
    )
}
