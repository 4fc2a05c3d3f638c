//! Helpers shared by the integration tests.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

/// The instant every fixture is made for.
pub const NOW: &str = "2026-06-01T12:00:00Z";
/// The fixtures' consumer key and username.
pub const ISS: &str = "3MVG9testConsumerKey.jwtpreflight0123456789";
pub const SUB: &str = "ci@example.com";

/// A path under testdata/.
pub fn td(rel: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "testdata", rel]
        .iter()
        .collect();
    p.display().to_string()
}

/// The binary, with an environment that cannot leak into the test.
pub fn bin() -> Command {
    let mut c = Command::cargo_bin("jwt-preflight").expect("binary built");
    for var in [
        "SF_JWT_KEY_FILE",
        "SF_JWT_CERT_FILE",
        "SF_CLIENT_ID",
        "SF_USERNAME",
        "SF_LOGIN_URL",
        "SF_AUDIENCE_URL",
        "JWT_PREFLIGHT_CONFIG",
        "SF_TARGET_ORG",
        "CLICOLOR_FORCE",
    ] {
        c.env_remove(var);
    }
    c.env("NO_COLOR", "1");
    c
}

/// A private copy of a key fixture with mode 0600, as git does not keep file modes.
pub struct PrivateCopy {
    _dir: tempfile::TempDir,
    pub path: String,
}

pub fn private_copy(rel: &str) -> PrivateCopy {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = std::path::Path::new(rel).file_name().expect("file name");
    let dest = dir.path().join(name);
    std::fs::copy(td(rel), &dest).expect("copy fixture");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    PrivateCopy {
        path: dest.display().to_string(),
        _dir: dir,
    }
}

/// Runs the binary with `args` plus `--format json`, returns (exit status, report).
pub fn json_run(args: &[&str]) -> (i32, Value) {
    let out = bin()
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let code = out.status.code().expect("exit code");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); exit {code}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// `check --assertion tokens/NAME --cert server.crt -i ISS -o SUB --now NOW` plus `extra`.
pub fn check_token(name: &str, extra: &[&str]) -> (i32, Value) {
    let token = td(&format!("tokens/{name}"));
    let cert = td("server.crt");
    let mut args = vec![
        "check",
        "--assertion",
        &token,
        "--cert",
        &cert,
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

/// The findings' (code, severity) pairs.
pub fn codes(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap_or_default().to_string(),
                        f["severity"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The message of the first finding with `code`.
pub fn message(report: &Value, code: &str) -> String {
    report["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == code))
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// The status of the check group `name`.
pub fn check_status(report: &Value, name: &str) -> String {
    report["checks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
        .and_then(|c| c["status"].as_str())
        .unwrap_or("absent")
        .to_string()
}

/// The good fixture token, without its trailing newline.
pub fn good_token() -> String {
    std::fs::read_to_string(td("tokens/good.jwt"))
        .expect("read good.jwt")
        .trim()
        .to_string()
}

/// The good token's signature segment, which no output may ever contain.
pub fn good_signature() -> String {
    good_token()
        .rsplit('.')
        .next()
        .expect("signature")
        .to_string()
}

/// Everything a run printed, stdout then stderr.
pub fn all_output(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
