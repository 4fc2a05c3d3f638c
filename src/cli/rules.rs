//! `rules`.

use super::Outcome;
use super::args::RulesArgs;
use crate::catalog::RULES;
use crate::report::Document;

/// Lists every rule (the format, Markdown included, is the output layer's).
pub fn run(_: &RulesArgs) -> Outcome {
    Document::Rules(RULES).into()
}
