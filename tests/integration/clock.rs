//! `--clock-check` against HTTP servers on loopback, started inside this test binary, each
//! serving a chosen `Date`. No traffic leaves the machine.

use crate::util::*;
use chrono::{Duration, Utc};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Instant;

/// How the fake login server answers.
#[derive(Clone, Copy)]
enum Answer {
    /// A `Date` this many seconds from the real now.
    DateOffset(i64),
    NoDate,
    Malformed,
    /// Accept the connection and never answer.
    Silent,
}

/// How long a silent server holds the connection open without answering.
const SILENT_SECS: u64 = 60;

/// Serves one connection on a loopback port; returns the URL.
fn serve(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        if let Answer::Silent = answer {
            // Far longer than the client's 5 s timeout, so only that timeout can end the run.
            std::thread::sleep(std::time::Duration::from_secs(SILENT_SECS));
            return;
        }
        let mut buf = [0u8; 4096];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let date = match answer {
            Answer::DateOffset(s) => format!(
                "Date: {}\r\n",
                (Utc::now() + Duration::seconds(s)).format("%a, %d %b %Y %H:%M:%S GMT")
            ),
            Answer::Malformed => "Date: yesterday-ish\r\n".to_string(),
            _ => String::new(),
        };
        let _ = write!(
            conn,
            "HTTP/1.1 200 OK\r\n{date}Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
    });
    format!("http://127.0.0.1:{port}/")
}

fn clock_check(url: &str) -> (i32, serde_json::Value) {
    let key = private_copy("server.key");
    let out = bin()
        .args([
            "check",
            "--key",
            &key.path,
            "--cert",
            &td("server.crt"),
            "-i",
            ISS,
            "-o",
            SUB,
            "--clock-url",
            url,
            "--format",
            "json",
        ])
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy")
        .output()
        .expect("runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().expect("exit code"), r)
}

#[test]
fn in_sync_passes() {
    let (status, r) = clock_check(&serve(Answer::DateOffset(0)));
    assert_eq!(status, 0, "{r:#}");
    assert_eq!(check_status(&r, "clock"), "pass");
    assert!(
        !codes(&r).iter().any(|(c, _)| c.starts_with("PF60")),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn behind_by_ten_minutes_is_an_error() {
    let (status, r) = clock_check(&serve(Answer::DateOffset(600)));
    assert_eq!(status, 1);
    assert!(
        codes(&r).contains(&("PF601".into(), "error".into())),
        "{:?}",
        codes(&r)
    );
    let m = message(&r, "PF601");
    assert!(
        m.contains("behind the login server")
            && m.contains("Salesforce will see it expire")
            && m.contains("before it arrives"),
        "{m}"
    );
}

#[test]
fn behind_by_ninety_seconds_is_a_warning() {
    let (status, r) = clock_check(&serve(Answer::DateOffset(90)));
    assert_eq!(status, 0);
    assert!(
        codes(&r).contains(&("PF601".into(), "warning".into())),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn ahead_by_ten_minutes_is_info() {
    let (status, r) = clock_check(&serve(Answer::DateOffset(-600)));
    assert_eq!(status, 0);
    assert!(
        codes(&r).contains(&("PF602".into(), "info".into())),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn no_date_and_malformed_date_are_unknown() {
    let (status, r) = clock_check(&serve(Answer::NoDate));
    assert_eq!(status, 0);
    assert!(message(&r, "PF603").contains("no Date header"), "{r:#}");
    let (status, r) = clock_check(&serve(Answer::Malformed));
    assert_eq!(status, 0);
    assert!(message(&r, "PF603").contains("malformed"), "{r:#}");
}

#[test]
fn connection_refused_is_unknown_not_a_crash() {
    // Bind, note the port, close: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (status, r) = clock_check(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(status, 0);
    assert_eq!(codes(&r).iter().filter(|(c, _)| c == "PF603").count(), 1);
    assert!(
        message(&r, "PF603").contains("refused"),
        "{}",
        message(&r, "PF603")
    );
}

#[test]
fn a_server_that_never_answers_times_out_in_about_five_seconds() {
    let url = serve(Answer::Silent);
    let started = Instant::now();
    let (status, r) = clock_check(&url);
    let took = started.elapsed().as_secs_f64();
    assert_eq!(status, 0);
    assert!(
        message(&r, "PF603").contains("no answer within 5 s"),
        "{}",
        message(&r, "PF603")
    );
    // The client waited for its own timeout, and the run ended on it, not on the server: a
    // loaded machine can make the run slower, but not shorter than the timeout, nor as long
    // as the server's silence.
    assert!(
        took >= 4.5 && took < (SILENT_SECS - 5) as f64,
        "took {took:.1} s"
    );
}

#[test]
fn config_orgs_share_the_clock_check() {
    let key = private_copy("server.key");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[org]]\nname = \"a\"\nclient_id = \"{ISS}\"\nusername = \"{SUB}\"\nkey = \"{}\"\ncert = \"{}\"\n",
            key.path,
            td("server.crt")
        ),
    )
    .expect("write");
    let url = serve(Answer::DateOffset(600));
    let out = bin()
        .args([
            "check",
            "--config",
            &config.display().to_string(),
            "--clock-url",
            &url,
            "--format",
            "json",
        ])
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .expect("runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        codes(&r["orgs"][0]).contains(&("PF601".into(), "error".into())),
        "{r:#}"
    );
}
