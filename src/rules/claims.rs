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

    use crate::catalog::Severity;
    use serde_json::json;

    fn object(v: Value) -> Object {
        v.as_object().unwrap().clone()
    }

    fn issuer_findings(iss: &str, client_id: Option<&str>) -> Vec<Finding> {
        let exp = Expectations {
            client_id: client_id.map(str::to_string),
            ..Expectations::default()
        };
        let mut out = Findings::new();
        evaluate_issuer(&object(json!({ "iss": iss })), &exp, &mut out);
        out.finish().1
    }

    fn subject_findings(claims: Value, username: Option<&str>) -> Vec<Finding> {
        let exp = Expectations {
            username: username.map(str::to_string),
            ..Expectations::default()
        };
        let mut out = Findings::new();
        evaluate_subject(&object(claims), &exp, &mut out);
        out.finish().1
    }

    #[test]
    fn an_org_id_needs_00d_letters_and_digits_and_15_or_18_characters() {
        assert_eq!(issuer_shape("00D5g000004ABCD"), ": it is an org id");
        // 15 letters and digits, but not 00D…
        assert_eq!(issuer_shape("ABCDEFGHIJKLMNO"), "");
        // 00D… of 15 characters, but not all letters and digits.
        assert_eq!(issuer_shape("00D5g000004ABC-"), "");
        // 00D… letters and digits, but 16 characters.
        assert_eq!(issuer_shape("00D5g000004ABCDE"), "");
        let f = issuer_findings("ABCDEFGHIJKLMNO", None);
        assert_eq!(f.len(), 1);
        assert!(f[0].is(Code::PF303));
        assert!(!f[0].message.contains("org id"), "{}", f[0].message);
    }

    #[test]
    fn an_algorithm_name_has_five_characters() {
        assert_eq!(issuer_shape("es512"), ": it is an algorithm name");
        assert_eq!(issuer_shape("RSAKEY"), "");
        assert_eq!(issuer_shape("abcde"), "");
    }

    #[test]
    fn a_wrong_issuer_names_the_near_miss() {
        let want = "3MVGabcDEF";
        for (got, hint) in [
            (
                " 3MVGabcDEF",
                " (they differ only in surrounding whitespace)",
            ),
            ("3mvgABCdef", " (they differ only in letter case)"),
            ("3MVGabc", " (one is cut short)"),
            ("3MVGabcDEF12", " (one is cut short)"),
        ] {
            let f = issuer_findings(got, Some(want));
            let pf302: Vec<_> = f.iter().filter(|f| f.is(Code::PF302)).collect();
            assert_eq!(pf302.len(), 1, "{got:?}");
            assert!(
                pf302[0].message.ends_with(&format!("is \"{want}\"{hint}")),
                "{}",
                pf302[0].message
            );
        }
        let f = issuer_findings("3MVGxyz", Some(want));
        assert_eq!(f.len(), 1);
        assert!(f[0].is(Code::PF302));
        assert!(
            f[0].message.ends_with(&format!("is \"{want}\"")),
            "{}",
            f[0].message
        );
        assert_eq!(near_miss("3MVGxyz", want), "");
    }

    #[test]
    fn prn_next_to_sub() {
        let f = subject_findings(
            json!({ "sub": "a@example.com", "prn": "b@example.com" }),
            None,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].is(Code::PF314));
        assert_eq!(
            f[0].message,
            "the legacy \"prn\" (\"b@example.com\") is present and wins over \"sub\" (\"a@example.com\")"
        );
        let f = subject_findings(
            json!({ "sub": "a@example.com", "prn": "a@example.com" }),
            None,
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].is(Code::PF314));
        assert_eq!(
            f[0].message,
            "the legacy \"prn\" is present next to \"sub\"; Salesforce uses prn"
        );
    }

    #[test]
    fn a_wrong_prn_says_whether_sub_is_right() {
        let pf312 = |claims: Value| {
            let f = subject_findings(claims, Some("c@example.com"));
            let m: Vec<_> = f.into_iter().filter(|f| f.is(Code::PF312)).collect();
            assert_eq!(m.len(), 1);
            m[0].message.clone()
        };
        let right_sub = pf312(json!({ "sub": "c@example.com", "prn": "b@example.com" }));
        assert!(
            right_sub.ends_with("(sub is right, but prn wins)"),
            "{right_sub}"
        );
        let wrong_sub = pf312(json!({ "sub": "a@example.com", "prn": "b@example.com" }));
        assert!(!wrong_sub.contains("sub is right"), "{wrong_sub}");
        let only_sub = pf312(json!({ "sub": "a@example.com" }));
        assert!(!only_sub.contains("sub is right"), "{only_sub}");
    }

    #[test]
    fn a_user_id_needs_005_letters_and_digits_and_15_or_18_characters() {
        let user_id = |s: &str| username_problem(s).is_some_and(|p| p.contains("user id"));
        assert!(user_id("0055g00000AbCdE"));
        assert!(!user_id("ABCDEFGHIJKLMNO"));
        assert!(!user_id("0055g00000AbCd-"));
        assert!(!user_id("0055g00000AbCdEA"));
    }

    #[test]
    fn a_username_is_shaped_like_an_e_mail_address() {
        for bad in [
            "@example.com",
            "ci@localhost",
            "ci@.example.com",
            "ci@example.com.",
            "ci@exa mple.com",
            "ci@example.com@example.com",
        ] {
            assert!(
                username_problem(bad).is_some_and(|p| p.starts_with("is not shaped like")),
                "{bad:?}"
            );
        }
        let f = subject_findings(json!({ "sub": "@example.com" }), None);
        assert_eq!(f.len(), 1);
        assert!(f[0].is(Code::PF313));
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].message
                .starts_with("sub \"@example.com\" is not shaped like"),
            "{}",
            f[0].message
        );
        assert!(subject_findings(json!({ "sub": "ci@example.com" }), None).is_empty());
    }
}
