//! Hostile input (issue 11): every attack ends in a one-line message and exit 2 (or in the
//! right verdict), within bounded memory and time, and no output ever holds a secret. The
//! hostile files are made by `fuzz/regressions/gen.sh` with openssl and Python.

use crate::util::*;
use std::path::{Path, PathBuf};

/// A hostile input of the regression corpus.
fn corpus(rel: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fuzz/regressions", rel]
        .iter()
        .collect();
    p.display().to_string()
}

/// The peak memory any hostile run may use.
const MAX_RSS_KB: u64 = 64 * 1024;

/// What a run under watch did.
struct Watched {
    code: i32,
    stdout: String,
    stderr: String,
    peak_rss_kb: u64,
}

/// Runs the binary under Python's watch: killed after 60 s (so a runaway run fails the test
/// instead of hanging it), and its peak RSS read from the kernel's accounting
/// (`getrusage(RUSAGE_CHILDREN)`). `shell` wraps the command in `bash -c` for process
/// substitution; the binary is `$BIN` there.
fn watched(args: &[&str], env: &[(&str, &str)], shell: Option<&str>) -> Watched {
    let exe = assert_cmd::cargo::cargo_bin("jwt-preflight");
    let script = r#"
import json, os, resource, subprocess, sys
spec = json.loads(sys.argv[1])
env = dict(os.environ, NO_COLOR="1", **spec["env"])
for var in ["SF_JWT_KEY_FILE", "SF_JWT_CERT_FILE", "SF_CLIENT_ID", "SF_USERNAME", "SF_LOGIN_URL",
            "SF_AUDIENCE_URL", "JWT_PREFLIGHT_CONFIG"]:
    if var not in spec["env"]:
        env.pop(var, None)
cmd = spec["argv"] if spec["shell"] is None else ["bash", "-c", spec["shell"], "bash"] + spec["argv"][1:]
env["BIN"] = spec["argv"][0]
try:
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    code = p.returncode
    out, err = p.stdout, p.stderr
except subprocess.TimeoutExpired as e:
    code, out, err = -999, e.stdout or b"", e.stderr or b""
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "stdout": out.decode("utf-8", "replace"),
                  "stderr": err.decode("utf-8", "replace"), "rss": rss}))
"#;
    let mut argv = vec![exe.display().to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let spec = serde_json::json!({
        "argv": argv,
        "env": env.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
        "shell": shell,
    });
    let out = std::process::Command::new("python3")
        .args(["-c", script, &spec.to_string()])
        .output()
        .expect("python3 runs the watcher");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "watcher output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let w = Watched {
        code: v["code"].as_i64().unwrap_or(-1) as i32,
        stdout: v["stdout"].as_str().unwrap_or_default().to_string(),
        stderr: v["stderr"].as_str().unwrap_or_default().to_string(),
        peak_rss_kb: v["rss"].as_u64().unwrap_or(u64::MAX),
    };
    assert_ne!(w.code, -999, "{args:?} ran for over 60 s: {}", w.stderr);
    w
}

/// The run could not start: exit 2, one line on stderr that says `what`, bounded memory.
fn assert_refused(w: &Watched, what: &str, context: &str) {
    assert_eq!(w.code, 2, "{context}: {}{}", w.stdout, w.stderr);
    assert_eq!(
        w.stderr.trim_end().lines().count(),
        1,
        "{context}: not one line: {}",
        w.stderr
    );
    assert!(w.stderr.contains(what), "{context}: {}", w.stderr);
    assert!(
        w.peak_rss_kb < MAX_RSS_KB,
        "{context}: peak RSS {} KiB",
        w.peak_rss_kb
    );
}

// See: issue 11, "a fresh clone fails cargo test".
#[test]
fn no_test_or_bench_reads_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Built here, so that this file does not hold the path it looks for.
    let outside = ["..", "shared"].join("/");
    let mut offenders = Vec::new();
    for dir in ["tests", "benches", "src", ".ci", "scripts"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(text) = std::fs::read_to_string(&p)
                    && text.contains(&outside)
                {
                    offenders.push(p.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "read {outside}: {offenders:?}");
    for f in [
        "testdata/vectors/SOURCES.md",
        "testdata/vectors/wycheproof/LICENSE",
        "testdata/vectors/rfc/COPYING",
        "testdata/vectors/rfc/cookbook/LICENSE",
    ] {
        assert!(root.join(f).is_file(), "{f} is missing");
    }
}

// See: issue 11, D1.
#[test]
fn devices_are_refused_for_every_file_input() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let cert = td("server.crt");
        let config_env = [("JWT_PREFLIGHT_CONFIG", device)];
        type Case<'a> = (Vec<&'a str>, &'a [(&'a str, &'a str)]);
        let cases: Vec<Case> = vec![
            (vec!["check", "--key", device, "-i", ISS, "-o", SUB], &[]),
            (vec!["check", "--cert", device, "--assertion", "-"], &[]),
            (vec!["check", "--assertion", device], &[]),
            (vec!["check", "--config", device], &[]),
            (vec!["check"], &config_env),
            (vec!["inspect", device], &[]),
            (vec!["explain", device], &[]),
            (vec!["pairs", "--key", device, "--cert", &cert], &[]),
        ];
        for (args, env) in cases {
            let w = watched(&args, env, None);
            let context = format!("{args:?} {env:?}");
            if args[0] == "pairs" {
                // pairs reports the pair that could not be read, then exits 2.
                assert_eq!(w.code, 2, "{context}: {}", w.stderr);
                assert!(w.stdout.contains("is a device"), "{context}: {}", w.stdout);
                assert!(w.peak_rss_kb < MAX_RSS_KB, "{context}");
            } else {
                assert_refused(&w, "is a device, not a file", &context);
            }
        }
        // A passphrase file that is a device.
        let k = private_copy("server.enc.key");
        let w = watched(
            &[
                "check",
                "--key",
                &k.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--passphrase-file",
                device,
            ],
            &[],
            None,
        );
        assert_refused(&w, "is a device", device);
    }
}

// See: issue 11, D1: a pipe reports no size either; the read itself is bounded.
#[test]
fn endless_pipes_are_read_only_up_to_the_cap() {
    let w = watched(
        &["check", "-i", ISS, "-o", SUB],
        &[],
        Some(r#"exec "$BIN" "$@" --key <(head -c 50000000 /dev/zero)"#),
    );
    assert_refused(&w, "is larger than 1 MiB", "--key <(50 MB of zeros)");
    let w = watched(
        &["inspect", "-"],
        &[],
        Some(r#"head -c 50000000 /dev/zero | "$BIN" "$@""#),
    );
    assert_refused(&w, "stdin: is larger than 1 MiB", "inspect - < 50 MB");
}

// See: issue 11, D2.
#[test]
fn scrypt_parameters_over_the_limit_are_refused_before_any_work() {
    let w = watched(
        &[
            "check",
            "--key",
            &corpus("key_reader/scrypt-32gib.p8.der"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--passphrase-env",
            "PW",
        ],
        &[("PW", "pw")],
        None,
    );
    assert_refused(
        &w,
        "scrypt parameters (N = 4194304, r = 64) ask for 32 GiB",
        "32 GiB",
    );
    // Just over the limit, which is openssl's own: openssl refuses the same file.
    let path = corpus("key_reader/scrypt-64mib.p8.der");
    let w = watched(
        &[
            "check",
            "--key",
            &path,
            "-i",
            ISS,
            "-o",
            SUB,
            "--passphrase-env",
            "PW",
        ],
        &[("PW", "pw")],
        None,
    );
    assert_refused(&w, "ask for 64 MiB", "64 MiB");
    let openssl = std::process::Command::new("openssl")
        .args([
            "pkcs8",
            "-inform",
            "DER",
            "-in",
            &path,
            "-passin",
            "pass:pw",
            "-out",
            "/dev/null",
        ])
        .output()
        .expect("openssl runs");
    assert!(
        !openssl.status.success(),
        "openssl read a key over its own scrypt limit"
    );
    // Within the limit (openssl's default N = 16384, r = 8): read as before.
    let k = private_copy("server.scrypt.key");
    bin()
        .args([
            "check",
            "--key",
            &k.path,
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
        ])
        .args(["--now", NOW, "--passphrase-file", &td("passphrase.txt")])
        .assert()
        .code(0);
}

// See: issue 11, D3 (and the same attack on a PKCS#12's MAC and its encrypted layer).
#[test]
fn pbkdf2_iterations_over_the_limit_are_refused_before_any_work() {
    for (file, what) in [
        (
            "key_reader/pbkdf2-2g-iterations.p8.der",
            "PBKDF2 key derivation (iteration count) asks for 2147483647 iterations",
        ),
        (
            "key_reader/pkcs12-mac-2g-iterations.p12",
            "PKCS#12 integrity MAC asks for 2147483647 iterations",
        ),
        (
            "key_reader/pkcs12-layer-2g-iterations.p12",
            "asks for 2147483647 iterations",
        ),
    ] {
        let w = watched(
            &[
                "check",
                "--key",
                &corpus(file),
                "-i",
                ISS,
                "-o",
                SUB,
                "--passphrase-env",
                "PW",
            ],
            &[("PW", "pw")],
            None,
        );
        assert_refused(&w, what, file);
        assert!(
            w.stderr.contains("over the limit of 10000000"),
            "{}",
            w.stderr
        );
    }
}

// See: issue 11, D4.
#[test]
fn duplicate_members_are_found_in_linear_time_and_reported_capped() {
    use base64::Engine;
    let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let claims: Vec<String> = (0..30_000)
        .map(|i| format!("\"a{i}\":1,\"a{i}\":2"))
        .collect();
    let token = format!(
        "{}.{}.{}",
        b(r#"{"alg":"RS256"}"#),
        b(&format!("{{{}}}", claims.join(","))),
        b("sig")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dups.jwt");
    std::fs::write(&path, &token).expect("write");
    let path = path.display().to_string();
    let w = watched(&["inspect", &path, "--format", "json"], &[], None);
    assert_eq!(w.code, 1, "{}", w.stderr);
    let r: serde_json::Value = serde_json::from_str(&w.stdout).expect("JSON");
    let pf104: Vec<&str> = r["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "PF104")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(pf104.len(), 11, "{pf104:?}");
    assert!(
        pf104[10].contains("repeats 29990 more member names"),
        "{}",
        pf104[10]
    );
    assert!(w.peak_rss_kb < MAX_RSS_KB, "peak RSS {} KiB", w.peak_rss_kb);
    let human = watched(&["inspect", &path], &[], None);
    assert!(
        human.stdout.len() < 64 * 1024,
        "{} bytes of output",
        human.stdout.len()
    );
}

/// Key material, every form a secret takes when put in the wrong place.
fn secret_forms() -> Vec<(&'static str, String)> {
    let pem = std::fs::read_to_string(td("server.key")).expect("read");
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n");
    let without_begin: String = pem.lines().skip(1).collect::<Vec<_>>().join("\n");
    vec![
        ("pem", pem.clone()),
        ("pem on one line", pem.replace('\n', " ")),
        ("pem without its BEGIN line", without_begin),
        ("bare base64 body", body),
        ("assertion", good_token()),
    ]
}

/// Fragments of key material that must never appear in any output.
fn leaks(output: &str) -> Vec<String> {
    let pem = std::fs::read_to_string(td("server.key")).expect("read");
    let mut found = Vec::new();
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        // Any 24 characters of any body line.
        for chunk in line.as_bytes().chunks(24).filter(|c| c.len() == 24) {
            let chunk = String::from_utf8_lossy(chunk);
            if output.contains(chunk.as_ref()) {
                found.push(chunk.into_owned());
            }
        }
    }
    if output.contains("BEGIN PRIVATE KEY") {
        found.push("BEGIN PRIVATE KEY".into());
    }
    let sig = good_signature();
    if output.contains(&sig[..24]) {
        found.push("the assertion's signature".into());
    }
    found
}

// See: issue 11, D5: every command, key content in every flag, every output scanned.
#[test]
fn no_output_of_any_command_holds_key_material() {
    let crt = td("server.crt");
    let key = private_copy("server.key");
    let config = td("jwt-preflight.toml");
    let keygen_dir = tempfile::tempdir().expect("tempdir");
    let keygen_out = keygen_dir.path().join("out").display().to_string();
    // Each command line has one slot, `{}`, where the secret goes; the flags after it say
    // whether the command takes --now and --format.
    let templates: Vec<(Vec<&str>, bool, bool)> = vec![
        (
            vec!["check", "--key", "{}", "--cert", &crt, "-i", ISS, "-o", SUB],
            true,
            true,
        ),
        (
            vec!["check", "--key={}", "--cert", &crt, "-i", ISS, "-o", SUB],
            true,
            true,
        ),
        (
            vec![
                "check", "--key", &key.path, "--cert", "{}", "-i", ISS, "-o", SUB,
            ],
            true,
            true,
        ),
        (
            vec!["check", "--assertion", "{}", "--cert", &crt],
            true,
            true,
        ),
        (
            vec!["check", "--key", &key.path, "-i", "{}", "-o", SUB],
            true,
            true,
        ),
        (
            vec!["check", "--key", &key.path, "-i", ISS, "-o", "{}"],
            true,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--login-url",
                "{}",
            ],
            true,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--audience",
                "{}",
            ],
            true,
            true,
        ),
        (
            vec![
                "check", "--key", &key.path, "-i", ISS, "-o", SUB, "--now", "{}",
            ],
            false,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--clock-url",
                "{}",
            ],
            true,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--expect-alg",
                "{}",
            ],
            true,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--lifetime",
                "{}",
            ],
            true,
            true,
        ),
        (
            vec![
                "check", "--key", &key.path, "-i", ISS, "-o", SUB, "--format", "{}",
            ],
            true,
            false,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--cert-warn-days",
                "{}",
            ],
            true,
            true,
        ),
        (vec!["check", "--config", "{}"], true, true),
        (
            vec!["check", "--config", &config, "--org", "{}"],
            true,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--passphrase-env",
                "{}",
            ],
            true,
            true,
        ),
        (
            vec![
                "check",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--passphrase-file",
                "{}",
            ],
            true,
            true,
        ),
        (vec!["check", "{}"], true, true),
        (vec!["inspect", "{}"], true, true),
        (vec!["inspect", "-", "--now", "{}"], false, true),
        (
            vec!["sign", "--key", "{}", "-i", ISS, "-o", SUB],
            true,
            false,
        ),
        (
            vec!["sign", "--key", &key.path, "-i", "{}", "-o", SUB],
            true,
            false,
        ),
        (
            vec![
                "sign",
                "--key",
                &key.path,
                "-i",
                ISS,
                "-o",
                SUB,
                "--login-url",
                "{}",
                "--request",
            ],
            true,
            false,
        ),
        (vec!["pairs", "{}"], true, true),
        (vec!["pairs", "--key", "{}", "--cert", &crt], true, true),
        (
            vec!["pairs", "--key", &key.path, "--cert", "{}"],
            true,
            true,
        ),
        (vec!["explain", "{}"], false, true),
        (vec!["rules", "{}"], false, true),
        (vec!["keygen", "--out", "{}"], false, false),
        (
            vec!["keygen", "--subject", "{}", "--out", &keygen_out],
            false,
            false,
        ),
        (vec!["completions", "{}"], false, false),
        (vec!["{}"], false, false),
        (vec!["--color", "{}", "rules"], false, false),
    ];
    let mut failures = Vec::new();
    let mut runs = 0;
    for (form, secret) in secret_forms() {
        for (t, takes_now, takes_format) in &templates {
            let formats: &[Option<&str>] = if *takes_format {
                &[None, Some("json"), Some("github")]
            } else {
                &[None]
            };
            for format in formats {
                let args: Vec<String> = t
                    .iter()
                    .map(|a| {
                        if *a == "{}" {
                            secret.clone()
                        } else if let Some(flag) = a.strip_suffix("{}") {
                            format!("{flag}{secret}")
                        } else {
                            a.to_string()
                        }
                    })
                    .collect();
                let mut c = bin();
                c.args(&args);
                if *takes_now {
                    c.args(["--now", NOW]);
                }
                if let Some(f) = format {
                    c.args(["--format", f]);
                }
                let out = c.write_stdin("").output().expect("runs");
                runs += 1;
                let found = leaks(&all_output(&out));
                if !found.is_empty() {
                    failures.push(format!("{form}: {t:?} {format:?}: {found:?}"));
                }
            }
        }
        // The environment variables that name files or values.
        for var in [
            "SF_JWT_KEY_FILE",
            "SF_JWT_CERT_FILE",
            "SF_CLIENT_ID",
            "SF_USERNAME",
            "SF_LOGIN_URL",
            "SF_AUDIENCE_URL",
            "JWT_PREFLIGHT_CONFIG",
        ] {
            let out = bin()
                .env(var, &secret)
                .args([
                    "check", "--key", &key.path, "--cert", &crt, "-i", ISS, "-o", SUB, "--now", NOW,
                ])
                .output()
                .expect("runs");
            runs += 1;
            let found = leaks(&all_output(&out));
            if !found.is_empty() {
                failures.push(format!("{form}: {var}: {found:?}"));
            }
        }
    }
    assert!(runs > 400, "only {runs} runs");
    assert!(
        !keygen_dir.path().join("out").exists(),
        "keygen made a folder for a refused subject"
    );
    assert!(
        failures.is_empty(),
        "{} leaks:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// See: issue 11, D5: a passphrase typed where the variable's name or the file's path belongs.
#[test]
fn a_passphrase_given_as_a_flag_value_is_never_printed() {
    let k = private_copy("server.enc.key");
    let pass = "preflight-test-pass";
    for flag in ["--passphrase-env", "--passphrase-file"] {
        for format in ["human", "json", "github"] {
            let out = bin()
                .args([
                    "check",
                    "--key",
                    &k.path,
                    "--cert",
                    &td("server.crt"),
                    "-i",
                    ISS,
                    "-o",
                    SUB,
                ])
                .args([flag, pass, "--format", format])
                .output()
                .expect("runs");
            assert_eq!(out.status.code(), Some(2), "{flag} {format}");
            let all = all_output(&out);
            assert!(!all.contains(pass), "{flag} {format}: {all}");
            assert!(all.contains(flag), "{flag} {format}: {all}");
        }
    }
    // Also in pairs.
    let out = bin()
        .args([
            "pairs",
            "--key",
            &k.path,
            "--cert",
            &td("server.crt"),
            "--passphrase-env",
            pass,
        ])
        .output()
        .expect("runs");
    assert!(!all_output(&out).contains(pass), "{}", all_output(&out));
}

// See: issue 11, D6.
#[test]
fn pairs_does_not_follow_folder_links_and_ends_link_cycles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a");
    std::fs::create_dir(&a).expect("mkdir");
    std::fs::copy(td("server.key"), a.join("server.key")).expect("copy");
    std::fs::copy(td("server.crt"), a.join("server.crt")).expect("copy");
    std::os::unix::fs::symlink("..", a.join("up")).expect("symlink");
    std::os::unix::fs::symlink("../a", a.join("again")).expect("symlink");
    // A link to a file is read: Kubernetes mounts secrets as links.
    let b = dir.path().join("b");
    std::fs::create_dir(&b).expect("mkdir");
    std::os::unix::fs::symlink(a.join("server.key"), b.join("tls.key")).expect("symlink");
    std::os::unix::fs::symlink(a.join("server.crt"), b.join("tls.crt")).expect("symlink");
    let root = dir.path().display().to_string();
    for extra in [&[][..], &["--follow"][..]] {
        let (status, r) = json_run(&[&["pairs", root.as_str(), "--now", NOW][..], extra].concat());
        let pairs: Vec<String> = r["pairs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["key"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(status, 0, "{extra:?}: {r}");
        assert_eq!(pairs.len(), 2, "{extra:?}: each pair once: {pairs:?}");
        assert!(
            pairs[0].ends_with("a/server.key") && pairs[1].ends_with("b/tls.key"),
            "{pairs:?}"
        );
    }
    let out = bin()
        .args(["pairs", &root, "--now", NOW])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 links to folders not followed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// See: issue 11, D7.
#[test]
fn pairs_exits_2_for_a_file_it_cannot_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(td("server.key"), dir.path().join("server.key")).expect("copy");
    std::fs::copy(td("server.crt"), dir.path().join("server.crt")).expect("copy");
    let sub = dir.path().join("other");
    std::fs::create_dir(&sub).expect("mkdir");
    // Unreadable whoever runs the test (root reads a chmod 000 file): a key whose link
    // points nowhere, and a file whose every read fails.
    std::os::unix::fs::symlink("/nonexistent/prod.key", sub.join("prod.key")).expect("symlink");
    std::os::unix::fs::symlink("/proc/self/mem", sub.join("mem.pem")).expect("symlink");
    let root = dir.path().display().to_string();
    let (status, r) = json_run(&["pairs", &root, "--now", NOW]);
    assert_eq!(status, 2, "{r}");
    assert_eq!(r["verdict"], "fail");
    let unreadable: Vec<&serde_json::Value> = r["unpaired"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["kind"] == "unreadable")
        .collect();
    assert_eq!(unreadable.len(), 2, "{r}");
    assert!(
        r["pairs"][0]["status"] == "match",
        "the readable pair is still checked: {r}"
    );
    let out = bin()
        .args(["pairs", &root, "--now", NOW])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("✗ unreadable"));
}

// See: issue 11, D8.
#[test]
fn damaged_pem_blocks_are_described_as_damaged() {
    for (file, flag, want) in [
        (
            "cert_reader/certificate-block-aaaa.crt",
            "--cert",
            "holds a CERTIFICATE PEM block whose 3 bytes are not a DER certificate",
        ),
        (
            "cert_reader/certificate-block-empty.crt",
            "--cert",
            "holds an empty CERTIFICATE PEM block",
        ),
        (
            "key_reader/private-key-block-empty.key",
            "--key",
            "holds an empty PRIVATE KEY PEM block",
        ),
    ] {
        let out = bin()
            .args([
                "check",
                flag,
                &corpus(file),
                "--assertion",
                &td("tokens/good.jwt"),
            ])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(stderr.contains(want), "{file}: {stderr}");
        assert!(
            !stderr.contains("text with no PEM block") && !stderr.contains("whitespace"),
            "{stderr}"
        );
    }
}

// See: issue 11, D9.
#[test]
fn hostile_file_names_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\nerror[PF999] forged line\u{202e}.crt";
    let cert = dir.path().join(name);
    std::fs::copy(td("server.crt"), &cert).expect("copy");
    let key = dir.path().join("k\u{1b}[31m.key");
    std::fs::copy(td("server.key"), &key).expect("copy");
    // Readable by others: PF505 names the file in every format.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let raw = |s: &str| {
        s.contains('\u{1b}')
            || s.contains('\u{7}')
            || s.contains('\u{202e}')
            || s.contains("\nerror[PF999]")
    };
    for format in ["human", "json", "github"] {
        let out = bin()
            .args([
                "check", "--key", &key, "--cert", &cert, "-i", ISS, "-o", SUB, "--now", NOW,
            ])
            .args(["--format", format])
            .output()
            .expect("runs");
        let all = all_output(&out);
        assert!(!raw(&all), "{format}: {all:?}");
        assert!(
            all.contains("\\u{001b}") || format == "json",
            "{format}: the name is shown, escaped: {all}"
        );
        // A name that does not exist is escaped in the error too.
        let out = bin()
            .args([
                "check",
                "--cert",
                &format!("{cert}.missing"),
                "--assertion",
                &td("tokens/good.jwt"),
            ])
            .args(["--format", format])
            .output()
            .expect("runs");
        assert!(!raw(&all_output(&out)), "{format}: {:?}", all_output(&out));
    }
    // pairs over the folder, in every format.
    for format in ["human", "json", "github"] {
        let out = bin()
            .args([
                "pairs",
                &dir.path().display().to_string(),
                "--now",
                NOW,
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        assert!(
            !raw(&all_output(&out)),
            "pairs {format}: {:?}",
            all_output(&out)
        );
    }
}

// See: issue 11, smaller items.
#[test]
fn a_clock_url_that_is_not_http_is_a_usage_error() {
    for url in [
        "not a url",
        "file:///etc/passwd",
        "ftp://login.salesforce.com",
    ] {
        bin()
            .args([
                "check",
                "--assertion",
                &td("tokens/good.jwt"),
                "--clock-url",
                url,
            ])
            .assert()
            .code(2);
    }
}

#[test]
fn empty_and_blank_assertions_get_the_same_verdict() {
    for stdin in ["", "  \n\t\n"] {
        let out = bin()
            .args([
                "check",
                "--assertion",
                "-",
                "--format",
                "json",
                "--now",
                NOW,
            ])
            .write_stdin(stdin)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{stdin:?}");
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(
            codes(&r),
            vec![("PF101".to_string(), "error".to_string())],
            "{stdin:?}"
        );
    }
}

#[test]
fn a_config_lifetime_is_bounded_like_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[org]]\nname = \"prod\"\nclient_id = \"{ISS}\"\nusername = \"{SUB}\"\nkey = \"{}\"\nlifetime = 99999999999\n",
            td("server.key")
        ),
    )
    .expect("write");
    bin()
        .args(["check", "--config", &config.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "lifetime = 99999999999 is outside",
        ));
}

#[test]
fn keygen_refuses_a_subject_too_long_to_upload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let subject = format!("CN={}", "a".repeat(100_000));
    bin()
        .args([
            "keygen",
            "--out",
            &out.display().to_string(),
            "--subject",
            &subject,
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("4 KB upload limit"));
    assert!(!out.exists(), "nothing is made when the subject is refused");
}

#[test]
fn keygen_creates_a_missing_folder_privately() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("secrets/prod");
    bin()
        .args(["keygen", "--out", &out.display().to_string()])
        .assert()
        .code(0);
    let mode = std::fs::metadata(&out).expect("made").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    assert!(out.join("server.key").is_file() && out.join("server.crt").is_file());
}

#[test]
fn a_login_url_with_the_default_port_builds_an_accepted_audience() {
    let k = private_copy("server.key");
    let (status, r) = json_run(&[
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
        "https://login.salesforce.com:443",
    ]);
    assert_eq!(
        r["assertion"]["claims"]["aud"],
        "https://login.salesforce.com"
    );
    assert_eq!((status, codes(&r)), (0, vec![]));
}

#[test]
fn negative_zero_exp_is_the_integer_zero() {
    let (status, r) = json_run(&[
        "check",
        "--assertion",
        &corpus("token_parser/exp-negative-zero.jwt"),
        "--now",
        NOW,
    ]);
    assert_eq!(status, 1);
    assert!(
        !codes(&r).iter().any(|(c, _)| c == "PF332"),
        "{:?}",
        codes(&r)
    );
    assert!(
        codes(&r).iter().any(|(c, _)| c == "PF334"),
        "{:?}",
        codes(&r)
    );
    let out = bin()
        .args([
            "inspect",
            &corpus("token_parser/exp-negative-zero.jwt"),
            "--now",
            NOW,
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("\"exp\": -0\n") && !stdout.contains("-0.0"),
        "{stdout}"
    );
}

#[test]
fn inspect_on_a_terminal_says_what_it_waits_for() {
    // A real terminal: Python's pty module runs the binary on one, reads what it prints,
    // then ends the input with Ctrl-D.
    let exe = assert_cmd::cargo::cargo_bin("jwt-preflight");
    let script = r#"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["NO_COLOR"] = "1"
    os.execv(sys.argv[1], [sys.argv[1], "inspect"])
out = b""
deadline = time.time() + 10
while time.time() < deadline and b"Ctrl-D" not in out:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
os.write(fd, b"\x04")
time.sleep(0.3)
try:
    while True:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, &exe.display().to_string()])
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("reading an assertion from the terminal: paste it, then press Ctrl-D"),
        "{text}"
    );
}

#[test]
fn a_config_path_from_the_environment_names_the_variable() {
    bin()
        .env("JWT_PREFLIGHT_CONFIG", "/nonexistent/jwt-preflight.toml")
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("JWT_PREFLIGHT_CONFIG"));
}
