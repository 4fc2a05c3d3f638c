//! `--clock-check`: one HEAD request to the login server (or `--clock-url`), reading its `Date`
//! header. It carries no credential and no assertion. The judging is in `rules::clock`.

use super::Error;
use crate::rules::clock::ClockReading;

/// The overall time limit of the request.
#[cfg(feature = "net")]
pub const TIMEOUT_SECS: u64 = 5;

/// Measures the skew against `url`.
#[cfg(feature = "net")]
pub fn measure(url: &str) -> Result<ClockReading, Error> {
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(TIMEOUT_SECS)))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .proxy(ureq::Proxy::try_from_env())
        .user_agent(concat!(
            "jwt-preflight/",
            env!("CARGO_PKG_VERSION"),
            " (clock check)"
        ))
        .build()
        .into();
    let unknown = |reason: String| ClockReading::Unknown {
        url: url.to_string(),
        reason,
    };
    let sent_at = SystemTime::now();
    let started = Instant::now();
    let response = agent.head(url).call();
    let rtt = started.elapsed();
    let response = match response {
        Ok(r) => r,
        Err(e) => return Ok(unknown(describe(&e))),
    };
    let Some(date) = response.headers().get("date") else {
        return Ok(unknown(format!(
            "the response (HTTP {}) has no Date header",
            response.status().as_u16()
        )));
    };
    let text = date.to_str().unwrap_or_default();
    let server = match chrono::DateTime::parse_from_rfc2822(text) {
        Ok(t) => t,
        Err(_) => {
            return Ok(unknown(format!(
                "its Date header \"{}\" is malformed",
                text.chars().take(80).collect::<String>()
            )));
        }
    };
    // The Date header has one-second resolution: the server's clock was somewhere in
    // [Date, Date + 1 s) when it answered, so take the middle. Our clock at that moment is
    // estimated as the send time plus half the round trip.
    let server_ms = server.timestamp_millis() + 500;
    let local_ms = sent_at
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
        + i64::try_from(rtt.as_millis() / 2).unwrap_or(0);
    let skew_ms = server_ms - local_ms;
    Ok(ClockReading::Measured {
        url: url.to_string(),
        skew_secs: (skew_ms as f64 / 1000.0).round() as i64,
        rtt_ms: u64::try_from(rtt.as_millis()).unwrap_or(u64::MAX),
    })
}

#[cfg(feature = "net")]
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {TIMEOUT_SECS} s"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the connection was refused".to_string()
        }
        ureq::Error::HostNotFound => {
            "the host name does not resolve (offline, or DNS blocked)".to_string()
        }
        ureq::Error::Io(io) if io.to_string().contains("lookup address") => {
            "the host name does not resolve (offline, or DNS blocked)".to_string()
        }
        other => other.to_string(),
    }
}

/// Without the `net` feature the tool opens no socket; `--clock-check` says so.
#[cfg(not(feature = "net"))]
pub fn measure(_url: &str) -> Result<ClockReading, Error> {
    Err(Error::new(
        "--clock-check is unavailable in this build (built without the `net` feature)",
    ))
}
