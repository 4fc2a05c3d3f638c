//! CI mode: key/certificate pairs. Recognising files by content and pairing them is pure;
//! the command layer walks folders and reads files.

use crate::catalog::Code;
use crate::finding::{Finding, fails};
use crate::material::{self, CertInfo, KeyInfo};
use crate::rules::{self, Expectations, Material};
use crate::text::display_path;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a file is, judged from its first bytes (no passphrase, no full parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A private key (any supported form, possibly encrypted or mangled).
    PrivateKey,
    /// A PKCS#12 archive: a key and its certificate.
    Pkcs12,
    /// An X.509 certificate.
    Certificate,
    /// Named or shaped like a secret, but recognisable as nothing.
    UnrecognisedSecret,
    /// Could not be read (permission denied, a dangling link to a key): `pairs` cannot vouch
    /// for the folder, so the run exits 2.
    Unreadable,
    /// Anything else (README, CSR, public key, source code…): ignored.
    Other,
}

/// File name endings that promise key material.
const SECRET_EXTENSIONS: [&str; 11] = [
    "key", "pem", "crt", "cer", "der", "p12", "pfx", "jks", "p8", "pk8", "bin",
];

/// Recognises a file from its name and content.
pub fn sniff(path: &Path, bytes: &[u8]) -> FileKind {
    if bytes.is_empty() {
        return if has_secret_extension(path) {
            FileKind::UnrecognisedSecret
        } else {
            FileKind::Other
        };
    }
    if material::key::looks_like_pkcs12(bytes) {
        return FileKind::Pkcs12;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        // A PEM file starts with its block (or, for certificates, with `openssl x509 -text`
        // output); a script or document that merely mentions a BEGIN line is not one, unless
        // its name says it holds key material.
        let starts_with_pem = text
            .trim_start()
            .trim_start_matches(['"', '\''])
            .starts_with("-----BEGIN");
        let certificate_text = text.trim_start().starts_with("Certificate:");
        if !(starts_with_pem || certificate_text || has_secret_extension(path)) {
            return FileKind::Other;
        }
        if text.contains("PRIVATE KEY") && text.contains("BEGIN") {
            return FileKind::PrivateKey;
        }
        if text.contains("-----BEGIN CERTIFICATE") || text.contains("-----BEGIN X509 CERTIFICATE") {
            return FileKind::Certificate;
        }
        if text.contains("-----BEGIN") {
            // Public keys, CSRs and other PEM files are not half of a pair.
            return FileKind::Other;
        }
        return if has_secret_extension(path) {
            FileKind::UnrecognisedSecret
        } else {
            FileKind::Other
        };
    }
    if material::cert::is_der_certificate(bytes) {
        return FileKind::Certificate;
    }
    if material::key::is_der_private_key(bytes) {
        return FileKind::PrivateKey;
    }
    FileKind::UnrecognisedSecret
}

/// Whether the file name ends like a key or certificate file (`.key`, `.pem`, `.p12`, …).
pub fn has_secret_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SECRET_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A file found under a folder, recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its path.
    pub path: PathBuf,
    /// What it is.
    pub kind: FileKind,
    /// Why it could not be read, for [`FileKind::Unreadable`].
    pub problem: Option<String>,
}

impl Found {
    /// A file recognised as `kind`.
    pub fn new(path: PathBuf, kind: FileKind) -> Self {
        Found {
            path,
            kind,
            problem: None,
        }
    }
}

/// A key and the certificate it is checked against. A PKCS#12 archive has no separate
/// certificate: it carries its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The private key (or PKCS#12 archive).
    pub key: PathBuf,
    /// The certificate, unless the key is a PKCS#12 archive.
    pub cert: Option<PathBuf>,
}

/// Pairing result: the pairs in a stable order, and what was left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pairing {
    /// Pairs, in folder then file name order.
    pub pairs: Vec<Pair>,
    /// Keys and certificates without a partner, and unrecognised secrets.
    pub unpaired: Vec<Found>,
}

/// The part of a file name before its first dot: `prod.key` and `prod.crt` share `prod`.
fn stem(p: &Path) -> String {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    name.split('.').next().unwrap_or(name).to_string()
}

/// Pairs files folder by folder: a folder with one key and one certificate is a pair;
/// otherwise keys and certificates that share a stem pair up. A PKCS#12 archive is a pair by
/// itself.
pub fn pair(found: &[Found]) -> Pairing {
    let mut by_dir: BTreeMap<PathBuf, Vec<&Found>> = BTreeMap::new();
    for f in found {
        let dir = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
        by_dir.entry(dir).or_default().push(f);
    }
    let mut out = Pairing::default();
    for files in by_dir.values_mut() {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let keys: Vec<&Found> = files
            .iter()
            .copied()
            .filter(|f| f.kind == FileKind::PrivateKey)
            .collect();
        let certs: Vec<&Found> = files
            .iter()
            .copied()
            .filter(|f| f.kind == FileKind::Certificate)
            .collect();
        for f in files.iter().filter(|f| f.kind == FileKind::Pkcs12) {
            out.pairs.push(Pair {
                key: f.path.clone(),
                cert: None,
            });
        }
        for f in files
            .iter()
            .filter(|f| matches!(f.kind, FileKind::UnrecognisedSecret | FileKind::Unreadable))
        {
            out.unpaired.push((*f).clone());
        }
        if keys.len() == 1 && certs.len() == 1 {
            out.pairs.push(Pair {
                key: keys[0].path.clone(),
                cert: Some(certs[0].path.clone()),
            });
            continue;
        }
        let mut used_certs = vec![false; certs.len()];
        for k in &keys {
            // `prod.key` pairs with `prod.crt`; when several certificates share a first stem
            // (`server.crt`, `server.der.crt`), the one named exactly like the key wins.
            let exact = certs
                .iter()
                .position(|c| c.path.with_extension("") == k.path.with_extension(""));
            let s = stem(&k.path);
            match exact.or_else(|| certs.iter().position(|c| stem(&c.path) == s)) {
                Some(i) => {
                    used_certs[i] = true;
                    out.pairs.push(Pair {
                        key: k.path.clone(),
                        cert: Some(certs[i].path.clone()),
                    });
                }
                None => out.unpaired.push((*k).clone()),
            }
        }
        for (c, used) in certs.iter().zip(used_certs) {
            if !used {
                out.unpaired.push((*c).clone());
            }
        }
    }
    out
}

/// How a pair came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairStatus {
    /// The key belongs to the certificate.
    Match,
    /// It does not (PF501).
    Mismatch,
    /// A file could not be read or parsed.
    Error,
}

impl PairStatus {
    /// `match`, `mismatch` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            PairStatus::Match => "match",
            PairStatus::Mismatch => "mismatch",
            PairStatus::Error => "error",
        }
    }
}

/// One pair's result.
#[derive(Debug, Clone)]
pub struct PairResult {
    /// The key path as shown.
    pub key: String,
    /// The certificate path as shown (for PKCS#12, the archive's own certificate).
    pub cert: Option<String>,
    /// Match, mismatch or error.
    pub status: PairStatus,
    /// PF501 and the key and certificate rules.
    pub findings: Vec<Finding>,
    /// Why it is `error`.
    pub error: Option<String>,
    /// The certificate's subject and expiry, for the one-line summary.
    pub cert_summary: Option<(String, DateTime<Utc>)>,
}

impl PairResult {
    /// Whether this pair fails the run.
    pub fn fails(&self, strict: bool) -> bool {
        self.status != PairStatus::Match || fails(&self.findings, strict)
    }
}

/// Evaluates one loaded pair: PF501 and PF502–PF515.
pub fn evaluate_pair(
    key: &KeyInfo,
    key_mode: Option<u32>,
    cert: Option<&CertInfo>,
    exp: &Expectations,
    now: DateTime<Utc>,
) -> PairResult {
    let cert = cert.or(key.certificate.as_ref());
    let material = Material {
        token: None,
        key: Some(key),
        key_mode,
        cert,
    };
    let (_, findings) = rules::evaluate(&material, exp, now).finish();
    let status = if findings.iter().any(|f| f.is(Code::PF501)) {
        PairStatus::Mismatch
    } else if cert.is_none() {
        PairStatus::Error
    } else {
        PairStatus::Match
    };
    PairResult {
        key: key.name.clone(),
        cert: cert.map(|c| c.name.clone()),
        status,
        error: cert
            .is_none()
            .then(|| format!("{}: no certificate to pair with", key.name)),
        cert_summary: cert.map(|c| (c.subject.clone(), c.not_after)),
        findings,
    }
}

/// A pair whose files could not be read.
pub fn error_pair(key: &Path, cert: Option<&Path>, message: String) -> PairResult {
    PairResult {
        key: display_path(key),
        cert: cert.map(display_path),
        status: PairStatus::Error,
        findings: Vec::new(),
        error: Some(message),
        cert_summary: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(p: &str, kind: FileKind) -> Found {
        Found::new(PathBuf::from(p), kind)
    }

    #[test]
    fn one_key_one_cert_per_folder_pairs_whatever_the_names() {
        let p = pair(&[
            f("a/private.pem", FileKind::PrivateKey),
            f("a/upload.crt", FileKind::Certificate),
        ]);
        assert_eq!(
            p.pairs,
            vec![Pair {
                key: "a/private.pem".into(),
                cert: Some("a/upload.crt".into())
            }]
        );
        assert!(p.unpaired.is_empty());
    }

    #[test]
    fn scripts_that_mention_pem_are_not_keys() {
        let script = b"#!/bin/sh\necho '-----BEGIN PRIVATE KEY-----' > k\n";
        assert_eq!(sniff(Path::new("gen.sh"), script), FileKind::Other);
        assert_eq!(
            sniff(Path::new("k.key"), &script[10..]),
            FileKind::PrivateKey
        );
        assert_eq!(
            sniff(Path::new("k"), b"-----BEGIN PRIVATE KEY-----\nAA==\n"),
            FileKind::PrivateKey
        );
    }

    #[test]
    fn stems_pair_in_shared_folders() {
        let p = pair(&[
            f("s/prod.key", FileKind::PrivateKey),
            f("s/prod.crt", FileKind::Certificate),
            f("s/uat.key", FileKind::PrivateKey),
            f("s/uat.crt", FileKind::Certificate),
            f("s/lone.key", FileKind::PrivateKey),
            f("s/orphan.crt", FileKind::Certificate),
            f("s/junk.bin", FileKind::UnrecognisedSecret),
            f("s/bundle.p12", FileKind::Pkcs12),
        ]);
        let keys: Vec<_> = p
            .pairs
            .iter()
            .map(|x| x.key.display().to_string())
            .collect();
        assert_eq!(keys, ["s/bundle.p12", "s/prod.key", "s/uat.key"]);
        let lone: Vec<_> = p
            .unpaired
            .iter()
            .map(|x| x.path.display().to_string())
            .collect();
        assert_eq!(lone, ["s/junk.bin", "s/lone.key", "s/orphan.crt"]);
    }
}
