//! The whole `check` pipeline on an arbitrary assertion, with the fixtures' real key and
//! certificate (read once): structure, header, claims, time, signature verification and the
//! forensic diagnosis of a failed signature (PF401–PF407), then every report renderer.
#![no_main]

use chrono::{DateTime, Utc};
use jwt_preflight::check::{self, AssertionInput, CheckInput};
use jwt_preflight::material::{
    CertInfo, KeyInfo, no_passphrase, read_certificate, read_private_key,
};
use jwt_preflight::report::{self, AssertionSource};
use jwt_preflight::rules::Expectations;
use jwt_preflight::signature;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static KEY: &[u8] = include_bytes!("../../testdata/server.key");
static CERT: &[u8] = include_bytes!("../../testdata/server.crt");

fn material() -> &'static (KeyInfo, CertInfo) {
    static M: OnceLock<(KeyInfo, CertInfo)> = OnceLock::new();
    M.get_or_init(|| {
        let key = read_private_key("server.key", KEY, &mut no_passphrase).expect("fixture key");
        let cert = read_certificate("server.crt", CERT).expect("fixture certificate");
        (key, cert)
    })
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_315_200, 0).expect("in range")
}

fuzz_target!(|data: &[u8]| {
    let (key, cert) = material();
    let text = String::from_utf8_lossy(data);
    let exp = Expectations {
        client_id: Some("3MVG9testConsumerKey.jwtpreflight0123456789".into()),
        username: Some("ci@example.com".into()),
        ..Expectations::default()
    };
    let input = CheckInput {
        key: Some(key),
        key_mode: Some(0o600),
        cert: Some(cert),
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

    // The raw signature primitives on the decoded signature, whatever its length.
    let t = jwt_preflight::token::parse(&text);
    if let (Some(sig), Some(public)) = (t.signature.as_deref(), cert.rsa()) {
        let _ = signature::recover_block(public, sig);
        let (hash, _) = signature::hash_for_token(&t, "RS256");
        let _ = signature::verify(public, hash, t.signing_input().as_bytes(), sig);
    }
});
