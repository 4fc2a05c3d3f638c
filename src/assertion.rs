//! Building the assertion a careful Salesforce client sends: header `{"alg":"RS256"}`, claims
//! `iss`, `sub`, `aud`, `exp` (integer seconds), nothing else.

use crate::material::RsaKey;
use crate::signature::{self, Alg};
use crate::token::Object;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The claims of an assertion, in the order clients emit them.
pub fn claims(iss: &str, sub: &str, aud: &str, exp: i64) -> Object {
    let mut c = Object::new();
    c.insert("iss".into(), Value::String(iss.into()));
    c.insert("sub".into(), Value::String(sub.into()));
    c.insert("aud".into(), Value::String(aud.into()));
    c.insert("exp".into(), Value::from(exp));
    c
}

/// Signs `claims` under `alg` (RS256, RS384 or RS512) into a compact JWS.
pub fn sign(key: &RsaKey, alg: Alg, claims: &Object) -> Result<String, String> {
    let mut header = Object::new();
    header.insert("alg".into(), Value::String(alg.as_str().into()));
    let header_json = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    let claims_json = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(claims_json)
    );
    let sig = signature::sign(key, alg.hash(), input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}
