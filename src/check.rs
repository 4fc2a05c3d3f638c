//! The `check` pipeline as a pure function: material, expectations and `now` in, report out.

use crate::assertion;
use crate::error::Error;
use crate::material::{CertInfo, KeyInfo};
use crate::report::{AssertionSource, AssertionSummary, CertSummary, KeySummary, Report};
use crate::rules::{self, Expectations, Material, audience};
use crate::signature::Alg;
use crate::token::{self, Token};
use chrono::{DateTime, Utc};

/// Where the assertion under check comes from.
#[derive(Debug, Clone)]
pub enum AssertionInput {
    /// Build it from the key and the expectations, as `sign` would.
    Build {
        /// RS256, RS384 or RS512.
        alg: Alg,
        /// exp = now + lifetime.
        lifetime: i64,
    },
    /// Check one built elsewhere.
    Given {
        /// The token text.
        text: String,
        /// File or stdin.
        source: AssertionSource,
    },
}

/// Everything `check` needs.
#[derive(Debug, Clone)]
pub struct CheckInput<'a> {
    /// The private key, when given.
    pub key: Option<&'a KeyInfo>,
    /// The key file's permission bits, when known.
    pub key_mode: Option<u32>,
    /// The certificate: `--cert`, or the one inside a PKCS#12 key.
    pub cert: Option<&'a CertInfo>,
    /// The assertion.
    pub assertion: AssertionInput,
    /// Expected values.
    pub expectations: &'a Expectations,
    /// The instant every time rule uses.
    pub now: DateTime<Utc>,
    /// Whether warnings fail.
    pub strict: bool,
    /// What `--clock-check` measured, when it ran.
    pub clock: Option<crate::rules::clock::ClockReading>,
    /// Findings from outside the material: `serve`'s judgement of the host a request reached.
    pub extra: Vec<crate::finding::Finding>,
}

/// Builds the assertion a careful client sends for these expectations. `Ok(None)` when the
/// key cannot sign (not RSA, too small, inconsistent): the key rules then say why.
pub fn build_assertion(
    key: &KeyInfo,
    exp: &Expectations,
    alg: Alg,
    lifetime: i64,
    now: DateTime<Utc>,
) -> Result<Option<String>, Error> {
    let (Some(iss), Some(sub)) = (&exp.client_id, &exp.username) else {
        return Err(Error::new(
            "building an assertion needs --client-id (the consumer key) and --username; or check an existing one with --assertion FILE",
        ));
    };
    let Some(rsa) = key.rsa().filter(|k| k.can_sign()) else {
        // Not RSA, too small or inconsistent: the key rules say why. Anything else is a
        // policy refusal that no rule covers, so stop here with the reason.
        if let Some(k) = key
            .rsa()
            .filter(|k| k.bits >= 1024 && k.inconsistency.is_none())
        {
            return Err(Error::new(format!("{}: {}", key.name, k.notes.join("; "))));
        }
        return Ok(None);
    };
    let aud = audience::default_audience(exp);
    let claims = assertion::claims(iss, sub, &aud, now.timestamp().saturating_add(lifetime));
    assertion::sign(rsa, alg, &claims)
        .map(Some)
        .map_err(|e| Error::new(format!("{}: {e}", key.name)))
}

/// Runs `check`.
pub fn run(input: &CheckInput<'_>) -> Result<Report, Error> {
    let (token, source): (Option<Token>, Option<AssertionSource>) = match &input.assertion {
        AssertionInput::Given { text, source } => (Some(token::parse(text)), Some(*source)),
        AssertionInput::Build { alg, lifetime } => {
            let Some(key) = input.key else {
                return Err(Error::new(
                    "nothing to check: give --key (to build an assertion) or --assertion FILE",
                ));
            };
            let built = build_assertion(key, input.expectations, *alg, *lifetime, input.now)?;
            (
                built.map(|t| token::parse(&t)),
                Some(AssertionSource::Built),
            )
        }
    };
    let material = Material {
        token: token.as_ref(),
        key: input.key,
        key_mode: input.key_mode,
        cert: input.cert,
    };
    let mut findings = rules::evaluate(&material, input.expectations, input.now);
    if let Some(reading) = &input.clock {
        // What the assertion has left by the local clock: exp - now, as Salesforce would
        // count it if our clock were right.
        let remaining = token
            .as_ref()
            .and_then(|t| t.claims.as_ref())
            .and_then(|c| c.get("exp"))
            .and_then(|v| rules::time::NumericDate::read(v).value())
            .map(|exp| exp.saturating_sub(input.now.timestamp()));
        rules::clock::evaluate(reading, remaining, &mut findings);
    }
    findings.extend(input.extra.iter().cloned());
    let (checks, findings) = findings.finish();
    Ok(Report {
        command: crate::report::CommandName::Check,
        evaluated_at: input.now,
        assertion: token
            .as_ref()
            .zip(source)
            .map(|(t, s)| AssertionSummary::new(s, t)),
        key: input.key.map(KeySummary::new),
        certificate: input.cert.map(CertSummary::new),
        checks,
        findings,
        strict: input.strict,
    })
}
