//! The thin shell: reads files and the clock, asks for passphrases, writes to the terminal and
//! maps results to exit statuses (0 pass, 1 preflight failed, 2 could not run).

pub mod args;
mod ci;
mod clock;
mod commands;
mod inputs;

use anstream::ColorChoice;
use args::{Cli, ColorWhen};
use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
use std::fmt;
use std::io::Write;

/// A problem that stops the run: exit status 2, one line on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<crate::material::InputError> for CliError {
    fn from(e: crate::material::InputError) -> Self {
        CliError(e.message)
    }
}

impl From<crate::check::BuildError> for CliError {
    fn from(e: crate::check::BuildError) -> Self {
        CliError(e.0)
    }
}

/// Parses the command line, runs the command and returns the exit status.
pub fn main() -> u8 {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // --help and --version exit 0; usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return 2;
        }
    };
    // Which flags were typed (not taken from the environment or defaults): with --config,
    // those override the file.
    let explicit = ci::Explicit(
        matches
            .subcommand()
            .map(|(_, sub)| {
                sub.ids()
                    .filter(|id| sub.value_source(id.as_str()) == Some(ValueSource::CommandLine))
                    .map(|id| id.as_str().to_string())
                    .collect()
            })
            .unwrap_or_default(),
    );
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => ColorChoice::Always.write_global(),
        ColorWhen::Never => ColorChoice::Never.write_global(),
    }
    let (name, format) = cli.command.name_and_format();
    match commands::run(cli.command, &explicit) {
        Ok(status) => status,
        Err(e) => {
            let mut err = anstream::stderr();
            let _ = writeln!(err, "jwt-preflight: {e}");
            // A CI job reading JSON or annotations still gets one record of why nothing ran.
            let record = match format {
                Some(args::Format::Json) => {
                    Some(crate::report::json::to_pretty(&serde_json::json!({
                        "schema": crate::report::SCHEMA,
                        "tool": crate::report::json::tool(),
                        "command": name,
                        "verdict": "fail",
                        "error": e.0,
                    })))
                }
                Some(args::Format::Github) => Some(format!(
                    "::error title=jwt-preflight {name} could not run::{}\n",
                    crate::report::github::escape_data(&e.0)
                )),
                _ => None,
            };
            if let Some(record) = record {
                let _ = print_stdout_plain(&record);
            }
            2
        }
    }
}

/// Writes to stdout through anstream, which strips colour for pipes, `NO_COLOR` and
/// `--color never`; a closed pipe (`| head`) is not an error worth reporting.
pub(crate) fn print_stdout(text: &str) -> Result<(), CliError> {
    let mut out = anstream::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

/// Writes machine-readable output (JSON, annotations), which never carries colour, straight
/// to stdout: scanning it for escape sequences costs more than rendering it.
pub(crate) fn print_stdout_plain(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

/// Writes a command's output: styled for people, plain for machines.
pub(crate) fn emit(text: &str, format: args::Format) -> Result<(), CliError> {
    match format {
        args::Format::Human => print_stdout(text),
        args::Format::Json | args::Format::Github => print_stdout_plain(text),
    }
}

fn finish_write(result: std::io::Result<()>) -> Result<(), CliError> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes a line to stderr (warnings, notes, reminders).
pub(crate) fn print_stderr(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{text}");
}
