//! One function per command: gather inputs, call the core, print, return the exit status.

use super::args::{
    CheckArgs, ClaimArgs, Command, CompletionsArgs, ExplainArgs, Format, InspectArgs, RulesArgs,
    SignArgs,
};
use super::inputs::{self, load_cert, load_key};
use super::{Error, print_stderr, print_stdout};
use crate::catalog::{self, RULES};
use crate::check::{self, AssertionInput, CheckInput};
use crate::report::{self, AssertionSource, Report};
use crate::rules::Expectations;
use crate::salesforce::{self, HostKind, SimpleUrl};
use crate::text::display_path;
use crate::{inspect, timefmt};
use clap::CommandFactory;

/// Runs one command.
pub fn run(command: Command, explicit: &super::ci::Explicit) -> Result<u8, Error> {
    match command {
        Command::Check(a) if a.config.is_some() => super::ci::check_config(&a, explicit),
        Command::Check(a) => check(&a, explicit),
        Command::Inspect(a) => inspect_cmd(&a),
        Command::Sign(a) => sign(&a),
        Command::Rules(a) => rules(&a),
        Command::Explain(a) => explain(&a),
        Command::Completions(a) => completions(&a),
        Command::Pairs(a) => super::ci::pairs(&a),
        Command::Keygen(a) => keygen(&a),
    }
}

/// Expectations from the claim flags, with the login URL validated.
pub(super) fn expectations(c: &ClaimArgs, cert_warn_days: i64) -> Result<Expectations, Error> {
    let login_url = c
        .login_url
        .clone()
        .unwrap_or_else(|| "https://login.salesforce.com".to_string());
    let Some(url) = SimpleUrl::parse(&login_url) else {
        return Err(Error::new(format!(
            "--login-url: '{login_url}' is not a URL; use e.g. https://login.salesforce.com or https://acme.my.salesforce.com"
        )));
    };
    if url.scheme != "https" && url.scheme != "http" {
        return Err(Error::new(format!(
            "--login-url: '{login_url}' is not an http(s) URL"
        )));
    }
    if url.scheme == "http" {
        print_stderr(&format!(
            "jwt-preflight: warning: --login-url '{login_url}' is http://; every Salesforce OAuth endpoint requires https"
        ));
    }
    if salesforce::classify_host(&url.host) == HostKind::Lightning {
        return Err(Error::new(format!(
            "--login-url: '{login_url}' is a Lightning domain, which serves no logins; use the My Domain URL (https://{})",
            url.host
                .replace(".lightning.force.com", ".my.salesforce.com")
        )));
    }
    Ok(Expectations {
        client_id: c.client_id.clone(),
        username: c.username.clone(),
        login_url,
        audience: c.audience.clone(),
        expect_alg: c.expect_alg.alg(),
        cert_warn_days,
    })
}

fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Human => report::human::render(report),
        Format::Json => report::json::render(report),
        Format::Github => report::github::render(report),
    }
}

fn check(a: &CheckArgs, explicit: &super::ci::Explicit) -> Result<u8, Error> {
    let exp = expectations(&a.claims, a.cert_warn_days)?;
    let now = inputs::now(a.claims.now.as_deref())?;
    let key = match &a.key {
        Some(p) => Some(load_key(p, &a.passphrase).map_err(|e| explicit.note_env("key", e))?),
        None => None,
    };
    let cert = match &a.cert {
        Some(p) => Some(load_cert(p).map_err(|e| explicit.note_env("cert", e))?),
        None => None,
    };
    let (key_info, key_mode) = match &key {
        Some((k, m)) => (Some(k), *m),
        None => (None, None),
    };
    // A PKCS#12 key brings its certificate; an explicit --cert wins.
    let cert_ref = cert
        .as_ref()
        .or(key_info.and_then(|k| k.certificate.as_ref()));
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
        let url = a.clock_url.clone().unwrap_or_else(|| {
            SimpleUrl::parse(&exp.login_url)
                .map(|u| format!("{}/", u.origin()))
                .unwrap_or_else(|| exp.login_url.clone())
        });
        Some(super::clock::measure(&url)?)
    } else {
        None
    };
    let report = check::run(&CheckInput {
        key: key_info,
        key_mode,
        cert: cert_ref,
        assertion,
        expectations: &exp,
        now,
        strict: a.strict,
        clock,
    })?;
    if a.format == Format::Human {
        for (name, notes) in key_info
            .map(|k| (&k.name, &k.notes))
            .into_iter()
            .chain(cert_ref.map(|c| (&c.name, &c.notes)))
        {
            for n in notes {
                print_stderr(&format!("jwt-preflight: warning: {name}: {n}"));
            }
        }
    }
    super::emit(&render(&report, a.format), a.format)?;
    Ok(report.exit_status())
}

fn inspect_cmd(a: &InspectArgs) -> Result<u8, Error> {
    let now = inputs::now(a.now.as_deref())?;
    let (text, stdin) = inputs::read_assertion(&a.input)?;
    let source = if stdin {
        AssertionSource::Stdin
    } else {
        AssertionSource::File
    };
    let name = if stdin { "stdin" } else { a.input.as_str() };
    let result = inspect::inspect(&text, source, now);
    let out = match a.format {
        Format::Human => inspect::render_human(&result, name),
        Format::Json => report::json::to_pretty(&inspect::to_json(&result)),
        Format::Github => report::github::render(&result.report),
    };
    super::emit(&out, a.format)?;
    Ok(result.report.exit_status())
}

fn sign(a: &SignArgs) -> Result<u8, Error> {
    let exp = expectations(&a.claims, 30)?;
    let now = inputs::now(a.claims.now.as_deref())?;
    let (key, _) = load_key(&a.key, &a.passphrase)?;
    let alg = a.claims.alg.unwrap_or(a.claims.expect_alg).alg();
    let Some(token) = check::build_assertion(&key, &exp, alg, a.claims.lifetime, now)? else {
        return Err(Error::new(format!(
            "{}: this key cannot sign an RS256 assertion ({}); run `jwt-preflight check --key {}` for details",
            key.name,
            key.algorithm(),
            key.name
        )));
    };
    let exp_at = timefmt::unix_rfc3339(now.timestamp().saturating_add(a.claims.lifetime));
    print_stderr(&format!(
        "jwt-preflight: this assertion is a live credential until {exp_at}: do not paste it into tickets or chats"
    ));
    if a.request {
        let origin = SimpleUrl::parse(&exp.login_url)
            .map(|u| u.origin())
            .unwrap_or_else(|| exp.login_url.clone());
        let url = format!("{origin}/services/oauth2/token");
        let body = format!(
            "grant_type={}&assertion={}",
            form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
            form_encode(&token)
        );
        print_stdout(&format!(
            "POST {url}\nContent-Type: application/x-www-form-urlencoded\n\n{body}\n\n# ready to run (sends the request):\ncurl -sS -X POST '{url}' -H 'Content-Type: application/x-www-form-urlencoded' --data '{body}'\n"
        ))?;
    } else {
        print_stdout(&format!("{token}\n"))?;
    }
    Ok(0)
}

/// application/x-www-form-urlencoded, as jsforce and the CLI send it.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn rules(a: &RulesArgs) -> Result<u8, Error> {
    if a.markdown {
        print_stdout(&catalog::markdown_table())?;
        return Ok(0);
    }
    let out = match a.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code, "name": r.name, "severity": r.severity,
                        "check": r.group.as_str(), "summary": r.summary, "fix": r.fix,
                        "salesforce": r.salesforce,
                    })
                })
                .collect();
            report::json::to_pretty(&serde_json::json!({
                "schema": report::SCHEMA, "tool": report::json::tool(), "command": "rules",
                "verdict": "pass", "rules": list,
            }))
        }
        _ => {
            let mut s = String::new();
            for r in RULES {
                s.push_str(&format!(
                    "{}  {:<27} {:<7}  {}\n",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                ));
            }
            s
        }
    };
    print_stdout(&out)?;
    Ok(0)
}

fn explain(a: &ExplainArgs) -> Result<u8, Error> {
    use crate::explain as ex;
    use std::path::Path;

    use crate::defaults::MAX_EXPLAIN_BYTES;

    // `-` is stdin; an existing file (or something that can only be a path) is read;
    // anything else is the subject itself.
    let arg = a.subject.as_str();
    let path = Path::new(arg);
    let looks_like_path = !arg.contains(char::is_whitespace)
        && [".json", ".txt", ".log", ".out", ".err"]
            .iter()
            .any(|ext| arg.to_ascii_lowercase().ends_with(ext));
    let (text, source) = if arg == "-" {
        let buf = inputs::read_stdin(MAX_EXPLAIN_BYTES, "a Salesforce reply or log")?;
        (String::from_utf8_lossy(&buf).into_owned(), "stdin")
    } else if path.exists() || looks_like_path {
        let bytes = inputs::read_file(path, MAX_EXPLAIN_BYTES)?;
        (String::from_utf8_lossy(&bytes).into_owned(), "file")
    } else {
        (arg.to_string(), "argument")
    };
    // A pasted request or log may hold a live assertion: never echo its signature.
    let text = ex::redact_signatures(&text);
    if matches!(
        crate::text::secret_kind(&text),
        Some(crate::text::SecretKind::Pem | crate::text::SecretKind::Base64)
    ) {
        let name = match source {
            "argument" => "the argument",
            "stdin" => "stdin",
            _ => arg,
        };
        return Err(Error::new(format!(
            "explain: {name} holds PEM key or certificate material, not a Salesforce reply (not shown); to check a key or certificate run `jwt-preflight check --key FILE --cert FILE`"
        )));
    }
    let subject = text.trim();
    if subject.is_empty() {
        let name = match source {
            "argument" => "the argument",
            "stdin" => "stdin",
            _ => arg,
        };
        return Err(Error::new(format!(
            "explain: {name} is empty: give a rule code or name, a Salesforce reply, or the output of `sf org login jwt`"
        )));
    }

    if let Some(rule) = catalog::lookup(subject) {
        let out = match a.format {
            Format::Json => report::json::to_pretty(&serde_json::json!({
                "schema": report::SCHEMA, "tool": report::json::tool(), "command": "explain",
                "verdict": "pass",
                "rule": {"code": rule.code, "name": rule.name, "severity": rule.severity,
                         "check": rule.group.as_str(), "summary": rule.summary, "why": rule.why,
                         "fix": rule.fix, "salesforce": rule.salesforce},
            })),
            _ => {
                let reply = rule
                    .salesforce
                    .map(|s| match s.error_description {
                        Some(d) => format!("{} / {d}", s.error),
                        None => s.error.to_string(),
                    })
                    .unwrap_or_else(|| {
                        "none: Salesforce does not reject this, or nobody has seen what it answers"
                            .into()
                    });
                format!(
                    "{} {} ({})\n\n  When: {}\n  Why:  {}\n  Fix:  {}\n  Salesforce answers: {}\n",
                    rule.code, rule.name, rule.severity, rule.summary, rule.why, rule.fix, reply
                )
            }
        };
        print_stdout(&out)?;
        return Ok(0);
    }
    let code_like = subject.len() <= 8
        && subject
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("PF"))
        && subject[2..].chars().all(|c| c.is_ascii_digit());
    if code_like {
        return Err(Error::new(format!(
            "explain: '{subject}' is not a rule code (see `jwt-preflight rules`)"
        )));
    }

    let e = ex::explain_text(subject);
    let problem = ex::unrecognised_message(&e);
    let any_recognised = e.items.iter().any(ex::Explained::recognised);
    match a.format {
        Format::Json => {
            // Exit 2 means "could not run": no report on stdout then, as for every command.
            if problem.is_none() {
                print_stdout(&report::json::to_pretty(&serde_json::json!({
                    "schema": report::SCHEMA, "tool": report::json::tool(), "command": "explain",
                    "verdict": "pass",
                    "source": source,
                    "input": ex::kind_str(e.kind),
                    "notes": e.notes,
                    "replies": ex::replies_json(&e),
                })))?;
            }
        }
        _ => {
            if any_recognised {
                let mut out = ex::render_human(&e);
                out.push('\n');
                print_stdout(&out)?;
            }
        }
    }
    match problem {
        None => Ok(0),
        Some(msg) => Err(Error::new(msg)),
    }
}

fn keygen(a: &super::args::KeygenArgs) -> Result<u8, Error> {
    if ![2048, 3072, 4096].contains(&a.bits) {
        return Err(Error::new(format!(
            "--bits {}: choose 2048, 3072 or 4096",
            a.bits
        )));
    }
    let out = display_path(&a.out);
    let key_path = a.out.join("server.key");
    let cert_path = a.out.join("server.crt");
    if a.out.exists() && !a.out.is_dir() {
        return Err(Error::new(format!("{out}: is not a folder (--out)")));
    }
    for p in [&key_path, &cert_path] {
        if p.exists() {
            return Err(Error::new(format!(
                "{}: already exists; refusing to overwrite it (choose another --out, or move it away first)",
                display_path(p)
            )));
        }
    }
    crate::keygen::check_subject(&a.subject).map_err(Error::new)?;
    print_stderr(&format!(
        "jwt-preflight: generating a {}-bit RSA key…",
        a.bits
    ));
    // The subject and the certificate's size are refused before the folder is created.
    let now = inputs::now(None)?;
    let generated =
        crate::keygen::generate(a.bits as usize, a.days, &a.subject, now).map_err(Error::new)?;
    if !a.out.is_dir() {
        // As `mkdir -p` would, but private: the folder will hold a private key.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&a.out)
            .map_err(|e| Error::new(format!("{out}: cannot be created (--out): {e}")))?;
    }
    write_new(&key_path, generated.key_pem.as_bytes(), 0o600)?;
    if let Err(e) = write_new(&cert_path, generated.cert_pem.as_bytes(), 0o644) {
        // Leave no half-made pair behind.
        let _ = std::fs::remove_file(&key_path);
        return Err(e);
    }
    let (k, c) = (display_path(&key_path), display_path(&cert_path));
    print_stdout(&format!(
        "wrote {k} (RSA {} bits, unencrypted PKCS#8, mode 0600)\nwrote {c} (self-signed, SHA-256, {}, valid {} days)\n\nNext:\n  1. Upload {c} to the connected app (Setup → App Manager → your app → Edit → Use digital signatures).\n  2. Keep {k} out of the repository: store it as a CI secret, and add it to .gitignore.\n  3. Check the pair and the login before deploying:\n     jwt-preflight check --key {k} --cert {c} --client-id <consumer key> --username <user> --login-url <https://…>\n",
        a.bits,
        crate::text::escape_controls(&a.subject),
        a.days
    ))?;
    Ok(0)
}

/// Writes a file that must not exist yet, with these permission bits.
fn write_new(path: &std::path::Path, bytes: &[u8], mode: u32) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Error::new(format!("{}: cannot be written: {e}", display_path(path))))
}

fn completions(a: &CompletionsArgs) -> Result<u8, Error> {
    let mut cmd = super::args::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "jwt-preflight", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(0)
}
