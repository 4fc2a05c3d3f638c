//! `explain` for Salesforce replies: what an `error` / `error_description` pair means, the
//! likely causes in order, how to confirm each one, the fix, and the rules that catch the cause
//! before anything is deployed.
//!
//! Pure: the command line reads the file or stdin and hands the text to [`explain_text`]; this
//! module parses it (a JSON body, `error: description` in any spelling, or the whole output of
//! a failed `sf org login jwt`), matches every reply against [`REPLIES`] and renders the result.
//! The explanations are written for this tool from the researched facts
//! (`salesforce-facts.md` §2.3 and §7).

use crate::catalog::{self, Code};
use crate::salesforce::{self, HostKind, SimpleUrl};
use serde_json::{Value, json};

/// One possible cause of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    /// What went wrong.
    pub cause: &'static str,
    /// How to confirm it: a jwt-preflight command, or a Setup page and field in Salesforce.
    pub confirm: &'static str,
    /// What to do about it.
    pub fix: &'static str,
    /// The rule codes that catch this cause before deployment (may be empty: org state that no
    /// offline check can see).
    pub rules: &'static [Code],
}

/// A reply Salesforce's token endpoint is known to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownReply {
    /// The OAuth `error` field.
    pub error: &'static str,
    /// The `error_description` field, as Salesforce spells it.
    pub description: &'static str,
    /// Other spellings of the same reply (e.g. the documentation's sample wording).
    pub aliases: &'static [&'static str],
    /// Set when the reply does not come from the JWT bearer flow.
    pub flow_note: Option<&'static str>,
    /// The causes, most likely first.
    pub causes: &'static [Cause],
}

impl KnownReply {
    /// Every rule code named by any cause, in order of first mention, without repeats.
    pub fn rules(&self) -> Vec<Code> {
        let mut out: Vec<Code> = Vec::new();
        for c in self.causes {
            for r in c.rules {
                if !out.contains(r) {
                    out.push(*r);
                }
            }
        }
        out
    }
}

/// Every reply `explain` knows, grouped by `error`.
pub static REPLIES: &[KnownReply] = &[
    KnownReply {
        error: "invalid_grant",
        description: "user hasn't approved this consumer",
        aliases: &["user has not approved this consumer"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The app's policy is \"Admin approved users are pre-authorized\", and the user named in `sub` gets the app neither through its profile nor through an assigned permission set.",
                confirm: "Setup → App Manager → the app ▸ Manage: Permitted Users reads \"Admin approved users are pre-authorized\", and the Profiles and Permission Sets lists on that page include neither the user's profile nor a permission set assigned to the user.",
                fix: "Add the user's profile (Manage Profiles) or a permission set assigned to the user (Manage Permission Sets) to the app. For unattended logins this is the setup to use.",
                rules: &[],
            },
            Cause {
                cause: "The policy is \"All users may self-authorize\", and this user has never approved the app in a browser, so there is no earlier approval for the JWT login to rely on.",
                confirm: "Permitted Users in Setup → App Manager → the app ▸ Manage reads \"All users may self-authorize\"; Setup → Connected Apps OAuth Usage shows no approval of this app by the user.",
                fix: "Prefer switching the policy to \"Admin approved users are pre-authorized\" and assigning the user (see the first cause). Otherwise log in once as that user through a browser flow with the scopes refresh_token and offline_access, which records the approval.",
                rules: &[],
            },
            Cause {
                cause: "`sub` is not the username of an authorized user in the org that receives the request: a typo, the production username used against a sandbox (sandbox usernames carry a suffix such as .uat), a user id, or an escaped name.",
                confirm: "`jwt-preflight check --username <the authorized user> …` compares the sub it signs or reads; `jwt-preflight inspect <assertion>` shows the sub that was sent. In Salesforce, search Setup → Users for that exact username.",
                fix: "Put the exact username of the pre-authorized user of that org in `sub`, unescaped.",
                rules: &[Code::PF312, Code::PF313, Code::PF311],
            },
            Cause {
                cause: "The org is brand new (a scratch org or a freshly created or refreshed sandbox) and the app or its assignments have not reached every server yet; the reply comes and goes.",
                confirm: "The same command succeeds a few minutes later, or succeeds on one attempt and fails on the next.",
                fix: "Wait a few minutes after creating or refreshing the org, and retry the login with a delay.",
                rules: &[],
            },
            Cause {
                cause: "Some clients have seen this reply for a particular combination of audience and token host (for example a My Domain audience posted to the My Domain) that another combination accepts.",
                confirm: "`jwt-preflight check --login-url <token host> --audience <aud>` shows which pair is being used; try the pair login.salesforce.com (or test.salesforce.com) as audience with the same host.",
                fix: "Keep the user assignment as above, and if it is right, try the other audience for the same token host (SF_AUDIENCE_URL for the Salesforce CLI).",
                rules: &[Code::PF323, Code::PF324],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "audience is invalid",
        aliases: &["audience validation failed", "invalid audience"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The audience and the org disagree on the environment: a sandbox audience (test.salesforce.com or a *.sandbox.my.salesforce.com) sent to production, or a production audience sent to a sandbox.",
                confirm: "`jwt-preflight check --login-url <the URL you post to> --assertion <file>` (or without --assertion, to build one) compares aud with the login URL; `jwt-preflight inspect <file>` prints the aud that was sent.",
                fix: "Use the audience of the environment you post to: https://test.salesforce.com or the sandbox My Domain for a sandbox, https://login.salesforce.com or the production My Domain for production.",
                rules: &[Code::PF323],
            },
            Cause {
                cause: "`aud` is not in a form Salesforce accepts: missing, a JSON array, a bare host name without https://, http://, the token endpoint path, a Lightning (*.lightning.force.com) host, or a host that is not a Salesforce login server.",
                confirm: "`jwt-preflight inspect <file>` shows aud exactly as sent; `jwt-preflight check` reports the form problem.",
                fix: "Send aud as one JSON string holding just the origin: https://login.salesforce.com, https://test.salesforce.com, or https://<MyDomain>.my.salesforce.com (an Experience Cloud site URL with its path for site users).",
                rules: &[Code::PF322, Code::PF321],
            },
            Cause {
                cause: "The audience is the My Domain URL of another org than the one the request goes to (a copied configuration, a renamed My Domain, another sandbox).",
                confirm: "Setup → My Domain shows the org's current My Domain URL; `jwt-preflight check --login-url … --audience …` flags a different My Domain.",
                fix: "Use the My Domain URL of the org you log into, for both the token request and aud.",
                rules: &[Code::PF323],
            },
            Cause {
                cause: "`aud` ends with a slash. Salesforce's documented values have none and nothing confirms the slash is ignored.",
                confirm: "`jwt-preflight inspect <file>` shows the aud as sent.",
                fix: "Drop the trailing slash.",
                rules: &[Code::PF325],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "invalid assertion",
        aliases: &["invalid_assertion"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The assertion was signed with a private key that does not belong to the certificate uploaded to the app: a key from another pair, a certificate rotated on the app but not in CI (or the reverse).",
                confirm: "Download the certificate from Setup → App Manager → the app ▸ View → API (Enable OAuth Settings) → Use digital signatures, then run `jwt-preflight check --key server.key --cert <downloaded.crt>`; `jwt-preflight pairs` checks several pairs at once.",
                fix: "Sign with the key that belongs to the uploaded certificate, or upload the certificate made from the key you sign with.",
                rules: &[Code::PF501, Code::PF402, Code::PF401],
            },
            Cause {
                cause: "The signature algorithm is not RS256: RS384 or RS512 (for example a client told that the app expects RS512), PS256, ES256, an HMAC algorithm or none. Salesforce documents RS256 only.",
                confirm: "`jwt-preflight inspect <file>` shows the header's alg; `jwt-preflight check --assertion <file> --cert <crt>` also finds a signature whose hash does not match its alg.",
                fix: "Sign with RS256 (RSA PKCS#1 v1.5 with SHA-256) and the RSA key whose certificate is on the app.",
                rules: &[
                    Code::PF202,
                    Code::PF203,
                    Code::PF403,
                    Code::PF406,
                    Code::PF503,
                ],
            },
            Cause {
                cause: "The token itself is malformed: not three segments, padded or plain base64 instead of base64url, header or claims that are not JSON objects, no alg, no exp or an exp that is not a number.",
                confirm: "`jwt-preflight inspect <file>` reports every structural problem of the token.",
                fix: "Build the token with a JWT library (compact JWS, base64url without padding, JSON header and claims) rather than by hand.",
                rules: &[
                    Code::PF101,
                    Code::PF102,
                    Code::PF103,
                    Code::PF201,
                    Code::PF331,
                    Code::PF332,
                ],
            },
            Cause {
                cause: "The right key signed something other than what was sent: the bytes were re-encoded, a newline was added, the JSON was re-serialised after signing, or the signature was truncated or altered on the way.",
                confirm: "`jwt-preflight check --assertion <file> --cert <crt>` names the variant that was signed when it finds one.",
                fix: "Sign exactly base64url(header).base64url(claims) and send those segments and the signature unchanged.",
                rules: &[Code::PF404, Code::PF405, Code::PF407],
            },
            Cause {
                cause: "No usable certificate is on the app: \"Use digital signatures\" is not enabled, or the upload was refused (the form takes at most 4 KB).",
                confirm: "Setup → App Manager → the app ▸ View → API (Enable OAuth Settings): Use digital signatures is ticked and shows a certificate; `jwt-preflight check --cert <crt>` reports a certificate too large to upload.",
                fix: "Enable \"Use digital signatures\" and upload server.crt (the DER form if the PEM file is over 4 KB).",
                rules: &[Code::PF514],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "expired authorization code",
        aliases: &[],
        flow_note: None,
        causes: &[
            Cause {
                cause: "`exp` was already in the past when it was computed: a local time taken for UTC (for example Python's utcnow() passed to mktime()), minutes added as seconds, or a lifetime of a few seconds.",
                confirm: "`jwt-preflight inspect <file>` prints exp in UTC and relative to now; `jwt-preflight check --assertion <file>` flags an expired or nearly expired assertion.",
                fix: "Set exp = the current UTC time in seconds + 180, computed right before the request.",
                rules: &[Code::PF334, Code::PF336, Code::PF332],
            },
            Cause {
                cause: "The clock of the machine that builds the assertion is behind Salesforce's, so exp is already past when the request arrives.",
                confirm: "`jwt-preflight check --clock-check` compares the local clock with the login server's Date header.",
                fix: "Synchronise the clock with NTP (timedatectl set-ntp true, w32tm /resync); in a container, fix the host's clock.",
                rules: &[Code::PF601],
            },
            Cause {
                cause: "The assertion was built once and used later: cached, retried after a delay, or sent after a slow step.",
                confirm: "`jwt-preflight inspect <file>` on the assertion that was sent shows how long before the request its exp lay.",
                fix: "Build a fresh assertion for every token request, retries included.",
                rules: &[Code::PF336, Code::PF334],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "IP restricted or invalid login hours",
        aliases: &[],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The user's profile limits logins to Login IP Ranges that do not include the address the request comes from (typically a CI runner or cloud host).",
                confirm: "Setup → Profiles → the user's profile → Login IP Ranges; Setup → Login History shows the failed attempt and its source IP.",
                fix: "Add the caller's egress range to the profile, or set the app's IP Relaxation to \"Relax IP restrictions\" (Setup → App Manager → the app ▸ Manage → Edit Policies).",
                rules: &[],
            },
            Cause {
                cause: "The user's profile has Login Hours, and the request came outside them.",
                confirm: "Setup → Profiles → the user's profile → Login Hours (times are in the org's default time zone).",
                fix: "Widen the Login Hours for the integration user's profile, or give that user a profile without them.",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "authentication failure",
        aliases: &[],
        flow_note: Some(
            "A generic reply, seen with the username-password flow; not confirmed for the JWT bearer flow.",
        ),
        causes: &[
            Cause {
                cause: "Username-password flow: a wrong password, or the security token missing from the end of the password when the caller is outside the org's trusted IP ranges.",
                confirm: "Setup → Login History: the failed attempt and the reason Salesforce recorded.",
                fix: "Send the right password followed by the user's security token, or better, move unattended logins to the JWT bearer flow.",
                rules: &[],
            },
            Cause {
                cause: "The user cannot log in at all right now: locked out, deactivated, or outside its allowed IP ranges or hours.",
                confirm: "Setup → Users → the user (Active, and an Unlock button when locked); Setup → Login History.",
                fix: "Unlock or reactivate the user, or fix the profile's Login IP Ranges and Login Hours.",
                rules: &[],
            },
            Cause {
                cause: "JWT bearer (unconfirmed): the subject does not name a usable user of this org.",
                confirm: "`jwt-preflight check --username <user> …` or `jwt-preflight inspect <file>` shows the sub.",
                fix: "Put the exact username of the integration user in `sub`.",
                rules: &[Code::PF311, Code::PF312, Code::PF313],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "expired access/refresh token",
        aliases: &["expired access token", "expired refresh token"],
        flow_note: Some(
            "Not a JWT bearer reply: it comes from the refresh-token flow. The JWT bearer flow never issues refresh tokens.",
        ),
        causes: &[
            Cause {
                cause: "The refresh token outlived the app's Refresh Token Policy (for example valid for 24 hours, or expire immediately after use).",
                confirm: "Setup → App Manager → the app ▸ Manage → Edit Policies → Refresh Token Policy.",
                fix: "Run the OAuth flow again for that user or service account and store the new refresh token; lengthen the policy if it is too short for the job.",
                rules: &[],
            },
            Cause {
                cause: "The refresh token was revoked, by an admin or by the user.",
                confirm: "Setup → Connected Apps OAuth Usage: the app's users and their tokens.",
                fix: "Authorize again and store the new refresh token. For unattended jobs, the JWT bearer flow avoids stored refresh tokens altogether.",
                rules: &[],
            },
            Cause {
                cause: "A clock several minutes off makes valid tokens look expired.",
                confirm: "`jwt-preflight check --clock-check` compares the local clock with the login server's.",
                fix: "Synchronise the clock with NTP before anything else.",
                rules: &[Code::PF601, Code::PF602],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "authentication failure - invalid client credentials",
        aliases: &["invalid client credentials"],
        flow_note: Some(
            "Comes from flows that send a client secret (web server, username-password, client credentials); the JWT bearer flow sends none.",
        ),
        causes: &[
            Cause {
                cause: "The client secret (consumer secret) is wrong or old: it is often rotated without every caller being updated.",
                confirm: "Setup → App Manager → the app ▸ View → Manage Consumer Details: Consumer Secret.",
                fix: "Copy the current consumer key and secret from Manage Consumer Details into the caller's configuration.",
                rules: &[],
            },
            Cause {
                cause: "The client_id is not this app's consumer key: a typo, or the key of the same app in another org (sandbox and production copies have different keys).",
                confirm: "Compare with Setup → App Manager → the app ▸ View → Manage Consumer Details: Consumer Key; `jwt-preflight check --client-id <key> …` flags an iss that differs or does not look like a consumer key.",
                fix: "Use the consumer key of the app in the org you log into.",
                rules: &[Code::PF302, Code::PF303],
            },
            Cause {
                cause: "The app or its secret was just created or changed, and the change has not reached every server yet.",
                confirm: "The same request succeeds after a few minutes.",
                fix: "Wait up to about ten minutes after changing the app, then retry.",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "invalid_grant",
        description: "redirect uri does not match configuration",
        aliases: &["redirect_uri must match configuration"],
        flow_note: Some(
            "Not a JWT bearer reply: it comes from the web-server and user-agent flows, which send a redirect_uri.",
        ),
        causes: &[Cause {
            cause: "The redirect_uri the client sends is not exactly one of the app's Callback URLs: a trailing slash, http instead of https, another host or port, another path.",
            confirm: "Setup → App Manager → the app ▸ Edit → API (Enable OAuth Settings) → Callback URL, compared character by character with the redirect_uri in the request.",
            fix: "Add the exact URI the client sends to the Callback URLs (one per line), or make the client send one that is listed.",
            rules: &[],
        }],
    },
    KnownReply {
        error: "invalid_grant",
        description: "user is locked",
        aliases: &[],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The user is locked out, by too many failed password logins or by a password or session policy.",
                confirm: "Setup → Users → the user: an Unlock button appears while the user is locked; Setup → Login History shows the failures.",
                fix: "Unlock the user and find what made the failed logins (an old password stored somewhere) before it locks again.",
                rules: &[],
            },
            Cause {
                cause: "The user has been deactivated.",
                confirm: "Setup → Users → the user: the Active box.",
                fix: "Reactivate the user, or move the integration to an active user (and authorize that user for the app).",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "invalid_client_id",
        description: "client identifier invalid",
        aliases: &["client identifier is invalid"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "`iss` does not hold the app's consumer key: a typo, a truncated copy, or something else entirely (the org id, a username, the app name, an algorithm name).",
                confirm: "`jwt-preflight inspect <file>` shows the iss that was sent; compare it with Setup → App Manager → the app ▸ View → Manage Consumer Details → Consumer Key. `jwt-preflight check --client-id <key>` does the comparison.",
                fix: "Put the consumer key, copied again from Manage Consumer Details, in `iss` (the Salesforce CLI's --client-id).",
                rules: &[Code::PF302, Code::PF303, Code::PF301],
            },
            Cause {
                cause: "The consumer key belongs to an app in another org: the app was created in production and the login goes to a sandbox created before it (or the reverse), or the key of a different org's copy is used.",
                confirm: "Open Setup → App Manager in the org the request goes to and look for the app and its consumer key there; `jwt-preflight check --login-url …` shows which org the login targets.",
                fix: "Use the consumer key of the app in the org you log into, or create the app in that org.",
                rules: &[Code::PF302, Code::PF323],
            },
            Cause {
                cause: "The app was created or changed a few minutes ago; Salesforce takes several minutes to make it known everywhere.",
                confirm: "The same login succeeds after a few minutes.",
                fix: "Wait up to about ten minutes after creating or editing the app, then retry.",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "invalid_app_access",
        description: "user is not admin approved to access this app",
        aliases: &[],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The app's policy is \"Admin approved users are pre-authorized\" and the user is not assigned to it through a profile or permission set.",
                confirm: "Setup → App Manager → the app ▸ Manage: the Profiles and Permission Sets lists; the user's own profile and permission set assignments in Setup → Users.",
                fix: "Assign the user: add its profile, or a permission set assigned to it, to the app.",
                rules: &[],
            },
            Cause {
                cause: "The org restricts API access to approved apps (API Access Control), and this app or user is not on the allowed list.",
                confirm: "Ask the org's admin whether API Access Control is enabled; Setup → Connected Apps OAuth Usage lists the apps in use.",
                fix: "Have the app installed and approved for the user under the org's API access rules.",
                rules: &[],
            },
            Cause {
                cause: "`sub` names another user than the one that was assigned.",
                confirm: "`jwt-preflight check --username <assigned user> …` compares the sub; `jwt-preflight inspect <file>` shows it.",
                fix: "Use the assigned user's exact username in `sub`.",
                rules: &[Code::PF312],
            },
        ],
    },
    KnownReply {
        error: "app_not_found",
        description: "External client app is not installed in this org",
        aliases: &[],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The app is an External Client App and the audience is https://login.salesforce.com or https://test.salesforce.com: since Spring '26 External Client Apps accept only the org's My Domain URL as audience.",
                confirm: "`jwt-preflight check --login-url https://<MyDomain>.my.salesforce.com …` flags a login/test audience posted to a My Domain; Setup → External Client Apps → External Client App Manager lists the app when it is an External Client App.",
                fix: "Use the org's My Domain URL as aud and as the login URL (the Salesforce CLI: --instance-url and SF_AUDIENCE_URL set to https://<MyDomain>.my.salesforce.com).",
                rules: &[Code::PF324],
            },
            Cause {
                cause: "The External Client App is not installed or not enabled in this org: a sandbox refreshed from a production org without it, or the app created in another org.",
                confirm: "Setup → External Client Apps → External Client App Manager in the org the request goes to: the app is listed there and its OAuth settings are enabled.",
                fix: "Install or enable the app in that org (again after a sandbox refresh), then copy its consumer key from there.",
                rules: &[],
            },
            Cause {
                cause: "The request goes to another org than the app's: a login URL or audience naming the wrong My Domain or the wrong environment.",
                confirm: "`jwt-preflight check --login-url … --audience …` compares the two.",
                fix: "Post to the My Domain of the org where the app is installed and use the same URL as aud.",
                rules: &[Code::PF323],
            },
        ],
    },
    KnownReply {
        error: "inactive_user",
        description: "User is inactive",
        aliases: &[],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The user named in `sub` has been deactivated (someone left, a licence was reclaimed).",
                confirm: "Setup → Users → the user: the Active box.",
                fix: "Reactivate the user, or switch the integration to an active user (and authorize that user for the app).",
                rules: &[],
            },
            Cause {
                cause: "`sub` still names a former integration user after the integration moved to a new one.",
                confirm: "`jwt-preflight check --username <current user> …` compares the sub; `jwt-preflight inspect <file>` shows it.",
                fix: "Update the username everywhere the login is configured (the Salesforce CLI's --username).",
                rules: &[Code::PF312],
            },
        ],
    },
    KnownReply {
        error: "inactive_org",
        description: "Org is locked, closed, or suspended",
        aliases: &["org is locked closed or suspended"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The org no longer runs: an expired scratch org or trial, or a deleted sandbox.",
                confirm: "`sf org list` (scratch orgs show their expiration), the Dev Hub's Active Scratch Orgs list, or Setup → Sandboxes in the production org.",
                fix: "Create a new org, or point the login at an org that still exists.",
                rules: &[],
            },
            Cause {
                cause: "The org is locked for maintenance (a sandbox being refreshed) or suspended by Salesforce (for example over billing).",
                confirm: "Setup → Sandboxes in the production org shows a refresh in progress; the org's admin or Salesforce support knows about a suspension.",
                fix: "Wait for the refresh to finish, or have the admin resolve the suspension with Salesforce.",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "rate_limit_exceeded",
        description: "Number of logins exceeded",
        aliases: &["login rate exceeded"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The user logged in too many times within the hour: every job, step or test logs in again instead of reusing its access token.",
                confirm: "Setup → Login History, filtered on the user: the number of logins in the last hour.",
                fix: "Log in once per pipeline and reuse the session, or spread independent jobs over several integration users.",
                rules: &[],
            },
            Cause {
                cause: "Failed logins multiply: `sf org login jwt` tries up to about nine login URL and audience pairs for every failed login, so a broken setup retried by a pipeline quickly uses up the allowance.",
                confirm: "The earlier failures in the log (explain them with `jwt-preflight explain`), and `jwt-preflight check` with the same key, certificate, client id, username and login URL.",
                fix: "Fix the failure behind the retries first (run `jwt-preflight check` in the pipeline before the login), then wait for the hourly allowance to recover.",
                rules: &[Code::PF323, Code::PF324, Code::PF501, Code::PF334],
            },
        ],
    },
    KnownReply {
        error: "unsupported_grant_type",
        description: "grant type not supported",
        aliases: &["unsupported grant type"],
        flow_note: None,
        causes: &[
            Cause {
                cause: "The grant_type parameter is missing or misspelled; for this flow it is urn:ietf:params:oauth:grant-type:jwt-bearer.",
                confirm: "`jwt-preflight sign --request …` prints the exact request body, to compare with what the client sends.",
                fix: "Send grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (form-encoded) together with assertion=<the JWT>.",
                rules: &[],
            },
            Cause {
                cause: "The body is not form-encoded: sent as JSON, put in the query string, or sent without Content-Type: application/x-www-form-urlencoded, so Salesforce sees no grant_type at all.",
                confirm: "The client's request as logged, compared with `jwt-preflight sign --request`.",
                fix: "POST the parameters in an application/x-www-form-urlencoded body to /services/oauth2/token.",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "invalid_request",
        description: "HTTPS required",
        aliases: &[],
        flow_note: Some(
            "Documented for the OAuth endpoints in general; not confirmed for the JWT bearer flow.",
        ),
        causes: &[Cause {
            cause: "The token request went to an http:// URL; every Salesforce OAuth endpoint requires HTTPS.",
            confirm: "The token URL in the client's configuration; `jwt-preflight check` flags an http:// audience, which usually comes from the same setting.",
            fix: "Use https:// for the login URL and for aud.",
            rules: &[Code::PF322],
        }],
    },
    KnownReply {
        error: "invalid_request",
        description: "must use HTTP POST",
        aliases: &[],
        flow_note: Some(
            "Documented for the OAuth endpoints in general; not confirmed for the JWT bearer flow.",
        ),
        causes: &[
            Cause {
                cause: "The token request was sent with GET (or another method) instead of POST.",
                confirm: "The client's request as logged; `jwt-preflight sign --request` prints the POST to send.",
                fix: "POST to https://<host>/services/oauth2/token with a form-encoded body.",
                rules: &[],
            },
            Cause {
                cause: "A redirect turned the POST into a GET: the client posted to an http:// URL or an old host name that answers with a redirect, and its HTTP library followed it with GET.",
                confirm: "The first response the client received (a 301 or 302 with a Location header).",
                fix: "Post directly to the final https:// URL (the org's My Domain, or login/test.salesforce.com).",
                rules: &[],
            },
        ],
    },
];

/// The `[audience=… login=…]` pair the Salesforce CLI appends to a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The audience the CLI put in the assertion.
    pub audience: String,
    /// The login URL the CLI posted to.
    pub login: String,
}

/// One reply as given by the user, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyText {
    /// The text the reply was read from (one line of the CLI output, or the whole input).
    pub input: String,
    /// The `error` field, lowercased, when one was found.
    pub error: Option<String>,
    /// The `error_description`, when one was found.
    pub description: Option<String>,
    /// The login URL / audience pair, when the CLI appended one.
    pub attempt: Option<Attempt>,
}

/// What the input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// One Salesforce reply: a JSON body or text.
    Reply,
    /// The output of a failed `sf org login jwt`: one reply per attempt.
    CliOutput,
}

/// The parsed input of `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// A single reply, or the CLI's list of attempts.
    pub kind: SubjectKind,
    /// The replies, in input order.
    pub replies: Vec<ReplyText>,
}

/// A close known reply offered for text that matched nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// The known reply.
    pub reply: &'static KnownReply,
    /// How close it is, 0 to 1.
    pub score: f64,
}

/// How one reply matched the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The description (or an `error` with only one known reply) was recognised.
    Known {
        /// The matching entry.
        reply: &'static KnownReply,
        /// The `error` given differs from the one Salesforce sends with this description.
        error_differs: bool,
    },
    /// Only the `error` was given, and several replies carry it.
    ErrorOnly {
        /// The error code.
        error: &'static str,
        /// Every known reply with that error.
        candidates: Vec<&'static KnownReply>,
    },
    /// Nothing matched.
    Unknown {
        /// The closest known replies, best first (may be empty).
        suggestions: Vec<Suggestion>,
        /// The `error` given, when it is a known error code.
        known_error: Option<&'static str>,
    },
}

/// A comment on the login URL / audience pair of one CLI attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptNote {
    /// What the pair says.
    pub note: String,
    /// The rules that catch the problem, if the pair shows one.
    pub rules: Vec<Code>,
}

/// One reply with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The reply as given.
    pub text: ReplyText,
    /// How it matched.
    pub outcome: Outcome,
    /// A comment on the attempt's login URL / audience pair.
    pub attempt_note: Option<AttemptNote>,
}

impl Explained {
    /// Whether the reply was recognised (known description, or a known error code).
    pub fn recognised(&self) -> bool {
        !matches!(self.outcome, Outcome::Unknown { .. })
    }
}

/// The whole explanation of an input.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// A single reply or CLI output.
    pub kind: SubjectKind,
    /// Every reply, explained.
    pub items: Vec<Explained>,
    /// Notes about the attempts taken together.
    pub notes: Vec<String>,
}

impl Explanation {
    /// Whether every reply was recognised (and there was at least one).
    pub fn all_recognised(&self) -> bool {
        !self.items.is_empty() && self.items.iter().all(Explained::recognised)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// Parses what the user gave `explain` (other than a rule code or name): a JSON body, a reply
/// as text, or the output of `sf org login jwt`.
pub fn parse_subject(text: &str) -> Subject {
    parse_subject_depth(text, 0)
}

fn parse_subject_depth(text: &str, depth: u8) -> Subject {
    let t = text.trim_start_matches('\u{feff}').trim();
    if depth < 3
        && let Ok(v) = serde_json::from_str::<Value>(t)
        && let Some(s) = from_json(&v, t, depth)
    {
        return s;
    }
    if let Some(pos) = find_ci(t, "errors encountered:") {
        let rest = &t[pos + "errors encountered:".len()..];
        let replies: Vec<ReplyText> = rest
            .lines()
            .map(str::trim)
            .take_while(|l| !is_cli_trailer(l))
            .filter(|l| !l.is_empty())
            .map(parse_line)
            .collect();
        if !replies.is_empty() {
            return Subject {
                kind: SubjectKind::CliOutput,
                replies,
            };
        }
    }
    Subject {
        kind: SubjectKind::Reply,
        replies: vec![parse_line(t)],
    }
}

/// A JSON input: a reply body, a list of them, or the `--json` output of the Salesforce CLI
/// (whose `message` holds the text).
fn from_json(v: &Value, raw: &str, depth: u8) -> Option<Subject> {
    match v {
        Value::Object(m) if m.contains_key("error") || m.contains_key("error_description") => {
            let field = |k: &str| match m.get(k) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => None,
            };
            let error = field("error");
            // Salesforce's errors use `error`; some wrappers put the whole text there.
            if let (Some(e), None) = (&error, field("error_description"))
                && !looks_like_error_code(e)
            {
                return Some(parse_subject_depth(e, depth + 1));
            }
            Some(Subject {
                kind: SubjectKind::Reply,
                replies: vec![ReplyText {
                    input: raw.to_string(),
                    error: error.map(|e| e.to_ascii_lowercase()),
                    description: field("error_description"),
                    attempt: None,
                }],
            })
        }
        Value::Object(m) => match m.get("message") {
            Some(Value::String(s)) => Some(parse_subject_depth(s, depth + 1)),
            _ => None,
        },
        Value::Array(items) => {
            let mut replies = Vec::new();
            for item in items {
                let text = item.to_string();
                if let Some(s) = from_json(item, &text, depth + 1) {
                    replies.extend(s.replies);
                }
            }
            (!replies.is_empty()).then_some(Subject {
                kind: SubjectKind::Reply,
                replies,
            })
        }
        Value::String(s) => Some(parse_subject_depth(s, depth + 1)),
        _ => None,
    }
}

/// Lines that end the CLI's list of attempts (its hints, a stack trace).
fn is_cli_trailer(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.starts_with("try this")
        || l.starts_with("at ")
        || l.starts_with("***")
        || l.starts_with("stack")
        || l.starts_with("warning:")
        || l.starts_with("\",")
}

/// Splits one line (or a whole single reply) into error, description and attempt.
fn parse_line(line: &str) -> ReplyText {
    let input = line.trim().to_string();
    let (body, attempt) = split_attempt(&input);
    // key/value forms: JSON embedded in other text, Python dicts, query strings, log lines.
    if let Some(description) = extract_key(&body, "error_description") {
        let error = extract_key(&body, "error").filter(|e| looks_like_error_code(e));
        return ReplyText {
            input,
            error: error.map(|e| e.to_ascii_lowercase()),
            description: Some(description).filter(|d| !d.is_empty()),
            attempt,
        };
    }
    let stripped = strip_wrappers(&body);
    let (error, description) = split_error(&stripped);
    ReplyText {
        input,
        error,
        description,
        attempt,
    }
}

/// Removes a trailing ` [audience=… login=…]` and returns it.
fn split_attempt(line: &str) -> (String, Option<Attempt>) {
    let Some(start) = rfind_ci(line, "[audience=") else {
        return (line.to_string(), None);
    };
    let inner_end = line[start..]
        .find(']')
        .map(|e| start + e)
        .unwrap_or(line.len());
    let inner = &line[start + 1..inner_end];
    let mut audience = None;
    let mut login = None;
    for part in inner.split_whitespace() {
        if let Some((k, v)) = part.split_once('=') {
            match k.to_ascii_lowercase().as_str() {
                "audience" => audience = Some(v.to_string()),
                "login" => login = Some(v.to_string()),
                _ => {}
            }
        }
    }
    let rest = format!(
        "{}{}",
        &line[..start],
        line.get(inner_end + 1..).unwrap_or("")
    );
    let attempt = audience.map(|audience| Attempt {
        audience,
        login: login.unwrap_or_default(),
    });
    (rest.trim().to_string(), attempt)
}

/// The wrappers the Salesforce CLI and other clients put around Salesforce's text.
fn strip_wrappers(s: &str) -> String {
    let mut t = s.trim().to_string();
    for marker in [
        "here's the error:",
        "here\u{2019}s the error:",
        "due to:",
        "errors encountered:",
    ] {
        if let Some(p) = rfind_ci(&t, marker) {
            t = t[p + marker.len()..].trim().to_string();
        }
    }
    // "Error (JwtAuthError): …", "ERROR running force:auth:jwt:grant: …", "Error: …"
    loop {
        let lower = t.to_ascii_lowercase();
        let next = if lower.starts_with("error (") {
            t.find("):").map(|p| t[p + 2..].to_string())
        } else if lower.starts_with("error running ") {
            // the command name ends in ':' and is followed by the message
            t.find(": ").map(|p| t[p + 2..].to_string())
        } else if lower.starts_with("error:") {
            Some(t[6..].to_string())
        } else {
            None
        };
        match next {
            Some(n) if n.trim() != t => t = n.trim().to_string(),
            _ => break,
        }
    }
    t
}

/// `error: description`, `error::description`, `error - description`, `error description`,
/// or just the description.
fn split_error(s: &str) -> (Option<String>, Option<String>) {
    let s = trim_noise(s);
    let token_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let token = &s[..token_end];
    // `simple_salesforce.exceptions…` is a module path, not an error code
    let dotted = s[token_end..].starts_with('.') && s[token_end..].len() > 1;
    if !token.is_empty() && !dotted && looks_like_error_code(token) {
        let rest = s[token_end..].trim_start_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ':' | '-' | '\u{2013}' | '\u{2014}' | '/' | ',' | '|' | '=' | '"' | '\'' | '`'
                )
        });
        let rest = trim_noise(rest);
        let description = (!rest.is_empty()).then(|| rest.to_string());
        return (Some(token.to_ascii_lowercase()), description);
    }
    (None, (!s.is_empty()).then(|| s.to_string()))
}

/// Quotes, backticks, whitespace and trailing punctuation around a value.
fn trim_noise(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' | '.' | ';'
            )
    })
}

/// An OAuth error code: a known one, or a lowercase word with an underscore (`invalid_grant`).
fn looks_like_error_code(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    if REPLIES.iter().any(|r| r.error == l) {
        return true;
    }
    l.contains('_')
        && !l.starts_with('_')
        && !l.ends_with('_')
        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value of `key` in text like `"key":"value"`, `'key': 'value'`, `key=value&…`.
fn extract_key(s: &str, key: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(off) = lower[from..].find(key) {
        let start = from + off;
        let end = start + key.len();
        from = end;
        let before_ok = start == 0 || {
            let b = bytes[start - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        let after_ok = bytes
            .get(end)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if !before_ok || !after_ok {
            continue;
        }
        let mut rest = s[end..].trim_start_matches(['"', '\'']).trim_start();
        if let Some(r) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) {
            rest = r.trim_start();
        } else {
            continue;
        }
        return Some(read_value(rest));
    }
    None
}

/// A quoted value (with backslash escapes) or a bare one up to `,` `&` `}` or the line's end.
fn read_value(rest: &str) -> String {
    let mut chars = rest.chars();
    match chars.next() {
        Some(q @ ('"' | '\'')) => {
            let mut out = String::new();
            let mut escaped = false;
            for c in chars {
                if escaped {
                    out.push(match c {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    break;
                } else {
                    out.push(c);
                }
            }
            out.trim().to_string()
        }
        _ => {
            let end = rest.find([',', '&', '}', '\n', '\r']).unwrap_or(rest.len());
            percent_decode(rest[..end].trim())
        }
    }
}

/// `+` and `%XX` of a query string; anything malformed is kept as written.
fn percent_decode(s: &str) -> String {
    if !s.contains(['%', '+']) {
        return s.to_string();
    }
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

fn rfind_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().rfind(needle)
}

// ---------------------------------------------------------------------------------------------
// Matching

/// Lowercase, straight apostrophes, single spaces, no surrounding quotes or final period.
fn normalise(s: &str) -> String {
    let s = s.replace(['\u{2019}', '\u{2018}', '`'], "'");
    let s = trim_noise(&s).to_lowercase();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn spellings(r: &KnownReply) -> impl Iterator<Item = &'static str> {
    std::iter::once(r.description).chain(r.aliases.iter().copied())
}

/// The entry whose description or alias is this text.
fn by_description(desc: &str) -> Option<&'static KnownReply> {
    let n = normalise(desc);
    REPLIES
        .iter()
        .find(|r| spellings(r).any(|s| normalise(s) == n))
}

/// The entry whose description appears inside the text, the longest spelling winning
/// ("authentication failure - invalid client credentials" over "authentication failure").
fn by_contained_description(text: &str) -> Option<&'static KnownReply> {
    let hay = normalise(text);
    let mut best: Option<(&'static KnownReply, usize)> = None;
    for r in REPLIES {
        for s in spellings(r) {
            let needle = normalise(s);
            if contains_words(&hay, &needle) && best.is_none_or(|(_, len)| needle.len() > len) {
                best = Some((r, needle.len()));
            }
        }
    }
    best.map(|(r, _)| r)
}

/// `needle` occurs in `hay` on word boundaries.
fn contains_words(hay: &str, needle: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut from = 0;
    while let Some(off) = hay[from..].find(needle) {
        let start = from + off;
        let end = start + needle.len();
        if !word(hay[..start].chars().next_back()) && !word(hay[end..].chars().next()) {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn known_error(code: &str) -> Option<&'static str> {
    REPLIES
        .iter()
        .find(|r| r.error.eq_ignore_ascii_case(code))
        .map(|r| r.error)
}

fn with_error(code: &str) -> Vec<&'static KnownReply> {
    REPLIES
        .iter()
        .filter(|r| r.error.eq_ignore_ascii_case(code))
        .collect()
}

/// Matches one reply against the table.
pub fn match_reply(r: &ReplyText) -> Outcome {
    let given_error = r.error.as_deref();
    let known = |reply: &'static KnownReply| Outcome::Known {
        reply,
        error_differs: given_error
            .is_some_and(|e| known_error(e).is_some() && !e.eq_ignore_ascii_case(reply.error)),
    };
    if let Some(d) = &r.description {
        if let Some(reply) = by_description(d) {
            return known(reply);
        }
        // An error code sent as description ("invalid_grant" alone in a JSON body's description).
        if given_error.is_none()
            && let Some(e) = known_error(d.trim())
        {
            return error_only(e);
        }
    }
    if let Some(reply) = by_contained_description(&r.input) {
        return known(reply);
    }
    let code = given_error.and_then(known_error).or_else(|| {
        // a known error code somewhere in the text
        REPLIES
            .iter()
            .map(|k| k.error)
            .find(|e| contains_words(&normalise(&r.input), e))
    });
    match (&r.description, code) {
        (None, Some(e)) => error_only(e),
        _ => Outcome::Unknown {
            suggestions: suggest(r.description.as_deref().unwrap_or(&r.input)),
            known_error: code,
        },
    }
}

fn error_only(code: &'static str) -> Outcome {
    let candidates = with_error(code);
    match candidates.as_slice() {
        [only] => Outcome::Known {
            reply: only,
            error_differs: false,
        },
        _ => Outcome::ErrorOnly {
            error: code,
            candidates,
        },
    }
}

/// How close a suggestion must be to be offered.
const SUGGEST_THRESHOLD: f64 = 0.5;

/// The known replies closest to this text, best first (at most three).
pub fn suggest(text: &str) -> Vec<Suggestion> {
    let query = tokens(text);
    if query.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Suggestion> = REPLIES
        .iter()
        .map(|r| {
            let score = spellings(r)
                .map(|s| similarity(&query, &tokens(s)))
                .fold(0.0, f64::max);
            Suggestion { reply: r, score }
        })
        .filter(|s| s.score >= SUGGEST_THRESHOLD)
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(3);
    out
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "this", "to", "of", "in", "for", "and", "with", "by", "be",
];

fn tokens(s: &str) -> Vec<String> {
    normalise(s)
        .replace('\'', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && !STOPWORDS.contains(t))
        .map(str::to_string)
        .collect()
}

/// A soft Dice coefficient: each token counts by its best match in the other list, where two
/// tokens match when their edit distance is small next to their length.
fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let best = |x: &String, ys: &[String]| ys.iter().map(|y| token_sim(x, y)).fold(0.0, f64::max);
    let sum: f64 =
        a.iter().map(|x| best(x, b)).sum::<f64>() + b.iter().map(|y| best(y, a)).sum::<f64>();
    sum / (a.len() + b.len()) as f64
}

fn token_sim(a: &str, b: &str) -> f64 {
    let max = a.chars().count().max(b.chars().count());
    if max == 0 {
        return 0.0;
    }
    let s = 1.0 - levenshtein(a, b) as f64 / max as f64;
    if s >= 0.7 { s } else { 0.0 }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------------------------
// The login URL / audience pair of a CLI attempt

/// Comments on the pair the Salesforce CLI used for one attempt.
pub fn comment_attempt(a: &Attempt) -> AttemptNote {
    let aud = SimpleUrl::parse(&a.audience);
    let login = SimpleUrl::parse(&a.login);
    let (Some(aud), Some(login)) = (aud, login) else {
        return AttemptNote {
            note: format!(
                "audience {} posted to {}: one of them is not a full URL, which Salesforce refuses as audience.",
                a.audience, a.login
            ),
            rules: vec![Code::PF322],
        };
    };
    let ak = salesforce::classify_host(&aud.host);
    let lk = salesforce::classify_host(&login.host);
    let mut notes = Vec::new();
    let mut rules = Vec::new();
    if aud.scheme != "https" || !ak.is_login_server() {
        notes.push(format!(
            "the audience {} is not an https URL of a Salesforce login server",
            aud.origin()
        ));
        rules.push(Code::PF322);
    }
    match (ak.environment(), lk.environment()) {
        (Some(ae), Some(le)) if ae != le => {
            notes.push(format!(
                "the audience is {} ({}) but the request went to {} ({}): this pair cannot work",
                salesforce::describe(&ak),
                ae.as_str(),
                salesforce::describe(&lk),
                le.as_str()
            ));
            rules.push(Code::PF323);
        }
        _ => {}
    }
    if let (HostKind::MyDomain { name: an, .. }, HostKind::MyDomain { name: ln, .. }) = (&ak, &lk)
        && an != ln
    {
        notes.push(format!(
            "the audience names the My Domain {an} but the request went to {ln}"
        ));
        rules.push(Code::PF323);
    }
    if matches!(ak, HostKind::ProductionLogin | HostKind::SandboxLogin)
        && matches!(lk, HostKind::MyDomain { .. })
        && !rules.contains(&Code::PF323)
    {
        notes.push(
            "a login/test audience posted to a My Domain: External Client Apps refuse it since Spring '26 (app_not_found)"
                .to_string(),
        );
        rules.push(Code::PF324);
    }
    if aud.path == "/" {
        notes.push("the audience ends with '/', which is not confirmed to be accepted".to_string());
        rules.push(Code::PF325);
    }
    let note = if notes.is_empty() {
        format!(
            "audience {} posted to {}: the pair is consistent ({} to {}), so the refusal is about this org or app rather than the pair.",
            a.audience,
            a.login,
            salesforce::describe(&ak),
            salesforce::describe(&lk)
        )
    } else {
        format!(
            "audience {} posted to {}: {}.",
            a.audience,
            a.login,
            notes.join("; ")
        )
    };
    AttemptNote { note, rules }
}

// ---------------------------------------------------------------------------------------------
// The whole explanation

/// Parses and explains any reply text (everything but a rule code or name).
pub fn explain_text(text: &str) -> Explanation {
    let subject = parse_subject(text);
    let items: Vec<Explained> = subject
        .replies
        .into_iter()
        .map(|text| {
            let outcome = match_reply(&text);
            let attempt_note = text.attempt.as_ref().map(comment_attempt);
            Explained {
                text,
                outcome,
                attempt_note,
            }
        })
        .collect();
    let notes = if subject.kind == SubjectKind::CliOutput {
        cli_notes(&items)
    } else {
        Vec::new()
    };
    Explanation {
        kind: subject.kind,
        items,
        notes,
    }
}

fn is_audience_reply(r: &KnownReply) -> bool {
    r.description == "audience is invalid"
}

/// What the attempts of one CLI login say together.
fn cli_notes(items: &[Explained]) -> Vec<String> {
    let mut notes = vec![format!(
        "`sf org login jwt` tried {} login URL / audience pair{} and every one failed; each attempt is explained below.",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    )];
    let known: Vec<&'static KnownReply> = items
        .iter()
        .filter_map(|i| match i.outcome {
            Outcome::Known { reply, .. } => Some(reply),
            _ => None,
        })
        .collect();
    if known.len() < 2 || known.len() != items.len() {
        return notes;
    }
    let first = known[0];
    if known.iter().all(|r| std::ptr::eq(*r, first)) {
        notes.push(format!(
            "Every attempt got the same reply ({}), so its cause does not depend on the login URL or the audience.",
            first.description
        ));
        return notes;
    }
    let others: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for r in known.iter().filter(|r| !is_audience_reply(r)) {
            if !v.contains(&r.description) {
                v.push(r.description);
            }
        }
        v
    };
    if known.iter().any(|r| is_audience_reply(r)) && !others.is_empty() {
        notes.push(format!(
            "Some attempts were refused on the audience and others for another reason ({}). Those others most likely used a pair whose audience Salesforce accepted, so start with them; the audience refusals are probably the CLI's other guesses.",
            others.join("; ")
        ));
    }
    notes
}

fn rule_label(code: Code) -> String {
    let r = code.rule();
    format!("{} {}", r.code, r.name)
}

fn rules_line(rules: &[Code]) -> String {
    if rules.is_empty() {
        "no rule: this lies outside what an offline check of the assertion, key and certificate can see".to_string()
    } else {
        rules
            .iter()
            .map(|r| rule_label(*r))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn write_causes(out: &mut String, reply: &KnownReply, indent: &str) {
    out.push_str(&format!("{indent}Causes, most likely first:\n"));
    for (i, c) in reply.causes.iter().enumerate() {
        out.push_str(&format!("{indent}{}. {}\n", i + 1, c.cause));
        out.push_str(&format!("{indent}   Confirm: {}\n", c.confirm));
        out.push_str(&format!("{indent}   Fix:     {}\n", c.fix));
        out.push_str(&format!(
            "{indent}   Caught before deployment by: {}\n",
            rules_line(c.rules)
        ));
    }
}

fn reply_title(reply: &KnownReply) -> String {
    format!("{} / {}", reply.error, reply.description)
}

/// The human report. Unrecognised replies are left out here; see [`unrecognised_message`].
pub fn render_human(e: &Explanation) -> String {
    let mut out = String::new();
    for n in &e.notes {
        out.push_str(n);
        out.push('\n');
    }
    if !e.notes.is_empty() {
        out.push('\n');
    }
    let cli = e.kind == SubjectKind::CliOutput;
    let mut shown: Vec<(&'static KnownReply, usize)> = Vec::new();
    for (n, item) in e.items.iter().enumerate() {
        let indent = if cli { "  " } else { "" };
        let head = if cli {
            format!("Attempt {}: ", n + 1)
        } else {
            String::new()
        };
        match &item.outcome {
            Outcome::Known {
                reply,
                error_differs,
            } => {
                out.push_str(&format!("{head}{}\n", reply_title(reply)));
                if let Some(a) = &item.attempt_note {
                    out.push_str(&format!("{indent}Pair: {}\n", a.note));
                    if !a.rules.is_empty() {
                        out.push_str(&format!(
                            "{indent}      Caught by: {}\n",
                            rules_line(&a.rules)
                        ));
                    }
                }
                if let Some(d) = &item.text.description
                    && normalise(d) != normalise(reply.description)
                    && by_description(d).is_some()
                {
                    out.push_str(&format!(
                        "{indent}Given as '{d}': another spelling of this reply.\n"
                    ));
                }
                if *error_differs && let Some(given) = &item.text.error {
                    out.push_str(&format!(
                        "{indent}Note: Salesforce sends this description with `{}`, not `{given}`; explained as {}.\n",
                        reply.error,
                        reply_title(reply)
                    ));
                }
                if let Some((_, first)) = shown.iter().find(|(r, _)| std::ptr::eq(*r, *reply)) {
                    out.push_str(&format!(
                        "{indent}Same reply as attempt {}: see its causes above.\n\n",
                        first + 1
                    ));
                    continue;
                }
                shown.push((reply, n));
                if let Some(note) = reply.flow_note {
                    out.push_str(&format!("{indent}Note: {note}\n"));
                }
                out.push('\n');
                write_causes(&mut out, reply, indent);
                out.push('\n');
            }
            Outcome::ErrorOnly { error, candidates } => {
                out.push_str(&format!(
                    "{head}{error} (no error_description given): Salesforce sends {error} with {} different descriptions; the description tells the causes apart. The candidates, each with its most likely cause:\n\n",
                    candidates.len()
                ));
                for c in candidates {
                    out.push_str(&format!("{indent}- {}\n", c.description));
                    if let Some(first) = c.causes.first() {
                        out.push_str(&format!("{indent}    {}\n", first.cause));
                        out.push_str(&format!(
                            "{indent}    Caught before deployment by: {}\n",
                            rules_line(first.rules)
                        ));
                    }
                }
                out.push_str(&format!(
                    "\n{indent}Run `jwt-preflight explain '{error}: <error_description>'` with the description for every cause and fix.\n\n"
                ));
            }
            Outcome::Unknown { .. } => {
                out.push_str(&format!(
                    "{head}not recognised: {}\n\n",
                    shorten(&item.text.input)
                ));
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn cause_json(c: &Cause) -> Value {
    json!({"cause": c.cause, "confirm": c.confirm, "fix": c.fix, "rules": c.rules})
}

fn reply_json(r: &KnownReply) -> Value {
    json!({
        "error": r.error,
        "error_description": r.description,
        "flow_note": r.flow_note,
        "causes": r.causes.iter().map(cause_json).collect::<Vec<_>>(),
        "rules": r.rules(),
    })
}

/// The `replies` array of the JSON output: one object per reply, in input order.
pub fn replies_json(e: &Explanation) -> Vec<Value> {
    e.items
        .iter()
        .map(|item| {
            let attempt = match (&item.text.attempt, &item.attempt_note) {
                (Some(a), Some(n)) => json!({
                    "audience": a.audience, "login": a.login, "note": n.note, "rules": n.rules,
                }),
                _ => Value::Null,
            };
            match &item.outcome {
                Outcome::Known {
                    reply,
                    error_differs,
                } => json!({
                    "input": item.text.input,
                    "recognised": true,
                    "error": reply.error,
                    "error_description": reply.description,
                    "error_given": item.text.error,
                    "error_differs": error_differs,
                    "flow_note": reply.flow_note,
                    "attempt": attempt,
                    "causes": reply.causes.iter().map(cause_json).collect::<Vec<_>>(),
                    "rules": reply.rules(),
                    "candidates": [],
                }),
                Outcome::ErrorOnly { error, candidates } => json!({
                    "input": item.text.input,
                    "recognised": true,
                    "error": error,
                    "error_description": Value::Null,
                    "error_given": item.text.error,
                    "error_differs": false,
                    "flow_note": Value::Null,
                    "attempt": attempt,
                    "causes": [],
                    "rules": [],
                    "candidates": candidates.iter().map(|c| reply_json(c)).collect::<Vec<_>>(),
                }),
                Outcome::Unknown {
                    suggestions,
                    known_error,
                } => json!({
                    "input": item.text.input,
                    "recognised": false,
                    "error": known_error,
                    "error_description": item.text.description,
                    "error_given": item.text.error,
                    "error_differs": false,
                    "flow_note": Value::Null,
                    "attempt": attempt,
                    "causes": [],
                    "rules": [],
                    "candidates": suggestions.iter().map(|s| reply_json(s.reply)).collect::<Vec<_>>(),
                }),
            }
        })
        .collect()
}

/// The input kind as written in the JSON output.
pub fn kind_str(k: SubjectKind) -> &'static str {
    match k {
        SubjectKind::Reply => "reply",
        SubjectKind::CliOutput => "sf-cli-output",
    }
}

fn shorten(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        let cut: String = one_line.chars().take(117).collect();
        format!("'{cut}…'")
    } else {
        format!("'{one_line}'")
    }
}

/// The message for replies that matched nothing (`None` when every reply was recognised):
/// the closest known replies when some are close, else a plain statement.
pub fn unrecognised_message(e: &Explanation) -> Option<String> {
    let unknown: Vec<(usize, &Explained)> = e
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.recognised())
        .collect();
    if unknown.is_empty() && !e.items.is_empty() {
        return None;
    }
    if e.items.is_empty() {
        return Some("explain: nothing to explain: the input is empty".to_string());
    }
    let mut parts = Vec::new();
    for (n, item) in unknown {
        let Outcome::Unknown {
            suggestions,
            known_error,
        } = &item.outcome
        else {
            continue;
        };
        let what = if e.kind == SubjectKind::CliOutput {
            format!("attempt {}: {}", n + 1, shorten(&item.text.input))
        } else {
            shorten(&item.text.input)
        };
        let mut msg = if !suggestions.is_empty() {
            let list = suggestions
                .iter()
                .map(|s| format!("  {}: {}", s.reply.error, s.reply.description))
                .collect::<Vec<_>>()
                .join("\n");
            format!(
                "{what} is not a Salesforce reply jwt-preflight knows. The closest known replies:\n{list}\nRun `jwt-preflight explain '<one of them>'` for its causes and fixes."
            )
        } else if let Some(code) = known_error {
            let list = with_error(code)
                .iter()
                .map(|r| format!("  {}: {}", r.error, r.description))
                .collect::<Vec<_>>()
                .join("\n");
            format!(
                "{what}: this error_description is not one jwt-preflight knows for {code}. The known ones are:\n{list}"
            )
        } else {
            format!(
                "{what} is not a Salesforce reply jwt-preflight knows, nor a rule code or name (see `jwt-preflight rules`). Give the error and error_description of the reply, its JSON body, or the whole output of `sf org login jwt`."
            )
        };
        if let Some(rule) = close_rule_name(&item.text.input) {
            msg.push_str(&format!(
                "\nDid you mean the rule {} ({})?",
                rule.name, rule.code
            ));
        }
        parts.push(msg);
    }
    Some(format!("explain: {}", parts.join("\n")))
}

/// A rule whose name is within a few edits of the text (a typo in a rule name).
fn close_rule_name(text: &str) -> Option<&'static catalog::Rule> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    catalog::RULES
        .iter()
        .map(|r| (r, levenshtein(&t, r.name)))
        .filter(|(_, d)| *d <= 3)
        .min_by_key(|(_, d)| *d)
        .map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> ReplyText {
        let s = parse_subject(text);
        assert_eq!(s.replies.len(), 1, "{text}: {s:?}");
        s.replies
            .into_iter()
            .next()
            .unwrap_or_else(|| unreachable!())
    }

    fn known(text: &str) -> &'static KnownReply {
        match match_reply(&one(text)) {
            Outcome::Known { reply, .. } => reply,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_reply_has_causes_with_confirm_and_fix() {
        for r in REPLIES {
            assert!(!r.causes.is_empty(), "{}", r.description);
            for c in r.causes {
                assert!(c.cause.len() > 20 && c.confirm.len() > 15 && c.fix.len() > 10);
            }
        }
    }

    #[test]
    fn spellings_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in REPLIES {
            for s in spellings(r) {
                assert!(seen.insert(normalise(s)), "duplicate spelling {s}");
            }
        }
    }

    #[test]
    fn every_reply_matches_itself_in_every_form() {
        for r in REPLIES {
            for text in [
                format!("{}: {}", r.error, r.description),
                format!("{}::{}", r.error, r.description),
                format!("{} - {}", r.error, r.description),
                format!("{} {}", r.error, r.description),
                r.description.to_string(),
                r.description.to_uppercase(),
                format!("  \"{}\"  ", r.description),
                json!({"error": r.error, "error_description": r.description}).to_string(),
            ] {
                assert!(std::ptr::eq(known(&text), r), "{text}");
            }
        }
    }

    #[test]
    fn separators() {
        let r = one("invalid_grant: audience is invalid");
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("audience is invalid"));
        let r = one("invalid_app_access::user is not admin approved to access this app");
        assert_eq!(r.error.as_deref(), Some("invalid_app_access"));
        assert_eq!(
            r.description.as_deref(),
            Some("user is not admin approved to access this app")
        );
        let r = one("INVALID_GRANT - 'expired authorization code'.");
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("expired authorization code"));
        let r = one("user hasn\u{2019}t approved this consumer");
        assert_eq!(r.error, None);
        assert_eq!(
            known("user hasn\u{2019}t approved this consumer").description,
            "user hasn't approved this consumer"
        );
    }

    #[test]
    fn json_and_key_value_forms() {
        let r = one(r#"{"error":"invalid_grant","error_description":"audience is invalid"}"#);
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("audience is invalid"));
        let r = one(
            "{'error': 'invalid_grant', 'error_description': \"user hasn't approved this consumer\"}",
        );
        assert_eq!(
            r.description.as_deref(),
            Some("user hasn't approved this consumer")
        );
        let r = one("error=invalid_grant&error_description=audience+is+invalid");
        assert_eq!(r.error.as_deref(), Some("invalid_grant"));
        assert_eq!(r.description.as_deref(), Some("audience is invalid"));
        let r = one(
            "HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}",
        );
        assert_eq!(r.error.as_deref(), Some("invalid_client_id"));
        assert_eq!(known("HTTP/1.1 400\n\n{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}").error, "invalid_client_id");
    }

    #[test]
    fn error_alone_lists_candidates() {
        match match_reply(&one("invalid_grant")) {
            Outcome::ErrorOnly { error, candidates } => {
                assert_eq!(error, "invalid_grant");
                assert!(candidates.len() >= 9);
                assert!(candidates.iter().all(|c| c.error == "invalid_grant"));
            }
            other => panic!("{other:?}"),
        }
        match match_reply(&one(r#"{"error":"invalid_grant"}"#)) {
            Outcome::ErrorOnly { .. } => {}
            other => panic!("{other:?}"),
        }
        // an error with a single known reply is that reply
        assert_eq!(known("inactive_user").description, "User is inactive");
    }

    #[test]
    fn docs_wording_is_an_alias() {
        assert_eq!(
            known(r#"{"error":"invalid_grant","error_description":"Audience validation failed"}"#)
                .description,
            "audience is invalid"
        );
    }

    #[test]
    fn longest_description_wins() {
        assert_eq!(
            known("invalid_grant: authentication failure - invalid client credentials").description,
            "authentication failure - invalid client credentials"
        );
        assert_eq!(
            known("authentication failure").description,
            "authentication failure"
        );
    }

    #[test]
    fn wrapped_cli_messages() {
        assert_eq!(
            known("Error (JwtAuthError): Error authenticating with JWT config due to: user hasn't approved this consumer").description,
            "user hasn't approved this consumer"
        );
        assert_eq!(
            known("Error authenticating with auth code due to: invalid_app_access::user is not admin approved to access this app").error,
            "invalid_app_access"
        );
    }

    const CLI: &str = "Error (JwtGrantError): We encountered a JSON web token error, which is likely not an issue with Salesforce CLI. Here's the error: Error authenticating with JWT.\nErrors encountered:\nuser hasn't approved this consumer\nuser hasn't approved this consumer\naudience is invalid  [audience=https://test.salesforce.com login=https://login.salesforce.com/]\n";

    #[test]
    fn cli_output_gives_one_reply_per_attempt() {
        let s = parse_subject(CLI);
        assert_eq!(s.kind, SubjectKind::CliOutput);
        assert_eq!(s.replies.len(), 3);
        assert_eq!(
            s.replies[0].description.as_deref(),
            Some("user hasn't approved this consumer")
        );
        assert_eq!(
            s.replies[2].description.as_deref(),
            Some("audience is invalid")
        );
        assert_eq!(
            s.replies[2].attempt,
            Some(Attempt {
                audience: "https://test.salesforce.com".into(),
                login: "https://login.salesforce.com/".into()
            })
        );
        let e = explain_text(CLI);
        assert!(e.all_recognised());
        let note = e.items[2].attempt_note.as_ref().map(|n| n.rules.clone());
        assert_eq!(note, Some(vec![Code::PF323]));
        assert!(e.notes.iter().any(|n| n.contains("start with them")));
    }

    #[test]
    fn cli_json_output() {
        let v = json!({"status": 1, "name": "JwtGrantError", "message": CLI, "exitCode": 1});
        let s = parse_subject(&v.to_string());
        assert_eq!(s.kind, SubjectKind::CliOutput);
        assert_eq!(s.replies.len(), 3);
    }

    #[test]
    fn attempt_comments() {
        let n = comment_attempt(&Attempt {
            audience: "https://login.salesforce.com".into(),
            login: "https://acme.my.salesforce.com".into(),
        });
        assert_eq!(n.rules, vec![Code::PF324]);
        let n = comment_attempt(&Attempt {
            audience: "https://acme.my.salesforce.com".into(),
            login: "https://acme.my.salesforce.com/".into(),
        });
        assert!(n.rules.is_empty(), "{n:?}");
        let n = comment_attempt(&Attempt {
            audience: "https://acme.my.salesforce.com".into(),
            login: "https://other.my.salesforce.com".into(),
        });
        assert_eq!(n.rules, vec![Code::PF323]);
    }

    #[test]
    fn near_miss_is_unknown_with_suggestion() {
        match match_reply(&one("audience invalid")) {
            Outcome::Unknown { suggestions, .. } => {
                assert_eq!(suggestions[0].reply.description, "audience is invalid");
            }
            other => panic!("{other:?}"),
        }
        let e = explain_text("audience invalid");
        let msg = unrecognised_message(&e).unwrap_or_default();
        assert!(msg.contains("invalid_grant: audience is invalid"), "{msg}");
    }

    #[test]
    fn unrelated_text_has_no_suggestion() {
        match match_reply(&one("the printer is on fire")) {
            Outcome::Unknown { suggestions, .. } => assert!(suggestions.is_empty()),
            other => panic!("{other:?}"),
        }
        let msg = unrecognised_message(&explain_text("the printer is on fire")).unwrap_or_default();
        assert!(
            msg.contains("is not a Salesforce reply jwt-preflight knows"),
            "{msg}"
        );
    }

    #[test]
    fn known_error_unknown_description_lists_that_errors_replies() {
        let e = explain_text("invalid_grant: the moon is made of cheese");
        assert!(!e.all_recognised());
        let msg = unrecognised_message(&e).unwrap_or_default();
        assert!(msg.contains("audience is invalid"), "{msg}");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a+b%20c%2"), "a b c%2");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}

/// Replaces the signature of every compact JWS in `text` (header.claims.signature, the
/// header starting `eyJ`) with a marker, so echoing a pasted request or log never prints a
/// live credential. Header and claims stay: they help the explanation.
pub fn redact_signatures(text: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("eyJ") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(is_b64(c) || c == '.'))
            .unwrap_or(candidate.len());
        let token = &candidate[..end];
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() >= 3 && !parts[2].is_empty() {
            out.push_str(parts[0]);
            out.push('.');
            out.push_str(parts[1]);
            out.push_str(".<signature hidden>");
            for extra in &parts[3..] {
                out.push('.');
                out.push_str(extra);
            }
        } else {
            out.push_str(token);
        }
        rest = &candidate[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod redact_tests {
    #[test]
    fn signatures_are_hidden() {
        let t = "grant_type=x&assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl and more";
        let r = super::redact_signatures(t);
        assert_eq!(
            r,
            "grant_type=x&assertion=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.<signature hidden> and more"
        );
        assert_eq!(
            super::redact_signatures("invalid_grant: audience is invalid"),
            "invalid_grant: audience is invalid"
        );
    }
}
