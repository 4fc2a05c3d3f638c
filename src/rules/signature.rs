//! PF401–PF407: whether the assertion's signature verifies with the certificate's key, and,
//! when it does not, why, in words. The crypto and the forensic classification are in
//! `crate::signature`; this module only chooses the finding and says it.

use super::{Expectations, Material};
use crate::catalog::{CheckGroup, Code};
use crate::finding::{Finding, Findings};
use crate::material::key::RsaPublic;
use crate::signature::{self, Alg, Defect, Diagnosis, SignedInstead};
use crate::token::Token;

/// What is known about the private key given with `--key`, for the PF402 message.
#[derive(Debug, Clone, Copy)]
pub struct GivenKey<'a> {
    /// Its name.
    pub name: &'a str,
    /// Whether its public half is the certificate's key.
    pub matches_certificate: bool,
    /// Whether the assertion verifies with it (when it does not match the certificate).
    pub signed_this: bool,
}

/// The outcome of checking an assertion's signature against the certificate's key.
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    /// Whether it verified.
    pub verified: bool,
    /// PF401 and the diagnosis (PF402–PF407); empty when it verified.
    pub findings: Vec<Finding>,
}

/// Runs PF401–PF407 on `token` with the certificate of `material`.
pub fn evaluate(token: &Token, material: &Material<'_>, exp: &Expectations, out: &mut Findings) {
    if !token.is_three_segments() {
        out.skipped(CheckGroup::Signature, "the token has no signature segment");
        return;
    }
    let Some(cert) = material.cert else {
        out.skipped(
            CheckGroup::Signature,
            "no certificate (--cert) to verify against",
        );
        return;
    };
    let Some(cert_key) = cert.rsa() else {
        out.skipped(
            CheckGroup::Signature,
            format!("the certificate's key is {}, not RSA", cert.algorithm()),
        );
        return;
    };
    if let Some(alg) = token
        .alg()
        .filter(|a| a.len() > 2 && a.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("HS")))
    {
        out.push(Finding::new(
            Code::PF401,
            format!("the signature is an HMAC tag ({alg}), which no certificate can verify"),
        ));
        out.ran(CheckGroup::Signature, "HMAC tag, not an RSA signature");
        return;
    }
    let alg = signature::alg_for_token(token, exp.expect_alg);
    let given = material.key.and_then(|k| k.rsa()).map(|k| {
        let matches_certificate = &k.public == cert_key;
        let signed_this = !matches_certificate
            && token.signature.as_deref().is_some_and(|sig| {
                signature::verify(&k.public, alg.hash(), token.signing_input().as_bytes(), sig)
                    .is_ok()
            });
        GivenKey {
            name: material.key.map(|k| k.name.as_str()).unwrap_or("--key"),
            matches_certificate,
            signed_this,
        }
    });
    let result = check_token(token, cert_key, alg, given);
    out.ran(
        CheckGroup::Signature,
        if result.verified {
            format!("verified with the certificate's key under {alg}")
        } else {
            format!("does not verify under {alg}")
        },
    );
    out.extend(result.findings);
}

/// Checks the signature of `token` with the certificate's `key` under `alg` and explains a
/// failure.
pub fn check_token(
    token: &Token,
    key: &RsaPublic,
    alg: Alg,
    given: Option<GivenKey<'_>>,
) -> SignatureCheck {
    let failed = |findings| SignatureCheck {
        verified: false,
        findings,
    };
    let Some(sig) = token.signature.as_deref() else {
        return failed(vec![Finding::new(
            Code::PF401,
            "the signature segment cannot be decoded, so it cannot verify",
        )]);
    };
    if sig.is_empty() {
        return failed(vec![
            Finding::new(Code::PF401, "there is no signature to verify"),
            Finding::new(
                Code::PF407,
                "the signature segment is empty: the assertion is unsigned",
            ),
        ]);
    }
    let hash = alg.hash();
    if signature::verify(key, hash, token.signing_input().as_bytes(), sig).is_ok() {
        return SignatureCheck {
            verified: true,
            findings: Vec::new(),
        };
    }
    let bits = key.bits();
    let diagnosis = signature::diagnose(token, key, hash, sig);
    failed(vec![
        Finding::new(
            Code::PF401,
            format!(
                "the signature does not verify with the certificate's {bits}-bit RSA key under {alg}"
            ),
        ),
        explain(&diagnosis, alg, bits, given),
    ])
}

/// The finding for a diagnosis.
fn explain(d: &Diagnosis, alg: Alg, bits: usize, given: Option<GivenKey<'_>>) -> Finding {
    let hash = alg.hash();
    match d {
        Diagnosis::Length {
            got,
            want,
            leading_zero,
        } => length_finding(*got, *want, *leading_zero, bits),
        Diagnosis::OtherKey {
            larger_than_modulus: true,
        } => other_key_finding(
            given,
            "the signature is larger than the certificate's modulus",
        ),
        Diagnosis::OtherKey { .. } => other_key_finding(
            given,
            "undoing it with the certificate's public key gives no PKCS#1 v1.5 block",
        ),
        Diagnosis::Pss => Finding::new(
            Code::PF406,
            format!(
                "the signature is PSS-encoded (its block ends in 0xbc): this looks like PS256, not {alg}"
            ),
        )
        .with_fix("Sign with RSASSA-PKCS1-v1_5 (RS256), not RSASSA-PSS (PS256): in most libraries that is the algorithm name RS256; with openssl, drop -sigopt rsa_padding_mode:pss."),
        Diagnosis::Malformed(defects) => Finding::new(
            Code::PF406,
            format!(
                "the right key signed, but the PKCS#1 v1.5 block is malformed: {}",
                defects.iter().map(describe_defect).collect::<Vec<_>>().join("; ")
            ),
        ),
        Diagnosis::UnknownDigestInfo => Finding::new(
            Code::PF406,
            "the right key signed, but the block holds no DigestInfo this tool recognises",
        ),
        Diagnosis::HashMismatch {
            signed,
            over_right_bytes,
        } => {
            let label = signed
                .jws_alg()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            let over = if *over_right_bytes {
                "; the digest is over the right bytes, so only the hash is wrong"
            } else {
                ""
            };
            Finding::new(
                Code::PF403,
                format!("signed with {signed}{label} but the header says {alg} ({hash}){over}"),
            )
            .with_fix(format!(
                "Sign with {hash} as the header says ({alg}); with openssl: openssl dgst -{} -sign server.key. Or, if the app really expects {}, change the header to match.",
                hash.name().to_lowercase().replace('-', ""),
                signed.jws_alg().unwrap_or(signed.name())
            ))
        }
        Diagnosis::AlteredInput(Some(what)) => Finding::new(
            Code::PF404,
            format!(
                "the right key and hash signed, but over {}, not over the header.claims text as sent",
                describe_signed(*what)
            ),
        ),
        Diagnosis::AlteredInput(None) => Finding::new(
            Code::PF404,
            "the right key and hash signed, but over other bytes: the token was changed after signing (or the signer signed something else)",
        ),
    }
}

fn length_finding(got: usize, want: usize, leading_zero: Option<bool>, bits: usize) -> Finding {
    let detail = match leading_zero {
        Some(fixed) => format!(
            "it has an extra leading zero byte{}",
            if fixed {
                "; without it the signature verifies (the signer kept a sign byte from a big-integer encoding)"
            } else {
                ""
            }
        ),
        None => {
            let size = got * 8;
            let common = matches!(size, 1024 | 2048 | 3072 | 4096 | 8192);
            match (got < want, common) {
                (true, true) => format!(
                    "that is the size a {size}-bit key makes, so a smaller key signed it (or it was cut short)"
                ),
                (true, false) => "it was truncated on the way".to_string(),
                (false, true) => format!(
                    "that is the size a {size}-bit key makes, so a larger key than the certificate's signed it"
                ),
                (false, false) => "extra bytes were added to it".to_string(),
            }
        }
    };
    Finding::new(
        Code::PF405,
        format!(
            "the signature is {got} bytes, but the certificate's {bits}-bit key makes {want}-byte signatures: {detail}"
        ),
    )
}

fn other_key_finding(given: Option<GivenKey<'_>>, what: &str) -> Finding {
    let mut message = String::new();
    match given {
        Some(g) if !g.matches_certificate => {
            message.push_str(&format!(
                "the key {} does not belong to the certificate ({}){}; ",
                g.name,
                Code::PF501,
                if g.signed_this {
                    ", and it is the key that signed this assertion"
                } else {
                    ""
                }
            ));
        }
        Some(g) => message.push_str(&format!(
            "the key {} belongs to the certificate, so it did not sign this assertion; ",
            g.name
        )),
        None => {}
    }
    message.push_str(what);
    message.push_str(": another private key signed it");
    Finding::new(Code::PF402, message)
}

fn describe_defect(d: &Defect) -> String {
    match d {
        Defect::BlockType2 => {
            "block type 2 (encryption padding) instead of 1 (signature padding)".to_string()
        }
        Defect::NoDigestInfo => "no DigestInfo could be found after the padding".to_string(),
        Defect::MissingNull => "the DigestInfo lacks the NULL algorithm parameters".to_string(),
        Defect::BerLength => "the DigestInfo uses a BER long-form length, not DER".to_string(),
        Defect::TrailingData(n) => format!("{n} bytes of trailing data after the digest"),
        Defect::ShortPadding(n) => {
            format!("a padding string of {n} bytes (at least 8 are required)")
        }
        Defect::PaddingEndsEarly { at, extra } => format!(
            "the padding string ends at byte {at} and is followed by {extra} extra bytes before the DigestInfo"
        ),
        Defect::NoSeparator => "no zero byte separates the padding from the DigestInfo".to_string(),
        Defect::ZeroInPadding(at) => format!("a zero byte inside the padding string (byte {at})"),
        Defect::NotFfPadding => "padding bytes other than 0xFF".to_string(),
    }
}

fn describe_signed(s: SignedInstead) -> &'static str {
    match s {
        SignedInstead::PaddedBase64url => "the segments with '=' padding (base64url with padding)",
        SignedInstead::StandardBase64 => {
            "standard base64 ('+', '/' and '=' padding) instead of base64url"
        }
        SignedInstead::StandardBase64NoPad => {
            "standard base64 without padding instead of base64url"
        }
        SignedInstead::StrictBase64url => "strict base64url (the token as sent is not)",
        SignedInstead::TrailingNewline => "the signing input followed by a newline (\\n)",
        SignedInstead::TrailingCrlf => "the signing input followed by CRLF (\\r\\n)",
        SignedInstead::ClaimsSegmentOnly => "the claims segment alone, without the header",
        SignedInstead::DecodedJson => "the decoded JSON (header.claims) instead of its base64url",
        SignedInstead::DecodedClaimsOnly => "the decoded claims JSON alone",
        SignedInstead::ClaimsSegmentWithNewline => "the claims segment followed by a newline",
    }
}
