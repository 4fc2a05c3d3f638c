//! The documents commands produce: plain data that `report`'s renderers turn into text.

use super::{CommandName, Verdict};
use crate::catalog::Severity;
use crate::error::Error;
use crate::explain::Explanation;
use crate::finding::{Check, Finding, fails};
use crate::material::{CertInfo, KeyInfo};
use crate::pairs::{FileKind, Found, PairResult, PairStatus};
use crate::timefmt;
use crate::token::{Object, Token};
use chrono::{DateTime, Utc};
use serde::Serialize;

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
    /// Received by `serve` in a token request.
    Received,
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

/// The result of `check` (and the structural part of `inspect`): what was looked at, what ran,
/// what was found.
#[derive(Debug, Clone)]
pub struct Report {
    /// `check` or `inspect`.
    pub command: CommandName,
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

    /// Pass or fail.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_failed(self.failed())
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

/// The outcome of a `pairs` run.
#[derive(Debug, Clone)]
pub struct PairsReport {
    /// One result per pair, in input order.
    pub pairs: Vec<PairResult>,
    /// Files without a partner.
    pub unpaired: Vec<Found>,
    /// Whether warnings fail.
    pub strict: bool,
    /// Links to folders that were not followed (no `--follow`).
    pub skipped_links: usize,
}

impl PairsReport {
    /// Whether the run fails: a mismatch, an unreadable pair, an error finding (or, under
    /// `--strict`, a warning, an unpaired file included).
    pub fn failed(&self) -> bool {
        self.pairs.iter().any(|p| p.fails(self.strict))
            || self.unreadable() > 0
            || (self.strict && !self.unpaired.is_empty())
    }

    /// How many files could not be read.
    pub fn unreadable(&self) -> usize {
        self.unpaired
            .iter()
            .filter(|f| f.kind == FileKind::Unreadable)
            .count()
    }

    /// Pass or fail.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_failed(self.failed())
    }

    /// 2 when a pair or a file could not be read (after every other pair was reported), else
    /// 1 when the run fails, else 0.
    pub fn exit_status(&self) -> u8 {
        if self.unreadable() > 0 || self.pairs.iter().any(|p| p.status == PairStatus::Error) {
            2
        } else {
            u8::from(self.failed())
        }
    }
}

/// `check --config`: one report per org, in file order, or why the org could not run.
#[derive(Debug, Clone)]
pub struct OrgsReport {
    /// Each org's name and its report.
    pub orgs: Vec<(String, Result<Report, Error>)>,
    /// Orgs not checked, and why (`--all-sf-orgs`: the sf CLI's orgs not authorised by JWT).
    pub skipped: Vec<(String, String)>,
}

impl OrgsReport {
    /// Whether any org fails or could not run.
    pub fn failed(&self) -> bool {
        self.orgs
            .iter()
            .any(|(_, r)| r.as_ref().map_or(true, Report::failed))
    }

    /// The orgs that could not run.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &Error)> {
        self.orgs
            .iter()
            .filter_map(|(n, r)| r.as_ref().err().map(|e| (n.as_str(), e)))
    }

    /// 2 when an org could not run, else 1 when one fails, else 0.
    pub fn exit_status(&self) -> u8 {
        if self.errors().next().is_some() {
            2
        } else {
            u8::from(self.failed())
        }
    }
}

/// `explain` of a reply (or a CLI's output): the explanation, and where the text came from.
#[derive(Debug, Clone)]
pub struct ReplyExplanation {
    /// `argument`, `file` or `stdin`.
    pub source: &'static str,
    /// Every reply, explained.
    pub explanation: Explanation,
}

/// `sign`: the assertion, or the whole token request built around it.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The compact JWS: a live credential until it expires.
    pub token: String,
    /// When it expires, RFC 3339.
    pub expires_at: String,
    /// `--request`: where it would be posted, and the form body.
    pub request: Option<TokenRequest>,
}

/// A token request, as `sign --request` prints it (sending nothing).
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// `https://…/services/oauth2/token`.
    pub url: String,
    /// The form-encoded body.
    pub body: String,
}

/// `keygen`: what was written.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The key file, as shown.
    pub key_path: String,
    /// The certificate file, as shown.
    pub cert_path: String,
    /// The modulus size.
    pub bits: u32,
    /// The certificate's subject, as given.
    pub subject: String,
    /// Its validity in days.
    pub days: u32,
}

/// Why a command could not run (exit status 2).
#[derive(Debug, Clone)]
pub struct Failure {
    /// The command that could not run.
    pub command: CommandName,
    /// Why.
    pub error: Error,
}

/// What an unpaired file is, as every format names it.
pub(crate) fn unpaired_kind(f: &Found) -> &'static str {
    match f.kind {
        FileKind::PrivateKey | FileKind::Pkcs12 => "key",
        FileKind::Certificate => "certificate",
        FileKind::Unreadable => "unreadable",
        _ => "unrecognised",
    }
}

/// Why an unpaired file is reported.
pub(crate) fn unpaired_message(f: &Found) -> String {
    match f.kind {
        FileKind::Unreadable => format!(
            "{}; pairs cannot tell whether it is a key or a certificate",
            f.problem.as_deref().unwrap_or("cannot be read")
        ),
        FileKind::PrivateKey | FileKind::Pkcs12 => {
            "a private key with no certificate beside it (same folder, or same file stem)".into()
        }
        FileKind::Certificate => {
            "a certificate with no private key beside it (same folder, or same file stem)".into()
        }
        _ => "looks like a secret (by name or content) but is no key or certificate this tool can read".into(),
    }
}

/// What `serve` reports as it runs: one document per event.
#[derive(Debug, Clone)]
pub enum ServeEvent {
    /// Listening: where, the CA, what to set for each client, the orgs.
    Listening(Listening),
    /// One request and its reply.
    Exchange(Box<crate::serve::Exchange>),
    /// A client's login over several (host, aud) pairs.
    Attempts(crate::serve::AttemptSummary),
    /// A connection refused or broken before a request was read.
    Connection(ConnectionEvent),
    /// The server stopped: totals, and the exit status they map to.
    Stopped(ServeTotals),
}

impl ServeEvent {
    /// Pass or fail, for the JSON envelope.
    pub fn verdict(&self) -> Verdict {
        match self {
            ServeEvent::Exchange(e) => e.verdict(),
            ServeEvent::Attempts(a) => Verdict::from_failed(a.worked.as_ref().is_none_or(|w| !w.2)),
            ServeEvent::Connection(_) => Verdict::Fail,
            ServeEvent::Stopped(t) => Verdict::from_failed(t.exit_status != 0),
            ServeEvent::Listening(_) => Verdict::Pass,
        }
    }

    /// The `event` field of its JSON record.
    pub fn name(&self) -> &'static str {
        match self {
            ServeEvent::Listening(_) => "listening",
            ServeEvent::Exchange(_) => "exchange",
            ServeEvent::Attempts(_) => "attempts",
            ServeEvent::Connection(c) => match c.kind {
                ConnectionKind::Refused { .. } => "refused",
                ConnectionKind::Failed { .. } => "connection-error",
            },
            ServeEvent::Stopped(_) => "stopped",
        }
    }
}

/// `serve` is listening.
#[derive(Debug, Clone)]
pub struct Listening {
    /// The address bound, e.g. `127.0.0.1:41234`.
    pub address: String,
    /// The port (the one picked, for `--port 0`).
    pub port: u16,
    /// `http://127.0.0.1:41234`: the proxy URL, and the base of the direct token URLs.
    pub url: String,
    /// The login URL a direct request stands for (`--as`).
    pub stands_for: String,
    /// The CA certificate file clients are told to trust.
    pub ca_file: String,
    /// Whether the CA is kept (`--ca-dir`) or made for this run.
    pub ca_kept: bool,
    /// The orgs served, with what their certificates' rules found.
    pub orgs: Vec<ServedOrgSummary>,
    /// `--once`.
    pub once: bool,
    /// `--timeout`, in seconds.
    pub timeout: Option<u64>,
}

/// One org `serve` stands for.
#[derive(Debug, Clone)]
pub struct ServedOrgSummary {
    /// Its name.
    pub name: String,
    /// The consumer key.
    pub client_id: Option<String>,
    /// The user.
    pub username: Option<String>,
    /// Where it lives.
    pub login_url: String,
    /// The certificate file, as shown.
    pub cert: Option<String>,
    /// What the key and certificate rules found (reported once, here).
    pub findings: Vec<Finding>,
}

/// A connection `serve` refused, or that broke before a request was read.
#[derive(Debug, Clone)]
pub struct ConnectionEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// The peer's address.
    pub peer: String,
    /// What happened.
    pub kind: ConnectionKind,
}

/// What happened to a connection.
#[derive(Debug, Clone)]
pub enum ConnectionKind {
    /// A `CONNECT` (or proxied request) to a host `serve` does not stand for.
    Refused {
        /// The host asked for, escaped.
        host: String,
        /// Why.
        reason: String,
    },
    /// Malformed HTTP, a failed TLS handshake, a timeout, an oversized body.
    Failed {
        /// What went wrong.
        message: String,
    },
}

/// `serve` stopped.
#[derive(Debug, Clone)]
pub struct ServeTotals {
    /// Why: Ctrl-C, `--once`, `--timeout`.
    pub stopped_by: String,
    /// Token requests answered.
    pub token_requests: usize,
    /// Of those, answered with 200.
    pub accepted: usize,
    /// Follow-up calls answered.
    pub follow_ups: usize,
    /// Other paths (404).
    pub not_found: usize,
    /// Connections refused.
    pub refused: usize,
    /// Connections that broke.
    pub failed_connections: usize,
    /// 0 when every token request was accepted (or none came), 1 when one was refused, 2
    /// when `--once` saw none.
    pub exit_status: u8,
}
