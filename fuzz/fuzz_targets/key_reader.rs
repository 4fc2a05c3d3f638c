//! Arbitrary bytes through the private key reader (PEM, DER, PKCS#1, PKCS#8, encrypted PKCS#8,
//! PKCS#12), with a passphrase source that always answers the fixtures' passphrase, so mutated
//! encrypted keys are decrypted and parsed too. Nothing here may panic, and every error names
//! the input. The body is `jwt_preflight::fuzzing::key_reader`, which `cargo test` also runs on
//! the regression corpus (fuzz/regressions/key_reader/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| jwt_preflight::fuzzing::key_reader(data));
