//! PF321–PF325: the audience, and whether it agrees with where the request goes.

use super::Expectations;
use crate::catalog::{CheckGroup, Code, Evidence};
use crate::finding::{Finding, Findings};
use crate::salesforce::{self, HostKind, SimpleUrl};
use crate::token::Object;
use serde_json::Value;

/// The audience a careful client uses for this login URL: `--audience` when given, else the
/// login URL's origin (as `sf org login jwt` tries first).
pub fn default_audience(exp: &Expectations) -> String {
    if let Some(a) = &exp.audience {
        return a.clone();
    }
    SimpleUrl::parse(&exp.login_url)
        .map(|u| u.canonical_origin())
        .unwrap_or_else(|| exp.login_url.trim_end_matches('/').to_string())
}

/// PF328: where the token request goes. Checked whatever the assertion holds.
pub fn evaluate_login_url(exp: &Expectations, out: &mut Findings) {
    if let Some(url) = SimpleUrl::parse(&exp.login_url)
        && url.scheme == "http"
    {
        out.push(Finding::new(
            Code::PF328,
            format!(
                "the login URL {} is http://; the assertion would cross the network unencrypted to https://{}",
                exp.login_url, url.host
            ),
        ));
    }
}

/// Runs PF321–PF327.
pub fn evaluate(claims: &Object, exp: &Expectations, out: &mut Findings) {
    out.ran(
        CheckGroup::Audience,
        format!("request goes to {}", exp.login_url),
    );
    let aud = match claims.get("aud") {
        None => {
            out.push(Finding::new(Code::PF321, "the claims have no \"aud\""));
            return;
        }
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Array(items)) => {
            let hint = match items.as_slice() {
                [Value::String(one)] => format!("; send the string \"{one}\" instead"),
                _ => String::new(),
            };
            out.push(Finding::new(
                Code::PF322,
                format!(
                    "aud is a JSON array of {} value{}; Salesforce needs one string{hint}",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" }
                ),
            ));
            return;
        }
        Some(other) => {
            out.push(Finding::new(
                Code::PF322,
                format!("aud is {other}, not a string holding an https URL"),
            ));
            return;
        }
    };
    // A bare host ("login.salesforce.com", restforce's default) is read as its https origin
    // for the checks that follow, after PF326 says so.
    let (url, aud_text) = match SimpleUrl::parse(aud) {
        Some(url) => (url, aud.to_string()),
        None => {
            let host = aud.trim_end_matches('/');
            let bare_host = !host.is_empty()
                && host.contains('.')
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            if !bare_host {
                out.push(
                    Finding::new(Code::PF322, format!("aud \"{aud}\" is not a URL"))
                        .with_evidence(Evidence::Inferred),
                );
                return;
            }
            let as_url = format!("https://{host}");
            let Some(url) = SimpleUrl::parse(&as_url) else {
                return;
            };
            if salesforce::classify_host(&url.host).is_login_server() {
                out.push(Finding::new(
                    Code::PF326,
                    format!(
                        "aud \"{aud}\" is a bare host name; the documented form is \"{as_url}\""
                    ),
                ));
            }
            (url, as_url)
        }
    };
    let aud = aud_text.as_str();
    if url.has_userinfo || url.has_port || url.host.ends_with('.') {
        let what = if url.has_userinfo {
            "user information before the host"
        } else if url.has_port {
            "a port"
        } else {
            "a trailing dot after the host"
        };
        out.push(
            Finding::new(
                Code::PF322,
                format!(
                    "aud \"{aud}\" has {what}; the audience is exactly the server's origin, e.g. https://{}",
                    url.host.trim_end_matches('.')
                ),
            )
            .with_evidence(Evidence::Inferred),
        );
        return;
    }
    let kind = salesforce::classify_host(&url.host);
    if url.scheme != "https" {
        out.push(
            Finding::new(
                Code::PF322,
                format!(
                    "aud \"{aud}\" uses {}://; Salesforce's endpoints require https (https://{})",
                    url.scheme, url.host
                ),
            )
            .with_evidence(Evidence::Inferred),
        );
        return;
    }
    match &kind {
        HostKind::Lightning => {
            let my_domain = url
                .host
                .replace(".lightning.force.com", ".my.salesforce.com");
            out.push(
                Finding::new(
                    Code::PF322,
                    format!(
                        "aud \"{aud}\" is a Lightning Experience domain, not a login server; use the My Domain URL (https://{my_domain})"
                    ),
                )
                .with_evidence(Evidence::Inferred),
            );
            return;
        }
        HostKind::OtherSalesforce | HostKind::Unknown => {
            out.push(Finding::new(
                Code::PF322,
                format!(
                    "aud \"{aud}\" is {}; use https://login.salesforce.com, https://test.salesforce.com or your My Domain URL",
                    salesforce::describe(&kind)
                ),
            ));
            return;
        }
        _ => {}
    }
    let is_site = matches!(kind, HostKind::ExperienceSite { .. });
    let path = url.path.as_str();
    let token_endpoint = path.trim_end_matches('/') == "/services/oauth2/token";
    if !is_site && token_endpoint && !url.has_query {
        if matches!(kind, HostKind::MyDomain { .. }) {
            // Seen refused at a My Domain (forrest #302).
            out.push(Finding::new(
                Code::PF322,
                format!(
                    "aud \"{aud}\" is a My Domain's token endpoint URL, which has been refused there; the audience is the origin ({})",
                    url.origin()
                ),
            ));
            return;
        }
        out.push(Finding::new(
            Code::PF327,
            format!(
                "aud \"{aud}\" is the token endpoint URL; it has worked at {}, but the documented audience is the origin ({})",
                url.host,
                url.origin()
            ),
        ));
    } else if url.has_query || (!is_site && !path.is_empty() && path != "/") {
        out.push(
            Finding::new(
                Code::PF322,
                format!(
                    "aud \"{aud}\" has the path {path}{}; the audience is the server's origin ({}), not an endpoint",
                    if url.has_query { " and a query" } else { "" },
                    url.origin()
                ),
            )
            .with_evidence(Evidence::Inferred),
        );
        return;
    }
    if aud.ends_with('/') {
        out.push(Finding::new(
            Code::PF325,
            format!(
                "aud \"{aud}\" ends with '/'; use \"{}\"",
                aud.trim_end_matches('/')
            ),
        ));
    }
    if let Some(expected) = &exp.audience
        && aud.trim_end_matches('/') != expected.trim_end_matches('/')
        && (!token_endpoint || url.origin() != expected.trim_end_matches('/'))
    {
        out.push(Finding::new(
            Code::PF323,
            format!("aud is \"{aud}\" but the expected audience (--audience) is \"{expected}\""),
        ));
        return;
    }
    compare_with_login_url(aud, &url, &kind, exp, out);
}

/// PF323 and PF324: the audience against the login URL the request is posted to.
fn compare_with_login_url(
    aud: &str,
    aud_url: &SimpleUrl,
    aud_kind: &HostKind,
    exp: &Expectations,
    out: &mut Findings,
) {
    let Some(login) = SimpleUrl::parse(&exp.login_url) else {
        return;
    };
    let login_kind = salesforce::classify_host(&login.host);
    // An Experience Cloud site is its own authorization server: its users post to the site.
    if matches!(aud_kind, HostKind::ExperienceSite { .. }) {
        if aud_url.host != login.host {
            out.push(
                Finding::new(
                    Code::PF323,
                    format!(
                        "aud \"{aud}\" names the site {}, but the request goes to {}",
                        aud_url.host, exp.login_url
                    ),
                )
                .with_evidence(Evidence::Inferred),
            );
        }
        return;
    }
    let (Some(aud_env), Some(login_env)) = (aud_kind.environment(), login_kind.environment())
    else {
        return;
    };
    if aud_env != login_env {
        out.push(Finding::new(
            Code::PF323,
            format!(
                "aud \"{aud}\" is a {} audience ({}), but the request goes to {} ({})",
                aud_env.as_str(),
                salesforce::describe(aud_kind),
                exp.login_url,
                salesforce::describe(&login_kind)
            ),
        ));
        return;
    }
    match (aud_kind, &login_kind) {
        (HostKind::MyDomain { name: a, .. }, HostKind::MyDomain { name: l, .. }) if a != l => {
            out.push(
                Finding::new(
                    Code::PF323,
                    format!(
                        "aud \"{aud}\" names the My Domain {a}, but the request goes to the My Domain {l} ({})",
                        exp.login_url
                    ),
                )
                .with_evidence(Evidence::Inferred),
            );
        }
        (HostKind::ProductionLogin | HostKind::SandboxLogin, HostKind::MyDomain { .. }) => {
            out.push(Finding::new(
                Code::PF324,
                format!(
                    "aud \"{aud}\" is a login/test host while the request goes to the My Domain {}; an External Client App may answer app_not_found (it is then not present in the org reached, or refuses this audience): use aud \"{}\"",
                    exp.login_url,
                    login.canonical_origin()
                ),
            ));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Severity;
    use serde_json::json;

    /// Runs [`evaluate`] on `{"aud": aud}` against `login_url` and `--audience`.
    fn run(aud: Value, login_url: &str, audience: Option<&str>) -> Vec<Finding> {
        let claims = json!({ "aud": aud }).as_object().unwrap().clone();
        let exp = Expectations {
            login_url: login_url.to_string(),
            audience: audience.map(str::to_string),
            ..Expectations::default()
        };
        let mut out = Findings::new();
        evaluate(&claims, &exp, &mut out);
        out.finish().1
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(Finding::code).collect()
    }

    const LOGIN: &str = "https://login.salesforce.com";

    #[test]
    fn an_array_of_one_string_suggests_that_string() {
        let f = run(json!([LOGIN]), LOGIN, None);
        assert_eq!(codes(&f), ["PF322"]);
        assert!(
            f[0].message
                .contains("send the string \"https://login.salesforce.com\" instead"),
            "{}",
            f[0].message
        );
        let f = run(json!([LOGIN, LOGIN]), LOGIN, None);
        assert_eq!(codes(&f), ["PF322"]);
        assert!(
            !f[0].message.contains("send the string"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_word_without_a_dot_is_not_a_url() {
        for aud in ["localhost", ""] {
            let f = run(json!(aud), LOGIN, None);
            assert_eq!(codes(&f), ["PF322"], "{aud:?}");
            assert!(f[0].message.contains("is not a URL"), "{}", f[0].message);
            assert_eq!(f[0].severity, Severity::Warning);
        }
    }

    #[test]
    fn userinfo_port_or_trailing_dot_in_the_audience() {
        for (aud, what) in [
            (
                "https://ci@login.salesforce.com",
                "user information before the host",
            ),
            ("https://login.salesforce.com:8443", "a port"),
            (
                "https://login.salesforce.com.",
                "a trailing dot after the host",
            ),
        ] {
            let f = run(json!(aud), LOGIN, None);
            assert_eq!(codes(&f), ["PF322"], "{aud}");
            assert!(
                f[0].message.contains(&format!("has {what};")),
                "{}",
                f[0].message
            );
        }
    }

    #[test]
    fn a_path_on_a_login_server_is_refused_but_not_on_a_site() {
        let f = run(json!("https://login.salesforce.com/services"), LOGIN, None);
        assert_eq!(codes(&f), ["PF322"]);
        assert!(
            f[0].message.contains("has the path /services;"),
            "{}",
            f[0].message
        );
        let site = "https://acme.my.site.com";
        assert_eq!(
            codes(&run(json!("https://acme.my.site.com/s"), site, None)),
            [] as [&str; 0]
        );
    }

    #[test]
    fn a_site_audience_must_name_the_site_posted_to() {
        let f = run(json!("https://acme.my.site.com"), LOGIN, None);
        assert_eq!(codes(&f), ["PF323"]);
        assert!(
            f[0].message.contains("names the site acme.my.site.com"),
            "{}",
            f[0].message
        );
        let site = "https://acme.my.site.com";
        assert!(run(json!(site), site, None).is_empty());
    }

    #[test]
    fn the_token_endpoint_against_the_expected_audience() {
        let endpoint = "https://login.salesforce.com/services/oauth2/token";
        // Its origin is the expected audience: PF327 says enough.
        let f = run(json!(endpoint), LOGIN, Some(LOGIN));
        assert_eq!(codes(&f), ["PF327"]);
        // Its origin is another audience: PF323 as well.
        let f = run(json!(endpoint), LOGIN, Some("https://test.salesforce.com"));
        assert_eq!(codes(&f), ["PF323", "PF327"]);
        assert!(
            f[0].message.contains("expected audience (--audience)"),
            "{}",
            f[0].message
        );
    }
}
