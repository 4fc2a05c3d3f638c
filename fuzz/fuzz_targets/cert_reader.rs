//! Arbitrary bytes through the certificate reader (PEM or DER), then the key/certificate rules
//! and the report renderers on whatever it read. Nothing here may panic, and every error names
//! the input.
#![no_main]

use chrono::{DateTime, Utc};
use jwt_preflight::check::{self, AssertionInput, CheckInput};
use jwt_preflight::material::read_certificate;
use jwt_preflight::report::{self, AssertionSource};
use jwt_preflight::rules::{self, Expectations, Material};
use libfuzzer_sys::fuzz_target;

const NAME: &str = "fuzz.crt";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_315_200, 0).expect("in range")
}

fuzz_target!(|data: &[u8]| {
    let cert = match read_certificate(NAME, data) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                e.message.starts_with("fuzz.crt: "),
                "error does not name the input: {}",
                e.message
            );
            return;
        }
    };
    let exp = Expectations::default();
    let material = Material {
        token: None,
        key: None,
        key_mode: None,
        cert: Some(&cert),
    };
    let _ = rules::evaluate(&material, &exp, now()).finish();
    let input = CheckInput {
        key: None,
        key_mode: None,
        cert: Some(&cert),
        assertion: AssertionInput::Given {
            text: String::new(),
            source: AssertionSource::File,
        },
        expectations: &exp,
        now: now(),
        strict: false,
        clock: None,
    };
    if let Ok(r) = check::run(&input) {
        let _ = report::human::render(&r);
        let _ = report::json::render(&r);
        let _ = report::github::render(&r);
    }
});
