//! Property tests: the parsers are total (never panic, whatever the input) and keep their
//! documented invariants. They complement the cargo-fuzz targets in `fuzz/`, which run the same
//! entry points for much longer outside CI; these stay fast enough for every `cargo test`.
//!
//! Failing cases are not persisted to a `proptest-regressions` file: when one fails, proptest
//! prints the minimal input, which belongs in a named regression test at the end of this file.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jwt_preflight::catalog::Code;
use jwt_preflight::material::{CertInfo, Error, no_passphrase, read_certificate, read_private_key};
use jwt_preflight::rules::{self, Expectations, Material};
use jwt_preflight::timefmt;
use jwt_preflight::token::{self, Object, Token};
use proptest::prelude::*;
use proptest::sample::Index;
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// The fixtures' passphrase (testdata/README.md).
const PASSPHRASE: &str = "preflight-test-pass";

/// `cases` per property, unless `PROPTEST_CASES` asks for more (or fewer): the usual run is
/// quick, and `PROPTEST_CASES=50000 cargo test --test properties` searches deeper.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fixtures' evaluation instant, 2026-06-01T12:00:00Z.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_315_200, 0).expect("in range")
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn codes(t: &Token) -> Vec<&'static str> {
    t.findings.iter().map(|f| f.code()).collect()
}

// ---------------------------------------------------------------------------------------------
// An oracle for "decodes to a JSON object without duplicate members", independent of the
// parser's own visitor: serde_json's Map silently keeps one value per name, so count the
// top-level member names separately.

struct MemberNames;

impl<'de> Visitor<'de> for MemberNames {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Vec<String>, A::Error> {
        let mut names = Vec::new();
        while let Some(k) = m.next_key::<String>()? {
            m.next_value::<IgnoredAny>()?;
            names.push(k);
        }
        Ok(names)
    }
}

/// The object `bytes` hold, when they are UTF-8 JSON for one object whose member names are
/// all distinct.
fn object_without_duplicates(bytes: &[u8]) -> Option<Object> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let names = de.deserialize_map(MemberNames).ok()?;
    de.end().ok()?;
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != names.len() {
        return None;
    }
    match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

/// Every invariant of `token::parse` that can be stated from the input alone.
fn check_parse_invariants(input: &str) -> Result<(), TestCaseError> {
    let t = token::parse(input);
    let raw = input.trim();
    prop_assert_eq!(&t.raw, raw);
    let segments: Vec<&str> = raw.split('.').collect();
    if raw.is_empty() || segments.len() != 3 {
        prop_assert_eq!(
            t.segment_count,
            if raw.is_empty() { 0 } else { segments.len() }
        );
        prop_assert!(!t.is_three_segments());
        prop_assert!(
            codes(&t).contains(&"PF101"),
            "{} segments but findings {:?}",
            segments.len(),
            codes(&t)
        );
        return Ok(());
    }
    prop_assert!(t.is_three_segments());
    prop_assert!(!codes(&t).contains(&"PF101"));
    // The signature covers the bytes as sent, never a re-encoding of them.
    prop_assert_eq!(&t.header_b64, segments[0]);
    prop_assert_eq!(&t.claims_b64, segments[1]);
    prop_assert_eq!(&t.signature_b64, segments[2]);
    prop_assert_eq!(
        t.signing_input(),
        format!("{}.{}", segments[0], segments[1])
    );
    // Only PF102-PF105 can come from the structure of three segments.
    for c in codes(&t) {
        prop_assert!(
            matches!(c, "PF102" | "PF103" | "PF104" | "PF105"),
            "unexpected {}",
            c
        );
    }

    let strict: Vec<Option<Vec<u8>>> = segments
        .iter()
        .map(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .collect();
    if strict.iter().all(Option::is_some) {
        prop_assert!(!codes(&t).contains(&"PF102"), "{:?}", t.findings);
        prop_assert_eq!(&t.signature, &strict[2]);
        let header = strict[0].as_deref().and_then(object_without_duplicates);
        let claims = strict[1].as_deref().and_then(object_without_duplicates);
        if let (Some(h), Some(c)) = (header, claims) {
            prop_assert!(t.findings.is_empty(), "{:?}", t.findings);
            prop_assert_eq!(t.header.as_ref(), Some(&h));
            prop_assert_eq!(t.claims.as_ref(), Some(&c));
        }
    } else {
        // Padding exactly as base64url pads, and nothing else wrong, is PF105; anything else
        // that is not strict base64url is PF102.
        let only_padded = |s: &str| {
            let unpadded = s.trim_end_matches('=');
            s.len() != unpadded.len()
                && s.len() - unpadded.len() <= 2
                && s.len().is_multiple_of(4)
                && URL_SAFE_NO_PAD.decode(unpadded).is_ok()
        };
        let each_ok_or_padded = segments
            .iter()
            .zip(&strict)
            .all(|(s, d)| d.is_some() || only_padded(s));
        if each_ok_or_padded {
            prop_assert!(codes(&t).contains(&"PF105"), "{:?}", t.findings);
            prop_assert!(!codes(&t).contains(&"PF102"), "{:?}", t.findings);
        } else {
            prop_assert!(codes(&t).contains(&"PF102"), "{:?}", t.findings);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Strategies.

/// A JSON value that a header or claims member typically holds. No floats: serde_json does
/// not promise that a float survives text and back bit for bit (`float_roundtrip` is off), so
/// they are only in [`segment`], where both sides parse the same text.
fn json_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

/// An object with distinct member names (a map), serialised in the map's order.
fn json_object() -> impl Strategy<Value = Object> {
    prop::collection::btree_map(
        prop_oneof!["[a-z]{1,6}", "\\PC{0,8}"],
        prop_oneof![
            3 => prop_oneof![any::<i64>().prop_map(Value::from), "\\PC{0,20}".prop_map(Value::from)],
            1 => json_scalar(),
        ],
        0..8,
    )
    .prop_map(|m| m.into_iter().collect())
}

/// One segment: often well-formed base64url of JSON, sometimes subtly damaged, sometimes noise.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => json_object().prop_map(|o| b64(serde_json::to_vec(&o).expect("serialises"))),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(b64),
        1 => "[A-Za-z0-9_-]{0,40}",
        1 => "[A-Za-z0-9_+/= \\t\\n-]{0,40}",
        // JSON that is not an object, or has a repeated member, or is not UTF-8.
        1 => prop_oneof![
            Just(b64("[1,2]")),
            Just(b64("\"text\"")),
            Just(b64("{\"a\":1,\"a\":2}")),
            Just(b64("{\"a\":1} x")),
            Just(b64([0xff, 0xfe, b'{', b'}'])),
        ],
        // A time claim with a fraction (PF3xx territory).
        1 => (-1.0e12f64..1.0e12).prop_map(|f| b64(format!("{{\"exp\":{f},\"iat\":{}}}", f / 3.0))),
        // Padded or standard-alphabet base64 of an object.
        1 => json_object().prop_map(|o| {
            base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(&o).expect("serialises"))
        }),
    ]
}

/// One to five segments (mostly three) joined by dots, with optional surrounding whitespace.
fn token_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            3 => prop::collection::vec(segment(), 3..=3),
            1 => prop::collection::vec(segment(), 1..=5),
        ],
        prop_oneof![Just(""), Just(" "), Just("\n"), Just("\r\n\t")],
    )
        .prop_map(|(segs, ws)| format!("{ws}{}{ws}", segs.join(".")))
}

/// One edit of a fixture's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip one bit.
    Flip(Index, u8),
    /// Overwrite one byte.
    Set(Index, u8),
    /// Keep only a prefix.
    Truncate(Index),
    /// Remove one byte.
    Remove(Index),
    /// Insert one byte.
    Insert(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => any::<Index>().prop_map(Mutation::Remove),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn mutate(mut bytes: Vec<u8>, edits: &[Mutation]) -> Vec<u8> {
    for m in edits {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mutation::Flip(i, bit) => {
                let at = i.index(bytes.len());
                bytes[at] ^= 1 << bit;
            }
            Mutation::Set(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
            Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len())),
            Mutation::Remove(i) => {
                bytes.remove(i.index(bytes.len()));
            }
            Mutation::Insert(i, b) => bytes.insert(i.index(bytes.len() + 1), *b),
        }
    }
    bytes
}

/// Bytes for a key or certificate reader: noise, or text that starts like PEM.
fn material_bytes() -> impl Strategy<Value = Vec<u8>> {
    let label = prop_oneof![
        Just("PRIVATE KEY"),
        Just("RSA PRIVATE KEY"),
        Just("ENCRYPTED PRIVATE KEY"),
        Just("EC PRIVATE KEY"),
        Just("CERTIFICATE"),
        Just("PUBLIC KEY"),
        Just("OPENSSH PRIVATE KEY"),
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..1024),
        // DER-looking: a SEQUENCE header, then noise.
        prop::collection::vec(any::<u8>(), 0..512).prop_map(|mut v| {
            v.insert(0, 0x30);
            v
        }),
        "\\PC{0,200}".prop_map(String::into_bytes),
        (label, "[A-Za-z0-9+/=\\n]{0,300}", any::<bool>()).prop_map(|(l, body, end)| {
            let mut s = format!("-----BEGIN {l}-----\n{body}\n");
            if end {
                s.push_str(&format!("-----END {l}-----\n"));
            }
            s.into_bytes()
        }),
        // Bare base64 (a CI secret without armour).
        "[A-Za-z0-9+/]{64,200}".prop_map(String::into_bytes),
    ]
}

/// A plausible input name; the error message must start with it.
fn input_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_./-]{1,24}"
}

fn fixed_passphrase(_: &str) -> Result<Zeroizing<String>, Error> {
    Ok(Zeroizing::new(PASSPHRASE.to_string()))
}

fn check_error_names_input(name: &str, e: &Error) -> Result<(), TestCaseError> {
    let prefix = format!("{name}: ");
    prop_assert!(
        e.message().starts_with(&prefix),
        "error does not start with {:?}: {}",
        prefix,
        e.message()
    );
    prop_assert!(
        !e.message().contains('\n'),
        "multi-line error: {}",
        e.message()
    );
    Ok(())
}

fn read_key_checked(name: &str, bytes: &[u8], passphrase: bool) -> Result<(), TestCaseError> {
    let result = if passphrase {
        read_private_key(name, bytes, &mut fixed_passphrase)
    } else {
        read_private_key(name, bytes, &mut no_passphrase)
    };
    match result {
        Ok(info) => prop_assert_eq!(info.name, name),
        Err(e) => check_error_names_input(name, &e)?,
    }
    Ok(())
}

fn read_cert_checked(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    match read_certificate(name, bytes) {
        Ok(info) => prop_assert_eq!(info.name, name),
        Err(e) => check_error_names_input(name, &e)?,
    }
    Ok(())
}

fn server_cert() -> &'static CertInfo {
    static CERT: OnceLock<CertInfo> = OnceLock::new();
    CERT.get_or_init(|| read_certificate("server.crt", &fixture("server.crt")).expect("fixture"))
}

// ---------------------------------------------------------------------------------------------
// token::parse

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parse_is_total_on_any_text(s in "\\PC{0,300}") {
        check_parse_invariants(&s)?;
    }

    #[test]
    fn parse_is_total_on_base64url_alphabet_with_dots(s in "[A-Za-z0-9_.=+/ -]{0,200}") {
        check_parse_invariants(&s)?;
    }

    #[test]
    fn parse_keeps_invariants_on_structured_tokens(s in token_text()) {
        check_parse_invariants(&s)?;
    }

    #[test]
    fn header_and_claims_round_trip(
        header in json_object(),
        claims in json_object(),
        sig in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let h = b64(serde_json::to_vec(&header).expect("serialises"));
        let c = b64(serde_json::to_vec(&claims).expect("serialises"));
        let s = b64(&sig);
        let t = token::parse(&format!("{h}.{c}.{s}"));
        prop_assert!(t.findings.is_empty(), "{:?}", t.findings);
        // Same members, same values, same order.
        let pairs = |o: &Object| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
        prop_assert_eq!(t.header.as_ref().map(pairs), Some(pairs(&header)));
        prop_assert_eq!(t.claims.as_ref().map(pairs), Some(pairs(&claims)));
        prop_assert_eq!(t.signature.as_deref(), Some(&sig[..]));
        prop_assert_eq!(t.signing_input(), format!("{h}.{c}"));
    }

    /// The whole rule set on an arbitrary assertion, with and without the fixtures'
    /// certificate (so the signature rules and their diagnosis run). `alg` is any text, ASCII
    /// or not (see `regression_alg_with_multibyte_char_at_byte_2`).
    #[test]
    fn rules_never_panic_on_any_assertion(
        mut header in json_object(),
        claims in json_object(),
        alg in prop_oneof!["[ -~]{0,8}", "(HS|RS|PS|ES)?\\PC{0,6}"],
        sig in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..8),
            prop::collection::vec(any::<u8>(), 256..=256),
        ],
        with_cert in any::<bool>(),
    ) {
        header.insert("alg".into(), Value::from(alg));
        let text = format!(
            "{}.{}.{}",
            b64(serde_json::to_vec(&header).expect("serialises")),
            b64(serde_json::to_vec(&claims).expect("serialises")),
            b64(&sig)
        );
        let t = token::parse(&text);
        let material = Material {
            token: Some(&t),
            key: None,
            key_mode: None,
            cert: with_cert.then(server_cert),
        };
        let exp = Expectations {
            client_id: Some("3MVG9testConsumerKey.jwtpreflight0123456789".into()),
            username: Some("ci@example.com".into()),
            ..Expectations::default()
        };
        let _ = rules::evaluate(&material, &Expectations::default(), now()).finish();
        let _ = rules::evaluate(&material, &exp, now()).finish();
    }
}

// ---------------------------------------------------------------------------------------------
// RSA public keys: our checks of the parts are the RSA library's

/// A modulus of about the sizes the checks treat differently: empty, tiny, either side of 256
/// and of 16384 bits, with leading zero bytes sometimes.
fn modulus_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![0usize, 1, 31, 32, 33, 256, 2047, 2048, 2049]),
        0usize..3,
        any::<u8>(),
        any::<u64>(),
    )
        .prop_map(|(len, zeros, top, seed)| {
            let mut state = seed | 1;
            let mut n: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            if let Some(first) = n.first_mut() {
                *first = top;
            }
            let mut padded = vec![0; zeros];
            padded.append(&mut n);
            padded
        })
}

/// Exponents around the limits (2, 3, 65537, 2^33 - 1, 2^33, 9 bytes), even ones and zeros.
fn exponent_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![3],
            vec![0, 3],
            vec![1, 0, 1],
            vec![1, 0, 0],
            vec![0, 1, 0, 1],
            vec![1, 255, 255, 255, 255],
            vec![2, 0, 0, 0, 0],
            vec![2, 0, 0, 0, 1],
            vec![1, 0, 0, 0, 0, 0, 0, 0, 1],
        ]),
        prop::collection::vec(any::<u8>(), 0..6),
    ]
}

/// What the RSA library makes of a modulus and an exponent, built as `public_from_parts` once
/// built it.
fn library_public_key(n: &[u8], e: &[u8]) -> Option<rsa::PublicKey> {
    let n_bits = u32::try_from(n.len().max(1) * 8).ok()?;
    let e_bits = u32::try_from(e.len().max(1) * 8).ok()?;
    let n = rsa::BoxedUint::from_be_slice(n, n_bits).ok()?;
    let e = rsa::BoxedUint::from_be_slice(e, e_bits).ok()?;
    rsa::PublicKey::new_with_size_limits(n, e, 256..=16384).ok()
}

/// The size limits exactly (256 and 16384 bits, with and without a leading zero byte), which
/// random moduli rarely land on.
#[test]
fn public_key_checks_agree_on_the_size_limits() {
    let modulus = |bits: usize, zeros: usize| {
        let mut n = vec![0u8; zeros];
        let len = bits.div_ceil(8);
        let mut body = vec![0x5au8; len];
        body[0] = 1 << ((bits - 1) % 8);
        body[len - 1] |= 1;
        n.extend(body);
        n
    };
    for bits in [255, 256, 257, 16383, 16384, 16385] {
        for zeros in [0, 1] {
            let n = modulus(bits, zeros);
            let ours = jwt_preflight::material::key::public_from_parts(&n, &[1, 0, 1]);
            let library = library_public_key(&n, &[1, 0, 1]);
            assert_eq!(
                ours.is_some(),
                library.is_some(),
                "{bits} bits, {zeros} zero bytes"
            );
            assert_eq!(ours.is_some(), (256..=16384).contains(&bits), "{bits} bits");
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// `public_from_parts` checks the bytes itself, so that the RSA library's key (its
    /// Montgomery parameters) is built only when needed; it must accept exactly what the
    /// library's constructor accepts, and that key must then be the same key.
    #[test]
    fn public_key_checks_are_the_rsa_librarys(n in modulus_bytes(), e in exponent_bytes()) {
        let library = library_public_key(&n, &e);
        let ours = jwt_preflight::material::key::public_from_parts(&n, &e);
        prop_assert_eq!(ours.is_some(), library.is_some(), "n {} bytes, e {:?}", n.len(), e);
        if let (Some(ours), Some(library)) = (ours, library) {
            use rsa::traits::PublicKeyParts;
            prop_assert_eq!(ours.n_bytes(), &*library.n_bytes());
            prop_assert_eq!(ours.e_bytes(), &*library.e_bytes());
            prop_assert_eq!(ours.size(), library.size());
            prop_assert!(ours.arithmetic() == Some(&library));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Key and certificate readers

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn read_private_key_is_total_on_any_bytes(name in input_name(), bytes in material_bytes()) {
        read_key_checked(&name, &bytes, false)?;
        read_key_checked(&name, &bytes, true)?;
    }

    #[test]
    fn read_certificate_is_total_on_any_bytes(name in input_name(), bytes in material_bytes()) {
        read_cert_checked(&name, &bytes)?;
    }

    #[test]
    fn read_certificate_is_total_on_mutated_fixtures(
        which in prop::sample::select(vec!["server.crt", "server.der.crt"]),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        read_cert_checked(which, &mutate(fixture(which), &edits))?;
    }
}

proptest! {
    // RSA key checks are the slow part (about a millisecond each, more for a key whose parts
    // must be validated), so fewer cases here.
    #![proptest_config(config(64))]

    #[test]
    fn read_private_key_is_total_on_mutated_fixtures(
        which in prop::sample::select(vec!["server.key", "server.pkcs8.der"]),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        read_key_checked(which, &mutate(fixture(which), &edits), false)?;
    }

    /// A mutated encrypted key, decrypted with the right passphrase: mostly "wrong passphrase
    /// or corrupted file", sometimes a damaged structure, never a panic.
    #[test]
    fn read_private_key_is_total_on_mutated_encrypted_fixture(
        edits in prop::collection::vec(mutation(), 1..3),
    ) {
        read_key_checked("server.enc.key", &mutate(fixture("server.enc.key"), &edits), true)?;
    }
}

/// Every 16-character piece of a PEM file's body lines: what no error about that file may
/// show. 16 base64 characters are 12 bytes of the key.
fn body_pieces(pem: &[u8]) -> std::collections::HashSet<String> {
    let text = String::from_utf8_lossy(pem);
    let mut pieces = std::collections::HashSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
    {
        let line = line.trim();
        for at in 0..line.len().saturating_sub(15) {
            if let Some(piece) = line.get(at..at + 16) {
                pieces.insert(piece.to_string());
            }
        }
    }
    pieces
}

/// Whether the error shows a piece of the key it is about.
fn check_no_key_text(original: &[u8], e: &Error) -> Result<(), TestCaseError> {
    let line = e.line();
    let pieces = body_pieces(original);
    for at in 0..line.len().saturating_sub(15) {
        if let Some(piece) = line.get(at..at + 16) {
            prop_assert!(
                !pieces.contains(piece),
                "the error shows key text {:?}: {}",
                piece,
                line
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// A PEM key with one byte put inside it (a blank line, a stray character): whatever the
    /// parser makes of it, the error never quotes the key. Found by review: the pem crate's
    /// "invalid header" error quoted a whole body line, 12 of the 32 bytes of a P-256 key.
    #[test]
    fn errors_about_a_damaged_pem_key_never_quote_it(
        which in prop::sample::select(vec!["server.key", "server.pkcs1.key", "server.enc.key", "ec.key", "ed25519.key"]),
        at in any::<Index>(),
        byte in prop::sample::select(vec![b'\n', b' ', b'!', b'-', b':', b'"', 0xff]),
        twice in any::<bool>(),
    ) {
        let original = fixture(which);
        let mut bytes = original.clone();
        // At the start of a line, where a stray line or character breaks the block.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
            .collect();
        let at = starts[at.index(starts.len())];
        bytes.insert(at, byte);
        if twice {
            bytes.insert(at, byte);
        }
        if let Err(e) = read_private_key(which, &bytes, &mut fixed_passphrase) {
            check_no_key_text(&original, &e)?;
        }
    }
}

#[test]
fn regression_a_blank_line_inside_a_key_is_not_quoted() {
    for which in ["ec.key", "server.key", "server.pkcs1.key"] {
        let original = fixture(which);
        let text = String::from_utf8(original.clone()).expect("PEM");
        // A blank line after the first body line.
        let second = text.find('\n').expect("lines") + 1;
        let third = second + text[second..].find('\n').expect("lines") + 1;
        let damaged = format!("{}\n{}", &text[..third], &text[third..]);
        match read_private_key(which, damaged.as_bytes(), &mut no_passphrase) {
            Ok(_) => {}
            Err(e) => {
                let body_line = text[second..third].trim();
                assert!(!e.line().contains(body_line), "{which}: {}", e.line());
                assert!(
                    !e.line().contains(&body_line[..16]),
                    "{which}: {}",
                    e.line()
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// timefmt

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn timefmt_is_total_on_any_i64(a in any::<i64>(), b in any::<i64>()) {
        let d = timefmt::duration(a);
        prop_assert!(!d.is_empty());
        prop_assert_eq!(d, timefmt::duration(a.saturating_neg()));
        let r = timefmt::relative(a, b);
        if a == b {
            prop_assert_eq!(r, "now");
        } else if a > b {
            prop_assert!(r.starts_with("in "), "{}", r);
        } else {
            prop_assert!(r.ends_with(" ago"), "{}", r);
        }
        let _ = timefmt::unix_rfc3339(a);
        // UNIX seconds parse exactly when chrono can represent them.
        let parsed = timefmt::parse_instant(&a.to_string());
        match DateTime::<Utc>::from_timestamp(a, 0) {
            Some(t) => prop_assert_eq!(parsed, Ok(t)),
            None => prop_assert!(parsed.is_err()),
        }
    }

    #[test]
    fn timefmt_edges(a in prop::sample::select(vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX])) {
        for b in [i64::MIN, -1, 0, 1, i64::MAX] {
            let _ = timefmt::relative(a, b);
        }
        let _ = timefmt::duration(a);
        let _ = timefmt::unix_rfc3339(a);
        let _ = timefmt::parse_instant(&a.to_string());
    }

    #[test]
    fn parse_instant_is_total_on_any_text(s in "\\PC{0,40}") {
        let _ = timefmt::parse_instant(&s);
    }
}

// ---------------------------------------------------------------------------------------------
// Regression tests for crashes found by fuzzing (fuzz/README.md).

/// Every file of `fuzz/regressions/<target>/` (each crash ever found, and the hostile inputs
/// of the resource limits) through the very function the fuzz target calls. A target whose
/// folder is empty or missing fails: the corpus must not quietly vanish.
fn replay(target: &str, run: impl Fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        // A panic names the input that caused it.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&bytes)));
        assert!(outcome.is_ok(), "{} panicked", f.display());
    }
    files.len()
}

#[test]
fn fuzz_regressions_replay_through_the_fuzz_entry_points() {
    use jwt_preflight::fuzzing;
    let material = fuzzing::check_pipeline_material(&fixture("server.key"), &fixture("server.crt"));
    let org = fuzzing::serve_org(&fixture("server.crt"));
    let counts = [
        (
            "token_parser",
            replay("token_parser", fuzzing::token_parser),
        ),
        ("key_reader", replay("key_reader", fuzzing::key_reader)),
        ("cert_reader", replay("cert_reader", fuzzing::cert_reader)),
        (
            "check_pipeline",
            replay("check_pipeline", |d| fuzzing::check_pipeline(&material, d)),
        ),
        (
            "serve_request",
            replay("serve_request", |d| fuzzing::serve_request(&org, d)),
        ),
    ];
    for (target, n) in counts {
        assert!(n > 0, "fuzz/regressions/{target}/ holds no inputs");
    }
}

/// Found by `cargo fuzz run check_pipeline` (fixed in a460c9a): with a certificate given, the
/// signature rules looked for an HMAC `alg` with `a[..2]`, which panicked when byte 2 of `alg`
/// is inside a multi-byte character (src/rules/mod.rs, `evaluate_signature`), so
/// `jwt-preflight check --cert` panicked on this 23-byte assertion.
#[test]
fn regression_alg_with_multibyte_char_at_byte_2() {
    // {"alg":"aé"} . {} . (empty signature)
    let text = "eyJhbGciOiJhw6kifQ.e30.";
    let t = token::parse(text);
    assert_eq!(t.alg(), Some("aé"));
    let material = Material {
        token: Some(&t),
        key: None,
        key_mode: None,
        cert: Some(server_cert()),
    };
    let findings = rules::evaluate(&material, &Expectations::default(), now());
    assert!(findings.has(Code::PF401), "{:?}", findings.findings());
    // The other shapes the fuzzer found, with a full-length signature.
    for alg in ["aé", "R\u{305}56", "Rԅ36", "mپe"] {
        let mut header = Object::new();
        header.insert("alg".into(), Value::from(alg));
        let t = token::parse(&format!(
            "{}.e30.{}",
            b64(serde_json::to_vec(&header).expect("serialises")),
            b64([1u8; 256])
        ));
        let material = Material {
            token: Some(&t),
            key: None,
            key_mode: None,
            cert: Some(server_cert()),
        };
        let findings = rules::evaluate(&material, &Expectations::default(), now());
        assert!(
            findings.has(Code::PF401),
            "alg {alg:?}: {:?}",
            findings.findings()
        );
    }
}

/// Found by `read_certificate_is_total_on_mutated_fixtures` in CI: a line break set inside the
/// BEGIN tag made the PEM parser's error quote the tags, line break and all, so the error
/// spanned two lines. Every part of an error now has its control characters escaped.
#[test]
fn regression_line_break_inside_a_pem_tag() {
    let original = fixture("server.crt");
    for (at, byte) in [(11usize, b'\n'), (11, 0x1b), (13, b'\r')] {
        let mut bytes = original.clone();
        bytes[at] = byte;
        let e = read_certificate("server.crt", &bytes).expect_err("damaged");
        assert!(e.message().starts_with("server.crt: "), "{}", e.message());
        assert!(!e.line().chars().any(char::is_control), "{:?}", e.line());
        let e = read_private_key("server.crt", &bytes, &mut no_passphrase).expect_err("not a key");
        assert!(!e.line().chars().any(char::is_control), "{:?}", e.line());
    }
}
