//! Arbitrary bytes through the private key reader (PEM, DER, PKCS#1, PKCS#8, encrypted PKCS#8,
//! PKCS#12), with a passphrase source that always answers the fixtures' passphrase, so mutated
//! encrypted keys are decrypted and parsed too. Nothing here may panic, and every error names
//! the input.
#![no_main]

use jwt_preflight::material::{InputError, read_private_key};
use jwt_preflight::report::KeySummary;
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

const NAME: &str = "fuzz.key";

fuzz_target!(|data: &[u8]| {
    let mut passphrase = |_: &str| -> Result<Zeroizing<String>, InputError> {
        Ok(Zeroizing::new("preflight-test-pass".into()))
    };
    match read_private_key(NAME, data, &mut passphrase) {
        Ok(info) => {
            let _ = KeySummary::new(&info);
            let _ = (info.algorithm(), info.bits(), info.format.describe());
        }
        Err(e) => assert!(
            // A PKCS#12 archive's certificate is reported as "fuzz.key (certificate inside): …".
            e.message.starts_with("fuzz.key: ") || e.message.starts_with("fuzz.key ("),
            "error does not name the input: {}",
            e.message
        ),
    }
});
