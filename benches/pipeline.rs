//! Criterion benchmarks of each stage of a preflight, in process: reading a key (each format),
//! reading a certificate, building and signing, verifying, the rules alone, and the whole
//! `check` pipeline. Run with `cargo bench`; `scripts/bench-vs-openssl` compares whole
//! processes with openssl.

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_preflight::check::{self, AssertionInput, CheckInput};
use jwt_preflight::material::{self, Error};
use jwt_preflight::rules::{self, Expectations, Material};
use jwt_preflight::{assertion, signature, token};
use std::hint::black_box;
use zeroize::Zeroizing;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn passphrase(_: &str) -> Result<Zeroizing<String>, Error> {
    Ok(Zeroizing::new("preflight-test-pass".into()))
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_315_200, 0).expect("instant")
}

fn expectations() -> Expectations {
    Expectations {
        client_id: Some("3MVG9testConsumerKey.jwtpreflight0123456789".into()),
        username: Some("ci@example.com".into()),
        ..Expectations::default()
    }
}

fn read_keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("read_key");
    for name in [
        "server.key",
        "server.pkcs1.key",
        "server.pkcs8.der",
        "server.pkcs1.der",
        "server.enc.key",
        "server.p12",
    ] {
        let bytes = fixture(name);
        g.bench_function(name, |b| {
            b.iter(|| {
                material::read_private_key(name, black_box(&bytes), &mut passphrase).expect("key")
            })
        });
    }
    g.finish();
}

fn read_cert(c: &mut Criterion) {
    let bytes = fixture("server.crt");
    c.bench_function("read_cert/server.crt", |b| {
        b.iter(|| material::read_certificate("server.crt", black_box(&bytes)).expect("cert"))
    });
}

fn sign_and_verify(c: &mut Criterion) {
    let key = material::read_private_key("server.key", &fixture("server.key"), &mut passphrase)
        .expect("key");
    let rsa = key.rsa().expect("rsa");
    let claims = assertion::claims(
        "3MVG9x",
        "ci@example.com",
        "https://login.salesforce.com",
        1_780_315_380,
    );
    c.bench_function("build_and_sign", |b| {
        b.iter(|| assertion::sign(rsa, signature::Alg::RS256, black_box(&claims)).expect("sign"))
    });
    let msg = b"header.claims";
    c.bench_function("sign/ring", |b| {
        b.iter(|| signature::sign(rsa, signature::Hash::Sha256, black_box(msg)).expect("sign"))
    });
    c.bench_function("sign/rsa_crate", |b| {
        b.iter(|| {
            signature::testing::sign_with_rsa_crate(rsa, signature::Hash::Sha256, black_box(msg))
                .expect("sign")
        })
    });
    let jwt = assertion::sign(rsa, signature::Alg::RS256, &claims).expect("sign");
    let t = token::parse(&jwt);
    let sig = t.signature.clone().expect("signature");
    let input = t.signing_input();
    c.bench_function("verify", |b| {
        b.iter(|| {
            signature::verify(
                &rsa.public,
                signature::Hash::Sha256,
                black_box(input.as_bytes()),
                &sig,
            )
            .expect("verifies")
        })
    });
    c.bench_function("parse_token", |b| b.iter(|| token::parse(black_box(&jwt))));
}

fn rules_alone(c: &mut Criterion) {
    let key = material::read_private_key("server.key", &fixture("server.key"), &mut passphrase)
        .expect("key");
    let cert = material::read_certificate("server.crt", &fixture("server.crt")).expect("cert");
    let t = token::parse(&String::from_utf8(fixture("tokens/good.jwt")).expect("utf8"));
    let exp = expectations();
    c.bench_function("rules_evaluate", |b| {
        b.iter(|| {
            let m = Material {
                token: Some(&t),
                key: Some(&key),
                key_mode: Some(0o600),
                cert: Some(&cert),
            };
            rules::evaluate(black_box(&m), &exp, now()).finish()
        })
    });
}

fn whole_check(c: &mut Criterion) {
    let key_bytes = fixture("server.key");
    let cert_bytes = fixture("server.crt");
    let exp = expectations();
    c.bench_function("check_pipeline", |b| {
        b.iter(|| {
            let key =
                material::read_private_key("server.key", black_box(&key_bytes), &mut passphrase)
                    .expect("key");
            let cert =
                material::read_certificate("server.crt", black_box(&cert_bytes)).expect("cert");
            check::run(&CheckInput {
                key: Some(&key),
                key_mode: Some(0o600),
                cert: Some(&cert),
                assertion: AssertionInput::Build {
                    alg: signature::Alg::RS256,
                    lifetime: 180,
                },
                expectations: &exp,
                now: now(),
                strict: false,
                clock: None,
                extra: Vec::new(),
            })
            .expect("report")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2));
    targets = read_keys, read_cert, sign_and_verify, rules_alone, whole_check
}
criterion_main!(benches);
