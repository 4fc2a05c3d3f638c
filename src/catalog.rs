//! The rule catalog: the single source of every code, name, severity, summary, fix and predicted
//! Salesforce reply. Checks, `explain`, `rules`, the README table and the docs all read this table,
//! so a rule is described in exactly one place.

use serde::Serialize;
use std::fmt;

/// How bad a finding is (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails.
    Info,
    /// Breaks a rule Salesforce tolerates, or a risk that will bite later.
    Warning,
    /// Salesforce rejects this, or the setup is unsafe enough to refuse.
    Error,
}

impl Severity {
    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The group a rule reports under in the `checks` list of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckGroup {
    /// PF1xx: the token's compact serialization.
    Structure,
    /// PF2xx: the JOSE header.
    Header,
    /// PF30x: `iss`.
    Issuer,
    /// PF31x: `sub` / `prn`.
    Subject,
    /// PF32x: `aud`.
    Audience,
    /// PF33x, PF34x: `exp`, `nbf`, `iat`, `jti`.
    Time,
    /// PF40x: the signature.
    Signature,
    /// PF501: the key belongs to the certificate.
    KeyCertMatch,
    /// PF502–PF506: the private key.
    Key,
    /// PF511–PF515: the certificate.
    Certificate,
    /// PF6xx: the local clock against the login server's.
    Clock,
}

impl CheckGroup {
    /// Every group, in report order.
    pub const ALL: [CheckGroup; 11] = [
        CheckGroup::Structure,
        CheckGroup::Header,
        CheckGroup::Issuer,
        CheckGroup::Subject,
        CheckGroup::Audience,
        CheckGroup::Time,
        CheckGroup::Signature,
        CheckGroup::KeyCertMatch,
        CheckGroup::Key,
        CheckGroup::Certificate,
        CheckGroup::Clock,
    ];

    /// The stable name used in the `checks` list.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckGroup::Structure => "structure",
            CheckGroup::Header => "header",
            CheckGroup::Issuer => "issuer",
            CheckGroup::Subject => "subject",
            CheckGroup::Audience => "audience",
            CheckGroup::Time => "time",
            CheckGroup::Signature => "signature",
            CheckGroup::KeyCertMatch => "key-cert-match",
            CheckGroup::Key => "key",
            CheckGroup::Certificate => "certificate",
            CheckGroup::Clock => "clock",
        }
    }
}

/// What a rule's claim about Salesforce rests on. Only a rejection a standard requires, the
/// documentation states or someone has observed may be an error; what is inferred or
/// unconfirmed is a warning (it still fails under `--strict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// A MUST of RFC 7515, 7518, 7519, 7523 or 8017.
    Standard,
    /// Salesforce's documentation says so.
    Documented,
    /// A real reply quoted in an issue or thread, or a client whose live-org tests show it.
    Observed,
    /// Reasoned from the above; not shown directly.
    Inferred,
    /// No source either way.
    Unconfirmed,
}

impl Evidence {
    /// The lowercase word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Standard => "standard",
            Evidence::Documented => "documented",
            Evidence::Observed => "observed",
            Evidence::Inferred => "inferred",
            Evidence::Unconfirmed => "unconfirmed",
        }
    }

    /// Whether it is strong enough to call a rejection certain: standard, documented, observed.
    pub fn supports_error(self) -> bool {
        matches!(
            self,
            Evidence::Standard | Evidence::Documented | Evidence::Observed
        )
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `error` / `error_description` pair Salesforce is expected to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SalesforceReply {
    /// The OAuth `error` field.
    pub error: &'static str,
    /// The `error_description` field, when one is known.
    pub error_description: Option<&'static str>,
}

/// One rule of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The rule's typed code.
    pub id: Code,
    /// Stable code, `PF` and three digits.
    pub code: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    /// Default severity; a few rules raise or lower it per finding (PF204, PF332, PF601).
    pub severity: Severity,
    /// The check group the rule reports under.
    pub group: CheckGroup,
    /// One line: when the rule fires.
    pub summary: &'static str,
    /// What to do about it.
    pub fix: &'static str,
    /// Why it matters, in plain words, for `explain`.
    pub why: &'static str,
    /// What Salesforce answers when this reaches it, where that is known.
    pub salesforce: Option<SalesforceReply>,
    /// What the rule's claim rests on.
    pub evidence: Evidence,
    /// Where that evidence is: a URL, or a repository and path, in one line.
    pub source: &'static str,
}

const fn reply(error: &'static str, description: &'static str) -> Option<SalesforceReply> {
    Some(SalesforceReply {
        error,
        error_description: Some(description),
    })
}

const fn reply_bare(error: &'static str) -> Option<SalesforceReply> {
    Some(SalesforceReply {
        error,
        error_description: None,
    })
}

const INVALID_ASSERTION: Option<SalesforceReply> = reply("invalid_grant", "invalid assertion");
const AUDIENCE_INVALID: Option<SalesforceReply> = reply("invalid_grant", "audience is invalid");
const CLIENT_INVALID: Option<SalesforceReply> =
    reply("invalid_client_id", "client identifier invalid");
const EXPIRED: Option<SalesforceReply> = reply("invalid_grant", "expired authorization code");

use CheckGroup as G;
use Severity::{Error as E, Info as I, Warning as W};

/// Generates, from the one table below, the [`Code`] enum (the only way code names a rule, so
/// an unknown code cannot compile) and [`RULES`], in the same order, so that `Code as usize`
/// indexes the table.
macro_rules! catalog {
    ($($code:ident { $($field:ident: $value:expr),* $(,)? })*) => {
        /// A rule's code. Each variant is the code itself: `Code::PF403` is PF403.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[allow(clippy::upper_case_acronyms)]
        pub enum Code {
            $(
                #[doc = concat!("Rule ", stringify!($code), ".")]
                $code,
            )*
        }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as written: `PF403`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }
        }

        /// Every rule, in code order.
        pub static RULES: &[Rule] = &[
            $(Rule { id: Code::$code, code: stringify!($code), $($field: $value),* },)*
        ];
    };
}

impl Code {
    /// The rule this code names.
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

catalog! {
    PF101 {
        name: "token-not-three-segments",
        severity: E,
        group: G::Structure,
        summary: "the assertion is not exactly three dot-separated segments (five means a JWE)",
        fix: "Send a signed JWT in compact form, header.claims.signature: no encryption (JWE), no detached payload, nothing around the token.",
        why: "Salesforce reads the assertion as a compact JWS. Anything else cannot be decoded, so it is refused before the signature is even looked at.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7515 §7.1 (compact serialization): https://www.rfc-editor.org/rfc/rfc7515#section-7.1",
    }
    PF102 {
        name: "segment-not-base64url",
        severity: E,
        group: G::Structure,
        summary: "a segment has '+' or '/', whitespace, or bytes outside base64url ('=' padding alone is PF105)",
        fix: "Encode every segment as base64url without padding (RFC 7515 §2): '-' and '_' instead of '+' and '/', no '=' and no line breaks. Most JWT libraries do this; hand-rolled `base64` calls do not.",
        why: "JWS segments are base64url without padding. A token built with plain base64 or with padding may be rejected outright, and if the signature was computed over the other encoding it cannot verify.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7515 §2 (BASE64URL: no line breaks, whitespace or other characters): https://www.rfc-editor.org/rfc/rfc7515#section-2",
    }
    PF103 {
        name: "segment-not-json-object",
        severity: E,
        group: G::Structure,
        summary: "the header or the claims do not decode to a UTF-8 JSON object",
        fix: "Serialize the header and the claims as JSON objects (UTF-8) before base64url-encoding them.",
        why: "Both the header and the claims must be JSON objects; anything else cannot be read for alg, iss, sub, aud or exp.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7515 §4 and RFC 7519 §7.2 (header and claims are JSON objects): https://www.rfc-editor.org/rfc/rfc7519#section-7.2",
    }
    PF104 {
        name: "duplicate-json-member",
        severity: E,
        group: G::Structure,
        summary: "a member name appears twice in the header or the claims",
        fix: "Emit each claim and header parameter once. Build the claims as a map, not by concatenating strings.",
        why: "RFC 7515 lets a parser reject duplicates or keep either value; our reading and Salesforce's may not pick the same one, so nothing about the claims can be trusted.",
        salesforce: None,
        evidence: Evidence::Standard,
        source: "RFC 7519 §4 (claim names MUST be unique): https://www.rfc-editor.org/rfc/rfc7519#section-4",
    }
    PF105 {
        name: "segment-padded",
        severity: W,
        group: G::Structure,
        summary: "a segment ends in '=' padding, which JWS omits",
        fix: "Encode segments as base64url without padding: in Java, Base64.getUrlEncoder().withoutPadding(); in Python, base64.urlsafe_b64encode(b).rstrip(b'=').",
        why: "RFC 7515 omits base64url padding, and the signature covers the segments exactly as sent. Salesforce's own Java sample, ported with getUrlEncoder() alone, sends padding; whether Salesforce accepts it is not known.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Unconfirmed,
        source: "salesforce-evidence.md §13 (Salesforce's Java help-page sample with java.util.Base64.getUrlEncoder() sends '=' padding)",
    }
    PF201 {
        name: "alg-missing",
        severity: E,
        group: G::Header,
        summary: "the header has no `alg`",
        fix: "Use the header {\"alg\":\"RS256\"} (a \"typ\":\"JWT\" member is fine too).",
        why: "Without alg the signature cannot be checked at all.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7515 §4.1.1 (alg MUST be present): https://www.rfc-editor.org/rfc/rfc7515#section-4.1.1",
    }
    PF202 {
        name: "alg-not-rs256",
        severity: E,
        group: G::Header,
        summary: "`alg` is not the expected algorithm (RS256 unless --expect-alg says otherwise)",
        fix: "Sign with RS256 (RSA PKCS#1 v1.5 with SHA-256), the only algorithm Salesforce documents for the JWT bearer flow, and put \"alg\":\"RS256\" in the header.",
        why: "Salesforce documents RS256 only. RS384/RS512, PSS (PS256) and ECDSA (ES256) are accepted nowhere in its documentation, and a signature made with them fails as an invalid assertion.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm (header {\"alg\":\"RS256\"}; \"Salesforce requires that a JWT is signed using RSA SHA256\")",
    }
    PF203 {
        name: "alg-forbidden",
        severity: E,
        group: G::Header,
        summary: "`alg` is `none` or an HMAC algorithm (HS256…)",
        fix: "Sign with the RSA private key whose certificate is on the connected app, using RS256. Never use `none` or a shared secret: the consumer secret plays no part in this flow.",
        why: "An unsigned token or one signed with a shared secret can never be accepted, and it is the mark of an algorithm-confusion attempt.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm (signed with RSA SHA256 and the uploaded certificate)",
    }
    PF204 {
        name: "header-extra-params",
        severity: I,
        group: G::Header,
        summary: "the header carries parameters Salesforce does not document (kid, x5t, jku, crit…; crit is a warning)",
        fix: "Keep the header to {\"alg\":\"RS256\"} and optionally \"typ\":\"JWT\". Remove `crit` in any case: a server that does not understand a critical extension must reject the token.",
        why: "Salesforce holds one certificate per connected app and documents no header parameter besides alg. Extra ones are most likely ignored, but `crit` obliges the server to understand what it lists.",
        salesforce: None,
        evidence: Evidence::Unconfirmed,
        source: "salesforce-evidence.md §2: no capture of kid/x5t/crit sent to the token endpoint",
    }
    PF301 {
        name: "iss-missing",
        severity: E,
        group: G::Issuer,
        summary: "the claims have no `iss`",
        fix: "Set iss to the connected app's consumer key (Setup → App Manager → the app → View → Manage Consumer Details).",
        why: "Salesforce finds the connected app, and so the certificate to verify with, through iss.",
        salesforce: CLIENT_INVALID,
        evidence: Evidence::Standard,
        source: "RFC 7523 §3 (the JWT MUST contain an iss claim): https://www.rfc-editor.org/rfc/rfc7523#section-3",
    }
    PF302 {
        name: "iss-mismatch",
        severity: E,
        group: G::Issuer,
        summary: "`iss` differs from the expected consumer key (--client-id)",
        fix: "Use the consumer key of the connected app in the org you log into. Copy it again from Manage Consumer Details; keys differ between orgs and between the sandbox and production copies of an app.",
        why: "An iss that is not a consumer key known to the org gives `invalid_client_id`. A key from another app may be known, but then the wrong certificate is used and the signature fails.",
        salesforce: CLIENT_INVALID,
        evidence: Evidence::Observed,
        source: "salesforcecli/plugin-auth test/commands/org/login/login.jwt.nut.ts (a wrong -i gives client identifier invalid against a live org)",
    }
    PF303 {
        name: "iss-not-consumer-key",
        severity: W,
        group: G::Issuer,
        summary: "`iss` does not look like a consumer key (those start with 3MVG): an org id, a username, an alg…",
        fix: "Put the connected app's consumer key in iss, not the org id, the username, the app name or the client secret.",
        why: "Consumer keys Salesforce generates start with 3MVG, but custom consumer keys of 8 to 256 alphanumerics exist (the Metadata API documents them), so this is a warning; an org id (00D…), an e-mail address or an algorithm name in iss is a classic slip.",
        salesforce: CLIENT_INVALID,
        evidence: Evidence::Inferred,
        source: "Metadata API ConnectedAppOauthConfig.consumerKey: custom keys are 8–256 alphanumerics, so 3MVG is a convention",
    }
    PF311 {
        name: "sub-missing",
        severity: E,
        group: G::Subject,
        summary: "the claims have neither `sub` nor the legacy `prn`",
        fix: "Set sub to the Salesforce username of the integration user (for example ci@acme.com.uat in a sandbox).",
        why: "The subject names the user the access token is issued for; without it there is nobody to log in.",
        salesforce: reply_bare("invalid_grant"),
        evidence: Evidence::Standard,
        source: "RFC 7523 §3 (the JWT MUST contain a sub claim): https://www.rfc-editor.org/rfc/rfc7523#section-3",
    }
    PF312 {
        name: "sub-mismatch",
        severity: E,
        group: G::Subject,
        summary: "`sub` (or `prn`, which wins when both are present) differs from the expected username (--username)",
        fix: "Use the exact username of the pre-authorized user in that org. Sandbox usernames carry the sandbox suffix (user@acme.com.uat).",
        why: "A user who does not exist, or who is not authorized for the app, typically gives `user hasn't approved this consumer`.",
        salesforce: reply("invalid_grant", "user hasn't approved this consumer"),
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm (\"The subject must contain the username of the Salesforce user\")",
    }
    PF313 {
        name: "sub-not-username",
        severity: W,
        group: G::Subject,
        summary: "`sub` is not shaped like a Salesforce username: not e-mail-like, a user id (005…), or HTML/URL-escaped",
        fix: "Send the username itself, unescaped (ci@acme.com, not ci%40acme.com or ci&#64;acme.com), not the user id.",
        why: "Salesforce usernames have the form of an e-mail address. The subject must be that username verbatim; user ids and escaped names do not match any user.",
        salesforce: reply_bare("invalid_grant"),
        evidence: Evidence::Inferred,
        source: "simple-salesforce/simple-salesforce PR #612 (sub sent HTML-escaped failed; usernames are e-mail-shaped)",
    }
    PF314 {
        name: "prn-legacy",
        severity: W,
        group: G::Subject,
        summary: "the legacy `prn` claim is used (and wins over `sub` when both are present)",
        fix: "Use `sub` only. If both are present, Salesforce uses `prn`, which may not be the user you meant.",
        why: "`prn` is kept for backward compatibility. When both are sent Salesforce takes prn, a silent trap when the two differ.",
        salesforce: None,
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm (\"you can use principal (prn) instead of subject (sub). If both are specified, prn is used\")",
    }
    PF321 {
        name: "aud-missing",
        severity: E,
        group: G::Audience,
        summary: "the claims have no `aud`",
        fix: "Set aud to the authorization server's URL: https://login.salesforce.com, https://test.salesforce.com, or your My Domain URL.",
        why: "Salesforce must verify that it is the intended audience of the assertion.",
        salesforce: AUDIENCE_INVALID,
        evidence: Evidence::Standard,
        source: "RFC 7523 §3 (the JWT MUST contain an aud claim): https://www.rfc-editor.org/rfc/rfc7523#section-3",
    }
    PF322 {
        name: "aud-not-accepted",
        severity: E,
        group: G::Audience,
        summary: "`aud` is not one string holding an https URL of a Salesforce login server (an array, another host, an endpoint path at a My Domain; http://, a port or a Lightning host are warnings)",
        fix: "Send aud as a single JSON string with the full origin: https://login.salesforce.com (production), https://test.salesforce.com (sandbox), or https://<MyDomain>.my.salesforce.com, with no path; an Experience Cloud site URL with its path for community users.",
        why: "The audience is the login server the assertion is for. Arrays, hosts that are not a login server, and a My Domain's token endpoint URL have been seen refused; http://, ports and Lightning hosts are only inferred to be.",
        salesforce: AUDIENCE_INVALID,
        evidence: Evidence::Observed,
        source: "forcedotcom/datacloud-jdbc f6d3757 (array aud: audience is invalid); SFSE 184363 (a force.com host: audience is invalid); omniphx/forrest #302 (token URL at a My Domain)",
    }
    PF323 {
        name: "aud-endpoint-mismatch",
        severity: E,
        group: G::Audience,
        summary: "`aud` and the login URL disagree on the environment (sandbox vs production, or another My Domain)",
        fix: "Make aud name the same environment the token request goes to: a sandbox assertion (test.salesforce.com or a *.sandbox.my.salesforce.com) is posted to a sandbox login URL, a production one to production.",
        why: "Sandbox versus production is the most common audience mistake: the org that receives the request does not consider itself the audience.",
        salesforce: AUDIENCE_INVALID,
        evidence: Evidence::Observed,
        source: "forcedotcom/cli #3482 (aud login.salesforce.com posted to test.salesforce.com: audience is invalid)",
    }
    PF324 {
        name: "aud-legacy-host",
        severity: W,
        group: G::Audience,
        summary: "aud is login/test.salesforce.com while the request goes to a My Domain: one report has External Client Apps refuse it since Spring '26",
        fix: "Use the My Domain URL you post to as aud (as `sf org login jwt` tries first), or set --audience / SF_AUDIENCE_URL to it.",
        why: "app_not_found means the External Client App is not present in the org the request reached (a refreshed sandbox, a new scratch org, production instead of sandbox). One reporter also saw it for login/test audiences after Spring '26; the My Domain URL, as host and as aud, works for connected apps and External Client Apps alike.",
        salesforce: reply(
            "app_not_found",
            "External client app is not installed in this org",
        ),
        evidence: Evidence::Observed,
        source: "n8n-io/n8n #28990 and forcedotcom/cli #3638 (app_not_found from External Client Apps; one reporter ties it to login/test audiences)",
    }
    PF325 {
        name: "aud-trailing-slash",
        severity: W,
        group: G::Audience,
        summary: "`aud` ends with '/': not confirmed to be normalised",
        fix: "Drop the trailing slash: https://login.salesforce.com, not https://login.salesforce.com/.",
        why: "Nothing confirms that Salesforce normalises a trailing slash in aud; the documented values have none.",
        salesforce: AUDIENCE_INVALID,
        evidence: Evidence::Inferred,
        source: "salesforce-evidence.md §5.1 (the CLI's first My Domain attempt sends a slashed aud and is the maintainer's advice, so the slash is probably accepted)",
    }
    PF326 {
        name: "aud-bare-host",
        severity: W,
        group: G::Audience,
        summary: "`aud` is a bare host name (login.salesforce.com) without https://",
        fix: "Send the full origin: \"https://login.salesforce.com\", not \"login.salesforce.com\".",
        why: "The documented audiences are full URLs. restforce has sent the bare host by default since 2017 with no report of a refusal, so it is probably accepted; it is not documented.",
        salesforce: AUDIENCE_INVALID,
        evidence: Evidence::Inferred,
        source: "restforce/restforce lib/restforce/middleware/authentication/jwt_bearer.rb and lib/restforce/config.rb (aud: the host, login.salesforce.com by default)",
    }
    PF327 {
        name: "aud-token-endpoint",
        severity: W,
        group: G::Audience,
        summary: "`aud` is the token endpoint URL (…/services/oauth2/token) of login or test.salesforce.com",
        fix: "Use the origin alone as aud: https://login.salesforce.com (or test, or your My Domain).",
        why: "forrest sent the login server's token endpoint URL as aud for three years and it worked; at a My Domain the same form was refused (PF322). The documented value is the origin.",
        salesforce: AUDIENCE_INVALID,
        evidence: Evidence::Observed,
        source: "omniphx/forrest PR #266 (token URL as aud, tested working against login.salesforce.com) and #302 (refused at a My Domain)",
    }
    PF328 {
        name: "login-url-insecure",
        severity: E,
        group: G::Audience,
        summary: "the login URL is http://: the token request would go out unencrypted",
        fix: "Use https:// for the login URL (--login-url, login_url, SF_LOGIN_URL): every Salesforce OAuth endpoint requires it.",
        why: "All OAuth endpoints require HTTPS; over http the assertion, a live credential, would cross the network in clear, and the request is refused.",
        salesforce: reply("invalid_request", "HTTPS required"),
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/apex/HTViewHelpDoc?id=remoteaccess_oauth_endpoints.htm (\"All OAuth endpoints require secure HTTP (HTTPS)\")",
    }
    PF329 {
        name: "token-host-other-org",
        severity: E,
        group: G::Audience,
        summary: "(serve) the token request reached a login host that does not serve this org: the other environment's login server (production vs sandbox), or another My Domain",
        fix: "Post a sandbox's requests to https://test.salesforce.com or its *.sandbox.my.salesforce.com, a production org's to https://login.salesforce.com or its My Domain; if serve has the org's environment wrong, give it --login-url with the org's own URL.",
        why: "A login server only knows the users and connected apps of its own environment: production users log in at login.salesforce.com or their My Domain, sandbox users at test.salesforce.com or the sandbox's My Domain. Elsewhere the user does not exist, which Salesforce reports as a user who has not approved the app.",
        salesforce: reply("invalid_grant", "user hasn't approved this consumer"),
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm (\"For sandboxes, use test.salesforce.com or the My Domain login URL for the sandbox\"); the reply for an unknown user: forcedotcom/sfdx-core src/org/org.ts",
    }
    PF331 {
        name: "exp-missing",
        severity: E,
        group: G::Time,
        summary: "the claims have no `exp`",
        fix: "Set exp to the current time plus at most 180 seconds, as integer seconds since 1970 (UTC).",
        why: "Salesforce requires an expiration time within three minutes.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7523 §3 (the JWT MUST contain an exp claim): https://www.rfc-editor.org/rfc/rfc7523#section-3",
    }
    PF332 {
        name: "exp-not-numeric-date",
        severity: W,
        group: G::Time,
        summary: "`exp` is a string of digits or a fraction (a warning), or not a number at all (an error)",
        fix: "Write exp as an integer JSON number of seconds: \"exp\":1780315380, not \"1780315380\" or 1780315380.5.",
        why: "RFC 7519 wants a NumericDate, an integer JSON number. Salesforce tolerates digit strings (its own documentation shows one), but anything that is not a number cannot be read as a time.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7519 §2 (NumericDate is a JSON number); Salesforce's own example sends a digit string: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm",
    }
    PF333 {
        name: "exp-in-milliseconds",
        severity: W,
        group: G::Time,
        summary: "`exp` is above 10^11: milliseconds, not seconds",
        fix: "Divide by 1000: exp is in seconds. (The Salesforce CLI itself sends milliseconds; Salesforce accepts them, but such an assertion never expires.)",
        why: "Salesforce accepts it, but the assertion then expires tens of thousands of years from now: a leaked copy can be replayed forever.",
        salesforce: None,
        evidence: Evidence::Observed,
        source: "forcedotcom/sfdx-core src/org/authInfo.ts (exp: Date.now() + 300, milliseconds, accepted by live orgs since 2017)",
    }
    PF334 {
        name: "exp-passed",
        severity: E,
        group: G::Time,
        summary: "`exp` is at or before now",
        fix: "Build a new assertion just before each request with exp = now + 180 s, from a UTC clock (beware local-time conversions such as Python's utcnow() + mktime()).",
        why: "An expired assertion is refused. Time-zone bugs, seconds-versus-minutes slips and slow clocks all end here.",
        salesforce: EXPIRED,
        evidence: Evidence::Standard,
        source: "RFC 7519 §4.1.4 (a JWT MUST NOT be accepted on or after exp); observed: salesforce.stackexchange.com/questions/282513",
    }
    PF335 {
        name: "exp-too-far",
        severity: W,
        group: G::Time,
        summary: "`exp` is more than 180 s after now (the documented limit, not enforced today)",
        fix: "Use exp = now + 180 s or less.",
        why: "Salesforce documents an expiry within three minutes. It does not enforce that today, but a longer-lived assertion is a longer-lived credential.",
        salesforce: None,
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm (\"the expiration time of the assertion within 3 minutes\"; not enforced: sfdx-core sends milliseconds)",
    }
    PF336 {
        name: "exp-window-tight",
        severity: W,
        group: G::Time,
        summary: "fewer than 30 s are left before `exp`",
        fix: "Give the assertion a lifetime of 2 to 3 minutes and build it right before the request.",
        why: "A slow network, a retry or a clock a little behind will expire the assertion in flight.",
        salesforce: EXPIRED,
        evidence: Evidence::Inferred,
        source: "salesforce-evidence.md §3.3 (no server leeway is documented for a past exp)",
    }
    PF341 {
        name: "nbf-in-future",
        severity: W,
        group: G::Time,
        summary: "`nbf` is after now",
        fix: "Omit nbf (Salesforce does not need it), or set it no later than now.",
        why: "Whether Salesforce checks nbf is not documented; if it does, the assertion is not yet valid when it arrives.",
        salesforce: None,
        evidence: Evidence::Unconfirmed,
        source: "salesforce-evidence.md §4 (whether Salesforce checks a future nbf, and with what leeway, is unknown)",
    }
    PF342 {
        name: "iat-in-future",
        severity: W,
        group: G::Time,
        summary: "`iat` is after now: the signing host's clock is ahead",
        fix: "Synchronise the signing host's clock (NTP), or omit iat.",
        why: "An issue time in the future means the clock that signed is ahead, or iat was computed in the wrong unit or time zone.",
        salesforce: None,
        evidence: Evidence::Unconfirmed,
        source: "salesforce-evidence.md §4 (whether Salesforce checks a future iat is unknown)",
    }
    PF343 {
        name: "jti-present",
        severity: I,
        group: G::Time,
        summary: "`jti` is present: Salesforce rejects a replayed jti",
        fix: "Mint a fresh jti (and a fresh assertion) for every token request, retries included.",
        why: "When an assertion carries a jti, Salesforce checks that it has not seen it before, so reusing an assertion fails.",
        salesforce: reply_bare("invalid_grant"),
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_auth_challenge_generate_jwt.htm (a jti is checked against replay)",
    }
    PF401 {
        name: "signature-invalid",
        severity: E,
        group: G::Signature,
        summary: "the signature does not verify with the certificate's key under the header's alg",
        fix: "Sign with the private key whose certificate is uploaded to the connected app, with RS256, over the exact header.claims text that is sent.",
        why: "Salesforce verifies the signature with the certificate uploaded to the connected app and answers only `invalid assertion`; the diagnosis that follows says which cause it is.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7523 §3 (the authorization server MUST reject a JWT with an invalid signature): https://www.rfc-editor.org/rfc/rfc7523#section-3",
    }
    PF402 {
        name: "signed-by-other-key",
        severity: E,
        group: G::Signature,
        summary: "the signature yields no PKCS#1 v1.5 block under the certificate's key: another private key signed it",
        fix: "Sign with the private key that belongs to the uploaded certificate, or upload the certificate of the key you sign with (check both with `jwt-preflight pairs`).",
        why: "Undoing the signature with the certificate's public key gives random bytes instead of the fixed PKCS#1 layout, which only happens when a different private key made it.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 8017 §8.2.2 (RSASSA-PKCS1-v1_5 verification): https://www.rfc-editor.org/rfc/rfc8017#section-8.2.2",
    }
    PF403 {
        name: "signature-hash-mismatch",
        severity: E,
        group: G::Signature,
        summary: "the signature's DigestInfo names another hash than the header's alg (e.g. signed SHA-512, labelled RS256)",
        fix: "Sign with SHA-256 when the header says RS256 (openssl dgst -sha256, or the library's RS256 option).",
        why: "The right key signed, but with another hash function than the header announces, so the digest Salesforce computes does not match.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7518 §3.3 (RS256 is PKCS#1 v1.5 with SHA-256): https://www.rfc-editor.org/rfc/rfc7518#section-3.3",
    }
    PF404 {
        name: "signing-input-altered",
        severity: E,
        group: G::Signature,
        summary: "right key and hash, but the signature covers other bytes than header.claims as sent",
        fix: "Sign exactly the ASCII text base64url(header) + \".\" + base64url(claims), unpadded, with no trailing newline, and send those same segments unchanged.",
        why: "The signature is genuine but was computed over different bytes: another encoding, a trailing newline, only part of the token, or a token edited after signing.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7515 §5.2 (the signature covers ASCII(BASE64URL(header) || '.' || BASE64URL(payload))): https://www.rfc-editor.org/rfc/rfc7515#section-5.2",
    }
    PF405 {
        name: "signature-length-wrong",
        severity: E,
        group: G::Signature,
        summary: "the signature is not exactly as long as the certificate's modulus",
        fix: "Sign with the key that belongs to the certificate, and send the signature unmodified (no truncation, no extra leading zero byte).",
        why: "An RSA signature is exactly as long as the key's modulus. Another length means another key size signed it, or the bytes were cut or padded on the way.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 8017 §8.2.2 step 1 (a signature of the wrong length is invalid): https://www.rfc-editor.org/rfc/rfc8017#section-8.2.2",
    }
    PF406 {
        name: "signature-encoding-broken",
        severity: E,
        group: G::Signature,
        summary: "the PKCS#1 v1.5 block is malformed (padding, block type, trailing data, DigestInfo encoding) or PSS-encoded",
        fix: "Sign with a standard RSASSA-PKCS1-v1_5 implementation (RS256). If the block is PSS, the signer used PS256: switch it to RS256.",
        why: "The right key signed, but the signature block does not have the exact layout PKCS#1 v1.5 prescribes, so a strict verifier rejects it.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 8017 §9.2 (EMSA-PKCS1-v1_5 encoding): https://www.rfc-editor.org/rfc/rfc8017#section-9.2",
    }
    PF407 {
        name: "signature-missing",
        severity: E,
        group: G::Signature,
        summary: "the signature segment is empty",
        fix: "Sign the assertion (RS256) and append the base64url signature as the third segment.",
        why: "An unsigned assertion proves nothing and is always refused.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Standard,
        source: "RFC 7523 §3 (the JWT MUST be digitally signed): https://www.rfc-editor.org/rfc/rfc7523#section-3",
    }
    PF501 {
        name: "key-cert-mismatch",
        severity: E,
        group: G::KeyCertMatch,
        summary: "the private key's public half is not the certificate's key",
        fix: "Pair the key with its own certificate: regenerate the certificate from this key (openssl req -new -x509 -key server.key …) and upload it, or find the key the uploaded certificate was made from.",
        why: "Salesforce verifies with the certificate; a signature from any other key fails as an invalid assertion.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Observed,
        source: "forcedotcom/sfdx-travisci #135 (a key that does not match the app's certificate: invalid assertion)",
    }
    PF502 {
        name: "key-too-small",
        severity: E,
        group: G::Key,
        summary: "the RSA modulus is under 2048 bits",
        fix: "Generate a 2048-bit (or larger) key: `jwt-preflight keygen`, or openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048.",
        why: "Keys under 2048 bits are considered breakable; every Salesforce example uses 2048, and smaller keys may be refused at upload or verification.",
        salesforce: None,
        evidence: Evidence::Standard,
        source: "RFC 7518 §3.3 (a key of 2048 bits or larger MUST be used with RS256): https://www.rfc-editor.org/rfc/rfc7518#section-3.3",
    }
    PF503 {
        name: "key-not-rsa",
        severity: E,
        group: G::Key,
        summary: "an EC, Ed25519 or DSA key or certificate: the flow needs RSA",
        fix: "Use an RSA key pair (2048 bits or more) and upload its certificate.",
        why: "RS256 is an RSA signature; Salesforce cannot verify an assertion with a non-RSA certificate.",
        salesforce: INVALID_ASSERTION,
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm (RSA SHA256 with the uploaded certificate)",
    }
    PF504 {
        name: "key-inconsistent",
        severity: E,
        group: G::Key,
        summary: "the private key's own parts do not agree (a corrupted file)",
        fix: "Restore the key from a good copy. A corrupted key cannot make valid signatures.",
        why: "The private exponent, primes and modulus must fit together; when they do not, the file was damaged and every signature it makes is wrong.",
        salesforce: None,
        evidence: Evidence::Standard,
        source: "RFC 8017 §3.2 (the private key's parts must satisfy the RSA relations): https://www.rfc-editor.org/rfc/rfc8017#section-3.2",
    }
    PF505 {
        name: "key-file-permissions",
        severity: W,
        group: G::Key,
        summary: "the key file is readable by group or others",
        fix: "chmod 600 the key file, and keep it out of version control.",
        why: "Anyone who can read the key can log in as the integration user.",
        salesforce: None,
        evidence: Evidence::Inferred,
        source: "a private key readable by others is exposed; OpenSSH refuses such key files for the same reason",
    }
    PF506 {
        name: "key-encrypted",
        severity: I,
        group: G::Key,
        summary: "the key is encrypted: fine here, but `sf org login jwt` reads only unencrypted PEM keys",
        fix: "For the Salesforce CLI, decrypt it into a protected file: openssl pkey -in server.enc.key -out server.key (then chmod 600).",
        why: "The Salesforce CLI has no passphrase option; it reads the key file as plain PEM.",
        salesforce: None,
        evidence: Evidence::Observed,
        source: "forcedotcom/sfdx-core src/org/authInfo.ts (the key is read as UTF-8 text, with no passphrase option)",
    }
    PF511 {
        name: "cert-expired",
        severity: W,
        group: G::Certificate,
        summary: "the certificate is past its notAfter date",
        fix: "Issue a new certificate for the key and upload it to the connected app before auditors find this one.",
        why: "Salesforce keeps accepting an expired certificate by design, but it is a hygiene and audit failure.",
        salesforce: None,
        evidence: Evidence::Observed,
        source: "salesforce.stackexchange.com/questions/313488 (an expired app certificate keeps working, by design)",
    }
    PF512 {
        name: "cert-not-yet-valid",
        severity: W,
        group: G::Certificate,
        summary: "the certificate is before its notBefore date",
        fix: "Check the clock of the machine that made the certificate, and issue it again with a start date in the past.",
        why: "A certificate that is not yet valid points to a wrong clock where it was made.",
        salesforce: None,
        evidence: Evidence::Inferred,
        source: "RFC 5280 §4.1.2.5 validity; Salesforce does not check the certificate's dates (SFSE 313488)",
    }
    PF513 {
        name: "cert-expiring-soon",
        severity: W,
        group: G::Certificate,
        summary: "the certificate's notAfter is within --cert-warn-days (default 30)",
        fix: "Plan the rotation now: make a new certificate, upload it to the connected app, then switch the key.",
        why: "Salesforce sends no reliable reminder before a connected app's certificate expires.",
        salesforce: None,
        evidence: Evidence::Inferred,
        source: "salesforce.stackexchange.com/questions/313488 (Salesforce does not warn before an app certificate expires)",
    }
    PF514 {
        name: "cert-too-large",
        severity: E,
        group: G::Certificate,
        summary: "the certificate file is over 4 KB: the connected app form refuses it",
        fix: "Upload the DER form, which is smaller (openssl x509 -in server.crt -outform der -out server.der), or a certificate without the extra chain and extensions.",
        why: "The connected app upload is limited to 4 KB.",
        salesforce: None,
        evidence: Evidence::Documented,
        source: "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_auth_challenge_generate_jwt.htm (\"The certificate size can't exceed 4 KB\")",
    }
    PF515 {
        name: "cert-weak-signature",
        severity: I,
        group: G::Certificate,
        summary: "the certificate's own signature uses SHA-1 or MD5",
        fix: "Re-issue it with SHA-256 (openssl x509 -req -sha256 …).",
        why: "Salesforce does not use the certificate's own signature in this flow, but SHA-1 and MD5 signatures fail security reviews.",
        salesforce: None,
        evidence: Evidence::Inferred,
        source: "Salesforce does not check the certificate's own signature; SHA-1 and MD5 are deprecated for certificates (CA/Browser Forum)",
    }
    PF601 {
        name: "clock-behind",
        severity: W,
        group: G::Clock,
        summary: "the local clock is behind the login server's (an error when by more than the assertion's lifetime, else a warning above 60 s)",
        fix: "Synchronise the clock (NTP: timedatectl set-ntp true, or w32tm /resync); in containers, fix the host.",
        why: "A slow clock stamps exp too early: with exp = now + 180 s, a clock 3 minutes behind sends assertions that are already expired when they arrive.",
        salesforce: EXPIRED,
        evidence: Evidence::Observed,
        source: "salesforce.stackexchange.com/questions/282513 and simple-salesforce #491 (an exp already past on arrival: expired authorization code)",
    }
    PF602 {
        name: "clock-ahead",
        severity: I,
        group: G::Clock,
        summary: "the local clock is ahead of the login server's",
        fix: "Synchronise the clock (NTP). It is harmless for exp, but would break nbf or iat if Salesforce checks them.",
        why: "A fast clock only makes exp later, which Salesforce tolerates; nbf and iat would be in the server's future.",
        salesforce: None,
        evidence: Evidence::Inferred,
        source: "salesforce-evidence.md §4 (a fast clock only matters if Salesforce checks nbf or iat, which is unconfirmed)",
    }
    PF603 {
        name: "clock-unknown",
        severity: W,
        group: G::Clock,
        summary: "--clock-check could not read a Date header (offline, proxy, TLS failure)",
        fix: "Check the network, HTTPS_PROXY and NO_PROXY, or pass --clock-url with a reachable https URL.",
        why: "Without the server's time, clock skew cannot be ruled out.",
        salesforce: None,
        evidence: Evidence::Inferred,
        source: "RFC 9110 §6.6.1 (the Date header); without it skew cannot be measured",
    }
}

/// The rule with this code, e.g. `PF403` (case-insensitive).
pub fn by_code(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// The rule with this name, e.g. `signature-hash-mismatch` (case-insensitive).
pub fn by_name(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name.eq_ignore_ascii_case(name))
}

/// The rule named by a code or a name.
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    let s = code_or_name.trim();
    by_code(s).or_else(|| by_name(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for r in RULES {
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(
                r.code.len() == 5
                    && r.code.starts_with("PF")
                    && r.code[2..].chars().all(|c| c.is_ascii_digit()),
                "bad code {}",
                r.code
            );
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "bad name {}",
                r.name
            );
        }
    }

    #[test]
    fn only_standard_documented_or_observed_rejections_are_errors() {
        for r in RULES {
            if r.severity == Severity::Error {
                assert!(
                    r.evidence.supports_error(),
                    "{} is an error on {} evidence",
                    r.code,
                    r.evidence
                );
            }
            assert!(
                r.source.len() > 10 && !r.source.contains('\n'),
                "{} has no one-line source",
                r.code
            );
        }
    }

    #[test]
    fn every_rule_has_a_fix_summary_and_reason() {
        for r in RULES {
            assert!(r.fix.len() > 20, "{} has no real fix", r.code);
            assert!(!r.summary.is_empty(), "{} has no summary", r.code);
            assert!(!r.why.is_empty(), "{} has no reason", r.code);
        }
    }

    #[test]
    fn every_code_indexes_its_own_row() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i);
            assert_eq!(code.rule().id, *code);
            assert_eq!(code.rule().code, code.as_str());
        }
        assert_eq!(Code::ALL.len(), RULES.len());
    }

    #[test]
    fn codes_are_sorted_so_rules_lists_them_in_order() {
        let codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn lookup_by_code_and_name() {
        assert_eq!(
            lookup("pf403").map(|r| r.name),
            Some("signature-hash-mismatch")
        );
        assert_eq!(
            lookup("signature-hash-mismatch").map(|r| r.code),
            Some("PF403")
        );
        assert!(lookup("PF999").is_none());
    }
}
