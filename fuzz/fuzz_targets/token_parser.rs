//! Arbitrary bytes, read as lossy UTF-8, through the token parser, every rule that looks at an
//! assertion alone, and the `check`/`inspect` renderers. Nothing here may panic.
#![no_main]

use chrono::{DateTime, Utc};
use jwt_preflight::check::{self, AssertionInput, CheckInput};
use jwt_preflight::report::{self, AssertionSource};
use jwt_preflight::rules::{self, Expectations, Material};
use jwt_preflight::{inspect, token};
use libfuzzer_sys::fuzz_target;

/// The fixtures' evaluation instant, 2026-06-01T12:00:00Z.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_315_200, 0).expect("in range")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let t = token::parse(&text);

    // Invariants of the parser that hold for every input.
    if t.is_three_segments() {
        assert_eq!(
            format!("{}.{}", t.signing_input(), t.signature_b64),
            t.raw,
            "the segments must be the input's exact bytes"
        );
    } else {
        assert!(
            t.findings.iter().any(|f| f.code() == "PF101"),
            "{} segments but no PF101",
            t.segment_count
        );
    }

    // Every rule that needs only the assertion, with default expectations...
    let material = Material {
        token: Some(&t),
        key: None,
        key_mode: None,
        cert: None,
    };
    let (_checks, _findings) = rules::evaluate(&material, &Expectations::default(), now()).finish();

    // ...and with the fixtures' expectations, so the issuer/subject comparisons run too; then
    // render the report in every format.
    let exp = Expectations {
        client_id: Some("3MVG9testConsumerKey.jwtpreflight0123456789".into()),
        username: Some("ci@example.com".into()),
        ..Expectations::default()
    };
    let input = CheckInput {
        key: None,
        key_mode: None,
        cert: None,
        assertion: AssertionInput::Given {
            text: text.to_string(),
            source: AssertionSource::File,
        },
        expectations: &exp,
        now: now(),
        strict: true,
        clock: None,
    };
    if let Ok(r) = check::run(&input) {
        let _ = report::human::render(&r);
        let _ = report::json::render(&r);
        let _ = report::github::render(&r);
    }

    let i = inspect::inspect(&text, AssertionSource::Stdin, now());
    let _ = inspect::render_human(&i, "fuzz.jwt");
    let _ = inspect::to_json(&i).to_string();
});
