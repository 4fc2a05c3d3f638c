//! Snapshots of what users and scripts read: every command's `--help`, GitHub annotations,
//! `pairs`, `check --config`, `explain`, and the records of a run that could not start. A
//! change to any of them shows up as a snapshot diff (`cargo insta review`).

use crate::util::*;

/// Output with what varies between machines replaced: the version, temporary folders and the
/// fixtures' folder.
fn stable(text: &str, dirs: &[&str]) -> String {
    let mut s = text
        .replace(
            concat!("\"version\": \"", env!("CARGO_PKG_VERSION"), "\""),
            "\"version\": \"[version]\"",
        )
        .replace(&td(""), "testdata/");
    for d in dirs {
        s = s.replace(d, "[dir]");
    }
    s
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_of_every_command() {
    for command in [
        "",
        "check",
        "inspect",
        "sign",
        "pairs",
        "explain",
        "rules",
        "keygen",
        "completions",
        "serve",
        "man",
    ] {
        let args: Vec<&str> = [command, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let (status, stdout, _) = run(&args);
        assert_eq!(status, 0, "{command}");
        assert!(stdout.contains("Examples:"), "{command}: no examples");
        let name = if command.is_empty() {
            "help".to_string()
        } else {
            format!("help_{command}")
        };
        insta::assert_snapshot!(name, stdout);
    }
}

#[test]
fn github_annotations_of_a_failing_check() {
    let (status, stdout, _) = run(&[
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
        "--format",
        "github",
    ]);
    assert_eq!(status, 1);
    insta::assert_snapshot!("github_check_fail", stable(&stdout, &[]));
}

/// A folder with a matching pair, a mismatched pair and a lone certificate.
fn pairs_tree() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (to, from) in [
        ("prod/server.key", "server.key"),
        ("prod/server.crt", "server.crt"),
        ("uat/uat.key", "server.key"),
        ("uat/uat.crt", "other.crt"),
        ("uat/orphan.crt", "expired.crt"),
    ] {
        let dest = dir.path().join(to);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(td(from), &dest).expect("copy");
        #[cfg(unix)]
        if to.ends_with(".key") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
    }
    let root = dir.path().display().to_string();
    (dir, root)
}

#[test]
fn pairs_in_every_format() {
    let (_dir, root) = pairs_tree();
    for format in ["human", "json", "github"] {
        let (status, stdout, _) = run(&["pairs", &root, "--now", NOW, "--format", format]);
        assert_eq!(status, 1, "{format}");
        insta::assert_snapshot!(format!("pairs_{format}"), stable(&stdout, &[&root]));
    }
}

#[test]
fn check_config_in_every_format() {
    let key = private_copy("server.key");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[org]]\nname = \"prod\"\nclient_id = \"{ISS}\"\nusername = \"{SUB}\"\nkey = \"{k}\"\ncert = \"{c}\"\n\n\
             [[org]]\nname = \"uat\"\nclient_id = \"{ISS}\"\nusername = \"{SUB}\"\nlogin_url = \"https://test.salesforce.com\"\naudience = \"https://login.salesforce.com\"\nkey = \"{k}\"\ncert = \"{c}\"\n\n\
             [[org]]\nname = \"gone\"\nclient_id = \"{ISS}\"\nusername = \"{SUB}\"\nkey = \"missing.key\"\n",
            k = key.path,
            c = td("server.crt")
        ),
    )
    .expect("write");
    let config = config.display().to_string();
    let dir_text = dir.path().display().to_string();
    let key_dir = std::path::Path::new(&key.path)
        .parent()
        .expect("parent")
        .display()
        .to_string();
    for format in ["human", "json", "github"] {
        let (status, stdout, stderr) = run(&[
            "check", "--config", &config, "--now", NOW, "--format", format,
        ]);
        assert_eq!(status, 2, "{format}: an org could not run");
        assert!(stderr.contains("org gone: "), "{format}: {stderr}");
        insta::assert_snapshot!(
            format!("config_{format}"),
            stable(&stdout, &[&dir_text, &key_dir])
        );
    }
}

#[test]
fn explain_in_every_form() {
    let cli = "Error (JwtGrantError): We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here\u{2019}s the error: JwtAuthError::Error authenticating with JWT.\nErrors encountered:\nExternal client app is not installed in this org\nExternal client app is not installed in this org\naudience is invalid  [audience=https://login.salesforce.com login=https://test.salesforce.com/]\n";
    for (name, args) in [
        (
            "explain_reply_human",
            vec!["explain", "invalid_grant: audience is invalid"],
        ),
        (
            "explain_reply_json",
            vec![
                "explain",
                "invalid_grant: audience is invalid",
                "--format",
                "json",
            ],
        ),
        ("explain_rule_human", vec!["explain", "PF403"]),
        (
            "explain_rule_json",
            vec!["explain", "signature-hash-mismatch", "--format", "json"],
        ),
        ("explain_cli_output", vec!["explain", cli]),
    ] {
        let (status, stdout, _) = run(&args);
        assert_eq!(status, 0, "{name}");
        insta::assert_snapshot!(name, stable(&stdout, &[]));
    }
}

#[test]
fn records_of_a_run_that_could_not_start() {
    let missing = "/nonexistent/server.key";
    for (name, args) in [
        (
            "failure_missing_key",
            vec!["check", "--key", missing, "-i", ISS, "-o", SUB],
        ),
        ("failure_usage", vec!["check", "--no-such-flag"]),
        ("failure_explain", vec!["explain", "the printer is on fire"]),
    ] {
        for format in ["human", "json", "github"] {
            let mut all = args.clone();
            all.extend(["--format", format]);
            let (status, stdout, stderr) = run(&all);
            assert_eq!(status, 2, "{name} {format}");
            insta::assert_snapshot!(
                format!("{name}_{format}"),
                stable(&format!("--- stdout\n{stdout}--- stderr\n{stderr}"), &[])
            );
        }
    }
}

/// The manual pages come from the same clap definition as `--help`: a snapshot of the tool's
/// page and of one command's, and each names every command or flag its `--help` does.
#[test]
fn man_pages_from_the_clap_definition() {
    let (status, page, _) = run(&["man"]);
    assert_eq!(status, 0);
    assert!(page.contains(".TH jwt-preflight 1"), "{page}");
    for command in [
        "check",
        "inspect",
        "sign",
        "pairs",
        "explain",
        "rules",
        "keygen",
        "serve",
        "man",
        "completions",
    ] {
        assert!(
            page.contains(&format!("jwt\\-preflight\\-{command}(1)")),
            "{command} not listed"
        );
    }
    insta::assert_snapshot!("man", page);
    let (status, check, _) = run(&["man", "check"]);
    assert_eq!(status, 0);
    assert!(check.contains(".TH jwt-preflight-check 1"), "{check}");
    for flag in [
        "\\-\\-assertion",
        "\\-\\-client\\-id",
        "\\-\\-clock\\-check",
        "\\-\\-config",
    ] {
        assert!(check.contains(flag), "{flag} missing");
    }
    insta::assert_snapshot!("man_check", check);
    let (status, _, err) = run(&["man", "nope"]);
    assert_eq!(status, 2);
    assert!(err.contains("no command 'nope'"), "{err}");
}
