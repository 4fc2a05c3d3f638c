//! Salesforce fidelity (issue 13): every verdict cites its evidence, and what Salesforce is
//! seen to accept is not an error. Each case names the evidence it follows
//! (`salesforce-evidence.md`).

use crate::util::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// A token with these claims (unsigned: the claim rules need no signature), in a file.
fn token_file(header: &str, claims: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.jwt");
    std::fs::write(
        &path,
        format!(
            "{}.{}.{}",
            B64.encode(header),
            B64.encode(claims),
            B64.encode("sig")
        ),
    )
    .expect("write");
    let p = path.display().to_string();
    (dir, p)
}

fn claims_with(aud: &str, exp: &str) -> String {
    format!(r#"{{"iss":"{ISS}","sub":"{SUB}","aud":{aud},"exp":{exp}}}"#)
}

/// `check --assertion` of these claims, with `extra` flags.
fn check_claims(claims: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let (_dir, path) = token_file(r#"{"alg":"RS256"}"#, claims);
    let mut args = vec![
        "check",
        "--assertion",
        path.as_str(),
        "-i",
        ISS,
        "-o",
        SUB,
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    json_run(&args)
}

/// exp 170 s after the fixtures' instant.
const EXP: &str = "1780315370";

// evidence §5.2: restforce's default aud is the bare host, with no refusal reported.
#[test]
fn a_bare_host_audience_is_a_warning() {
    let (status, r) = check_claims(&claims_with(r#""login.salesforce.com""#, EXP), &[]);
    assert_eq!(
        (status, codes(&r)),
        (0, vec![("PF326".into(), "warning".into())])
    );
    assert_eq!(r["findings"][0]["evidence"], "inferred");
    // A bare host posted to the other environment is still caught.
    let (status, r) = check_claims(
        &claims_with(r#""test.salesforce.com""#, EXP),
        &["--login-url", "https://login.salesforce.com"],
    );
    assert_eq!(status, 1);
    assert!(
        codes(&r).contains(&("PF323".into(), "error".into())),
        "{:?}",
        codes(&r)
    );
    // A bare host that is no login server is PF322.
    let (status, r) = check_claims(&claims_with(r#""example.com""#, EXP), &[]);
    assert_eq!(status, 1);
    assert!(
        codes(&r).contains(&("PF322".into(), "error".into())),
        "{:?}",
        codes(&r)
    );
}

// evidence §5.1 and §5.2: the token endpoint URL worked as aud at login.salesforce.com
// (forrest PR #266) and was refused at a My Domain (forrest #302).
#[test]
fn the_token_endpoint_as_audience_depends_on_the_host() {
    let aud = r#""https://login.salesforce.com/services/oauth2/token""#;
    let (status, r) = check_claims(&claims_with(aud, EXP), &[]);
    assert_eq!(
        (status, codes(&r)),
        (0, vec![("PF327".into(), "warning".into())])
    );
    let aud = r#""https://acme.my.salesforce.com/services/oauth2/token""#;
    let (status, r) = check_claims(
        &claims_with(aud, EXP),
        &["--login-url", "https://acme.my.salesforce.com"],
    );
    assert_eq!(status, 1);
    assert_eq!(codes(&r), vec![("PF322".into(), "error".into())]);
    assert_eq!(r["findings"][0]["evidence"], "observed");
}

// evidence §13: Salesforce's Java sample ported with getUrlEncoder() pads; acceptance unknown.
#[test]
fn padding_alone_is_a_warning_and_other_alphabets_are_errors() {
    let (status, r) = check_token("padded.jwt", &[]);
    assert_eq!(status, 0);
    assert_eq!(codes(&r), vec![("PF105".into(), "warning".into())]);
    assert_eq!(r["findings"][0]["evidence"], "unconfirmed");
    let (status, r) = check_token("stdbase64.jwt", &[]);
    assert_eq!(status, 1);
    assert!(
        codes(&r).contains(&("PF102".into(), "error".into())),
        "{:?}",
        codes(&r)
    );
}

// evidence §3.1: the sf CLI sends Date.now() + 300, and Salesforce accepts it.
#[test]
fn a_millisecond_exp_is_reported_once_without_absurd_numbers() {
    let (status, r) = check_claims(
        &format!(
            r#"{{"iss":"{ISS}","sub":"{SUB}","aud":"https://login.salesforce.com","exp":1780315500000,"iat":1780315200}}"#
        ),
        &[],
    );
    assert_eq!(status, 0);
    assert_eq!(codes(&r), vec![("PF333".into(), "warning".into())]);
    let msg = message(&r, "PF333");
    assert!(
        msg.contains("2026-06-01T12:05:00Z read as milliseconds"),
        "{msg}"
    );
    // No distance in seconds or years of 10 digits or more.
    assert!(
        !msg.split(|c: char| !c.is_ascii_digit())
            .any(|n| n.len() >= 10 && n != "1780315500000"),
        "{msg}"
    );
}

#[test]
fn only_errors_say_what_salesforce_would_answer() {
    // PF325 (a warning) and PF322 (an error), in the human report.
    let (_dir, path) = token_file(
        r#"{"alg":"RS256"}"#,
        &claims_with(r#""https://login.salesforce.com/""#, EXP),
    );
    let out = bin()
        .args([
            "check",
            "--assertion",
            &path,
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            NOW,
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let warning = text
        .split("warning[PF325]")
        .nth(1)
        .unwrap_or_default()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    assert!(!warning.contains("Salesforce would answer"), "{text}");
    assert!(
        warning.contains(
            "if Salesforce enforces this, it answers: invalid_grant / audience is invalid"
        ),
        "{text}"
    );
    let out = bin()
        .args([
            "check",
            "--assertion",
            &td("tokens/aud-array.jwt"),
            "--now",
            NOW,
        ])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Salesforce would answer: invalid_grant / audience is invalid")
    );
}

#[test]
fn a_non_integer_exp_is_fixed_with_its_own_value() {
    let (_, r) = check_token("exp-string.jwt", &[]);
    let f = r["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "PF332"))
        .cloned()
        .unwrap_or_default();
    let value = r["assertion"]["claims"]["exp"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!value.is_empty());
    assert!(
        f["fix"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("\"exp\":{value}")),
        "{f}"
    );
}

// HELP-EP: "All OAuth endpoints require secure HTTP (HTTPS)."
#[test]
fn an_http_login_url_is_a_finding_in_every_format() {
    let k = private_copy("server.key");
    let args = [
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
        "--login-url",
        "http://login.salesforce.com",
    ];
    let (status, r) = json_run(&args);
    assert_eq!(status, 1);
    assert!(
        codes(&r).contains(&("PF328".into(), "error".into())),
        "{:?}",
        codes(&r)
    );
    assert_eq!(
        r["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["code"] == "PF328"))
            .map(|f| f["evidence"].clone()),
        Some("documented".into())
    );
    let out = bin()
        .args(args)
        .args(["--format", "github"])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("::error title=PF328 login-url-insecure::"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn now_takes_fractions_of_a_second() {
    for now in ["2026-06-01T12:00:00.750Z", "1780315200.75"] {
        let (status, r) = json_run(&[
            "check",
            "--assertion",
            &td("tokens/good.jwt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--now",
            now,
        ]);
        assert_eq!(status, 0, "{now}: {r}");
        assert_eq!(r["evaluated_at"], "2026-06-01T12:00:00Z", "{now}");
    }
}

// Metadata API ConnectedAppOauthConfig.consumerKey: 8 to 256 alphanumerics.
#[test]
fn a_consumer_key_without_3mvg_may_be_a_custom_one() {
    let (_dir, path) = token_file(
        r#"{"alg":"RS256"}"#,
        r#"{"iss":"MyCustomKey2026","sub":"ci@example.com","aud":"https://login.salesforce.com","exp":1780315370}"#,
    );
    let (status, r) = json_run(&[
        "check",
        "--assertion",
        &path,
        "-i",
        "MyCustomKey2026",
        "-o",
        SUB,
        "--now",
        NOW,
    ]);
    assert_eq!(status, 0);
    assert!(
        message(&r, "PF303").contains("custom consumer keys of 8 to 256"),
        "{}",
        message(&r, "PF303")
    );
}

// evidence §7: app_not_found is about the app's presence in the org reached.
#[test]
fn app_not_found_points_at_the_org_reached_and_the_my_domain() {
    let (_, r) = check_token(
        "good.jwt",
        &["--login-url", "https://acme.my.salesforce.com"],
    );
    let msg = message(&r, "PF324");
    assert!(msg.contains("not present in the org reached"), "{msg}");
    assert!(
        msg.contains("use aud \"https://acme.my.salesforce.com\""),
        "{msg}"
    );
}

#[test]
fn a_usage_error_under_json_prints_one_record() {
    let out = bin()
        .args(["check", "--format", "json", "--bogus-flag"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON record");
    assert_eq!(
        (r["command"].as_str(), r["verdict"].as_str()),
        (Some("check"), Some("fail"))
    );
    assert!(
        r["error"]
            .as_str()
            .unwrap_or_default()
            .contains("--bogus-flag")
    );
}

#[test]
fn every_rule_shows_its_evidence_and_source() {
    let (status, r) = json_run(&["rules"]);
    assert_eq!(status, 0);
    for rule in r["rules"].as_array().into_iter().flatten() {
        let evidence = rule["evidence"].as_str().unwrap_or_default();
        assert!(
            [
                "standard",
                "documented",
                "observed",
                "inferred",
                "unconfirmed"
            ]
            .contains(&evidence),
            "{rule}"
        );
        assert!(
            rule["source"].as_str().is_some_and(|s| s.len() > 10),
            "{rule}"
        );
        if rule["severity"] == "error" {
            assert!(
                ["standard", "documented", "observed"].contains(&evidence),
                "{rule}"
            );
        }
    }
    let out = bin().args(["rules"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("observed"));
    let out = bin().args(["explain", "PF326"]).output().expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Evidence: inferred: restforce/restforce"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
