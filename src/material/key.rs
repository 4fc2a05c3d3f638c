//! Private keys: PEM or DER; PKCS#1, PKCS#8, encrypted PKCS#8 (PBES2 with AES or scrypt) and
//! PKCS#12, whose certificate then serves as the certificate. Non-RSA keys are read and
//! described so PF503 can name them. Legacy encryptions are recognised and answered with the
//! exact openssl command that converts them.

use super::cert::{self, CertInfo};
use super::oids;
use super::pem_repair;
use super::{Error, PassphraseSource, describe_unknown};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::RsaPrivateKeyRef;
use rsa::pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use std::sync::{Arc, OnceLock};
use x509_cert::der::asn1::OctetStringRef;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Decode, Reader, SliceReader};
use x509_cert::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

/// How a private key was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// `-----BEGIN RSA PRIVATE KEY-----`.
    Pkcs1Pem,
    /// `-----BEGIN PRIVATE KEY-----`.
    Pkcs8Pem,
    /// `-----BEGIN ENCRYPTED PRIVATE KEY-----`.
    Pkcs8EncryptedPem,
    /// Binary PKCS#1 RSAPrivateKey.
    Pkcs1Der,
    /// Binary PKCS#8 PrivateKeyInfo.
    Pkcs8Der,
    /// Binary PKCS#8 EncryptedPrivateKeyInfo.
    Pkcs8EncryptedDer,
    /// A PKCS#12 (.p12/.pfx) archive.
    Pkcs12,
    /// `-----BEGIN EC PRIVATE KEY-----` (SEC1) or another algorithm's own PEM label.
    OtherPem,
}

impl KeyFormat {
    /// The value of the JSON report's `key.format` (SPEC §4).
    pub fn report_name(self) -> &'static str {
        match self {
            KeyFormat::Pkcs1Pem => "pkcs1",
            KeyFormat::Pkcs8Pem => "pkcs8",
            KeyFormat::Pkcs8EncryptedPem | KeyFormat::Pkcs8EncryptedDer => "pkcs8-encrypted",
            KeyFormat::Pkcs1Der | KeyFormat::Pkcs8Der => "der",
            KeyFormat::Pkcs12 => "pkcs12",
            KeyFormat::OtherPem => "pem",
        }
    }

    /// A phrase for human output, e.g. "PKCS#8 PEM".
    pub fn describe(self) -> &'static str {
        match self {
            KeyFormat::Pkcs1Pem => "PKCS#1 PEM",
            KeyFormat::Pkcs8Pem => "PKCS#8 PEM",
            KeyFormat::Pkcs8EncryptedPem => "encrypted PKCS#8 PEM",
            KeyFormat::Pkcs1Der => "PKCS#1 DER",
            KeyFormat::Pkcs8Der => "PKCS#8 DER",
            KeyFormat::Pkcs8EncryptedDer => "encrypted PKCS#8 DER",
            KeyFormat::Pkcs12 => "PKCS#12",
            KeyFormat::OtherPem => "PEM",
        }
    }
}

/// An RSA key as read. `private` is absent when the key cannot be used to sign (too small for
/// the RSA library, or its parts do not agree).
#[derive(Debug, Clone)]
pub struct RsaKey {
    /// The public half.
    pub public: RsaPublic,
    /// What signs with it, when its private parts are usable.
    pub signer: Option<Signer>,
    /// Modulus size in bits.
    pub bits: usize,
    /// Why the private parts are unusable, when they are inconsistent (PF504).
    pub inconsistency: Option<String>,
    /// Things worth saying about the key itself (a small public exponent).
    pub notes: Vec<String>,
    /// The PKCS#1 RSAPrivateKey DER it was read from, kept (zeroized on drop) so that the rsa
    /// crate's key can be built from it when ring's cannot serve.
    pub pkcs1_der: Zeroizing<Vec<u8>>,
}

/// The signer of a usable RSA key, made once, when the key is read.
#[derive(Clone)]
pub enum Signer {
    /// ring parsed and checked the key (NIST SP 800-56B's consistency checks) and signs
    /// RS256, RS384 and RS512 with it; the rsa crate's key is built only for another hash.
    Ring(Arc<ring::signature::RsaKeyPair>),
    /// ring refuses the key (under 2048 or over 4096 bits, an exponent below 65537): the rsa
    /// crate signs.
    RsaCrate(Box<PrivateKey>),
}

impl std::fmt::Debug for Signer {
    // Never the key's parts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signer::Ring(_) => "Signer::Ring",
            Signer::RsaCrate(_) => "Signer::RsaCrate",
        })
    }
}

impl RsaKey {
    /// Whether it can sign.
    pub fn can_sign(&self) -> bool {
        self.signer.is_some()
    }

    /// The rsa crate's private key: the one kept, or one built now from the DER (for a hash
    /// ring does not sign with, and for the tests that compare the two signers).
    pub fn rsa_crate_key(&self) -> Result<std::borrow::Cow<'_, PrivateKey>, String> {
        match &self.signer {
            Some(Signer::RsaCrate(k)) => Ok(std::borrow::Cow::Borrowed(k)),
            Some(Signer::Ring(_)) => RsaPrivateKeyRef::from_der(&self.pkcs1_der)
                .ok()
                .and_then(|parsed| PrivateKey::try_from(parsed).ok())
                .map(std::borrow::Cow::Owned)
                .ok_or_else(|| "the RSA library cannot use this key".to_string()),
            None => Err("this key cannot sign (see the key findings)".to_string()),
        }
    }
}

/// What kind of key it is.
#[derive(Debug, Clone)]
pub enum KeyKind {
    /// An RSA key.
    Rsa(Box<RsaKey>),
    /// Any other algorithm, described (PF503).
    Other {
        /// e.g. "EC P-256", "Ed25519", "DSA".
        algorithm: String,
    },
}

/// A private key file, read.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// The input's name (a path, as given).
    pub name: String,
    /// How it was stored.
    pub format: KeyFormat,
    /// The key.
    pub kind: KeyKind,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// Repairs made and other things worth saying, e.g. "the PEM block lost its line breaks".
    pub notes: Vec<String>,
    /// The certificate found next to the key in a PKCS#12 archive.
    pub certificate: Option<CertInfo>,
}

impl KeyInfo {
    /// The RSA key, when it is one.
    pub fn rsa(&self) -> Option<&RsaKey> {
        match &self.kind {
            KeyKind::Rsa(k) => Some(k),
            KeyKind::Other { .. } => None,
        }
    }

    /// "RSA" or the other algorithm's name.
    pub fn algorithm(&self) -> &str {
        match &self.kind {
            KeyKind::Rsa(_) => "RSA",
            KeyKind::Other { algorithm } => algorithm,
        }
    }

    /// Modulus size for RSA keys.
    pub fn bits(&self) -> Option<usize> {
        self.rsa().map(|k| k.bits)
    }
}

/// Reads a private key from `bytes`, sniffing the format. `passphrase` is called only for an
/// encrypted key or a PKCS#12 archive.
pub fn read_private_key(
    name: &str,
    bytes: &[u8],
    passphrase: &mut PassphraseSource<'_>,
) -> Result<KeyInfo, Error> {
    if bytes.is_empty() {
        return Err(Error::about(
            name,
            "is empty (0 bytes); expected a PEM or DER private key",
        ));
    }
    if looks_like_pkcs12(bytes) {
        return read_pkcs12(name, bytes, passphrase);
    }
    if bytes.starts_with(&[0xfe, 0xed, 0xfe, 0xed]) || bytes.starts_with(&[0xce, 0xce, 0xce, 0xce])
    {
        return Err(Error::about(
            name,
            format!(
                "is a Java keystore (JKS/JCEKS), which this tool does not read; convert it with: keytool -importkeystore -srckeystore {name} -destkeystore {name}.p12 -deststoretype PKCS12"
            ),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("BEGIN") => read_pem(name, text, passphrase),
        Ok(text) => match bare_base64(text) {
            Some(decoded) => read_unwrapped_base64(name, &decoded, passphrase),
            None if text.trim().is_empty() => Err(Error::about(
                name,
                "contains only whitespace; expected a PEM or DER private key",
            )),
            None => read_der(name, bytes, passphrase),
        },
        Err(_) => read_der(name, bytes, passphrase),
    }
}

/// A secret stored as base64 with no PEM armour: either `base64 server.key` (base64 of a
/// whole PEM file) or the PEM body without its BEGIN/END lines.
fn read_unwrapped_base64(
    name: &str,
    decoded: &Zeroizing<Vec<u8>>,
    passphrase: &mut PassphraseSource<'_>,
) -> Result<KeyInfo, Error> {
    let (mut info, note) = match std::str::from_utf8(decoded) {
        Ok(inner) if inner.contains("-----BEGIN") => (
            read_pem(name, inner, passphrase)?,
            "it holds a base64-encoded PEM file (decode it with `base64 -d`); read the decoded key",
        ),
        _ => (
            read_der(name, decoded, passphrase)?,
            "it is base64 with no -----BEGIN/-----END lines; read it as the body of a PEM block",
        ),
    };
    info.notes.insert(0, note.to_string());
    Ok(info)
}

/// Decodes text that is nothing but base64 (whitespace allowed), as CI secrets sometimes are.
fn bare_base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let compact: Zeroizing<String> = Zeroizing::new(
        text.trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    );
    if compact.len() < 64 {
        return None;
    }
    STANDARD.decode(compact.as_bytes()).ok().map(Zeroizing::new)
}

fn read_pem(
    name: &str,
    text: &str,
    passphrase: &mut PassphraseSource<'_>,
) -> Result<KeyInfo, Error> {
    let (blocks, notes) = parse_pem_blocks(name, text)?;
    let labels: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
    let Some(block) = blocks.iter().find(|b| b.tag().contains("PRIVATE KEY")) else {
        return Err(wrong_pem_kind(name, &labels));
    };
    let contents = Zeroizing::new(block.contents().to_vec());
    if contents.is_empty() {
        return Err(Error::about(
            name,
            format!(
                "holds an empty {} PEM block (nothing between its BEGIN and END lines); the file was truncated or edited",
                block.tag()
            ),
        ));
    }
    let mut info = match block.tag() {
        "PRIVATE KEY" => key_info(name, KeyFormat::Pkcs8Pem, pkcs8_kind(name, &contents)?),
        "RSA PRIVATE KEY" => {
            if let Some(dek) = block.headers().get("DEK-Info") {
                let cipher = dek.split(',').next().unwrap_or(dek).trim();
                return Err(Error::about(
                    name,
                    format!(
                        "is a legacy OpenSSL-encrypted PEM key (Proc-Type/DEK-Info, {cipher}), which this tool does not decrypt; convert it to encrypted PKCS#8 with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in {name} -out {name}.p8"
                    ),
                ));
            }
            key_info(name, KeyFormat::Pkcs1Pem, rsa_from_pkcs1(name, &contents)?)
        }
        "ENCRYPTED PRIVATE KEY" => {
            let mut info = read_encrypted_pkcs8(name, &contents, passphrase)?;
            info.format = KeyFormat::Pkcs8EncryptedPem;
            info
        }
        "EC PRIVATE KEY" => key_info(
            name,
            KeyFormat::OtherPem,
            KeyKind::Other {
                algorithm: sec1_curve(&contents),
            },
        ),
        "DSA PRIVATE KEY" => key_info(
            name,
            KeyFormat::OtherPem,
            KeyKind::Other {
                algorithm: "DSA".to_string(),
            },
        ),
        "OPENSSH PRIVATE KEY" => {
            return Err(Error::about(
                name,
                format!(
                    "is an OpenSSH private key, not a PEM key; convert a copy with: ssh-keygen -p -m PKCS8 -f {name}"
                ),
            ));
        }
        other => {
            return Err(Error::about(
                name,
                format!(
                    "holds a PEM block labelled \"{other}\", which is not a supported private key"
                ),
            ));
        }
    };
    if blocks.len() > 1 {
        info.notes.push(format!(
            "it holds {} PEM blocks ({}); used the private key",
            blocks.len(),
            labels.join(", ")
        ));
    }
    let mut all = notes;
    all.append(&mut info.notes);
    info.notes = all;
    Ok(info)
}

/// PEM blocks whose decoded contents are zeroized when dropped (the pem crate does not).
pub(crate) struct PemBlocks(Vec<pem::Pem>);

impl std::ops::Deref for PemBlocks {
    type Target = [pem::Pem];
    fn deref(&self) -> &[pem::Pem] {
        &self.0
    }
}

impl Drop for PemBlocks {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for block in self.0.drain(..) {
            block.into_contents().zeroize();
        }
    }
}

/// Parses every PEM block, repairing a mangled CI secret when that is unambiguous.
pub(crate) fn parse_pem_blocks(name: &str, text: &str) -> Result<(PemBlocks, Vec<String>), Error> {
    // A mangled secret may still parse (the pem crate is lenient about line breaks), but
    // openssl and the Salesforce CLI will not read it: always say what was repaired.
    let (repaired, notes) = pem_repair::repair(text);
    let source: &str = repaired.as_deref().map_or(text, String::as_str);
    let first = pem::parse_many(source);
    if let Ok(blocks) = &first
        && !blocks.is_empty()
    {
        let notes = if notes.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{}; repaired it for this run: fix the stored secret (keep real line breaks, no quotes)",
                notes.join(", ")
            )]
        };
        return Ok((PemBlocks(first.unwrap_or_default()), notes));
    }
    let why = match first {
        Err(e) => pem_problem(&e),
        Ok(_) => "no complete block".to_string(),
    };
    let hint = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    Err(Error::about(
        name,
        format!(
            "has a -----BEGIN line but its PEM block is damaged: {why}{hint}; the file may be truncated or edited"
        ),
    ))
}

/// What is wrong with a PEM block, in our words. The pem crate's own messages quote what they
/// could not read (`invalid header: MIGHAgEAMBMG…`, a whole line of a key's body), so they are
/// never shown; only a label made of the characters labels use is quoted.
fn pem_problem(e: &pem::PemError) -> String {
    use pem::PemError;
    let label = |l: &str| {
        if !l.is_empty()
            && l.len() <= 40
            && l.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ')
        {
            format!("\"{l}\"")
        } else {
            "another label".to_string()
        }
    };
    match e {
        PemError::MismatchedTags(begin, end) => format!(
            "its BEGIN line names {} and its END line {}",
            label(begin),
            label(end)
        ),
        PemError::MalformedFraming => "its BEGIN or END line is malformed".to_string(),
        PemError::MissingBeginTag => "it has no BEGIN line".to_string(),
        PemError::MissingEndTag => "it has no END line".to_string(),
        PemError::MissingData => "the block holds no data".to_string(),
        PemError::InvalidData(_) => "its body is not valid base64".to_string(),
        PemError::InvalidHeader(_) => {
            "a line of its body is neither base64 nor a header (a blank line or a stray character inside the block?)".to_string()
        }
        PemError::NotUtf8(_) => "it is not UTF-8 text".to_string(),
    }
}

/// The error for a PEM file that holds something other than a private key.
fn wrong_pem_kind(name: &str, labels: &[&str]) -> Error {
    let what = if labels.iter().any(|l| l.contains("CERTIFICATE REQUEST")) {
        "is a certificate signing request (CSR), not a private key".to_string()
    } else if labels.iter().any(|l| l.contains("CERTIFICATE")) {
        "is a certificate, not a private key; give it as --cert and the private key as --key"
            .to_string()
    } else if labels.iter().any(|l| l.contains("PUBLIC KEY")) {
        "is a public key, not a private key; signing needs the private key".to_string()
    } else if labels.is_empty() {
        "holds no PEM block".to_string()
    } else {
        format!(
            "holds PEM blocks labelled {}, none of them a private key",
            labels.join(", ")
        )
    };
    Error::about(name, what)
}

fn key_info(name: &str, format: KeyFormat, kind: KeyKind) -> KeyInfo {
    let notes = match &kind {
        KeyKind::Rsa(k) => k.notes.clone(),
        KeyKind::Other { .. } => Vec::new(),
    };
    KeyInfo {
        name: name.to_string(),
        format,
        kind,
        encrypted: false,
        notes,
        certificate: None,
    }
}

/// Whether DER bytes are a private key: PKCS#8 (plain or encrypted) or PKCS#1.
pub fn is_der_private_key(der: &[u8]) -> bool {
    PrivateKeyInfoRef::from_der(der).is_ok()
        || encryption_scheme(der).is_some()
        || RsaPrivateKeyRef::from_der(der).is_ok()
}

fn read_der(
    name: &str,
    der: &[u8],
    passphrase: &mut PassphraseSource<'_>,
) -> Result<KeyInfo, Error> {
    if PrivateKeyInfoRef::from_der(der).is_ok() {
        return Ok(key_info(name, KeyFormat::Pkcs8Der, pkcs8_kind(name, der)?));
    }
    if encryption_scheme(der).is_some() {
        let mut info = read_encrypted_pkcs8(name, der, passphrase)?;
        info.format = KeyFormat::Pkcs8EncryptedDer;
        return Ok(info);
    }
    if RsaPrivateKeyRef::from_der(der).is_ok() {
        return Ok(key_info(
            name,
            KeyFormat::Pkcs1Der,
            rsa_from_pkcs1(name, der)?,
        ));
    }
    if x509_cert::Certificate::from_der(der).is_ok() {
        return Err(Error::about(
            name,
            "is a DER certificate, not a private key; give it as --cert and the private key as --key",
        ));
    }
    if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return Err(Error::about(
            name,
            "is a DER public key, not a private key; signing needs the private key",
        ));
    }
    if der.first() == Some(&0x30) {
        return Err(Error::about(
            name,
            format!(
                "is DER data ({} bytes) that is not a private key, or a truncated one",
                der.len()
            ),
        ));
    }
    Err(Error::about(name, describe_unknown(der)))
}

/// The encryption scheme OID of an EncryptedPrivateKeyInfo, read before decrypting so that
/// schemes the decryptor does not know still get a precise message.
fn encryption_scheme(der: &[u8]) -> Option<ObjectIdentifier> {
    let mut reader = SliceReader::new(der).ok()?;
    let oid = reader
        .sequence(|r: &mut SliceReader<'_>| {
            let alg = AlgorithmIdentifierRef::decode(r)?;
            <&OctetStringRef>::decode(r)?;
            Ok::<_, x509_cert::der::Error>(alg.oid)
        })
        .ok()?;
    reader.is_finished().then_some(oid)
}

fn read_encrypted_pkcs8(
    name: &str,
    der: &[u8],
    passphrase: &mut PassphraseSource<'_>,
) -> Result<KeyInfo, Error> {
    let Some(scheme) = encryption_scheme(der) else {
        return Err(Error::about(
            name,
            "is labelled as an encrypted PKCS#8 key but its structure is damaged",
        ));
    };
    if scheme != oids::PBES2 {
        return Err(Error::about(
            name,
            format!(
                "is encrypted with {} (legacy PKCS#12 PBE), which this tool does not decrypt; re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in {name} -out {name}.p8",
                oids::name_of(&scheme)
            ),
        ));
    }
    // The cost of the derivation is the file's to choose: check it before asking for a
    // passphrase, let alone deriving anything.
    super::kdf_limits::check_visible(name, der)?;
    let epki = EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| {
        Error::about(
            name,
            format!("uses a PBES2 cipher or key derivation this tool does not support ({e}); re-encrypt it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in {name} -out {name}.p8"),
        )
    })?;
    let pass = passphrase(name)?;
    let decrypted = epki
        .decrypt(pass.as_bytes())
        .map_err(|_| Error::about(name, "wrong passphrase or corrupted file"))?;
    let mut info = key_info(
        name,
        KeyFormat::Pkcs8EncryptedPem,
        pkcs8_kind(name, decrypted.as_bytes())?,
    );
    info.encrypted = true;
    Ok(info)
}

/// A PFX starts SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, … } }.
pub fn looks_like_pkcs12(bytes: &[u8]) -> bool {
    let Ok(mut reader) = SliceReader::new(bytes) else {
        return false;
    };
    reader
        .sequence(|r: &mut SliceReader<'_>| {
            let version = u8::decode(r)?;
            let content_type = r.sequence(|inner: &mut SliceReader<'_>| {
                let oid = ObjectIdentifier::decode(inner)?;
                inner.read_slice(inner.remaining_len())?;
                Ok::<_, x509_cert::der::Error>(oid)
            })?;
            r.read_slice(r.remaining_len())?;
            Ok::<_, x509_cert::der::Error>(version == 3 && content_type == oids::PKCS7_DATA)
        })
        .unwrap_or(false)
}

fn read_pkcs12(
    name: &str,
    bytes: &[u8],
    passphrase: &mut PassphraseSource<'_>,
) -> Result<KeyInfo, Error> {
    // Every derivation the archive asks for (MAC, encrypted layers, the key bag) is checked
    // before any runs; those inside encrypted layers once a passphrase can open them.
    super::kdf_limits::check_visible(name, bytes)?;
    // Archives exported without a password are common; try that before asking for one.
    super::kdf_limits::check_pkcs12_layers(name, bytes, "")?;
    let archive = match p12_keystore::Pkcs12Archive::from_pkcs12(bytes, "") {
        Ok(a) => a,
        Err(_) => {
            let pass = passphrase(name)?;
            super::kdf_limits::check_pkcs12_layers(name, bytes, pass.as_str())?;
            p12_keystore::Pkcs12Archive::from_pkcs12(bytes, pass.as_str()).map_err(|e| {
                let msg = e.to_string();
                if msg.contains("MAC") || msg.contains("mac") || msg.contains("decrypt") || msg.contains("Unpad") {
                    Error::about(name, "wrong passphrase or corrupted file")
                } else {
                    Error::about(name, format!("is a PKCS#12 archive this tool cannot read: {msg} (wrong passphrase or corrupted file?)"))
                }
            })?
        }
    };
    let Some(key_bag) = archive.keys.first() else {
        return Err(Error::about(
            name,
            "is a PKCS#12 archive that holds no private key (only certificates?)",
        ));
    };
    let key_der = Zeroizing::new(key_bag.key.as_der().to_vec());
    let kind = pkcs8_kind(name, &key_der)?;
    let mut info = key_info(name, KeyFormat::Pkcs12, kind);
    info.encrypted = true;
    let key_id = key_bag.local_key_id.as_ref().map(|k| k.0.clone());
    let cert_bag = archive
        .certs
        .iter()
        .find(|c| key_id.is_some() && c.local_key_id == key_id)
        .or_else(|| archive.certs.first());
    if let Some(bag) = cert_bag {
        let der = bag.cert.as_der();
        info.certificate = Some(cert::parse_der(
            &format!("{name} (certificate inside)"),
            der,
            der.len(),
        )?);
    }
    if archive.keys.len() > 1 {
        info.notes.push(format!(
            "it holds {} private keys; used the first",
            archive.keys.len()
        ));
    }
    Ok(info)
}

/// Reads a PKCS#8 PrivateKeyInfo of any algorithm.
fn pkcs8_kind(name: &str, der: &[u8]) -> Result<KeyKind, Error> {
    let pki = PrivateKeyInfoRef::from_der(der)
        .map_err(|e| Error::about(name, format!("is not a valid PKCS#8 private key: {e}")))?;
    if pki.algorithm.oid == oids::RSA_ENCRYPTION {
        return rsa_from_pkcs1(name, pki.private_key.as_bytes());
    }
    let curve = pki.algorithm.parameters_oid().ok();
    Ok(KeyKind::Other {
        algorithm: oids::key_algorithm_name(&pki.algorithm.oid, curve.as_ref()),
    })
}

/// The curve of a SEC1 ECPrivateKey: SEQUENCE { version, privateKey, [0] parameters, … }.
fn sec1_curve(der: &[u8]) -> String {
    let curve = SliceReader::new(der).ok().and_then(|mut r| {
        r.sequence(|r: &mut SliceReader<'_>| {
            u8::decode(r)?;
            <&OctetStringRef>::decode(r)?;
            let params =
                x509_cert::der::asn1::ContextSpecific::<ObjectIdentifier>::decode_explicit(
                    r,
                    x509_cert::der::TagNumber(0),
                )?;
            r.read_slice(r.remaining_len())?;
            Ok::<_, x509_cert::der::Error>(params.map(|p| p.value))
        })
        .ok()
        .flatten()
    });
    oids::key_algorithm_name(&oids::EC_PUBLIC_KEY, curve.as_ref())
}

/// Builds an RSA key from PKCS#1 RSAPrivateKey DER. A key whose parts disagree, or that is too
/// small for the RSA library, still yields its public half so the other rules can run.
pub(crate) fn rsa_from_pkcs1(name: &str, der: &[u8]) -> Result<KeyKind, Error> {
    let parsed = RsaPrivateKeyRef::from_der(der)
        .map_err(|e| Error::about(name, format!("is not a valid RSA private key: {e}")))?;
    let n = parsed.modulus.as_bytes();
    let e = parsed.public_exponent.as_bytes();
    let bits = bit_length(n);
    let public = public_from_parts(n, e).ok_or_else(|| {
        Error::about(
            name,
            "holds an RSA key whose modulus or exponent is invalid",
        )
    })?;
    // ring checks the whole key as it parses it, and is the signer: when it accepts the key,
    // nothing else is built (the rsa crate's key costs another 0.1–0.2 ms per key).
    if let Ok(pair) = ring::signature::RsaKeyPair::from_der(der) {
        return Ok(KeyKind::Rsa(Box::new(RsaKey {
            public,
            signer: Some(Signer::Ring(Arc::new(pair))),
            bits,
            inconsistency: None,
            notes: Vec::new(),
            pkcs1_der: Zeroizing::new(der.to_vec()),
        })));
    }
    let mut notes = Vec::new();
    let (private, inconsistency) = match PrivateKey::try_from(parsed.clone())
        .ok()
        .or_else(|| small_exponent_key(&parsed, &mut notes))
    {
        Some(k) => {
            if *k.n_bytes() == *public.n_bytes() && *k.e_bytes() == *public.e_bytes() {
                (Some(k), None)
            } else {
                (
                    None,
                    Some("its private parts describe another modulus".to_string()),
                )
            }
        }
        None if bits < 1024 => (None, None),
        None if parsed.public_exponent.as_bytes().len() <= 2 => {
            notes.push(
                "its public exponent is below 65537 and its primes are of unequal size, a combination the RSA library refuses by policy; it cannot sign here".to_string(),
            );
            (None, None)
        }
        None => (
            None,
            Some("its primes, private exponent and modulus do not fit together".to_string()),
        ),
    };
    Ok(KeyKind::Rsa(Box::new(RsaKey {
        public,
        signer: private.map(|k| Signer::RsaCrate(Box::new(k))),
        bits,
        inconsistency,
        notes,
        pkcs1_der: Zeroizing::new(der.to_vec()),
    })))
}

/// The RSA library refuses public exponents below 65537 by policy. Such keys (e = 3 is the
/// classic) are still valid RSA keys that produce signatures Salesforce verifies, so read them
/// with every other check intact, and say so.
fn small_exponent_key(
    parsed: &RsaPrivateKeyRef<'_>,
    notes: &mut Vec<String>,
) -> Option<PrivateKey> {
    let e_bytes = parsed.public_exponent.as_bytes();
    if e_bytes.len() > 2 {
        return None;
    }
    let n = parsed.modulus.as_bytes();
    let precision = u32::try_from(n.len() * 8).ok()?;
    let uint = |b: &[u8]| BoxedUint::from_be_slice(b, precision).ok();
    let key = PrivateKey::from_components_with_large_exponent(
        uint(n)?,
        BoxedUint::from_be_slice(e_bytes, 64).ok()?,
        uint(parsed.private_exponent.as_bytes())?,
        vec![
            uint(parsed.prime1.as_bytes())?,
            uint(parsed.prime2.as_bytes())?,
        ],
    )
    .ok()?;
    let e: u64 = e_bytes.iter().fold(0, |acc, b| (acc << 8) | u64::from(*b));
    notes.push(format!(
        "its public exponent is {e}; modern libraries require at least 65537, though RSA signatures with it are valid"
    ));
    Some(key)
}

/// The modulus sizes [`public_from_parts`] accepts: wider than the RSA library's default (1024
/// to 8192 bits), so that PF502 can report a small or huge key instead of a parse error.
const PUBLIC_KEY_BITS: std::ops::RangeInclusive<usize> = 256..=16384;

/// A public key from big-endian modulus and exponent, checked as the RSA library checks one
/// (odd modulus, odd exponent from 3 to 2^33 - 1 and below the modulus), with the sizes of
/// [`PUBLIC_KEY_BITS`]; `tests/properties.rs` holds the two to the same answers.
pub fn public_from_parts(n: &[u8], e: &[u8]) -> Option<RsaPublic> {
    let n = trim_leading_zeros(n);
    let e = trim_leading_zeros(e);
    let n_odd = n.last().is_some_and(|b| b & 1 == 1);
    let e_odd = e.last().is_some_and(|b| b & 1 == 1);
    // The library's bounds, 2 to 2^33 - 1, are exactly 2 to 33 bits; its other rule, e below
    // n, follows from the modulus's 256 bits at least.
    let e_in_range = (2..=33).contains(&bit_length(e));
    if !(PUBLIC_KEY_BITS.contains(&bit_length(n)) && n_odd && e_odd && e_in_range) {
        return None;
    }
    Some(RsaPublic {
        n: n.into(),
        e: e.into(),
        arithmetic: OnceLock::new(),
    })
}

fn trim_leading_zeros(be: &[u8]) -> &[u8] {
    let first = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    &be[first..]
}

/// An RSA public key: its modulus and exponent, big-endian without leading zeros, checked by
/// [`public_from_parts`]. ring verifies from these bytes; the RSA library's key, whose
/// Montgomery parameters took 12 µs to build, twice per org in `check --config`, is made only
/// when our own arithmetic needs it (a signature ring does not accept, a diagnosis).
#[derive(Clone)]
pub struct RsaPublic {
    n: Box<[u8]>,
    e: Box<[u8]>,
    arithmetic: OnceLock<Option<PublicKey>>,
}

impl RsaPublic {
    /// The modulus, big-endian, no leading zeros.
    pub fn n_bytes(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian, no leading zeros.
    pub fn e_bytes(&self) -> &[u8] {
        &self.e
    }

    /// The modulus length in bytes: the length of every signature.
    pub fn size(&self) -> usize {
        self.n.len()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        bit_length(&self.n)
    }

    /// The RSA library's key, made on first use. `None` only if the library refused what
    /// [`public_from_parts`] accepted: its checks are the library's (a property test and fixed
    /// boundary cases in `tests/properties.rs` compare the two).
    pub fn arithmetic(&self) -> Option<&PublicKey> {
        self.arithmetic
            .get_or_init(|| {
                let precision = u32::try_from(self.n.len() * 8).ok()?;
                let n = BoxedUint::from_be_slice(&self.n, precision).ok()?;
                let e = BoxedUint::from_be_slice(&self.e, 64).ok()?;
                PublicKey::new_with_size_limits(n, e, PUBLIC_KEY_BITS).ok()
            })
            .as_ref()
    }
}

impl PartialEq for RsaPublic {
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.e == other.e
    }
}

impl Eq for RsaPublic {}

impl std::fmt::Debug for RsaPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RsaPublic({} bits, e = {} bytes)",
            self.bits(),
            self.e.len()
        )
    }
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn bit_length(be: &[u8]) -> usize {
    match trim_leading_zeros(be) {
        [] => 0,
        trimmed => (trimmed.len() - 1) * 8 + (8 - trimmed[0].leading_zeros() as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_private_key() {
        let key = read_private_key(
            "server.key",
            include_bytes!("../../testdata/server.key"),
            &mut super::super::no_passphrase,
        )
        .expect("fixture key");
        let rsa = key.rsa().expect("RSA");
        let shown = format!("{key:?}");
        // `Zeroizing` shows nothing of what it holds; a plain `Vec` in its place would print
        // the PKCS#1 DER as Debug prints bytes: "[48, 130, 4, …".
        let der_start = format!("{:?}", &rsa.pkcs1_der[..8]);
        let der_start = der_start.trim_end_matches(']');
        assert!(
            !shown.contains(der_start),
            "Debug shows the key's DER: {shown}"
        );
        assert!(
            shown.len() < 1000,
            "Debug output is {} bytes long",
            shown.len()
        );
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[]), 0);
    }

    #[test]
    fn empty_and_garbage_are_named() {
        let mut none = super::super::no_passphrase;
        let e = read_private_key("k.pem", b"", &mut none).unwrap_err();
        assert_eq!(
            e.message(),
            "k.pem: is empty (0 bytes); expected a PEM or DER private key"
        );
        let e = read_private_key("k.jks", &[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2], &mut none)
            .unwrap_err();
        assert!(
            e.message().starts_with("k.jks: is a Java keystore")
                && e.message().contains("keytool -importkeystore"),
            "{}",
            e.message()
        );
        let e = read_private_key("k.pem", &[0xde, 0xad, 0xbe, 0xef, 0xff], &mut none).unwrap_err();
        assert!(
            e.message().starts_with("k.pem: is 5 bytes of binary data"),
            "{}",
            e.message()
        );
    }
}
