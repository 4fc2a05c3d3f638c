//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding.

use super::Report;
use crate::catalog::Severity;
use crate::finding::Finding;

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

/// One annotation line for a finding, optionally tied to a file.
pub fn annotation(f: &Finding, file: Option<&str>) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let file = file
        .map(|p| format!("file={},", escape_property(p)))
        .unwrap_or_default();
    format!(
        "::{level} {file}title={}::{}",
        escape_property(&format!("{} {}", f.rule.code, f.rule.name)),
        escape_data(&format!("{} Fix: {}", f.message, f.fix))
    )
}

/// An annotation for a finding of one org of a config file.
pub fn annotation_for_org(f: &Finding, org: &str) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    format!(
        "::{level} title={}::{}",
        escape_property(&format!("{} {} (org {org})", f.rule.code, f.rule.name)),
        escape_data(&format!("{} Fix: {}", f.message, f.fix))
    )
}

/// Every finding as an annotation, then a plain summary line.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for f in &r.findings {
        out.push_str(&annotation(f, None));
        out.push('\n');
    }
    let (e, w, i) = r.counts();
    out.push_str(&format!(
        "jwt-preflight {}: {} ({})\n",
        r.command,
        r.verdict(),
        super::count_phrase(e, w, i)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_newlines_and_properties() {
        let f = Finding::new(crate::catalog::Code::PF403, "100%").with_fix("line one\nline two");
        let line = annotation(&f, Some("a,b:c"));
        assert_eq!(
            line,
            "::error file=a%2Cb%3Ac,title=PF403 signature-hash-mismatch::100%25 Fix: line one%0Aline two"
        );
    }
}
