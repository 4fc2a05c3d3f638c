//! The invariants of ARCHITECTURE.md, checked on the source itself. Each reads every file of
//! `src/` up to its test module (tests may do anything), skipping comment lines.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its code before `#[cfg(test)]` and without comments.
fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read");
                let code: Vec<&str> = text
                    .lines()
                    .take_while(|l| l.trim() != "#[cfg(test)]")
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.push((p, code.join("\n")));
            }
        }
    }
    out.sort();
    assert!(out.len() > 30, "too few sources found: {}", out.len());
    out
}

fn relative(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(p)
        .display()
        .to_string()
}

/// Lines of `code` that contain any of `needles`, as "file:line: text".
fn offenders(files: &[(PathBuf, String)], needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (p, code) in files {
        for (n, line) in code.lines().enumerate() {
            if needles.iter().any(|x| line.contains(x)) {
                found.push(format!("{}:{}: {}", relative(p), n + 1, line.trim()));
            }
        }
    }
    found
}

/// Invariant 1: the core is a function of its inputs. Below the command layer (`src/cli/`)
/// nothing reads the clock, the environment, a file, stdin, or writes to a stream.
#[test]
fn nothing_below_the_command_layer_reads_the_clock_the_environment_or_files() {
    let core: Vec<(PathBuf, String)> = sources()
        .into_iter()
        .filter(|(p, _)| {
            let r = relative(p);
            !r.starts_with("src/cli/") && r != "src/main.rs"
        })
        .collect();
    let found = offenders(
        &core,
        &[
            "Utc::now",
            "SystemTime::now",
            "Instant::now",
            "Local::now",
            "from_now",
            "std::env::",
            "env::var",
            "std::fs::",
            "File::open",
            "::stdin(",
            "::stdout(",
            "::stderr(",
            "print!(",
            "println!(",
            "eprint",
            "read_line",
        ],
    );
    assert!(found.is_empty(), "the core does I/O:\n{}", found.join("\n"));
}

/// Invariant 2: the catalog is the only place a rule code is spelled; everywhere else names a
/// rule with the typed `Code`, so an unknown code cannot compile.
#[test]
fn rule_codes_are_spelled_only_in_the_catalog() {
    let mut found = Vec::new();
    for (p, code) in sources() {
        if relative(&p) == "src/catalog.rs" {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            // A string literal holding PF and three digits.
            let mut in_string = false;
            let mut literal = String::new();
            for c in line.chars() {
                if c == '"' {
                    if in_string && has_code(&literal) {
                        found.push(format!("{}:{}: {}", relative(&p), n + 1, line.trim()));
                    }
                    in_string = !in_string;
                    literal.clear();
                } else if in_string {
                    literal.push(c);
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "codes spelled outside the catalog:\n{}",
        found.join("\n")
    );
}

fn has_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(5)
        .any(|w| w[0] == b'P' && w[1] == b'F' && w[2..].iter().all(u8::is_ascii_digit))
}

/// Invariant 3: one output layer. Only `src/report/` formats documents (styles, JSON text)
/// and only `src/cli/output.rs` writes to a stream.
#[test]
fn only_the_output_layer_renders_and_writes() {
    let outside: Vec<(PathBuf, String)> = sources()
        .into_iter()
        .filter(|(p, _)| {
            let r = relative(p);
            !r.starts_with("src/report/") && r != "src/cli/output.rs"
        })
        .collect();
    let found = offenders(
        &outside,
        &[
            "anstyle::",
            "anstream::",
            "to_string_pretty",
            "print!(",
            "println!(",
            "eprint",
            "::stdout(",
            "::stderr(",
            ".print()",
        ],
    );
    assert!(
        found.is_empty(),
        "rendering or writing outside the output layer:\n{}",
        found.join("\n")
    );
}

/// Nothing leaves the machine but `--clock-check`'s HEAD request: no code outside
/// `src/cli/clock.rs` opens an outbound connection. `serve` only listens; it has no HTTP
/// client and no socket that connects, so it cannot forward anything.
#[test]
fn only_the_clock_check_connects_out() {
    let elsewhere: Vec<(PathBuf, String)> = sources()
        .into_iter()
        .filter(|(p, _)| relative(p) != "src/cli/clock.rs")
        .collect();
    let found = offenders(
        &elsewhere,
        &[
            "TcpStream::connect",
            "UdpSocket",
            "ureq::",
            "hyper::client",
            "client::conn",
            "to_socket_addrs",
            "lookup_host",
        ],
    );
    assert!(
        found.is_empty(),
        "outbound connections:\n{}",
        found.join("\n")
    );
}
