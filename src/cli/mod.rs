//! The thin shell: parses the command line, reads files and the clock, asks for passphrases,
//! and maps documents to exit statuses (0 pass, 1 preflight failed, 2 could not run). One file
//! per command; each returns a [`Document`] for the output layer (`report`, printed by
//! [`output`]).

pub mod args;
mod check;
mod clock;
mod completions;
mod explain;
mod inputs;
mod inspect;
mod keygen;
mod man;
mod output;
mod pairs;
mod rules;
#[cfg(feature = "serve")]
mod serve;
mod sf_orgs;
mod sign;

pub use crate::error::Error;

use crate::report::{CommandName, Document, Failure, Format};
use crate::text;
use args::{Cli, Command};
use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
use std::ffi::OsString;

/// What a command produced: its document, and a problem found while making it that still
/// makes the run exit 2 after the document is shown (`explain` of text it does not know).
pub struct Outcome {
    /// The document.
    pub document: Document,
    /// Why the run could not fully succeed.
    pub problem: Option<Error>,
}

impl From<Document> for Outcome {
    fn from(document: Document) -> Self {
        Outcome {
            document,
            problem: None,
        }
    }
}

/// Where the flags' values came from: the ones typed on the command line (which override a
/// config file) and the ones read from an environment variable (named in messages).
#[derive(Debug, Default, Clone)]
pub struct Provenance {
    typed: Vec<String>,
    from_env: Vec<(String, String)>,
}

impl Provenance {
    /// Whether the flag `id` (clap's id: the field name) was typed on the command line.
    pub fn typed(&self, id: &str) -> bool {
        self.typed.iter().any(|x| x == id)
    }

    /// The same error, saying which environment variable gave flag `id` its value, when one
    /// did: the user may not know it is set.
    pub fn note_env(&self, id: &str, e: Error) -> Error {
        match self.from_env.iter().find(|(i, _)| i == id) {
            Some((_, var)) => e.with_context(format_args!(
                "the path comes from the environment variable {var}"
            )),
            None => e,
        }
    }
}

/// Parses the command line, runs the command and returns the exit status.
pub fn main() -> u8 {
    let argv: Vec<OsString> = std::env::args_os().collect();
    // Arguments that look like key material or an assertion: no message may quote them,
    // including the argument parser's own ("unexpected argument '-----BEGIN…' found").
    let secrets: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| text::secret_kind(a).is_some())
        .collect();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    // The command tree is built once (it is most of clap's start-up cost) and kept for the
    // provenance and secret checks below.
    let mut definition = Cli::command();
    let matches = match definition.try_get_matches_from_mut(&argv) {
        Ok(m) => m,
        Err(e) => return usage_error(&e, &argv, &secrets),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &argv, &secrets),
    };
    output::set_color(cli.color);
    let (command, format) = cli.command.name_and_format();
    let provenance = provenance(&definition, &matches);
    let result =
        refuse_secret_values(&definition, &matches).and_then(|()| run(cli.command, &provenance));
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => return fail(command, format, e.redacted(&secrets)),
    };
    match outcome.problem {
        // A machine reading JSON or annotations gets one record of why the run failed, not
        // a partial document.
        Some(problem) if matches!(format, Format::Json | Format::Github) => {
            fail(command, format, problem.redacted(&secrets))
        }
        problem => {
            if let Err(e) = output::emit(&outcome.document, format) {
                output::print_stderr(&format!("jwt-preflight: {}", e.line()));
                return 2;
            }
            match problem {
                Some(p) => {
                    output::print_stderr(&format!("jwt-preflight: {}", p.redacted(&secrets)));
                    2
                }
                None => outcome.document.exit_status(),
            }
        }
    }
}

/// Runs one command.
fn run(command: Command, provenance: &Provenance) -> Result<Outcome, Error> {
    match command {
        Command::Check(a) => check::run(&a, provenance),
        Command::Inspect(a) => inspect::run(&a),
        Command::Sign(a) => sign::run(&a),
        Command::Pairs(a) => pairs::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Rules(a) => Ok(rules::run(&a)),
        Command::Keygen(a) => keygen::run(&a),
        Command::Completions(a) => Ok(completions::run(&a)),
        Command::Man(a) => man::run(&a),
        #[cfg(feature = "serve")]
        Command::Serve(a) => serve::run(&a, provenance),
        // The command is listed either way, so that scripts get a clear answer.
        #[cfg(not(feature = "serve"))]
        Command::Serve(_) => Err(Error::new(
            "this build has no `serve` (it was built without the `serve` feature)",
        )
        .with_hint("build with the default features: cargo install jwt-preflight")),
    }
}

/// Reports that the run could not start or go on: exit status 2.
fn fail(command: CommandName, format: Format, error: Error) -> u8 {
    let doc = Document::Failure(Failure { command, error });
    if output::emit(&doc, format).is_err() {
        // stdout is gone; stderr already has the line.
    }
    2
}

/// Which flags were typed and which came from the environment.
fn provenance(definition: &clap::Command, matches: &clap::ArgMatches) -> Provenance {
    let mut p = Provenance::default();
    let Some((command, sub)) = matches.subcommand() else {
        return p;
    };
    let args = definition.find_subcommand(command);
    for id in sub.ids() {
        match sub.value_source(id.as_str()) {
            Some(ValueSource::CommandLine) => p.typed.push(id.to_string()),
            Some(ValueSource::EnvVariable) => {
                let var = args
                    .and_then(|c| c.get_arguments().find(|a| a.get_id() == id))
                    .and_then(|a| a.get_env())
                    .map(|v| v.to_string_lossy().into_owned())
                    .unwrap_or_default();
                p.from_env.push((id.to_string(), var));
            }
            _ => {}
        }
    }
    p
}

/// The argument parser's refusal (or `--help`/`--version`, which exit 0). Its message quotes
/// arguments, so secrets are cut out and control characters escaped before it is shown.
fn usage_error(e: &clap::Error, argv: &[OsString], secrets: &[&str]) -> u8 {
    if !e.use_stderr() {
        output::print_help(e);
        return 0;
    }
    let plain = text::redact_secrets(&e.render().to_string(), secrets);
    let shown: Vec<String> = plain
        .trim_end()
        .lines()
        .map(text::escape_controls)
        .collect();
    output::print_usage_error(&shown);
    // A CI job asked for JSON or annotations: give it one record, as for any run that could
    // not start. The format and command are read from the raw arguments, which did not parse.
    let (command, format) = command_and_format(argv);
    if let Some(format) = format {
        let mut message = shown
            .first()
            .map(|l| l.trim_start_matches("error:").trim().to_string())
            .unwrap_or_default();
        if let Some(tip) = shown.iter().find(|l| l.trim_start().starts_with("tip:")) {
            message.push_str(&format!(" ({})", tip.trim()));
        }
        let doc = Document::Failure(Failure {
            command,
            error: Error::new(message),
        });
        // The line is on stderr already: only the record goes out.
        let _ = output::emit_record(&doc, format);
    }
    2
}

/// The subcommand and `--format json|github` as typed, for a command line that did not parse.
fn command_and_format(argv: &[OsString]) -> (CommandName, Option<Format>) {
    let args: Vec<String> = argv
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let command = args
        .iter()
        .find_map(|a| CommandName::from_name(a))
        .unwrap_or(CommandName::None);
    let mut format = None;
    for (i, a) in args.iter().enumerate() {
        let value = match a.strip_prefix("--format=") {
            Some(v) => Some(v),
            None if a == "--format" => args.get(i + 1).map(String::as_str),
            None => None,
        };
        format = match value {
            Some("json") => Some(Format::Json),
            Some("github") => Some(Format::Github),
            Some(_) => None,
            None => format,
        };
    }
    (command, format)
}

/// Refuses any argument value (typed, or from an environment variable) that holds key
/// material or an assertion, naming the flag but never the value. A key's content where its
/// path belongs, or in `--client-id`, would otherwise be echoed by an error or a report.
fn refuse_secret_values(cmd: &clap::Command, matches: &clap::ArgMatches) -> Result<(), Error> {
    let Some((command, sub)) = matches.subcommand() else {
        return Ok(());
    };
    // explain reads replies, logs and requests, which may quote an assertion (it hides the
    // signature), and refuses key material itself, after reading a file too.
    if command == "explain" {
        return Ok(());
    }
    let Some(definition) = cmd.find_subcommand(command) else {
        return Ok(());
    };
    for id in sub.ids() {
        let Ok(Some(values)) = sub.try_get_raw(id.as_str()) else {
            continue;
        };
        for value in values {
            let Some(kind) = text::secret_kind(&value.to_string_lossy()) else {
                continue;
            };
            let arg = definition.get_arguments().find(|a| a.get_id() == id);
            let value_name = arg
                .and_then(|a| a.get_value_names())
                .and_then(|v| v.first())
                .map(|v| v.to_string());
            let flag = match (arg.and_then(|a| a.get_long()), &value_name) {
                (Some(long), _) => format!("--{long}"),
                (None, Some(v)) => format!("the {command} argument <{v}>"),
                (None, None) => id.to_string(),
            };
            let via = match (sub.value_source(id.as_str()), arg.and_then(|a| a.get_env())) {
                (Some(ValueSource::EnvVariable), Some(var)) => {
                    format!(" (from the environment variable {})", var.to_string_lossy())
                }
                _ => String::new(),
            };
            let takes_path = value_name
                .as_deref()
                .is_some_and(|n| n.contains("PATH") || n.contains("FILE") || n.contains("DIR"));
            let hint = match (kind, takes_path) {
                (text::SecretKind::Assertion, true) => {
                    "save the assertion to a file and give its path, or give - and pipe it on stdin"
                        .to_string()
                }
                (_, true) => {
                    "write it to a file (mode 0600 for a key) and give that file's path".to_string()
                }
                _ => format!(
                    "the flag takes <{}>, never key material or a token",
                    value_name.as_deref().unwrap_or("a plain value")
                ),
            };
            return Err(Error::new(format!(
                "{flag}{via}: holds {} (not shown){}",
                kind.describe(),
                if takes_path { ", not a path" } else { "" }
            ))
            .with_hint(hint));
        }
    }
    Ok(())
}
