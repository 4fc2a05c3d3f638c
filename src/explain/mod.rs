//! `explain` for Salesforce replies: what an `error` / `error_description` pair means, the
//! likely causes in order, how to confirm each one, the fix, and the rules that catch the cause
//! before anything is deployed.
//!
//! Pure: the command line reads the file or stdin and hands the text to [`explain_text`]. The
//! module is in three parts: [`replies`] (the data), [`parse`] (reading the input) and
//! [`matching`] (finding each reply in the table); rendering is in `crate::report`.

pub mod matching;
pub mod parse;
pub mod replies;

pub use matching::{Recognition, Suggestion, match_reply, suggest};
use matching::{levenshtein, with_error};
pub use parse::{Attempt, Client, ReplyText, Subject, SubjectKind, parse_subject};
pub use replies::{Cause, KnownReply, REPLIES};

use crate::catalog::{self, Code};
use crate::salesforce::{self, HostKind, SimpleUrl};

/// A comment on the login URL / audience pair of one CLI attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptNote {
    /// What the pair says.
    pub note: String,
    /// The rules that catch the problem, if the pair shows one.
    pub rules: Vec<Code>,
}

/// One reply with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The reply as given.
    pub text: ReplyText,
    /// How it matched.
    pub outcome: Recognition,
    /// A comment on the attempt's login URL / audience pair.
    pub attempt_note: Option<AttemptNote>,
    /// The reply's causes, most likely first for the client that printed it.
    pub causes: Vec<&'static Cause>,
    /// Why the causes are in this order, when the client changes it.
    pub client_note: Option<String>,
}

impl Explained {
    /// Whether the reply was recognised (known description, or a known error code).
    pub fn recognised(&self) -> bool {
        !matches!(self.outcome, Recognition::Unknown { .. })
    }
}

/// The whole explanation of an input.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// A single reply or CLI output.
    pub kind: SubjectKind,
    /// The client that printed it, when the text says.
    pub client: Client,
    /// Every reply, explained.
    pub items: Vec<Explained>,
    /// Notes about the attempts taken together.
    pub notes: Vec<String>,
}

impl Explanation {
    /// Whether every reply was recognised (and there was at least one).
    pub fn all_recognised(&self) -> bool {
        !self.items.is_empty() && self.items.iter().all(Explained::recognised)
    }
}

/// Comments on the pair the Salesforce CLI used for one attempt.
pub fn comment_attempt(a: &Attempt) -> AttemptNote {
    let aud = SimpleUrl::parse(&a.audience);
    let login = SimpleUrl::parse(&a.login);
    let (Some(aud), Some(login)) = (aud, login) else {
        return AttemptNote {
            note: format!(
                "audience {} posted to {}: one of them is not a full URL, which Salesforce refuses as audience.",
                a.audience, a.login
            ),
            rules: vec![Code::PF322],
        };
    };
    let ak = salesforce::classify_host(&aud.host);
    let lk = salesforce::classify_host(&login.host);
    let mut notes = Vec::new();
    let mut rules = Vec::new();
    if aud.scheme != "https" || !ak.is_login_server() {
        notes.push(format!(
            "the audience {} is not an https URL of a Salesforce login server",
            aud.origin()
        ));
        rules.push(Code::PF322);
    }
    match (ak.environment(), lk.environment()) {
        (Some(ae), Some(le)) if ae != le => {
            notes.push(format!(
                "the audience is {} ({}) but the request went to {} ({}): this pair cannot work",
                salesforce::describe(&ak),
                ae.as_str(),
                salesforce::describe(&lk),
                le.as_str()
            ));
            rules.push(Code::PF323);
        }
        _ => {}
    }
    if let (HostKind::MyDomain { name: an, .. }, HostKind::MyDomain { name: ln, .. }) = (&ak, &lk)
        && an != ln
    {
        notes.push(format!(
            "the audience names the My Domain {an} but the request went to {ln}"
        ));
        rules.push(Code::PF323);
    }
    if matches!(ak, HostKind::ProductionLogin | HostKind::SandboxLogin)
        && matches!(lk, HostKind::MyDomain { .. })
        && !rules.contains(&Code::PF323)
    {
        notes.push(
            "a login/test audience posted to a My Domain: an External Client App may answer app_not_found (one report since Spring '26); the My Domain as audience always works"
                .to_string(),
        );
        rules.push(Code::PF324);
    }
    if aud.path == "/" {
        notes.push("the audience ends with '/', which is not confirmed to be accepted".to_string());
        rules.push(Code::PF325);
    }
    if !lk.is_login_server() {
        notes.push(format!(
            "the request went to {}, which is {}",
            login.origin(),
            salesforce::describe(&lk)
        ));
    }
    let note = if notes.is_empty() {
        format!(
            "audience {} posted to {}: the pair is consistent ({} as audience, {} as host), so the refusal is about this org or app rather than the pair.",
            a.audience,
            a.login,
            salesforce::describe(&ak),
            salesforce::describe(&lk)
        )
    } else {
        format!(
            "audience {} posted to {}: {}.",
            a.audience,
            a.login,
            notes.join("; ")
        )
    };
    AttemptNote { note, rules }
}

// ---------------------------------------------------------------------------------------------
// The whole explanation

/// Parses and explains any reply text (everything but a rule code or name).
pub fn explain_text(text: &str) -> Explanation {
    let subject = parse_subject(text);
    let client = subject.client;
    let mut replies = subject.replies;
    if subject.kind == SubjectKind::CliOutput {
        infer_cli_attempts(&mut replies);
    }
    let items: Vec<Explained> = replies
        .into_iter()
        .map(|text| {
            let outcome = match_reply(&text);
            let attempt_note = text.attempt.as_ref().map(|a| {
                let mut n = comment_attempt(a);
                if a.inferred {
                    n.note = format!(
                        "(inferred from the CLI's fixed order of attempts) {}",
                        n.note
                    );
                }
                n
            });
            let (causes, client_note) = match &outcome {
                Recognition::Known { reply, .. } => causes_for(reply, client),
                _ => (Vec::new(), None),
            };
            Explained {
                text,
                outcome,
                attempt_note,
                causes,
                client_note,
            }
        })
        .collect();
    let notes = if subject.kind == SubjectKind::CliOutput {
        cli_notes(&items)
    } else {
        Vec::new()
    };
    Explanation {
        kind: subject.kind,
        client,
        items,
        notes,
    }
}

/// A reply's causes in the order that fits the client. The Salesforce CLI sends exp in
/// milliseconds (sfdx-core: `Date.now() + 300`), which never expires read as seconds, so for
/// its output a miscomputed exp cannot explain `expired authorization code`: a slow clock (if
/// Salesforce reads the value as milliseconds, the assertion has 0.3 s of life) comes first.
fn causes_for(reply: &'static KnownReply, client: Client) -> (Vec<&'static Cause>, Option<String>) {
    let all: Vec<&'static Cause> = reply.causes.iter().collect();
    if client == Client::SfCli && reply.description == "expired authorization code" {
        let (clock, rest): (Vec<&Cause>, Vec<&Cause>) = all
            .into_iter()
            .partition(|c| c.rules.contains(&Code::PF601));
        return (
            clock.into_iter().chain(rest).collect(),
            Some(
                "The Salesforce CLI builds a fresh assertion for every attempt with exp in milliseconds (Date.now() + 300), which never expires read as seconds; so its own exp is not miscomputed, and a clock behind Salesforce's comes first.".to_string(),
            ),
        );
    }
    (all, None)
}

/// The (login URL, audience) pairs `sf org login jwt` tries, in its fixed order, for each
/// number of attempts (sfdx-core `getLoginAudienceCombos`, salesforce-evidence.md §5.1).
/// `D` stands for the My Domain given with -r.
const CLI_ORDERS: &[(&str, &[(&str, &str)])] = &[
    ("no --instance-url", &[("L", "L"), ("T", "T")]),
    (
        "--instance-url https://login.salesforce.com",
        &[("L", "L"), ("T", "T"), ("L/", "T")],
    ),
    (
        "--instance-url https://test.salesforce.com",
        &[("T/", "T"), ("L", "L"), ("T/", "L")],
    ),
    (
        "--instance-url <My Domain>",
        &[
            ("D/", "D/"),
            ("T", "T"),
            ("L", "L"),
            ("D/", "L"),
            ("D/", "T"),
        ],
    ),
];

/// Fills in the pair of each attempt the CLI printed without one (it appends the pair only to
/// audience refusals), from its fixed order, when the attempts it did print agree with exactly
/// one order.
fn infer_cli_attempts(replies: &mut [ReplyText]) {
    if replies.iter().all(|r| r.attempt.is_some()) {
        return;
    }
    let origin = |s: &str| SimpleUrl::parse(s).map(|u| u.canonical_origin());
    let my_domain = replies
        .iter()
        .filter_map(|r| r.attempt.as_ref())
        .flat_map(|a| [&a.login, &a.audience])
        .filter_map(|u| SimpleUrl::parse(u))
        .find(|u| {
            matches!(
                salesforce::classify_host(&u.host),
                HostKind::MyDomain { .. }
            )
        })
        .map(|u| u.canonical_origin());
    let expand = |code: &str| -> Option<String> {
        let slash = if code.ends_with('/') { "/" } else { "" };
        Some(match code.trim_end_matches('/') {
            "L" => format!("https://login.salesforce.com{slash}"),
            "T" => format!("https://test.salesforce.com{slash}"),
            _ => format!("{}{slash}", my_domain.clone()?),
        })
    };
    let fits: Vec<Vec<(String, String)>> = CLI_ORDERS
        .iter()
        .filter(|(_, order)| order.len() == replies.len())
        .filter_map(|(_, order)| {
            order
                .iter()
                .map(|(l, a)| Some((expand(l)?, expand(a)?)))
                .collect::<Option<Vec<_>>>()
        })
        .filter(|pairs| {
            replies.iter().zip(pairs).all(|(r, (l, a))| {
                r.attempt.as_ref().is_none_or(|at| {
                    origin(&at.login) == origin(l) && origin(&at.audience) == origin(a)
                })
            })
        })
        .collect();
    let [pairs] = fits.as_slice() else {
        return;
    };
    for (r, (login, audience)) in replies.iter_mut().zip(pairs) {
        if r.attempt.is_none() {
            r.attempt = Some(Attempt {
                audience: audience.clone(),
                login: login.clone(),
                inferred: true,
            });
        }
    }
}

fn is_audience_reply(r: &KnownReply) -> bool {
    r.description == "audience is invalid"
}

/// What the attempts of one CLI login say together.
fn cli_notes(items: &[Explained]) -> Vec<String> {
    let mut notes = vec![format!(
        "`sf org login jwt` tried {} login URL / audience pair{} and every one failed; each attempt is explained below.",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    )];
    let known: Vec<&'static KnownReply> = items
        .iter()
        .filter_map(|i| match i.outcome {
            Recognition::Known { reply, .. } => Some(reply),
            _ => None,
        })
        .collect();
    if known.len() < 2 || known.len() != items.len() {
        return notes;
    }
    let first = known[0];
    if known.iter().all(|r| std::ptr::eq(*r, first)) {
        let flagged = items
            .iter()
            .any(|i| i.attempt_note.as_ref().is_some_and(|n| !n.rules.is_empty()));
        notes.push(if flagged {
            format!(
                "Every attempt got the same reply ({}), whatever the pair: start with its causes below; the pairs flagged below are worth fixing as well.",
                first.description
            )
        } else {
            format!(
                "Every attempt got the same reply ({}), so its cause does not depend on the login URL or the audience.",
                first.description
            )
        });
        return notes;
    }
    let others: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for r in known.iter().filter(|r| !is_audience_reply(r)) {
            if !v.contains(&r.description) {
                v.push(r.description);
            }
        }
        v
    };
    if known.iter().any(|r| is_audience_reply(r)) && !others.is_empty() {
        notes.push(format!(
            "Some attempts were refused on the audience and others for another reason ({}). Those others most likely used a pair whose audience Salesforce accepted, so start with them; the audience refusals are probably the CLI's other guesses.",
            others.join("; ")
        ));
    }
    notes
}
/// The input quoted on one line, at most 120 characters, controls escaped.
pub(crate) fn shorten(s: &str) -> String {
    let one_line =
        crate::text::escape_controls(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    if one_line.chars().count() > 120 {
        let cut: String = one_line.chars().take(117).collect();
        format!("'{cut}…'")
    } else {
        format!("'{one_line}'")
    }
}

/// The message for replies that matched nothing (`None` when every reply was recognised):
/// the closest known replies when some are close, else a plain statement.
pub fn unrecognised_message(e: &Explanation) -> Option<String> {
    let unknown: Vec<(usize, &Explained)> = e
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.recognised())
        .collect();
    if unknown.is_empty() && !e.items.is_empty() {
        return None;
    }
    if e.items.is_empty() {
        return Some("explain: nothing to explain: the input is empty".to_string());
    }
    let mut parts = Vec::new();
    for (n, item) in unknown {
        let Recognition::Unknown {
            suggestions,
            known_error,
        } = &item.outcome
        else {
            continue;
        };
        let what = if e.kind == SubjectKind::CliOutput {
            format!("attempt {}: {}", n + 1, shorten(&item.text.input))
        } else {
            shorten(&item.text.input)
        };
        let mut msg = if !suggestions.is_empty() {
            let list = suggestions
                .iter()
                .map(|s| format!("  {}: {}", s.reply.error, s.reply.description))
                .collect::<Vec<_>>()
                .join("\n");
            format!(
                "{what} is not a Salesforce reply jwt-preflight knows. The closest known replies:\n{list}\nRun `jwt-preflight explain '<one of them>'` for its causes and fixes."
            )
        } else if let Some(code) = known_error {
            let list = with_error(code)
                .iter()
                .map(|r| format!("  {}: {}", r.error, r.description))
                .collect::<Vec<_>>()
                .join("\n");
            format!(
                "{what}: this error_description is not one jwt-preflight knows for {code}. The known ones are:\n{list}"
            )
        } else {
            format!(
                "{what} is not a Salesforce reply jwt-preflight knows, nor a rule code or name (see `jwt-preflight rules`). Give the error and error_description of the reply, its JSON body, or the whole output of `sf org login jwt`."
            )
        };
        if let Some(rule) = close_rule_name(&item.text.input) {
            msg.push_str(&format!(
                "\nDid you mean the rule {} ({})?",
                rule.name, rule.code
            ));
        }
        parts.push(msg);
    }
    Some(format!("explain: {}", parts.join("\n")))
}

/// A rule whose name is within a few edits of the text (a typo in a rule name).
fn close_rule_name(text: &str) -> Option<&'static catalog::Rule> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    catalog::RULES
        .iter()
        .map(|r| (r, levenshtein(&t, r.name)))
        .filter(|(_, d)| *d <= 3)
        .min_by_key(|(_, d)| *d)
        .map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::matching::{normalise, spellings};
    use super::parse::percent_decode;
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> ReplyText {
        let s = parse_subject(text);
        assert_eq!(s.replies.len(), 1, "{text}: {s:?}");
        s.replies
            .into_iter()
            .next()
            .unwrap_or_else(|| unreachable!())
    }

    fn known(text: &str) -> &'static KnownReply {
        match match_reply(&one(text)) {
            Recognition::Known { reply, .. } => reply,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn the_reply_table_agrees_with_the_catalog() {
        // Every reply the catalog predicts is a reply explain knows, and that reply lists the
        // rule among its causes' rules: the two tables cannot drift apart.
        for rule in catalog::RULES {
            let Some(sf) = rule.salesforce else { continue };
            let Some(description) = sf.error_description else {
                // An error code alone: explain knows the code.
                assert!(
                    REPLIES.iter().any(|r| r.error == sf.error),
                    "{}: {} is not an error explain knows",
                    rule.code,
                    sf.error
                );
                continue;
            };
            let reply = REPLIES
                .iter()
                .find(|r| r.error == sf.error && normalise(r.description) == normalise(description))
                .unwrap_or_else(|| {
                    panic!(
                        "{}: {} / {description} is not in REPLIES",
                        rule.code, sf.error
                    )
                });
            assert!(
                reply.rules().contains(&rule.id),
                "{}: predicts {} / {description}, whose causes do not list it",
                rule.code,
                sf.error
            );
        }
    }

    #[test]
    fn every_reply_has_causes_with_confirm_and_fix() {
        for r in REPLIES {
            assert!(!r.causes.is_empty(), "{}", r.description);
            for c in r.causes {
                assert!(c.cause.len() > 20 && c.confirm.len() > 15 && c.fix.len() > 10);
            }
        }
    }

    #[test]
    fn spellings_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in REPLIES {
            for s in spellings(r) {
                assert!(seen.insert(normalise(s)), "duplicate spelling {s}");
            }
        }
    }

    #[test]
    fn every_reply_matches_itself_in_every_form() {
        for r in REPLIES {
            for text in [
                format!("{}: {}", r.error, r.description),
                format!("{}::{}", r.error, r.description),
                format!("{} - {}", r.error, r.description),
                format!("{} {}", r.error, r.description),
                r.description.to_string(),
                r.description.to_uppercase(),
                format!("  \"{}\"  ", r.description),
                json!({"error": r.error, "error_description": r.description}).to_string(),
            ] {
                assert!(std::ptr::eq(known(&text), r), "{text}");
            }
        }
    }

    #[test]
    fn separators() {
        let r = one("invalid_grant: audience is invalid");
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("audience is invalid"));
        let r = one("invalid_app_access::user is not admin approved to access this app");
        assert_eq!(r.error.as_deref(), Some("invalid_app_access"));
        assert_eq!(
            r.description.as_deref(),
            Some("user is not admin approved to access this app")
        );
        let r = one("INVALID_GRANT - 'expired authorization code'.");
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("expired authorization code"));
        let r = one("user hasn\u{2019}t approved this consumer");
        assert_eq!(r.error, None);
        assert_eq!(
            known("user hasn\u{2019}t approved this consumer").description,
            "user hasn't approved this consumer"
        );
    }

    #[test]
    fn json_and_key_value_forms() {
        let r = one(r#"{"error":"invalid_grant","error_description":"audience is invalid"}"#);
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("audience is invalid"));
        let r = one(
            "{'error': 'invalid_grant', 'error_description': \"user hasn't approved this consumer\"}",
        );
        assert_eq!(
            r.description.as_deref(),
            Some("user hasn't approved this consumer")
        );
        let r = one("error=invalid_grant&error_description=audience+is+invalid");
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("audience is invalid"));
        let r = one(
            "HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}",
        );
        assert_eq!(r.error.as_deref(), Some("invalid_client_id"));
        assert_eq!(known("HTTP/1.1 400\n\n{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}").error, "invalid_client_id");
    }

    #[test]
    fn error_alone_lists_candidates() {
        match match_reply(&one("invalid_grant")) {
            Recognition::ErrorOnly { error, candidates } => {
                assert_eq!(error, "invalid_grant");
                assert!(candidates.len() >= 9);
                assert!(candidates.iter().all(|c| c.error == "invalid_grant"));
            }
            other => panic!("{other:?}"),
        }
        match match_reply(&one(r#"{"error":"invalid_grant"}"#)) {
            Recognition::ErrorOnly { .. } => {}
            other => panic!("{other:?}"),
        }
        // an error with a single known reply is that reply
        assert_eq!(known("inactive_user").description, "User is inactive");
    }

    #[test]
    fn docs_wording_is_an_alias() {
        assert_eq!(
            known(r#"{"error":"invalid_grant","error_description":"Audience validation failed"}"#)
                .description,
            "audience is invalid"
        );
    }

    #[test]
    fn longest_description_wins() {
        assert_eq!(
            known("invalid_grant: authentication failure - invalid client credentials").description,
            "authentication failure - invalid client credentials"
        );
        assert_eq!(
            known("authentication failure").description,
            "authentication failure"
        );
    }

    #[test]
    fn wrapped_cli_messages() {
        assert_eq!(
            known("Error (JwtAuthError): Error authenticating with JWT config due to: user hasn't approved this consumer").description,
            "user hasn't approved this consumer"
        );
        assert_eq!(
            known("Error authenticating with auth code due to: invalid_app_access::user is not admin approved to access this app").error,
            "invalid_app_access"
        );
    }

    const CLI: &str = "Error (JwtGrantError): We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here's the error: Error authenticating with JWT.\nErrors encountered:\nuser hasn't approved this consumer\nuser hasn't approved this consumer\naudience is invalid  [audience=https://test.salesforce.com login=https://login.salesforce.com/]\n";

    #[test]
    fn cli_output_gives_one_reply_per_attempt() {
        let s = parse_subject(CLI);
        assert_eq!(s.kind, SubjectKind::CliOutput);
        assert_eq!(s.replies.len(), 3);
        assert_eq!(
            s.replies[0].description.as_deref(),
            Some("user hasn't approved this consumer")
        );
        assert_eq!(
            s.replies[2].description.as_deref(),
            Some("audience is invalid")
        );
        assert_eq!(
            s.replies[2].attempt,
            Some(Attempt {
                audience: "https://test.salesforce.com".into(),
                login: "https://login.salesforce.com/".into(),
                inferred: false,
            })
        );
        let e = explain_text(CLI);
        assert!(e.all_recognised());
        let note = e.items[2].attempt_note.as_ref().map(|n| n.rules.clone());
        assert_eq!(note, Some(vec![Code::PF323]));
        assert!(e.notes.iter().any(|n| n.contains("start with them")));
    }

    #[test]
    fn cli_json_output() {
        let v = json!({"status": 1, "name": "JwtGrantError", "message": CLI, "exitCode": 1});
        let s = parse_subject(&v.to_string());
        assert_eq!(s.kind, SubjectKind::CliOutput);
        assert_eq!(s.replies.len(), 3);
    }

    #[test]
    fn attempt_comments() {
        let n = comment_attempt(&Attempt {
            audience: "https://login.salesforce.com".into(),
            login: "https://acme.my.salesforce.com".into(),
            inferred: false,
        });
        assert_eq!(n.rules, vec![Code::PF324]);
        let n = comment_attempt(&Attempt {
            audience: "https://acme.my.salesforce.com".into(),
            login: "https://acme.my.salesforce.com/".into(),
            inferred: false,
        });
        assert!(n.rules.is_empty(), "{n:?}");
        let n = comment_attempt(&Attempt {
            audience: "https://acme.my.salesforce.com".into(),
            login: "https://other.my.salesforce.com".into(),
            inferred: false,
        });
        assert_eq!(n.rules, vec![Code::PF323]);
    }

    #[test]
    fn near_miss_is_unknown_with_suggestion() {
        match match_reply(&one("audience invalid")) {
            Recognition::Unknown { suggestions, .. } => {
                assert_eq!(suggestions[0].reply.description, "audience is invalid");
            }
            other => panic!("{other:?}"),
        }
        let e = explain_text("audience invalid");
        let msg = unrecognised_message(&e).unwrap_or_default();
        assert!(msg.contains("invalid_grant: audience is invalid"), "{msg}");
    }

    #[test]
    fn unrelated_text_has_no_suggestion() {
        match match_reply(&one("the printer is on fire")) {
            Recognition::Unknown { suggestions, .. } => assert!(suggestions.is_empty()),
            other => panic!("{other:?}"),
        }
        let msg = unrecognised_message(&explain_text("the printer is on fire")).unwrap_or_default();
        assert!(
            msg.contains("is not a Salesforce reply jwt-preflight knows"),
            "{msg}"
        );
    }

    #[test]
    fn known_error_unknown_description_lists_that_errors_replies() {
        let e = explain_text("invalid_grant: the moon is made of cheese");
        assert!(!e.all_recognised());
        let msg = unrecognised_message(&e).unwrap_or_default();
        assert!(msg.contains("audience is invalid"), "{msg}");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a+b%20c%2"), "a b c%2");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}
