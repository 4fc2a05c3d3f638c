//! The output layer: every command's result is a [`Document`], and every document is rendered
//! here, in every format, by one renderer per format (`human`, `json`, `github`, `markdown`).
//! The JSON envelope (`schema`, `tool`, `command`, `verdict`) is built in one place,
//! `json::envelope`. Nothing outside this module formats output; the command layer only chooses
//! the stream (`cli::output`).
//!
//! Adding a format is one new file with a `render(&Document) -> String` and one arm in
//! [`render`].

mod document;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;

pub use document::{
    AssertionSource, AssertionSummary, CertSummary, ConnectionEvent, ConnectionKind, Failure,
    Generated, KeySummary, Listening, OrgsReport, PairsReport, ReplyExplanation, Report,
    ServeEvent, ServeTotals, ServedOrgSummary, Signed, TokenRequest,
};

use crate::catalog::Rule;
use crate::inspect::Inspection;
use serde::Serialize;

/// The JSON schema version of every report.
pub const SCHEMA: u32 = 1;

/// Whether a document passes: it agrees with the exit status (0 for pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No error findings (nor warnings, under `--strict`).
    Pass,
    /// At least one, or the run could not start.
    Fail,
}

impl Verdict {
    /// Fail when `failed`.
    pub fn from_failed(failed: bool) -> Self {
        if failed { Verdict::Fail } else { Verdict::Pass }
    }

    /// `pass` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }
}

/// The commands, as the `command` field of every JSON document names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommandName {
    /// `check`.
    Check,
    /// `inspect`.
    Inspect,
    /// `sign`.
    Sign,
    /// `pairs`.
    Pairs,
    /// `explain`.
    Explain,
    /// `rules`.
    Rules,
    /// `keygen`.
    Keygen,
    /// `completions`.
    Completions,
    /// `serve`.
    Serve,
    /// `man`.
    Man,
    /// No command could be read from the command line.
    None,
}

impl CommandName {
    /// The name as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandName::Check => "check",
            CommandName::Inspect => "inspect",
            CommandName::Sign => "sign",
            CommandName::Pairs => "pairs",
            CommandName::Explain => "explain",
            CommandName::Rules => "rules",
            CommandName::Keygen => "keygen",
            CommandName::Completions => "completions",
            CommandName::Serve => "serve",
            CommandName::Man => "man",
            CommandName::None => "jwt-preflight",
        }
    }

    /// The command a typed name names.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            CommandName::Check,
            CommandName::Inspect,
            CommandName::Sign,
            CommandName::Pairs,
            CommandName::Explain,
            CommandName::Rules,
            CommandName::Keygen,
            CommandName::Completions,
            CommandName::Serve,
            CommandName::Man,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people, styled where the terminal allows.
    Human,
    /// The JSON report, schema 1.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// A Markdown table (`rules --markdown`).
    Markdown,
}

/// What a command produced.
// One document per run: boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Document {
    /// `check`.
    Check(Report),
    /// `check --config`.
    Orgs(OrgsReport),
    /// `inspect`.
    Inspect(Inspection),
    /// `pairs`.
    Pairs(PairsReport),
    /// `explain CODE`.
    Rule(&'static Rule),
    /// `explain TEXT`.
    Replies(ReplyExplanation),
    /// `rules`.
    Rules(&'static [Rule]),
    /// `sign`.
    Signed(Signed),
    /// `keygen`.
    Generated(Generated),
    /// `completions`: a script, printed as it is.
    Script(String),
    /// `serve`: one event of a run.
    Serve(ServeEvent),
    /// Why a command could not run.
    Failure(Failure),
}

impl Document {
    /// The command that made it.
    pub fn command(&self) -> CommandName {
        match self {
            Document::Check(r) => r.command,
            Document::Orgs(_) => CommandName::Check,
            Document::Inspect(_) => CommandName::Inspect,
            Document::Pairs(_) => CommandName::Pairs,
            Document::Rule(_) | Document::Replies(_) => CommandName::Explain,
            Document::Rules(_) => CommandName::Rules,
            Document::Signed(_) => CommandName::Sign,
            Document::Generated(_) => CommandName::Keygen,
            Document::Script(_) => CommandName::Completions,
            Document::Serve(_) => CommandName::Serve,
            Document::Failure(f) => f.command,
        }
    }

    /// Pass or fail.
    pub fn verdict(&self) -> Verdict {
        match self {
            Document::Check(r) => r.verdict(),
            Document::Orgs(o) => Verdict::from_failed(o.failed()),
            Document::Inspect(i) => i.report.verdict(),
            Document::Pairs(p) => p.verdict(),
            Document::Serve(e) => e.verdict(),
            Document::Failure(_) => Verdict::Fail,
            _ => Verdict::Pass,
        }
    }

    /// The process exit status it maps to: 0 pass, 1 the preflight failed, 2 could not run.
    pub fn exit_status(&self) -> u8 {
        match self {
            Document::Orgs(o) => o.exit_status(),
            Document::Pairs(p) => p.exit_status(),
            Document::Failure(_) => 2,
            Document::Serve(ServeEvent::Stopped(t)) => t.exit_status,
            other => u8::from(other.verdict() == Verdict::Fail),
        }
    }
}

/// Renders a document in a format.
pub fn render(doc: &Document, format: Format) -> String {
    match format {
        Format::Human => human::render(doc),
        Format::Json => json::render(doc),
        Format::Github => github::render(doc),
        Format::Markdown => markdown::render(doc),
    }
}

/// The lines that go to stderr beside a document in `format`: why nothing ran (in every
/// format), why an org could not run, and, for people, what was repaired while reading a key
/// or certificate, links not followed, and that a signed assertion is a live credential.
pub fn stderr_lines(doc: &Document, format: Format) -> Vec<String> {
    let human = matches!(format, Format::Human);
    match doc {
        Document::Failure(f) => vec![format!("jwt-preflight: {}", f.error.line())],
        Document::Orgs(o) => o
            .errors()
            .map(|(_, e)| format!("jwt-preflight: {}", e.line()))
            .collect(),
        Document::Check(r) if human => r
            .key
            .iter()
            .map(|k| (&k.path, &k.notes))
            .chain(r.certificate.iter().map(|c| (&c.path, &c.notes)))
            .flat_map(|(name, notes)| {
                notes
                    .iter()
                    .map(move |n| format!("jwt-preflight: warning: {name}: {n}"))
            })
            .collect(),
        Document::Pairs(p) if human && p.skipped_links > 0 => vec![format!(
            "jwt-preflight: note: {} link{} to folders not followed (give --follow to follow them)",
            p.skipped_links,
            if p.skipped_links == 1 { "" } else { "s" }
        )],
        Document::Serve(e) if human => human::serve::lines(e),
        Document::Signed(s) => vec![format!(
            "jwt-preflight: this assertion is a live credential until {}: do not paste it into tickets or chats",
            s.expires_at
        )],
        _ => Vec::new(),
    }
}

/// "1 error, 2 warnings, 1 info".
pub fn count_phrase(errors: usize, warnings: usize, infos: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {} info",
        plural(errors, "error"),
        plural(warnings, "warning"),
        infos
    )
}
