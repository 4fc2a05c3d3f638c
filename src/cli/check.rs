//! `check`, and `check --config` for every org of a config file.

use super::args::{CheckArgs, ClaimArgs};
use super::inputs::{self, load_cert, passphrase_spec};
use super::{Error, Outcome, Provenance, clock};
use crate::check::{self as core, AssertionInput, CheckInput};
use crate::config::{self, Layer, Passphrase, ResolvedOrg};
use crate::defaults::MAX_CONFIG_BYTES;
use crate::material::{CertInfo, KeyInfo};
use crate::report::{AssertionSource, Document, OrgsReport, Report};
use crate::rules::Expectations;
use crate::rules::clock::ClockReading;
use crate::salesforce::{self, HostKind, SimpleUrl};
use crate::text::display_path;
use chrono::{DateTime, Utc};
use std::path::Path;

/// `check`.
pub fn run(a: &CheckArgs, provenance: &Provenance) -> Result<Outcome, Error> {
    if a.config.is_some() {
        return config_mode(a, provenance);
    }
    if let Some(selection) = super::sf_orgs::selection(a) {
        return super::sf_orgs::run(a, provenance, selection);
    }
    let exp = expectations(&a.claims, a.cert_warn_days)?;
    let now = inputs::now(a.claims.now.as_deref())?;
    let key = a
        .key
        .as_deref()
        .map(|p| inputs::load_key(p, passphrase_spec(&a.passphrase).as_ref()))
        .transpose()
        .map_err(|e| provenance.note_env("key", e))?;
    let cert = a
        .cert
        .as_deref()
        .map(load_cert)
        .transpose()
        .map_err(|e| provenance.note_env("cert", e))?;
    let assertion = match &a.assertion {
        Some(arg) => {
            let (text, stdin) = inputs::read_assertion(arg)?;
            AssertionInput::Given {
                text,
                source: if stdin {
                    AssertionSource::Stdin
                } else {
                    AssertionSource::File
                },
            }
        }
        None => AssertionInput::Build {
            alg: a.claims.alg.unwrap_or(a.claims.expect_alg).alg(),
            lifetime: a.claims.lifetime,
        },
    };
    let clock = if a.clock_check || a.clock_url.is_some() {
        Some(clock::measure(&clock_url(
            a.clock_url.as_deref(),
            &exp.login_url,
        ))?)
    } else {
        None
    };
    let (key, key_mode) = match &key {
        Some((k, m)) => (Some(k), *m),
        None => (None, None),
    };
    let report = core::run(&CheckInput {
        key,
        key_mode,
        // A PKCS#12 key brings its certificate; an explicit --cert wins.
        cert: cert.as_ref().or(key.and_then(|k| k.certificate.as_ref())),
        assertion,
        expectations: &exp,
        now,
        strict: a.strict,
        clock,
        extra: Vec::new(),
    })?;
    Ok(Document::Check(report).into())
}

/// Expectations from the claim flags, with the login URL checked.
pub(super) fn expectations(c: &ClaimArgs, cert_warn_days: i64) -> Result<Expectations, Error> {
    let login_url = c
        .login_url
        .clone()
        .unwrap_or_else(|| crate::defaults::LOGIN_URL.to_string());
    check_login_url(&login_url)?;
    Ok(Expectations {
        client_id: c.client_id.clone(),
        username: c.username.clone(),
        login_url,
        audience: c.audience.clone(),
        expect_alg: c.expect_alg.alg(),
        cert_warn_days,
    })
}

/// Refuses a login URL no token request could go to.
pub(super) fn check_login_url(login_url: &str) -> Result<(), Error> {
    let shown = crate::text::escape_controls(login_url);
    let Some(url) = SimpleUrl::parse(login_url) else {
        return Err(Error::new(format!("--login-url: '{shown}' is not a URL"))
            .with_hint("use e.g. https://login.salesforce.com or https://acme.my.salesforce.com"));
    };
    if url.scheme != "https" && url.scheme != "http" {
        return Err(Error::new(format!(
            "--login-url: '{shown}' is not an http(s) URL"
        )));
    }
    // http:// is reported as PF328, in every format.
    if salesforce::classify_host(&url.host) == HostKind::Lightning {
        return Err(Error::new(format!(
            "--login-url: '{shown}' is a Lightning domain, which serves no logins"
        ))
        .with_hint(format!(
            "use the My Domain URL (https://{})",
            url.host
                .replace(".lightning.force.com", ".my.salesforce.com")
        )));
    }
    Ok(())
}

/// The URL `--clock-check` asks: `--clock-url`, or the login server's origin.
fn clock_url(clock_url: Option<&str>, login_url: &str) -> String {
    clock_url.map(str::to_string).unwrap_or_else(|| {
        SimpleUrl::parse(login_url)
            .map(|u| format!("{}/", u.origin()))
            .unwrap_or_else(|| login_url.to_string())
    })
}

/// The flag values for every org: those typed on the command line, and the others (from
/// the environment or the defaults), which the file wins over.
fn layers(a: &CheckArgs, p: &Provenance) -> (Layer, Layer) {
    let c = &a.claims;
    let passphrase = passphrase_spec(&a.passphrase);
    let all = Layer {
        client_id: c.client_id.clone(),
        username: c.username.clone(),
        login_url: c.login_url.clone(),
        audience: c.audience.clone(),
        expect_alg: Some(c.expect_alg.alg()),
        alg: c.alg.map(|x| x.alg()),
        lifetime: Some(c.lifetime),
        cert_warn_days: Some(a.cert_warn_days),
        key: a.key.clone(),
        cert: a.cert.clone(),
        passphrase,
    };
    let typed = typed_only(&all, p);
    (typed, all)
}

/// The values of `all` that were typed on the command line (the ones that override a config
/// file); the rest are left out.
pub(super) fn typed_only(all: &Layer, p: &Provenance) -> Layer {
    Layer {
        client_id: all.client_id.clone().filter(|_| p.typed("client_id")),
        username: all.username.clone().filter(|_| p.typed("username")),
        login_url: all.login_url.clone().filter(|_| p.typed("login_url")),
        audience: all.audience.clone().filter(|_| p.typed("audience")),
        expect_alg: all.expect_alg.filter(|_| p.typed("expect_alg")),
        alg: all.alg.filter(|_| p.typed("alg")),
        lifetime: all.lifetime.filter(|_| p.typed("lifetime")),
        cert_warn_days: all.cert_warn_days.filter(|_| p.typed("cert_warn_days")),
        key: all.key.clone().filter(|_| p.typed("key")),
        cert: all.cert.clone().filter(|_| p.typed("cert")),
        passphrase: all
            .passphrase
            .clone()
            .filter(|_| p.typed("passphrase_env") || p.typed("passphrase_file")),
    }
}

/// `check --config FILE [--org NAME]`.
fn config_mode(a: &CheckArgs, provenance: &Provenance) -> Result<Outcome, Error> {
    let Some(path) = &a.config else {
        return Err(Error::new("--config is required here"));
    };
    if a.assertion.is_some() {
        return Err(Error::new(
            "--config builds one assertion per org; it cannot be combined with --assertion",
        ));
    }
    let orgs = read_config(path, a.org.as_deref()).map_err(|e| provenance.note_env("config", e))?;
    check_orgs(a, provenance, &orgs, Vec::new())
}

/// Checks every org (of a config file, or of the sf CLI), with the flags layered over each;
/// `skipped` are reported as not checked.
pub(super) fn check_orgs(
    a: &CheckArgs,
    provenance: &Provenance,
    orgs: &[config::Org],
    skipped: Vec<(String, String)>,
) -> Result<Outcome, Error> {
    let (typed, fallback) = layers(a, provenance);
    let orgs = config::resolve(orgs, &typed, &fallback);
    let now = inputs::now(a.claims.now.as_deref())?;
    let clocks = measure_clocks(&orgs, a)?;
    // Every file is read and every passphrase asked for, in file order, before the parallel
    // part, which is pure work.
    let loaded = load_orgs(&orgs);
    let results = crate::parallel::map(&(0..orgs.len()).collect::<Vec<_>>(), |&i| {
        let org = &orgs[i];
        let outcome = loaded
            .material(i)
            .and_then(|material| check_org(org, &material, now, a.strict, clocks[i].clone()));
        outcome.map_err(|e| e.within(format_args!("org {}", org.name)))
    });
    let report = OrgsReport {
        orgs: orgs.iter().map(|o| o.name.clone()).zip(results).collect(),
        skipped,
    };
    Ok(Document::Orgs(report).into())
}

/// The config file's orgs, or just `--org NAME`.
pub(super) fn read_config(path: &Path, only: Option<&str>) -> Result<Vec<config::Org>, Error> {
    let text = inputs::read_file(path, MAX_CONFIG_BYTES)?;
    let text = String::from_utf8(text.to_vec())
        .map_err(|_| Error::about(&display_path(path), "is not UTF-8 text"))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut orgs = config::parse(&display_path(path), &text, &base)?;
    if let Some(only) = only {
        let names: Vec<String> = orgs.iter().map(|o| o.name.clone()).collect();
        orgs.retain(|o| o.name == only);
        if orgs.is_empty() {
            return Err(Error::about(
                &display_path(path),
                format!(
                    "no org named \"{}\" (orgs: {})",
                    crate::text::escape_controls(only),
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(orgs)
}

/// An org's key and certificate, read and parsed: borrowed from [`LoadedOrgs`], as orgs that
/// share a file share its one parse.
struct OrgMaterial<'a> {
    key: &'a KeyInfo,
    key_mode: Option<u32>,
    cert: Option<&'a CertInfo>,
}

/// Every distinct key and certificate of a run, read and parsed once, and which of them each
/// org uses.
struct LoadedOrgs {
    keys: Vec<inputs::LoadedKey>,
    certs: Vec<Result<CertInfo, Error>>,
    /// Per org: its key's and its certificate's index, or why it has none.
    wanted: Vec<Result<(usize, Option<usize>), Error>>,
}

impl LoadedOrgs {
    /// Org `i`'s material, or the error of reading it.
    fn material(&self, i: usize) -> Result<OrgMaterial<'_>, Error> {
        let (k, c) = self.wanted[i].clone()?;
        let (key, key_mode) = self.keys[k].as_ref().map_err(Clone::clone)?;
        let cert = match c {
            Some(c) => Some(self.certs[c].as_ref().map_err(Clone::clone)?),
            None => None,
        };
        Ok(OrgMaterial {
            key,
            key_mode: *key_mode,
            cert,
        })
    }
}

/// Reads and parses every org's key and certificate (see [`inputs::load_material`]: on every
/// core, then the passphrase prompts in order). Orgs often share a key or a certificate (a
/// sandbox keeps production's): each distinct file is read and parsed once per run, and its
/// passphrase asked for once.
fn load_orgs(orgs: &[ResolvedOrg]) -> LoadedOrgs {
    use std::collections::HashMap;
    let mut key_jobs: Vec<(&Path, Option<&Passphrase>)> = Vec::new();
    let mut key_index: HashMap<(&Path, Option<&Passphrase>), usize> = HashMap::new();
    let mut cert_jobs: Vec<&Path> = Vec::new();
    let mut cert_index: HashMap<&Path, usize> = HashMap::new();
    let wanted: Vec<Result<(usize, Option<usize>), Error>> = orgs
        .iter()
        .map(|org| {
            let Some(key) = &org.key else {
                return Err(Error::new("has no `key`")
                    .with_hint("every org needs the private key it signs with"));
            };
            let job = (key.as_path(), org.passphrase.as_ref());
            let k = *key_index.entry(job).or_insert_with(|| {
                key_jobs.push(job);
                key_jobs.len() - 1
            });
            let c = org.cert.as_deref().map(|cert| {
                *cert_index.entry(cert).or_insert_with(|| {
                    cert_jobs.push(cert);
                    cert_jobs.len() - 1
                })
            });
            Ok((k, c))
        })
        .collect();
    let (keys, certs) = inputs::load_material(&key_jobs, &cert_jobs);
    LoadedOrgs {
        keys,
        certs,
        wanted,
    }
}

/// Checks one org: pure work on what was loaded.
fn check_org(
    org: &ResolvedOrg,
    m: &OrgMaterial,
    now: DateTime<Utc>,
    strict: bool,
    clock: Option<ClockReading>,
) -> Result<Report, Error> {
    check_login_url(&org.expectations.login_url)?;
    core::run(&CheckInput {
        key: Some(m.key),
        key_mode: m.key_mode,
        cert: m.cert.or(m.key.certificate.as_ref()),
        assertion: AssertionInput::Build {
            alg: org.alg,
            lifetime: org.lifetime,
        },
        expectations: &org.expectations,
        now,
        strict,
        clock,
        extra: Vec::new(),
    })
}

/// `--clock-check` with `--config`: one request per distinct login URL (or the one
/// `--clock-url`), shared by the orgs that post there; one reading per org.
fn measure_clocks(orgs: &[ResolvedOrg], a: &CheckArgs) -> Result<Vec<Option<ClockReading>>, Error> {
    if !a.clock_check && a.clock_url.is_none() {
        return Ok(vec![None; orgs.len()]);
    }
    let mut by_url: Vec<(String, ClockReading)> = Vec::new();
    orgs.iter()
        .map(|org| {
            let url = clock_url(a.clock_url.as_deref(), &org.expectations.login_url);
            if let Some((_, r)) = by_url.iter().find(|(u, _)| *u == url) {
                return Ok(Some(r.clone()));
            }
            let r = clock::measure(&url)?;
            by_url.push((url, r.clone()));
            Ok(Some(r))
        })
        .collect()
}
