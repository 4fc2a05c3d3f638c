//! Every rule of the PF1xx–PF5xx families fires from a fixture with its code, severity and exit
//! status; the good assertion and the good key pair trigger none of them.

use crate::util::*;

/// (token fixture, code, severity, exit status).
const TOKEN_RULES: &[(&str, &str, &str, i32)] = &[
    ("two-segments.jwt", "PF101", "error", 1),
    ("five-segments.jwt", "PF101", "error", 1),
    ("padded.jwt", "PF105", "warning", 0),
    ("stdbase64.jwt", "PF102", "error", 1),
    ("header-not-json.jwt", "PF103", "error", 1),
    ("claims-array.jwt", "PF103", "error", 1),
    ("dup-member.jwt", "PF104", "error", 1),
    ("alg-missing.jwt", "PF201", "error", 1),
    ("alg-rs512.jwt", "PF202", "error", 1),
    ("alg-ps256.jwt", "PF202", "error", 1),
    ("alg-none.jwt", "PF203", "error", 1),
    ("alg-hs256.jwt", "PF203", "error", 1),
    ("header-kid.jwt", "PF204", "info", 0),
    ("header-crit.jwt", "PF204", "warning", 0),
    ("iss-missing.jwt", "PF301", "error", 1),
    ("iss-other.jwt", "PF302", "error", 1),
    ("iss-orgid.jwt", "PF303", "warning", 1),
    ("sub-missing.jwt", "PF311", "error", 1),
    ("sub-other.jwt", "PF312", "error", 1),
    ("sub-prn-wins.jwt", "PF312", "error", 1),
    ("sub-userid.jwt", "PF313", "warning", 1),
    ("sub-escaped.jwt", "PF313", "warning", 1),
    ("sub-html.jwt", "PF313", "warning", 1),
    ("sub-prn.jwt", "PF314", "warning", 0),
    ("aud-missing.jwt", "PF321", "error", 1),
    ("aud-array.jwt", "PF322", "error", 1),
    ("aud-bare-host.jwt", "PF326", "warning", 0),
    ("aud-http.jwt", "PF322", "warning", 0),
    ("aud-lightning.jwt", "PF322", "warning", 0),
    ("aud-path.jwt", "PF327", "warning", 0),
    ("aud-other-host.jwt", "PF322", "error", 1),
    ("aud-test.jwt", "PF323", "error", 1),
    ("aud-sandbox-mydomain.jwt", "PF323", "error", 1),
    ("aud-trailing-slash.jwt", "PF325", "warning", 0),
    ("exp-missing.jwt", "PF331", "error", 1),
    ("exp-string.jwt", "PF332", "warning", 0),
    ("exp-fraction.jwt", "PF332", "warning", 0),
    ("exp-text.jwt", "PF332", "error", 1),
    ("exp-ms.jwt", "PF333", "warning", 0),
    ("exp-passed.jwt", "PF334", "error", 1),
    ("exp-far.jwt", "PF335", "warning", 0),
    ("exp-tight.jwt", "PF336", "warning", 0),
    ("nbf-future.jwt", "PF341", "warning", 0),
    ("iat-future.jwt", "PF342", "warning", 0),
    ("jti.jwt", "PF343", "info", 0),
    ("sig-other-key.jwt", "PF401", "error", 1),
];

#[test]
fn every_token_rule_fires_from_its_fixture() {
    let mut failures = Vec::new();
    for (fixture, code, severity, exit) in TOKEN_RULES {
        let (status, report) = check_token(fixture, &[]);
        let found = codes(&report);
        if !found.iter().any(|(c, s)| c == code && s == severity) {
            failures.push(format!(
                "{fixture}: expected {code}/{severity}, got {found:?}"
            ));
        }
        if status != *exit {
            failures.push(format!("{fixture}: expected exit {exit}, got {status}"));
        }
        let verdict = if *exit == 0 { "pass" } else { "fail" };
        if report["verdict"] != verdict {
            failures.push(format!(
                "{fixture}: verdict {} with exit {status}",
                report["verdict"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_good_assertion_triggers_no_rule() {
    let (status, report) = check_token("good.jwt", &[]);
    assert_eq!(status, 0);
    assert_eq!(codes(&report), Vec::<(String, String)>::new());
    for (_, code, _, _) in TOKEN_RULES {
        assert!(
            !codes(&report).iter().any(|(c, _)| c == code),
            "{code} fired on good.jwt"
        );
    }
    assert_eq!(check_status(&report, "signature"), "pass");
}

#[test]
fn messages_carry_the_numbers() {
    let (_, r) = check_token("exp-passed.jwt", &[]);
    assert!(
        message(&r, "PF334").contains("expired 42 s before 2026-06-01T12:00:00Z"),
        "{}",
        message(&r, "PF334")
    );
    let (_, r) = check_token("exp-far.jwt", &[]);
    assert!(
        message(&r, "PF335").contains("exp is 600 s after now; the documented limit is 180 s"),
        "{}",
        message(&r, "PF335")
    );
    let (_, r) = check_token("aud-test.jwt", &[]);
    assert!(
        message(&r, "PF323").contains("sandbox"),
        "{}",
        message(&r, "PF323")
    );
    let (_, r) = check_token("five-segments.jwt", &[]);
    assert!(message(&r, "PF101").contains("JWE"));
    let (_, r) = check_token("sub-prn-wins.jwt", &[]);
    assert!(
        message(&r, "PF312").contains("prn wins"),
        "{}",
        message(&r, "PF312")
    );
}

#[test]
fn audience_against_the_login_url() {
    // login.salesforce.com audience posted to a My Domain: PF324, a warning.
    let (status, r) = check_token(
        "good.jwt",
        &["--login-url", "https://acme.my.salesforce.com"],
    );
    assert_eq!(status, 0);
    assert!(
        codes(&r).contains(&("PF324".into(), "warning".into())),
        "{:?}",
        codes(&r)
    );
    // Another My Domain: PF323, a warning (inferred: no reply has been captured).
    let (status, r) = check_token(
        "aud-mydomain.jwt",
        &["-r", "https://other.my.salesforce.com"],
    );
    assert_eq!(status, 0);
    assert!(
        message(&r, "PF323").contains("My Domain"),
        "{:?}",
        codes(&r)
    );
    assert!(codes(&r).contains(&("PF323".into(), "warning".into())));
    // The matching sandbox My Domain passes.
    let (status, r) = check_token(
        "aud-sandbox-mydomain.jwt",
        &[
            "--instance-url",
            "https://acme--uat.sandbox.my.salesforce.com",
        ],
    );
    assert_eq!((status, codes(&r)), (0, vec![]));
    // test.salesforce.com posted to a sandbox My Domain: environments agree, legacy host.
    let (_, r) = check_token(
        "aud-test.jwt",
        &["-r", "https://acme--uat.sandbox.my.salesforce.com"],
    );
    assert_eq!(
        codes(&r),
        vec![("PF324".to_string(), "warning".to_string())]
    );
    // An explicit --audience that differs.
    let (status, r) = check_token("good.jwt", &["--audience", "https://test.salesforce.com"]);
    assert_eq!(status, 1);
    assert!(codes(&r).iter().any(|(c, _)| c == "PF323"));
}

#[test]
fn expectations_missing_are_skipped_not_passed() {
    let (status, r) = json_run(&["check", "--assertion", &td("tokens/good.jwt"), "--now", NOW]);
    assert_eq!(status, 0);
    assert_eq!(check_status(&r, "signature"), "skip");
    assert_eq!(check_status(&r, "certificate"), "skip");
    let issuer = r["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == "issuer"))
        .cloned()
        .unwrap_or_default();
    assert!(
        issuer["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("skipped: no --client-id"),
        "{issuer}"
    );
}

#[test]
fn strict_makes_warnings_fail() {
    let (status, r) = check_token("exp-far.jwt", &["--strict"]);
    assert_eq!((status, r["verdict"].as_str()), (1, Some("fail")));
    let (status, _) = check_token("jti.jwt", &["--strict"]);
    assert_eq!(status, 0, "info never fails");
}

#[test]
fn expect_alg_serves_apps_that_expect_rs512() {
    let (status, r) = check_token("alg-rs512.jwt", &["--expect-alg", "RS512"]);
    assert_eq!((status, codes(&r)), (0, vec![]));
    let (status, r) = check_token("good.jwt", &["--expect-alg", "RS512"]);
    assert_eq!(status, 1);
    assert!(message(&r, "PF202").contains("RS512 is expected"));
}

fn key_check(key: &str, cert: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "check", "--key", key, "--cert", cert, "-i", ISS, "-o", SUB, "--now", NOW,
    ];
    args.extend_from_slice(extra);
    json_run(&args)
}

#[test]
fn the_good_pair_builds_an_assertion_that_passes_everything() {
    let key = private_copy("server.key");
    let (status, r) = key_check(&key.path, &td("server.crt"), &[]);
    assert_eq!((status, codes(&r)), (0, vec![]), "{r:#}");
    assert_eq!(r["assertion"]["source"], "built");
    assert_eq!(
        r["assertion"]["header"],
        serde_json::json!({"alg": "RS256"})
    );
    let claims = &r["assertion"]["claims"];
    assert_eq!(claims["iss"], ISS);
    assert_eq!(claims["sub"], SUB);
    assert_eq!(claims["aud"], "https://login.salesforce.com");
    assert_eq!(claims["exp"], 1_780_315_200i64 + 180);
    for check in [
        "structure",
        "header",
        "issuer",
        "subject",
        "audience",
        "time",
        "signature",
        "key-cert-match",
        "key",
        "certificate",
    ] {
        assert_eq!(check_status(&r, check), "pass", "{check}");
    }
}

#[test]
fn key_and_certificate_rules() {
    let cases: &[(&str, &str, &str, &str, i32)] = &[
        ("other.key", "server.crt", "PF501", "error", 1),
        ("small.key", "small.crt", "PF502", "error", 1),
        ("ec.key", "server.crt", "PF503", "error", 1),
        ("ed25519.key", "server.crt", "PF503", "error", 1),
        ("dsa.key", "server.crt", "PF503", "error", 1),
        ("server.key", "ec.crt", "PF503", "error", 1),
        ("server.key", "expired.crt", "PF511", "warning", 0),
        ("server.key", "notyet.crt", "PF512", "warning", 0),
        ("server.key", "expiring.crt", "PF513", "warning", 0),
        ("server.key", "big.crt", "PF514", "error", 1),
        ("server.key", "sha1.crt", "PF515", "info", 0),
    ];
    let mut failures = Vec::new();
    for (key, cert, code, severity, exit) in cases {
        let k = private_copy(key);
        let (status, r) = key_check(&k.path, &td(cert), &[]);
        if !codes(&r).iter().any(|(c, s)| c == code && s == severity) || status != *exit {
            failures.push(format!(
                "{key}+{cert}: expected {code}/{severity} exit {exit}, got exit {status} {:?}",
                codes(&r)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (_, r) = key_check(&private_copy("server.key").path, &td("big.crt"), &[]);
    assert!(
        message(&r, "PF514").contains("DER form is 3618 bytes and fits"),
        "{}",
        message(&r, "PF514")
    );
}

#[test]
fn inconsistent_key_is_pf504() {
    let k = private_copy("server.corrupt.key");
    let (status, r) = key_check(&k.path, &td("server.crt"), &[]);
    assert_eq!(status, 1);
    assert!(
        codes(&r).contains(&("PF504".into(), "error".into())),
        "{:?}",
        codes(&r)
    );
}

#[cfg(unix)]
#[test]
fn readable_key_file_is_pf505_and_private_one_is_not() {
    use std::os::unix::fs::PermissionsExt;
    let k = private_copy("server.key");
    let (_, r) = key_check(&k.path, &td("server.crt"), &[]);
    assert!(!codes(&r).iter().any(|(c, _)| c == "PF505"));
    std::fs::set_permissions(&k.path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (status, r) = key_check(&k.path, &td("server.crt"), &[]);
    assert_eq!(status, 0);
    assert!(
        message(&r, "PF505").contains("mode 0644: readable by group and others"),
        "{}",
        message(&r, "PF505")
    );
    let (status, _) = key_check(&k.path, &td("server.crt"), &["--strict"]);
    assert_eq!(status, 1);
}

#[test]
fn encrypted_key_is_pf506_info() {
    let k = private_copy("server.enc.key");
    let (status, r) = key_check(
        &k.path,
        &td("server.crt"),
        &["--passphrase-file", &td("passphrase.txt")],
    );
    assert_eq!(status, 0);
    assert_eq!(codes(&r), vec![("PF506".to_string(), "info".to_string())]);
    assert_eq!(r["key"]["format"], "pkcs8-encrypted");
}

#[test]
fn building_with_flags() {
    let key = private_copy("server.key");
    let cert = td("server.crt");
    let (_, r) = key_check(&key.path, &cert, &["--lifetime", "600"]);
    assert!(codes(&r).contains(&("PF335".into(), "warning".into())));
    let (_, r) = key_check(&key.path, &cert, &["--lifetime", "10"]);
    assert!(codes(&r).contains(&("PF336".into(), "warning".into())));
    let (status, r) = key_check(&key.path, &cert, &["--alg", "RS512"]);
    assert_eq!(status, 1);
    assert!(codes(&r).iter().any(|(c, _)| c == "PF202"));
    assert_eq!(
        check_status(&r, "signature"),
        "pass",
        "RS512 built and verified under RS512"
    );
    let (status, r) = key_check(
        &key.path,
        &cert,
        &[
            "--audience",
            "https://acme.my.salesforce.com",
            "-r",
            "https://acme.my.salesforce.com",
        ],
    );
    assert_eq!((status, codes(&r)), (0, vec![]));
    assert_eq!(
        r["assertion"]["claims"]["aud"],
        "https://acme.my.salesforce.com"
    );
    // The login URL's origin is the default audience.
    let (_, r) = key_check(
        &key.path,
        &cert,
        &["-r", "https://acme--uat.sandbox.my.salesforce.com/"],
    );
    assert_eq!(
        r["assertion"]["claims"]["aud"],
        "https://acme--uat.sandbox.my.salesforce.com"
    );
}
