//! Reading inputs: files with errors that name them, stdin, passphrases, the clock.

use super::CliError;
use super::args::PassphraseArgs;
use crate::material::{self, CertInfo, InputError, KeyInfo};
use chrono::{DateTime, Utc};
use std::io::{IsTerminal, Read};
use std::path::Path;
use zeroize::Zeroizing;

/// Largest key or certificate file read: far above any real one, small enough to refuse a
/// wrong path to a disk image quickly.
const MAX_MATERIAL_BYTES: u64 = 1 << 20;
/// Largest assertion read. A real one is under 2 KB; larger inputs are still parsed (and
/// reported), up to this bound.
const MAX_ASSERTION_BYTES: u64 = 16 << 20;

/// Reads a whole file, with a message naming it on failure. Key bytes are zeroized on drop.
pub fn read_file(path: &Path, limit: u64) -> Result<Zeroizing<Vec<u8>>, CliError> {
    if let Some(problem) = content_given_as_path(path) {
        return Err(CliError(problem));
    }
    let name = path.display();
    let meta = std::fs::metadata(path).map_err(|e| CliError(io_problem(&name.to_string(), &e)))?;
    if meta.is_dir() {
        return Err(CliError(format!("{name}: is a directory, not a file")));
    }
    if meta.len() > limit {
        return Err(CliError(format!(
            "{name}: is {} bytes, more than the {} bytes a key, certificate or assertion could be",
            meta.len(),
            limit
        )));
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0)));
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| CliError(io_problem(&name.to_string(), &e)))?;
    Ok(bytes)
}

/// A common CI mistake is putting a key's or a token's content where its file's path belongs
/// (`SF_JWT_KEY_FILE="$(cat server.key)"`). Say so without echoing the secret.
fn content_given_as_path(path: &Path) -> Option<String> {
    let text = path.to_string_lossy();
    if text.contains("-----BEGIN") || text.contains("PRIVATE KEY") {
        return Some(
            "a value given as a file path holds PEM key or certificate content, not a path: write it to a file (mode 0600 for a key) and give that file's path".to_string(),
        );
    }
    let segments: Vec<&str> = text.trim().split('.').collect();
    if text.trim().starts_with("eyJ") && segments.len() >= 3 && !text.contains('/') {
        return Some(
            "a value given as a file path is an assertion, not a path: save it to a file, or give - and pipe the token on stdin".to_string(),
        );
    }
    if text.contains('\n') || text.len() > 1024 {
        return Some(format!(
            "a value given as a file path is {} characters of text{}, not a path: give the path of the file instead",
            text.chars().count(),
            if text.contains('\n') {
                " over several lines"
            } else {
                ""
            }
        ));
    }
    None
}

fn io_problem(name: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("{name}: does not exist"),
        std::io::ErrorKind::PermissionDenied => format!("{name}: permission denied"),
        _ => format!("{name}: cannot be read: {e}"),
    }
}

/// Reads an assertion from a file or `-` (stdin). Returns the text and whether it was stdin.
pub fn read_assertion(arg: &str) -> Result<(String, bool), CliError> {
    let (bytes, stdin) = if arg == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_ASSERTION_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError(format!("stdin: cannot be read: {e}")))?;
        if buf.len() as u64 > MAX_ASSERTION_BYTES {
            return Err(CliError(format!(
                "stdin: is more than {MAX_ASSERTION_BYTES} bytes; that is not an assertion"
            )));
        }
        (buf, true)
    } else {
        (
            read_file(Path::new(arg), MAX_ASSERTION_BYTES)?.to_vec(),
            false,
        )
    };
    let name = if stdin { "stdin" } else { arg };
    // A token is ASCII; invalid UTF-8 becomes U+FFFD, which the parser reports as PF102.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    if text.trim().is_empty() && !text.is_empty() {
        return Err(CliError(format!(
            "{name}: contains only whitespace, no assertion"
        )));
    }
    Ok((text, stdin))
}

/// Builds the passphrase source for these flags: an environment variable, a file, or a prompt
/// on a terminal; never a flag's value.
pub fn passphrase_source(
    args: &PassphraseArgs,
) -> impl FnMut(&str) -> Result<Zeroizing<String>, InputError> + '_ {
    move |name: &str| {
        if let Some(var) = &args.passphrase_env {
            return match std::env::var(var) {
                Ok(v) => Ok(Zeroizing::new(v)),
                Err(_) => Err(InputError::new(
                    name,
                    format!(
                        "is encrypted, and the environment variable {var} (--passphrase-env) is not set"
                    ),
                )),
            };
        }
        if let Some(path) = &args.passphrase_file {
            let bytes = read_file(path, 64 * 1024).map_err(|e| InputError {
                message: format!("{} (--passphrase-file for {name})", e.0),
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let first = text.lines().next().unwrap_or("");
            return Ok(Zeroizing::new(first.trim_end_matches('\r').to_string()));
        }
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            return rpassword::prompt_password(format!("Passphrase for {name}: "))
                .map(Zeroizing::new)
                .map_err(|e| InputError::new(name, format!("cannot read the passphrase: {e}")));
        }
        material::no_passphrase(name)
    }
}

/// Reads and parses a private key file; returns it with the file's permission bits.
pub fn load_key(path: &Path, pass: &PassphraseArgs) -> Result<(KeyInfo, Option<u32>), CliError> {
    let bytes = read_file(path, MAX_MATERIAL_BYTES)?;
    let mut source = passphrase_source(pass);
    let key = material::read_private_key(&path.display().to_string(), &bytes, &mut source)?;
    Ok((key, file_mode(path)))
}

/// Reads and parses a certificate file.
pub fn load_cert(path: &Path) -> Result<CertInfo, CliError> {
    let bytes = read_file(path, MAX_MATERIAL_BYTES)?;
    Ok(material::read_certificate(
        &path.display().to_string(),
        &bytes,
    )?)
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode())
}

#[cfg(not(unix))]
fn file_mode(_: &Path) -> Option<u32> {
    None
}

/// `--now`, or the system clock: the only place the core's `now` comes from.
pub fn now(arg: Option<&str>) -> Result<DateTime<Utc>, CliError> {
    match arg {
        Some(s) => crate::timefmt::parse_instant(s).map_err(|e| CliError(format!("--now: {e}"))),
        None => Ok(Utc::now()),
    }
}
