//! The report formats (human, JSON of SPEC §4, GitHub annotations), `rules`, the README's rule
//! table, completions, and `sign` checked by independent verifiers (openssl, jsonwebtoken).

use crate::util::*;
use predicates::prelude::*;

fn redact_version(s: &str) -> String {
    s.replace(
        concat!("\"version\": \"", env!("CARGO_PKG_VERSION"), "\""),
        "\"version\": \"[version]\"",
    )
}

#[test]
fn json_report_has_the_spec_shape() {
    let (status, r) = check_token("aud-test.jwt", &[]);
    assert_eq!(status, 1);
    let keys: Vec<&str> = r
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "schema",
            "tool",
            "command",
            "verdict",
            "evaluated_at",
            "assertion",
            "key",
            "certificate",
            "checks",
            "findings"
        ]
    );
    assert_eq!(r["schema"], 1);
    assert_eq!(r["tool"]["name"], "jwt-preflight");
    assert_eq!(r["command"], "check");
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["evaluated_at"], NOW);
    assert_eq!(r["key"], serde_json::Value::Null);
    assert_eq!(r["assertion"]["signature_bytes"], 256);
    let f = &r["findings"][0];
    let fkeys: Vec<&str> = f
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        fkeys,
        [
            "code",
            "name",
            "severity",
            "message",
            "fix",
            "salesforce",
            "evidence"
        ]
    );
    assert_eq!(f["code"], "PF323");
    assert_eq!(f["name"], "aud-endpoint-mismatch");
    assert_eq!(
        f["salesforce"],
        serde_json::json!({"error": "invalid_grant", "error_description": "audience is invalid"})
    );
    for c in r["checks"].as_array().into_iter().flatten() {
        assert!(
            ["pass", "fail", "warn", "skip"].contains(&c["status"].as_str().unwrap_or("")),
            "{c}"
        );
    }
    assert_eq!(check_status(&r, "audience"), "fail");
    assert_eq!(check_status(&r, "signature"), "pass");
}

#[test]
fn github_annotations() {
    bin()
        .args([
            "check",
            "--assertion",
            &td("tokens/sig-hash-mismatch.jwt"),
            "--cert",
            &td("server.crt"),
            "--now",
            NOW,
            "--format",
            "github",
        ])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(
                "::error title=PF403 signature-hash-mismatch::signed with SHA-512",
            )
            .and(predicate::str::contains(
                "::error title=PF401 signature-invalid::",
            ))
            .and(predicate::str::contains("jwt-preflight check: fail")),
        );
    bin()
        .args([
            "check",
            "--assertion",
            &td("tokens/exp-far.jwt"),
            "--now",
            NOW,
            "--format",
            "github",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "::warning title=PF335 exp-too-far::",
        ));
}

#[test]
fn human_report_snapshots() {
    let key = private_copy("server.key");
    let pass = bin()
        .args([
            "check",
            "--key",
            &key.path,
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
            "--color",
            "never",
        ])
        .output()
        .expect("runs");
    assert_eq!(pass.status.code(), Some(0));
    let text = String::from_utf8_lossy(&pass.stdout)
        .replace(&key.path, "[key]")
        .replace(&td(""), "testdata/");
    insta::assert_snapshot!("human_pass", text);
    let fail = bin()
        .args([
            "check",
            "--assertion",
            &td("tokens/sig-hash-mismatch.jwt"),
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            "someone@example.com",
            "--now",
            NOW,
            "--color",
            "never",
        ])
        .output()
        .expect("runs");
    assert_eq!(fail.status.code(), Some(1));
    let text = String::from_utf8_lossy(&fail.stdout).replace(&td(""), "testdata/");
    assert!(!text.contains('\u{1b}'), "no colour with --color never");
    insta::assert_snapshot!("human_fail", text);
}

#[test]
fn json_report_snapshot() {
    let out = bin()
        .args([
            "check",
            "--assertion",
            &td("tokens/exp-passed.jwt"),
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = redact_version(&String::from_utf8_lossy(&out.stdout)).replace(&td(""), "testdata/");
    insta::assert_snapshot!("json_fail", text);
}

#[test]
fn colour_follows_the_flag() {
    let out = bin()
        .args([
            "check",
            "--assertion",
            &td("tokens/good.jwt"),
            "--now",
            NOW,
            "--color",
            "always",
        ])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = bin()
        .args(["check", "--assertion", &td("tokens/good.jwt"), "--now", NOW])
        .output()
        .expect("runs");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\u{1b}'),
        "NO_COLOR and a pipe: no colour"
    );
}

#[test]
fn rules_lists_the_catalog() {
    let out = bin().arg("rules").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text.lines().count(), jwt_preflight::catalog::RULES.len());
    assert!(text.contains("PF403  signature-hash-mismatch"));
    let (status, r) = json_run(&["rules"]);
    assert_eq!(status, 0);
    assert_eq!(
        r["rules"].as_array().map(Vec::len),
        Some(jwt_preflight::catalog::RULES.len())
    );
}

#[test]
fn readme_rule_table_is_generated_from_the_catalog() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table = jwt_preflight::report::markdown::rules_table();
    assert!(
        readme.contains(&table),
        "README.md's rule table is stale: replace it with the output of `jwt-preflight rules --markdown`"
    );
}

#[test]
fn explain_a_rule_code() {
    bin()
        .args(["explain", "PF403"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("signature-hash-mismatch"));
    bin().args(["explain", "PF999"]).assert().code(2);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        bin()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("jwt-preflight"));
    }
}

fn b64url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}

#[test]
fn sign_output_verifies_with_openssl() {
    let key = private_copy("server.key");
    let out = bin()
        .args([
            "sign", "--key", &key.path, "-i", ISS, "-o", SUB, "--now", NOW,
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("live credential"));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let (input, sig) = token.rsplit_once('.').expect("three segments");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n).display().to_string();
    std::fs::write(p("input"), input).expect("write");
    std::fs::write(p("sig"), b64url_decode(sig)).expect("write");
    let pubkey = std::process::Command::new("openssl")
        .args([
            "x509",
            "-pubkey",
            "-noout",
            "-in",
            &td("server.crt"),
            "-out",
            &p("pub.pem"),
        ])
        .status()
        .expect("openssl runs");
    assert!(pubkey.success());
    let verify = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            &p("pub.pem"),
            "-signature",
            &p("sig"),
            &p("input"),
        ])
        .output()
        .expect("openssl runs");
    assert_eq!(
        String::from_utf8_lossy(&verify.stdout).trim(),
        "Verified OK"
    );
    // And with an independent JWT library.
    let cert = std::fs::read(td("server.crt")).expect("read cert");
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(&cert).expect("cert as decoding key");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.validate_exp = false;
    v.set_audience(&["https://login.salesforce.com"]);
    v.set_issuer(&[ISS]);
    v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let data =
        jsonwebtoken::decode::<serde_json::Value>(&token, &key, &v).expect("jsonwebtoken verifies");
    assert_eq!(data.claims["exp"], 1_780_315_380i64);
    assert_eq!(data.claims["sub"], SUB);
}

#[test]
fn sign_request_prints_the_form_body() {
    let key = private_copy("server.key");
    bin()
        .args([
            "sign",
            "--key",
            &key.path,
            "-i",
            ISS,
            "-o",
            SUB,
            "-r",
            "https://acme.my.salesforce.com/",
            "--request",
            "--now",
            NOW,
        ])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("POST https://acme.my.salesforce.com/services/oauth2/token")
                .and(predicate::str::contains(
                    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey",
                ))
                .and(predicate::str::contains("curl -sS -X POST")),
        );
}

#[test]
fn explain_never_echoes_a_signature() {
    let token = good_token();
    let sig = good_signature();
    let pasted = format!(
        "curl -X POST https://login.salesforce.com/services/oauth2/token -d 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion={}'\n{{\"error\":\"invalid_grant\",\"error_description\":\"audience is invalid\"}}",
        token.trim()
    );
    for format in ["human", "json"] {
        let out = bin()
            .args(["explain", "-", "--format", format])
            .write_stdin(pasted.clone())
            .output()
            .expect("runs");
        let all = all_output(&out);
        assert!(
            !all.contains(&sig[..30]),
            "{format}: signature echoed:\n{all}"
        );
    }
    let out = bin()
        .args(["explain", &td("tokens/good.jwt")])
        .output()
        .expect("runs");
    let all = all_output(&out);
    assert!(
        !all.contains(&sig[..30]),
        "token file: signature echoed:\n{all}"
    );
}

/// The certificate's serial and fingerprints, as openssl prints them (the Salesforce UI shows
/// the same colon-separated upper-case hex).
#[test]
fn certificate_serial_and_fingerprints_match_openssl() {
    for cert in ["server.crt", "other.crt", "rsa4096.crt", "ec.crt"] {
        let (_, r) = json_run(&[
            "check",
            "--key",
            &td("server.key"),
            "--cert",
            &td(cert),
            "-i",
            "3MVG9testConsumerKey.jwtpreflight0123456789",
            "-o",
            "ci@example.com",
        ]);
        let c = &r["certificate"];
        let openssl = |flags: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(["x509", "-noout", "-in", &td(cert)])
                .args(flags)
                .output()
                .expect("openssl runs");
            let text = String::from_utf8_lossy(&out.stdout);
            text.trim()
                .split_once('=')
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            c["serial"].as_str().map(|s| s.replace(':', "")),
            Some(openssl(&["-serial"])),
            "{cert}"
        );
        assert_eq!(
            c["sha1_fingerprint"].as_str(),
            Some(openssl(&["-fingerprint", "-sha1"]).as_str()),
            "{cert}"
        );
        assert_eq!(
            c["sha256_fingerprint"].as_str(),
            Some(openssl(&["-fingerprint", "-sha256"]).as_str()),
            "{cert}"
        );
    }
}
