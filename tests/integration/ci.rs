//! CI mode: `pairs` over folders and `check --config` over orgs.

use crate::util::*;
use predicates::prelude::*;
use std::path::Path;

/// Copies testdata files into a tree: (destination relative path, fixture).
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (dest, fixture) in files {
        let to = dir.path().join(dest);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(td(fixture), &to).expect("copy");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
    }
    dir
}

fn p(dir: &tempfile::TempDir, rel: &str) -> String {
    dir.path().join(rel).display().to_string()
}

#[test]
fn pairs_over_folders() {
    let d = tree(&[
        ("prod/server.key", "server.key"),
        ("prod/server.crt", "server.crt"),
        ("uat/server.key", "other.key"),
        ("uat/server.crt", "server.crt"),
        ("shared/old.key", "server.key"),
        ("shared/old.crt", "expired.crt"),
        ("shared/new.key", "other.key"),
        ("shared/new.crt", "other.crt"),
        ("shared/lonely.key", "server.key"),
        ("certs/orphan.crt", "server.crt"),
        ("certs/another.crt", "other.crt"),
        ("junk/secret.key", "garbage.bin"),
        ("junk/README.md", "text.txt"),
    ]);
    let (status, r) = json_run(&["pairs", &d.path().display().to_string(), "--now", NOW]);
    assert_eq!(status, 1);
    assert_eq!(r["command"], "pairs");
    assert_eq!(r["verdict"], "fail");
    let pairs: Vec<(String, String, String)> = r["pairs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            let rel = |v: &serde_json::Value| {
                v.as_str()
                    .unwrap_or_default()
                    .replace(&format!("{}/", d.path().display()), "")
            };
            (
                rel(&x["key"]),
                rel(&x["cert"]),
                x["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let want = |k: &str, c: &str, s: &str| (k.to_string(), c.to_string(), s.to_string());
    assert_eq!(
        pairs,
        vec![
            want("prod/server.key", "prod/server.crt", "match"),
            want("shared/new.key", "shared/new.crt", "match"),
            want("shared/old.key", "shared/old.crt", "match"),
            want("uat/server.key", "uat/server.crt", "mismatch"),
        ]
    );
    let old = &r["pairs"][2]["findings"];
    assert_eq!(old[0]["code"], "PF511", "{old}");
    let unpaired: Vec<(String, String)> = r["unpaired"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            (
                u["path"]
                    .as_str()
                    .unwrap_or_default()
                    .replace(&format!("{}/", d.path().display()), ""),
                u["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        unpaired,
        vec![
            ("certs/another.crt".to_string(), "certificate".to_string()),
            ("certs/orphan.crt".to_string(), "certificate".to_string()),
            ("junk/secret.key".to_string(), "unrecognised".to_string()),
            ("shared/lonely.key".to_string(), "key".to_string()),
        ]
    );
}

#[test]
fn pairs_good_only_passes_and_prints_one_line_per_pair() {
    let d = tree(&[
        ("a/server.key", "server.key"),
        ("a/server.crt", "server.crt"),
        ("b/k.pem", "other.key"),
        ("b/c.pem", "other.crt"),
    ]);
    bin()
        .args(["pairs", &d.path().display().to_string(), "--now", NOW])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("✓ match")
                .count(2)
                .and(predicate::str::contains("PASS: 2 pairs, 2 matching")),
        );
}

#[test]
fn pairs_with_explicit_flags_and_github_output() {
    let d = tree(&[("k1", "server.key"), ("k2", "other.key")]);
    bin()
        .args([
            "pairs",
            "--key",
            &p(&d, "k1"),
            "--cert",
            &td("server.crt"),
            "--key",
            &p(&d, "k2"),
            "--cert",
            &td("server.crt"),
            "--now",
            NOW,
            "--format",
            "github",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "::error file={},title=PF501 key-cert-mismatch::",
            p(&d, "k2")
        )));
    bin()
        .args(["pairs", "--key", &p(&d, "k1")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in pairs"));
    bin()
        .args(["pairs", "/no/such/folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/folder: does not exist"));
    bin().args(["pairs"]).assert().code(2);
}

#[test]
fn pairs_reads_pkcs12_and_reports_a_wrong_passphrase_as_an_error_pair() {
    let d = tree(&[("bundle/server.p12", "server.p12")]);
    let (status, r) = json_run(&[
        "pairs",
        &d.path().display().to_string(),
        "--now",
        NOW,
        "--passphrase-file",
        &td("passphrase.txt"),
    ]);
    assert_eq!(status, 0, "{r:#}");
    assert_eq!(r["pairs"][0]["status"], "match");
    let (status, r) = json_run(&["pairs", &d.path().display().to_string(), "--now", NOW]);
    assert_eq!(status, 2, "an unreadable pair is exit 2");
    assert_eq!(r["pairs"][0]["status"], "error");
    assert!(
        r["pairs"][0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("server.p12")
    );
}

const CONFIG: &str = r#"# every org this repository logs into
[defaults]
client_id = "3MVG9testConsumerKey.jwtpreflight0123456789"

[[org]]
name = "prod"
username = "ci@example.com"
key = "prod/server.key"
cert = "prod/server.crt"

[[org]]
name = "uat"
username = "ci@example.com.uat"
login_url = "https://acme--uat.sandbox.my.salesforce.com"
key = "uat/server.key"
cert = "uat/server.crt"
"#;

fn config_tree(config: &str) -> tempfile::TempDir {
    let d = tree(&[
        ("prod/server.key", "server.key"),
        ("prod/server.crt", "server.crt"),
        ("uat/server.key", "other.key"),
        ("uat/server.crt", "server.crt"),
    ]);
    std::fs::write(d.path().join("jwt-preflight.toml"), config).expect("write config");
    d
}

#[test]
fn check_config_checks_every_org() {
    let d = config_tree(CONFIG);
    let cfg = p(&d, "jwt-preflight.toml");
    let (status, r) = json_run(&["check", "--config", &cfg, "--now", NOW]);
    assert_eq!(status, 1);
    let keys: Vec<&str> = r
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["schema", "tool", "command", "verdict", "orgs"]);
    assert_eq!(
        (r["command"].as_str(), r["verdict"].as_str()),
        (Some("check"), Some("fail"))
    );
    assert_eq!(r["orgs"][0]["name"], "prod");
    assert_eq!(r["orgs"][0]["verdict"], "pass");
    assert_eq!(r["orgs"][1]["name"], "uat");
    assert_eq!(r["orgs"][1]["verdict"], "fail");
    assert_eq!(
        r["orgs"][1]["assertion"]["claims"]["aud"],
        "https://acme--uat.sandbox.my.salesforce.com"
    );
    assert!(
        r["orgs"][1]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["code"] == "PF501")
    );
    // --org picks one; flags on the command line override the file.
    let (status, r) = json_run(&[
        "check",
        "--config",
        &cfg,
        "--org",
        "uat",
        "--key",
        &p(&d, "prod/server.key"),
        "--now",
        NOW,
    ]);
    assert_eq!(status, 0, "{r:#}");
    assert_eq!(r["orgs"].as_array().map(Vec::len), Some(1));
    let (_, r) = json_run(&[
        "check",
        "--config",
        &cfg,
        "--org",
        "prod",
        "-o",
        "other@example.com",
        "--now",
        NOW,
    ]);
    assert_eq!(
        r["orgs"][0]["assertion"]["claims"]["sub"],
        "other@example.com"
    );
    // The environment does not override the file (it would clobber every org).
    let out = bin()
        .args([
            "check", "--config", &cfg, "--org", "prod", "--now", NOW, "--format", "json",
        ])
        .env("SF_USERNAME", "env@example.com")
        .output()
        .expect("runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["orgs"][0]["assertion"]["claims"]["sub"], "ci@example.com");
    bin()
        .args(["check", "--config", &cfg, "--org", "staging"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no org named \"staging\" (orgs: prod, uat)",
        ));
}

#[test]
fn check_config_from_the_environment_variable() {
    let d = config_tree(CONFIG);
    bin()
        .env("JWT_PREFLIGHT_CONFIG", p(&d, "jwt-preflight.toml"))
        .args(["check", "--org", "prod", "--now", NOW])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("── org prod ──"));
}

#[test]
fn check_config_typo_is_exit_2_with_key_and_line() {
    let d = config_tree(&CONFIG.replace(
        "username = \"ci@example.com.uat\"",
        "user_name = \"ci@example.com.uat\"",
    ));
    bin()
        .args(["check", "--config", &p(&d, "jwt-preflight.toml")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "jwt-preflight.toml: line 13: unknown field `user_name`",
        ));
}

#[test]
fn check_config_missing_file_names_the_org() {
    let d = config_tree(&CONFIG.replace("uat/server.crt", "uat/missing.crt"));
    let missing = Path::new(&p(&d, "uat/missing.crt")).display().to_string();
    bin()
        .args([
            "check",
            "--config",
            &p(&d, "jwt-preflight.toml"),
            "--now",
            NOW,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "org uat: {missing}: does not exist"
        )))
        // The orgs that could run are still reported.
        .stdout(
            predicate::str::contains("── org prod ──")
                .and(predicate::str::contains("could not run")),
        );
    let (status, r) = json_run(&[
        "check",
        "--config",
        &p(&d, "jwt-preflight.toml"),
        "--now",
        NOW,
    ]);
    assert_eq!(status, 2);
    assert_eq!(r["verdict"], "fail");
    assert_eq!(r["orgs"][0]["verdict"], "pass");
    assert_eq!(r["orgs"][1]["verdict"], "fail");
    assert!(
        r["orgs"][1]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("does not exist")
    );
}

/// Orgs that share a key file (a sandbox keeps production's key) share one parse: an
/// encrypted key asks for its passphrase once, on a real terminal, however many orgs use it.
#[test]
fn orgs_sharing_an_encrypted_key_ask_for_its_passphrase_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("orgs.toml");
    let (enc, plain, cert) = (td("server.enc.key"), td("server.key"), td("server.crt"));
    std::fs::write(
        &config,
        format!(
            r#"[defaults]
client_id = "3MVG9testConsumerKey.jwtpreflight0123456789"
username = "ci@example.com"
cert = "{cert}"

[[org]]
name = "prod"
key = "{enc}"

[[org]]
name = "uat"
key = "{enc}"

[[org]]
name = "dev"
key = "{plain}"

[[org]]
name = "qa"
key = "{enc}"
"#
        ),
    )
    .expect("write config");
    let exe = assert_cmd::cargo::cargo_bin("jwt-preflight");
    // Python's pty module runs the binary on a terminal and answers every prompt it sees.
    let script = r#"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["NO_COLOR"] = "1"
    os.execv(sys.argv[1], [sys.argv[1], "check", "--config", sys.argv[2], "--now", "2026-06-01T12:00:00Z"])
out, prompts, seen = b"", 0, 0
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    while out.count(b"Passphrase for") > seen:
        seen += 1
        os.write(fd, b"preflight-test-pass\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(str(os.waitstatus_to_exitcode(status)) + "\n" + out.decode("utf-8", "replace"))
"#;
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            &exe.display().to_string(),
            &config.display().to_string(),
        ])
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("Passphrase for").count(), 1, "{text}");
    assert!(text.starts_with("0\n"), "every org passes: {text}");
    for org in ["prod", "uat", "dev", "qa"] {
        assert!(text.contains(org), "{org}: {text}");
    }
}
