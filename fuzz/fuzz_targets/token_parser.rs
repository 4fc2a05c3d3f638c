//! Arbitrary bytes, read as lossy UTF-8, through the token parser, every rule that looks at an
//! assertion alone, and the `check`/`inspect` renderers. Nothing here may panic. The body is
//! `jwt_preflight::fuzzing::token_parser`, which `cargo test` also runs on the regression
//! corpus (fuzz/regressions/token_parser/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| jwt_preflight::fuzzing::token_parser(data));
