//! X.509 certificates, PEM or DER. PEM may have CRLF line ends or text before the block; with
//! several certificates the first is used and the report says so.

use super::key::{RsaPublic, parse_pem_blocks, public_from_parts};
use super::oids;
use super::{Error, describe_unknown};
use chrono::{DateTime, Utc};
use rsa::pkcs1::RsaPublicKeyRef;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoRef;

/// The public key a certificate carries.
#[derive(Debug, Clone)]
pub enum CertKey {
    /// RSA, with its modulus size.
    Rsa(RsaPublic),
    /// Another algorithm (PF503).
    Other {
        /// e.g. "EC P-256".
        algorithm: String,
    },
}

/// A certificate, read, with everything the rules and reports need.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// The input's name.
    pub name: String,
    /// Subject in OpenSSL order, e.g. `CN=jwt-preflight, O=Example`.
    pub subject: String,
    /// Issuer, likewise.
    pub issuer: String,
    /// Serial number as colon-separated hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// SHA-1 fingerprint of the DER, `AA:BB:…` (what the Salesforce UI shows).
    pub sha1_fingerprint: String,
    /// SHA-256 fingerprint of the DER.
    pub sha256_fingerprint: String,
    /// The public key.
    pub key: CertKey,
    /// Modulus size for RSA keys.
    pub bits: Option<usize>,
    /// Whether subject and issuer are the same name.
    pub self_signed: bool,
    /// Size of the DER encoding.
    pub der_bytes: usize,
    /// Size of the input as it would be uploaded (the file's size).
    pub file_bytes: usize,
    /// The certificate's own signature algorithm, e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// SHA-1 or MD5 when the certificate's own signature uses one (PF515).
    pub weak_hash: Option<&'static str>,
    /// Things worth saying, e.g. "it holds 2 certificates; used the first".
    pub notes: Vec<String>,
}

impl CertInfo {
    /// The RSA public key, when it is one.
    pub fn rsa(&self) -> Option<&RsaPublic> {
        match &self.key {
            CertKey::Rsa(k) => Some(k),
            CertKey::Other { .. } => None,
        }
    }

    /// "RSA" or the other algorithm's name.
    pub fn algorithm(&self) -> &str {
        match &self.key {
            CertKey::Rsa(_) => "RSA",
            CertKey::Other { algorithm } => algorithm,
        }
    }
}

/// Reads a certificate from `bytes`, PEM or DER.
pub fn read_certificate(name: &str, bytes: &[u8]) -> Result<CertInfo, Error> {
    if bytes.is_empty() {
        return Err(Error::about(
            name,
            "is empty (0 bytes); expected a PEM or DER X.509 certificate",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("BEGIN") => read_pem(name, text, bytes.len()),
        Ok(text) if text.trim().is_empty() => Err(Error::about(
            name,
            "contains only whitespace; expected a PEM or DER X.509 certificate",
        )),
        _ => parse_der(name, bytes, bytes.len()),
    }
}

fn read_pem(name: &str, text: &str, file_bytes: usize) -> Result<CertInfo, Error> {
    let (blocks, notes) = parse_pem_blocks(name, text)?;
    let certs: Vec<&pem::Pem> = blocks
        .iter()
        .filter(|b| {
            matches!(
                b.tag(),
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
            )
        })
        .collect();
    let Some(first) = certs.first() else {
        let labels: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
        let what = if labels.iter().any(|l| l.contains("PRIVATE KEY")) {
            "is a private key, not a certificate; give it as --key, and the certificate uploaded to the connected app as --cert".to_string()
        } else if labels.iter().any(|l| l.contains("CERTIFICATE REQUEST")) {
            "is a certificate signing request (CSR), not a certificate; sign it first (openssl x509 -req -sha256 -days 365 -in server.csr -signkey server.key -out server.crt)".to_string()
        } else if labels.iter().any(|l| l.contains("PUBLIC KEY")) {
            "is a bare public key; Salesforce needs the X.509 certificate (openssl req -new -x509 -key server.key -out server.crt)".to_string()
        } else {
            format!(
                "holds PEM blocks labelled {}, none of them a certificate",
                labels.join(", ")
            )
        };
        return Err(Error::about(name, what));
    };
    let contents = first.contents();
    if contents.is_empty() {
        return Err(Error::about(
            name,
            format!(
                "holds an empty {} PEM block (nothing between its BEGIN and END lines); the file was truncated or edited",
                first.tag()
            ),
        ));
    }
    // A key or a PKCS#12 in a CERTIFICATE block is explained by what it is; anything else
    // in the block is damage to the block itself.
    if let Err(e) = Certificate::from_der(contents)
        && !is_other_known_der(contents)
    {
        let detail = format!(" ({e})");
        return Err(Error::about(
            name,
            format!(
                "holds a {} PEM block whose {} bytes are not a DER certificate{detail}; the block is damaged or truncated",
                first.tag(),
                contents.len()
            ),
        ));
    }
    let mut info = parse_der(name, contents, file_bytes)?;
    info.notes.extend(notes);
    if certs.len() > 1 {
        info.notes.push(format!(
            "it holds {} certificates; used the first (subject {})",
            certs.len(),
            info.subject
        ));
    }
    Ok(info)
}

/// Whether DER bytes are an X.509 certificate.
pub fn is_der_certificate(der: &[u8]) -> bool {
    Certificate::from_der(der).is_ok()
}

/// Reads one DER certificate. `file_bytes` is the size of what would be uploaded.
pub(crate) fn parse_der(name: &str, der: &[u8], file_bytes: usize) -> Result<CertInfo, Error> {
    let cert = match Certificate::from_der(der) {
        Ok(c) => c,
        Err(e) => return Err(not_a_certificate(name, der, &e)),
    };
    let tbs = cert.tbs_certificate();
    let spki = tbs.subject_public_key_info();
    let spki_der = spki
        .to_der()
        .map_err(|e| Error::about(name, format!("has an unreadable public key: {e}")))?;
    let key = public_key_from_spki(name, &spki_der)?;
    let bits = match &key {
        CertKey::Rsa(k) => Some(k.bits()),
        CertKey::Other { .. } => None,
    };
    let to_utc = |t: x509_cert::time::Time| {
        let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let sig_oid = cert.signature_algorithm().oid;
    Ok(CertInfo {
        name: name.to_string(),
        subject: format_name(tbs.subject()),
        issuer: format_name(tbs.issuer()),
        serial: colon_hex(tbs.serial_number().as_bytes()),
        not_before: to_utc(tbs.validity().not_before),
        not_after: to_utc(tbs.validity().not_after),
        // ring's digests: ring has probed the CPU already for the signature, where the sha1
        // and sha2 crates would each probe it again (a CPUID trap costs microseconds in a VM).
        sha1_fingerprint: colon_hex(
            ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref(),
        ),
        sha256_fingerprint: colon_hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
        key,
        bits,
        self_signed: tbs.subject() == tbs.issuer(),
        der_bytes: der.len(),
        file_bytes,
        signature_algorithm: oids::name_of(&sig_oid),
        weak_hash: oids::weak_signature_hash(&sig_oid),
        notes: Vec::new(),
    })
}

/// Whether DER is a private key, a bare public key or a PKCS#12: things given in place of a
/// certificate that [`not_a_certificate`] names.
fn is_other_known_der(der: &[u8]) -> bool {
    rsa::pkcs8::PrivateKeyInfoRef::from_der(der).is_ok()
        || rsa::pkcs1::RsaPrivateKeyRef::from_der(der).is_ok()
        || SubjectPublicKeyInfoRef::from_der(der).is_ok()
        || super::key::looks_like_pkcs12(der)
}

/// Explains DER that is not a certificate: a key given in its place, a truncated file, garbage.
fn not_a_certificate(name: &str, der: &[u8], e: &x509_cert::der::Error) -> Error {
    if rsa::pkcs8::PrivateKeyInfoRef::from_der(der).is_ok()
        || rsa::pkcs1::RsaPrivateKeyRef::from_der(der).is_ok()
    {
        return Error::about(
            name,
            "is a DER private key, not a certificate; give it as --key, and the certificate as --cert",
        );
    }
    if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return Error::about(
            name,
            "is a bare DER public key; Salesforce needs the X.509 certificate",
        );
    }
    if super::key::looks_like_pkcs12(der) {
        return Error::about(
            name,
            "is a PKCS#12 archive, not a certificate; give it as --key (its certificate is used from inside it)",
        );
    }
    if der.first() == Some(&0x30) {
        let truncated = matches!(e.kind(), x509_cert::der::ErrorKind::Incomplete { .. });
        return Error::about(
            name,
            if truncated {
                format!("is a truncated DER certificate ({} bytes; {e})", der.len())
            } else {
                format!("is not a valid DER certificate: {e}")
            },
        );
    }
    Error::about(name, describe_unknown(der))
}

/// Reads a SubjectPublicKeyInfo (DER): RSA keys of 256 to 16384 bits, other algorithms named.
pub fn public_key_from_spki(name: &str, spki_der: &[u8]) -> Result<CertKey, Error> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| Error::about(name, format!("has an unreadable public key: {e}")))?;
    if spki.algorithm.oid != oids::RSA_ENCRYPTION {
        let curve = spki.algorithm.parameters_oid().ok();
        return Ok(CertKey::Other {
            algorithm: oids::key_algorithm_name(&spki.algorithm.oid, curve.as_ref()),
        });
    }
    let rsa_key = spki
        .subject_public_key
        .as_bytes()
        .and_then(|b| RsaPublicKeyRef::from_der(b).ok())
        .and_then(|k| public_from_parts(k.modulus.as_bytes(), k.public_exponent.as_bytes()));
    match rsa_key {
        Some(k) => Ok(CertKey::Rsa(k)),
        None => Err(Error::about(
            name,
            "has an RSA public key whose modulus or exponent is invalid",
        )),
    }
}

/// A distinguished name in the order it is encoded, as OpenSSL and Salesforce show it.
pub(crate) fn format_name(name: &Name) -> String {
    let parts: Vec<String> = name
        .iter_rdn()
        .flat_map(|rdn| rdn.iter())
        .map(|atv| {
            let value = String::from_utf8_lossy(atv.value.value()).into_owned();
            // Names are the certificate maker's text: shown with controls escaped.
            format!(
                "{}={}",
                oids::attribute_short_name(&atv.oid),
                crate::text::escape_controls(&value)
            )
        })
        .collect();
    parts.join(", ")
}

/// `AB:CD:…`, as OpenSSL prints serials and fingerprints. Written by hand, not with `format!`
/// per byte: a serial and two fingerprints per certificate made that 1% of `check --config`.
fn colon_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn colon_hex_is_what_openssl_prints() {
        assert_eq!(super::colon_hex(&[]), "");
        assert_eq!(super::colon_hex(&[0x0a]), "0A");
        assert_eq!(super::colon_hex(&[0x00, 0xff, 0x9c, 0x41]), "00:FF:9C:41");
    }
}
