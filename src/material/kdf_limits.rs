//! Key-derivation parameters, checked against the limits of [`crate::defaults`] before any
//! derivation runs.
//!
//! An encrypted key names its own cost: PBKDF2 iterations, scrypt's N, r and p. A crafted file
//! can ask for 2^31 iterations (minutes of CPU) or 32 GiB of scrypt memory (an abort), and the
//! decryptors obey. So every parameter visible in the file is read first, by walking its DER:
//! any PBES2, PKCS#5 PBES1 or PKCS#12 PBE algorithm identifier anywhere in the structure, and a
//! PKCS#12 MAC's iteration count. A PKCS#12 archive also hides parameters inside its encrypted
//! layers; once the passphrase is known, [`check_pkcs12_layers`] decrypts those layers (each
//! already checked) and checks what they hold, before p12-keystore reads the archive.

use super::Error;
use crate::defaults::{
    MAX_KDF_ITERATIONS, MAX_KDF_USES, MAX_SCRYPT_MEMORY_BYTES, MAX_SCRYPT_PARALLELISM,
};
use crate::text::human_bytes;
use rsa::pkcs8::pkcs5::pbes2;
use x509_cert::der::asn1::{AnyRef, ObjectIdentifier};
use x509_cert::der::{Decode, Reader, SliceReader, Tag, Tagged};

const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// PKCS#12 PBE schemes live under 1.2.840.113549.1.12.1 (RC4, 3DES, RC2).
const PKCS12_PBE_ARC: &str = "1.2.840.113549.1.12.1.";
/// PKCS#5 PBES1 schemes (pbeWithMD5AndDES-CBC …): 1.2.840.113549.1.5.{1,3,4,6,10,11}.
const PBES1_ARC: &str = "1.2.840.113549.1.5.";
const PKCS12_3DES: &str = "1.2.840.113549.1.12.1.3";
const PKCS12_RC2_40: &str = "1.2.840.113549.1.12.1.6";
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");

/// How deep the walk goes into nested structures: a PKCS#12 archive nests about ten levels.
const MAX_DEPTH: usize = 24;
/// How many DER elements the walk visits at most; a 1 MiB file of tiny elements stays cheap.
const MAX_NODES: usize = 200_000;

/// What the key derivations of one file add up to.
#[derive(Debug, Default)]
struct Budget {
    uses: usize,
}

impl Budget {
    fn spend(&mut self, name: &str) -> Result<(), Error> {
        self.uses += 1;
        if self.uses > MAX_KDF_USES {
            return Err(Error::about(
                name,
                format!(
                    "holds more than {MAX_KDF_USES} password-based encryptions; no key file has that many, so it is not decrypted"
                ),
            ));
        }
        Ok(())
    }
}

/// What to do with a genuine file whose parameters are over a limit.
fn reencrypt_hint(name: &str) -> String {
    format!(
        "if the file is genuine, re-encrypt it with openssl's defaults: openssl pkcs8 -topk8 -v2 aes-256-cbc -in {name} -out {name}.p8"
    )
}

fn too_many_iterations(name: &str, what: &str, n: u64) -> Error {
    Error::about(
        name,
        format!(
            "its {what} asks for {n} iterations, over the limit of {MAX_KDF_ITERATIONS} (openssl writes 2048, keytool 10000), so it is not decrypted; {}",
            reencrypt_hint(name)
        ),
    )
}

/// Checks one PBES2 parameter set.
fn check_pbes2(name: &str, params: &pbes2::Parameters, budget: &mut Budget) -> Result<(), Error> {
    budget.spend(name)?;
    match &params.kdf {
        pbes2::Kdf::Pbkdf2(p) => {
            let n = u64::from(p.iteration_count);
            if n > MAX_KDF_ITERATIONS {
                return Err(too_many_iterations(
                    name,
                    "PBKDF2 key derivation (iteration count)",
                    n,
                ));
            }
        }
        pbes2::Kdf::Scrypt(s) => {
            let (n, r, p) = (
                s.cost_parameter,
                u64::from(s.block_size),
                u64::from(s.parallelization),
            );
            let memory = 128u64.checked_mul(n).and_then(|m| m.checked_mul(r));
            if memory.is_none_or(|m| m > MAX_SCRYPT_MEMORY_BYTES) {
                let asked = memory
                    .map(human_bytes)
                    .unwrap_or_else(|| "more memory than exists".to_string());
                return Err(Error::about(
                    name,
                    format!(
                        "its scrypt parameters (N = {n}, r = {r}) ask for {asked} of memory (128·r·N), over the {} that openssl also allows, so it is not decrypted; {}",
                        human_bytes(MAX_SCRYPT_MEMORY_BYTES),
                        reencrypt_hint(name)
                    ),
                ));
            }
            if p > MAX_SCRYPT_PARALLELISM {
                return Err(Error::about(
                    name,
                    format!(
                        "its scrypt parallelism (p = {p}) is over the limit of {MAX_SCRYPT_PARALLELISM} (openssl writes 1), so it is not decrypted"
                    ),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// An `INTEGER` as an unsigned number (negative or absurdly long values count as huge).
fn integer(any: &AnyRef<'_>) -> u64 {
    let bytes = any.value();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return u64::MAX;
    }
    let trimmed: &[u8] = {
        let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        &bytes[first..]
    };
    if trimmed.len() > 8 {
        return u64::MAX;
    }
    trimmed.iter().fold(0, |acc, b| (acc << 8) | u64::from(*b))
}

/// The elements of a DER value's content, or `None` when it is not a sequence of elements.
fn children<'a>(content: &'a [u8]) -> Option<Vec<AnyRef<'a>>> {
    let mut reader = SliceReader::new(content).ok()?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(AnyRef::decode(&mut reader).ok()?);
    }
    Some(out)
}

/// Walks DER, checking every password-based algorithm identifier it meets.
struct Walker<'n> {
    name: &'n str,
    budget: Budget,
    nodes: usize,
}

impl Walker<'_> {
    fn walk(&mut self, content: &[u8], depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let Some(elements) = children(content) else {
            return Ok(());
        };
        for el in elements {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Ok(());
            }
            self.visit(&el, depth)?;
        }
        Ok(())
    }

    fn visit(&mut self, el: &AnyRef<'_>, depth: usize) -> Result<(), Error> {
        let tag = el.tag();
        if tag == Tag::Sequence
            && let Some(parts) = children(el.value())
            && let Some(first) = parts.first()
            && first.tag() == Tag::ObjectIdentifier
            && let Ok(oid) = ObjectIdentifier::from_bytes(first.value())
        {
            self.algorithm(&oid, parts.get(1))?;
        }
        if tag.is_constructed() {
            return self.walk(el.value(), depth + 1);
        }
        // An OCTET STRING often wraps more DER (a PKCS#8 key in a PKCS#12 bag, the
        // authenticated safe); opaque bytes simply fail to parse.
        if tag == Tag::OctetString && el.value().first() == Some(&0x30) {
            return self.walk(el.value(), depth + 1);
        }
        Ok(())
    }

    fn algorithm(
        &mut self,
        oid: &ObjectIdentifier,
        params: Option<&AnyRef<'_>>,
    ) -> Result<(), Error> {
        let dotted = oid.to_string();
        if *oid == PBES2 {
            if let Some(p) = params
                && let Ok(parsed) = pbes2::Parameters::from_der(&der_of(p))
            {
                check_pbes2(self.name, &parsed, &mut self.budget)?;
            }
            return Ok(());
        }
        if dotted.starts_with(PKCS12_PBE_ARC) || is_pbes1(&dotted) {
            // PBEParameter / pkcs-12PbeParams: SEQUENCE { OCTET STRING salt, INTEGER iterations }
            if let Some(p) = params
                && let Some(fields) = children(p.value())
                && let Some(count) = fields.get(1).filter(|f| f.tag() == Tag::Integer)
            {
                self.budget.spend(self.name)?;
                let n = integer(count);
                if n > MAX_KDF_ITERATIONS {
                    return Err(too_many_iterations(
                        self.name,
                        "password-based encryption",
                        n,
                    ));
                }
            }
        }
        Ok(())
    }
}

fn is_pbes1(dotted: &str) -> bool {
    dotted
        .strip_prefix(PBES1_ARC)
        .is_some_and(|rest| matches!(rest, "1" | "3" | "4" | "6" | "10" | "11"))
}

/// The DER encoding of an element (tag, length and content), for typed decoders.
fn der_of(any: &AnyRef<'_>) -> Vec<u8> {
    use x509_cert::der::Encode;
    any.to_der().unwrap_or_default()
}

/// Checks every key-derivation parameter visible in `der` (an encrypted PKCS#8 key or a
/// PKCS#12 archive), and a PKCS#12 MAC's iteration count, before anything is decrypted.
pub(crate) fn check_visible(name: &str, der: &[u8]) -> Result<(), Error> {
    let mut w = Walker {
        name,
        budget: Budget::default(),
        nodes: 0,
    };
    w.walk(der, 0)?;
    if let Some(iterations) = pkcs12_mac_iterations(der)
        && iterations > MAX_KDF_ITERATIONS
    {
        return Err(too_many_iterations(
            name,
            "PKCS#12 integrity MAC",
            iterations,
        ));
    }
    Ok(())
}

/// A PFX's MacData iterations: PFX ::= SEQUENCE { version, authSafe, macData SEQUENCE {
/// mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 } }.
fn pkcs12_mac_iterations(der: &[u8]) -> Option<u64> {
    let top = AnyRef::from_der(der).ok()?;
    let parts = children(top.value())?;
    let mac = parts.get(2).filter(|m| m.tag() == Tag::Sequence)?;
    let fields = children(mac.value())?;
    Some(
        fields
            .get(2)
            .filter(|f| f.tag() == Tag::Integer)
            .map_or(1, integer),
    )
}

/// For a PKCS#12 archive and a passphrase candidate: decrypts each encrypted layer whose own
/// parameters passed [`check_visible`] and checks the parameters inside it (the shrouded key
/// bag of most archives sits in such a layer's plaintext, or beside it). A layer that does not
/// decrypt with this passphrase is skipped: p12-keystore will report the wrong passphrase.
pub(crate) fn check_pkcs12_layers(name: &str, der: &[u8], password: &str) -> Result<(), Error> {
    let mut w = Walker {
        name,
        budget: Budget::default(),
        nodes: 0,
    };
    // Count the visible derivations again, so the budget covers the whole file.
    w.walk(der, 0)?;
    for (alg, ciphertext) in encrypted_layers(der).unwrap_or_default() {
        if let Some(plain) = decrypt_layer(&alg, ciphertext, password) {
            w.walk(&zeroize::Zeroizing::new(plain), 0)?;
        }
    }
    Ok(())
}

/// The (algorithm identifier DER, ciphertext) of every encryptedData ContentInfo of a PFX's
/// authenticated safe.
fn encrypted_layers(der: &[u8]) -> Option<Vec<(Vec<u8>, &[u8])>> {
    let top = AnyRef::from_der(der).ok()?;
    let pfx = children(top.value())?;
    // authSafe ContentInfo { data, [0] EXPLICIT OCTET STRING (AuthenticatedSafe) }
    let auth_safe = children(pfx.get(1)?.value())?;
    let explicit = children(auth_safe.get(1)?.value())?;
    let octets = explicit.first().filter(|o| o.tag() == Tag::OctetString)?;
    let safe = AnyRef::from_der(octets.value()).ok()?;
    let mut out = Vec::new();
    for content_info in children(safe.value())? {
        let Some(ci) = children(content_info.value()) else {
            continue;
        };
        let is_encrypted = ci
            .first()
            .and_then(|o| ObjectIdentifier::from_bytes(o.value()).ok())
            == Some(ENCRYPTED_DATA);
        if !is_encrypted {
            continue;
        }
        // [0] EXPLICIT EncryptedData { version, EncryptedContentInfo { type, alg, [0] IMPLICIT ct } }
        let Some(encrypted_data) = ci
            .get(1)
            .and_then(|e| children(e.value()))
            .and_then(|v| v.into_iter().next())
        else {
            continue;
        };
        let Some(fields) = children(encrypted_data.value()) else {
            continue;
        };
        let Some(eci) = fields.get(1).and_then(|e| children(e.value())) else {
            continue;
        };
        if let (Some(alg), Some(ct)) = (eci.get(1), eci.get(2))
            && !ct.tag().is_constructed()
        {
            out.push((der_of(alg), ct.value()));
        }
    }
    Some(out)
}

/// Decrypts one PKCS#12 layer: PBES2 (openssl 3's default) or the legacy PKCS#12 3DES and
/// RC2-40 schemes (`openssl pkcs12 -legacy`, old keytool), the ones p12-keystore reads.
fn decrypt_layer(alg_der: &[u8], ciphertext: &[u8], password: &str) -> Option<Vec<u8>> {
    let alg = AnyRef::from_der(alg_der).ok()?;
    let parts = children(alg.value())?;
    let oid = ObjectIdentifier::from_bytes(parts.first()?.value()).ok()?;
    let params = parts.get(1)?;
    if oid == PBES2 {
        let p = pbes2::Parameters::from_der(&der_of(params)).ok()?;
        return p.decrypt(password.as_bytes(), ciphertext).ok();
    }
    let fields = children(params.value())?;
    let salt = fields
        .first()
        .filter(|f| f.tag() == Tag::OctetString)?
        .value();
    let iterations = i32::try_from(integer(fields.get(1)?)).ok()?;
    match oid.to_string().as_str() {
        PKCS12_3DES => legacy_cbc::<des::TdesEde3>(password, salt, iterations, 24, ciphertext),
        PKCS12_RC2_40 => legacy_cbc::<rc2::Rc2>(password, salt, iterations, 5, ciphertext),
        _ => None,
    }
}

/// PKCS#12 PBE (RFC 7292 appendix B): key and IV from the PKCS#12 KDF with SHA-1, then CBC
/// with PKCS#7 padding.
fn legacy_cbc<C>(
    password: &str,
    salt: &[u8],
    iterations: i32,
    key_len: usize,
    ciphertext: &[u8],
) -> Option<Vec<u8>>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
{
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
    let key = zeroize::Zeroizing::new(
        derive_key_utf8::<sha1::Sha1>(
            password,
            salt,
            Pkcs12KeyType::EncryptionKey,
            iterations,
            key_len,
        )
        .ok()?,
    );
    let iv =
        derive_key_utf8::<sha1::Sha1>(password, salt, Pkcs12KeyType::Iv, iterations, 8).ok()?;
    let decryptor = cbc::Decryptor::<C>::new_from_slices(&key, &iv).ok()?;
    decryptor.decrypt_padded_vec::<Pkcs7>(ciphertext).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// SEQUENCE { OID PBES2, PBES2-params(PBKDF2 with `iterations`, AES-256-CBC) }.
    fn pbes2_algorithm(iterations: u32) -> Vec<u8> {
        use x509_cert::der::Encode;
        let params = pbes2::Parameters {
            kdf: pbes2::Pbkdf2Params {
                salt: pbes2::Salt::try_from(&[7u8; 8][..]).expect("salt"),
                iteration_count: iterations,
                key_length: None,
                prf: pbes2::Pbkdf2Prf::HmacWithSha256,
            }
            .into(),
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [1; 16] },
        };
        let alg = x509_cert::spki::AlgorithmIdentifier {
            oid: PBES2,
            parameters: Some(x509_cert::der::Any::encode_from(&params).expect("params DER")),
        };
        alg.to_der().expect("algorithm DER")
    }

    /// DER of a SEQUENCE holding `content`.
    fn sequence(content: &[u8]) -> Vec<u8> {
        let mut out = vec![0x30];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend([0x81, len as u8]);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn every_layer_of_the_fixture_archives_decrypts() {
        // openssl 3's default (PBES2, AES-256-CBC), -legacy (RC2-40 and 3DES) and keytool.
        for name in ["server.p12", "server.legacy.p12", "server.keytool.p12"] {
            let der = fixture(name);
            let layers = encrypted_layers(&der).unwrap_or_default();
            assert!(!layers.is_empty(), "{name}: no encrypted layer found");
            for (alg, ct) in layers {
                let plain = decrypt_layer(&alg, ct, "preflight-test-pass")
                    .unwrap_or_else(|| panic!("{name}: a layer did not decrypt"));
                assert_eq!(plain.first(), Some(&0x30), "{name}: not DER SafeContents");
                assert!(decrypt_layer(&alg, ct, "wrong").is_none_or(|p| p != plain));
            }
            check_visible(name, &der).expect("within limits");
            check_pkcs12_layers(name, &der, "preflight-test-pass").expect("within limits");
        }
    }

    #[test]
    fn parameters_anywhere_in_the_structure_are_checked() {
        // A shrouded key bag as a decrypted layer holds it: nested SEQUENCEs, and the
        // EncryptedPrivateKeyInfo inside an OCTET STRING.
        for (iterations, over) in [(2048, false), (10_000_000, false), (10_000_001, true)] {
            let epki =
                sequence(&[pbes2_algorithm(iterations), vec![0x04, 0x02, 0xab, 0xcd]].concat());
            let mut wrapped = vec![0x04, epki.len() as u8];
            wrapped.extend(&epki);
            for der in [sequence(&sequence(&epki)), sequence(&wrapped)] {
                let result = check_visible("x.p12", &der);
                assert_eq!(result.is_err(), over, "{iterations}: {result:?}");
                if let Err(e) = result {
                    assert!(
                        e.message()
                            .contains(&format!("asks for {iterations} iterations")),
                        "{e}"
                    );
                }
            }
        }
    }

    #[test]
    fn too_many_derivations_are_refused() {
        let many: Vec<u8> = (0..=MAX_KDF_USES)
            .flat_map(|_| sequence(&[pbes2_algorithm(1), vec![0x04, 0x00]].concat()))
            .collect();
        let e = check_visible("x.p12", &sequence(&many)).expect_err("refused");
        assert!(
            e.message()
                .contains("more than 16 password-based encryptions"),
            "{e}"
        );
    }

    #[test]
    fn integers_saturate() {
        let der = [0x02, 0x04, 0x7f, 0xff, 0xff, 0xff];
        assert_eq!(AnyRef::from_der(&der).map(|a| integer(&a)), Ok(0x7fff_ffff));
        let negative = [0x02, 0x01, 0x80];
        assert_eq!(
            AnyRef::from_der(&negative).map(|a| integer(&a)),
            Ok(u64::MAX)
        );
    }
}
