//! Arbitrary bytes through the certificate reader (PEM or DER), then the key/certificate rules
//! and the report renderers on whatever it read. Nothing here may panic, and every error names
//! the input. The body is `jwt_preflight::fuzzing::cert_reader`, which `cargo test` also runs
//! on the regression corpus (fuzz/regressions/cert_reader/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| jwt_preflight::fuzzing::cert_reader(data));
