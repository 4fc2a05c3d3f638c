//! `check --target-org` and `check --all-sf-orgs`: the orgs the Salesforce CLI authorised,
//! read from its state folder (`~/.sfdx`; the layout is in `crate::sfdx`), checked as
//! `check --config` checks a config file's orgs. Nothing encrypted is decrypted or printed.

use super::args::CheckArgs;
use super::inputs::read_file;
use super::{Error, Outcome, Provenance};
use crate::config::{Org, OrgFields};
use crate::defaults::MAX_CONFIG_BYTES;
use crate::sfdx::{self, SfOrg};
use crate::text::{display_path, escape_controls};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which of the CLI's orgs to check.
pub enum Selection {
    /// One, by alias or username.
    One(String),
    /// Every JWT org.
    All,
}

/// The selection the flags (or SF_TARGET_ORG) ask for. SF_TARGET_ORG, which sf users often
/// have set, counts only when nothing else says what to check.
pub fn selection(a: &CheckArgs) -> Option<Selection> {
    if a.all_sf_orgs {
        return Some(Selection::All);
    }
    if let Some(t) = &a.target_org {
        return Some(Selection::One(t.clone()));
    }
    if a.key.is_none() && a.assertion.is_none() {
        return std::env::var("SF_TARGET_ORG")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(Selection::One);
    }
    None
}

/// The CLI's state folder: `~/.sfdx`.
fn state_folder() -> Result<PathBuf, Error> {
    std::env::home_dir()
        .map(|h| h.join(".sfdx"))
        .ok_or_else(|| Error::new("cannot find the home folder, where the sf CLI keeps ~/.sfdx"))
}

/// Runs the check of the selected orgs.
pub fn run(a: &CheckArgs, provenance: &Provenance, selection: Selection) -> Result<Outcome, Error> {
    let state = state_folder()?;
    if !state.is_dir() {
        return Err(Error::new(format!(
            "{}: no such folder; the sf CLI has authorised no org on this machine (as this user)",
            display_path(&state)
        ))
        .with_hint(
            "log in once with sf org login jwt, or check with --key and --client-id instead",
        ));
    }
    let aliases = read_aliases(&state)?;
    let (found, skipped) = match selection {
        Selection::One(name) => {
            let username = aliases.get(&name).cloned().unwrap_or_else(|| name.clone());
            let org = read_org(&state, &username).map_err(|e| {
                if aliases.contains_key(&name) || name.contains('@') {
                    e
                } else {
                    let known: Vec<&str> = aliases.keys().map(String::as_str).collect();
                    Error::new(format!(
                        "--target-org: '{}' is neither an alias of the sf CLI nor a username it authorised",
                        escape_controls(&name)
                    ))
                    .with_hint(if known.is_empty() {
                        "sf org list shows the orgs the CLI knows".to_string()
                    } else {
                        format!("aliases: {}", known.join(", "))
                    })
                }
            })?;
            if let Some(why) = org.skip_reason() {
                return Err(Error::new(format!(
                    "--target-org {}: {why}",
                    escape_controls(&name)
                )));
            }
            (vec![org], Vec::new())
        }
        Selection::All => all_orgs(&state)?,
    };
    let by_user: BTreeMap<&str, &str> = aliases
        .iter()
        .map(|(alias, user)| (user.as_str(), alias.as_str()))
        .collect();
    let label = |o: &SfOrg| match by_user.get(o.username.as_str()) {
        Some(alias) => format!("{alias} ({})", o.username),
        None => o.username.clone(),
    };
    let skipped = skipped
        .into_iter()
        .map(|(o, why)| (escape_controls(&label(&o)), why))
        .collect();
    // The CLI's first (host, aud) pair is the stored login URL as both, unless
    // SF_AUDIENCE_URL (which --audience also reads) says otherwise.
    let audience_given = a.claims.audience.is_some();
    let orgs: Vec<Org> = found
        .iter()
        .map(|o| Org {
            name: escape_controls(&label(o)),
            fields: OrgFields {
                client_id: o.client_id.clone(),
                username: Some(o.username.clone()),
                login_url: o.login_url.clone(),
                audience: o.login_url.clone().filter(|_| !audience_given),
                ..OrgFields::default()
            },
            key: o.private_key.clone(),
            cert: None,
        })
        .collect();
    super::check::check_orgs(a, provenance, &orgs, skipped)
}

fn read_aliases(state: &Path) -> Result<BTreeMap<String, String>, Error> {
    let path = state.join("alias.json");
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let bytes = read_file(&path, MAX_CONFIG_BYTES)?;
    sfdx::parse_aliases(&display_path(&path), &String::from_utf8_lossy(&bytes))
}

fn read_org(state: &Path, username: &str) -> Result<SfOrg, Error> {
    let path = state.join(format!("{username}.json"));
    if username.contains(['/', '\\']) || !path.exists() {
        return Err(Error::new(format!(
            "the sf CLI has no org {} (no {})",
            escape_controls(username),
            display_path(&path)
        ))
        .with_hint("sf org list shows the orgs the CLI knows"));
    }
    let bytes = read_file(&path, MAX_CONFIG_BYTES)?;
    sfdx::parse_auth_file(
        &display_path(&path),
        username,
        &String::from_utf8_lossy(&bytes),
    )
}

/// The CLI's orgs: those to check, and those skipped with why.
type Found = (Vec<SfOrg>, Vec<(SfOrg, String)>);

/// Every auth file of the state folder: the JWT orgs, and the others with why they are
/// skipped.
fn all_orgs(state: &Path) -> Result<Found, Error> {
    let mut names: Vec<String> = std::fs::read_dir(state)
        .map_err(|e| Error::new(format!("{}: cannot be read: {e}", display_path(state))))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| sfdx::is_auth_file_name(n))
        .collect();
    names.sort();
    let mut jwt = Vec::new();
    let mut skipped = Vec::new();
    for name in names {
        let username = name.trim_end_matches(".json");
        let org = read_org(state, username)?;
        match org.skip_reason() {
            None => jwt.push(org),
            Some(why) => skipped.push((org, why)),
        }
    }
    if jwt.is_empty() && skipped.is_empty() {
        return Err(Error::new(format!(
            "{}: the sf CLI has authorised no org here",
            display_path(state)
        ))
        .with_hint("log in once with sf org login jwt"));
    }
    Ok((jwt, skipped))
}
