//! Wycheproof and RFC vectors through the same verification function `check` uses.
//!
//! `cargo test wycheproof` reads every `rsa_signature_*_test.json`, every
//! `rsa_pkcs1_*_sig_gen_test.json` and `json_web_signature_test.json` in `$WYCHEPROOF_DIR`
//! (default: the copy in `testdata/vectors/wycheproof`, see `testdata/vectors/SOURCES.md`), and
//! the RFC 7515/7520 and JOSE cookbook vectors in `$RFC_VECTORS_DIR` (default
//! `testdata/vectors/rfc`). Dropping more files there needs no code change. Each test prints how
//! many vectors it ran, fails when it finds none, and fails with the list of every mismatch, by
//! file and tcId.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_preflight::catalog::Code;
use jwt_preflight::material::key::RsaPublic;
use jwt_preflight::material::{self, CertKey, KeyKind};
use jwt_preflight::rules::signature::check_token;
use jwt_preflight::signature::{self, hash_by_name};
use jwt_preflight::token;
use serde_json::Value;
use std::path::PathBuf;

fn vector_dir() -> PathBuf {
    match std::env::var_os("WYCHEPROOF_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/vectors/wycheproof"
        )),
    }
}

fn rfc_dir() -> PathBuf {
    match std::env::var_os("RFC_VECTORS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/vectors/rfc")),
    }
}

/// The files in the vector folder whose names match `prefix*suffix`, sorted.
fn files(prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let dir = vector_dir();
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (set WYCHEPROOF_DIR)", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    out.sort();
    out
}

fn load(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn b64url(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("base64url")
}

fn name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn wycheproof_rsa_signature_verification() {
    let mut count = 0;
    let mut mismatches = Vec::new();
    let mut e3_rejected = 0;
    let mut ring_accepted = std::collections::BTreeMap::new();
    for path in files("rsa_signature_", "_test.json") {
        let file = name(&path);
        let doc = load(&path);
        for group in doc["testGroups"].as_array().into_iter().flatten() {
            let hash = hash_by_name(group["sha"].as_str().unwrap_or_default())
                .unwrap_or_else(|| panic!("{file}: unknown hash {}", group["sha"]));
            let spki = hex(group["publicKeyDer"].as_str().unwrap_or_default());
            let key = match material::cert::public_key_from_spki(&file, &spki) {
                Ok(CertKey::Rsa(k)) => Some(k),
                _ => None,
            };
            for t in group["tests"].as_array().into_iter().flatten() {
                count += 1;
                let id = &t["tcId"];
                let result = t["result"].as_str().unwrap_or_default();
                let (msg, sig) = (
                    hex(t["msg"].as_str().unwrap_or_default()),
                    hex(t["sig"].as_str().unwrap_or_default()),
                );
                let verified = key
                    .as_ref()
                    .is_some_and(|k| signature::verify(k, hash, &msg, &sig).is_ok());
                // Each path alone: our own RSAVP1 path decides everything, and ring may only
                // ever accept what it accepts too.
                let own = key.as_ref().is_some_and(|k| {
                    signature::testing::verify_without_ring(k, hash, &msg, &sig).is_ok()
                });
                let ring = key
                    .as_ref()
                    .is_some_and(|k| signature::testing::ring_accepts(k, hash, &msg, &sig));
                if own != verified || (ring && !own) {
                    mismatches.push(format!(
                        "{file} tcId {id}: verify says {verified}, own path {own}, ring {ring}"
                    ));
                }
                *ring_accepted.entry(hash.name()).or_insert(0) += usize::from(ring);
                match (result, verified, &key) {
                    ("valid", false, None) => {
                        // Explicit key policy: a key our reader refuses is reported, never silent.
                        e3_rejected += 1;
                        mismatches.push(format!(
                            "{file} tcId {id}: valid vector, key refused by the key reader"
                        ));
                    }
                    ("valid", false, Some(_)) => mismatches.push(format!(
                        "{file} tcId {id}: valid signature rejected ({})",
                        t["comment"]
                    )),
                    ("invalid", true, _) => mismatches.push(format!(
                        "{file} tcId {id}: invalid signature accepted ({}, {})",
                        t["comment"], t["flags"]
                    )),
                    _ => {}
                }
            }
        }
    }
    println!(
        "{count} vectors (rsa_signature_*), {e3_rejected} refused by key policy, accepted by ring: {ring_accepted:?}"
    );
    // The fast path serves every hash it is meant to.
    for hash in ["SHA-256", "SHA-384", "SHA-512"] {
        assert!(
            ring_accepted.get(hash).copied().unwrap_or(0) > 0,
            "ring never accepted a {hash} vector: {ring_accepted:?}"
        );
    }
    // A folder without vectors must not pass for a folder whose vectors all pass.
    assert!(
        count > 1000,
        "only {count} rsa_signature_* vectors in {}",
        vector_dir().display()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn wycheproof_rsa_pkcs1_signing_reproduces_every_signature() {
    let mut count = 0;
    let mut refused = 0;
    let mut ring_signed = std::collections::BTreeMap::new();
    let mut mismatches = Vec::new();
    let paths = files("rsa_pkcs1_", "_sig_gen_test.json");
    assert!(
        !paths.is_empty(),
        "no rsa_pkcs1_*_sig_gen_test.json in {}",
        vector_dir().display()
    );
    for path in paths {
        let file = name(&path);
        let doc = load(&path);
        for group in doc["testGroups"].as_array().into_iter().flatten() {
            let hash = hash_by_name(group["sha"].as_str().unwrap_or_default())
                .unwrap_or_else(|| panic!("{file}: unknown hash {}", group["sha"]));
            let pem = group["privateKeyPem"].as_str().unwrap_or_default();
            let mut no_pass = material::no_passphrase;
            let key = material::read_private_key(&file, pem.as_bytes(), &mut no_pass)
                .expect("wycheproof key");
            let KeyKind::Rsa(rsa) = &key.kind else {
                panic!("{file}: not RSA")
            };
            if !rsa.can_sign() {
                let n = group["tests"].as_array().map_or(0, Vec::len);
                count += n;
                refused += n;
                // Explicit key policy, reported, never silent: the RSA library refuses these
                // keys (e = 3 with primes of unequal size) and so does our key reader.
                assert!(
                    rsa.inconsistency.is_none(),
                    "{file}: Wycheproof key reported as corrupt"
                );
                println!(
                    "{file}: key with e={} refused by policy: {}",
                    group["privateKey"]["publicExponent"],
                    key.notes.join("; ")
                );
                continue;
            }
            for t in group["tests"].as_array().into_iter().flatten() {
                count += 1;
                let id = &t["tcId"];
                let msg = hex(t["msg"].as_str().unwrap_or_default());
                let want = hex(t["sig"].as_str().unwrap_or_default());
                // Both signers (ring where it applies, the rsa crate always) must give the
                // vector's bytes: PKCS#1 v1.5 is deterministic.
                if signature::testing::sign_with_rsa_crate(rsa, hash, &msg)
                    .ok()
                    .as_deref()
                    != Some(&want[..])
                {
                    mismatches.push(format!(
                        "{file} tcId {id}: rsa crate signature differs ({hash})"
                    ));
                }
                // ring signs RS256/RS384/RS512 where it accepts the key, and must give the
                // same bytes.
                if let Some(ring) = signature::testing::sign_with_ring(rsa, hash, &msg) {
                    *ring_signed.entry(hash.name()).or_insert(0) += 1;
                    if ring != want {
                        mismatches
                            .push(format!("{file} tcId {id}: ring signature differs ({hash})"));
                    }
                }
                match signature::sign(rsa, hash, &msg) {
                    Ok(got) if got == want => {
                        // And the verifier accepts what the signer made.
                        if signature::verify(&rsa.public, hash, &msg, &got).is_err() {
                            mismatches
                                .push(format!("{file} tcId {id}: own signature does not verify"));
                        }
                    }
                    Ok(_) => {
                        mismatches.push(format!("{file} tcId {id}: signature differs ({hash})"))
                    }
                    Err(e) => mismatches.push(format!("{file} tcId {id}: {e}")),
                }
            }
        }
    }
    println!(
        "{count} vectors (rsa_pkcs1_*_sig_gen), {refused} with a key refused by policy, signed by ring too: {ring_signed:?}"
    );
    for hash in ["SHA-256", "SHA-384", "SHA-512"] {
        assert!(
            ring_signed.get(hash).copied().unwrap_or(0) > 0,
            "ring never signed a {hash} vector: {ring_signed:?}"
        );
    }
    assert!(
        refused * 10 < count,
        "too many refused keys: {refused} of {count}"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The JWK's RSA public key.
fn jwk_rsa(jwk: &Value) -> Option<RsaPublic> {
    if jwk["kty"] != "RSA" {
        return None;
    }
    material::key::public_from_parts(&b64url(jwk["n"].as_str()?), &b64url(jwk["e"].as_str()?))
}

/// How `check --assertion` treats a JWS. `verified`: the compact serialization is sound
/// (no PF101/PF102) and the signature verifies under the header's alg. A valid vector must
/// verify (its payload need not be JSON, so PF103 does not excuse it); an invalid one must be
/// rejected by the signature or by any other rule.
struct Verdict {
    verified: bool,
    /// Everything else check would refuse: JSON findings (PF103/PF104: a JWT needs JSON
    /// claims), an alg outside RS256/384/512, a critical header extension (RFC 7515 §4.1.11).
    other_rejection: bool,
}

fn judge(jws: &str, key: &RsaPublic, expect_alg: signature::Alg) -> Verdict {
    let t = token::parse(jws);
    let structure_ok = !t
        .findings
        .iter()
        .any(|f| matches!(f.code(), "PF101" | "PF102"));
    let rs_alg = t.alg().and_then(signature::Alg::from_jws).is_some();
    let alg = signature::alg_for_token(&t, expect_alg);
    let verified = structure_ok && rs_alg && check_token(&t, key, alg, None).verified;
    let other_rejection = !t.findings.is_empty()
        || !rs_alg
        || t.header.as_ref().is_some_and(|h| h.contains_key("crit"));
    Verdict {
        verified,
        other_rejection,
    }
}

#[test]
fn wycheproof_json_web_signature_rsa_cases() {
    let path = vector_dir().join("json_web_signature_test.json");
    let doc = load(&path);
    let mut count = 0;
    let mut mismatches = Vec::new();
    for group in doc["testGroups"].as_array().into_iter().flatten() {
        let jwk = &group["public"];
        let alg = jwk["alg"].as_str().unwrap_or_default();
        if !alg.starts_with("RS") {
            continue;
        }
        let Some(key) = jwk_rsa(jwk) else { continue };
        for t in group["tests"].as_array().into_iter().flatten() {
            let Some(jws) = t["jws"].as_str() else {
                continue;
            };
            count += 1;
            let v = judge(jws, &key, signature::Alg::from_jws(alg).unwrap_or_default());
            let rejected = !v.verified || v.other_rejection;
            match (
                t["result"].as_str().unwrap_or_default(),
                v.verified,
                rejected,
            ) {
                ("valid", false, _) => mismatches.push(format!(
                    "json_web_signature_test.json tcId {}: valid rejected ({})",
                    t["tcId"], t["comment"]
                )),
                ("invalid", _, false) => mismatches.push(format!(
                    "json_web_signature_test.json tcId {}: invalid accepted ({})",
                    t["tcId"], t["comment"]
                )),
                _ => {}
            }
        }
    }
    println!("{count} vectors (json_web_signature RS*)");
    assert!(count > 200, "too few RSA JWS cases: {count}");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// A JWK file; latchset/jose stores some vectors as git symlinks, i.e. files holding the
/// target's name.
fn jwk_file(rel: &str) -> Value {
    let path = rfc_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if !text.trim_start().starts_with('{') {
        let target = path.with_file_name(text.trim());
        return load(&target);
    }
    load(&path)
}

#[test]
fn wycheproof_rfc_vectors() {
    // RFC 7515 A.2 and RFC 7520 §4.1 verify.
    for (jwk, jws) in [
        ("rfc7515_A.2.jwk", "rfc7515_A.2.jwsc"),
        ("rfc7520_4.1.jwk", "rfc7520_4.1.jwsc"),
    ] {
        let key = jwk_rsa(&jwk_file(jwk)).expect("RSA JWK");
        let token = std::fs::read_to_string(rfc_dir().join(jws)).expect("jwsc");
        // RFC 7520's payload is prose, not JSON claims: the signature verifies, and `check`
        // would add PF103 for the claims, which is not a signature matter.
        assert!(
            judge(token.trim(), &key, signature::Alg::RS256).verified,
            "{jws} must verify"
        );
    }
    // RFC 7515 A.2 carries exp 1300819380 (2011): reported as expired by the time rules.
    let token = std::fs::read_to_string(rfc_dir().join("rfc7515_A.2.jwsc")).expect("jwsc");
    let t = token::parse(token.trim());
    let mut f = jwt_preflight::finding::Findings::new();
    jwt_preflight::rules::time::evaluate(
        t.claims.as_ref().expect("claims"),
        chrono::Utc::now(),
        &mut f,
    );
    assert!(f.has(Code::PF334), "A.2 is expired: {:?}", f.findings());
    // The cookbook PS256 signature is not accepted as RS256, and is diagnosed as PSS.
    let cookbook = jwk_file("cookbook/jws/4_2.rsa-pss_signature.json");
    let key = jwk_rsa(&jwk_file("cookbook/jwk/3_3.rsa_public_key.json")).expect("RSA JWK");
    let compact = cookbook["output"]["compact"].as_str().expect("compact");
    let t = token::parse(compact);
    let check = check_token(&t, &key, signature::Alg::RS256, None);
    assert!(!check.verified);
    let codes: Vec<_> = check.findings.iter().map(|f| f.code()).collect();
    assert_eq!(codes, ["PF401", "PF406"], "{:?}", check.findings);
    assert!(
        check.findings[1].message.contains("PS256"),
        "{}",
        check.findings[1].message
    );
    // The cookbook RS256 example verifies.
    let rs = jwk_file("cookbook/jws/4_1.rsa_v15_signature.json");
    let compact = rs["output"]["compact"].as_str().expect("compact");
    assert!(
        judge(compact, &key, signature::Alg::RS256).verified,
        "cookbook 4.1 must verify"
    );
}
