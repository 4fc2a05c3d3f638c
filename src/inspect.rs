//! `inspect`: decode an assertion without trusting it. Shows the header, the claims, the
//! times in UTC and relative to `now`, and the structural findings (PF1xx). Verifies nothing.

use crate::catalog::CheckGroup;
use crate::finding::Findings;
use crate::report::{AssertionSource, AssertionSummary, CommandName, Report};
use crate::token::{self, Token};
use chrono::{DateTime, Utc};

/// The time claims shown with their meaning.
pub const TIME_CLAIMS: [&str; 3] = ["exp", "nbf", "iat"];

/// The result of `inspect`.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The input's name as shown: its path, or `stdin`.
    pub name: String,
    /// The parsed token.
    pub token: Token,
    /// The report (structure findings only).
    pub report: Report,
}

/// Decodes `text` (read from the input `name`) and collects PF101–PF104.
pub fn inspect(text: &str, source: AssertionSource, name: &str, now: DateTime<Utc>) -> Inspection {
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
        command: CommandName::Inspect,
        evaluated_at: now,
        assertion: Some(AssertionSummary::new(source, &token)),
        key: None,
        certificate: None,
        checks,
        findings,
        strict: false,
    };
    Inspection {
        name: name.to_string(),
        token,
        report,
    }
}
