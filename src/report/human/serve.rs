//! `serve` for people. Everything goes to stderr (the lines come from [`lines`]) but the
//! listening URL, which is the one line on stdout, so a script can read the port.

use super::{BOLD, CYAN, DIM, GREEN, RED, YELLOW, compact_json, severity_style};
use crate::catalog::Severity;
use crate::finding::Finding;
use crate::report::{ConnectionKind, Listening, ServeEvent, ServeTotals};
use crate::serve::{AttemptSummary, Decision, Exchange, ExchangeKind};
use crate::text::escape_controls;
use std::fmt::Write;

/// stdout: the URL, when listening starts.
pub(super) fn render(e: &ServeEvent) -> String {
    match e {
        ServeEvent::Listening(l) => format!("{}\n", l.url),
        _ => String::new(),
    }
}

/// stderr: the event, as lines.
pub(crate) fn lines(e: &ServeEvent) -> Vec<String> {
    let text = match e {
        ServeEvent::Listening(l) => listening(l),
        ServeEvent::Exchange(x) => exchange(x),
        ServeEvent::Attempts(a) => attempts(a),
        ServeEvent::Connection(c) => {
            let at = crate::timefmt::rfc3339(c.at);
            match &c.kind {
                ConnectionKind::Refused { host, reason } => format!(
                    "{YELLOW}refused{YELLOW:#} {host} {DIM}from {} at {at}{DIM:#}: {reason}",
                    c.peer
                ),
                ConnectionKind::Failed { message } => format!(
                    "{YELLOW}connection from {} failed{YELLOW:#} {DIM}at {at}{DIM:#}: {message}",
                    c.peer
                ),
            }
        }
        ServeEvent::Stopped(t) => stopped(t),
    };
    text.lines().map(str::to_string).collect()
}

fn listening(l: &Listening) -> String {
    let mut out = String::new();
    let loopback = if l.address.starts_with("127.") || l.address.starts_with("[::1]") {
        "loopback only"
    } else {
        "NOT loopback: --listen names another address"
    };
    let _ = writeln!(
        out,
        "{BOLD}jwt-preflight serve{BOLD:#} listening on {} ({loopback}); nothing is forwarded anywhere",
        l.address
    );
    let _ = writeln!(
        out,
        "  {BOLD}proxy{BOLD:#}   {}  {DIM}(HTTPS_PROXY: clients keep their real Salesforce URLs){DIM:#}",
        l.url
    );
    let _ = writeln!(
        out,
        "  {BOLD}direct{BOLD:#}  {url}/services/oauth2/token and https://{host}/services/oauth2/token {DIM}(standing for {as_url}){DIM:#}",
        url = l.url,
        host = l.address,
        as_url = l.stands_for
    );
    let kept = if l.ca_kept {
        "kept by --ca-dir"
    } else {
        "made for this run; --ca-dir DIR keeps one"
    };
    let _ = writeln!(
        out,
        "  {BOLD}CA{BOLD:#}      {} {DIM}({kept}; valid only for Salesforce domains and loopback){DIM:#}",
        l.ca_file
    );
    for o in &l.orgs {
        let who = |v: &Option<String>| v.as_deref().map(escape_controls).unwrap_or("any".into());
        let cert = o
            .cert
            .as_deref()
            .unwrap_or("no certificate: signatures are not checked");
        let _ = writeln!(
            out,
            "  {BOLD}org {}{BOLD:#}  iss {} · sub {} · lives at {} · {cert}",
            escape_controls(&o.name),
            who(&o.client_id),
            who(&o.username),
            escape_controls(&o.login_url),
        );
        for f in &o.findings {
            finding_line(&mut out, f, "      ");
        }
    }
    let (url, ca) = (&l.url, &l.ca_file);
    let port = l.port;
    let host = l.address.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
    let _ = writeln!(out, "Point a client at it:");
    let _ = writeln!(
        out,
        "  {CYAN}sf{CYAN:#}      HTTPS_PROXY={url} NODE_EXTRA_CA_CERTS={ca} SF_DISABLE_DNS_CHECK=true sf org login jwt …"
    );
    let _ = writeln!(
        out,
        "  {CYAN}Python{CYAN:#}  HTTPS_PROXY={url} REQUESTS_CA_BUNDLE={ca} python your_app.py"
    );
    let _ = writeln!(
        out,
        "  {CYAN}Java{CYAN:#}    keytool -importcert -noprompt -alias jwt-preflight -file {ca} -keystore serve.jks -storepass changeit"
    );
    let _ = writeln!(
        out,
        "          java -Dhttps.proxyHost={host} -Dhttps.proxyPort={port} -Djavax.net.ssl.trustStore=serve.jks -Djavax.net.ssl.trustStorePassword=changeit …"
    );
    let _ = writeln!(
        out,
        "  {CYAN}curl{CYAN:#}    curl --proxy {url} --cacert {ca} https://login.salesforce.com/services/oauth2/token \\"
    );
    let _ = writeln!(
        out,
        "            -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer --data-urlencode assertion@token.jwt"
    );
    let stop = match (l.once, l.timeout) {
        (true, Some(t)) => format!("Stops after the first token request (--once), or after {t} s."),
        (true, None) => "Stops after the first token request (--once).".to_string(),
        (false, Some(t)) => format!("Stops after {t} s (--timeout), or at Ctrl-C."),
        (false, None) => "Stop with Ctrl-C.".to_string(),
    };
    let _ = writeln!(out, "{DIM}{stop}{DIM:#}");
    out
}

fn finding_line(out: &mut String, f: &Finding, indent: &str) {
    let st = severity_style(f.severity);
    let _ = writeln!(
        out,
        "{indent}{st}{}[{}]{st:#} {BOLD}{}{BOLD:#}: {}",
        f.severity, f.rule.code, f.rule.name, f.message
    );
    if f.severity != Severity::Info {
        let _ = writeln!(out, "{indent}    {DIM}fix:{DIM:#} {}", f.fix);
    }
}

fn exchange(x: &Exchange) -> String {
    let mut out = String::new();
    let client = x
        .client
        .as_deref()
        .map(|c| format!("  {DIM}{}{DIM:#}", escape_controls(c)))
        .unwrap_or_default();
    let org = x
        .org
        .as_deref()
        .map(|o| format!("  {DIM}org {}{DIM:#}", escape_controls(o)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{BOLD}→ {} {}{BOLD:#}{client}{org}",
        escape_controls(&x.method),
        escape_controls(&x.url)
    );
    if let Some(a) = x.report.as_ref().and_then(|r| r.assertion.as_ref()) {
        let shown = |v: &Option<crate::token::Object>| {
            v.as_ref()
                .map(compact_json)
                .unwrap_or_else(|| "(unreadable)".into())
        };
        let _ = writeln!(out, "    header {}", shown(&a.header));
        let _ = writeln!(out, "    claims {}", shown(&a.claims));
    }
    if let Some(r) = &x.report {
        for f in &r.findings {
            finding_line(&mut out, f, "    ");
        }
    }
    let status = x.reply.status;
    let st = if status < 400 { GREEN } else { RED };
    let field = |k: &str| x.reply.body.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let what = match (x.kind, &x.decision) {
        (ExchangeKind::Token, _) if status < 400 => {
            "a token (fake), so the client goes on".to_string()
        }
        (ExchangeKind::Token, _) => format!(
            "{}: {}",
            escape_controls(field("error")),
            escape_controls(field("error_description"))
        ),
        (ExchangeKind::FollowUp, _) => "emulated follow-up of `sf org login jwt`".to_string(),
        (ExchangeKind::NotFound, _) => "only the token flow is emulated".to_string(),
    };
    let why = match &x.decision {
        Some(Decision::Finding(code)) => {
            let rule = code.rule();
            format!("  {DIM}(decided by {} {}){DIM:#}", rule.code, rule.name)
        }
        Some(Decision::Request(why)) => format!("  {DIM}({why}){DIM:#}"),
        _ => String::new(),
    };
    let _ = writeln!(out, "  {st}← {status}{st:#} {what}{why}");
    out
}

fn attempts(a: &AttemptSummary) -> String {
    let mut out = String::new();
    let client = a
        .client
        .as_deref()
        .map(escape_controls)
        .unwrap_or_else(|| "a client".into());
    let sub = a
        .sub
        .as_deref()
        .map(escape_controls)
        .unwrap_or_else(|| "?".into());
    let _ = writeln!(
        out,
        "{BOLD}{client} tried {} (host, aud) pairs for {sub}:{BOLD:#}",
        a.attempts.len()
    );
    for (i, t) in a.attempts.iter().enumerate() {
        let code = t
            .decided_by
            .map(|c| format!(" ({})", c.rule().code))
            .unwrap_or_default();
        let aud = t
            .aud
            .as_deref()
            .map(escape_controls)
            .unwrap_or_else(|| "(none)".into());
        let _ = writeln!(
            out,
            "  {}. {} aud {aud} → {} {}{code}",
            i + 1,
            escape_controls(&t.host),
            t.status,
            escape_controls(&t.reply)
        );
    }
    match (&a.worked, a.blocking) {
        (Some((host, aud, true)), _) => {
            let _ = writeln!(
                out,
                "  {GREEN}worked:{GREEN:#} host {} with aud {}",
                escape_controls(host),
                escape_controls(aud)
            );
        }
        (Some((host, aud, false)), _) => {
            let _ = writeln!(
                out,
                "  {YELLOW}would have worked (not tried):{YELLOW:#} host {} with aud {}, the org's own login URL",
                escape_controls(host),
                escape_controls(aud)
            );
        }
        (None, Some(code)) => {
            let rule = code.rule();
            let _ = writeln!(
                out,
                "  {RED}no pair would have worked:{RED:#} every one also fails {} {}",
                rule.code, rule.name
            );
        }
        (None, None) => {
            let _ = writeln!(out, "  {RED}no pair worked{RED:#}");
        }
    }
    out
}

fn stopped(t: &ServeTotals) -> String {
    let refused = t.token_requests - t.accepted;
    format!(
        "{BOLD}jwt-preflight serve stopped{BOLD:#} ({}): {} token request{} ({} accepted, {refused} refused), {} follow-up{}, {} other, {} connection{} refused, {} broken",
        t.stopped_by,
        t.token_requests,
        if t.token_requests == 1 { "" } else { "s" },
        t.accepted,
        t.follow_ups,
        if t.follow_ups == 1 { "" } else { "s" },
        t.not_found,
        t.refused,
        if t.refused == 1 { "" } else { "s" },
        t.failed_connections,
    )
}
