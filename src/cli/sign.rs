//! `sign`: builds the assertion exactly as `check` would and prints it; sends nothing.

use super::args::SignArgs;
use super::{Error, Outcome, check, inputs};
use crate::report::{Document, Signed, TokenRequest};
use crate::salesforce::SimpleUrl;

/// Builds and signs the assertion.
pub fn run(a: &SignArgs) -> Result<Outcome, Error> {
    let exp = check::expectations(&a.claims, crate::defaults::CERT_WARN_DAYS)?;
    let now = inputs::now(a.claims.now.as_deref())?;
    let (key, _) = inputs::load_key(&a.key, inputs::passphrase_spec(&a.passphrase).as_ref())?;
    let alg = a.claims.alg.unwrap_or(a.claims.expect_alg).alg();
    let Some(token) = crate::check::build_assertion(&key, &exp, alg, a.claims.lifetime, now)?
    else {
        return Err(Error::about(
            &key.name,
            format!(
                "this key cannot sign an {alg} assertion ({})",
                key.algorithm()
            ),
        )
        .with_hint(format!(
            "run `jwt-preflight check --key {}` for details",
            key.name
        )));
    };
    let request = a.request.then(|| {
        let origin = SimpleUrl::parse(&exp.login_url)
            .map(|u| u.canonical_origin())
            .unwrap_or_else(|| exp.login_url.clone());
        TokenRequest {
            url: format!("{origin}/services/oauth2/token"),
            body: format!(
                "grant_type={}&assertion={}",
                form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
                form_encode(&token)
            ),
        }
    });
    Ok(Document::Signed(Signed {
        token,
        expires_at: crate::timefmt::unix_rfc3339(now.timestamp().saturating_add(a.claims.lifetime)),
        request,
    })
    .into())
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
