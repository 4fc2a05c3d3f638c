//! Object identifiers the readers need to name, and plain names for them.

use x509_cert::der::oid::ObjectIdentifier as Oid;

pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
pub(crate) const ED448: Oid = Oid::new_unwrap("1.3.101.113");
pub(crate) const DSA: Oid = Oid::new_unwrap("1.2.840.10040.4.1");
pub(crate) const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
pub(crate) const PKCS7_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");

/// A readable name for a public key algorithm, with the curve for EC keys.
pub(crate) fn key_algorithm_name(alg: &Oid, curve: Option<&Oid>) -> String {
    match *alg {
        RSA_ENCRYPTION => "RSA".to_string(),
        RSASSA_PSS => "RSA-PSS (a key restricted to PSS signatures)".to_string(),
        EC_PUBLIC_KEY => match curve.map(|c| c.to_string()).as_deref() {
            Some("1.2.840.10045.3.1.7") => "EC P-256".to_string(),
            Some("1.3.132.0.34") => "EC P-384".to_string(),
            Some("1.3.132.0.35") => "EC P-521".to_string(),
            Some("1.3.132.0.10") => "EC secp256k1".to_string(),
            Some(other) => format!("EC ({other})"),
            None => "EC".to_string(),
        },
        ED25519 => "Ed25519".to_string(),
        ED448 => "Ed448".to_string(),
        DSA => "DSA".to_string(),
        ref other => name_of(other),
    }
}

/// The registered name of an OID when the database knows it, else its dotted form.
pub(crate) fn name_of(oid: &Oid) -> String {
    x509_cert::der::oid::db::DB
        .by_oid(oid)
        .map(str::to_string)
        .unwrap_or_else(|| oid.to_string())
}

/// The hash named by a certificate signature algorithm, when it is a weak one.
pub(crate) fn weak_signature_hash(sig_alg: &Oid) -> Option<&'static str> {
    match sig_alg.to_string().as_str() {
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" | "1.3.14.3.2.29" => {
            Some("SHA-1")
        }
        "1.2.840.113549.1.1.4" => Some("MD5"),
        "1.2.840.113549.1.1.2" => Some("MD2"),
        _ => None,
    }
}

/// Short attribute names as OpenSSL prints them in a distinguished name.
pub(crate) fn attribute_short_name(oid: &Oid) -> String {
    match oid.to_string().as_str() {
        "2.5.4.3" => "CN".into(),
        "2.5.4.6" => "C".into(),
        "2.5.4.7" => "L".into(),
        "2.5.4.8" => "ST".into(),
        "2.5.4.10" => "O".into(),
        "2.5.4.11" => "OU".into(),
        "2.5.4.5" => "serialNumber".into(),
        "1.2.840.113549.1.9.1" => "emailAddress".into(),
        "0.9.2342.19200300.100.1.25" => "DC".into(),
        "0.9.2342.19200300.100.1.1" => "UID".into(),
        _ => name_of(oid),
    }
}
