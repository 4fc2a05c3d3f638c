//! The report every command produces, and its three renderings: human, JSON (SPEC §4) and
//! GitHub workflow annotations.

pub mod github;
pub mod human;
pub mod json;
pub mod pairs;

use crate::catalog::Severity;
use crate::finding::{Check, Finding, fails};
use crate::material::{CertInfo, KeyInfo};
use crate::timefmt;
use crate::token::{Object, Token};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The JSON schema version of every report.
pub const SCHEMA: u32 = 1;

/// Where the assertion came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssertionSource {
    /// Built by this tool from the key and claims.
    Built,
    /// Read from a file.
    File,
    /// Read from standard input.
    Stdin,
}

/// The assertion as shown in a report: header and claims only, never the signature.
#[derive(Debug, Clone, Serialize)]
pub struct AssertionSummary {
    /// Where it came from.
    pub source: AssertionSource,
    /// The decoded header, when readable.
    pub header: Option<Object>,
    /// The decoded claims, when readable.
    pub claims: Option<Object>,
    /// The signature's length in bytes (never its value).
    pub signature_bytes: Option<usize>,
}

impl AssertionSummary {
    /// Summarises a parsed token.
    pub fn new(source: AssertionSource, token: &Token) -> Self {
        AssertionSummary {
            source,
            header: token.header.clone(),
            claims: token.claims.clone(),
            signature_bytes: token.signature.as_ref().map(Vec::len),
        }
    }
}

/// The key as shown in a report: never its material.
#[derive(Debug, Clone, Serialize)]
pub struct KeySummary {
    /// The path as given.
    pub path: String,
    /// pkcs8, pkcs1, pkcs8-encrypted, pkcs12 or der.
    pub format: &'static str,
    /// RSA, or the other algorithm's name.
    #[serde(rename = "type")]
    pub key_type: String,
    /// Modulus size, for RSA.
    pub bits: Option<usize>,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// Repairs made while reading, and similar notes.
    pub notes: Vec<String>,
}

impl KeySummary {
    /// Summarises a key.
    pub fn new(key: &KeyInfo) -> Self {
        KeySummary {
            path: key.name.clone(),
            format: key.format.report_name(),
            key_type: key.algorithm().to_string(),
            bits: key.bits(),
            encrypted: key.encrypted,
            notes: key.notes.clone(),
        }
    }
}

/// The certificate as shown in a report.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// The path as given.
    pub path: String,
    /// Subject, OpenSSL order.
    pub subject: String,
    /// Issuer, OpenSSL order.
    pub issuer: String,
    /// Serial number, colon hex.
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// `AA:BB:…`.
    pub sha1_fingerprint: String,
    /// `AA:BB:…`.
    pub sha256_fingerprint: String,
    /// Modulus size, for RSA.
    pub bits: Option<usize>,
    /// Subject equals issuer.
    pub self_signed: bool,
    /// DER size in bytes.
    pub der_bytes: usize,
    /// RSA or the other algorithm's name.
    pub key_type: String,
    /// The certificate's own signature algorithm.
    pub signature_algorithm: String,
    /// Notes made while reading.
    pub notes: Vec<String>,
}

impl CertSummary {
    /// Summarises a certificate.
    pub fn new(cert: &CertInfo) -> Self {
        CertSummary {
            path: cert.name.clone(),
            subject: cert.subject.clone(),
            issuer: cert.issuer.clone(),
            serial: cert.serial.clone(),
            not_before: timefmt::rfc3339(cert.not_before),
            not_after: timefmt::rfc3339(cert.not_after),
            sha1_fingerprint: cert.sha1_fingerprint.clone(),
            sha256_fingerprint: cert.sha256_fingerprint.clone(),
            bits: cert.bits,
            self_signed: cert.self_signed,
            der_bytes: cert.der_bytes,
            key_type: cert.algorithm().to_string(),
            signature_algorithm: cert.signature_algorithm.clone(),
            notes: cert.notes.clone(),
        }
    }
}

/// One command's result: what was looked at, what ran, what was found.
#[derive(Debug, Clone)]
pub struct Report {
    /// `check`, `inspect`, …
    pub command: &'static str,
    /// The instant the time rules used.
    pub evaluated_at: DateTime<Utc>,
    /// The assertion, when there was one.
    pub assertion: Option<AssertionSummary>,
    /// The key, when given.
    pub key: Option<KeySummary>,
    /// The certificate, when given.
    pub certificate: Option<CertSummary>,
    /// One entry per check group.
    pub checks: Vec<Check>,
    /// Every finding, by code.
    pub findings: Vec<Finding>,
    /// Whether warnings fail too.
    pub strict: bool,
}

impl Report {
    /// Whether the report fails (errors, or warnings under `--strict`).
    pub fn failed(&self) -> bool {
        fails(&self.findings, self.strict)
    }

    /// `pass` or `fail`.
    pub fn verdict(&self) -> &'static str {
        if self.failed() { "fail" } else { "pass" }
    }

    /// Counts of findings by severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }

    /// The process exit status this report maps to.
    pub fn exit_status(&self) -> u8 {
        u8::from(self.failed())
    }
}

/// "1 error, 2 warnings, 1 info".
pub fn count_phrase(errors: usize, warnings: usize, infos: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {} info",
        plural(errors, "error"),
        plural(warnings, "warning"),
        infos
    )
}
