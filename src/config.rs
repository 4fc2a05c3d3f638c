//! The CI config file (SPEC §5): every org a repository logs into with the JWT bearer flow.
//! Parsing is strict: an unknown key is an error naming the key and its line, so a typo cannot
//! silently skip a check.

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
pub fn parse(name: &str, text: &str, base: &Path) -> Result<Vec<Org>, String> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| describe_toml_error(name, text, &e))?;
    let defaults = file.defaults.unwrap_or_default();
    if defaults.name.is_some() {
        return Err(format!("{name}: [defaults] cannot set `name`"));
    }
    if file.org.is_empty() {
        return Err(format!("{name}: no [[org]] tables; nothing to check"));
    }
    let mut orgs: Vec<Org> = Vec::new();
    for (i, o) in file.org.into_iter().enumerate() {
        let Some(org_name) = o.name.clone() else {
            return Err(format!(
                "{name}: the [[org]] number {} has no `name`",
                i + 1
            ));
        };
        if orgs.iter().any(|x| x.name == org_name) {
            return Err(format!("{name}: two orgs are named \"{org_name}\""));
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
fn validate(file: &str, org: &str, f: &OrgFields) -> Result<(), String> {
    let org = crate::text::escape_controls(org);
    let max = crate::defaults::MAX_LIFETIME_ARG_SECS;
    if let Some(l) = f.lifetime
        && !(-max..=max).contains(&l)
    {
        return Err(format!(
            "{file}: org \"{org}\": lifetime = {l} is outside -{max}..={max} seconds (a year either way), the same bounds as --lifetime"
        ));
    }
    if let Some(alg) = &f.expect_alg
        && crate::signature::Hash::for_jws_alg(alg).is_none()
    {
        return Err(format!(
            "{file}: org \"{org}\": expect_alg = \"{}\" is not RS256, RS384 or RS512",
            crate::text::escape_controls(alg)
        ));
    }
    if let Some(d) = f.cert_warn_days
        && !(0..=36_500).contains(&d)
    {
        return Err(format!(
            "{file}: org \"{org}\": cert_warn_days = {d} is outside 0..=36500"
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
            return Err(format!(
                "{file}: org \"{org}\": {field} holds {} (not shown); the config file names keys and certificates by path and never holds them",
                kind.describe()
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
fn describe_toml_error(name: &str, text: &str, e: &toml::de::Error) -> String {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = e.message().trim().replace('\n', " ");
    match line {
        Some(l) => format!("{name}: line {l}: {msg}"),
        None => format!("{name}: {msg}"),
    }
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
            err.starts_with("c.toml: line 16: unknown field `usernme`"),
            "{err}"
        );
    }

    #[test]
    fn orgs_need_names() {
        let err = parse("c.toml", "[[org]]\nkey = \"k\"\n", Path::new(".")).unwrap_err();
        assert!(err.contains("has no `name`"), "{err}");
    }
}
