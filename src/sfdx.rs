//! What the Salesforce CLI stores about the orgs it authorised, read without decrypting
//! anything: `check --target-org` and `check --all-sf-orgs` check those orgs as the CLI would
//! log in to them again.
//!
//! The layout is sfdx-core's (forcedotcom/sfdx-core):
//! - `~/.sfdx/alias.json` is `{"orgs": {"<alias>": "<username>"}}`
//!   (`src/stateAggregator/accessors/aliasAccessor.ts`: `FILENAME = 'alias.json'`,
//!   `DEFAULT_GROUP = 'orgs'`);
//! - `~/.sfdx/<username>.json` is one org's auth file (`src/config/authInfoConfig.ts`:
//!   `filename: \`${username}.json\``), listed by `orgAccessor.ts` with the pattern
//!   `/^[^.][^@]*@[^.]+(\.[^.\s]+)+\.json$/`. A JWT login (`AuthInfo.authJwt` in
//!   `src/org/authInfo.ts`) stores `accessToken`, `orgId`, `loginUrl`, `privateKey` (the
//!   resolved path of the key file, not its content), `clientId`, `instanceUrl` and
//!   `username`; `isJwt()` is `!refreshToken && !!privateKey`. The web flow stores
//!   `refreshToken`, `clientId` and `clientSecret` and no `privateKey`.
//! - Fields whose names match `/token/i`, `/password/i` or `/secret/i` are encrypted
//!   (`AuthInfoConfig.encryptedKeys`, AES-256-GCM as `<iv hex><cipher hex>:<tag hex>`). They are
//!   never read here beyond noting that a refresh token exists.
//!
//! When the CLI logs in again with JWT it tries its (host, aud) pairs in order, the stored
//! `loginUrl` as both first (`getLoginAudienceCombos` in `src/util/sfdcUrl.ts`); that first
//! pair, or `SF_AUDIENCE_URL` when set, is the one checked.

use crate::error::Error;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One org of the CLI, as its auth file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfOrg {
    /// The username (the auth file's name without `.json`).
    pub username: String,
    /// The consumer key it logged in with.
    pub client_id: Option<String>,
    /// Where it logged in (`loginUrl`).
    pub login_url: Option<String>,
    /// The org's instance (`instanceUrl`).
    pub instance_url: Option<String>,
    /// The org id.
    pub org_id: Option<String>,
    /// The private key file, for a JWT org.
    pub private_key: Option<PathBuf>,
    /// How it was authorised.
    pub flow: SfFlow,
}

/// How the CLI authorised an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SfFlow {
    /// `sf org login jwt`: a private key and no refresh token.
    Jwt,
    /// A browser or device login: a refresh token, no private key.
    Web,
    /// Neither (an access token alone, `sf org login access-token`).
    AccessToken,
}

impl SfOrg {
    /// Why `check` cannot check this org, when it cannot.
    pub fn skip_reason(&self) -> Option<String> {
        match self.flow {
            SfFlow::Jwt if self.client_id.is_none() => {
                Some("its auth file has a private key but no clientId".into())
            }
            SfFlow::Jwt => None,
            SfFlow::Web => Some(
                "authorised by the web flow (sf org login web): the CLI refreshes it with a refresh token, not a JWT, so there is no assertion to check"
                    .into(),
            ),
            SfFlow::AccessToken => Some(
                "authorised with an access token alone (sf org login access-token): there is no JWT to check"
                    .into(),
            ),
        }
    }
}

/// Whether a file name is an org's auth file, by sfdx-core's own pattern
/// `/^[^.][^@]*@[^.]+(\.[^.\s]+)+\.json$/`.
pub fn is_auth_file_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".json") else {
        return false;
    };
    let Some((local, domain)) = stem.split_once('@') else {
        return false;
    };
    // [^.][^@]*: a first character that is not a dot, then anything but @ (the split took
    // the first @, so `local` holds none).
    if local.is_empty() || local.starts_with('.') {
        return false;
    }
    // [^.]+(\.[^.\s]+)+ : a label, then one or more dot-labels without whitespace.
    let mut labels = domain.split('.');
    let first = labels.next().unwrap_or("");
    let rest: Vec<&str> = labels.collect();
    !first.is_empty()
        && !rest.is_empty()
        && rest
            .iter()
            .all(|l| !l.is_empty() && !l.contains(char::is_whitespace))
}

/// Reads `alias.json`: alias to username.
pub fn parse_aliases(name: &str, text: &str) -> Result<BTreeMap<String, String>, Error> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| Error::about(name, format!("is not JSON: {e}")))?;
    let orgs = v.get("orgs").and_then(Value::as_object);
    Ok(orgs
        .into_iter()
        .flatten()
        .filter_map(|(alias, user)| user.as_str().map(|u| (alias.clone(), u.to_string())))
        .collect())
}

/// Reads one org's auth file. Only the plain fields are read; an encrypted one is at most
/// noticed.
pub fn parse_auth_file(name: &str, username: &str, text: &str) -> Result<SfOrg, Error> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| Error::about(name, format!("is not JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| Error::about(name, "is not a JSON object"))?;
    let text_field = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let private_key = text_field("privateKey").map(PathBuf::from);
    let has_refresh = obj.get("refreshToken").is_some_and(|t| !t.is_null());
    let flow = match (private_key.is_some(), has_refresh) {
        (true, false) => SfFlow::Jwt,
        (_, true) => SfFlow::Web,
        (false, false) => SfFlow::AccessToken,
    };
    Ok(SfOrg {
        username: text_field("username").unwrap_or_else(|| username.to_string()),
        client_id: text_field("clientId"),
        login_url: text_field("loginUrl"),
        instance_url: text_field("instanceUrl"),
        org_id: text_field("orgId"),
        private_key,
        flow,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An auth file as `sf org login jwt` writes it (sfdx-core 8.x): encrypted fields are
    /// `<iv><cipher>:<tag>` hex.
    const JWT_AUTH: &str = r#"{
      "accessToken": "3c2f9a0b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9:0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      "orgId": "00D5g000004XyZaEAK",
      "loginUrl": "https://acme.my.salesforce.com/",
      "privateKey": "/home/ci/secrets/server.key",
      "clientId": "3MVG9abc",
      "instanceUrl": "https://acme.my.salesforce.com",
      "isDevHub": false,
      "instanceApiVersion": "66.0",
      "instanceApiVersionLastRetrieved": "12/1/2026, 9:13:07 PM",
      "username": "ci@acme.com"
    }"#;

    #[test]
    fn a_jwt_org_is_read_from_its_plain_fields() {
        let org = parse_auth_file("ci@acme.com.json", "ci@acme.com", JWT_AUTH).expect("auth");
        assert_eq!(org.flow, SfFlow::Jwt);
        assert_eq!(org.client_id.as_deref(), Some("3MVG9abc"));
        assert_eq!(
            org.login_url.as_deref(),
            Some("https://acme.my.salesforce.com/")
        );
        assert_eq!(
            org.private_key,
            Some(PathBuf::from("/home/ci/secrets/server.key"))
        );
        assert_eq!(org.skip_reason(), None);
    }

    #[test]
    fn web_and_access_token_orgs_say_why_they_are_skipped() {
        let web = r#"{"refreshToken":"aa:bb","clientId":"PlatformCLI","username":"me@acme.com","loginUrl":"https://login.salesforce.com"}"#;
        let org = parse_auth_file("me@acme.com.json", "me@acme.com", web).expect("auth");
        assert_eq!(org.flow, SfFlow::Web);
        assert!(org.skip_reason().is_some_and(|r| r.contains("web flow")));
        let token = r#"{"accessToken":"aa:bb","username":"t@acme.com"}"#;
        let org = parse_auth_file("t@acme.com.json", "t@acme.com", token).expect("auth");
        assert_eq!(org.flow, SfFlow::AccessToken);
        // A JWT org's file without clientId cannot be checked either.
        let odd = r#"{"privateKey":"/k","username":"x@acme.com"}"#;
        let org = parse_auth_file("x", "x@acme.com", odd).expect("auth");
        assert!(org.skip_reason().is_some_and(|r| r.contains("clientId")));
        assert!(parse_auth_file("bad.json", "u", "[1,2]").is_err());
        assert!(parse_auth_file("bad.json", "u", "{").is_err());
    }

    #[test]
    fn aliases_map_to_usernames() {
        let a = parse_aliases(
            "alias.json",
            r#"{"orgs":{"prod":"ci@acme.com","uat":"ci@acme.com.uat","odd":1}}"#,
        )
        .expect("aliases");
        assert_eq!(a.get("prod").map(String::as_str), Some("ci@acme.com"));
        assert_eq!(a.len(), 2);
        assert!(parse_aliases("alias.json", "nope").is_err());
    }

    #[test]
    fn auth_file_names_follow_sfdx_cores_pattern() {
        for ok in ["ci@acme.com.json", "ci@acme.com.uat.json", "a+b@x.io.json"] {
            assert!(is_auth_file_name(ok), "{ok}");
        }
        for no in [
            "alias.json",
            "key.json",
            ".hidden@acme.com.json",
            "ci@acme.json",
            "ci@acme.com",
            "@acme.com.json",
            "ci@.com.json",
            "ci@acme..com.json",
            "ci@acme.c m.json",
            "sfdx-config.json",
        ] {
            assert!(!is_auth_file_name(no), "{no}");
        }
    }
}
