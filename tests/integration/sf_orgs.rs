//! `check --target-org` and `--all-sf-orgs` on a home folder holding what the sf CLI writes
//! (testdata/sfdx/, shaped field for field as sfdx-core does).

use crate::util::*;
use serde_json::Value;
use std::path::Path;

/// A home folder with `.sfdx/` from the fixtures; the JWT org's key is a private copy.
fn home() -> (tempfile::TempDir, PrivateCopy) {
    let home = tempfile::tempdir().expect("tempdir");
    let state = home.path().join(".sfdx");
    std::fs::create_dir_all(&state).expect("mkdir");
    let key = private_copy("server.key");
    for name in [
        "alias.json",
        "ci@example.com.json",
        "dev@example.com.uat.json",
    ] {
        let text = std::fs::read_to_string(td(&format!("sfdx/{name}"))).expect("fixture");
        let text = text.replace("/nonexistent/server.key", &key.path);
        std::fs::write(state.join(name), text).expect("write");
    }
    // Files the CLI keeps beside them, which are not orgs.
    std::fs::write(
        state.join("key.json"),
        r#"{"account":"local","key":"00","service":"sfdx"}"#,
    )
    .expect("write");
    (home, key)
}

fn check(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .env("HOME", home)
        .env_remove("SF_TARGET_ORG")
        .arg("check")
        .args(args)
        .args(["--now", NOW])
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn target_org_checks_what_the_cli_stored_by_alias_or_username() {
    let (home, _key) = home();
    for name in ["prod", "ci@example.com"] {
        let (status, out, err) = check(
            home.path(),
            &[
                "--target-org",
                name,
                "--cert",
                &td("server.crt"),
                "--format",
                "json",
            ],
        );
        assert_eq!(status, 0, "{name}: {out}{err}");
        let v: Value = serde_json::from_str(&out).expect("json");
        let org = &v["orgs"][0];
        assert_eq!(org["name"], "prod (ci@example.com)");
        assert_eq!(org["verdict"], "pass", "{org}");
        // Built from the stored values: the CLI's consumer key and user, its login URL as aud.
        let claims = &org["assertion"]["claims"];
        assert_eq!(claims["iss"], "3MVG9testConsumerKey.jwtpreflight0123456789");
        assert_eq!(claims["sub"], "ci@example.com");
        assert_eq!(claims["aud"], "https://login.salesforce.com");
        // Nothing encrypted reaches the report.
        assert!(!out.contains("6f1b0e3a9c7d5e2f8a4b1c0d"), "{out}");
    }
}

#[test]
fn all_sf_orgs_checks_the_jwt_orgs_and_lists_the_others_as_skipped() {
    let (home, _key) = home();
    let (status, out, err) = check(home.path(), &["--all-sf-orgs", "--format", "json"]);
    assert_eq!(status, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["orgs"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["skipped"][0]["name"], "sandbox-web (dev@example.com.uat)");
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("web flow"))
    );
    let (status, out, _) = check(home.path(), &["--all-sf-orgs"]);
    assert_eq!(status, 0);
    assert!(
        out.contains("skipped org sandbox-web (dev@example.com.uat)"),
        "{out}"
    );
    assert!(out.contains("1 skipped"), "{out}");
}

#[test]
fn a_web_org_an_unknown_alias_and_no_cli_state_each_say_so() {
    let (home, _key) = home();
    let (status, _, err) = check(home.path(), &["--target-org", "sandbox-web"]);
    assert_eq!(status, 2);
    assert!(err.contains("authorised by the web flow"), "{err}");
    let (status, _, err) = check(home.path(), &["--target-org", "nope"]);
    assert_eq!(status, 2);
    assert!(
        err.contains("neither an alias") && err.contains("prod, sandbox-web"),
        "{err}"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    let (status, _, err) = check(empty.path(), &["--all-sf-orgs"]);
    assert_eq!(status, 2);
    assert!(err.contains(".sfdx: no such folder"), "{err}");
}

#[test]
fn sf_target_org_counts_only_when_nothing_else_says_what_to_check() {
    let (home, key) = home();
    let out = bin()
        .env("HOME", home.path())
        .env("SF_TARGET_ORG", "prod")
        .args(["check", "--now", NOW, "--format", "json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["orgs"][0]["name"], "prod (ci@example.com)", "{v}");
    // With --key, the flags are what is checked, whatever SF_TARGET_ORG says.
    let out = bin()
        .env("HOME", home.path())
        .env("SF_TARGET_ORG", "prod")
        .args([
            "check", "--key", &key.path, "-i", "3MVG9x", "-o", "a@b.com", "--now", NOW,
        ])
        .args(["--format", "json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v.get("orgs").is_none(), "{v}");
    assert_eq!(v["assertion"]["claims"]["iss"], "3MVG9x");
}
