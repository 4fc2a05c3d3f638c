//! The whole `check` pipeline on an arbitrary assertion, with the fixtures' real key and
//! certificate (read once): structure, header, claims, time, signature verification and the
//! forensic diagnosis of a failed signature (PF401–PF407), then every report renderer. The body
//! is `jwt_preflight::fuzzing::check_pipeline`, which `cargo test` also runs on the regression
//! corpus (fuzz/regressions/check_pipeline/).
#![no_main]

use jwt_preflight::material::{CertInfo, KeyInfo};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static KEY: &[u8] = include_bytes!("../../testdata/server.key");
static CERT: &[u8] = include_bytes!("../../testdata/server.crt");

fn material() -> &'static (KeyInfo, CertInfo) {
    static M: OnceLock<(KeyInfo, CertInfo)> = OnceLock::new();
    M.get_or_init(|| jwt_preflight::fuzzing::check_pipeline_material(KEY, CERT))
}

fuzz_target!(|data: &[u8]| jwt_preflight::fuzzing::check_pipeline(material(), data));
