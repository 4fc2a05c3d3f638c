//! Integration tests: the real binary on fixtures made by testdata/gen.sh (openssl, keytool),
//! never by our own signer. One test binary, so it links once.

mod architecture;
mod ci;
mod clock;
mod explain;
mod fidelity;
mod forensics;
mod hostile;
mod inputs;
mod keygen;
mod reports;
mod routes;
mod rules;
#[cfg(feature = "serve")]
mod serve;
mod sf_orgs;
mod shapes;
mod util;
