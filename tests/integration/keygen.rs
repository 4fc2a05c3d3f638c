//! `keygen`: what it writes is read by openssl (an independent oracle) and passes `check`
//! and `pairs`; it never overwrites.

use crate::util::*;
use predicates::prelude::*;

fn openssl(args: &[&str]) -> String {
    let out = std::process::Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn keygen_writes_a_pair_that_openssl_reads_and_check_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().display().to_string();
    bin()
        .args([
            "keygen",
            "--out",
            &out,
            "--days",
            "30",
            "--subject",
            "CN=ci, O=Acme",
        ])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("Upload")
                .and(predicate::str::contains("jwt-preflight check --key")),
        );
    let key = dir.path().join("server.key").display().to_string();
    let cert = dir.path().join("server.crt").display().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(
        std::fs::read_to_string(&key)
            .expect("key")
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    openssl(&["pkey", "-in", &key, "-check", "-noout"]);
    let text = openssl(&["x509", "-in", &cert, "-noout", "-text"]);
    assert!(
        text.contains("Signature Algorithm: sha256WithRSAEncryption"),
        "{text}"
    );
    assert!(text.contains("Subject: CN = ci, O = Acme"), "{text}");
    assert!(text.contains("Public-Key: (2048 bit)"));
    assert!(text.contains("CA:FALSE") && text.contains("Digital Signature"));
    // The certificate is the key's: same modulus.
    assert_eq!(
        openssl(&["x509", "-in", &cert, "-noout", "-modulus"]),
        openssl(&["rsa", "-in", &key, "-noout", "-modulus"])
    );
    // Self-signed with the key: its signature verifies against its own public key.
    openssl(&[
        "verify",
        "-CAfile",
        &cert,
        "-check_ss_sig",
        "-partial_chain",
        &cert,
    ]);
    assert!(std::fs::metadata(&cert).expect("cert").len() < 4096);
    // Expires in 30 days: the default --cert-warn-days (30) warns, nothing else fires.
    let (status, r) = json_run(&[
        "check", "--key", &key, "--cert", &cert, "-i", ISS, "-o", SUB,
    ]);
    assert_eq!(status, 0, "{r:#}");
    assert!(
        codes(&r).iter().all(|(c, _)| c == "PF513"),
        "{:?}",
        codes(&r)
    );
    let (status, r) = json_run(&["pairs", &out]);
    assert_eq!(
        (status, r["pairs"][0]["status"].as_str()),
        (0, Some("match"))
    );
    // Never overwrites.
    bin()
        .args(["keygen", "--out", &out])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already exists; refusing to overwrite",
        ));
}

#[test]
fn keygen_refuses_odd_sizes_and_bad_subjects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().display().to_string();
    bin()
        .args(["keygen", "--out", &out, "--bits", "1024"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2048, 3072 or 4096"));
    bin()
        .args(["keygen", "--out", &out, "--subject", "not a name"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--subject"));
    assert!(
        !dir.path().join("server.key").exists(),
        "nothing written on failure"
    );
    // A file where the folder should be.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    bin()
        .args(["keygen", "--out", &file.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a folder"));
}
