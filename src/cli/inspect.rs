//! `inspect`.

use super::args::InspectArgs;
use super::{Error, Outcome, inputs};
use crate::report::{AssertionSource, Document};

/// Decodes the assertion without trusting it.
pub fn run(a: &InspectArgs) -> Result<Outcome, Error> {
    let now = inputs::now(a.now.as_deref())?;
    let (text, stdin) = inputs::read_assertion(&a.input)?;
    let (source, name) = if stdin {
        (AssertionSource::Stdin, "stdin".to_string())
    } else {
        (
            AssertionSource::File,
            crate::text::escape_controls(&a.input),
        )
    };
    Ok(Document::Inspect(crate::inspect::inspect(&text, source, &name, now)).into())
}
