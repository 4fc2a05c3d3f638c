//! Reading inputs: files with errors that name them, stdin, passphrases, the clock; and the
//! private folders and new files `keygen` and `serve` write.

use super::Error;
use super::args::PassphraseArgs;
use crate::config::Passphrase;
use crate::defaults::{MAX_ASSERTION_BYTES, MAX_MATERIAL_BYTES, MAX_PASSPHRASE_FILE_BYTES};
use crate::material::{self, CertInfo, KeyInfo};
use crate::text::{display_path, human_bytes};
use chrono::{DateTime, Utc};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Reads a whole file, never more than `limit` bytes whatever the file claims to be: a
/// device such as `/dev/zero` reports a size of 0 and never ends, so the size is only a
/// first check and the read itself is bounded. Devices are refused; pipes (`<(…)`, a FIFO)
/// are read. The message names the file. Key bytes are zeroized on drop.
pub fn read_file(path: &Path, limit: u64) -> Result<Zeroizing<Vec<u8>>, Error> {
    read_file_and_mode(path, limit).map(|(bytes, _)| bytes)
}

/// [`read_file`], with the file's permission bits (when the platform has them) from the same
/// lookup.
fn read_file_and_mode(path: &Path, limit: u64) -> Result<(Zeroizing<Vec<u8>>, Option<u32>), Error> {
    read_bounded(path, limit).map_err(|problem| {
        // A name that exists is a path, however odd; one that does not may be content. Asked
        // only after a failure: one lookup fewer for every file that is there.
        match content_given_as_path(path).filter(|_| !path.exists()) {
            Some(content) => Error::new(content),
            None => Error::new(format!("{}: {problem}", display_path(path))),
        }
    })
}

/// [`read_file_and_mode`] without the name: the problem alone, for callers that must not show
/// the path.
fn read_bounded(path: &Path, limit: u64) -> Result<(Zeroizing<Vec<u8>>, Option<u32>), String> {
    let meta = std::fs::metadata(path).map_err(|e| io_problem(&e))?;
    if meta.is_dir() {
        return Err("is a directory, not a file".to_string());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_char_device() || kind.is_block_device() {
            return Err(
                "is a device, not a file; give the path of a file (or - where stdin is accepted)"
                    .to_string(),
            );
        }
    }
    let too_large = || {
        format!(
            "is larger than {}, far more than a key, certificate, assertion or config file could be",
            human_bytes(limit)
        )
    };
    if meta.is_file() && meta.len() > limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(|e| io_problem(&e))?;
    // Room for everything up front: growing the buffer would leave copies of key bytes behind
    // in freed memory, out of the zeroizer's reach.
    let capacity = if meta.is_file() {
        meta.len().min(limit)
    } else {
        limit
    };
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        usize::try_from(capacity.saturating_add(1)).unwrap_or(0),
    ));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_problem(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok((bytes, permission_bits(&meta)))
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

fn io_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_string(),
        std::io::ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
        _ => format!("cannot be read: {e}"),
    }
}

/// Reads stdin, never more than `limit` bytes. On a terminal it first says what it waits
/// for, so a forgotten file argument does not look like a hang.
pub fn read_stdin(limit: u64, what: &str) -> Result<Vec<u8>, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        super::output::print_stderr(&format!(
            "jwt-preflight: reading {what} from the terminal: paste it, then press Ctrl-D (or give a file instead of -)"
        ));
    }
    let mut buf = Vec::new();
    stdin
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| Error::new(format!("stdin: cannot be read: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(Error::new(format!(
            "stdin: is larger than {}; that is not {what}",
            human_bytes(limit)
        )));
    }
    Ok(buf)
}

/// Reads an assertion from a file or `-` (stdin). Returns the text and whether it was stdin.
/// An empty or blank input is read as it is: the parser reports it (PF101), like any other
/// assertion that is not three segments.
pub fn read_assertion(arg: &str) -> Result<(String, bool), Error> {
    let (bytes, stdin) = if arg == "-" {
        (read_stdin(MAX_ASSERTION_BYTES, "an assertion")?, true)
    } else {
        (
            read_file(Path::new(arg), MAX_ASSERTION_BYTES)?.to_vec(),
            false,
        )
    };
    // A token is ASCII; invalid UTF-8 becomes U+FFFD, which the parser reports as PF102.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok((text, stdin))
}

/// Where these flags say a passphrase comes from (a prompt on the terminal when neither).
pub fn passphrase_spec(args: &PassphraseArgs) -> Option<Passphrase> {
    match (&args.passphrase_env, &args.passphrase_file) {
        (Some(var), _) => Some(Passphrase::Env(var.clone())),
        (None, Some(path)) => Some(Passphrase::File(path.clone())),
        (None, None) => None,
    }
}

/// Whether a passphrase can be asked for: both stdin and stderr are a terminal.
fn can_prompt() -> bool {
    super::output::is_interactive()
}

/// The passphrase of the input `name` from its source: an environment variable, a file, or a
/// prompt on a terminal; never a flag's value. A passphrase typed where the variable's name or
/// the file's path belongs must not be printed back, so no message quotes either.
fn passphrase_for(name: &str, spec: Option<&Passphrase>) -> Result<Zeroizing<String>, Error> {
    match spec {
        Some(Passphrase::Env(var)) => match std::env::var(var) {
            Ok(v) => Ok(Zeroizing::new(v)),
            Err(_) => Err(Error::about(
                name,
                "is encrypted, and the environment variable named by --passphrase-env (or passphrase_env) is not set (its name is not shown, in case a passphrase was given there)",
            )
            .with_hint("the flag takes the variable's name, e.g. --passphrase-env KEY_PASS, and the variable holds the passphrase")),
        },
        Some(Passphrase::File(path)) => {
            let (bytes, _) = read_bounded(path, MAX_PASSPHRASE_FILE_BYTES).map_err(|what| {
                Error::about(
                    name,
                    format!(
                        "is encrypted, and the file given with --passphrase-file {what} (its path is not shown, in case a passphrase was given there)"
                    ),
                )
                .with_hint("the flag takes the path of a file whose first line is the passphrase")
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let first = text.lines().next().unwrap_or("");
            Ok(Zeroizing::new(first.trim_end_matches('\r').to_string()))
        }
        None if can_prompt() => rpassword::prompt_password(format!("Passphrase for {name}: "))
            .map(Zeroizing::new)
            .map_err(|e| Error::about(name, format!("cannot read the passphrase: {e}"))),
        None => material::no_passphrase(name),
    }
}

/// A key file, read but not yet parsed.
pub struct KeyFile {
    /// Its path.
    pub path: PathBuf,
    /// Its bytes, zeroized on drop.
    pub bytes: Zeroizing<Vec<u8>>,
    /// Its permission bits, when known.
    pub mode: Option<u32>,
}

/// Reads a private key file.
pub fn read_key(path: &Path) -> Result<KeyFile, Error> {
    let (bytes, mode) = read_file_and_mode(path, MAX_MATERIAL_BYTES)?;
    Ok(KeyFile {
        path: path.to_path_buf(),
        bytes,
        mode,
    })
}

/// Parses a key read with [`read_key`], asking for its passphrase if it needs one.
pub fn parse_key(file: &KeyFile, spec: Option<&Passphrase>) -> Result<KeyInfo, Error> {
    let mut source = |name: &str| passphrase_for(name, spec);
    material::read_private_key(&display_path(&file.path), &file.bytes, &mut source)
}

/// A key read and parsed, with its file's permission bits; or why it could not be.
pub type LoadedKey = Result<(KeyInfo, Option<u32>), Error>;

/// Reads and parses many keys and certificates in one pass over every core (one pass, not
/// one per kind: each pass ends by waiting for its slowest job), then, in input order, the
/// keys that need a passphrase typed at the terminal, so prompts never interleave. Each key
/// comes with its file's permission bits.
pub fn load_material(
    keys: &[(&Path, Option<&Passphrase>)],
    certs: &[&Path],
) -> (Vec<LoadedKey>, Vec<Result<CertInfo, Error>>) {
    enum Job<'a> {
        Key(&'a Path, Option<&'a Passphrase>),
        Cert(&'a Path),
    }
    enum Loaded<'a> {
        Key(LoadedKey),
        /// A key that waits for its passphrase to be typed.
        KeyToPrompt(KeyFile, Option<&'a Passphrase>),
        Cert(Result<CertInfo, Error>),
    }
    let prompt = can_prompt();
    let jobs: Vec<Job> = keys
        .iter()
        .map(|(path, spec)| Job::Key(path, *spec))
        .chain(certs.iter().map(|path| Job::Cert(path)))
        .collect();
    let loaded = crate::parallel::map(&jobs, |job| match job {
        Job::Key(path, spec) => {
            let file = match read_key(path) {
                Ok(file) => file,
                Err(e) => return Loaded::Key(Err(e)),
            };
            let mut wants_prompt = false;
            let mut source = |name: &str| {
                if spec.is_none() && prompt {
                    wants_prompt = true;
                    return Err(Error::about(name, "needs a passphrase"));
                }
                passphrase_for(name, *spec)
            };
            let result =
                material::read_private_key(&display_path(&file.path), &file.bytes, &mut source);
            if wants_prompt {
                Loaded::KeyToPrompt(file, *spec)
            } else {
                Loaded::Key(result.map(|key| (key, file.mode)))
            }
        }
        Job::Cert(path) => Loaded::Cert(load_cert(path)),
    });
    let mut loaded_keys = Vec::with_capacity(keys.len());
    let mut loaded_certs = Vec::with_capacity(certs.len());
    for loaded in loaded {
        match loaded {
            Loaded::KeyToPrompt(file, spec) => {
                loaded_keys.push(parse_key(&file, spec).map(|key| (key, file.mode)));
            }
            Loaded::Key(result) => loaded_keys.push(result),
            Loaded::Cert(result) => loaded_certs.push(result),
        }
    }
    (loaded_keys, loaded_certs)
}

/// Reads and parses a private key file; returns it with the file's permission bits.
pub fn load_key(path: &Path, spec: Option<&Passphrase>) -> Result<(KeyInfo, Option<u32>), Error> {
    let file = read_key(path)?;
    Ok((parse_key(&file, spec)?, file.mode))
}

/// Reads and parses a certificate file.
pub fn load_cert(path: &Path) -> Result<CertInfo, Error> {
    let bytes = read_file(path, MAX_MATERIAL_BYTES)?;
    material::read_certificate(&display_path(path), &bytes)
}

#[cfg(unix)]
fn permission_bits(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode())
}

#[cfg(not(unix))]
fn permission_bits(_: &std::fs::Metadata) -> Option<u32> {
    None
}

/// `--now`, or the system clock: the only place the core's `now` comes from.
pub fn now(arg: Option<&str>) -> Result<DateTime<Utc>, Error> {
    match arg {
        Some(s) => crate::timefmt::parse_instant(s).map_err(|e| Error::new(format!("--now: {e}"))),
        None => Ok(Utc::now()),
    }
}

/// `mkdir -p`, private (0700): the folder is for a private key.
pub fn make_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::new(format!("{}: cannot be created: {e}", display_path(dir))))
}

/// Writes a file that must not exist yet, with these permission bits.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Error::new(format!("{}: cannot be written: {e}", display_path(path))))
}
