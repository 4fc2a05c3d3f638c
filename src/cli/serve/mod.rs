//! `serve`: the shell around [`crate::serve::handle`]. It reads the orgs' certificates, makes
//! (or reopens) the CA, listens, reads the clock per request, and reports every event through
//! the output layer. The listener, TLS and the proxy are in `net`, the CA in `ca`.

mod ca;
mod net;

use super::args::ServeArgs;
use super::inputs::{self, load_cert};
use super::{Error, Outcome, Provenance, output};
use crate::config::{self, Layer};
use crate::report::{self, Document, Format, ServeEvent, ServeTotals, ServedOrgSummary};
use crate::rules::{self, Expectations, Material};
use crate::serve::{Attempts, Exchange, ExchangeKind, ServedOrg};
use crate::text::display_path;
use std::io::Write;
use std::path::Path;

/// `serve`.
pub fn run(a: &ServeArgs, provenance: &Provenance) -> Result<Outcome, Error> {
    super::check::check_login_url(&a.stands_for).map_err(|e| {
        Error::new(e.message().replacen("--login-url", "--as", 1)).with_hint(
            "--as names the login URL a direct request stands for, e.g. https://acme.my.salesforce.com",
        )
    })?;
    let fixed_now = a.now.as_deref().map(|s| inputs::now(Some(s))).transpose()?;
    let started = inputs::now(None)?;
    let (orgs, summaries) = load_orgs(a, provenance, fixed_now.unwrap_or(started))?;
    let log = a.log.as_deref().map(open_log).transpose()?;
    let format: Format = a.format.into();
    let sink = Sink {
        format,
        log,
        attempts: Attempts::new(),
        totals: ServeTotals {
            stopped_by: String::new(),
            token_requests: 0,
            accepted: 0,
            follow_ups: 0,
            not_found: 0,
            refused: 0,
            failed_connections: 0,
            exit_status: 0,
        },
        first_token: None,
    };
    // The CA is valid by the real clock, whatever --now says: clients check it by theirs.
    let ca = ca::Ca::open(a.ca_dir.as_deref(), started)?;
    let settings = net::Settings {
        listen: std::net::SocketAddr::new(a.listen, a.port),
        stands_for: a.stands_for.clone(),
        read_timeout: std::time::Duration::from_secs(a.read_timeout),
        once: a.once,
        timeout: a.timeout.map(std::time::Duration::from_secs),
        fixed_now,
    };
    let totals = net::run(settings, orgs, summaries, ca, sink)?;
    Ok(Document::Serve(ServeEvent::Stopped(totals)).into())
}

/// The orgs from the flags, or from `--config` with the flags layered as for `check`.
fn load_orgs(
    a: &ServeArgs,
    provenance: &Provenance,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<ServedOrg>, Vec<ServedOrgSummary>), Error> {
    let flags = Layer {
        client_id: a.client_id.clone(),
        username: a.username.clone(),
        login_url: a.login_url.clone(),
        audience: a.audience.clone(),
        expect_alg: Some(a.expect_alg.alg()),
        cert_warn_days: Some(a.cert_warn_days),
        cert: a.cert.clone(),
        ..Layer::default()
    };
    let resolved = match &a.config {
        Some(path) => {
            let orgs = super::check::read_config(path, a.org.as_deref())
                .map_err(|e| provenance.note_env("config", e))?;
            let typed = super::check::typed_only(&flags, provenance);
            config::resolve(&orgs, &typed, &flags)
        }
        None => config::resolve(
            &[config::Org {
                name: "default".into(),
                fields: config::OrgFields::default(),
                key: None,
                cert: None,
            }],
            &flags,
            &Layer::default(),
        ),
    };
    let mut orgs = Vec::new();
    let mut summaries = Vec::new();
    for org in resolved {
        let within = |e: Error| {
            if a.config.is_some() {
                e.within(format_args!("org {}", org.name))
            } else {
                e
            }
        };
        super::check::check_login_url(&org.expectations.login_url).map_err(within)?;
        let cert = org
            .cert
            .as_deref()
            .map(load_cert)
            .transpose()
            .map_err(|e| within(provenance.note_env("cert", e)))?;
        summaries.push(summary(
            &org.expectations,
            &org.name,
            org.cert.as_deref(),
            cert.as_ref(),
            now,
        ));
        orgs.push(ServedOrg {
            name: org.name,
            expectations: org.expectations,
            cert,
        });
    }
    Ok((orgs, summaries))
}

/// What the certificate's rules say about an org's setup, once, at start.
fn summary(
    exp: &Expectations,
    name: &str,
    cert_path: Option<&Path>,
    cert: Option<&crate::material::CertInfo>,
    now: chrono::DateTime<chrono::Utc>,
) -> ServedOrgSummary {
    let material = Material {
        token: None,
        key: None,
        key_mode: None,
        cert,
    };
    let (_, findings) = rules::evaluate(&material, exp, now).finish();
    ServedOrgSummary {
        name: name.to_string(),
        client_id: exp.client_id.clone(),
        username: exp.username.clone(),
        login_url: exp.login_url.clone(),
        cert: cert_path.map(display_path),
        findings,
    }
}

/// Opens `--log FILE` for appending (created mode 0600: it records claims and users).
fn open_log(path: &Path) -> Result<std::fs::File, Error> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| {
        Error::new(format!(
            "{}: cannot be opened for appending (--log): {e}",
            display_path(path)
        ))
    })
}

/// Where events go: the terminal (through the output layer) and the log file; and what they
/// add up to.
pub(crate) struct Sink {
    format: Format,
    log: Option<std::fs::File>,
    attempts: Attempts,
    totals: ServeTotals,
    /// The exit status of the first token request, for `--once`.
    first_token: Option<u8>,
}

impl Sink {
    /// Reports one event.
    fn emit(&mut self, event: ServeEvent) {
        let doc = Document::Serve(event);
        // A closed stdout does not stop the server: the log and the replies go on.
        let _ = output::emit(&doc, self.format);
        if let Some(log) = &mut self.log {
            let _ = log.write_all(report::render(&doc, Format::Json).as_bytes());
        }
    }

    /// Reports an exchange, and the login summaries it completes.
    fn exchange(&mut self, e: Exchange) {
        match e.kind {
            ExchangeKind::Token => {
                self.totals.token_requests += 1;
                let failed = e.reply.status >= 400;
                if failed {
                    self.totals.exit_status = 1;
                } else {
                    self.totals.accepted += 1;
                }
                self.first_token.get_or_insert(u8::from(failed));
            }
            ExchangeKind::FollowUp => self.totals.follow_ups += 1,
            ExchangeKind::NotFound => self.totals.not_found += 1,
        }
        let recorded = self.attempts.record_at(&e, chrono::Utc::now());
        if let Some(s) = recorded.before {
            self.emit(ServeEvent::Attempts(s));
        }
        self.emit(ServeEvent::Exchange(Box::new(e)));
        if let Some(s) = recorded.with {
            self.emit(ServeEvent::Attempts(s));
        }
    }

    /// Reports a connection refused or broken.
    fn connection(&mut self, c: report::ConnectionEvent) {
        match c.kind {
            report::ConnectionKind::Refused { .. } => self.totals.refused += 1,
            report::ConnectionKind::Failed { .. } => self.totals.failed_connections += 1,
        }
        self.emit(ServeEvent::Connection(c));
    }

    /// Ends a login that has gone quiet.
    fn idle(&mut self, now: chrono::DateTime<chrono::Utc>) {
        if let Some(s) = self.attempts.idle(now) {
            self.emit(ServeEvent::Attempts(s));
        }
    }

    /// The totals, once the server has stopped; the stop record goes to the log here and to
    /// the terminal as the command's document.
    fn finish(mut self, stopped_by: &str, once: bool) -> ServeTotals {
        if let Some(s) = self.attempts.finish() {
            self.emit(ServeEvent::Attempts(s));
        }
        self.totals.stopped_by = stopped_by.to_string();
        if once {
            // --once: the first token request's status; none at all is a run that could not
            // do its job.
            self.totals.exit_status = self.first_token.unwrap_or(2);
        }
        if let Some(log) = &mut self.log {
            let doc = Document::Serve(ServeEvent::Stopped(self.totals.clone()));
            let _ = log.write_all(report::render(&doc, Format::Json).as_bytes());
        }
        self.totals
    }
}
