//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding,
//! then a plain summary line. Documents with no findings to annotate (a rule, the rule list,
//! an explanation) are printed as for people.

use super::document::{unpaired_kind, unpaired_message};
use super::{Document, OrgsReport, PairsReport, Report, count_phrase};
use crate::catalog::Severity;
use crate::finding::Finding;
use crate::pairs::FileKind;
use crate::text::display_path;
use std::fmt::Write;

/// Escapes an annotation message (GitHub's `escapeData`).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes an annotation property (GitHub's `escapeProperty`).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One annotation line for a finding, optionally tied to a file and titled with an org.
fn annotation(f: &Finding, file: Option<&str>, org: Option<&str>) -> String {
    let file = file
        .map(|p| format!("file={},", escape_property(p)))
        .unwrap_or_default();
    let org = org.map(|o| format!(" (org {o})")).unwrap_or_default();
    format!(
        "::{} {file}title={}::{}",
        level(f.severity),
        escape_property(&format!("{} {}{org}", f.rule.code, f.rule.name)),
        escape_data(&format!("{} Fix: {}", f.message, f.fix))
    )
}

/// The document as annotations.
pub fn render(doc: &Document) -> String {
    match doc {
        Document::Check(r) => report(r),
        Document::Inspect(i) => report(&i.report),
        Document::Orgs(o) => orgs(o),
        Document::Pairs(p) => pairs(p),
        Document::Failure(f) => format!(
            "::error title=jwt-preflight {} could not run::{}\n",
            f.command.as_str(),
            escape_data(&f.error.line())
        ),
        other => super::human::render(other),
    }
}

fn report(r: &Report) -> String {
    let mut out = String::new();
    for f in &r.findings {
        out.push_str(&annotation(f, None, None));
        out.push('\n');
    }
    let (e, w, i) = r.counts();
    let _ = writeln!(
        out,
        "jwt-preflight {}: {} ({})",
        r.command.as_str(),
        r.verdict().as_str(),
        count_phrase(e, w, i)
    );
    out
}

fn orgs(o: &OrgsReport) -> String {
    let mut out = String::new();
    for (name, r) in &o.orgs {
        match r {
            Ok(r) => {
                for f in &r.findings {
                    out.push_str(&annotation(f, None, Some(name)));
                    out.push('\n');
                }
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "::error title={}::{}",
                    escape_property(&format!("org {name} could not run")),
                    escape_data(&e.line())
                );
            }
        }
    }
    for (name, why) in &o.skipped {
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape_property(&format!("org {name} skipped")),
            escape_data(why)
        );
    }
    let _ = writeln!(
        out,
        "jwt-preflight check: {} ({} orgs)",
        if o.failed() { "fail" } else { "pass" },
        o.orgs.len()
    );
    out
}

fn pairs(r: &PairsReport) -> String {
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
            out.push_str(&annotation(f, Some(&p.key), None));
            out.push('\n');
        }
    }
    for f in &r.unpaired {
        let level = if f.kind == FileKind::Unreadable {
            "error"
        } else {
            "warning"
        };
        let _ = writeln!(
            out,
            "::{level} file={},title=unpaired {}::{}",
            escape_property(&display_path(&f.path)),
            unpaired_kind(f),
            escape_data(&unpaired_message(f))
        );
    }
    let _ = writeln!(
        out,
        "jwt-preflight pairs: {} ({} pair{})",
        r.verdict().as_str(),
        r.pairs.len(),
        if r.pairs.len() == 1 { "" } else { "s" }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_newlines_and_properties() {
        let f = Finding::new(crate::catalog::Code::PF403, "100%").with_fix("line one\nline two");
        let line = annotation(&f, Some("a,b:c"), None);
        assert_eq!(
            line,
            "::error file=a%2Cb%3Ac,title=PF403 signature-hash-mismatch::100%25 Fix: line one%0Aline two"
        );
    }
}
