//! PF201–PF204: the JOSE header.

use super::Expectations;
use crate::catalog::{CheckGroup, Code, Severity};
use crate::finding::{Finding, Findings};
use crate::token::Object;
use serde_json::Value;

/// Header members Salesforce's own clients send; anything else is PF204.
const KNOWN: [&str; 2] = ["alg", "typ"];

/// Runs PF201–PF204 on a decoded header.
pub fn evaluate(header: &Object, exp: &Expectations, out: &mut Findings) {
    out.ran(
        CheckGroup::Header,
        format!("expected alg {}", exp.expect_alg),
    );
    match header.get("alg") {
        None => out.push(Finding::new(
            Code::PF201,
            "the header has no \"alg\" member",
        )),
        Some(Value::String(alg)) => check_alg(alg, exp, out),
        Some(other) => out.push(Finding::new(
            Code::PF202,
            format!("\"alg\" is {other}, not a string naming {}", exp.expect_alg),
        )),
    }
    let extras: Vec<&str> = header
        .keys()
        .map(String::as_str)
        .filter(|k| !KNOWN.contains(k))
        .collect();
    if let Some(crit) = header.get("crit") {
        out.push(
            Finding::new(Code::PF204,
                format!(
                    "the header has \"crit\": {crit}: a server that does not understand those extensions must reject the token"
                ),
            )
            .with_severity(Severity::Warning),
        );
    }
    let others: Vec<&str> = extras.into_iter().filter(|k| *k != "crit").collect();
    if !others.is_empty() {
        out.push(Finding::new(
            Code::PF204,
            format!(
                "the header carries {} that Salesforce does not document: {}",
                if others.len() == 1 {
                    "a parameter"
                } else {
                    "parameters"
                },
                others.join(", ")
            ),
        ));
    }
}

fn check_alg(alg: &str, exp: &Expectations, out: &mut Findings) {
    let upper = alg.to_ascii_uppercase();
    if upper == "NONE" {
        out.push(Finding::new(
            Code::PF203,
            format!("alg is \"{alg}\": an unsigned token is never accepted"),
        ));
    } else if upper.starts_with("HS") {
        out.push(Finding::new(Code::PF203,
            format!(
                "alg is \"{alg}\", an HMAC with a shared secret: the JWT bearer flow needs an RSA signature, and a token like this is the mark of an algorithm-confusion attempt"
            ),
        ));
    } else if alg != exp.expect_alg.as_str() {
        let family = match upper.get(..2) {
            Some("PS") => " (RSASSA-PSS)",
            Some("ES") => " (ECDSA)",
            Some("ED") => " (EdDSA)",
            _ => "",
        };
        let documented = if exp.expect_alg == crate::signature::Alg::RS256 {
            " (Salesforce documents RS256 only)"
        } else {
            " (--expect-alg)"
        };
        out.push(Finding::new(
            Code::PF202,
            format!(
                "alg is \"{alg}\"{family}, but {} is expected{documented}",
                exp.expect_alg
            ),
        ));
    }
}
