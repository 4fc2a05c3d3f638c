//! PF401–PF407: each signature failure is diagnosed with the right code and words. Every
//! fixture was made by openssl (testdata/gen.sh), never by our signer.

use crate::util::*;

/// (token, code, words the message must contain).
const CASES: &[(&str, &str, &str)] = &[
    (
        "sig-other-key.jwt",
        "PF402",
        "another private key signed it",
    ),
    (
        "sig-hash-mismatch.jwt",
        "PF403",
        "signed with SHA-512 (RS512) but the header says RS256",
    ),
    (
        "sig-altered.jwt",
        "PF404",
        "the token was changed after signing",
    ),
    ("sig-padded-input.jwt", "PF404", "'=' padding"),
    ("sig-stdbase64-input.jwt", "PF404", "standard base64"),
    ("sig-newline.jwt", "PF404", "followed by a newline"),
    ("sig-crlf.jwt", "PF404", "CRLF"),
    ("sig-claims-only.jwt", "PF404", "the claims segment alone"),
    ("sig-json.jwt", "PF404", "the decoded JSON"),
    ("sig-truncated.jwt", "PF405", "255 bytes"),
    (
        "sig-leading-zero.jwt",
        "PF405",
        "extra leading zero byte; without it the signature verifies",
    ),
    ("sig-4096.jwt", "PF405", "a 4096-bit key"),
    ("sig-pss.jwt", "PF406", "this looks like PS256"),
    ("alg-ps256.jwt", "PF406", "PSS-encoded"),
    ("sig-missing-null.jwt", "PF406", "lacks the NULL"),
    (
        "sig-zero-in-padding.jwt",
        "PF406",
        "a zero byte inside the padding string",
    ),
    (
        "sig-short-padding.jwt",
        "PF406",
        "a padding string of 7 bytes",
    ),
    ("sig-blocktype2.jwt", "PF406", "block type 2"),
    ("sig-trailing-data.jwt", "PF406", "4 bytes of trailing data"),
    ("sig-ber-length.jwt", "PF406", "BER"),
    ("sig-empty.jwt", "PF407", "empty"),
    ("alg-none.jwt", "PF407", "unsigned"),
];

#[test]
fn every_signature_failure_is_diagnosed() {
    let mut failures = Vec::new();
    for (fixture, code, words) in CASES {
        let (status, r) = check_token(fixture, &[]);
        let found = codes(&r);
        if status != 1 || !found.iter().any(|(c, s)| c == "PF401" && s == "error") {
            failures.push(format!("{fixture}: no PF401 or exit {status}: {found:?}"));
        }
        let msg = message(&r, code);
        if !msg.contains(words) {
            failures.push(format!(
                "{fixture}: {code} message {msg:?} lacks {words:?} ({found:?})"
            ));
        }
        // Exactly one diagnosis besides PF401 (and PF2xx for the alg fixtures).
        let diagnoses: Vec<_> = found
            .iter()
            .filter(|(c, _)| c.starts_with("PF40") && c != "PF401")
            .collect();
        if diagnoses.len() != 1 {
            failures.push(format!("{fixture}: diagnoses {diagnoses:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn other_key_names_the_given_key() {
    let server = private_copy("server.key");
    let other = private_copy("other.key");
    // The --key matches the certificate: so it did not sign this.
    let (_, r) = json_run(&[
        "check",
        "--assertion",
        &td("tokens/sig-other-key.jwt"),
        "--cert",
        &td("server.crt"),
        "--key",
        &server.path,
        "--now",
        NOW,
    ]);
    assert!(
        message(&r, "PF402").contains("belongs to the certificate, so it did not sign"),
        "{}",
        message(&r, "PF402")
    );
    // The --key is the one that signed, and it does not match the certificate: say so first.
    let (_, r) = json_run(&[
        "check",
        "--assertion",
        &td("tokens/sig-other-key.jwt"),
        "--cert",
        &td("server.crt"),
        "--key",
        &other.path,
        "--now",
        NOW,
    ]);
    let msg = message(&r, "PF402");
    assert!(
        msg.starts_with(&format!(
            "the key {} does not belong to the certificate (PF501), and it is the key that signed",
            other.path
        )),
        "{msg}"
    );
    assert!(codes(&r).iter().any(|(c, _)| c == "PF501"));
}

#[test]
fn hmac_token_is_not_diagnosed_as_rsa() {
    let (_, r) = check_token("alg-hs256.jwt", &[]);
    assert!(message(&r, "PF401").contains("HMAC"));
    assert!(!codes(&r).iter().any(|(c, _)| c == "PF405"));
}
