//! The replies Salesforce's token endpoint is known to send, each with its causes, most likely
//! first, how to confirm each one, the fix, and the rules that catch the cause before
//! deployment. Data only; written for this tool from the researched facts
//! (`salesforce-facts.md` §2.3 and §7, `salesforce-evidence.md`).

use crate::catalog::Code;

/// The note on the Salesforce CLI's own errors, raised before any request.
const SF_CLI_LOCAL: &str = "Printed by the Salesforce CLI before any request: nothing reached Salesforce, so the cause is on this machine.";

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
                fix: "Put the exact username of the pre-authorized user of that org in `sub`, unescaped, and post to that org's login host (test.salesforce.com or the sandbox My Domain for a sandbox).",
                rules: &[Code::PF312, Code::PF313, Code::PF311, Code::PF329],
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
                rules: &[Code::PF322, Code::PF326, Code::PF327, Code::PF321],
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
                    Code::PF105,
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
        flow_note: Some(
            "This reply is listed by a third-party guide; no Salesforce source or capture confirms it for the JWT bearer flow.",
        ),
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
                cause: "The External Client App is not present in the org the request reached: a sandbox refreshed from a production org without it, a new scratch org (signup does not copy External Client Apps), or the login went to production instead of the sandbox (or the reverse).",
                confirm: "Setup → External Client Apps → External Client App Manager in the org the request went to: the app is listed there and its OAuth settings are enabled; `jwt-preflight check --login-url …` shows which org the login targets.",
                fix: "Post to the org where the app is installed, best by its My Domain URL, as host and as aud; or install or enable the app in that org (again after a sandbox refresh) and copy its consumer key from there.",
                rules: &[Code::PF323],
            },
            Cause {
                cause: "The audience is https://login.salesforce.com or https://test.salesforce.com while the app is an External Client App: one reporter saw such apps refuse login/test audiences after Spring '26, and the My Domain URL always works.",
                confirm: "`jwt-preflight check --login-url https://<MyDomain>.my.salesforce.com …` flags a login/test audience posted to a My Domain; Setup → External Client Apps lists the app when it is an External Client App.",
                fix: "Use the org's My Domain URL as aud and as the login URL (the Salesforce CLI: --instance-url and SF_AUDIENCE_URL set to https://<MyDomain>.my.salesforce.com).",
                rules: &[Code::PF324],
            },
            Cause {
                cause: "A Dev Hub authorised through an External Client App creates a scratch org: signup cannot copy the app into the new org (error C-1016).",
                confirm: "The failure follows `sf org create scratch`; the CLI's message names the scratch org's signup.",
                fix: "Authorise the Dev Hub with a connected app, not an External Client App, or set SF_SCRATCH_SIGNUP_CONNECTED_APP to a connected app the scratch org can use.",
                rules: &[],
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
            rules: &[Code::PF328, Code::PF322],
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
    KnownReply {
        error: "invalid_grant",
        description: "inactive user",
        aliases: &[],
        flow_note: Some(
            "The form seen in real replies (restforce #303); Salesforce's list of OAuth errors spells it inactive_user / User is inactive.",
        ),
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
        error: "sf-cli",
        description: "secretOrPrivateKey must be an asymmetric key when using RS256",
        aliases: &[
            "secretOrPrivateKey must be an asymmetric key when using RS384",
            "secretOrPrivateKey must be an asymmetric key when using RS512",
        ],
        flow_note: Some(SF_CLI_LOCAL),
        causes: &[
            Cause {
                cause: "The key file is encrypted (Salesforce's own instructions first make server.pass.key): the CLI reads the file as text and has no passphrase option, so it cannot use the key.",
                confirm: "The file's first line reads -----BEGIN ENCRYPTED PRIVATE KEY----- (or it has Proc-Type: 4,ENCRYPTED); `jwt-preflight check --key <file>` reports it as encrypted.",
                fix: "Decrypt a copy for the CLI and keep it protected: openssl pkey -in server.pass.key -out server.key, then chmod 600 server.key; give -f server.key.",
                rules: &[Code::PF506],
            },
            Cause {
                cause: "The key's line breaks were lost on the way: a CI secret stored or written on one line, spaces for newlines, or literal \\n sequences, so the PEM block no longer parses.",
                confirm: "`jwt-preflight check --key <file>` says \"the PEM block lost its line breaks\" (or \"literal \\n sequences\") and repairs it for the run.",
                fix: "Store the key with its line breaks: write the secret with printf '%s\\n' \"$SF_JWT_KEY\" > server.key, or store base64 of the whole file and decode it with base64 -d.",
                rules: &[],
            },
            Cause {
                cause: "The file given with -f is not a private key at all: the certificate, a public key or a PKCS#12 archive.",
                confirm: "`jwt-preflight check --key <file>` says what the file is.",
                fix: "Give the PEM private key whose certificate is on the app to -f / --jwt-key-file.",
                rules: &[],
            },
        ],
    },
    KnownReply {
        error: "sf-cli",
        description: "secretOrPrivateKey has a minimum key size of 2048 bits for RS256",
        aliases: &[
            "secretOrPrivateKey has a minimum key size of 2048 bits for RS384",
            "secretOrPrivateKey has a minimum key size of 2048 bits for RS512",
        ],
        flow_note: Some(SF_CLI_LOCAL),
        causes: &[Cause {
            cause: "The RSA key is smaller than 2048 bits: the CLI's JWT library (jsonwebtoken 9 and later) refuses to sign with it, and RFC 7518 requires 2048 bits for RS256.",
            confirm: "`jwt-preflight check --key <file>` reports the key's size; openssl rsa -in <file> -noout -text prints it on the first line.",
            fix: "Make a 2048-bit (or larger) key and certificate, upload the certificate to the app, and sign with the new key: `jwt-preflight keygen --out secrets/` does both.",
            rules: &[Code::PF502],
        }],
    },
    KnownReply {
        error: "sf-cli",
        description: "Invalid instance URL. It should NOT be a lightning domain",
        aliases: &[],
        flow_note: Some(SF_CLI_LOCAL),
        causes: &[Cause {
            cause: "--instance-url (-r) is a Lightning Experience host (…lightning.force.com), the address of the browser UI, which serves no logins.",
            confirm: "The URL given to -r, or sfdcLoginUrl in sfdx-project.json, ends in .lightning.force.com.",
            fix: "Give the org's My Domain URL instead: https://<MyDomain>.my.salesforce.com (a sandbox: https://<MyDomain>--<sandbox>.sandbox.my.salesforce.com), as Setup → My Domain shows it.",
            rules: &[],
        }],
    },
    KnownReply {
        error: "sf-cli",
        description: "Client ID is required for JWT authentication",
        aliases: &[],
        flow_note: Some(SF_CLI_LOCAL),
        causes: &[Cause {
            cause: "No consumer key was given: -i / --client-id is missing, or the variable a script passes to it is empty.",
            confirm: "The command line as run (echo it in CI); SF_CLIENT_ID or the variable holding the key.",
            fix: "Pass the connected app's consumer key with --client-id (Setup → App Manager → the app ▸ View → Manage Consumer Details).",
            rules: &[],
        }],
    },
];
