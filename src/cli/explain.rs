//! `explain`: a rule code or name, or a Salesforce reply (text, JSON, a file, stdin, the
//! whole output of a failed `sf org login jwt`).

use super::args::ExplainArgs;
use super::{Error, Outcome, inputs};
use crate::catalog;
use crate::defaults::MAX_EXPLAIN_BYTES;
use crate::explain as ex;
use crate::report::{Document, ReplyExplanation};
use crate::text::{self, SecretKind};
use std::path::Path;

/// Explains the subject.
pub fn run(a: &ExplainArgs) -> Result<Outcome, Error> {
    // `-` is stdin; an existing file (or something that can only be a path) is read;
    // anything else is the subject itself.
    let arg = a.subject.as_str();
    let path = Path::new(arg);
    let looks_like_path = !arg.contains(char::is_whitespace)
        && [".json", ".txt", ".log", ".out", ".err"]
            .iter()
            .any(|ext| arg.to_ascii_lowercase().ends_with(ext));
    let (text, source) = if arg == "-" {
        let buf = inputs::read_stdin(MAX_EXPLAIN_BYTES, "a Salesforce reply or log")?;
        (String::from_utf8_lossy(&buf).into_owned(), "stdin")
    } else if path.exists() || looks_like_path {
        let bytes = inputs::read_file(path, MAX_EXPLAIN_BYTES)?;
        (String::from_utf8_lossy(&bytes).into_owned(), "file")
    } else {
        (arg.to_string(), "argument")
    };
    let name = match source {
        "argument" => "the argument".to_string(),
        "stdin" => "stdin".to_string(),
        _ => text::escape_controls(arg),
    };
    // A pasted request or log may hold a live assertion: never echo its signature.
    let text = text::redact_signatures(&text);
    if matches!(
        text::secret_kind(&text),
        Some(SecretKind::Pem | SecretKind::Base64)
    ) {
        return Err(Error::new(format!(
            "explain: {name} holds PEM key or certificate material, not a Salesforce reply (not shown)"
        ))
        .with_hint("to check a key or certificate run `jwt-preflight check --key FILE --cert FILE`"));
    }
    let subject = text.trim();
    if subject.is_empty() {
        return Err(Error::new(format!("explain: {name} is empty")).with_hint(
            "give a rule code or name, a Salesforce reply, or the output of `sf org login jwt`",
        ));
    }
    if let Some(rule) = catalog::lookup(subject) {
        return Ok(Document::Rule(rule).into());
    }
    let code_like = subject.len() <= 8
        && subject
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("PF"))
        && subject[2..].chars().all(|c| c.is_ascii_digit());
    if code_like {
        return Err(Error::new(format!(
            "explain: '{}' is not a rule code (see `jwt-preflight rules`)",
            text::escape_controls(subject)
        )));
    }
    let explanation = ex::explain_text(subject);
    let problem = ex::unrecognised_message(&explanation).map(Error::new);
    // Nothing recognised: the message says it all.
    if !explanation.items.iter().any(ex::Explained::recognised)
        && let Some(p) = problem
    {
        return Err(p);
    }
    Ok(Outcome {
        document: Document::Replies(ReplyExplanation {
            source,
            explanation,
        }),
        problem,
    })
}
