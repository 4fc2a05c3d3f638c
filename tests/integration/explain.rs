//! `jwt-preflight explain`: rule codes and names, Salesforce replies as text or JSON, the output
//! of `sf org login jwt`, files and stdin, unknown text.

use crate::util::bin;
use jwt_preflight::explain::REPLIES;
use predicates::prelude::*;
use serde_json::Value;

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("stdout is JSON")
}

/// What `sf org login jwt` printed in forcedotcom/cli #1640, reconstructed.
const SF_OUTPUT: &str = "Error (JwtGrantError): We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here's the error: Error authenticating with JWT.
Errors encountered:
user hasn't approved this consumer
user hasn't approved this consumer
audience is invalid  [audience=https://test.salesforce.com login=https://login.salesforce.com/]
";

#[test]
fn every_known_reply_as_text_names_its_causes_and_rules() {
    for r in REPLIES {
        let text = format!("{}: {}", r.error, r.description);
        let assert = bin().args(["explain", &text]).assert().success();
        let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        assert!(out.contains(r.description), "{text}: {out}");
        for c in r.causes {
            assert!(out.contains(c.cause), "{text}: cause missing: {}", c.cause);
            assert!(out.contains(c.confirm), "{text}: confirm missing");
            assert!(out.contains(c.fix), "{text}: fix missing");
        }
        let rules = r.rules();
        if rules.is_empty() {
            // org or request state: said plainly rather than pointing at an unrelated rule
            assert!(out.contains("no rule"), "{text}: {out}");
        } else {
            for code in rules {
                assert!(out.contains(code.as_str()), "{text}: {code} missing");
            }
        }
    }
}

#[test]
fn the_jwt_bearer_replies_all_name_a_rule() {
    for (error, description) in [
        ("invalid_grant", "user hasn't approved this consumer"),
        ("invalid_grant", "audience is invalid"),
        ("invalid_grant", "invalid assertion"),
        ("invalid_grant", "expired authorization code"),
        ("invalid_client_id", "client identifier invalid"),
        (
            "invalid_app_access",
            "user is not admin approved to access this app",
        ),
        (
            "app_not_found",
            "External client app is not installed in this org",
        ),
        ("inactive_user", "User is inactive"),
        ("rate_limit_exceeded", "Number of logins exceeded"),
    ] {
        bin()
            .args(["explain", &format!("{error}: {description}")])
            .assert()
            .success()
            .stdout(
                predicate::str::is_match(r"PF\d{3} [a-z0-9-]+").unwrap_or_else(|e| panic!("{e}")),
            );
    }
}

#[test]
fn every_known_reply_as_a_json_body() {
    for r in REPLIES {
        let body =
            serde_json::json!({"error": r.error, "error_description": r.description}).to_string();
        let assert = bin()
            .args(["explain", &body, "--format", "json"])
            .assert()
            .success();
        let v = json_of(&assert.get_output().stdout);
        let reply = &v["replies"][0];
        assert_eq!(reply["error"], r.error, "{body}");
        assert_eq!(reply["error_description"], r.description, "{body}");
        assert_eq!(
            reply["causes"].as_array().map(Vec::len),
            Some(r.causes.len())
        );
    }
}

#[test]
fn json_bodies_in_human_format() {
    for (body, expect) in [
        (
            r#"{"error":"invalid_grant","error_description":"audience is invalid"}"#,
            "PF323",
        ),
        (
            r#"{"error":"invalid_grant","error_description":"invalid assertion"}"#,
            "PF501",
        ),
        (
            r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
            "PF302",
        ),
        (
            r#"{"error":"app_not_found","error_description":"External client app is not installed in this org"}"#,
            "PF324",
        ),
    ] {
        bin()
            .args(["explain", body])
            .assert()
            .success()
            .stdout(predicate::str::contains(expect));
    }
}

#[test]
fn separators_and_spellings() {
    for text in [
        "invalid_grant::audience is invalid",
        "invalid_grant - audience is invalid",
        "INVALID_GRANT audience is invalid",
        "  'audience is invalid'  ",
        "Audience validation failed",
        "error=invalid_grant&error_description=audience+is+invalid",
        "{'error': 'invalid_grant', 'error_description': 'audience is invalid'}",
    ] {
        bin()
            .args(["explain", text])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(
                "invalid_grant / audience is invalid",
            ));
    }
}

#[test]
fn sf_cli_output_explains_every_attempt() {
    let assert = bin()
        .args(["explain", SF_OUTPUT])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Attempt 1: invalid_grant / user hasn't approved this consumer",
        ))
        .stdout(predicate::str::contains(
            "Attempt 2: invalid_grant / user hasn't approved this consumer",
        ))
        .stdout(predicate::str::contains(
            "Attempt 3: invalid_grant / audience is invalid",
        ))
        .stdout(predicate::str::contains(
            "Admin approved users are pre-authorized",
        ))
        // the sandbox audience posted to production is pointed out, with its rule
        .stdout(predicate::str::contains("https://test.salesforce.com"))
        .stdout(predicate::str::contains("this pair cannot work"))
        .stdout(predicate::str::contains("PF323 aud-endpoint-mismatch"));
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    // the approval failures come first in the advice
    assert!(out.contains("start with them"), "{out}");
}

#[test]
fn sf_cli_output_as_json() {
    let assert = bin()
        .args(["explain", SF_OUTPUT, "--format", "json"])
        .assert()
        .success();
    let v = json_of(&assert.get_output().stdout);
    assert_eq!(v["schema"], 1);
    assert_eq!(v["tool"]["name"], "jwt-preflight");
    assert_eq!(v["command"], "explain");
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["input"], "sf-cli-output");
    let replies = v["replies"].as_array().cloned().unwrap_or_default();
    assert_eq!(replies.len(), 3);
    assert_eq!(
        replies[0]["error_description"],
        "user hasn't approved this consumer"
    );
    assert_eq!(replies[0]["attempt"], Value::Null);
    assert_eq!(replies[2]["error_description"], "audience is invalid");
    assert_eq!(
        replies[2]["attempt"]["audience"],
        "https://test.salesforce.com"
    );
    assert_eq!(
        replies[2]["attempt"]["login"],
        "https://login.salesforce.com/"
    );
    assert_eq!(replies[2]["attempt"]["rules"], serde_json::json!(["PF323"]));
    let cause = &replies[2]["causes"][0];
    for field in ["cause", "confirm", "fix"] {
        assert!(
            cause[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert!(cause["rules"].as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn sf_cli_json_output_on_stdin() {
    let body = serde_json::json!({
        "code": 1, "name": "JwtGrantError", "status": 1, "exitCode": 1,
        "message": SF_OUTPUT,
    })
    .to_string();
    bin()
        .args(["explain", "-"])
        .write_stdin(body)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Attempt 3: invalid_grant / audience is invalid",
        ));
}

#[test]
fn stdin_input() {
    bin()
        .args(["explain", "-"])
        .write_stdin(SF_OUTPUT)
        .assert()
        .success()
        .stdout(predicate::str::contains("Attempt 3:"));
    bin()
        .args(["explain", "-"])
        .write_stdin("{\"error\":\"inactive_user\",\"error_description\":\"User is inactive\"}\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("inactive_user / User is inactive"));
}

#[test]
fn file_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reply.json");
    std::fs::write(
        &path,
        "HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n{\"error\":\"invalid_grant\",\"error_description\":\"expired authorization code\"}\n",
    )
    .expect("write");
    bin()
        .arg("explain")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "invalid_grant / expired authorization code",
        ))
        .stdout(predicate::str::contains("PF334"));
    let cli = dir.path().join("sf.log");
    std::fs::write(&cli, SF_OUTPUT).expect("write");
    let assert = bin()
        .arg("explain")
        .arg(&cli)
        .args(["--format", "json"])
        .assert()
        .success();
    let v = json_of(&assert.get_output().stdout);
    assert_eq!(v["source"], "file");
    assert_eq!(v["replies"].as_array().map(Vec::len), Some(3));
}

#[test]
fn missing_file_exits_2_naming_it() {
    bin()
        .args(["explain", "no-such-reply.json"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "no-such-reply.json: does not exist",
        ));
}

#[test]
fn empty_stdin_exits_2() {
    bin()
        .args(["explain", "-"])
        .write_stdin("  \n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin is empty"));
}

#[test]
fn rule_code_and_name() {
    for subject in ["PF403", "pf403", "signature-hash-mismatch"] {
        bin()
            .args(["explain", subject])
            .assert()
            .success()
            .stdout(predicate::str::starts_with(
                "PF403 signature-hash-mismatch (error)",
            ))
            .stdout(predicate::str::contains("When:"))
            .stdout(predicate::str::contains("Why:"))
            .stdout(predicate::str::contains("Fix:"))
            .stdout(predicate::str::contains(
                "Salesforce answers: invalid_grant / invalid assertion",
            ));
    }
    let assert = bin()
        .args(["explain", "PF323", "--format", "json"])
        .assert()
        .success();
    let v = json_of(&assert.get_output().stdout);
    assert_eq!(v["command"], "explain");
    assert_eq!(v["rule"]["code"], "PF323");
    assert_eq!(v["rule"]["name"], "aud-endpoint-mismatch");
}

#[test]
fn unknown_rule_code_exits_2() {
    bin()
        .args(["explain", "PF999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'PF999' is not a rule code"));
}

#[test]
fn misspelled_rule_name_is_suggested() {
    bin()
        .args(["explain", "signature-hash-mismach"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("signature-hash-mismatch (PF403)"));
}

#[test]
fn unknown_text_exits_2_and_says_so_plainly() {
    bin()
        .args(["explain", "the printer is on fire"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "'the printer is on fire' is not a Salesforce reply jwt-preflight knows",
        ))
        .stderr(predicate::str::contains("closest").not());
}

#[test]
fn near_miss_exits_2_and_suggests_the_closest_reply() {
    bin()
        .args(["explain", "audience invalid"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("closest known replies"))
        .stderr(predicate::str::contains(
            "invalid_grant: audience is invalid",
        ));
    bin()
        .args(["explain", "user has not aproved this consumer app"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "user hasn't approved this consumer",
        ));
    // JSON callers get one error record on stdout at exit 2, as with every command
    let out = bin()
        .args(["explain", "audience invalid", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON record");
    assert_eq!(
        (v["command"].as_str(), v["verdict"].as_str()),
        (Some("explain"), Some("fail"))
    );
    assert!(
        v["error"]
            .as_str()
            .unwrap_or_default()
            .contains("audience is invalid")
    );
}

#[test]
fn error_alone_lists_every_reply_with_that_error() {
    let assert = bin().args(["explain", "invalid_grant"]).assert().success();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for r in REPLIES.iter().filter(|r| r.error == "invalid_grant") {
        assert!(
            out.contains(r.description),
            "{} missing: {out}",
            r.description
        );
    }
    let assert = bin()
        .args([
            "explain",
            r#"{"error":"invalid_grant"}"#,
            "--format",
            "json",
        ])
        .assert()
        .success();
    let v = json_of(&assert.get_output().stdout);
    assert_eq!(v["replies"][0]["error"], "invalid_grant");
    assert_eq!(v["replies"][0]["error_description"], Value::Null);
    assert!(
        v["replies"][0]["candidates"]
            .as_array()
            .is_some_and(|c| c.len() >= 9)
    );
}

#[test]
fn unknown_attempt_in_cli_output_exits_2_but_explains_the_others() {
    let text = "Error authenticating with JWT.\nErrors encountered:\ninvalid assertion\nsomething nobody has seen\n";
    bin()
        .args(["explain", text])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "Attempt 1: invalid_grant / invalid assertion",
        ))
        .stderr(predicate::str::contains(
            "attempt 2: 'something nobody has seen'",
        ));
}

#[test]
fn other_flows_are_labelled() {
    bin()
        .args(["explain", "invalid_grant: expired access/refresh token"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Not a JWT bearer reply"))
        .stdout(predicate::str::contains("PF601"));
}
