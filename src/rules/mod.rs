//! The rules: pure functions from material and expectations to findings. Each family has its
//! module; [`evaluate`] runs them all and records which groups ran and which were skipped.

pub mod audience;
pub mod claims;
pub mod clock;
pub mod header;
pub mod keycert;
pub mod signature;
pub mod time;

use crate::catalog::CheckGroup;
use crate::finding::Findings;
use crate::material::{CertInfo, KeyInfo};
use crate::signature::Alg;
use crate::token::Token;
use chrono::{DateTime, Utc};

/// What the assertion is expected to carry, from flags, environment or a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// `--client-id`: the expected `iss`.
    pub client_id: Option<String>,
    /// `--username`: the expected `sub`.
    pub username: Option<String>,
    /// `--login-url`: where the token request goes.
    pub login_url: String,
    /// `--audience`: the expected `aud`, when given explicitly.
    pub audience: Option<String>,
    /// `--expect-alg`: RS256 unless told otherwise.
    pub expect_alg: Alg,
    /// `--cert-warn-days`: the PF513 threshold.
    pub cert_warn_days: i64,
}

impl Default for Expectations {
    fn default() -> Self {
        Expectations {
            client_id: None,
            username: None,
            login_url: crate::defaults::LOGIN_URL.to_string(),
            audience: None,
            expect_alg: Alg::default(),
            cert_warn_days: crate::defaults::CERT_WARN_DAYS,
        }
    }
}

/// Everything the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Material<'a> {
    /// The assertion, when there is one.
    pub token: Option<&'a Token>,
    /// The private key, when given.
    pub key: Option<&'a KeyInfo>,
    /// The key file's Unix permission bits, when known.
    pub key_mode: Option<u32>,
    /// The certificate, when given (or found in a PKCS#12 archive).
    pub cert: Option<&'a CertInfo>,
}

/// Runs every rule family on `material` at instant `now`.
pub fn evaluate(material: &Material<'_>, exp: &Expectations, now: DateTime<Utc>) -> Findings {
    let mut out = Findings::new();
    match material.token {
        Some(token) => evaluate_token(token, material, exp, now, &mut out),
        None => {
            for group in [
                CheckGroup::Structure,
                CheckGroup::Header,
                CheckGroup::Issuer,
                CheckGroup::Subject,
                CheckGroup::Audience,
                CheckGroup::Time,
                CheckGroup::Signature,
            ] {
                out.skipped(group, "no assertion");
            }
        }
    }
    keycert::evaluate(material, exp, now, &mut out);
    audience::evaluate_login_url(exp, &mut out);
    out
}

fn evaluate_token(
    token: &Token,
    material: &Material<'_>,
    exp: &Expectations,
    now: DateTime<Utc>,
    out: &mut Findings,
) {
    out.extend(token.findings.iter().cloned());
    out.ran(
        CheckGroup::Structure,
        format!(
            "{} segment{}",
            token.segment_count,
            if token.segment_count == 1 { "" } else { "s" }
        ),
    );
    match &token.header {
        Some(h) => header::evaluate(h, exp, out),
        None => out.skipped(CheckGroup::Header, "the header is unreadable"),
    }
    match &token.claims {
        Some(c) => {
            claims::evaluate_issuer(c, exp, out);
            claims::evaluate_subject(c, exp, out);
            audience::evaluate(c, exp, out);
            time::evaluate(c, now, out);
        }
        None => {
            for g in [
                CheckGroup::Issuer,
                CheckGroup::Subject,
                CheckGroup::Audience,
                CheckGroup::Time,
            ] {
                out.skipped(g, "the claims are unreadable");
            }
        }
    }
    signature::evaluate(token, material, exp, out);
}
