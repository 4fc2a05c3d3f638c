//! Reading keys and certificates: every format is sniffed from the content, never from the
//! file name. Every failure is an [`Error`] whose one line names the input and says what
//! it really is.

pub mod cert;
mod kdf_limits;
pub mod key;
mod oids;
mod pem_repair;

pub use cert::{CertInfo, CertKey, read_certificate};
pub use key::{KeyFormat, KeyInfo, KeyKind, RsaKey, Signer, read_private_key};

use zeroize::Zeroizing;

pub use crate::error::Error;

/// Supplies the passphrase of an encrypted key or PKCS#12 file, only when one is needed.
/// The argument is the input's name, for a prompt. The command layer decides where it comes
/// from (environment variable, file or terminal prompt); the core never asks for one itself.
pub type PassphraseSource<'a> = dyn FnMut(&str) -> Result<Zeroizing<String>, Error> + 'a;

/// A passphrase source for inputs that must not be encrypted: it refuses with a message that
/// says how to provide one.
pub fn no_passphrase(name: &str) -> Result<Zeroizing<String>, Error> {
    Err(Error::about(
        name,
        "is encrypted; give its passphrase with --passphrase-env VAR or --passphrase-file PATH (or run on a terminal to be prompted)",
    ))
}

/// Describes what some bytes are, for messages about inputs of the wrong kind.
pub(crate) fn describe_unknown(bytes: &[u8]) -> String {
    let text = std::str::from_utf8(bytes).ok();
    match text {
        Some(t) if t.trim().is_empty() => "contains only whitespace".to_string(),
        Some(t) if t.trim_start().starts_with('{') => {
            "holds JSON, not a key or certificate (a JWK is not supported; convert it to PEM)"
                .to_string()
        }
        Some(t) if t.trim().split('.').count() == 3 && !t.trim().contains(char::is_whitespace) => {
            "holds what looks like a JWT assertion, not a key or certificate; check it with --assertion".to_string()
        }
        Some(_) => format!(
            "is {} bytes of text with no PEM block (no -----BEGIN line)",
            bytes.len()
        ),
        None => format!(
            "is {} bytes of binary data that is neither PEM nor DER",
            bytes.len()
        ),
    }
}
