//! `keygen`: a fresh RSA key and a self-signed SHA-256 certificate, ready to upload to a
//! connected app. Pure apart from the system RNG; the validity starts at the `now` the caller
//! passes in (the command layer reads the clock).

use rsa::PrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use sha2::Sha256;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::TbsCertificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::EncodePem;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::Validity;
use zeroize::Zeroizing;

/// The key and certificate, PEM-encoded.
#[derive(Debug)]
pub struct Generated {
    /// Unencrypted PKCS#8 PEM; zeroized on drop.
    pub key_pem: Zeroizing<String>,
    /// The self-signed certificate, PEM.
    pub cert_pem: String,
}

/// A self-signed leaf: subject and issuer are the same name; the extensions a signing
/// certificate carries (not a CA, digitalSignature, a subject key identifier).
struct SelfSignedLeaf {
    subject: Name,
}

impl BuilderProfile for SelfSignedLeaf {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        use x509_cert::ext::ToExtension;
        let subject = tbs.subject();
        let none: &[Extension] = &[];
        Ok(vec![
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }
            .to_extension(subject, none)?,
            KeyUsage(KeyUsages::DigitalSignature.into()).to_extension(subject, none)?,
            SubjectKeyIdentifier::try_from(spk)?.to_extension(subject, none)?,
        ])
    }
}

/// The longest `--subject` accepted: the subject is written twice (as subject and issuer),
/// and the certificate must stay under the connected app's 4 KB upload limit (PF514).
pub const MAX_SUBJECT_CHARS: usize = 512;

/// Refuses a subject that cannot make an uploadable certificate, before any key is made.
pub fn check_subject(subject: &str) -> Result<(), String> {
    let chars = subject.chars().count();
    if chars > MAX_SUBJECT_CHARS {
        return Err(format!(
            "--subject is {chars} characters long; the certificate must stay under the connected app's 4 KB upload limit, so keep the subject under {MAX_SUBJECT_CHARS} characters"
        ));
    }
    Ok(())
}

/// Generates an RSA key of `bits` and a certificate for `subject` (RFC 4514, e.g.
/// `CN=jwt-preflight, O=Acme`) valid for `days` from `now`.
pub fn generate(
    bits: usize,
    days: u32,
    subject: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Generated, String> {
    check_subject(subject)?;
    // Accept "CN=ci, O=Acme" as people write it, and keep that order in the certificate (as
    // openssl -subj /CN=ci/O=Acme does): an RFC 4514 string lists the RDNs last first, with no
    // spaces after commas.
    let mut normalised: Vec<&str> = subject.split(',').map(str::trim).collect();
    normalised.reverse();
    let name = Name::from_str(&normalised.join(",")).map_err(|e| {
        format!(
            "--subject '{}' is not a distinguished name like CN=ci, O=Acme ({e})",
            crate::text::escape_controls(subject)
        )
    })?;
    let key = PrivateKey::new(&mut getrandom::SysRng, bits)
        .map_err(|e| format!("RSA key generation failed: {e}"))?;
    let key_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the key: {e}"))?;
    let signer = SigningKey::<Sha256>::new(key);
    let spki = SubjectPublicKeyInfoOwned::from_key(&signer.as_ref().to_public_key())
        .map_err(|e| format!("cannot encode the public key: {e}"))?;
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| format!("no randomness: {e}"))?;
    serial[0] &= 0x7f; // positive, as RFC 5280 requires
    let serial = SerialNumber::new(&serial).map_err(|e| e.to_string())?;
    let start = std::time::UNIX_EPOCH
        + Duration::from_secs(
            u64::try_from(now.timestamp()).map_err(|_| "the clock is before 1970".to_string())?,
        );
    let end = start + Duration::from_secs(u64::from(days) * 86_400);
    let time = |t| {
        x509_cert::time::Time::try_from(t).map_err(|e| format!("cannot encode the validity: {e}"))
    };
    let validity = Validity::new(time(start)?, time(end)?);
    let builder = CertificateBuilder::new(SelfSignedLeaf { subject: name }, serial, validity, spki)
        .map_err(|e| format!("cannot build the certificate: {e}"))?;
    let cert = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .map_err(|e| format!("cannot sign the certificate: {e}"))?;
    let cert_pem = cert
        .to_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the certificate: {e}"))?;
    if cert_pem.len() > crate::rules::keycert::MAX_CERT_BYTES {
        return Err(format!(
            "the certificate would be {} bytes, over the connected app's {}-byte upload limit: use a shorter --subject",
            cert_pem.len(),
            crate::rules::keycert::MAX_CERT_BYTES
        ));
    }
    Ok(Generated { key_pem, cert_pem })
}
