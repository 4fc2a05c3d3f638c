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
    // The CLI printed no pair for the first two attempts; the third one's pins the CLI's
    // order (-r https://login.salesforce.com), so theirs are inferred, and say so.
    assert_eq!(replies[0]["attempt"]["inferred"], true);
    assert_eq!(
        replies[0]["attempt"]["login"],
        "https://login.salesforce.com"
    );
    assert_eq!(
        replies[1]["attempt"]["audience"],
        "https://test.salesforce.com"
    );
    assert_eq!(replies[2]["attempt"]["inferred"], false);
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

/// The JSON explanation of `text`.
fn explained(text: &str) -> Value {
    let out = bin()
        .args(["explain", text, "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_of(&out.stdout)
}

/// The current wrapper (plugin-auth ≥ 3.6.40): curly apostrophe and the `JwtAuthError::` prefix.
fn cli_wrapped(lines: &str) -> String {
    format!(
        "Error (JwtGrantError): We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here\u{2019}s the error: JwtAuthError::Error authenticating with JWT.\nErrors encountered:\n{lines}\n"
    )
}

// evidence §9 and §13: what the CLI prints before any request reaches Salesforce.
#[test]
fn the_sf_cli_errors_raised_before_any_request() {
    for (text, description, rules, words) in [
        (
            cli_wrapped("secretOrPrivateKey must be an asymmetric key when using RS256\nsecretOrPrivateKey must be an asymmetric key when using RS256"),
            "secretOrPrivateKey must be an asymmetric key when using RS256",
            vec!["PF506"],
            vec!["encrypted", "line breaks"],
        ),
        (
            cli_wrapped("secretOrPrivateKey has a minimum key size of 2048 bits for RS256"),
            "secretOrPrivateKey has a minimum key size of 2048 bits for RS256",
            vec!["PF502"],
            vec!["2048"],
        ),
        (
            "Error (LightningDomain): LightningDomain::Invalid instance URL. It should NOT be a lightning domain.".to_string(),
            "Invalid instance URL. It should NOT be a lightning domain",
            vec![],
            vec!["My Domain"],
        ),
        (
            "Invalid instance URL. It should NOT be a lightning domain.".to_string(),
            "Invalid instance URL. It should NOT be a lightning domain",
            vec![],
            vec!["lightning.force.com"],
        ),
        (
            "Error (MissingClientId): Client ID is required for JWT authentication.".to_string(),
            "Client ID is required for JWT authentication",
            vec![],
            vec!["--client-id"],
        ),
    ] {
        let v = explained(&text);
        let first = &v["replies"][0];
        assert_eq!(first["error_description"], description, "{text}");
        assert_eq!(first["error"], "sf-cli", "{text}");
        assert!(
            first["flow_note"].as_str().unwrap_or_default().contains("before any request"),
            "{text}"
        );
        assert_eq!(first["rules"], serde_json::json!(rules), "{text}");
        let causes = first["causes"].to_string();
        for w in words {
            assert!(causes.contains(w), "{text}: {w} missing from {causes}");
        }
    }
}

// evidence §9: every historical form of the CLI's wrapper.
#[test]
fn every_historical_form_of_the_cli_wrapper() {
    let reply = "user hasn't approved this consumer";
    for text in [
        // ≤ 2022-06: one attempt, "due to:".
        format!(
            "ERROR running force:auth:jwt:grant:  Error authenticating with JWT config due to: {reply}"
        ),
        // sfdx auth:jwt:grant (2020–2023): straight apostrophe.
        format!(
            "ERROR running auth:jwt:grant:  We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here's the error: Error authenticating with JWT config due to: {reply}"
        ),
        // sf org login jwt (2023–2024): curly apostrophe, no Name:: prefix.
        format!(
            "Error (JwtGrantError): We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here\u{2019}s the error: Error authenticating with JWT.\nErrors encountered:\n{reply}\n{reply}"
        ),
        // Current: the JwtAuthError:: prefix.
        cli_wrapped(&format!("{reply}\n{reply}")),
        // PowerShell's rendering of the error object, line breaks as literal \n.
        format!(
            "@{{name=JwtAuthError; message=Error authenticating with JWT.\\nErrors encountered:\\n{reply}\\nExternal client app is not installed in this org}}"
        ),
    ] {
        let v = explained(&text);
        assert_eq!(v["replies"][0]["error_description"], reply, "{text}");
        assert_eq!(v["replies"][0]["recognised"], true, "{text}");
        assert_eq!(v["client"], "sf-cli", "{text}");
        if text.starts_with("@{") {
            assert_eq!(v["input"], "sf-cli-output");
            assert_eq!(
                v["replies"][1]["error_description"],
                "External client app is not installed in this org"
            );
        }
    }
}

// evidence §9 and §13: what simple-salesforce and jsforce print.
#[test]
fn what_other_clients_print() {
    let v = explained(
        "simple_salesforce.exceptions.SalesforceAuthenticationFailed: Authentication failed (code: invalid_grant): user hasn't approved this consumer",
    );
    assert_eq!(v["client"], "simple-salesforce");
    assert_eq!(v["replies"][0]["error_given"], "invalid_grant");
    assert_eq!(
        v["replies"][0]["error_description"],
        "user hasn't approved this consumer"
    );
    // jsforce: the error's name is the `error` code.
    for text in [
        "invalid_grant: audience is invalid\n    at OAuth2._postParams (node_modules/jsforce/lib/oauth2.js:180:13)",
        "Error: audience is invalid\n    at OAuth2.requestToken (oauth2.js:133:11) {\n  name: 'invalid_grant'\n}",
    ] {
        let v = explained(text);
        assert_eq!(
            v["replies"][0]["error_description"], "audience is invalid",
            "{text}"
        );
    }
    let v = explained("invalid_grant: inactive user");
    assert_eq!(v["replies"][0]["error_description"], "inactive user");
    let v = explained("invalid_app_access: user is not admin approved to access this app");
    assert_eq!(v["replies"][0]["error"], "invalid_app_access");
}

// evidence §3.1: the CLI's own exp is in milliseconds, so it never expires by itself.
#[test]
fn expired_from_the_cli_puts_the_clock_first() {
    let v = explained(&cli_wrapped(
        "expired authorization code\nexpired authorization code",
    ));
    let first = &v["replies"][0];
    assert!(
        first["client_note"]
            .as_str()
            .unwrap_or_default()
            .contains("milliseconds"),
        "{first}"
    );
    assert_eq!(
        first["causes"][0]["rules"],
        serde_json::json!(["PF601"]),
        "{first}"
    );
    // The same reply from elsewhere keeps the miscomputed exp first.
    let v = explained("invalid_grant: expired authorization code");
    assert_eq!(v["replies"][0]["client_note"], Value::Null);
    assert_ne!(
        v["replies"][0]["causes"][0]["rules"],
        serde_json::json!(["PF601"])
    );
}

// evidence §5.1: the CLI's fixed order, when it printed no pair.
#[test]
fn attempts_without_a_pair_get_the_inferred_one() {
    // -r https://acme.my.salesforce.com: five attempts; the audience lines name the My Domain.
    let v = explained(&cli_wrapped(
        "user hasn't approved this consumer\naudience is invalid  [audience=https://test.salesforce.com login=https://test.salesforce.com]\naudience is invalid  [audience=https://login.salesforce.com login=https://login.salesforce.com]\nuser hasn't approved this consumer\naudience is invalid  [audience=https://test.salesforce.com login=https://acme.my.salesforce.com/]",
    ));
    let first = &v["replies"][0]["attempt"];
    assert_eq!(first["inferred"], true, "{first}");
    assert_eq!(first["audience"], "https://acme.my.salesforce.com/");
    assert_eq!(first["login"], "https://acme.my.salesforce.com/");
    assert!(
        first["note"]
            .as_str()
            .unwrap_or_default()
            .starts_with("(inferred")
    );
    let fourth = &v["replies"][3]["attempt"];
    assert_eq!(fourth["audience"], "https://login.salesforce.com");
    assert_eq!(fourth["rules"], serde_json::json!(["PF324"]), "{fourth}");
    // Printed pairs that fit no order: nothing is inferred.
    let v = explained(&cli_wrapped(
        "user hasn't approved this consumer\naudience is invalid  [audience=https://example.com login=https://login.salesforce.com]",
    ));
    assert_eq!(v["replies"][0]["attempt"], Value::Null);
}

#[test]
fn the_wording_does_not_contradict_the_pairs() {
    // The same reply everywhere, but a flagged pair: no claim that the pair does not matter.
    let out = bin()
        .args([
            "explain",
            &cli_wrapped("user hasn't approved this consumer  [audience=https://login.salesforce.com login=https://acme.my.salesforce.com/]\nuser hasn't approved this consumer  [audience=https://test.salesforce.com login=https://test.salesforce.com]"),
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("does not depend"), "{text}");
    assert!(
        text.contains("the pairs flagged below are worth fixing as well"),
        "{text}"
    );
    // A login host that is not Salesforce's is not called consistent.
    let v = explained(&cli_wrapped(
        "audience is invalid  [audience=https://login.salesforce.com login=https://proxy.example.com/]",
    ));
    let note = v["replies"][0]["attempt"]["note"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!note.contains("consistent"), "{note}");
    assert!(note.contains("not a Salesforce host"), "{note}");
}
