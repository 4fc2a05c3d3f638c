//! `serve`'s endpoint as a pure function: a request the client sent, the orgs the server
//! stands for and `now` in; the reply Salesforce would send and a report of why out. The
//! listener, TLS and the clock are the shell's (`cli/serve/`); nothing here touches a socket.
//!
//! A token request goes through the same `check` pipeline as `check --assertion`, with the
//! host it was posted to as the login URL. The first error, in the order of [`Stage`], decides
//! the reply, taken from the rule's row in the catalog.

use crate::catalog::{CheckGroup, Code, Severity};
use crate::check::{self, AssertionInput, CheckInput};
use crate::finding::Finding;
use crate::material::CertInfo;
use crate::report::{AssertionSource, Report, Verdict};
use crate::rules::Expectations;
use crate::salesforce::{self, Environment, HostKind, SimpleUrl};
use crate::token::{self, Object};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The path of the token endpoint, after an Experience Cloud site's own path if any.
pub const TOKEN_PATH: &str = "/services/oauth2/token";
/// The grant type of RFC 7523 §2.1.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The org id in every emulated reply: 18 characters, a `00D` prefix, visibly not real.
pub const FAKE_ORG_ID: &str = "00DJWTPREFLIGHTAAA";
/// The user id in every emulated reply.
pub const FAKE_USER_ID: &str = "005JWTPREFLIGHTAAA";
/// The access token of every successful reply: shaped like Salesforce's (`<org id>!…`) so
/// clients accept it, and saying what it is to anyone who finds it in a log.
pub const FAKE_ACCESS_TOKEN: &str =
    "00DJWTPREFLIGHTAAA!jwt-preflight.serve.this-is-not-a-real-access-token";
/// The REST API versions `GET /services/data` lists (the sf CLI takes the highest).
const API_VERSIONS: [(&str, &str); 3] = [
    ("Winter '26", "65.0"),
    ("Spring '26", "66.0"),
    ("Summer '26", "67.0"),
];

/// One HTTP request, as the shell read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `POST`, `GET`, …
    pub method: String,
    /// The origin the client addressed: `https://login.salesforce.com` through the proxy, the
    /// `--as` URL's origin on a direct listener. The rules see it as the login URL.
    pub origin: String,
    /// Where the client reaches this server when it came directly (`http://127.0.0.1:PORT`):
    /// the `instance_url` of a successful reply, so that its follow-up calls come back here.
    pub direct_origin: Option<String>,
    /// The path and query, as sent.
    pub target: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `User-Agent` header.
    pub user_agent: Option<String>,
    /// The body (the shell caps its size).
    pub body: Vec<u8>,
}

/// An org the server stands for.
#[derive(Debug, Clone)]
pub struct ServedOrg {
    /// Its name (`default` without a config file).
    pub name: String,
    /// iss and sub it knows, where it lives (`login_url`), and the alg it expects.
    pub expectations: Expectations,
    /// The certificate on its connected app.
    pub cert: Option<CertInfo>,
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

/// What kind of request it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeKind {
    /// `…/services/oauth2/token`.
    Token,
    /// One of the REST calls `sf org login jwt` makes after the token.
    FollowUp,
    /// Anything else: a 404.
    NotFound,
}

impl ExchangeKind {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeKind::Token => "token",
            ExchangeKind::FollowUp => "follow-up",
            ExchangeKind::NotFound => "not-found",
        }
    }
}

/// What decided a token request's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Every rule passed (warnings at most): 200.
    Accepted,
    /// This finding, the first error in the order of [`Stage`].
    Finding(Code),
    /// The request itself was not a JWT bearer token request; why, in words.
    Request(String),
}

/// One request and its reply.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// Token, follow-up or not found.
    pub kind: ExchangeKind,
    /// The `User-Agent`, when sent.
    pub client: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The URL the client addressed (a token's query string is never shown).
    pub url: String,
    /// The org whose expectations the assertion was checked against.
    pub org: Option<String>,
    /// The (host, aud) pair that works for the org: its login URL and its audience.
    pub org_pair: Option<(String, String)>,
    /// The check of the received assertion, for a token request that carried one.
    pub report: Option<Report>,
    /// What decided the reply (token requests only).
    pub decision: Option<Decision>,
    /// The reply sent.
    pub reply: Reply,
}

impl Exchange {
    /// Pass when the reply is a success.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_failed(self.reply.status >= 400)
    }

    /// A claim of the received assertion, as text (a string as it is, anything else as JSON).
    pub fn claim(&self, name: &str) -> Option<String> {
        let claims = self.report.as_ref()?.assertion.as_ref()?.claims.as_ref()?;
        claims.get(name).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

/// The order in which the first error is picked. Salesforce's own order varies by host
/// (salesforce-evidence.md §7); this one reads the token before trusting any of it: its
/// shape, who it is for, which org and host, how it is signed, then what it asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// PF1xx: three base64url segments of JSON.
    Structure,
    /// PF30x: the consumer key.
    Issuer,
    /// PF328, PF329: the login host (https, this org's environment).
    Host,
    /// PF2xx: the header.
    Header,
    /// PF32x: the audience.
    Audience,
    /// PF40x: the signature.
    Signature,
    /// PF33x, PF34x: the times.
    Time,
    /// PF31x: the user.
    Subject,
    /// Anything else.
    Other,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 9] = [
        Stage::Structure,
        Stage::Issuer,
        Stage::Host,
        Stage::Header,
        Stage::Audience,
        Stage::Signature,
        Stage::Time,
        Stage::Subject,
        Stage::Other,
    ];

    /// The stage a finding belongs to.
    pub fn of(f: &Finding) -> Stage {
        if f.is(Code::PF328) || f.is(Code::PF329) {
            return Stage::Host;
        }
        match f.rule.group {
            CheckGroup::Structure => Stage::Structure,
            CheckGroup::Issuer => Stage::Issuer,
            CheckGroup::Header => Stage::Header,
            CheckGroup::Audience => Stage::Audience,
            CheckGroup::Signature => Stage::Signature,
            CheckGroup::Time => Stage::Time,
            CheckGroup::Subject => Stage::Subject,
            _ => Stage::Other,
        }
    }
}

/// Answers one request.
pub fn handle(req: &Request, orgs: &[ServedOrg], now: DateTime<Utc>) -> Exchange {
    let (path, query) = match req.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (req.target.as_str(), None),
    };
    let mut exchange = Exchange {
        at: now,
        kind: ExchangeKind::NotFound,
        client: req.user_agent.clone(),
        method: req.method.clone(),
        url: shown_url(req, path, None),
        org: None,
        org_pair: None,
        report: None,
        decision: None,
        reply: not_found(),
    };
    if let Some(site_path) = path.strip_suffix(TOKEN_PATH).filter(|p| is_site_path(p)) {
        exchange.kind = ExchangeKind::Token;
        let login_url = format!("{}{}", req.origin, site_path);
        token_request(req, &login_url, orgs, now, &mut exchange);
    } else if let Some(reply) = follow_up(&req.method, path, query, &req.origin) {
        exchange.kind = ExchangeKind::FollowUp;
        exchange.url = shown_url(req, path, query);
        exchange.reply = reply;
    }
    exchange
}

/// Whether what comes before `/services/oauth2/token` can be an Experience Cloud site's path
/// (`/customers`): short, plain characters. Anything else is no token endpoint, and never
/// reaches the rules as part of a login URL.
fn is_site_path(p: &str) -> bool {
    p.is_empty()
        || (p.starts_with('/')
            && p.len() <= 100
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.')))
}

/// The URL as every record shows it: percent-decoded (a query reads as the SOQL it is), and,
/// since the path and query are the client's to choose, with any token's signature hidden,
/// however its dots were encoded.
fn shown_url(req: &Request, path: &str, query: Option<&str>) -> String {
    let raw = match query {
        Some(q) => format!("{}{path}?{q}", req.origin),
        None => format!("{}{path}", req.origin),
    };
    let decoded = percent_encoding::percent_decode_str(&raw).decode_utf8_lossy();
    let mut shown = crate::text::redact_signatures(&decoded);
    // The signature of a token the client sent in the body or the query is hidden wherever
    // else it shows, in whatever shape.
    let sent_query = req.target.split_once('?').map(|(_, q)| q);
    for sig in sent_signatures(req, sent_query) {
        shown = shown.replace(&sig, "<signature hidden>");
    }
    shown
}

/// The signatures of the signed compact JWSs (`eyJ…` headers) in the request's form body and
/// query.
fn sent_signatures(req: &Request, query: Option<&str>) -> Vec<String> {
    form_urlencoded::parse(&req.body)
        .chain(form_urlencoded::parse(query.unwrap_or("").as_bytes()))
        .map(|(_, v)| token::parse(&v))
        .filter(|t| {
            t.is_three_segments() && t.header_b64.starts_with("eyJ") && t.signature_b64.len() >= 8
        })
        .map(|t| t.signature_b64)
        .collect()
}

/// A token request: the request's shape first, then the assertion through `check`.
fn token_request(
    req: &Request,
    login_url: &str,
    orgs: &[ServedOrg],
    now: DateTime<Utc>,
    exchange: &mut Exchange,
) {
    let assertion = match read_form(req) {
        Ok(a) => a,
        Err((error, description, why)) => {
            exchange.decision = Some(Decision::Request(why));
            exchange.reply = oauth_error(error, description);
            return;
        }
    };
    let token = token::parse(&assertion);
    let Some(org) = choose_org(orgs, token.claims.as_ref()) else {
        exchange.decision = Some(Decision::Request("this server stands for no org".into()));
        exchange.reply = oauth_error("invalid_client_id", "client identifier invalid");
        return;
    };
    let mut expectations = org.expectations.clone();
    expectations.login_url = login_url.to_string();
    let extra: Vec<Finding> = host_serves_org(login_url, &org.expectations.login_url)
        .into_iter()
        .collect();
    let report = check::run(&CheckInput {
        key: None,
        key_mode: None,
        cert: org.cert.as_ref(),
        assertion: AssertionInput::Given {
            text: assertion,
            source: AssertionSource::Received,
        },
        expectations: &expectations,
        now,
        strict: false,
        clock: None,
        extra,
    });
    exchange.org = Some(org.name.clone());
    exchange.org_pair = Some((org.expectations.login_url.clone(), org_audience(org)));
    let Ok(mut report) = report else {
        // `check::run` fails only when it has nothing to check, which a given assertion
        // never is; answer as Salesforce does for a token it cannot read.
        exchange.decision = Some(Decision::Request(
            "the assertion could not be checked".into(),
        ));
        exchange.reply = oauth_error("invalid_grant", "invalid assertion");
        return;
    };
    // The key and certificate rules judge the setup, not this request: serve reports them
    // once, when it starts.
    let setup = |g: CheckGroup| {
        matches!(
            g,
            CheckGroup::KeyCertMatch | CheckGroup::Key | CheckGroup::Certificate
        )
    };
    report.findings.retain(|f| !setup(f.rule.group));
    report.checks.retain(|c| {
        !CheckGroup::ALL
            .iter()
            .any(|g| setup(*g) && g.as_str() == c.name)
    });
    report.certificate = None;
    let decisive = first_error(&report.findings);
    exchange.reply = match decisive {
        Some(f) => reply_for(f),
        None => success(req, login_url, org, now),
    };
    exchange.decision = Some(match decisive {
        Some(f) => Decision::Finding(f.rule.id),
        None => Decision::Accepted,
    });
    exchange.report = Some(report);
}

/// The first error finding in the order of [`Stage`] (the report's own order within one).
pub fn first_error(findings: &[Finding]) -> Option<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .min_by_key(|f| Stage::of(f))
}

/// The assertion in a JWT bearer token request's body, or the OAuth error for a request that
/// is not one (RFC 6749 §5.2, with Salesforce's descriptions where they are known).
fn read_form(req: &Request) -> Result<String, (&'static str, String, String)> {
    if !req.method.eq_ignore_ascii_case("POST") {
        return Err((
            "invalid_request",
            "must use HTTP POST".into(),
            format!("the token endpoint takes POST, not {}", req.method),
        ));
    }
    let form = req.content_type.as_deref().is_some_and(|ct| {
        ct.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if !form {
        return Err((
            "unsupported_grant_type",
            "grant type not supported".into(),
            format!(
                "the body is not form-encoded (Content-Type: {}); Salesforce reads grant_type only from application/x-www-form-urlencoded",
                req.content_type
                    .as_deref()
                    .map_or("none".into(), crate::text::escape_controls)
            ),
        ));
    }
    let mut grant_types = Vec::new();
    let mut assertions = Vec::new();
    for (k, v) in form_urlencoded::parse(&req.body) {
        match k.as_ref() {
            "grant_type" => grant_types.push(v.into_owned()),
            "assertion" => assertions.push(v.into_owned()),
            _ => {}
        }
    }
    match grant_types.as_slice() {
        [g] if g == JWT_BEARER => {}
        [] => {
            return Err((
                "unsupported_grant_type",
                "grant type not supported".into(),
                "the body has no grant_type".into(),
            ));
        }
        [g] => {
            return Err((
                "unsupported_grant_type",
                "grant type not supported".into(),
                format!("grant_type is {}, not {JWT_BEARER}", shown_grant_type(g)),
            ));
        }
        _ => {
            return Err((
                "invalid_request",
                "grant_type is repeated".into(),
                "the body repeats grant_type".into(),
            ));
        }
    }
    match assertions.len() {
        1 => Ok(assertions.pop().unwrap_or_default()),
        0 => Err((
            "invalid_request",
            "assertion is missing".into(),
            "the body has no assertion".into(),
        )),
        _ => Err((
            "invalid_request",
            "assertion is repeated".into(),
            "the body repeats assertion".into(),
        )),
    }
}

/// A grant type as a message may quote it: the real ones (`password`, `refresh_token`, URNs)
/// are short and have no dot; anything else may hold a token, and is only measured.
fn shown_grant_type(g: &str) -> String {
    if g.len() <= 64 && !g.contains('.') {
        format!("'{}'", crate::text::escape_controls(g))
    } else {
        format!(
            "{} characters long (not shown: it may hold a token)",
            g.chars().count()
        )
    }
}

/// The org the assertion is for: by iss, then among those by sub; else by sub alone; else
/// the first (whose expectations then say what is wrong).
fn choose_org<'a>(orgs: &'a [ServedOrg], claims: Option<&Object>) -> Option<&'a ServedOrg> {
    let text = |name: &str| {
        claims
            .and_then(|c| c.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (iss, sub) = (text("iss"), text("sub"));
    let by_iss: Vec<&ServedOrg> = orgs
        .iter()
        .filter(|o| o.expectations.client_id.is_some() && o.expectations.client_id == iss)
        .collect();
    let by_sub =
        |o: &&ServedOrg| o.expectations.username.is_some() && o.expectations.username == sub;
    by_iss
        .iter()
        .copied()
        .find(by_sub)
        .or_else(|| by_iss.first().copied())
        .or_else(|| orgs.iter().find(by_sub))
        .or_else(|| orgs.first())
}

/// The audience that works for this org: its `--audience`, or its login URL's origin.
fn org_audience(org: &ServedOrg) -> String {
    org.expectations.audience.clone().unwrap_or_else(|| {
        SimpleUrl::parse(&org.expectations.login_url)
            .map(|u| u.canonical_origin())
            .unwrap_or_else(|| org.expectations.login_url.clone())
    })
}

/// PF329 when the login host the request reached cannot serve the org that lives at `home`:
/// the other environment, or another My Domain.
pub fn host_serves_org(login_url: &str, home: &str) -> Option<Finding> {
    let posted = SimpleUrl::parse(login_url)?;
    let home_url = SimpleUrl::parse(home)?;
    let (pk, hk) = (
        salesforce::classify_host(&posted.host),
        salesforce::classify_host(&home_url.host),
    );
    let env = |e: Environment| e.as_str();
    if let (HostKind::MyDomain { name: a, .. }, HostKind::MyDomain { name: b, .. }) = (&pk, &hk)
        && a != b
    {
        return Some(Finding::new(
            Code::PF329,
            format!(
                "the request reached the My Domain {} but this org lives at {} (--login-url)",
                posted.host, home_url.host
            ),
        ));
    }
    match (pk.environment(), hk.environment()) {
        (Some(p), Some(h)) if p != h => Some(Finding::new(
            Code::PF329,
            format!(
                "the request reached {} ({}) but this org is a {} org (--login-url {}); its users are unknown there",
                posted.host,
                env(p),
                env(h),
                crate::text::escape_controls(home)
            ),
        )),
        _ => None,
    }
}

/// The error reply a finding predicts, from its catalog row. Where the catalog knows only the
/// `error` code, or nothing, the description names the rule and says it is not Salesforce's.
fn reply_for(f: &Finding) -> Reply {
    let unknown = || {
        format!(
            "{} {} (jwt-preflight serve: Salesforce's own description is not known)",
            f.rule.code, f.rule.name
        )
    };
    match f.rule.salesforce {
        Some(r) => oauth_error(
            r.error,
            r.error_description
                .map(str::to_string)
                .unwrap_or_else(unknown),
        ),
        None => oauth_error("invalid_grant", unknown()),
    }
}

/// `{"error": …, "error_description": …}` with status 400, as Salesforce sends it.
fn oauth_error(error: &str, description: impl Into<String>) -> Reply {
    Reply {
        status: 400,
        body: json!({"error": error, "error_description": description.into()}),
    }
}

/// A Salesforce-shaped token response whose token is visibly fake.
fn success(req: &Request, login_url: &str, org: &ServedOrg, now: DateTime<Utc>) -> Reply {
    let origin = SimpleUrl::parse(login_url)
        .map(|u| u.canonical_origin())
        .unwrap_or_else(|| req.origin.clone());
    // Salesforce answers with the org's My Domain; the follow-up calls go there.
    let instance_url = req.direct_origin.clone().unwrap_or_else(|| {
        let home = SimpleUrl::parse(&org.expectations.login_url);
        match home {
            Some(h)
                if matches!(
                    salesforce::classify_host(&h.host),
                    HostKind::MyDomain { .. }
                ) =>
            {
                h.canonical_origin()
            }
            _ => origin.clone(),
        }
    });
    Reply {
        status: 200,
        body: json!({
            "access_token": FAKE_ACCESS_TOKEN,
            "scope": "api",
            "instance_url": instance_url,
            "id": format!("{origin}/id/{FAKE_ORG_ID}/{FAKE_USER_ID}"),
            "token_type": "Bearer",
            "issued_at": now.timestamp_millis().to_string(),
        }),
    }
}

/// The REST calls `sf org login jwt` makes after the token (sfdx-core `AuthInfo` and
/// `Connection`): the API versions, then two queries. `None` for anything else.
fn follow_up(method: &str, path: &str, query: Option<&str>, origin: &str) -> Option<Reply> {
    if !method.eq_ignore_ascii_case("GET") {
        return None;
    }
    let path = path.strip_suffix('/').unwrap_or(path);
    if path == "/services/data" {
        let versions: Vec<Value> = API_VERSIONS
            .iter()
            .map(|(label, v)| json!({"label": label, "url": format!("/services/data/v{v}"), "version": v}))
            .collect();
        return Some(Reply {
            status: 200,
            body: Value::Array(versions),
        });
    }
    let version = path
        .strip_prefix("/services/data/v")?
        .strip_suffix("/query")?;
    if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let soql = query
        .into_iter()
        .flat_map(|q| form_urlencoded::parse(q.as_bytes()))
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let from = |object: &str| {
        soql.split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0] == "from" && w[1] == object)
    };
    if from("organization") {
        let sandbox = SimpleUrl::parse(origin)
            .and_then(|u| salesforce::classify_host(&u.host).environment())
            == Some(Environment::Sandbox);
        return Some(Reply {
            status: 200,
            body: json!({
                "totalSize": 1,
                "done": true,
                "records": [{
                    "attributes": {
                        "type": "Organization",
                        "url": format!("/services/data/v{version}/sobjects/Organization/{FAKE_ORG_ID}"),
                    },
                    "Id": FAKE_ORG_ID,
                    "Name": "jwt-preflight serve",
                    "InstanceName": "JWTP1",
                    "IsSandbox": sandbox,
                    "TrialExpirationDate": null,
                    "NamespacePrefix": null,
                    "OrganizationType": "Developer Edition",
                }],
            }),
        });
    }
    // ScratchOrgInfo exists only in a Dev Hub: refusing it tells the CLI this org is not one.
    let object = if from("scratchorginfo") {
        "ScratchOrgInfo"
    } else {
        "this object"
    };
    Some(Reply {
        status: 400,
        body: json!([{
            "message": format!("sObject type '{object}' is not supported. (jwt-preflight serve answers only the queries `sf org login jwt` makes after the token)"),
            "errorCode": "INVALID_TYPE",
        }]),
    })
}

/// The 404 for every path but the token endpoint and the follow-ups.
fn not_found() -> Reply {
    Reply {
        status: 404,
        body: json!([{
            "errorCode": "NOT_FOUND",
            "message": "jwt-preflight serve emulates only the OAuth 2.0 JWT bearer token flow (POST /services/oauth2/token) and the calls `sf org login jwt` makes after it",
        }]),
    }
}

/// Consecutive token requests are one login attempt when they come from the same client for
/// the same iss and sub, less than this many seconds apart (the sf CLI's pairs follow each
/// other at once).
pub const ATTEMPT_GAP_SECS: i64 = 5;

/// One (host, aud) pair a client tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The login URL posted to.
    pub host: String,
    /// The aud sent (as text), when there was one.
    pub aud: Option<String>,
    /// The reply's status.
    pub status: u16,
    /// `error: description` of the reply, or `ok`.
    pub reply: String,
    /// The rule that decided a refusal.
    pub decided_by: Option<Code>,
    /// The first error outside the audience and host rules, if any: no pair can fix it.
    pub blocking: Option<Code>,
}

/// One client's login over several (host, aud) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptSummary {
    /// The `User-Agent`.
    pub client: Option<String>,
    /// iss and sub, as sent.
    pub iss: Option<String>,
    /// The user.
    pub sub: Option<String>,
    /// Each pair, in order.
    pub attempts: Vec<Attempt>,
    /// The pair that worked, or would have: `(host, aud, tried)`.
    pub worked: Option<(String, String, bool)>,
    /// When no pair would have worked: the error every pair also has.
    pub blocking: Option<Code>,
}

#[derive(Debug, Clone)]
struct Group {
    key: (Option<String>, Option<String>, Option<String>),
    last: DateTime<Utc>,
    pair: Option<(String, String)>,
    attempts: Vec<Attempt>,
}

/// The summaries one recorded exchange completes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The previous login, which this exchange ended by starting another.
    pub before: Option<AttemptSummary>,
    /// This exchange's own login, which it ended by succeeding.
    pub with: Option<AttemptSummary>,
}

/// Groups token requests into login attempts, and says, for a client that tried several
/// pairs, which one worked or would have.
#[derive(Debug, Clone, Default)]
pub struct Attempts {
    current: Option<Group>,
}

impl Attempts {
    /// A new, empty grouping.
    pub fn new() -> Self {
        Attempts::default()
    }

    /// Records a token exchange. A login ends when another client (or iss, or sub) starts, after
    /// a pause, or with a success; the summary of one that tried more than one pair is
    /// returned: `before` the exchange (the previous login it ended) or `with` it (its own).
    pub fn record(&mut self, e: &Exchange) -> Recorded {
        self.record_at(e, e.at)
    }

    /// [`record`](Self::record), with the instant the request arrived by the real clock: the
    /// one the pauses between requests are measured by, whatever `--now` pins the rules to.
    pub fn record_at(&mut self, e: &Exchange, arrived: DateTime<Utc>) -> Recorded {
        if e.kind != ExchangeKind::Token {
            return Recorded::default();
        }
        let key = (e.client.clone(), e.claim("iss"), e.claim("sub"));
        let continues = self
            .current
            .as_ref()
            .is_some_and(|g| g.key == key && (arrived - g.last).num_seconds() < ATTEMPT_GAP_SECS);
        let before = if continues {
            None
        } else {
            self.current.take().and_then(summarize)
        };
        let group = self.current.get_or_insert_with(|| Group {
            key,
            last: arrived,
            pair: e.org_pair.clone(),
            attempts: Vec::new(),
        });
        group.last = arrived;
        group.attempts.push(attempt(e));
        let with = if e.reply.status < 400 {
            self.current.take().and_then(summarize)
        } else {
            None
        };
        Recorded { before, with }
    }

    /// Ends a group that has been quiet for [`ATTEMPT_GAP_SECS`].
    pub fn idle(&mut self, now: DateTime<Utc>) -> Option<AttemptSummary> {
        let quiet = self
            .current
            .as_ref()
            .is_some_and(|g| (now - g.last).num_seconds() >= ATTEMPT_GAP_SECS);
        if quiet {
            self.current.take().and_then(summarize)
        } else {
            None
        }
    }

    /// Ends the current group (the server is stopping).
    pub fn finish(&mut self) -> Option<AttemptSummary> {
        self.current.take().and_then(summarize)
    }
}

fn attempt(e: &Exchange) -> Attempt {
    let reply = if e.reply.status < 400 {
        "ok".to_string()
    } else {
        let field = |k: &str| e.reply.body.get(k).and_then(Value::as_str).unwrap_or("");
        format!("{}: {}", field("error"), field("error_description"))
    };
    let blocking = e.report.as_ref().and_then(|r| {
        r.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .find(|f| !matches!(Stage::of(f), Stage::Audience | Stage::Host))
            .map(|f| f.rule.id)
    });
    Attempt {
        host: e.url.strip_suffix(TOKEN_PATH).unwrap_or(&e.url).to_string(),
        aud: e.claim("aud"),
        status: e.reply.status,
        reply,
        decided_by: match &e.decision {
            Some(Decision::Finding(c)) => Some(*c),
            _ => None,
        },
        blocking,
    }
}

/// The summary of a group, when it tried more than one pair.
fn summarize(g: Group) -> Option<AttemptSummary> {
    if g.attempts.len() < 2 {
        return None;
    }
    let (client, iss, sub) = g.key;
    let worked = g
        .attempts
        .iter()
        .find(|a| a.status < 400)
        .map(|a| (a.host.clone(), a.aud.clone().unwrap_or_default(), true));
    let blocking = g.attempts.iter().find_map(|a| a.blocking);
    let worked = worked.or_else(|| {
        // Every pair failed on the audience or the host alone: the org's own login URL, as
        // host and aud, is the pair that works (sfdx-core tries it first for a My Domain).
        let only_pairs = blocking.is_none() && g.attempts.iter().all(|a| a.decided_by.is_some());
        g.pair
            .clone()
            .filter(|_| only_pairs)
            .map(|(host, aud)| (host, aud, false))
    });
    Some(AttemptSummary {
        client,
        iss,
        sub,
        attempts: g.attempts,
        blocking: if worked.is_some() { None } else { blocking },
        worked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assertion;
    use crate::material::{read_certificate, read_private_key};
    use crate::signature::Alg;

    const NOW: i64 = 1_790_000_000;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(NOW, 0).expect("instant")
    }

    fn org() -> ServedOrg {
        let cert =
            read_certificate("server.crt", include_bytes!("../testdata/server.crt")).expect("cert");
        ServedOrg {
            name: "prod".into(),
            expectations: Expectations {
                client_id: Some("3MVG9good".into()),
                username: Some("ci@acme.com".into()),
                ..Expectations::default()
            },
            cert: Some(cert),
        }
    }

    fn signed(iss: &str, sub: &str, aud: &str, exp: i64, key: &[u8]) -> String {
        let key = read_private_key("k", key, &mut crate::material::no_passphrase).expect("key");
        let claims = assertion::claims(iss, sub, aud, exp);
        assertion::sign(key.rsa().expect("rsa"), Alg::RS256, &claims).expect("sign")
    }

    fn good_key() -> &'static [u8] {
        include_bytes!("../testdata/server.key")
    }

    fn post(origin: &str, body: String) -> Request {
        Request {
            method: "POST".into(),
            origin: origin.into(),
            direct_origin: None,
            target: TOKEN_PATH.into(),
            content_type: Some("application/x-www-form-urlencoded".into()),
            user_agent: Some("test-client/1".into()),
            body: body.into_bytes(),
        }
    }

    fn form(assertion: &str) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", JWT_BEARER)
            .append_pair("assertion", assertion)
            .finish()
    }

    fn token_post(aud: &str, origin: &str, exp: i64) -> Exchange {
        let t = signed("3MVG9good", "ci@acme.com", aud, exp, good_key());
        handle(&post(origin, form(&t)), &[org()], now())
    }

    fn error_of(e: &Exchange) -> (u16, String, String) {
        let f = |k: &str| e.reply.body[k].as_str().unwrap_or("").to_string();
        (e.reply.status, f("error"), f("error_description"))
    }

    const LOGIN: &str = "https://login.salesforce.com";

    #[test]
    fn a_good_assertion_gets_a_salesforce_shaped_token() {
        let e = token_post(LOGIN, LOGIN, NOW + 180);
        assert_eq!(e.reply.status, 200, "{:?}", e.report.map(|r| r.findings));
        assert_eq!(e.reply.body["access_token"], FAKE_ACCESS_TOKEN);
        assert_eq!(e.reply.body["token_type"], "Bearer");
        assert_eq!(e.reply.body["instance_url"], LOGIN);
        assert_eq!(
            e.reply.body["id"],
            format!("{LOGIN}/id/{FAKE_ORG_ID}/{FAKE_USER_ID}")
        );
        assert_eq!(e.reply.body["issued_at"], (NOW * 1000).to_string());
        assert_eq!(e.decision, Some(Decision::Accepted));
        assert_eq!(e.org.as_deref(), Some("prod"));
        // The report never holds the certificate's findings, only the request's.
        let r = e.report.expect("report");
        assert!(r.certificate.is_none());
        assert!(r.checks.iter().all(|c| c.name != "certificate"));
    }

    #[test]
    fn each_main_failure_gets_its_catalog_reply() {
        let cases = [
            // Expired.
            (
                token_post(LOGIN, LOGIN, NOW - 60),
                "invalid_grant",
                "expired authorization code",
                Code::PF334,
            ),
            // aud test posted to login.
            (
                token_post("https://test.salesforce.com", LOGIN, NOW + 180),
                "invalid_grant",
                "audience is invalid",
                Code::PF323,
            ),
        ];
        for (e, error, description, code) in cases {
            assert_eq!(error_of(&e), (400, error.into(), description.into()));
            assert_eq!(e.decision, Some(Decision::Finding(code)));
        }
        let other = signed(
            "3MVG9good",
            "ci@acme.com",
            LOGIN,
            NOW + 180,
            include_bytes!("../testdata/other.key"),
        );
        let e = handle(&post(LOGIN, form(&other)), &[org()], now());
        assert_eq!(
            error_of(&e),
            (400, "invalid_grant".into(), "invalid assertion".into())
        );
        // The server holds only the certificate: the signature fails, whose key it was is unknown.
        assert_eq!(e.decision, Some(Decision::Finding(Code::PF401)));
        let unknown_iss = signed("3MVG9other", "ci@acme.com", LOGIN, NOW + 180, good_key());
        let e = handle(&post(LOGIN, form(&unknown_iss)), &[org()], now());
        assert_eq!(
            error_of(&e),
            (
                400,
                "invalid_client_id".into(),
                "client identifier invalid".into()
            )
        );
        let unknown_sub = signed("3MVG9good", "nobody@acme.com", LOGIN, NOW + 180, good_key());
        let e = handle(&post(LOGIN, form(&unknown_sub)), &[org()], now());
        assert_eq!(
            error_of(&e),
            (
                400,
                "invalid_grant".into(),
                "user hasn't approved this consumer".into()
            )
        );
    }

    #[test]
    fn the_first_error_follows_the_written_order() {
        // Expired, wrong audience and signed by another key at once: the audience decides.
        let t = signed(
            "3MVG9good",
            "nobody@acme.com",
            "https://test.salesforce.com",
            NOW - 60,
            include_bytes!("../testdata/other.key"),
        );
        let e = handle(&post(LOGIN, form(&t)), &[org()], now());
        assert_eq!(e.decision, Some(Decision::Finding(Code::PF323)));
        let stages: Vec<Stage> = Stage::ALL.to_vec();
        let mut sorted = stages.clone();
        sorted.sort();
        assert_eq!(stages, sorted, "Stage::ALL is in precedence order");
    }

    #[test]
    fn the_request_shape_is_checked_before_the_assertion() {
        let mut r = post(LOGIN, form("a.b.c"));
        r.method = "GET".into();
        assert_eq!(
            error_of(&handle(&r, &[org()], now())),
            (400, "invalid_request".into(), "must use HTTP POST".into())
        );
        let mut r = post(LOGIN, form("a.b.c"));
        r.content_type = Some("application/json".into());
        assert_eq!(
            error_of(&handle(&r, &[org()], now())).1,
            "unsupported_grant_type"
        );
        let r = post(LOGIN, "grant_type=password&username=x".into());
        assert_eq!(
            error_of(&handle(&r, &[org()], now())),
            (
                400,
                "unsupported_grant_type".into(),
                "grant type not supported".into()
            )
        );
        let r = post(LOGIN, format!("grant_type={JWT_BEARER}"));
        assert_eq!(error_of(&handle(&r, &[org()], now())).1, "invalid_request");
        let r = post(
            LOGIN,
            format!("grant_type={JWT_BEARER}&assertion=a&assertion=b"),
        );
        assert_eq!(error_of(&handle(&r, &[org()], now())).1, "invalid_request");
        // A charset parameter is fine; a malformed token is the structure rules' business.
        let mut r = post(LOGIN, form("not a token"));
        r.content_type = Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8".into());
        let e = handle(&r, &[org()], now());
        assert_eq!(
            error_of(&e),
            (400, "invalid_grant".into(), "invalid assertion".into())
        );
        assert_eq!(e.decision, Some(Decision::Finding(Code::PF101)));
    }

    #[test]
    fn the_other_environment_and_another_my_domain_do_not_serve_the_org() {
        let e = token_post(
            "https://test.salesforce.com",
            "https://test.salesforce.com",
            NOW + 180,
        );
        assert_eq!(e.decision, Some(Decision::Finding(Code::PF329)));
        assert_eq!(error_of(&e).2, "user hasn't approved this consumer");
        let mut o = org();
        o.expectations.login_url = "https://acme.my.salesforce.com".into();
        let t = signed(
            "3MVG9good",
            "ci@acme.com",
            "https://other.my.salesforce.com",
            NOW + 180,
            good_key(),
        );
        let e = handle(
            &post("https://other.my.salesforce.com", form(&t)),
            &[o.clone()],
            now(),
        );
        assert_eq!(e.decision, Some(Decision::Finding(Code::PF329)));
        // Its own My Domain and its environment's login server serve it.
        for host in ["https://acme.my.salesforce.com", LOGIN] {
            let t = signed("3MVG9good", "ci@acme.com", host, NOW + 180, good_key());
            let e = handle(&post(host, form(&t)), &[o.clone()], now());
            assert_eq!(
                e.reply.status,
                200,
                "{host}: {:?}",
                e.report.map(|r| r.findings)
            );
            // The My Domain is the instance the follow-ups go to.
            assert_eq!(
                e.reply.body["instance_url"],
                "https://acme.my.salesforce.com"
            );
        }
    }

    #[test]
    fn an_experience_cloud_site_path_is_part_of_the_login_url() {
        let mut o = org();
        o.expectations.login_url = "https://acme.my.site.com/customers".into();
        let t = signed(
            "3MVG9good",
            "ci@acme.com",
            "https://acme.my.site.com/customers",
            NOW + 180,
            good_key(),
        );
        let mut r = post("https://acme.my.site.com", form(&t));
        r.target = format!("/customers{TOKEN_PATH}");
        let e = handle(&r, &[o], now());
        assert_eq!(e.reply.status, 200, "{:?}", e.report.map(|r| r.findings));
    }

    #[test]
    fn only_a_plain_short_prefix_is_a_site_path() {
        let mut r = post(LOGIN, String::new());
        for (prefix, token) in [
            ("", true),
            ("/customers", true),
            ("/a-b_c.d/e", true),
            ("/x?y", false),
            ("/with space", false),
            ("no-slash", false),
        ] {
            r.target = format!("{prefix}{TOKEN_PATH}");
            let kind = handle(&r, &[org()], now()).kind;
            assert_eq!(kind == ExchangeKind::Token, token, "{prefix:?}");
        }
        r.target = format!("/{}{TOKEN_PATH}", "a".repeat(100));
        assert_eq!(handle(&r, &[org()], now()).kind, ExchangeKind::NotFound);
    }

    #[test]
    fn the_org_is_chosen_by_iss_then_sub() {
        let mut uat = org();
        uat.name = "uat".into();
        uat.expectations.username = Some("ci@acme.com.uat".into());
        uat.expectations.login_url = "https://test.salesforce.com".into();
        let t = signed(
            "3MVG9good",
            "ci@acme.com.uat",
            "https://test.salesforce.com",
            NOW + 180,
            good_key(),
        );
        let e = handle(
            &post("https://test.salesforce.com", form(&t)),
            &[org(), uat],
            now(),
        );
        assert_eq!(e.org.as_deref(), Some("uat"));
        assert_eq!(e.reply.status, 200);
        assert!(handle(&post(LOGIN, form(&t)), &[], now()).reply.status == 400);
    }

    #[test]
    fn the_sf_cli_follow_ups_are_answered_and_the_rest_is_404() {
        let get = |target: &str| Request {
            method: "GET".into(),
            target: target.into(),
            content_type: None,
            body: Vec::new(),
            ..post(LOGIN, String::new())
        };
        let e = handle(&get("/services/data"), &[org()], now());
        assert_eq!((e.kind, e.reply.status), (ExchangeKind::FollowUp, 200));
        assert!(e.reply.body.as_array().is_some_and(|v| !v.is_empty()));
        let e = handle(
            &get("/services/data/v66.0/query?q=SELECT%20Name%2C%20IsSandbox%20FROM%20Organization"),
            &[org()],
            now(),
        );
        assert_eq!(e.reply.status, 200);
        assert_eq!(e.reply.body["records"][0]["Id"], FAKE_ORG_ID);
        assert_eq!(e.reply.body["records"][0]["IsSandbox"], false);
        let e = handle(
            &get("/services/data/v51.0/query?q=SELECT+Id+FROM+ScratchOrgInfo+limit+1"),
            &[org()],
            now(),
        );
        assert_eq!(e.reply.status, 400);
        assert_eq!(e.reply.body[0]["errorCode"], "INVALID_TYPE");
        for target in [
            "/",
            "/services/oauth2/userinfo",
            "/services/data/vX/query",
            "/services/data/v1/sobjects",
        ] {
            let e = handle(&get(target), &[org()], now());
            assert_eq!(
                (e.kind, e.reply.status),
                (ExchangeKind::NotFound, 404),
                "{target}"
            );
        }
    }

    fn exchange_at(at: i64, aud: &str, status: u16, decided: Option<Code>) -> Exchange {
        let t = signed("3MVG9good", "ci@acme.com", aud, NOW + 180, good_key());
        let mut e = handle(&post(LOGIN, form(&t)), &[org()], now());
        e.at = DateTime::from_timestamp(at, 0).expect("instant");
        e.reply.status = status;
        e.decision = decided.map(Decision::Finding);
        e
    }

    #[test]
    fn several_pairs_from_one_client_make_one_summary() {
        let mut a = Attempts::new();
        let nothing = Recorded::default();
        assert_eq!(
            a.record(&exchange_at(
                NOW,
                "https://a.my.salesforce.com",
                400,
                Some(Code::PF323)
            )),
            nothing
        );
        assert_eq!(
            a.record(&exchange_at(
                NOW + 1,
                "https://test.salesforce.com",
                400,
                Some(Code::PF323)
            )),
            nothing
        );
        let r = a.record(&exchange_at(NOW + 2, LOGIN, 200, None));
        assert!(r.before.is_none());
        let s = r.with.expect("a success ends the login");
        assert_eq!(s.attempts.len(), 3);
        assert_eq!(s.worked, Some((LOGIN.to_string(), LOGIN.to_string(), true)));
        // One request alone is no summary; a quiet group ends at idle.
        assert_eq!(
            a.record(&exchange_at(NOW + 100, "https://x", 400, Some(Code::PF322))),
            nothing
        );
        assert!(
            a.idle(DateTime::from_timestamp(NOW + 101, 0).expect("t"))
                .is_none()
        );
        assert_eq!(
            a.record(&exchange_at(NOW + 102, "https://y", 400, Some(Code::PF322))),
            nothing
        );
        let s = a
            .idle(DateTime::from_timestamp(NOW + 102 + ATTEMPT_GAP_SECS, 0).expect("t"))
            .expect("idle");
        // Both failed on the audience alone: the org's own pair would have worked.
        assert_eq!(
            s.worked,
            Some((LOGIN.to_string(), LOGIN.to_string(), false))
        );
        assert!(a.finish().is_none());
        // Another user's request ends the login before it.
        a.record(&exchange_at(NOW + 200, "https://x", 400, Some(Code::PF322)));
        a.record(&exchange_at(NOW + 201, "https://y", 400, Some(Code::PF322)));
        let mut other = exchange_at(NOW + 202, LOGIN, 400, Some(Code::PF322));
        other.client = Some("another/1".into());
        let r = a.record(&other);
        assert_eq!(r.before.map(|s| s.attempts.len()), Some(2));
        assert!(r.with.is_none());
    }
}
