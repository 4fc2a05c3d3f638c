//! Every key, certificate and assertion format, and every kind of bad input: each bad input
//! gets a one-line message naming it, and the documented exit status.

use crate::util::*;
use predicates::prelude::*;

fn check_pair(key: &str, cert: Option<&str>, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = bin();
    c.args(["check", "--key", key, "-i", ISS, "-o", SUB, "--now", NOW]);
    if let Some(cert) = cert {
        c.args(["--cert", cert]);
    }
    c.args(extra).assert()
}

#[test]
fn every_key_format_reads_and_passes() {
    for (fixture, format) in [
        ("server.key", "pkcs8"),
        ("server.pkcs1.key", "pkcs1"),
        ("server.pkcs8.der", "der"),
        ("server.pkcs1.der", "der"),
    ] {
        let k = private_copy(fixture);
        let (status, r) = json_run(&[
            "check",
            "--key",
            &k.path,
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
        ]);
        assert_eq!((status, codes(&r)), (0, vec![]), "{fixture}");
        assert_eq!(r["key"]["format"], format, "{fixture}");
        assert_eq!(r["key"]["bits"], 2048, "{fixture}");
    }
}

#[test]
fn encrypted_keys_with_env_and_file_passphrases() {
    for fixture in ["server.enc.key", "server.scrypt.key"] {
        let k = private_copy(fixture);
        let mut c = bin();
        c.env("PF_TEST_PASS", "preflight-test-pass");
        c.args([
            "check",
            "--key",
            &k.path,
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
            "--passphrase-env",
            "PF_TEST_PASS",
        ])
        .assert()
        .code(0);
        check_pair(
            &k.path,
            Some(&td("server.crt")),
            &["--passphrase-file", &td("passphrase.txt")],
        )
        .code(0);
    }
}

#[test]
fn missing_passphrase_source_is_named() {
    let k = private_copy("server.enc.key");
    check_pair(
        &k.path,
        Some(&td("server.crt")),
        &["--passphrase-env", "PF_TEST_UNSET_VAR"],
    )
    .code(2)
    .stderr(
        // The variable's name is not echoed: it might be a passphrase typed in its place.
        predicate::str::contains("PF_TEST_UNSET_VAR")
            .not()
            .and(predicate::str::contains("--passphrase-env"))
            .and(predicate::str::contains("server.enc.key")),
    );
    // No terminal, no source: say how to give one.
    check_pair(&k.path, Some(&td("server.crt")), &[])
        .code(2)
        .stderr(predicate::str::contains("--passphrase-env"));
}

#[test]
fn wrong_passphrase() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = dir.path().join("wrong.txt");
    std::fs::write(&wrong, "not-the-passphrase").expect("write");
    let wrong = wrong.display().to_string();
    for fixture in ["server.enc.key", "server.p12"] {
        let k = private_copy(fixture);
        check_pair(&k.path, None, &["--passphrase-file", &wrong])
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{fixture}: wrong passphrase or corrupted file"
            )));
    }
}

#[test]
fn pkcs12_brings_its_certificate() {
    for fixture in ["server.p12", "server.legacy.p12", "server.keytool.p12"] {
        let k = private_copy(fixture);
        let (status, r) = json_run(&[
            "check",
            "--key",
            &k.path,
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
            "--passphrase-file",
            &td("passphrase.txt"),
        ]);
        assert_eq!(status, 0, "{fixture}: {r:#}");
        assert_eq!(r["key"]["format"], "pkcs12");
        assert_eq!(
            r["certificate"]["subject"], "CN=jwt-preflight-test, O=Example",
            "{fixture}"
        );
        assert_eq!(check_status(&r, "signature"), "pass", "{fixture}");
        assert_eq!(check_status(&r, "key-cert-match"), "pass", "{fixture}");
    }
}

#[test]
fn legacy_encryptions_get_the_converting_command() {
    check_pair(&td("server.legacy-dek.key"), None, &[])
        .code(2)
        .stderr(
            predicate::str::contains("legacy OpenSSL-encrypted PEM").and(predicate::str::contains(
                "openssl pkcs8 -topk8 -v2 aes-256-cbc",
            )),
        );
    check_pair(&td("server.pbe-3des.key"), None, &[])
        .code(2)
        .stderr(
            predicate::str::contains("PKCS#12 PBE").and(predicate::str::contains(
                "openssl pkcs8 -topk8 -v2 aes-256-cbc",
            )),
        );
}

#[test]
fn certificate_formats() {
    let k = private_copy("server.key");
    for cert in ["server.der.crt", "server.crlf.crt", "chain.crt"] {
        let (_, r) = json_run(&[
            "check",
            "--key",
            &k.path,
            "--cert",
            &td(cert),
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
        ]);
        // The CRLF copy carries `openssl x509 -text` output before the block, which makes the
        // file too large to upload (PF514); nothing else may fire.
        let allowed: Vec<(String, String)> = if cert == "server.crlf.crt" {
            vec![("PF514".into(), "error".into())]
        } else {
            vec![]
        };
        assert_eq!(codes(&r), allowed, "{cert}");
        assert_eq!(check_status(&r, "signature"), "pass", "{cert}");
        assert_eq!(check_status(&r, "key-cert-match"), "pass", "{cert}");
        assert_eq!(r["certificate"]["der_bytes"], 797, "{cert}");
    }
    let (_, r) = json_run(&[
        "check",
        "--key",
        &k.path,
        "--cert",
        &td("chain.crt"),
        "-i",
        ISS,
        "-o",
        SUB,
        "--now",
        NOW,
    ]);
    assert!(
        r["certificate"]["notes"][0]
            .as_str()
            .unwrap_or_default()
            .contains("holds 2 certificates; used the first")
    );
}

#[test]
fn mangled_ci_secrets_are_repaired_with_a_warning() {
    for (fixture, words) in [
        ("server.oneline.key", "lost its line breaks"),
        ("server.nobreaks.key", "lost its line breaks"),
        ("server.escaped.key", "literal \\n sequences"),
        ("server.quoted.key", "wrapped in quotes"),
    ] {
        let k = private_copy(fixture);
        check_pair(&k.path, Some(&td("server.crt")), &[])
            .code(0)
            .stderr(predicate::str::contains(words).and(predicate::str::contains(fixture)));
    }
}

#[test]
fn bad_inputs_each_get_one_line_naming_them() {
    let cases: &[(&str, &str)] = &[
        ("does-not-exist.key", "does-not-exist.key: does not exist"),
        ("empty.key", "empty.key: is empty (0 bytes)"),
        ("garbage.bin", "garbage.bin: is 4096 bytes of binary data"),
        ("text.txt", "text.txt: is"),
        (
            "server.crt",
            "server.crt: is a certificate, not a private key",
        ),
        (
            "server.der.crt",
            "server.der.crt: is a DER certificate, not a private key",
        ),
    ];
    for (fixture, words) in cases {
        let out = bin()
            .args(["check", "--key", &td(fixture), "-i", ISS, "-o", SUB])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{fixture}: {stderr}");
        assert!(stderr.contains(words), "{fixture}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{fixture}: {stderr}");
        assert!(!stderr.contains("panicked"), "{fixture}");
    }
    // The same for certificates.
    for (fixture, words) in [
        (
            "truncated.der",
            "truncated.der: is a truncated DER certificate",
        ),
        (
            "server.key",
            "server.key: is a private key, not a certificate",
        ),
        (
            "testdata-missing.crt",
            "testdata-missing.crt: does not exist",
        ),
    ] {
        bin()
            .args([
                "check",
                "--assertion",
                &td("tokens/good.jwt"),
                "--cert",
                &td(fixture),
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(words));
    }
}

#[test]
fn non_rsa_keys_are_described_not_rejected() {
    for (fixture, algorithm) in [
        ("ec.key", "EC P-256"),
        ("ed25519.key", "Ed25519"),
        ("dsa.key", "DSA"),
    ] {
        let k = private_copy(fixture);
        let (status, r) = json_run(&[
            "check", "--key", &k.path, "-i", ISS, "-o", SUB, "--now", NOW,
        ]);
        assert_eq!(status, 1, "{fixture}");
        assert_eq!(r["key"]["type"], algorithm, "{fixture}");
        assert!(
            message(&r, "PF503").contains(algorithm),
            "{fixture}: {}",
            message(&r, "PF503")
        );
    }
}

#[test]
fn huge_and_nul_tokens_are_findings_not_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.jwt");
    // Just under the 1 MiB cap: three segments of base64url garbage.
    let seg = "A".repeat(349_500);
    std::fs::write(&big, format!("{seg}.{seg}.{seg}")).expect("write");
    let (status, r) = json_run(&[
        "check",
        "--assertion",
        &big.display().to_string(),
        "--now",
        NOW,
    ]);
    assert_eq!(status, 1);
    assert!(
        codes(&r).iter().any(|(c, _)| c == "PF102" || c == "PF103"),
        "{:?}",
        codes(&r)
    );
    let (status, r) = json_run(&["check", "--assertion", &td("tokens/nul.jwt"), "--now", NOW]);
    assert_eq!(status, 1);
    assert!(
        codes(&r).iter().any(|(c, _)| c == "PF101" || c == "PF102"),
        "{:?}",
        codes(&r)
    );
    // Truncated: cut in the middle of the claims.
    let good = std::fs::read_to_string(td("tokens/good.jwt")).expect("read");
    let cut = dir.path().join("cut.jwt");
    std::fs::write(&cut, &good[..100]).expect("write");
    let (status, r) = json_run(&[
        "check",
        "--assertion",
        &cut.display().to_string(),
        "--now",
        NOW,
    ]);
    assert_eq!(status, 1);
    assert!(
        codes(&r).iter().any(|(c, _)| c == "PF101"),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn assertion_from_stdin_and_env_and_sf_aliases() {
    let token = std::fs::read_to_string(td("tokens/good.jwt")).expect("read");
    let out = bin()
        .args([
            "check",
            "--assertion",
            "-",
            "--cert",
            &td("server.crt"),
            "--now",
            NOW,
            "--format",
            "json",
        ])
        .env("SF_CLIENT_ID", ISS)
        .env("SF_USERNAME", "someone@example.com")
        .write_stdin(token)
        .output()
        .expect("runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["assertion"]["source"], "stdin");
    assert_eq!(
        out.status.code(),
        Some(1),
        "SF_USERNAME is the expected sub"
    );
    assert!(message(&r, "PF312").contains("someone@example.com"));
    let k = private_copy("server.key");
    bin()
        .args([
            "check",
            "--jwt-key-file",
            &k.path,
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--instance-url",
            "https://test.salesforce.com",
            "--now",
            NOW,
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("https://test.salesforce.com"));
}

#[test]
fn usage_errors_exit_2() {
    bin()
        .args([
            "check",
            "--now",
            "yesterday",
            "--assertion",
            &td("tokens/good.jwt"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--now"));
    bin()
        .args(["check", "--key", &td("server.key")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--client-id"));
    bin()
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to check"));
    bin()
        .args(["check", "--expect-alg", "HS256"])
        .assert()
        .code(2);
    bin()
        .args([
            "check",
            "--login-url",
            "https://acme.lightning.force.com",
            "--assertion",
            &td("tokens/good.jwt"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Lightning"));
    bin().args(["frobnicate"]).assert().code(2);
    bin()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("jwt-preflight"));
    bin()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"));
}

#[test]
fn passphrase_is_never_a_flag_value() {
    bin()
        .args(["check", "--passphrase", "secret"])
        .assert()
        .code(2);
}

#[test]
fn inspect_decodes_without_verifying() {
    bin()
        .args(["inspect", &td("tokens/exp-passed.jwt"), "--now", NOW])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("WITHOUT verifying")
                .and(predicate::str::contains(
                    "exp 2026-06-01T11:59:18Z, expired 42s ago",
                ))
                .and(predicate::str::contains("signature: 256 bytes")),
        );
    bin()
        .args(["inspect", &td("tokens/good.jwt"), "--now", NOW])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("exp 2026-06-01T12:02:00Z, in 2m"));
    let (status, r) = json_run(&["inspect", &td("tokens/dup-member.jwt"), "--now", NOW]);
    assert_eq!(status, 1);
    assert_eq!(r["command"], "inspect");
    assert_eq!(r["verified"], false);
    assert_eq!(r["times"]["exp"]["utc"], "2026-06-01T12:02:00Z");
    assert!(codes(&r).iter().any(|(c, _)| c == "PF104"));
    let token = std::fs::read_to_string(td("tokens/good.jwt")).expect("read");
    bin()
        .args(["inspect", "-", "--now", NOW])
        .write_stdin(token)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ci@example.com"));
}

#[test]
fn the_signature_is_never_printed() {
    let sig = good_signature();
    for format in ["human", "json", "github"] {
        let out = bin()
            .args([
                "check",
                "--assertion",
                &td("tokens/good.jwt"),
                "--cert",
                &td("server.crt"),
                "--now",
                NOW,
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains(&sig[..40]),
            "{format}"
        );
    }
    let out = bin()
        .args(["inspect", &td("tokens/good.jwt")])
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&sig[..40]));
}

#[test]
fn content_given_as_a_path_is_named_not_echoed() {
    let key = std::fs::read_to_string(td("server.key")).expect("read");
    let out = bin()
        .env("SF_JWT_KEY_FILE", &key)
        .args(["check", "--cert", &td("server.crt"), "-i", ISS, "-o", SUB])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("PEM key or certificate material (not shown), not a path")
            && stderr.contains("SF_JWT_KEY_FILE"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("BEGIN PRIVATE KEY") && !stderr.contains(&key[40..80]),
        "{stderr}"
    );
    let token = good_token();
    let sig = good_signature();
    for args in [
        vec!["inspect", token.trim()],
        vec!["check", "--assertion", token.trim()],
    ] {
        let out = bin().args(&args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr.contains("holds an assertion") && stderr.contains("not a path"),
            "{stderr}"
        );
        assert!(!stderr.contains(&sig[..20]), "{stderr}");
    }
    bin()
        .args(["explain", &td("server.key")])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("holds PEM key or certificate material")
                .and(predicate::str::contains("BEGIN").not()),
        );
}

#[test]
fn machine_formats_still_report_a_run_that_could_not_start() {
    let (status, r) = json_run(&["check", "--key", &td("garbage.bin"), "-i", ISS, "-o", SUB]);
    assert_eq!(status, 2);
    assert_eq!(
        (r["command"].as_str(), r["verdict"].as_str()),
        (Some("check"), Some("fail"))
    );
    assert!(
        r["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{}: is 4096 bytes", td("garbage.bin")))
    );
    bin()
        .args([
            "check",
            "--key",
            &td("garbage.bin"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--format",
            "github",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::starts_with(
            "::error title=jwt-preflight check could not run::",
        ));
}
