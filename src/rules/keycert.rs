//! PF501–PF515: the private key, the certificate, and whether they belong together.

use super::{Expectations, Material};
use crate::catalog::{CheckGroup, Code};
use crate::finding::{Finding, Findings};
use crate::material::{CertInfo, KeyFormat, KeyInfo};
use crate::timefmt;
use chrono::{DateTime, Utc};

/// The minimum RSA modulus size.
pub const MIN_RSA_BITS: usize = 2048;
/// The connected app's upload limit for the certificate, in bytes.
pub const MAX_CERT_BYTES: usize = 4096;

/// Runs PF501–PF515 on whatever key and certificate are present.
pub fn evaluate(m: &Material<'_>, exp: &Expectations, now: DateTime<Utc>, out: &mut Findings) {
    match m.key {
        Some(key) => key_rules(key, m.key_mode, out),
        None => out.skipped(CheckGroup::Key, "no private key (--key)"),
    }
    match m.cert {
        Some(cert) => cert_rules(cert, m.key, exp, now, out),
        None => out.skipped(CheckGroup::Certificate, "no certificate (--cert)"),
    }
    match (m.key, m.cert) {
        (Some(key), Some(cert)) => match_rule(key, cert, out),
        (None, _) => out.skipped(CheckGroup::KeyCertMatch, "no private key (--key)"),
        (_, None) => out.skipped(CheckGroup::KeyCertMatch, "no certificate (--cert)"),
    }
}

fn key_rules(key: &KeyInfo, mode: Option<u32>, out: &mut Findings) {
    out.ran(
        CheckGroup::Key,
        format!(
            "{} {} key{}",
            key.format.describe(),
            key.algorithm(),
            key.bits()
                .map(|b| format!(", {b} bits"))
                .unwrap_or_default()
        ),
    );
    match key.rsa() {
        None => out.push(Finding::new(
            Code::PF503,
            format!(
                "the private key {} is {}, not RSA; RS256 needs an RSA key",
                key.name,
                key.algorithm()
            ),
        )),
        Some(rsa) => {
            if rsa.bits < MIN_RSA_BITS {
                let unusable = if !rsa.can_sign() && rsa.inconsistency.is_none() {
                    "; it is too small to sign with at all"
                } else {
                    ""
                };
                out.push(Finding::new(Code::PF502,
                    format!("the private key {} is {} bits; at least {MIN_RSA_BITS} are needed{unusable}", key.name, rsa.bits),
                ));
            }
            if let Some(why) = &rsa.inconsistency {
                out.push(Finding::new(
                    Code::PF504,
                    format!("the private key {} is inconsistent: {why}", key.name),
                ));
            }
        }
    }
    if let Some(mode) = mode
        && mode & 0o044 != 0
    {
        let who = match (mode & 0o040 != 0, mode & 0o004 != 0) {
            (true, true) => "group and others",
            (true, false) => "its group",
            _ => "others",
        };
        out.push(
            Finding::new(
                Code::PF505,
                format!(
                    "the key file {} has mode {:04o}: readable by {who}",
                    key.name,
                    mode & 0o7777
                ),
            )
            .with_fix(format!(
                "chmod 600 {}, and keep it out of version control.",
                key.name
            )),
        );
    }
    if key.encrypted {
        let (what, fix) = if key.format == KeyFormat::Pkcs12 {
            (
                "a PKCS#12 archive",
                format!(
                    "For the Salesforce CLI, extract the key into a protected file: openssl pkcs12 -in {} -nocerts -nodes -out server.key (then chmod 600 server.key).",
                    key.name
                ),
            )
        } else {
            (
                "encrypted",
                format!(
                    "For the Salesforce CLI, decrypt it into a protected file: openssl pkey -in {} -out server.key (then chmod 600 server.key).",
                    key.name
                ),
            )
        };
        out.push(
            Finding::new(Code::PF506,
                format!("the key {} is {what}: fine here, but `sf org login jwt` reads only unencrypted PEM keys", key.name),
            )
            .with_fix(fix),
        );
    }
}

fn cert_rules(
    cert: &CertInfo,
    key: Option<&KeyInfo>,
    exp: &Expectations,
    now: DateTime<Utc>,
    out: &mut Findings,
) {
    out.ran(
        CheckGroup::Certificate,
        format!(
            "{} ({}), valid {} to {}",
            cert.name,
            cert.subject,
            timefmt::rfc3339(cert.not_before),
            timefmt::rfc3339(cert.not_after)
        ),
    );
    // The key's own PF502/PF503 already speak for a certificate of the same key.
    let same_key = key
        .and_then(|k| k.rsa())
        .zip(cert.rsa())
        .is_some_and(|(k, c)| &k.public == c);
    match (cert.rsa(), cert.bits) {
        (None, _)
            if key.is_none_or(|k| k.rsa().is_some()) => {
                out.push(Finding::new(Code::PF503,
                    format!("the certificate {} carries a {} key, not RSA; RS256 needs an RSA certificate", cert.name, cert.algorithm()),
                ));
            }
        (Some(_), Some(bits)) if bits < MIN_RSA_BITS && !same_key => out.push(Finding::new(Code::PF502,
            format!("the certificate {} carries a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are needed", cert.name),
        )),
        _ => {}
    }
    let now_s = now.timestamp();
    let after = cert.not_after.timestamp();
    let before = cert.not_before.timestamp();
    if now_s > after {
        out.push(Finding::new(
            Code::PF511,
            format!(
                "the certificate {} expired on {} ({} ago); Salesforce still accepts it, by design",
                cert.name,
                timefmt::rfc3339(cert.not_after),
                timefmt::duration(now_s - after)
            ),
        ));
    } else if now_s < before {
        out.push(Finding::new(
            Code::PF512,
            format!(
                "the certificate {} is not valid before {} ({})",
                cert.name,
                timefmt::rfc3339(cert.not_before),
                timefmt::relative(before, now_s)
            ),
        ));
    }
    let warn_secs = exp.cert_warn_days.saturating_mul(86_400);
    if now_s <= after && after - now_s < warn_secs {
        out.push(Finding::new(
            Code::PF513,
            format!(
                "the certificate {} expires on {} ({}), within {} days",
                cert.name,
                timefmt::rfc3339(cert.not_after),
                timefmt::relative(after, now_s),
                exp.cert_warn_days
            ),
        ));
    }
    if cert.file_bytes > MAX_CERT_BYTES {
        let der_note = if cert.der_bytes <= MAX_CERT_BYTES {
            format!("; its DER form is {} bytes and fits", cert.der_bytes)
        } else {
            format!("; even its DER form is {} bytes", cert.der_bytes)
        };
        let fix = if cert.der_bytes <= MAX_CERT_BYTES {
            format!(
                "Upload the DER form, which fits: openssl x509 -in {} -outform der -out server.der (this also drops any text or extra certificates in the file).",
                cert.name
            )
        } else {
            "Issue a smaller certificate: fewer extensions and subject alternative names, and no chain.".to_string()
        };
        out.push(
            Finding::new(Code::PF514,
                format!(
                    "the certificate file {} is {} bytes, over the connected app's {MAX_CERT_BYTES}-byte limit{der_note}",
                    cert.name, cert.file_bytes
                ),
            )
            .with_fix(fix),
        );
    }
    if let Some(hash) = cert.weak_hash {
        out.push(Finding::new(
            Code::PF515,
            format!(
                "the certificate {} is signed with {hash} ({})",
                cert.name, cert.signature_algorithm
            ),
        ));
    }
}

fn match_rule(key: &KeyInfo, cert: &CertInfo, out: &mut Findings) {
    let (Some(k), Some(c)) = (key.rsa(), cert.rsa()) else {
        out.skipped(
            CheckGroup::KeyCertMatch,
            "the key or the certificate is not RSA",
        );
        return;
    };
    out.ran(
        CheckGroup::KeyCertMatch,
        format!("{} against {}", key.name, cert.name),
    );
    if &k.public != c {
        let sizes = if k.bits != cert.bits.unwrap_or(0) {
            format!(
                " (a {}-bit key against a {}-bit certificate)",
                k.bits,
                cert.bits.unwrap_or(0)
            )
        } else {
            String::new()
        };
        out.push(
            Finding::new(Code::PF501,
                format!(
                    "the private key {} is not the key of the certificate {} (subject {}, SHA-1 {}){sizes}",
                    key.name, cert.name, cert.subject, cert.sha1_fingerprint
                ),
            )
            .with_fix(format!(
                "Pair the key with its own certificate: make one from this key (openssl req -new -x509 -sha256 -days 365 -key {} -out server.crt) and upload it, or find the key {} was made from.",
                key.name, cert.name
            )),
        );
    }
}
