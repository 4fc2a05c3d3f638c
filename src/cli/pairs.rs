//! `pairs`: key/certificate pairs given with `--key`/`--cert` or found under folders.
//! Walking the folders and reading the files is here; recognising and pairing them is
//! `crate::pairs`.

use super::args::PairsArgs;
use super::inputs::{self, passphrase_spec, read_file};
use super::{Error, Outcome};
use crate::defaults::MAX_SNIFF_BYTES;
use crate::pairs::{self, FileKind, Found, Pair};
use crate::parallel;
use crate::report::{Document, PairsReport};
use crate::rules::Expectations;
use crate::text::display_path;
use std::path::{Path, PathBuf};

/// Checks every pair.
pub fn run(a: &PairsArgs) -> Result<Outcome, Error> {
    if a.key.len() != a.cert.len() {
        return Err(Error::new(format!(
            "pairs: {} --key and {} --cert given",
            a.key.len(),
            a.cert.len()
        ))
        .with_hint("give them in pairs: --key K --cert C, repeated"));
    }
    if a.dirs.is_empty() && a.key.is_empty() {
        return Err(Error::new("pairs: nothing to check")
            .with_hint("give folders to search, or --key K --cert C pairs"));
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
    let pairing = pairs::pair(&found);
    list.extend(pairing.pairs);
    // Every file is read and parsed, and every passphrase asked for in order, before the
    // pairs are evaluated.
    let spec = passphrase_spec(&a.passphrase);
    let key_jobs: Vec<(&Path, Option<&crate::config::Passphrase>)> = list
        .iter()
        .map(|p| (p.key.as_path(), spec.as_ref()))
        .collect();
    let cert_jobs: Vec<&Path> = list.iter().filter_map(|p| p.cert.as_deref()).collect();
    let (keys, certs) = inputs::load_material(&key_jobs, &cert_jobs);
    let mut certs = certs.into_iter();
    let loaded: Vec<Result<_, Error>> = list
        .iter()
        .zip(keys)
        .map(|(p, key)| {
            // Taken whatever happened to the key, so the certificates stay in step.
            let cert = p.cert.as_ref().and_then(|_| certs.next()).transpose();
            let (key, mode) = key?;
            Ok((key, mode, cert?))
        })
        .collect();
    let indices: Vec<usize> = (0..list.len()).collect();
    let results = parallel::map(&indices, |&i| {
        let pair = &list[i];
        match &loaded[i] {
            Ok((key, mode, cert)) => pairs::evaluate_pair(key, *mode, cert.as_ref(), &exp, now),
            Err(e) => pairs::error_pair(&pair.key, pair.cert.as_deref(), e.line()),
        }
    });
    Ok(Document::Pairs(PairsReport {
        pairs: results,
        unpaired: pairing.unpaired,
        strict: a.strict,
        skipped_links,
    })
    .into())
}

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
