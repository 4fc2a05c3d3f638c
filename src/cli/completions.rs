//! `completions`: a shell completion script, from the same clap definition as `--help`.

use super::Outcome;
use super::args::{Cli, CompletionsArgs};
use crate::report::Document;
use clap::CommandFactory;

/// The script for one shell.
pub fn run(a: &CompletionsArgs) -> Outcome {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "jwt-preflight", &mut buf);
    Document::Script(String::from_utf8_lossy(&buf).into_owned()).into()
}
