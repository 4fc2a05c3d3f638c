//! The thin shell: reads files and the clock, asks for passphrases, writes to the terminal and
//! maps results to exit statuses (0 pass, 1 preflight failed, 2 could not run).

pub mod args;
mod ci;
mod clock;
mod commands;
mod inputs;

pub use crate::error::Error;
use crate::text;
use anstream::ColorChoice;
use args::{Cli, ColorWhen, Format};
use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
use std::ffi::OsString;
use std::io::Write;

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
    let matches = match Cli::command().try_get_matches_from(&argv) {
        Ok(m) => m,
        Err(e) => return usage_error(&e, &argv, &secrets),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &argv, &secrets),
    };
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => ColorChoice::Always.write_global(),
        ColorWhen::Never => ColorChoice::Never.write_global(),
    }
    let (name, format) = cli.command.name_and_format();
    // Which flags were typed (not taken from the environment or defaults): with --config,
    // those override the file.
    let mut explicit = ci::Explicit::default();
    if let Some((command, sub)) = matches.subcommand() {
        let definition = Cli::command();
        let args = definition.find_subcommand(command);
        for id in sub.ids() {
            match sub.value_source(id.as_str()) {
                Some(ValueSource::CommandLine) => explicit.typed.push(id.to_string()),
                Some(ValueSource::EnvVariable) => {
                    let var = args
                        .and_then(|c| c.get_arguments().find(|a| a.get_id() == id))
                        .and_then(|a| a.get_env())
                        .map(|v| v.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    explicit.from_env.push((id.to_string(), var));
                }
                _ => {}
            }
        }
    }
    let result =
        refuse_secret_values(&matches).and_then(|()| commands::run(cli.command, &explicit));
    match result {
        Ok(status) => status,
        Err(e) => {
            report_failure(name, format, &text::redact_secrets(&e.line(), &secrets));
            2
        }
    }
}

/// Says why nothing ran: one line on stderr, and, for a CI job reading JSON or annotations,
/// one record of it on stdout.
fn report_failure(command: &str, format: Option<Format>, message: &str) {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "jwt-preflight: {message}");
    let record = match format {
        Some(Format::Json) => Some(crate::report::json::to_pretty(&serde_json::json!({
            "schema": crate::report::SCHEMA,
            "tool": crate::report::json::tool(),
            "command": command,
            "verdict": "fail",
            "error": message,
        }))),
        Some(Format::Github) => Some(format!(
            "::error title=jwt-preflight {command} could not run::{}\n",
            crate::report::github::escape_data(message)
        )),
        _ => None,
    };
    if let Some(record) = record {
        let _ = print_stdout_plain(&record);
    }
}

/// The argument parser's refusal (or `--help`/`--version`, which exit 0). Its message quotes
/// arguments, so secrets are cut out and control characters escaped before it is shown.
fn usage_error(e: &clap::Error, argv: &[OsString], secrets: &[&str]) -> u8 {
    if !e.use_stderr() {
        let _ = e.print();
        return 0;
    }
    let plain = text::redact_secrets(&e.render().to_string(), secrets);
    let shown: Vec<String> = plain
        .trim_end()
        .lines()
        .map(text::escape_controls)
        .collect();
    {
        let mut err = anstream::stderr().lock();
        for line in &shown {
            let _ = match line.strip_prefix("error:") {
                Some(rest) => writeln!(err, "{ERROR_STYLE}error:{ERROR_STYLE:#}{rest}"),
                None => writeln!(err, "{line}"),
            };
        }
    }
    // A CI job asked for JSON or annotations: give it one record, as for any run that could
    // not start. The format and command are read from the raw arguments, which did not parse.
    let (command, format) = command_and_format(argv);
    if format.is_some() {
        let first = shown
            .first()
            .map(|l| l.trim_start_matches("error:").trim().to_string())
            .unwrap_or_default();
        let mut record = first;
        if let Some(tip) = shown.iter().find(|l| l.trim_start().starts_with("tip:")) {
            record.push_str(&format!(" ({})", tip.trim()));
        }
        let record_only = |f| match f {
            Format::Json => crate::report::json::to_pretty(&serde_json::json!({
                "schema": crate::report::SCHEMA,
                "tool": crate::report::json::tool(),
                "command": command,
                "verdict": "fail",
                "error": record,
            })),
            _ => format!(
                "::error title=jwt-preflight {command} could not run::{}\n",
                crate::report::github::escape_data(&record)
            ),
        };
        if let Some(f) = format {
            let _ = print_stdout_plain(&record_only(f));
        }
    }
    2
}

const ERROR_STYLE: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();

/// The subcommand and `--format json|github` as typed, for a command line that did not parse.
fn command_and_format(argv: &[OsString]) -> (String, Option<Format>) {
    let args: Vec<String> = argv
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let command = args
        .iter()
        .find(|a| Cli::command().find_subcommand(a.as_str()).is_some())
        .cloned()
        .unwrap_or_else(|| "jwt-preflight".to_string());
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
fn refuse_secret_values(matches: &clap::ArgMatches) -> Result<(), Error> {
    let Some((command, sub)) = matches.subcommand() else {
        return Ok(());
    };
    // explain reads replies, logs and requests, which may quote an assertion (it hides the
    // signature), and refuses key material itself, after reading a file too.
    if command == "explain" {
        return Ok(());
    }
    let cmd = Cli::command();
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
            let flag = arg
                .map(|a| match a.get_long() {
                    Some(long) => format!("--{long}"),
                    None => a
                        .get_value_names()
                        .and_then(|v| v.first())
                        .map(|v| format!("the {command} argument <{v}>"))
                        .unwrap_or_else(|| id.to_string()),
                })
                .unwrap_or_else(|| id.to_string());
            let via = match (sub.value_source(id.as_str()), arg.and_then(|a| a.get_env())) {
                (Some(ValueSource::EnvVariable), Some(var)) => {
                    format!(" (from the environment variable {})", var.to_string_lossy())
                }
                _ => String::new(),
            };
            let takes_path = arg.is_some_and(|a| {
                a.get_value_names().is_some_and(|v| {
                    v.iter()
                        .any(|n| n.contains("PATH") || n.contains("FILE") || n.contains("DIR"))
                })
            });
            let takes = arg
                .and_then(|a| a.get_value_names())
                .and_then(|v| v.first())
                .map(|v| format!("<{v}>"))
                .unwrap_or_else(|| "a plain value".to_string());
            let hint = match (kind, takes_path) {
                (text::SecretKind::Assertion, true) => {
                    "save the assertion to a file and give its path, or give - and pipe it on stdin"
                        .to_string()
                }
                (_, true) => {
                    "write it to a file (mode 0600 for a key) and give that file's path".to_string()
                }
                _ => format!("the flag takes {takes}, never key material or a token"),
            };
            return Err(Error::new(format!(
                "{flag}{via}: holds {} (not shown){}; {hint}",
                kind.describe(),
                if takes_path { ", not a path" } else { "" }
            )));
        }
    }
    Ok(())
}

/// Writes to stdout through anstream, which strips colour for pipes, `NO_COLOR` and
/// `--color never`; a closed pipe (`| head`) is not an error worth reporting.
pub(crate) fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = anstream::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

/// Writes machine-readable output (JSON, annotations), which never carries colour, straight
/// to stdout: scanning it for escape sequences costs more than rendering it.
pub(crate) fn print_stdout_plain(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

/// Writes a command's output: styled for people, plain for machines.
pub(crate) fn emit(text: &str, format: args::Format) -> Result<(), Error> {
    match format {
        args::Format::Human => print_stdout(text),
        args::Format::Json | args::Format::Github => print_stdout_plain(text),
    }
}

fn finish_write(result: std::io::Result<()>) -> Result<(), Error> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes a line to stderr (warnings, notes, reminders).
pub(crate) fn print_stderr(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{text}");
}
