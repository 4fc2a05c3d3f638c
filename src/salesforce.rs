//! What Salesforce's hosts mean: which are login servers, which environment (production or
//! sandbox) a host belongs to, and which My Domain it names. Used by the audience rules and
//! to derive the default audience from the login URL.

/// A URL split into the parts the rules look at. Deliberately small: audiences and login URLs
/// are origins, and anything unusual is reported rather than normalised away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleUrl {
    /// Lowercased scheme, e.g. `https`.
    pub scheme: String,
    /// Lowercased host name, without port.
    pub host: String,
    /// The port, when one is written.
    pub port: Option<u16>,
    /// The path as written (may be empty), without query or fragment.
    pub path: String,
    /// Whether a query string or fragment follows.
    pub has_query: bool,
    /// Whether user information (`user@`) precedes the host.
    pub has_userinfo: bool,
    /// Whether a port is written (even one that does not parse).
    pub has_port: bool,
}

impl SimpleUrl {
    /// Parses `scheme://host[:port][/path][?query]`. `None` when there is no `scheme://`.
    pub fn parse(s: &str) -> Option<SimpleUrl> {
        let (scheme, rest) = s.split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
        {
            return None;
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let after = &rest[authority_end..];
        let has_userinfo = authority.contains('@');
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let (host, port, has_port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, p.parse().ok(), true),
            _ => (authority, None, false),
        };
        if host.is_empty() {
            return None;
        }
        let path_end = after.find(['?', '#']).unwrap_or(after.len());
        Some(SimpleUrl {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            port,
            path: after[..path_end].to_string(),
            has_query: path_end < after.len(),
            has_userinfo,
            has_port,
        })
    }

    /// `scheme://host`, with the port only when it is not the scheme's default: the origin as
    /// a browser (and Salesforce's audience check) writes it, so `https://h:443` is `https://h`.
    pub fn canonical_origin(&self) -> String {
        match (self.scheme.as_str(), self.port) {
            ("https", Some(443)) | ("http", Some(80)) => format!("{}://{}", self.scheme, self.host),
            _ => self.origin(),
        }
    }

    /// `scheme://host[:port]`.
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{}", self.scheme, self.host, p),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Production or sandbox: the distinction behind most audience mistakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Production and Developer Edition orgs (login.salesforce.com).
    Production,
    /// Sandboxes and scratch orgs (test.salesforce.com).
    Sandbox,
}

impl Environment {
    /// "production" or "sandbox".
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
        }
    }
}

/// What a host is, to Salesforce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// login.salesforce.com.
    ProductionLogin,
    /// test.salesforce.com.
    SandboxLogin,
    /// A My Domain login host, e.g. `acme.my.salesforce.com` or
    /// `acme--uat.sandbox.my.salesforce.com`.
    MyDomain {
        /// The My Domain name, with the sandbox suffix (`acme--uat`).
        name: String,
        /// The environment its variant implies.
        environment: Environment,
    },
    /// An Experience Cloud site (`*.my.site.com`, `*.force.com`).
    ExperienceSite {
        /// The environment, when the host says.
        environment: Option<Environment>,
    },
    /// A Lightning Experience host (`*.lightning.force.com`): not a login server.
    Lightning,
    /// A Salesforce host that serves something other than login (Setup, Visualforce, files).
    OtherSalesforce,
    /// Anything else.
    Unknown,
}

impl HostKind {
    /// The environment this host belongs to, when it says.
    pub fn environment(&self) -> Option<Environment> {
        match self {
            HostKind::ProductionLogin => Some(Environment::Production),
            HostKind::SandboxLogin => Some(Environment::Sandbox),
            HostKind::MyDomain { environment, .. } => Some(*environment),
            HostKind::ExperienceSite { environment } => *environment,
            _ => None,
        }
    }

    /// Whether Salesforce accepts this host as a JWT audience.
    pub fn is_login_server(&self) -> bool {
        matches!(
            self,
            HostKind::ProductionLogin
                | HostKind::SandboxLogin
                | HostKind::MyDomain { .. }
                | HostKind::ExperienceSite { .. }
        )
    }
}

/// The registrable domains Salesforce serves logins, sites and APIs from. `serve` answers a
/// proxy `CONNECT` only for hosts under these, and its CA's name constraints permit only them.
pub const SALESFORCE_DOMAINS: [&str; 9] = [
    "salesforce.com",
    "force.com",
    "site.com",
    "salesforce-sites.com",
    "cloudforce.com",
    "database.com",
    "visualforce.com",
    "salesforce-setup.com",
    "documentforce.com",
];

/// Whether a host name is one of [`SALESFORCE_DOMAINS`] or under one (case-insensitive, a
/// trailing dot allowed).
pub fn is_salesforce_family(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    SALESFORCE_DOMAINS.iter().any(|d| {
        host == *d
            || host
                .strip_suffix(d)
                .is_some_and(|prefix| prefix.ends_with('.') && prefix.len() > 1)
    })
}

/// Classifies a lowercased host name.
pub fn classify_host(host: &str) -> HostKind {
    let host = host.trim_end_matches('.');
    match host {
        "login.salesforce.com" => return HostKind::ProductionLogin,
        "test.salesforce.com" => return HostKind::SandboxLogin,
        _ => {}
    }
    if host.ends_with(".lightning.force.com") || host.ends_with(".lightning.force.mil") {
        return HostKind::Lightning;
    }
    for suffix in [
        ".my.salesforce-setup.com",
        ".vf.force.com",
        ".visualforce.com",
        ".file.force.com",
        ".content.force.com",
        ".documentforce.com",
        ".my.salesforce-sites.com",
    ] {
        if host.ends_with(suffix) {
            return HostKind::OtherSalesforce;
        }
    }
    if let Some(prefix) = host.strip_suffix(".my.salesforce.com") {
        return my_domain(prefix);
    }
    if let Some(prefix) = host.strip_suffix(".my.site.com") {
        let environment = if prefix.ends_with(".sandbox") || prefix.contains("--") {
            Environment::Sandbox
        } else {
            Environment::Production
        };
        return HostKind::ExperienceSite {
            environment: Some(environment),
        };
    }
    if host.ends_with(".force.com") {
        // Legacy Salesforce Sites and communities (acme.force.com, acme.secure.force.com,
        // acme--uat.cs42.force.com). Sandbox sites carry the sandbox name after "--".
        let environment = if host.contains("--") {
            Some(Environment::Sandbox)
        } else {
            None
        };
        return HostKind::ExperienceSite { environment };
    }
    if host.ends_with(".salesforce.com") {
        return HostKind::OtherSalesforce;
    }
    HostKind::Unknown
}

/// `acme`, `acme--uat.sandbox`, `acme.develop`, `acme.scratch`, … before `.my.salesforce.com`.
fn my_domain(prefix: &str) -> HostKind {
    let (name, variant) = match prefix.rsplit_once('.') {
        Some((name, variant)) => (name, Some(variant)),
        None => (prefix, None),
    };
    let environment = match variant {
        Some("sandbox" | "scratch" | "patch") => Environment::Sandbox,
        // develop (Developer Edition), demo, trailblaze, free: production-side orgs.
        _ if name.contains("--") => Environment::Sandbox,
        _ => Environment::Production,
    };
    HostKind::MyDomain {
        name: name.to_string(),
        environment,
    }
}

/// A description of a host for messages, e.g. "a sandbox My Domain (acme--uat)".
pub fn describe(kind: &HostKind) -> String {
    match kind {
        HostKind::ProductionLogin => "the production login server".to_string(),
        HostKind::SandboxLogin => "the sandbox login server".to_string(),
        HostKind::MyDomain { name, environment } => {
            format!("a {} My Domain ({name})", environment.as_str())
        }
        HostKind::ExperienceSite { environment } => match environment {
            Some(e) => format!("a {} Experience Cloud site", e.as_str()),
            None => "an Experience Cloud site".to_string(),
        },
        HostKind::Lightning => "a Lightning Experience domain".to_string(),
        HostKind::OtherSalesforce => "a Salesforce host that does not serve logins".to_string(),
        HostKind::Unknown => "not a Salesforce host".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = SimpleUrl::parse("HTTPS://Acme.My.Salesforce.com:443/services/oauth2/token?x=1");
        assert_eq!(
            u,
            Some(SimpleUrl {
                scheme: "https".into(),
                host: "acme.my.salesforce.com".into(),
                port: Some(443),
                path: "/services/oauth2/token".into(),
                has_query: true,
                has_userinfo: false,
                has_port: true,
            })
        );
        assert_eq!(SimpleUrl::parse("login.salesforce.com"), None);
        assert_eq!(
            SimpleUrl::parse("https://login.salesforce.com/").map(|u| u.origin()),
            Some("https://login.salesforce.com".into())
        );
    }

    #[test]
    fn hosts() {
        assert_eq!(
            classify_host("login.salesforce.com"),
            HostKind::ProductionLogin
        );
        assert_eq!(classify_host("test.salesforce.com"), HostKind::SandboxLogin);
        assert_eq!(
            classify_host("acme--uat.sandbox.my.salesforce.com").environment(),
            Some(Environment::Sandbox)
        );
        assert_eq!(
            classify_host("acme.develop.my.salesforce.com").environment(),
            Some(Environment::Production)
        );
        assert_eq!(
            classify_host("fun-dream-1234.scratch.my.salesforce.com").environment(),
            Some(Environment::Sandbox)
        );
        assert_eq!(
            classify_host("acme.lightning.force.com"),
            HostKind::Lightning
        );
        assert!(classify_host("acme.my.site.com").is_login_server());
        assert_eq!(classify_host("example.com"), HostKind::Unknown);
        match classify_host("acme.my.salesforce.com") {
            HostKind::MyDomain { name, .. } => assert_eq!(name, "acme"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_salesforce_family_is_the_listed_domains_and_their_subdomains() {
        for host in [
            "login.salesforce.com",
            "ACME.my.salesforce.com.",
            "acme.my.site.com",
            "acme--uat.sandbox.my.salesforce.com",
            "force.com",
            "acme.lightning.force.com",
        ] {
            assert!(is_salesforce_family(host), "{host}");
        }
        for host in [
            "evilsalesforce.com",
            "salesforce.com.evil.net",
            ".salesforce.com",
            "example.com",
            "127.0.0.1",
            "",
        ] {
            assert!(!is_salesforce_family(host), "{host}");
        }
    }
}
