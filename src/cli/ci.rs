//! CI mode: `pairs` over folders and `check --config` over every org, in parallel, with
//! output in input order.

use super::Error;
use super::args::{CheckArgs, Format, PairsArgs, PassphraseArgs};
use super::inputs::{self, load_cert, load_key, read_file};
use crate::check::{self, AssertionInput, CheckInput};
use crate::config::{self, Org};
use crate::defaults::{MAX_CONFIG_BYTES, MAX_SNIFF_BYTES};
use crate::pairs::{self, FileKind, Found, Pair, PairResult};
use crate::parallel;
use crate::report::pairs::PairsReport;
use crate::report::{self, Report, count_phrase};
use crate::rules::Expectations;
use crate::text::display_path;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// Folders never searched: version control and build output.
const SKIPPED_DIRS: [&str; 4] = [".git", "target", "node_modules", ".svn"];

/// How deep `pairs` descends below a folder it was given.
const MAX_DEPTH: usize = 64;

/// What a walk of the folders found: the files, and what it had to leave out.
#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    /// Folders and links that could not be read, with why.
    unreadable: Vec<Found>,
    /// Symbolic links to folders, not followed (without --follow).
    skipped_links: usize,
}

/// Every file under `root`, sorted, skipping hidden and build folders. Links to files are
/// read (Kubernetes mounts secrets that way); links to folders are followed only with
/// `follow`, and then each folder once, so a link cycle ends.
fn walk(root: &Path, follow: bool, out: &mut Walk) {
    let mut visited = std::collections::HashSet::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        if let Some(id) = dir_identity(&dir)
            && !visited.insert(id)
        {
            continue;
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                out.unreadable.push(unreadable(&dir, &e, "folder"));
                continue;
            }
        };
        let mut paths: Vec<(PathBuf, Option<std::fs::FileType>)> = entries
            .filter_map(|e| e.ok())
            .map(|e| (e.path(), e.file_type().ok()))
            .collect();
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        let mut subdirs = Vec::new();
        for (p, kind) in paths {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            let is_link = kind.is_some_and(|k| k.is_symlink());
            // Where a link points (following it); a plain entry is what it is.
            let target = if is_link {
                match std::fs::metadata(&p) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        // A dangling link named like a key is a key that cannot be read.
                        if pairs::has_secret_extension(&p) {
                            out.unreadable.push(unreadable(&p, &e, "link"));
                        }
                        continue;
                    }
                }
            } else {
                None
            };
            let is_dir = target
                .as_ref()
                .map_or(kind.is_some_and(|k| k.is_dir()), |m| m.is_dir());
            let is_file = target
                .as_ref()
                .map_or(kind.is_some_and(|k| k.is_file()), |m| m.is_file());
            if is_dir {
                if SKIPPED_DIRS.contains(&name) {
                    continue;
                }
                if is_link && !follow {
                    out.skipped_links += 1;
                    continue;
                }
                if depth < MAX_DEPTH {
                    subdirs.push((p, depth + 1));
                }
            } else if is_file {
                out.files.push(p);
            }
        }
        // Depth first, in name order.
        stack.extend(subdirs.into_iter().rev());
    }
}

/// A folder's identity on disk (device and inode), so that a folder reached twice through
/// links is walked once.
#[cfg(unix)]
fn dir_identity(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_identity(dir: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(dir).ok()
}

fn unreadable(path: &Path, e: &std::io::Error, what: &str) -> Found {
    let problem = match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            format!("this {what} cannot be read: permission denied")
        }
        std::io::ErrorKind::NotFound => format!("this {what} points to nothing"),
        _ => format!("this {what} cannot be read: {e}"),
    };
    Found {
        path: path.to_path_buf(),
        kind: FileKind::Unreadable,
        problem: Some(problem),
    }
}

/// Recognises every file under the folders.
fn discover(dirs: &[PathBuf], follow: bool) -> Result<(Vec<Found>, usize), Error> {
    let mut w = Walk::default();
    for d in dirs {
        if !d.is_dir() {
            return Err(Error::new(if d.exists() {
                format!(
                    "{}: is not a folder; give key and certificate files with --key and --cert",
                    display_path(d)
                )
            } else {
                format!("{}: does not exist", display_path(d))
            }));
        }
        walk(d, follow, &mut w);
    }
    let mut found: Vec<Found> = parallel::map(&w.files, |p| match std::fs::metadata(p) {
        Ok(m) if m.len() > MAX_SNIFF_BYTES => Found::new(p.clone(), FileKind::Other),
        _ => match read_file(p, MAX_SNIFF_BYTES) {
            Ok(bytes) => Found::new(p.clone(), pairs::sniff(p, &bytes)),
            Err(e) => Found {
                path: p.clone(),
                kind: FileKind::Unreadable,
                problem: Some({
                    let line = e.line();
                    line.strip_prefix(&format!("{}: ", display_path(p)))
                        .unwrap_or(&line)
                        .to_string()
                }),
            },
        },
    })
    .into_iter()
    .filter(|f| f.kind != FileKind::Other)
    .collect();
    found.extend(w.unreadable);
    Ok((found, w.skipped_links))
}

fn evaluate(
    pair: &Pair,
    pass: &PassphraseArgs,
    exp: &Expectations,
    now: DateTime<Utc>,
) -> PairResult {
    let loaded = load_key(&pair.key, pass).and_then(|(k, mode)| {
        let cert = pair.cert.as_deref().map(load_cert).transpose()?;
        Ok((k, mode, cert))
    });
    match loaded {
        Ok((key, mode, cert)) => pairs::evaluate_pair(&key, mode, cert.as_ref(), exp, now),
        Err(e) => pairs::error_pair(&pair.key, pair.cert.as_deref(), e.line()),
    }
}

/// `pairs`.
pub fn pairs(a: &PairsArgs) -> Result<u8, Error> {
    if a.key.len() != a.cert.len() {
        return Err(Error::new(format!(
            "pairs: {} --key and {} --cert given; give them in pairs (--key K --cert C, repeated)",
            a.key.len(),
            a.cert.len()
        )));
    }
    if a.dirs.is_empty() && a.key.is_empty() {
        return Err(Error::new(
            "pairs: give folders to search, or --key K --cert C pairs",
        ));
    }
    let now = inputs::now(a.now.as_deref())?;
    let exp = Expectations {
        cert_warn_days: a.cert_warn_days,
        ..Expectations::default()
    };
    let mut list: Vec<Pair> = a
        .key
        .iter()
        .zip(&a.cert)
        .map(|(k, c)| Pair {
            key: k.clone(),
            cert: Some(c.clone()),
        })
        .collect();
    let (found, skipped_links) = discover(&a.dirs, a.follow)?;
    if skipped_links > 0 && a.format == Format::Human {
        super::print_stderr(&format!(
            "jwt-preflight: note: {skipped_links} link{} to folders not followed (give --follow to follow them)",
            if skipped_links == 1 { "" } else { "s" }
        ));
    }
    let pairing = pairs::pair(&found);
    list.extend(pairing.pairs);
    let results = parallel::map(&list, |p| evaluate(p, &a.passphrase, &exp, now));
    let report = PairsReport {
        pairs: results,
        unpaired: pairing.unpaired,
        strict: a.strict,
    };
    let out = match a.format {
        Format::Human => report::pairs::human(&report),
        Format::Json => report::json::to_pretty(&report::pairs::to_json(&report)),
        Format::Github => report::pairs::github(&report),
    };
    super::emit(&out, a.format)?;
    // A pair whose files cannot be read or parsed, or a file that cannot be read at all, is
    // "could not run" (exit 2), after every other pair has been reported.
    if report
        .pairs
        .iter()
        .any(|p| p.status == pairs::PairStatus::Error)
        || report.unreadable() > 0
    {
        return Ok(2);
    }
    Ok(u8::from(report.failed()))
}

/// Where the flags' values came from: the ones typed on the command line (which override a
/// config file) and the ones read from an environment variable (named in messages).
#[derive(Debug, Default, Clone)]
pub struct Explicit {
    /// Flag ids typed on the command line.
    pub typed: Vec<String>,
    /// Flag ids whose value came from an environment variable, with the variable.
    pub from_env: Vec<(String, String)>,
}

impl Explicit {
    fn has(&self, id: &str) -> bool {
        self.typed.iter().any(|x| x == id)
    }

    /// Appends "(from the environment variable X)" to a message about the flag `id`'s value,
    /// when that value came from the environment: the user may not know it is set.
    pub fn note_env(&self, id: &str, e: Error) -> Error {
        match self.from_env.iter().find(|(i, _)| i == id) {
            Some((_, var)) => Error::new(format!(
                "{} (the path comes from the environment variable {var})",
                e.line()
            )),
            None => e,
        }
    }
}

/// `check --config FILE [--org NAME]`.
pub fn check_config(a: &CheckArgs, explicit: &Explicit) -> Result<u8, Error> {
    let Some(path) = &a.config else {
        return Err(Error::new("--config is required here"));
    };
    if a.assertion.is_some() {
        return Err(Error::new(
            "--config builds one assertion per org; it cannot be combined with --assertion",
        ));
    }
    let text = read_file(path, MAX_CONFIG_BYTES).map_err(|e| explicit.note_env("config", e))?;
    let text = String::from_utf8(text.to_vec())
        .map_err(|_| Error::new(format!("{}: is not UTF-8 text", display_path(path))))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut orgs = config::parse(&display_path(path), &text, &base)
        .map_err(|e| explicit.note_env("config", Error::new(e)))?;
    if let Some(only) = &a.org {
        let names: Vec<String> = orgs.iter().map(|o| o.name.clone()).collect();
        orgs.retain(|o| &o.name == only);
        if orgs.is_empty() {
            return Err(Error::new(format!(
                "{}: no org named \"{}\" (orgs: {})",
                display_path(path),
                crate::text::escape_controls(only),
                names.join(", ")
            )));
        }
    }
    let now = inputs::now(a.claims.now.as_deref())?;
    let clocks = measure_clocks(&orgs, a, explicit)?;
    let results = parallel::map(&orgs, |org| {
        let clock = clocks
            .iter()
            .find(|(o, _)| o == &org.name)
            .map(|(_, r)| r.clone());
        check_org(org, a, explicit, now, clock)
            .map_err(|e| Error::new(format!("org {}: {}", org.name, e.line())))
    });
    // Every org that ran is reported; one that could not run is named, and the exit status
    // is the worst: 2 when any org could not run.
    let outcomes: Vec<(String, Result<Report, Error>)> =
        orgs.iter().map(|o| o.name.clone()).zip(results).collect();
    let errors: Vec<&Error> = outcomes
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    let failed = !errors.is_empty()
        || outcomes
            .iter()
            .any(|(_, r)| r.as_ref().is_ok_and(Report::failed));
    let ok_reports = || {
        outcomes
            .iter()
            .filter_map(|(n, r)| r.as_ref().ok().map(|r| (n, r)))
    };
    let out = match a.format {
        Format::Human => {
            let mut s = String::new();
            for (name, r) in &outcomes {
                s.push_str(&format!("── org {name} ──\n"));
                match r {
                    Ok(r) => s.push_str(&report::human::render(r)),
                    Err(e) => s.push_str(&format!("could not run: {}\n", e.line())),
                }
                s.push('\n');
            }
            let passed = ok_reports().filter(|(_, r)| !r.failed()).count();
            let (e, w, i) = ok_reports().fold((0, 0, 0), |acc, (_, r)| {
                let (e, w, i) = r.counts();
                (acc.0 + e, acc.1 + w, acc.2 + i)
            });
            let not_run = if errors.is_empty() {
                String::new()
            } else {
                format!(", {} could not run", errors.len())
            };
            s.push_str(&format!(
                "{}: {} orgs, {passed} passing{not_run}; {}\n",
                if failed { "FAIL" } else { "PASS" },
                outcomes.len(),
                count_phrase(e, w, i)
            ));
            s
        }
        Format::Json => {
            let orgs: Vec<serde_json::Value> = outcomes
                .iter()
                .map(|(name, r)| match r {
                    Ok(r) => {
                        let mut v = report::json::to_value(r);
                        if let serde_json::Value::Object(m) = &mut v {
                            m.shift_insert(
                                0,
                                "name".into(),
                                serde_json::Value::String(name.clone()),
                            );
                        }
                        v
                    }
                    Err(e) => {
                        serde_json::json!({"name": name, "verdict": "fail", "error": e.line()})
                    }
                })
                .collect();
            report::json::to_pretty(&serde_json::json!({
                "schema": report::SCHEMA,
                "tool": report::json::tool(),
                "command": "check",
                "verdict": if failed { "fail" } else { "pass" },
                "orgs": orgs,
            }))
        }
        Format::Github => {
            let mut s = String::new();
            for (name, r) in &outcomes {
                match r {
                    Ok(r) => {
                        for f in &r.findings {
                            s.push_str(&report::github::annotation_for_org(f, name));
                            s.push('\n');
                        }
                    }
                    Err(e) => s.push_str(&format!(
                        "::error title={}::{}\n",
                        report::github::escape_property(&format!("org {name} could not run")),
                        report::github::escape_data(&e.line())
                    )),
                }
            }
            s.push_str(&format!(
                "jwt-preflight check: {} ({} orgs)\n",
                if failed { "fail" } else { "pass" },
                outcomes.len()
            ));
            s
        }
    };
    super::emit(&out, a.format)?;
    for e in &errors {
        super::print_stderr(&format!("jwt-preflight: {e}"));
    }
    Ok(if errors.is_empty() {
        u8::from(failed)
    } else {
        2
    })
}

/// `--clock-check` with `--config`: one request per distinct login URL (or the one
/// `--clock-url`), shared by the orgs that post there.
fn measure_clocks(
    orgs: &[Org],
    a: &CheckArgs,
    explicit: &Explicit,
) -> Result<Vec<(String, crate::rules::clock::ClockReading)>, Error> {
    if !a.clock_check && a.clock_url.is_none() {
        return Ok(Vec::new());
    }
    let mut by_url: Vec<(String, crate::rules::clock::ClockReading)> = Vec::new();
    let mut out = Vec::new();
    for org in orgs {
        let login = if explicit.has("login_url") {
            a.claims.login_url.clone()
        } else {
            org.fields
                .login_url
                .clone()
                .or_else(|| a.claims.login_url.clone())
        }
        .unwrap_or_else(|| "https://login.salesforce.com".to_string());
        let url = a.clock_url.clone().unwrap_or_else(|| {
            crate::salesforce::SimpleUrl::parse(&login)
                .map(|u| format!("{}/", u.origin()))
                .unwrap_or(login)
        });
        let reading = match by_url.iter().find(|(u, _)| *u == url) {
            Some((_, r)) => r.clone(),
            None => {
                let r = super::clock::measure(&url)?;
                by_url.push((url, r.clone()));
                r
            }
        };
        out.push((org.name.clone(), reading));
    }
    Ok(out)
}

/// Runs `check` for one org: the file's values, overridden by flags given on the command line.
fn check_org(
    org: &Org,
    a: &CheckArgs,
    explicit: &Explicit,
    now: DateTime<Utc>,
    clock: Option<crate::rules::clock::ClockReading>,
) -> Result<Report, Error> {
    let f = &org.fields;
    let pick = |id: &str, flag: &Option<String>, file: &Option<String>| -> Option<String> {
        if explicit.has(id) {
            flag.clone()
        } else {
            file.clone().or_else(|| flag.clone())
        }
    };
    let c = &a.claims;
    // The file's expect_alg was checked when it was read.
    let expect_alg = match (explicit.has("expect_alg"), &f.expect_alg) {
        (false, Some(alg)) => alg.clone(),
        _ => c.expect_alg.as_str().to_string(),
    };
    let login_url = pick("login_url", &c.login_url, &f.login_url);
    let claims = super::args::ClaimArgs {
        client_id: pick("client_id", &c.client_id, &f.client_id),
        username: pick("username", &c.username, &f.username),
        login_url,
        audience: pick("audience", &c.audience, &f.audience),
        expect_alg: c.expect_alg,
        alg: c.alg,
        lifetime: if explicit.has("lifetime") {
            c.lifetime
        } else {
            f.lifetime.unwrap_or(c.lifetime)
        },
        now: None,
    };
    let warn_days = if explicit.has("cert_warn_days") {
        a.cert_warn_days
    } else {
        f.cert_warn_days.unwrap_or(a.cert_warn_days)
    };
    let mut exp = super::commands::expectations(&claims, warn_days)?;
    exp.expect_alg = crate::signature::Alg::from_jws(&expect_alg).unwrap_or_default();
    let key_path = if explicit.has("key") {
        a.key.clone()
    } else {
        org.key.clone().or_else(|| a.key.clone())
    };
    let Some(key_path) = key_path else {
        return Err(Error::new(
            "has no `key`; every org needs the private key it signs with",
        ));
    };
    let cert_path = if explicit.has("cert") {
        a.cert.clone()
    } else {
        org.cert.clone().or_else(|| a.cert.clone())
    };
    let pass = match (
        &f.passphrase_env,
        explicit.has("passphrase_env") || explicit.has("passphrase_file"),
    ) {
        (Some(var), false) => PassphraseArgs {
            passphrase_env: Some(var.clone()),
            passphrase_file: None,
        },
        _ => a.passphrase.clone(),
    };
    let (key, key_mode) = load_key(&key_path, &pass)?;
    let cert = cert_path.as_deref().map(load_cert).transpose()?;
    let cert_ref = cert.as_ref().or(key.certificate.as_ref());
    let alg = c.alg.map(|x| x.alg()).unwrap_or(exp.expect_alg);
    Ok(check::run(&CheckInput {
        key: Some(&key),
        key_mode,
        cert: cert_ref,
        assertion: AssertionInput::Build {
            alg,
            lifetime: claims.lifetime,
        },
        expectations: &exp,
        now,
        strict: a.strict,
        clock,
    })?)
}
