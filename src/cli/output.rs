//! Where output goes: a document's text to stdout (styled for people, plain for machines),
//! its notes and any failure to stderr. The text itself is `report`'s.

use super::Error;
use crate::report::{self, Document, Format};
use std::io::Write;

/// Prints a document in `format`, and the lines that go to stderr beside it.
pub fn emit(doc: &Document, format: Format) -> Result<(), Error> {
    let text = report::render(doc, format);
    if !text.is_empty() {
        match format {
            Format::Human | Format::Markdown => print_stdout(&text)?,
            // Machine-readable output never carries colour: written straight to stdout, as
            // scanning it for escape sequences costs more than rendering it.
            Format::Json | Format::Github => print_stdout_plain(&text)?,
        }
    }
    for line in report::stderr_lines(doc, format) {
        print_stderr(&line);
    }
    Ok(())
}

/// Writes to stdout through anstream, which strips colour for pipes, `NO_COLOR` and
/// `--color never`; a closed pipe (`| head`) is not an error worth reporting.
fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = anstream::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

fn print_stdout_plain(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    finish_write(out.write_all(text.as_bytes()).and_then(|_| out.flush()))
}

fn finish_write(result: std::io::Result<()>) -> Result<(), Error> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes a line to stderr (progress, warnings, notes).
pub fn print_stderr(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Whether someone is there to answer a prompt: stdin and stderr are both a terminal.
pub fn is_interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Sets colour for every stream from `--color` (auto follows the terminal and `NO_COLOR`).
pub fn set_color(when: super::args::ColorWhen) {
    use super::args::ColorWhen;
    match when {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
}

/// Prints `--help` or `--version`, as clap renders them.
pub fn print_help(e: &clap::Error) {
    let _ = e.print();
}

/// Writes the argument parser's refusal to stderr, its `error:` label in red as clap would.
pub fn print_usage_error(lines: &[String]) {
    const ERROR: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
    let mut err = anstream::stderr().lock();
    for line in lines {
        let _ = match line.strip_prefix("error:") {
            Some(rest) => writeln!(err, "{ERROR}error:{ERROR:#}{rest}"),
            None => writeln!(err, "{line}"),
        };
    }
}

/// Prints only a document's stdout text (the stderr line was written already).
pub fn emit_record(doc: &Document, format: Format) -> Result<(), Error> {
    print_stdout_plain(&report::render(doc, format))
}
