//! PF301–PF314: the issuer (the connected app's consumer key) and the subject (the username).

use super::Expectations;
use crate::catalog::{CheckGroup, Code};
use crate::finding::{Finding, Findings};
use crate::token::Object;
use serde_json::Value;

/// Runs PF301–PF303.
pub fn evaluate_issuer(claims: &Object, exp: &Expectations, out: &mut Findings) {
    match &exp.client_id {
        Some(id) => out.ran(CheckGroup::Issuer, format!("expected iss {id}")),
        None => {
            out.ran(
                CheckGroup::Issuer,
                "iss present and shaped like a consumer key",
            );
            out.skipped(CheckGroup::Issuer, "no --client-id to compare iss with");
        }
    }
    let Some(iss) = claims.get("iss") else {
        out.push(Finding::new(Code::PF301, "the claims have no \"iss\""));
        return;
    };
    let iss_text = match iss {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(expected) = &exp.client_id
        && iss.as_str() != Some(expected.as_str())
    {
        let hint = near_miss(&iss_text, expected);
        out.push(Finding::new(
            Code::PF302,
            format!(
                "iss is {iss} but the expected consumer key (--client-id) is \"{expected}\"{hint}"
            ),
        ));
    }
    if !iss_text.starts_with("3MVG") {
        let what = issuer_shape(&iss_text);
        out.push(Finding::new(
            Code::PF303,
            format!(
                "iss {iss} does not look like a consumer key Salesforce generates (they start with 3MVG){what}; custom consumer keys of 8 to 256 letters and digits exist, so if yours is one, ignore this"
            ),
        ));
    }
}

/// Says what an issuer that is not a consumer key most likely is.
fn issuer_shape(iss: &str) -> String {
    let alnum = iss.chars().all(|c| c.is_ascii_alphanumeric());
    if iss.starts_with("00D") && alnum && matches!(iss.len(), 15 | 18) {
        ": it is an org id".into()
    } else if iss.contains('@') {
        ": it looks like a username, which belongs in sub".into()
    } else if matches!(
        iss.to_ascii_uppercase().get(..2),
        Some("RS" | "HS" | "PS" | "ES")
    ) && iss.len() == 5
    {
        ": it is an algorithm name".into()
    } else if iss.starts_with("http") {
        ": it is a URL".into()
    } else if iss.is_empty() {
        ": it is empty".into()
    } else {
        String::new()
    }
}

/// Points out the usual near misses between two strings that should be equal.
fn near_miss(got: &str, want: &str) -> String {
    if got.trim() == want.trim() {
        " (they differ only in surrounding whitespace)".into()
    } else if got.eq_ignore_ascii_case(want) {
        " (they differ only in letter case)".into()
    } else if want.starts_with(got) || got.starts_with(want) {
        " (one is cut short)".into()
    } else {
        String::new()
    }
}

/// Runs PF311–PF314.
pub fn evaluate_subject(claims: &Object, exp: &Expectations, out: &mut Findings) {
    match &exp.username {
        Some(u) => out.ran(CheckGroup::Subject, format!("expected sub {u}")),
        None => {
            out.ran(
                CheckGroup::Subject,
                "sub present and shaped like a username",
            );
            out.skipped(CheckGroup::Subject, "no --username to compare sub with");
        }
    }
    let sub = claims.get("sub");
    let prn = claims.get("prn");
    if let Some(prn) = prn {
        let msg = match sub {
            Some(sub) if sub != prn => {
                format!("the legacy \"prn\" ({prn}) is present and wins over \"sub\" ({sub})")
            }
            Some(_) => {
                "the legacy \"prn\" is present next to \"sub\"; Salesforce uses prn".to_string()
            }
            None => format!("the legacy \"prn\" ({prn}) is used instead of \"sub\""),
        };
        out.push(Finding::new(Code::PF314, msg));
    }
    let (claim, value) = match (prn, sub) {
        (Some(p), _) => ("prn", p),
        (None, Some(s)) => ("sub", s),
        (None, None) => {
            out.push(Finding::new(
                Code::PF311,
                "the claims have neither \"sub\" nor \"prn\"",
            ));
            return;
        }
    };
    if let Some(expected) = &exp.username
        && value.as_str() != Some(expected.as_str())
    {
        let text = value
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string());
        let hint = near_miss(&text, expected);
        let which = if claim == "prn" && sub.and_then(Value::as_str) == Some(expected.as_str()) {
            " (sub is right, but prn wins)"
        } else {
            ""
        };
        out.push(Finding::new(Code::PF312,
                format!("{claim} is {value} but the expected username (--username) is \"{expected}\"{hint}{which}"),
            ));
    }
    let Some(text) = value.as_str() else {
        out.push(Finding::new(
            Code::PF313,
            format!("{claim} is {value}, not a string holding a username"),
        ));
        return;
    };
    if let Some(problem) = username_problem(text) {
        out.push(Finding::new(
            Code::PF313,
            format!("{claim} \"{text}\" {problem}"),
        ));
    }
}

/// Why a subject is not shaped like a Salesforce username, if it is not.
fn username_problem(s: &str) -> Option<String> {
    let alnum = s.chars().all(|c| c.is_ascii_alphanumeric());
    if s.starts_with("005") && alnum && matches!(s.len(), 15 | 18) {
        return Some("is a user id (005…); Salesforce wants the username".into());
    }
    let lower = s.to_ascii_lowercase();
    if ["%40", "%2b", "%2e", "%20", "%25"]
        .iter()
        .any(|e| lower.contains(e))
    {
        return Some("is URL-escaped; send the username unescaped (e.g. %40 as @)".into());
    }
    if ["&#", "&amp;", "&lt;", "&gt;", "&quot;"]
        .iter()
        .any(|e| lower.contains(e))
    {
        return Some("is HTML-escaped; send the username unescaped (e.g. &#64; as @)".into());
    }
    if s != s.trim() {
        return Some("has surrounding whitespace".into());
    }
    let mut parts = s.split('@');
    let (local, domain, extra) = (parts.next(), parts.next(), parts.next());
    match (local, domain, extra) {
        (Some(l), Some(d), None) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !s.contains(char::is_whitespace) => None,
        _ => Some("is not shaped like a Salesforce username, which has the form of an e-mail address (user@acme.com, or user@acme.com.uat in a sandbox)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_shapes() {
        assert_eq!(username_problem("ci@example.com"), None);
        assert_eq!(username_problem("ci@example.com.uat"), None);
        assert!(username_problem("0055g00000AbCdEAAV").is_some_and(|p| p.contains("user id")));
        assert!(username_problem("ci%40example.com").is_some_and(|p| p.contains("URL")));
        assert!(username_problem("ci&#64;example.com").is_some_and(|p| p.contains("HTML")));
        assert!(username_problem("admin").is_some());
    }

    #[test]
    fn issuer_shapes() {
        assert!(issuer_shape("00D5g000004ABCDEAY").contains("org id"));
        assert!(issuer_shape("RS256").contains("algorithm"));
        assert!(issuer_shape("ci@example.com").contains("username"));
    }
}
