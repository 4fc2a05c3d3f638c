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
    (
        "sig-truncated.jwt",
        "PF405",
        "255 bytes, but the certificate's 2048-bit key makes 256-byte signatures: it was truncated on the way",
    ),
    (
        "sig-leading-zero.jwt",
        "PF405",
        "extra leading zero byte; without it the signature verifies",
    ),
    (
        "sig-4096.jwt",
        "PF405",
        "that is the size a 4096-bit key makes, so a larger key than the certificate's signed it",
    ),
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

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// The good token with its signature replaced by `sig`, in a temporary file.
fn with_signature(sig: &[u8]) -> (tempfile::TempDir, String) {
    let token = good_token();
    let input = token.rsplit_once('.').map(|(i, _)| i).unwrap_or_default();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.jwt");
    std::fs::write(&path, format!("{input}.{}", B64.encode(sig))).expect("write");
    let path = path.display().to_string();
    (dir, path)
}

fn check_file(path: &str) -> serde_json::Value {
    let (status, r) = json_run(&[
        "check",
        "--assertion",
        path,
        "--cert",
        &td("server.crt"),
        "-i",
        ISS,
        "-o",
        SUB,
        "--now",
        NOW,
    ]);
    assert_eq!(status, 1, "{r}");
    r
}

#[test]
fn every_kind_of_wrong_length_is_told_apart() {
    let good = B64.decode(good_signature()).expect("base64url");
    let mut extra = good.clone();
    extra.extend([1, 2, 3]);
    let mut zero_then_more = vec![0, 0];
    zero_then_more.extend(&good);
    let mut zero_not_signature = vec![0];
    zero_not_signature.extend(good.iter().map(|b| b ^ 0x55));
    // What a 1024-bit key signs: openssl, over the good token's signing input.
    let token = good_token();
    let input = token.rsplit_once('.').map(|(i, _)| i).unwrap_or_default();
    let small = openssl_sign(&["-sha256"], "small.key", input);
    for (sig, words) in [
        (
            extra,
            "259 bytes, but the certificate's 2048-bit key makes 256-byte signatures: extra bytes were added to it",
        ),
        // Two bytes too many, the first zero: not the one extra sign byte.
        (
            zero_then_more,
            "258 bytes, but the certificate's 2048-bit key makes 256-byte signatures: extra bytes were added to it",
        ),
        (zero_not_signature, "it has an extra leading zero byte"),
        (
            small,
            "128 bytes, but the certificate's 2048-bit key makes 256-byte signatures: that is the size a 1024-bit key makes, so a smaller key signed it",
        ),
    ] {
        let (_dir, path) = with_signature(&sig);
        let r = check_file(&path);
        let msg = message(&r, "PF405");
        assert!(msg.contains(words), "{msg}");
        if words.contains("leading zero") {
            assert!(!msg.contains("verifies"), "{msg}");
        }
    }
}

/// Signs `input` with openssl (`openssl dgst <args> -sign testdata/<key>`).
fn openssl_sign(args: &[&str], key: &str, input: &str) -> Vec<u8> {
    let k = private_copy(key);
    let dir = tempfile::tempdir().expect("tempdir");
    let msg = dir.path().join("msg");
    std::fs::write(&msg, input).expect("write");
    let out = std::process::Command::new("openssl")
        .arg("dgst")
        .args(args)
        .args(["-sign", &k.path])
        .arg(&msg)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_hash_other_than_the_header_says_is_named_with_its_alg() {
    let claims = good_token()
        .split('.')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    for (header_alg, openssl_hash, signed) in [
        (
            "RS384",
            "-sha256",
            "signed with SHA-256 (RS256) but the header says RS384 (SHA-384)",
        ),
        (
            "RS256",
            "-sha384",
            "signed with SHA-384 (RS384) but the header says RS256 (SHA-256)",
        ),
        (
            "RS512",
            "-sha1",
            "signed with SHA-1 but the header says RS512 (SHA-512)",
        ),
    ] {
        let header = B64.encode(format!(r#"{{"alg":"{header_alg}"}}"#));
        let input = format!("{header}.{claims}");
        let sig = openssl_sign(&[openssl_hash], "server.key", &input);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.jwt");
        std::fs::write(&path, format!("{input}.{}", B64.encode(&sig))).expect("write");
        let (_, r) = json_run(&[
            "check",
            "--assertion",
            &path.display().to_string(),
            "--cert",
            &td("server.crt"),
            "--expect-alg",
            header_alg,
            "--now",
            NOW,
        ]);
        let msg = message(&r, "PF403");
        assert!(msg.starts_with(signed), "{msg}");
        assert!(msg.contains("only the hash is wrong"), "{msg}");
    }
}

#[test]
fn an_alg_of_just_hs_is_not_taken_for_an_hmac() {
    let claims = good_token()
        .split('.')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let sig = B64.decode(good_signature()).expect("base64url");
    let (_dir, path) = {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.jwt");
        std::fs::write(
            &path,
            format!(
                "{}.{claims}.{}",
                B64.encode(r#"{"alg":"HS"}"#),
                B64.encode(sig)
            ),
        )
        .expect("write");
        let p = path.display().to_string();
        (dir, p)
    };
    let r = check_file(&path);
    let msg = message(&r, "PF401");
    assert!(!msg.contains("HMAC"), "{msg}");
    assert!(msg.contains("under RS256"), "{msg}");
}
