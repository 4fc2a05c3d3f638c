//! The one error type, from the core to the shell: why a run could not go on (exit status 2).
//!
//! In rage's manner every error says two things: what is wrong, naming the input ("server.key:
//! is encrypted, and …"), and, where one is known, what to do about it. They are kept apart
//! so that JSON records carry them as separate fields; people see them as one line.

use std::fmt;

/// A problem that stops the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    hint: Option<String>,
}

impl Error {
    /// An error whose message is already complete.
    ///
    /// Every part of an error is shown with its control characters escaped: an error is one
    /// line, and a part of it may come from the input (a PEM tag quoted by the parser, a
    /// value from a config file) that could otherwise forge lines or drive the terminal.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: one_line(message.into()),
            hint: None,
        }
    }

    /// `"{input}: {problem}"`: the usual shape, naming the input first.
    pub fn about(input: &str, problem: impl fmt::Display) -> Self {
        Error::new(format!("{input}: {problem}"))
    }

    /// The same error with what to do about it.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(one_line(hint.into()));
        self
    }

    /// The same error with more said about its cause, e.g. where a value came from.
    #[must_use]
    pub fn with_context(mut self, context: impl fmt::Display) -> Self {
        self.message = one_line(format!("{} ({context})", self.message));
        self
    }

    /// The same error about a part of something larger: `"{whole}: {message}"`, e.g. the org
    /// of a config file.
    #[must_use]
    pub fn within(mut self, whole: impl fmt::Display) -> Self {
        self.message = one_line(format!("{whole}: {}", self.message));
        self
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do about it, when known.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Both, as the one line people read.
    pub fn line(&self) -> String {
        self.to_string()
    }

    /// The same error with every secret cut out of both parts (see [`crate::text`]).
    #[must_use]
    pub fn redacted(&self, known_secrets: &[&str]) -> Self {
        // The parts were escaped when they were built (`one_line`): a secret with a line break
        // shows there as its escaped form, so both forms are cut.
        let escaped: Vec<String> = known_secrets
            .iter()
            .map(|k| crate::text::escape_controls(k))
            .collect();
        let mut known: Vec<&str> = known_secrets.to_vec();
        known.extend(escaped.iter().map(String::as_str));
        Error {
            message: crate::text::redact_secrets(&self.message, &known),
            hint: self
                .hint
                .as_deref()
                .map(|h| crate::text::redact_secrets(h, &known)),
        }
    }
}

/// The text with its control characters (and bidirectional overrides) escaped.
fn one_line(text: String) -> String {
    crate::text::escape_controls(&text)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.hint {
            Some(hint) => write!(f, "{}; {hint}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// The result of anything that can stop a run.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_the_hint_last() {
        let e = Error::about("server.key", "is encrypted").with_hint("give --passphrase-env VAR");
        assert_eq!(e.message(), "server.key: is encrypted");
        assert_eq!(e.hint(), Some("give --passphrase-env VAR"));
        assert_eq!(
            e.to_string(),
            "server.key: is encrypted; give --passphrase-env VAR"
        );
        let e = Error::new("x").with_context("from SF_JWT_KEY_FILE");
        assert_eq!(e.line(), "x (from SF_JWT_KEY_FILE)");
    }

    #[test]
    fn a_secret_with_line_breaks_is_cut_in_its_escaped_form() {
        let secret = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END PRIVATE KEY-----";
        let e = Error::about("x", format!("unexpected argument '{secret}'")).redacted(&[secret]);
        assert!(!e.line().contains("MIIEvQIBADANBgkq"), "{}", e.line());
    }

    #[test]
    fn input_quoted_in_any_part_cannot_break_the_line() {
        let e = Error::about("a.crt", "tag (\"\nERTIFICATE\")")
            .with_context("line\r2")
            .within("org \u{1b}]0;x\u{7}")
            .with_hint("fix\nit");
        assert!(
            !e.line().contains(['\n', '\r', '\u{1b}', '\u{7}']),
            "{}",
            e.line()
        );
        assert_eq!(
            e.line(),
            "org \\u{001b}]0;x\\u{0007}: a.crt: tag (\"\\nERTIFICATE\") (line\\r2); fix\\nit"
        );
    }
}
