//! `serve`'s certificate authority: made per run (its key only in memory, its certificate in a
//! private temporary folder for clients to trust) or kept in `--ca-dir`. Its name constraints
//! permit only Salesforce's domains and loopback, so even a leaked CA cannot vouch for any
//! other site. Leaves (one per host, ECDSA P-256) are made on demand and cached.

use super::super::inputs::{make_private_dir, write_new};
use super::Error;
use crate::defaults::{SERVE_KEPT_CA_DAYS, SERVE_MAX_CACHED_HOSTS, SERVE_RUN_CERT_DAYS};
use crate::salesforce::SALESFORCE_DOMAINS;
use crate::text::display_path;
use chrono::{DateTime, Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, PublicKeyData,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

/// The CA's common name: says what it is to whoever finds it in a trust store.
const CA_NAME: &str = "jwt-preflight serve local CA (Salesforce domains and loopback only)";

/// The CA and its cache of TLS identities.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    not_after: DateTime<Utc>,
    /// The file clients are told to trust.
    pub cert_path: PathBuf,
    /// Whether it is kept (`--ca-dir`) rather than made for this run.
    pub kept: bool,
    /// The private folder of a per-run CA's certificate, removed when the server stops.
    temp_dir: Option<PathBuf>,
    started: DateTime<Utc>,
    configs: Mutex<HashMap<Vec<String>, Arc<ServerConfig>>>,
}

impl Drop for Ca {
    fn drop(&mut self) {
        if let Some(dir) = &self.temp_dir {
            let _ = std::fs::remove_file(&self.cert_path);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Midnight UTC of the day `t` falls on, as rcgen takes it.
macro_rules! day {
    ($t:expr) => {{
        let t: DateTime<Utc> = $t;
        rcgen::date_time_ymd(t.year(), t.month() as u8, t.day() as u8)
    }};
}

/// The CA's parameters. Reopening a kept CA rebuilds them: the leaves' issuer name, key
/// identifier and key usages come from here, identical each time.
fn ca_params(not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    name.push(DnType::OrganizationName, "jwt-preflight");
    p.distinguished_name = name;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let mut permitted: Vec<GeneralSubtree> = SALESFORCE_DOMAINS
        .iter()
        .map(|d| GeneralSubtree::DnsName((*d).to_string()))
        .collect();
    permitted.push(GeneralSubtree::DnsName("localhost".into()));
    permitted.push(GeneralSubtree::IpAddress(CidrSubnet::V4(
        [127, 0, 0, 0],
        [255, 0, 0, 0],
    )));
    let mut one = [0u8; 16];
    one[15] = 1;
    permitted.push(GeneralSubtree::IpAddress(CidrSubnet::V6(one, [0xff; 16])));
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    });
    p.not_before = day!(not_before);
    p.not_after = day!(not_after);
    p
}

fn rcgen_error(what: &str, e: rcgen::Error) -> Error {
    Error::new(format!("cannot make {what}: {e}"))
}

impl Ca {
    /// A CA for this run, or the one kept in `dir` (made there the first time).
    pub fn open(dir: Option<&Path>, now: DateTime<Utc>) -> Result<Ca, Error> {
        match dir {
            Some(dir) => Self::kept(dir, now),
            None => Self::fresh(now),
        }
    }

    /// A new CA valid from yesterday for `days`: its key, parameters and certificate.
    fn generate(
        now: DateTime<Utc>,
        days: i64,
    ) -> Result<
        (
            KeyPair,
            CertificateParams,
            rcgen::Certificate,
            DateTime<Utc>,
        ),
        Error,
    > {
        let key = KeyPair::generate().map_err(|e| rcgen_error("the CA key", e))?;
        let not_after = now + Duration::days(days);
        let params = ca_params(now - Duration::days(1), not_after);
        let cert = params
            .self_signed(&key)
            .map_err(|e| rcgen_error("the CA", e))?;
        Ok((key, params, cert, not_after))
    }

    fn fresh(now: DateTime<Utc>) -> Result<Ca, Error> {
        let (key, params, cert, not_after) = Self::generate(now, SERVE_RUN_CERT_DAYS)?;
        let dir = std::env::temp_dir().join(format!(
            "jwt-preflight-serve-{}-{}",
            std::process::id(),
            now.timestamp_micros()
        ));
        make_private_dir(&dir)?;
        let cert_path = dir.join("ca.crt");
        if let Err(e) = write_new(&cert_path, cert.pem().as_bytes(), 0o644) {
            let _ = std::fs::remove_dir(&dir);
            return Err(e);
        }
        Ok(Ca {
            issuer: Issuer::new(params, key),
            der: cert.der().clone(),
            not_after,
            cert_path,
            kept: false,
            temp_dir: Some(dir),
            started: now,
            configs: Mutex::new(HashMap::new()),
        })
    }

    fn kept(dir: &Path, now: DateTime<Utc>) -> Result<Ca, Error> {
        let cert_path = dir.join("ca.crt");
        let key_path = dir.join("ca.key");
        match (cert_path.exists(), key_path.exists()) {
            (true, true) => Self::reopen(&cert_path, &key_path, now),
            (false, false) => {
                if !dir.is_dir() {
                    make_private_dir(dir)?;
                }
                let (key, params, cert, not_after) = Self::generate(now, SERVE_KEPT_CA_DAYS)?;
                write_new(
                    &key_path,
                    Zeroizing::new(key.serialize_pem()).as_bytes(),
                    0o600,
                )?;
                if let Err(e) = write_new(&cert_path, cert.pem().as_bytes(), 0o644) {
                    let _ = std::fs::remove_file(&key_path);
                    return Err(e);
                }
                Ok(Ca {
                    issuer: Issuer::new(params, key),
                    der: cert.der().clone(),
                    not_after,
                    cert_path,
                    kept: true,
                    temp_dir: None,
                    started: now,
                    configs: Mutex::new(HashMap::new()),
                })
            }
            (has_cert, _) => {
                let (present, missing) = if has_cert {
                    (&cert_path, &key_path)
                } else {
                    (&key_path, &cert_path)
                };
                Err(Error::new(format!(
                    "--ca-dir {}: {} is there but {} is not; a CA needs both",
                    display_path(dir),
                    display_path(present),
                    display_path(missing)
                ))
                .with_hint("remove the one left (clients then need to trust the new CA), or give another --ca-dir"))
            }
        }
    }

    /// A kept CA: its key must be private, match its certificate, and the certificate must
    /// be this tool's and still valid. Nothing is ever overwritten.
    fn reopen(cert_path: &Path, key_path: &Path, now: DateTime<Utc>) -> Result<Ca, Error> {
        use x509_cert::der::{Decode, Encode};
        let remake = "remove ca.crt and ca.key from the folder to make a new CA (clients then need to trust the new one)";
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(key_path)
                .map_err(|e| Error::new(format!("{}: {e}", display_path(key_path))))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(Error::new(format!(
                    "{}: the CA key is readable by others (mode {:o}); anyone who reads it can pass for Salesforce to this machine's clients",
                    display_path(key_path),
                    mode & 0o777
                ))
                .with_hint(format!("chmod 600 {}", display_path(key_path))));
            }
        }
        let limit = crate::defaults::MAX_MATERIAL_BYTES;
        let key_bytes = super::super::inputs::read_file(key_path, limit)?;
        let key_pem = std::str::from_utf8(&key_bytes)
            .map_err(|_| Error::about(&display_path(key_path), "is not PEM text"))?;
        // rcgen's PEM errors quote the line they could not read, a line of this private key:
        // only errors of another kind are shown.
        let key = KeyPair::from_pem(key_pem).map_err(|e| {
            let why = match e {
                rcgen::Error::PemError(_) => "its PEM block is damaged".to_string(),
                e => e.to_string(),
            };
            Error::about(
                &display_path(key_path),
                format!("is not a CA key serve can use: {why}"),
            )
            .with_hint(remake)
        })?;
        let cert_bytes = super::super::inputs::read_file(cert_path, limit)?;
        let cert_der = pem::parse(&cert_bytes[..])
            .map(|p| p.contents().to_vec())
            .map_err(|e| {
                Error::about(
                    &display_path(cert_path),
                    format!("is not a PEM certificate: {e}"),
                )
            })?;
        let cert = x509_cert::Certificate::from_der(&cert_der).map_err(|e| {
            Error::about(
                &display_path(cert_path),
                format!("is not a certificate: {e}"),
            )
        })?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap_or_default();
        if spki != key.subject_public_key_info() {
            return Err(Error::new(format!(
                "--ca-dir: {} does not belong to {}",
                display_path(cert_path),
                display_path(key_path)
            ))
            .with_hint(remake));
        }
        if !cert
            .tbs_certificate()
            .subject()
            .to_string()
            .contains(CA_NAME)
        {
            return Err(Error::about(
                &display_path(cert_path),
                "is not a CA made by jwt-preflight serve, so its name constraints are unknown",
            )
            .with_hint(remake));
        }
        let validity = cert.tbs_certificate().validity();
        let not_after: DateTime<Utc> = validity.not_after.to_system_time().into();
        if not_after <= now + Duration::days(1) {
            return Err(Error::about(
                &display_path(cert_path),
                format!(
                    "expires {} (the kept CA is too old to sign leaves)",
                    crate::timefmt::rfc3339(not_after)
                ),
            )
            .with_hint(remake));
        }
        let not_before: DateTime<Utc> = validity.not_before.to_system_time().into();
        Ok(Ca {
            issuer: Issuer::new(ca_params(not_before, not_after), key),
            der: CertificateDer::from(cert_der),
            not_after,
            cert_path: cert_path.to_path_buf(),
            kept: true,
            temp_dir: None,
            started: now,
            configs: Mutex::new(HashMap::new()),
        })
    }

    /// The TLS configuration for these names (host names or IP addresses), made once.
    pub fn server_config(&self, names: &[String]) -> Result<Arc<ServerConfig>, Error> {
        let mut cache = self.configs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(names) {
            return Ok(c.clone());
        }
        if cache.len() >= SERVE_MAX_CACHED_HOSTS {
            cache.clear();
        }
        let config = Arc::new(self.leaf(names)?);
        cache.insert(names.to_vec(), config.clone());
        Ok(config)
    }

    fn leaf(&self, names: &[String]) -> Result<ServerConfig, Error> {
        let mut p = CertificateParams::new(names.to_vec())
            .map_err(|e| rcgen_error("a certificate for that name", e))?;
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        p.distinguished_name = dn;
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        p.not_before = day!(self.started - Duration::days(1));
        p.not_after =
            day!((self.started + Duration::days(SERVE_RUN_CERT_DAYS)).min(self.not_after));
        let key = KeyPair::generate().map_err(|e| rcgen_error("a leaf key", e))?;
        let cert = p
            .signed_by(&key, &self.issuer)
            .map_err(|e| rcgen_error("a leaf certificate", e))?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| {
                b.with_no_client_auth()
                    .with_single_cert(vec![cert.der().clone(), self.der.clone()], key_der)
            })
            .map_err(|e| Error::new(format!("cannot set up TLS: {e}")))?;
        // serve speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}
