//! Markdown: the rule table of the README (`rules --markdown`). Other documents have no
//! Markdown form and are printed as for people.

use super::Document;
use crate::catalog::{RULES, SalesforceReply};

/// The document as Markdown.
pub fn render(doc: &Document) -> String {
    match doc {
        Document::Rules(_) => rules_table(),
        other => super::human::render(other),
    }
}

/// The README's rule table, generated from the catalog (a test fails when README.md is stale).
pub fn rules_table() -> String {
    let mut out = String::from(
        "| code | name | severity | evidence | when | Salesforce answer |\n|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let answer = match r.salesforce {
            Some(SalesforceReply {
                error,
                error_description: Some(d),
            }) => format!("{error} / {d}"),
            Some(SalesforceReply { error, .. }) => error.to_string(),
            None => "—".to_string(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.code,
            r.name,
            r.severity,
            r.evidence,
            r.summary.replace('|', "\\|"),
            answer
        ));
    }
    out
}
