//! An arbitrary HTTP request (method, content type, target and body from the bytes) to
//! `serve`'s pure request handler, with the fixtures' org: the form parsing, the org choice,
//! the whole check pipeline on the received assertion, the reply and its rendering. The body
//! is `jwt_preflight::fuzzing::serve_request`, which `cargo test` also runs on the regression
//! corpus (fuzz/regressions/serve_request/).
#![no_main]

use jwt_preflight::serve::ServedOrg;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CERT: &[u8] = include_bytes!("../../testdata/server.crt");

fn org() -> &'static ServedOrg {
    static O: OnceLock<ServedOrg> = OnceLock::new();
    O.get_or_init(|| jwt_preflight::fuzzing::serve_org(CERT))
}

fuzz_target!(|data: &[u8]| jwt_preflight::fuzzing::serve_request(org(), data));
