//! The routes users install and run the tool by, each exercised the way a user would: the
//! GitHub Action's step, pre-commit's `try-repo`, and a wheel built by maturin installed with
//! pip. Each builds a release binary, so they are ignored by a plain `cargo test`; .ci/run
//! installs pre-commit and maturin and runs them with `--include-ignored`. They share one
//! target folder (target/routes), so the release build is made once.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the routes' release builds go: not the test run's own target folder, whose lock
/// the running `cargo test` holds.
fn routes_target() -> PathBuf {
    repo().join("target").join("routes")
}

/// The Python with pre-commit and maturin (.ci/run's virtual environment).
fn python() -> String {
    std::env::var("JWT_PREFLIGHT_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// A sample repository: a git work tree with `secrets/prod/` holding a key and its certificate
/// (or, when `mismatched`, another key's certificate), and a config for its org.
fn sample_repository(mismatched: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = dir.path().join("secrets").join("prod");
    std::fs::create_dir_all(&secrets).expect("mkdir");
    std::fs::copy(td("server.key"), secrets.join("server.key")).expect("copy key");
    let cert = if mismatched {
        "other.crt"
    } else {
        "server.crt"
    };
    std::fs::copy(td(cert), secrets.join("server.crt")).expect("copy cert");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            secrets.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
    }
    std::fs::write(
        dir.path().join("jwt-preflight.toml"),
        "[[org]]\nname = \"prod\"\nclient_id = \"3MVG9testConsumerKey.jwtpreflight0123456789\"\n\
         username = \"ci@example.com\"\nkey = \"secrets/prod/server.key\"\ncert = \"secrets/prod/server.crt\"\n",
    )
    .expect("config");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "sample"]);
    dir
}

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The value of `key:` under `env:` in action.yml, as GitHub would fill it in.
fn action_env(yaml: &str, inputs: &[(&str, &str)], action_path: &Path) -> Vec<(String, String)> {
    let mut env = Vec::new();
    let mut in_env = false;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if trimmed == "env:" {
            in_env = true;
            continue;
        }
        if in_env {
            let Some((key, value)) = trimmed.split_once(':') else {
                break;
            };
            if !key.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                break;
            }
            let value = value.trim();
            let filled = if value == "${{ github.action_path }}" {
                action_path.display().to_string()
            } else if let Some(name) = value
                .strip_prefix("${{ inputs.")
                .and_then(|v| v.strip_suffix(" }}"))
            {
                inputs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_else(|| default_input(yaml, name))
            } else {
                value.to_string()
            };
            env.push((key.to_string(), filled));
        }
    }
    env
}

/// An input's `default:` in action.yml.
fn default_input(yaml: &str, name: &str) -> String {
    let mut lines = yaml.lines().skip_while(|l| l.trim() != format!("{name}:"));
    lines
        .find_map(|l| l.trim().strip_prefix("default:").map(str::trim))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_default()
}

/// The action's `run:` line, run with bash as GitHub would, with its env and these inputs.
fn run_action(
    workspace: &Path,
    runner_temp: &Path,
    inputs: &[(&str, &str)],
) -> std::process::Output {
    let yaml = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    let run = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("run: "))
        .expect("a run: line")
        .to_string();
    let mut cmd = Command::new("bash");
    cmd.args(["-e", "-c", &run])
        .current_dir(workspace)
        .env("RUNNER_TEMP", runner_temp)
        .env("CARGO_TARGET_DIR", routes_target())
        .env("NO_COLOR", "1");
    for (k, v) in action_env(&yaml, inputs, &repo()) {
        cmd.env(k, v);
    }
    cmd.output().expect("bash")
}

#[test]
#[ignore = "builds a release binary with cargo install (minutes); .ci/run runs it"]
fn the_github_action_installs_and_annotates_a_sample_repository() {
    let temp = tempfile::tempdir().expect("runner temp");
    let good = sample_repository(false);
    let out = run_action(
        good.path(),
        temp.path(),
        &[("pairs", "secrets"), ("config", "jwt-preflight.toml")],
    );
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("jwt-preflight 0."),
        "prints its version: {text}"
    );
    let bad = sample_repository(true);
    let out = run_action(bad.path(), temp.path(), &[("pairs", "secrets")]);
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("::error") && text.contains("PF501"), "{text}");
    // No input: a clear annotation, exit 2.
    let out = run_action(good.path(), temp.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(output_text(&out).contains("give the action a pairs folder or a config file"));
}

#[test]
#[ignore = "needs pre-commit (pip install pre-commit; set JWT_PREFLIGHT_TEST_PYTHON)"]
fn pre_commit_try_repo_passes_a_good_pair_and_fails_a_mismatched_one() {
    let home = tempfile::tempdir().expect("pre-commit home");
    let run = |dir: &Path, hook: &str| {
        let out = Command::new(python())
            .args(["-m", "pre_commit", "try-repo"])
            .arg(repo())
            .args([hook, "--all-files", "--verbose"])
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", home.path())
            .env("CARGO_TARGET_DIR", routes_target())
            .env("NO_COLOR", "1")
            .output()
            .expect("pre-commit");
        (out.status.code(), output_text(&out))
    };
    let good = sample_repository(false);
    let (status, text) = run(good.path(), "jwt-preflight-pairs");
    assert_eq!(status, Some(0), "{text}");
    assert!(text.contains("Passed"), "{text}");
    let (status, text) = run(good.path(), "jwt-preflight-config");
    assert_eq!(status, Some(0), "{text}");
    let bad = sample_repository(true);
    let (status, text) = run(bad.path(), "jwt-preflight-pairs");
    assert_eq!(status, Some(1), "{text}");
    assert!(text.contains("Failed") && text.contains("PF501"), "{text}");
}

#[test]
#[ignore = "needs maturin (pip install maturin; set JWT_PREFLIGHT_TEST_PYTHON)"]
fn a_wheel_built_by_maturin_puts_the_binary_on_a_python_path() {
    let work = tempfile::tempdir().expect("tempdir");
    let wheels = work.path().join("wheels");
    let out = Command::new(python())
        .args(["-m", "maturin", "build", "--release", "--out"])
        .arg(&wheels)
        .current_dir(repo())
        .env("CARGO_TARGET_DIR", routes_target())
        .output()
        .expect("maturin");
    assert!(out.status.success(), "{}", output_text(&out));
    let wheel = std::fs::read_dir(&wheels)
        .expect("wheels")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .expect("a wheel");
    let venv = work.path().join("venv");
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("venv");
    assert!(status.success());
    let out = Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "--no-index"])
        .arg(&wheel)
        .output()
        .expect("pip");
    assert!(out.status.success(), "{}", output_text(&out));
    let bin = venv.join("bin").join("jwt-preflight");
    let out = Command::new(&bin).arg("--version").output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("jwt-preflight 0."));
    let key = private_copy("server.key");
    let out = Command::new(&bin)
        .args(["check", "--key", &key.path, "--cert", &td("server.crt")])
        .args([
            "-i",
            "3MVG9testConsumerKey.jwtpreflight0123456789",
            "-o",
            "ci@example.com",
        ])
        .args(["--now", NOW, "--format", "json"])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(0), "{}", output_text(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["verdict"], "pass");
}
