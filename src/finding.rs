//! Findings and the per-group check results that every report is made of.

use crate::catalog::{CheckGroup, Code, Evidence, Rule, SalesforceReply, Severity};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// One problem found, tied to a catalog rule, with the concrete values in its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The catalog rule.
    pub rule: &'static Rule,
    /// Usually the rule's severity; PF204, PF332 and PF601 choose per finding.
    pub severity: Severity,
    /// What was found, with the values involved.
    pub message: String,
    /// What to do; the rule's fix unless the finding knows better.
    pub fix: String,
    /// What this finding rests on: the rule's evidence, unless this case is weaker.
    pub evidence: Evidence,
}

impl Finding {
    /// A finding of `code` at the rule's own severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        let rule = code.rule();
        Finding {
            rule,
            severity: rule.severity,
            // Messages quote untrusted values (claims, file names, certificate subjects): a
            // newline or an escape sequence in them must not forge report lines or drive the
            // terminal.
            message: crate::text::escape_controls(&message.into()),
            fix: rule.fix.to_string(),
            evidence: rule.evidence,
        }
    }

    /// The same finding at another severity. An error needs evidence that Salesforce (or a
    /// standard) rejects it: on weaker evidence it stays a warning.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self.settled()
    }

    /// The same finding resting on other evidence than its rule's: a case of the rule that is
    /// only inferred (or unconfirmed) is a warning, whatever the rule's severity.
    #[must_use]
    pub fn with_evidence(mut self, evidence: Evidence) -> Self {
        self.evidence = evidence;
        self.settled()
    }

    fn settled(mut self) -> Self {
        if self.severity == Severity::Error && !self.evidence.supports_error() {
            self.severity = Severity::Warning;
        }
        self
    }

    /// The same finding with a fix specific to this case.
    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// The rule's code, e.g. `PF403`.
    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    /// Whether this finding is of `code`.
    pub fn is(&self, code: Code) -> bool {
        self.rule.id == code
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Finding", 7)?;
        st.serialize_field("code", self.rule.code)?;
        st.serialize_field("name", self.rule.name)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("fix", &self.fix)?;
        st.serialize_field("salesforce", &self.rule.salesforce.map(SalesforceJson))?;
        st.serialize_field("evidence", &self.evidence)?;
        st.end()
    }
}

struct SalesforceJson(SalesforceReply);

impl Serialize for SalesforceJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Salesforce", 2)?;
        st.serialize_field("error", self.0.error)?;
        st.serialize_field("error_description", &self.0.error_description)?;
        st.end()
    }
}

/// The outcome of one check group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Ran and found nothing worse than info.
    Pass,
    /// Ran and found an error.
    Fail,
    /// Ran and found a warning.
    Warn,
    /// Could not run (missing input); never counts as passed.
    Skip,
}

impl CheckStatus {
    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Warn => "warn",
            CheckStatus::Skip => "skip",
        }
    }
}

/// One entry of a report's `checks` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The group's stable name.
    pub name: &'static str,
    /// Its outcome.
    pub status: CheckStatus,
    /// What was checked, or why it was skipped.
    pub detail: String,
}

/// Collects findings and check outcomes while the rules run.
#[derive(Debug, Default, Clone)]
pub struct Findings {
    findings: Vec<Finding>,
    ran: Vec<(CheckGroup, String)>,
    skipped: Vec<(CheckGroup, String)>,
}

impl Findings {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a finding.
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Adds every finding of `fs`.
    pub fn extend(&mut self, fs: impl IntoIterator<Item = Finding>) {
        self.findings.extend(fs);
    }

    /// Records that a group ran, with what it looked at.
    pub fn ran(&mut self, group: CheckGroup, detail: impl Into<String>) {
        self.ran.push((group, detail.into()));
    }

    /// Records that a group could not run, and why.
    pub fn skipped(&mut self, group: CheckGroup, why: impl Into<String>) {
        self.skipped.push((group, why.into()));
    }

    /// The findings so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether any finding has this code.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.is(code))
    }

    /// The findings and the `checks` list, in group order. A group that both ran and was
    /// skipped in part shows its outcome; a group that only was skipped shows `skip`.
    pub fn finish(self) -> (Vec<Check>, Vec<Finding>) {
        let mut checks = Vec::new();
        for group in CheckGroup::ALL {
            let ran: Vec<&str> = self
                .ran
                .iter()
                .filter(|(g, _)| *g == group)
                .map(|(_, d)| d.as_str())
                .collect();
            let skipped: Vec<&str> = self
                .skipped
                .iter()
                .filter(|(g, _)| *g == group)
                .map(|(_, d)| d.as_str())
                .collect();
            let worst = self
                .findings
                .iter()
                .filter(|f| f.rule.group == group)
                .map(|f| f.severity)
                .max();
            if ran.is_empty() && skipped.is_empty() && worst.is_none() {
                continue;
            }
            let status = match worst {
                Some(Severity::Error) => CheckStatus::Fail,
                Some(Severity::Warning) => CheckStatus::Warn,
                _ if ran.is_empty() && worst.is_none() => CheckStatus::Skip,
                _ => CheckStatus::Pass,
            };
            let mut detail = ran.join("; ");
            if !skipped.is_empty() {
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str("skipped: ");
                detail.push_str(&skipped.join("; "));
            }
            checks.push(Check {
                name: group.as_str(),
                status,
                detail,
            });
        }
        let mut findings = self.findings;
        // Stable order: by code, keeping the order within one code.
        findings.sort_by_key(|f| f.rule.code);
        (checks, findings)
    }
}

/// The verdict of a set of findings: whether it fails, given `--strict`.
pub fn fails(findings: &[Finding], strict: bool) -> bool {
    findings
        .iter()
        .any(|f| f.severity == Severity::Error || (strict && f.severity == Severity::Warning))
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_in_messages_are_escaped() {
        let f = super::Finding::new(
            crate::catalog::Code::PF313,
            "sub \"a\nerror[PF999] fake\u{1b}[31m\"",
        );
        assert_eq!(f.message, "sub \"a\\nerror[PF999] fake\\u{001b}[31m\"");
    }
}
