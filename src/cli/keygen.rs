//! `keygen`: a key and its self-signed certificate, written into `--out`, never over a file.

use super::args::KeygenArgs;
use super::{Error, Outcome, inputs, output};
use crate::report::{Document, Generated};
use crate::text::display_path;

/// Generates and writes the pair.
pub fn run(a: &KeygenArgs) -> Result<Outcome, Error> {
    if ![2048, 3072, 4096].contains(&a.bits) {
        return Err(Error::new(format!(
            "--bits {}: choose 2048, 3072 or 4096",
            a.bits
        )));
    }
    let out = display_path(&a.out);
    let key_path = a.out.join("server.key");
    let cert_path = a.out.join("server.crt");
    if a.out.exists() && !a.out.is_dir() {
        return Err(Error::new(format!("{out}: is not a folder (--out)")));
    }
    for p in [&key_path, &cert_path] {
        if p.exists() {
            return Err(
                Error::about(&display_path(p), "already exists; refusing to overwrite it")
                    .with_hint("choose another --out, or move it away first"),
            );
        }
    }
    // The subject and the certificate's size are refused before the folder is created.
    crate::keygen::check_subject(&a.subject).map_err(Error::new)?;
    output::print_stderr(&format!(
        "jwt-preflight: generating a {}-bit RSA key…",
        a.bits
    ));
    let now = inputs::now(None)?;
    let generated =
        crate::keygen::generate(a.bits as usize, a.days, &a.subject, now).map_err(Error::new)?;
    if !a.out.is_dir() {
        // As `mkdir -p` would, but private: the folder will hold a private key.
        inputs::make_private_dir(&a.out).map_err(|e| e.with_context("--out"))?;
    }
    inputs::write_new(&key_path, generated.key_pem.as_bytes(), 0o600)?;
    if let Err(e) = inputs::write_new(&cert_path, generated.cert_pem.as_bytes(), 0o644) {
        // Leave no half-made pair behind.
        let _ = std::fs::remove_file(&key_path);
        return Err(e);
    }
    Ok(Document::Generated(Generated {
        key_path: display_path(&key_path),
        cert_path: display_path(&cert_path),
        bits: a.bits,
        subject: a.subject.clone(),
        days: a.days,
    })
    .into())
}
