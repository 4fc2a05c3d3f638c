//! The CI config file (SPEC §5): every org a repository logs into with the JWT bearer flow.
//! Parsing is strict: an unknown key is an error naming the key and its line, so a typo cannot
//! silently skip a check. [`resolve`] then settles, for each org, every value `check` needs:
//! a flag typed on the command line wins over the file, and the file wins over the
//! environment and the defaults, so that one `SF_USERNAME` cannot clobber every org.

use crate::defaults;
use crate::error::Error;
use crate::rules::Expectations;
use crate::signature::Alg;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The fields an org (or `[defaults]`) may set.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OrgFields {
    /// The org's name (required in `[[org]]`).
    pub name: Option<String>,
    /// Consumer key (iss).
    pub client_id: Option<String>,
    /// Username (sub).
    pub username: Option<String>,
    /// Where the token request goes.
    pub login_url: Option<String>,
    /// The aud to use and expect.
    pub audience: Option<String>,
    /// Private key path, relative to the config file's folder.
    pub key: Option<String>,
    /// Certificate path, relative to the config file's folder.
    pub cert: Option<String>,
    /// Environment variable holding the key's passphrase.
    pub passphrase_env: Option<String>,
    /// Extension: the algorithm the app expects (RS256 by default).
    pub expect_alg: Option<String>,
    /// Extension: assertion lifetime in seconds when building.
    pub lifetime: Option<i64>,
    /// Extension: PF513 threshold.
    pub cert_warn_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    defaults: Option<OrgFields>,
    #[serde(default)]
    org: Vec<OrgFields>,
}

/// One org, with defaults applied and paths resolved against the config file's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// Its name.
    pub name: String,
    /// Everything else; `key` and `cert` are resolved paths.
    pub fields: OrgFields,
    /// The resolved key path.
    pub key: Option<PathBuf>,
    /// The resolved certificate path.
    pub cert: Option<PathBuf>,
}

/// Parses a config file's text. `name` is the file's name for messages, `base` its folder.
pub fn parse(name: &str, text: &str, base: &Path) -> Result<Vec<Org>, Error> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| describe_toml_error(name, text, &e))?;
    let defaults = file.defaults.unwrap_or_default();
    if defaults.name.is_some() {
        return Err(Error::about(name, "[defaults] cannot set `name`"));
    }
    if file.org.is_empty() {
        return Err(
            Error::about(name, "no [[org]] tables; nothing to check").with_hint(
                "list each org as an [[org]] table with name, client_id, username and key",
            ),
        );
    }
    let mut orgs: Vec<Org> = Vec::new();
    for (i, o) in file.org.into_iter().enumerate() {
        let Some(org_name) = o.name.clone() else {
            return Err(Error::about(
                name,
                format!("the [[org]] number {} has no `name`", i + 1),
            ));
        };
        if orgs.iter().any(|x| x.name == org_name) {
            return Err(Error::about(
                name,
                format!(
                    "two orgs are named \"{}\"",
                    crate::text::escape_controls(&org_name)
                ),
            ));
        }
        let merged = merge(&o, &defaults);
        validate(name, &org_name, &merged)?;
        // The name is the file author's text and reaches every output: controls escaped.
        let org_name = crate::text::escape_controls(&org_name);
        let resolve = |p: &Option<String>| p.as_ref().map(|p| base.join(p));
        orgs.push(Org {
            name: org_name,
            key: resolve(&merged.key),
            cert: resolve(&merged.cert),
            fields: merged,
        });
    }
    Ok(orgs)
}

/// The same bounds as the flags: a lifetime within a year either way, a known algorithm, a
/// non-negative PF513 threshold, and no key material in a field that names something else.
fn validate(file: &str, org: &str, f: &OrgFields) -> Result<(), Error> {
    let org = crate::text::escape_controls(org);
    let max = crate::defaults::MAX_LIFETIME_ARG_SECS;
    if let Some(l) = f.lifetime
        && !(-max..=max).contains(&l)
    {
        return Err(Error::about(
            file,
            format!(
                "org \"{org}\": lifetime = {l} is outside -{max}..={max} seconds (a year either way), the same bounds as --lifetime"
            ),
        ));
    }
    if let Some(alg) = &f.expect_alg
        && Alg::from_jws(alg).is_none()
    {
        return Err(Error::about(
            file,
            format!(
                "org \"{org}\": expect_alg = \"{}\" is not RS256, RS384 or RS512",
                crate::text::escape_controls(alg)
            ),
        ));
    }
    if let Some(d) = f.cert_warn_days
        && !(0..=36_500).contains(&d)
    {
        return Err(Error::about(
            file,
            format!("org \"{org}\": cert_warn_days = {d} is outside 0..=36500"),
        ));
    }
    for (field, value) in [
        ("client_id", &f.client_id),
        ("username", &f.username),
        ("login_url", &f.login_url),
        ("audience", &f.audience),
        ("key", &f.key),
        ("cert", &f.cert),
        ("passphrase_env", &f.passphrase_env),
    ] {
        if let Some(kind) = value.as_deref().and_then(crate::text::secret_kind) {
            return Err(Error::about(
                file,
                format!(
                    "org \"{org}\": {field} holds {} (not shown)",
                    kind.describe()
                ),
            )
            .with_hint(
                "the config file names keys and certificates by path and never holds them",
            ));
        }
    }
    Ok(())
}

/// The org's own value, else the default's.
fn merge(o: &OrgFields, d: &OrgFields) -> OrgFields {
    fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
        a.clone().or_else(|| b.clone())
    }
    OrgFields {
        name: o.name.clone(),
        client_id: pick(&o.client_id, &d.client_id),
        username: pick(&o.username, &d.username),
        login_url: pick(&o.login_url, &d.login_url),
        audience: pick(&o.audience, &d.audience),
        key: pick(&o.key, &d.key),
        cert: pick(&o.cert, &d.cert),
        passphrase_env: pick(&o.passphrase_env, &d.passphrase_env),
        expect_alg: pick(&o.expect_alg, &d.expect_alg),
        lifetime: pick(&o.lifetime, &d.lifetime),
        cert_warn_days: pick(&o.cert_warn_days, &d.cert_warn_days),
    }
}

/// One line: the file, the line, and what is wrong (toml's own message spans several lines).
fn describe_toml_error(name: &str, text: &str, e: &toml::de::Error) -> Error {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = crate::text::escape_controls(&e.message().trim().replace('\n', " "));
    match line {
        Some(l) => Error::about(name, format!("line {l}: {msg}")),
        None => Error::about(name, msg),
    }
}

/// Where a key's passphrase comes from, when not from a prompt on the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Passphrase {
    /// This environment variable.
    Env(String),
    /// The first line of this file.
    File(PathBuf),
}

/// Values for every org, from outside the file: what was typed on the command line (which
/// wins over the file) or what the environment and the defaults give (which the file wins
/// over).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// `--client-id`.
    pub client_id: Option<String>,
    /// `--username`.
    pub username: Option<String>,
    /// `--login-url`.
    pub login_url: Option<String>,
    /// `--audience`.
    pub audience: Option<String>,
    /// `--expect-alg`.
    pub expect_alg: Option<Alg>,
    /// `--alg`.
    pub alg: Option<Alg>,
    /// `--lifetime`.
    pub lifetime: Option<i64>,
    /// `--cert-warn-days`.
    pub cert_warn_days: Option<i64>,
    /// `--key`.
    pub key: Option<PathBuf>,
    /// `--cert`.
    pub cert: Option<PathBuf>,
    /// `--passphrase-env` / `--passphrase-file`.
    pub passphrase: Option<Passphrase>,
}

/// One org with every value settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedOrg {
    /// Its name.
    pub name: String,
    /// What its assertion is expected to carry.
    pub expectations: Expectations,
    /// The algorithm to sign with.
    pub alg: Alg,
    /// exp = now + this.
    pub lifetime: i64,
    /// The private key it signs with.
    pub key: Option<PathBuf>,
    /// The certificate on its connected app.
    pub cert: Option<PathBuf>,
    /// Where the key's passphrase comes from (a prompt when `None`).
    pub passphrase: Option<Passphrase>,
}

/// Settles every org's values: `typed` wins over the file, which wins over `fallback`, which
/// wins over the built-in defaults.
pub fn resolve(orgs: &[Org], typed: &Layer, fallback: &Layer) -> Vec<ResolvedOrg> {
    orgs.iter()
        .map(|org| {
            let f = &org.fields;
            let text = |t: &Option<String>, file: &Option<String>, fb: &Option<String>| {
                t.clone().or_else(|| file.clone()).or_else(|| fb.clone())
            };
            let file_alg = f.expect_alg.as_deref().and_then(Alg::from_jws);
            let expect_alg = typed
                .expect_alg
                .or(file_alg)
                .or(fallback.expect_alg)
                .unwrap_or_default();
            let file_pass = f.passphrase_env.clone().map(Passphrase::Env);
            ResolvedOrg {
                name: org.name.clone(),
                expectations: Expectations {
                    client_id: text(&typed.client_id, &f.client_id, &fallback.client_id),
                    username: text(&typed.username, &f.username, &fallback.username),
                    login_url: text(&typed.login_url, &f.login_url, &fallback.login_url)
                        .unwrap_or_else(|| defaults::LOGIN_URL.to_string()),
                    audience: text(&typed.audience, &f.audience, &fallback.audience),
                    expect_alg,
                    cert_warn_days: typed
                        .cert_warn_days
                        .or(f.cert_warn_days)
                        .or(fallback.cert_warn_days)
                        .unwrap_or(defaults::CERT_WARN_DAYS),
                },
                alg: typed.alg.or(fallback.alg).unwrap_or(expect_alg),
                lifetime: typed
                    .lifetime
                    .or(f.lifetime)
                    .or(fallback.lifetime)
                    .unwrap_or(defaults::LIFETIME_SECS),
                key: typed
                    .key
                    .clone()
                    .or_else(|| org.key.clone())
                    .or_else(|| fallback.key.clone()),
                cert: typed
                    .cert
                    .clone()
                    .or_else(|| org.cert.clone())
                    .or_else(|| fallback.cert.clone()),
                passphrase: typed
                    .passphrase
                    .clone()
                    .or(file_pass)
                    .or_else(|| fallback.passphrase.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[defaults]
login_url = "https://login.salesforce.com"
client_id = "3MVG9default"

[[org]]
name = "prod"
username = "ci@acme.com"
login_url = "https://acme.my.salesforce.com"
key = "secrets/prod/server.key"
cert = "secrets/prod/server.crt"

[[org]]
name = "uat"
client_id = "3MVG9uat"
username = "ci@acme.com.uat"
key = "secrets/uat/server.key"
"#;

    #[test]
    fn defaults_apply_and_paths_resolve() {
        let orgs = parse("c.toml", GOOD, Path::new("/repo")).unwrap_or_default();
        assert_eq!(orgs.len(), 2);
        assert_eq!(orgs[0].fields.client_id.as_deref(), Some("3MVG9default"));
        assert_eq!(
            orgs[0].fields.login_url.as_deref(),
            Some("https://acme.my.salesforce.com")
        );
        assert_eq!(orgs[1].fields.client_id.as_deref(), Some("3MVG9uat"));
        assert_eq!(
            orgs[1].fields.login_url.as_deref(),
            Some("https://login.salesforce.com")
        );
        assert_eq!(
            orgs[0].key,
            Some(PathBuf::from("/repo/secrets/prod/server.key"))
        );
        assert_eq!(orgs[1].cert, None);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = GOOD.replace(
            "username = \"ci@acme.com.uat\"",
            "usernme = \"ci@acme.com.uat\"",
        );
        let err = parse("c.toml", &text, Path::new(".")).unwrap_err();
        assert!(
            err.message()
                .starts_with("c.toml: line 16: unknown field `usernme`"),
            "{err}"
        );
    }

    #[test]
    fn orgs_need_names() {
        let err = parse("c.toml", "[[org]]\nkey = \"k\"\n", Path::new(".")).unwrap_err();
        assert!(err.message().contains("has no `name`"), "{err}");
    }

    #[test]
    fn typed_flags_win_over_the_file_which_wins_over_the_environment() {
        let orgs = parse("c.toml", GOOD, Path::new("/repo")).unwrap_or_default();
        let env = Layer {
            username: Some("env@acme.com".into()),
            login_url: Some("https://test.salesforce.com".into()),
            lifetime: Some(60),
            ..Layer::default()
        };
        let none = Layer::default();
        let r = resolve(&orgs, &none, &env);
        // The file's values win over the environment's...
        assert_eq!(r[0].expectations.username.as_deref(), Some("ci@acme.com"));
        assert_eq!(r[1].expectations.login_url, "https://login.salesforce.com");
        // ...which fill in what the file leaves out.
        assert_eq!(r[0].lifetime, 60);
        // A typed flag wins over both.
        let typed = Layer {
            username: Some("typed@acme.com".into()),
            key: Some(PathBuf::from("/typed.key")),
            ..Layer::default()
        };
        let r = resolve(&orgs, &typed, &env);
        assert!(
            r.iter()
                .all(|o| o.expectations.username.as_deref() == Some("typed@acme.com"))
        );
        assert!(
            r.iter()
                .all(|o| o.key.as_deref() == Some(Path::new("/typed.key")))
        );
        // And the defaults come last.
        let r = resolve(&orgs, &none, &none);
        assert_eq!(r[0].lifetime, crate::defaults::LIFETIME_SECS);
        assert_eq!(
            r[0].expectations.cert_warn_days,
            crate::defaults::CERT_WARN_DAYS
        );
        assert_eq!(r[1].cert, None);
    }
}
